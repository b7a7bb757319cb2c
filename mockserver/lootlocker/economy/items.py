"""Items ("Assets 2.0"): item templates of a game and the items players hold, as the Admin API manages them
(mockserver/lootlocker/admin/items.py; the routes the Unity SDK's test set-up uses, LootLockerTestConfigurationItem).

A template is `{id (ULID), game_id, name, item_type: stackable|instanced, consumable, deletable, limited, audiences,
created_at, updated_at}`; players see only templates with an audience (the SDK's ItemTests say so). A player's item
is `{id (ULID), game_id, player_id (ULID), legacy_player_id, item_template_id, count, source, created_at,
updated_at}`. A stackable template is one stack per grant (grants add stacks; split and merge move counts between
stacks of one player and template); an instanced template makes one item of count 1 per unit granted. Consuming
takes `count` (default 1) from a consumable item and removes it at 0. Every change is one read-modify-write in one
transaction.
"""

from __future__ import annotations

from typing import Any

from ...store import Tx
from .. import errors, ids
from ..collections import ITEM_TEMPLATES, PLAYER_ITEMS

Template = dict[str, Any]
Item = dict[str, Any]
ITEM_TYPES = ("stackable", "instanced")
MAX_INSTANCED_GRANT = 1000  # one document per unit: a bound keeps one call from making millions (mock's choice)


def create_template(tx: Tx, game_id: str, body: dict[str, Any]) -> Template:
    if body.get("item_type", "stackable") not in ITEM_TYPES:
        raise errors.invalid("item_type", f"must be one of {', '.join(ITEM_TYPES)}")
    template: Template = {
        "id": ids.ulid(),
        "game_id": str(game_id),
        "name": str(body["name"]),
        "item_type": body.get("item_type") or "stackable",
        "consumable": bool(body.get("consumable")),
        "deletable": bool(body.get("deletable")),
        "limited": int(body.get("limited") or 0),
        "audiences": [str(a) for a in body.get("audiences") or []],
        "created_at": ids.iso_now(),
        "updated_at": None,
    }
    tx.put(ITEM_TEMPLATES, template["id"], template)
    return template


def template(tx: Tx, game_id: str, template_id: str) -> Template:
    found = tx.get(ITEM_TEMPLATES, str(template_id).strip().upper())
    if found is None or found["game_id"] != str(game_id):
        raise errors.not_found(f"No item template '{template_id}' in this game.")
    return found


def templates(tx: Tx, game_id: str) -> list[Template]:
    return tx.find(ITEM_TEMPLATES, game_id=str(game_id))  # ULID ids: creation order


def template_view(found: Template) -> dict[str, Any]:
    return {k: v for k, v in found.items() if k != "game_id"}


def update_template(tx: Tx, found: Template, body: dict[str, Any]) -> Template:
    if body.get("item_type") is not None and body["item_type"] != found["item_type"]:
        raise errors.invalid("item_type", "the item type of a template cannot change")
    for key in ("name",):
        if body.get(key) is not None:
            found[key] = str(body[key])
    for key in ("consumable", "deletable"):
        if isinstance(body.get(key), bool):
            found[key] = body[key]
    if body.get("audiences") is not None:
        found["audiences"] = [str(a) for a in body["audiences"]]
    found["updated_at"] = ids.iso_now()
    tx.put(ITEM_TEMPLATES, found["id"], found)
    return found


def delete_template(tx: Tx, found: Template) -> None:
    """A template and every item made from it."""
    tx.delete(ITEM_TEMPLATES, found["id"])
    tx.delete_where(PLAYER_ITEMS, item_template_id=found["id"])


def grant(tx: Tx, game_id: str, player: dict[str, Any], template_id: str, count: int, source: str) -> list[Item]:
    """Give a player `count` of a template: one stack (stackable) or `count` items (instanced)."""
    found = template(tx, game_id, template_id)
    if count < 1:
        raise errors.invalid("count", "must be at least 1")
    if found["item_type"] == "instanced" and count > MAX_INSTANCED_GRANT:
        raise errors.invalid("count", f"at most {MAX_INSTANCED_GRANT} instanced items in one grant")
    now = ids.iso_now()
    made = []
    for _ in range(1 if found["item_type"] == "stackable" else count):
        item: Item = {
            "id": ids.ulid(),
            "game_id": str(game_id),
            "player_id": player["id"],
            "legacy_player_id": player["legacy_id"],
            "item_template_id": found["id"],
            "count": count if found["item_type"] == "stackable" else 1,
            "source": source,
            "created_at": now,
            "updated_at": None,
        }
        tx.put(PLAYER_ITEMS, item["id"], item)
        made.append(item)
    return made


def of_player(tx: Tx, player_ulid: str) -> list[Item]:
    return tx.find(PLAYER_ITEMS, player_id=player_ulid)  # ULID ids: oldest first


def item(tx: Tx, player_ulid: str, item_id: str) -> Item:
    """One of the player's items (another player's → 404, as an unknown one)."""
    found = tx.get(PLAYER_ITEMS, str(item_id).strip().upper())
    if found is None or found["player_id"] != player_ulid:
        raise errors.not_found(f"No item '{item_id}' in this player's inventory.")
    return found


def admin_view(tx: Tx, found: Item) -> dict[str, Any]:
    """An item as the Admin API lists it (`template_name`, no `deletable`)."""
    owner = tx.get(ITEM_TEMPLATES, found["item_template_id"]) or {}
    return {
        "id": found["id"],
        "player_id": found["legacy_player_id"],
        "item_template_id": found["item_template_id"],
        "template_name": owner.get("name", ""),
        "item_type": owner.get("item_type", "stackable"),
        "consumable": bool(owner.get("consumable")),
        "count": found["count"],
        "source": found["source"],
        "created_at": found["created_at"],
        "updated_at": found["updated_at"],
    }


def consume(tx: Tx, found: Item, count: int) -> int:
    """Take `count` (0 → 1) from a consumable item; the item goes at 0. Answers how many were consumed."""
    owner = tx.get(ITEM_TEMPLATES, found["item_template_id"]) or {}
    if not owner.get("consumable"):
        raise errors.invalid("inventory_id", "the item is not consumable")
    taken = count or 1
    if taken < 0 or taken > found["count"]:
        raise errors.invalid("count", f"must be between 1 and the item's count ({found['count']})")
    found["count"] -= taken
    if found["count"] == 0:
        tx.delete(PLAYER_ITEMS, found["id"])
    else:
        found["updated_at"] = ids.iso_now()
        tx.put(PLAYER_ITEMS, found["id"], found)
    return taken


def split(tx: Tx, found: Item, count: int) -> Item:
    """Move `count` of a stack into a new stack (at least 1 stays behind)."""
    owner = tx.get(ITEM_TEMPLATES, found["item_template_id"]) or {}
    if owner.get("item_type") != "stackable":
        raise errors.invalid("inventory_id", "only a stackable item splits")
    if not 1 <= count < found["count"]:
        raise errors.invalid("count", f"must be between 1 and {found['count'] - 1}")
    now = ids.iso_now()
    found["count"] -= count
    found["updated_at"] = now
    tx.put(PLAYER_ITEMS, found["id"], found)
    made = {**found, "id": ids.ulid(), "count": count, "created_at": now, "updated_at": None}
    tx.put(PLAYER_ITEMS, made["id"], made)
    return made


def merge(tx: Tx, source: Item, target: Item) -> Item:
    """Pour a stack into another of the same template and player; the source stack goes."""
    if source["id"] == target["id"]:
        raise errors.invalid("target_inventory_id", "source and target are the same item")
    if source["item_template_id"] != target["item_template_id"]:
        raise errors.invalid("target_inventory_id", "the items are of different templates")
    owner = tx.get(ITEM_TEMPLATES, target["item_template_id"]) or {}
    if owner.get("item_type") != "stackable":
        raise errors.invalid("target_inventory_id", "only stackable items merge")
    target["count"] += source["count"]
    target["updated_at"] = ids.iso_now()
    tx.put(PLAYER_ITEMS, target["id"], target)
    tx.delete(PLAYER_ITEMS, source["id"])
    return target


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """For the player's deletion: their items."""
    tx.delete_where(PLAYER_ITEMS, player_id=player_id)
