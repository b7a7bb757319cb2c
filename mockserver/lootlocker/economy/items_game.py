"""Items ("Assets 2.0") through the Game API: the templates players may see and the items they hold.

LootLocker's Game API paths for items are not public (its SDKs name only methods), so the paths are the mock's,
after LootLocker's newer features (`/game/items/v1/...`); the bodies are the shapes LootLocker's Unity SDK reads
(ItemRequest.cs). Choices where LootLocker is silent: a template is visible to players when it has at least one
audience; a player's items are listed whatever their template's audiences (they hold them); `player_id` is the
player's ULID; `metadata` is `[]` (templates carry none here); consuming grants nothing (`granted: []`).
Rules (counts, split, merge): economy/items.py; every change is one read-modify-write in one transaction.
"""

from __future__ import annotations

from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors
from ..collections import ITEM_TEMPLATES, PLAYER_ITEMS
from ..pagination import page_of
from . import items

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
SORTS = ("created_at", "updated_at", "source")
ORDERS = ("ASC", "DESC")


def template_view(found: items.Template) -> dict[str, Any]:
    keys = ("id", "name", "limited", "item_type", "consumable", "deletable", "created_at", "updated_at")
    return {key: found[key] for key in keys}


def item_view(found: items.Item, owner: items.Template) -> dict[str, Any]:
    return {
        "id": found["id"],
        "player_id": found["player_id"],
        "item_template_id": found["item_template_id"],
        "item_type": owner.get("item_type", "stackable"),
        "consumable": bool(owner.get("consumable")),
        "deletable": bool(owner.get("deletable")),
        "count": found["count"],
        "name": owner.get("name", ""),
        "source": found["source"],
        "created_at": found["created_at"],
        "updated_at": found["updated_at"],
        "metadata": [],
    }


def _owner(tx: Tx, found: items.Item) -> items.Template:
    return tx.get(ITEM_TEMPLATES, found["item_template_id"]) or {}


def _paging(query: dict[str, str]) -> tuple[int, int]:
    per_page = min(int(query.get("per_page") or 0) or DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return int(query.get("page") or 0) or 1, per_page


def visible_templates(tx: Tx, game_id: str, query: dict[str, str]) -> dict[str, Any]:
    found = [t for t in items.templates(tx, game_id) if t.get("audiences")]
    shown, pagination = page_of(found, *_paging(query))
    return {"items": [template_view(t) for t in shown], "pagination": pagination}


def player_items(tx: Tx, player_ulid: str, query: dict[str, str]) -> dict[str, Any]:
    rows = [(i, _owner(tx, i)) for i in items.of_player(tx, player_ulid)]
    name = (query.get("name") or "").casefold()
    if name:
        rows = [(i, t) for i, t in rows if name in str(t.get("name", "")).casefold()]
    if query.get("item_type"):
        rows = [(i, t) for i, t in rows if t.get("item_type") == query["item_type"]]
    if query.get("consumable") is not None:
        wanted = str(query["consumable"]).lower() == "true"
        rows = [(i, t) for i, t in rows if bool(t.get("consumable")) == wanted]
    sort = query.get("sort") or "created_at"
    # ULIDs break ties in creation order; a never-updated item sorts as its creation
    rows.sort(key=lambda r: (str(r[0].get(sort) or r[0]["created_at"]), r[0]["id"]))
    if (query.get("order") or "ASC") == "DESC":
        rows.reverse()
    shown, pagination = page_of(rows, *_paging(query))
    return {"items": [item_view(i, t) for i, t in shown], "pagination": pagination}


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def list_templates(call: Call) -> Reply:
        return Reply(200, visible_templates(store.read(), game_id(call), call.query))

    def list_items(call: Call) -> Reply:
        return Reply(200, player_items(store.read(), player(call), call.query))

    def get_item(call: Call) -> Reply:
        tx = store.read()
        found = items.item(tx, player(call), call.path["item_id"])
        owner = _owner(tx, found)
        return Reply(200, {**item_view(found, owner), "template": template_view(owner)})

    def consume(call: Call) -> Reply:
        with store.write() as tx:
            found = items.item(tx, player(call), call.path["item_id"])
            items.consume(tx, found, int(call.body.get("count") or 0))
        return Reply(200, {"consumed": True, "granted": []})

    def split(call: Call) -> Reply:
        with store.write() as tx:
            found = items.item(tx, player(call), call.path["item_id"])
            return Reply(200, {"id": items.split(tx, found, int(call.body["count"]))["id"]})

    def merge(call: Call) -> Reply:
        body = call.body
        with store.write() as tx:
            source = items.item(tx, player(call), body["source_inventory_id"])
            target = items.item(tx, player(call), body["target_inventory_id"])
            items.merge(tx, source, target)
        return Reply(204)

    def delete(call: Call) -> Reply:
        with store.write() as tx:
            found = items.item(tx, player(call), call.path["item_id"])
            if not _owner(tx, found).get("deletable"):
                raise errors.forbidden("This item's template is not deletable.")
            tx.delete(PLAYER_ITEMS, found["id"])
        return Reply(204)

    return {
        "listItemTemplates": list_templates,
        "listPlayerItems": list_items,
        "getPlayerItem": get_item,
        "consumePlayerItem": consume,
        "splitPlayerItem": split,
        "mergePlayerItems": merge,
        "deletePlayerItem": delete,
    }
