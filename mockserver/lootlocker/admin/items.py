"""Item templates and players' items through the Admin API (the backend routes the Unity SDK's test set-up uses,
LootLockerTestConfigurationItem.cs: the list answers `templates`, a grant answers the item's `id`, consume takes a
body and answers a count, the player listing shows `template_name` and no `deletable`). Players are named by their
legacy id. Rules: mockserver/lootlocker/economy/items.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Tx
from .. import errors
from ..collections import PLAYER_ITEMS
from ..economy import items
from ..players import Player, Players

if TYPE_CHECKING:
    from .routes import Admin


def _player(tx: Tx, game_id: str, legacy_id: Any, param: str = "player_id") -> Player:
    player = Players.find(tx, game_id, str(legacy_id), "legacy")
    if player is None:
        raise errors.not_found(f"No player {legacy_id} in this game ({param}).")
    return player


def handlers(admin: Admin) -> dict[str, Handler]:
    store = admin.store

    game_id = admin.game_id

    def create(call: Call) -> Reply:
        with store.write() as tx:
            return Reply(200, {"id": items.create_template(tx, game_id(call), call.body)["id"]})

    def list_templates(call: Call) -> Reply:
        found = items.templates(store.read(), game_id(call))
        return Reply(200, {"templates": [items.template_view(t) for t in found]})

    def get(call: Call) -> Reply:
        return Reply(200, items.template_view(items.template(store.read(), game_id(call), call.path["template_id"])))

    def update(call: Call) -> Reply:
        with store.write() as tx:
            found = items.template(tx, game_id(call), call.path["template_id"])
            return Reply(200, items.template_view(items.update_template(tx, found, call.body)))

    def delete(call: Call) -> Reply:
        with store.write() as tx:
            items.delete_template(tx, items.template(tx, game_id(call), call.path["template_id"]))
        return Reply(204)

    def audiences(call: Call) -> Reply:
        with store.write() as tx:
            found = items.template(tx, game_id(call), call.path["template_id"])
            items.update_template(tx, found, {"audiences": call.body["audiences"]})
        return Reply(204)

    def grant(call: Call) -> Reply:
        body = call.body
        with store.write() as tx:
            player = _player(tx, game_id(call), body["player_id"])
            made = items.grant(
                tx, game_id(call), player, body["item_template_id"], int(body.get("count") or 1), "admin"
            )
        return Reply(200, {"id": made[0]["id"]})

    def player_items(call: Call) -> Reply:
        tx = store.read()
        player = _player(tx, game_id(call), call.path["player_id"])
        return Reply(200, {"items": [items.admin_view(tx, i) for i in items.of_player(tx, player["id"])]})

    def consume(call: Call) -> Reply:
        with store.write() as tx:
            player = _player(tx, game_id(call), call.path["player_id"])
            found = items.item(tx, player["id"], call.path["inventory_id"])
            return Reply(200, {"consumed": items.consume(tx, found, int(call.body.get("count") or 0))})

    def delete_item(call: Call) -> Reply:
        with store.write() as tx:
            player = _player(tx, game_id(call), call.path["player_id"])
            found = items.item(tx, player["id"], call.path["inventory_id"])
            tx.delete(PLAYER_ITEMS, found["id"])
        return Reply(204)

    def split(call: Call) -> Reply:
        with store.write() as tx:
            player = _player(tx, game_id(call), call.path["player_id"])
            found = items.item(tx, player["id"], call.path["inventory_id"])
            return Reply(200, {"id": items.split(tx, found, int(call.body["count"]))["id"]})

    def merge(call: Call) -> Reply:
        body = call.body
        with store.write() as tx:
            player = _player(tx, game_id(call), call.path["player_id"])
            source = items.item(tx, player["id"], body["source_inventory_id"])
            target = items.item(tx, player["id"], body["target_inventory_id"])
            items.merge(tx, source, target)
        return Reply(204)

    return {
        "adminCreateItemTemplate": create,
        "adminListItemTemplates": list_templates,
        "adminGetItemTemplate": get,
        "adminUpdateItemTemplate": update,
        "adminDeleteItemTemplate": delete,
        "adminSetItemTemplateAudiences": audiences,
        "adminGrantItem": grant,
        "adminListPlayerItems": player_items,
        "adminConsumePlayerItem": consume,
        "adminDeletePlayerItem": delete_item,
        "adminSplitPlayerItem": split,
        "adminMergePlayerItems": merge,
    }
