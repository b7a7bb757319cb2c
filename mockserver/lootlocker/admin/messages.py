"""Messages of a game environment through the Admin API (mockserver/lootlocker/messages.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from .. import messages
from ..collections import MESSAGES

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    game_id = admin.game_id

    def create(call: Call) -> Reply:
        with admin.store.write() as tx:
            return Reply(200, messages.admin_view(messages.create(tx, game_id(call), call.body)))

    def listing(call: Call) -> Reply:
        found = sorted(
            admin.store.read().find(MESSAGES, game_id=game_id(call)), key=lambda m: (m["published_at"], m["number"])
        )
        return Reply(200, {"messages": [messages.admin_view(m) for m in found]})

    def delete(call: Call) -> Reply:
        with admin.store.write() as tx:
            messages.delete(tx, game_id(call), call.path["message_id"])
        return Reply(204)

    return {"adminCreateMessage": create, "adminListMessages": listing, "adminDeleteMessage": delete}
