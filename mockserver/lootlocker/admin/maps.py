"""Maps of a game environment through the Admin API (mockserver/lootlocker/maps.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from .. import maps

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    game_id = admin.game_id

    def create(call: Call) -> Reply:
        with admin.store.write() as tx:
            return Reply(200, maps.create(tx, game_id(call), call.body))

    return {
        "adminCreateMap": create,
        "adminListMaps": lambda call: Reply(200, {"maps": maps.listing(admin.store.read(), game_id(call))}),
    }
