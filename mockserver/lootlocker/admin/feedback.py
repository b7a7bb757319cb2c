"""Feedback categories and received feedback of a game environment through the Admin API
(mockserver/lootlocker/feedback.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from .. import feedback

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    game_id = admin.game_id

    def create(call: Call) -> Reply:
        with admin.store.write() as tx:
            return Reply(200, feedback.category_view(feedback.create_category(tx, game_id(call), call.body)))

    return {
        "adminCreateFeedbackCategory": create,
        "adminListFeedbackCategories": lambda call: Reply(
            200, {"categories": feedback.categories(admin.store.read(), game_id(call))}
        ),
        "adminListFeedback": lambda call: Reply(
            200, {"feedback": feedback.received(admin.store.read(), game_id(call))}
        ),
    }
