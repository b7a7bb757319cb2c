"""Asset instance progressions: an instance of a player's inventory progresses in the game's progressions with the
player progressions' rules (mockserver/lootlocker/progressions.py: points, steps, tiers awarded, cursor pagination),
held by the instance (its ULID). Another player's instance is as unknown (404), as is a progression of no such key.
"""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from .collections import PLAYER_PROGRESSIONS
from .economy import inventory
from .progressions import PlayerProgressions


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """A deleted player's instances' progressions (call before the inventory forgets the instances)."""
    for instance in inventory.of_player(tx, player_id):
        tx.delete_where(PLAYER_PROGRESSIONS, player_id=instance["ulid"])


def handlers(store: Store) -> dict[str, Handler]:
    progress = PlayerProgressions(store)

    def game(call: Call) -> dict[str, Any]:
        return dict(call.context["game"])

    def holder(call: Call) -> str:
        instance = inventory.owned(store.read(), str(call.context["player_id"]), call.path["instance_id"])
        return str(instance["ulid"])

    def change(kind: str) -> Handler:
        def handler(call: Call) -> Reply:
            amount = int((call.body or {}).get("amount") or 0)
            return Reply(200, progress.change(game(call), holder(call), call.path["progression_key"], kind, amount))

        return handler

    def delete(call: Call) -> Reply:
        progress.delete(game(call), holder(call), call.path["progression_key"])
        return Reply(204)

    return {
        "listInstanceProgressions": lambda call: Reply(200, progress.of(game(call), holder(call), call.query)),
        "getInstanceProgression": lambda call: Reply(
            200, progress.one(game(call), holder(call), call.path["progression_key"])
        ),
        "addInstanceProgressionPoints": change("add"),
        "subtractInstanceProgressionPoints": change("subtract"),
        "resetInstanceProgression": change("reset"),
        "deleteInstanceProgression": delete,
    }
