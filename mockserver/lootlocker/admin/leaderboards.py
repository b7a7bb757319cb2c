"""Leaderboards of a game environment through the Admin API: create, update, schedule, rewards. The rules are
the leaderboards package's (mockserver/lootlocker/leaderboards/model.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Tx
from ..leaderboards import model

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    def change(step: Callable[[Tx, str, Call], model.Board]) -> Handler:
        def handler(call: Call) -> Reply:
            game_id = str(admin.game(call)["id"])
            with admin.store.write() as tx:
                board = step(tx, game_id, call)
            return Reply(200, model.admin_view(board))

        return handler

    def board_id(call: Call) -> Any:
        return call.path["leaderboard_id"]

    return {
        "adminCreateLeaderboard": change(lambda tx, game_id, call: model.create(tx, game_id, call.body)),
        "adminUpdateLeaderboard": change(
            lambda tx, game_id, call: model.update(tx, game_id, board_id(call), call.body)
        ),
        "adminSetLeaderboardSchedule": change(
            lambda tx, game_id, call: model.set_schedule(tx, game_id, board_id(call), call.body["cron_expression"])
        ),
        "adminAddLeaderboardReward": change(
            lambda tx, game_id, call: model.add_reward(tx, game_id, board_id(call), call.body)
        ),
    }
