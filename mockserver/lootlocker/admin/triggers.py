"""Triggers of a game environment through the Admin API (`POST /admin/game/{g}/triggers/cozy-crusader/v1`, as the
SDK's LootLockerTestConfigurationTrigger sends it) and their list; the rules are in
mockserver/lootlocker/economy/triggers.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from ..economy import triggers

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    game_id = admin.game_id

    def create(call: Call) -> Reply:
        with admin.store.write() as tx:
            trigger = triggers.create(tx, game_id(call), call.body)
        return Reply(200, triggers.view(trigger))

    return {
        "adminCreateTrigger": create,
        "adminListTriggers": lambda call: Reply(200, {"triggers": triggers.listed(admin.store, game_id(call))}),
    }
