"""Collectables of a game environment through the Admin API (mockserver/lootlocker/collectables.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from .. import collectables
from ..collections import COLLECTABLES

if TYPE_CHECKING:
    from .routes import Admin


def _definition(collectable: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in collectable.items() if k != "game_id"}


def handlers(admin: Admin) -> dict[str, Handler]:
    game_id = admin.game_id

    def create(call: Call) -> Reply:
        with admin.store.write() as tx:
            return Reply(200, _definition(collectables.create(tx, game_id(call), call.body)))

    def listing(call: Call) -> Reply:
        found = sorted(admin.store.read().find(COLLECTABLES, game_id=game_id(call)), key=lambda c: c["name"])
        return Reply(200, {"collectables": [_definition(c) for c in found]})

    return {"adminCreateCollectable": create, "adminListCollectables": listing}
