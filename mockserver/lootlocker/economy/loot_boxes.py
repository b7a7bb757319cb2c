"""Loot boxes and drop tables (below). A loot box is an asset whose `loot_box_contents` the Admin API set
(`[{asset_id, asset_variation_id?, asset_rental_option_id?, weight}]`, mockserver/lootlocker/admin/assets.py). A player
inspects the contents of a box instance and opens it: one content, drawn by weight, is granted (a grant notification,
hence `check_grant_notifications: true`) and the box leaves the inventory, in one transaction.
"""

from __future__ import annotations

import random
from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, sequences
from ..collections import ASSET_INSTANCES, ASSETS
from . import assets, inventory

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

    return {"inspectLootBox": inspect, "openLootBox": open_box, **drop_table_handlers(store)}


# -- drop tables ------------------------------------------------------------------------------------------------
# A drop table is an asset whose `drop_table` the Admin API set (`[{asset_id, asset_variation_id?,
# asset_rental_option_id?, chance (percent, default 100), tag?}]`); the player holds an instance of it. Computing
# rolls each drop once and locks the result on the instance (computing again answers the same drops); picking grants
# the chosen drops of that result and uses the table up, in one transaction.


def _table(tx: Tx, instance: dict[str, Any]) -> list[dict[str, Any]]:
    asset = tx.get(ASSETS, str(instance["asset_id"]))
    drops = asset.get("drop_table") if asset else None
    if drops is None:
        raise errors.not_found(f"Asset instance {instance['instance_id']} is not a drop table.")
    return [dict(d) for d in drops]


def _locked_view(tx: Tx, drop: dict[str, Any], details: bool) -> dict[str, Any]:
    shown = {k: drop[k] for k in ("asset_id", "asset_variation_id", "asset_rental_option_id", "id")}
    if details:
        asset = tx.get(ASSETS, str(drop["asset_id"]))
        shown["asset"] = assets.common(tx, asset) if asset else None
    return shown


def compute(store: Store, player: str, instance_id: str, details: bool, tag: str | None) -> list[dict[str, Any]]:
    with store.write() as tx:
        table = inventory.owned(tx, player, instance_id)
        drops = _table(tx, table)
        if table.get("drops") is None:
            locked = []
            for drop in drops:
                if tag and drop.get("tag") != tag:
                    continue
                if _draw.random() * 100 < float(drop.get("chance", 100)):
                    locked.append(
                        {
                            "id": sequences.next_value(tx, "drop-table-drops"),
                            "asset_id": int(drop["asset_id"]),
                            "asset_variation_id": drop.get("asset_variation_id"),
                            "asset_rental_option_id": drop.get("asset_rental_option_id"),
                        }
                    )
            table["drops"] = locked
            tx.put(ASSET_INSTANCES, table["id"], table)
        return [_locked_view(tx, d, details) for d in table["drops"]]


def pick(store: Store, player: str, instance_id: str, picks: list[int]) -> list[dict[str, Any]]:
    with store.write() as tx:
        table = inventory.owned(tx, player, instance_id)
        _table(tx, table)
        locked = {d["id"]: d for d in table.get("drops") or []}
        if table.get("drops") is None:
            raise errors.invalid("instance_id", "compute and lock the drop table first")
        unknown = [p for p in picks if p not in locked]
        if unknown:
            raise errors.invalid("picks", f"not drops of this table's computed result: {unknown}")
        granted = []
        for drop_id in dict.fromkeys(picks):
            drop = locked[drop_id]
            made = inventory.grant(
                tx,
                table["game_id"],
                player,
                drop["asset_id"],
                "drop_table",
                variation_id=drop["asset_variation_id"],
                rental_option_id=drop["asset_rental_option_id"],
            )
            asset = tx.get(ASSETS, str(made["asset_id"]))
            granted.append(
                {
                    "instance_id": made["instance_id"],
                    "variation_id": made["variation_id"],
                    "rental_option_id": made["rental_option_id"],
                    "quantity": 1,
                    "asset": assets.common(tx, asset) if asset else None,
                }
            )
        tx.delete(ASSET_INSTANCES, table["id"])
        return granted


def drop_table_handlers(store: Store) -> dict[str, Handler]:
    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def compute_handler(call: Call) -> Reply:
        details = call.query.get("asset_details", "").lower() == "true"
        found = compute(store, player(call), call.path["instance_id"], details, call.query.get("tag") or None)
        return Reply(200, {"items": found})

    def pick_handler(call: Call) -> Reply:
        picks = [int(p) for p in call.body.get("picks") or []]
        return Reply(200, {"items": pick(store, player(call), call.path["instance_id"], picks)})

    return {"computeDropTable": compute_handler, "pickDropTable": pick_handler}
