"""`Prefer: code=NNN` on LootLocker operations: any documented status on demand.

An error status gets LootLocker's error body for that status (a 403 on a sign-in is `player_banned` with its
`ban` object; 429 and 503 carry Retry-After). A success status runs the real behaviour, so the body is
consistent with state; when the state gives another status the mock says so instead of inventing a body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..routing import Call, Handler, Reply
from .errors import LootLockerError, player_banned
from .sessions import PLATFORM_LOGINS

if TYPE_CHECKING:
    from .routes import LootLockerVendor

SIGN_INS = {*PLATFORM_LOGINS, "guestSession", "genericSession", "whiteLabelSession", "remoteSession"}


def forced(vendor: LootLockerVendor, call: Call, status: int, handler: Handler) -> Reply:
    if status >= 400:
        if status == 403 and call.operation.operation_id in SIGN_INS:
            return player_banned().reply()
        error = LootLockerError(status)
        error.message = f"{error.message} (forced with Prefer: code={status})"
        return error.reply()
    try:
        reply = handler(call)
    except LootLockerError as error:
        reply = error.reply()
    if reply.status != status:
        message = f"mockserver: cannot answer {status} here: the current state gives {reply.status}"
        return vendor.mock_error(400, message)
    return reply
