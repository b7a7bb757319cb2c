"""Loot boxes: an asset whose `loot_box_contents` the Admin API set (`[{asset_id, asset_variation_id?,
asset_rental_option_id?, weight}]`, mockserver/lootlocker/admin/assets.py). A player inspects the contents of a
box instance and opens it: one content, drawn by weight, is granted (a grant notification, hence
`check_grant_notifications: true`) and the box leaves the inventory, in one transaction.
"""

from __future__ import annotations

import random
from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors
from ..collections import ASSET_INSTANCES, ASSETS
from . import inventory

_draw = random.SystemRandom()


def _contents(tx: Tx, instance: dict[str, Any]) -> list[dict[str, Any]]:
    asset = tx.get(ASSETS, str(instance["asset_id"]))
    contents = asset.get("loot_box_contents") if asset else None
    if contents is None:
        raise errors.invalid("instance_id", f"asset instance {instance['instance_id']} is not a loot box")
    return [dict(c) for c in contents]


def handlers(store: Store) -> dict[str, Handler]:
    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def inspect(call: Call) -> Reply:
        tx = store.read()
        return Reply(200, {"contents": _contents(tx, inventory.owned(tx, player(call), call.path["instance_id"]))})

    def open_box(call: Call) -> Reply:
        with store.write() as tx:
            box = inventory.owned(tx, player(call), call.path["instance_id"])
            contents = [c for c in _contents(tx, box) if int(c["weight"]) > 0]
            if contents:
                won = _draw.choices(contents, weights=[int(c["weight"]) for c in contents])[0]
                inventory.grant(
                    tx,
                    box["game_id"],
                    box["player_id"],
                    won["asset_id"],
                    "loot_box",
                    variation_id=won.get("asset_variation_id"),
                    rental_option_id=won.get("asset_rental_option_id"),
                )
            tx.delete(ASSET_INSTANCES, box["id"])
        return Reply(200, {"check_grant_notifications": bool(contents)})

    return {"inspectLootBox": inspect, "openLootBox": open_box}
