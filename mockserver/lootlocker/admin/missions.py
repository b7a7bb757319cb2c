"""Missions of a game environment through the Admin API (mockserver/lootlocker/missions.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from .. import missions

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    def create(call: Call) -> Reply:
        with admin.store.write() as tx:
            mission = missions.create(tx, str(admin.game(call)["id"]), call.body)
            return Reply(200, missions.view(tx, mission, None))

    return {"adminCreateMission": create}
