"""/_mock/lootlocker/leases/{code}/claim|verify|authorize|cancel: the browser side of a remote-session lease
(what the player does on the other device), for tests and QA tools. Errors in the control plane's format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..control.routes import control_error
from ..routing import Call, Handler, Reply
from ..store import Store
from . import broadcasts
from .errors import LootLockerError
from .leaderboards import model as leaderboards
from .leases import Leases, SignIn
from .web import remote
from .web import white_label as white_label_pages


def _guarded(step: Callable[[Call], Any]) -> Handler:
    def handler(call: Call) -> Reply:
        try:
            return Reply(200, step(call))
        except LootLockerError as error:
            return control_error(error.status, error.message)

    return handler


def _reset_leaderboard(store: Store, leaderboard_id: int) -> dict[str, Any]:
    with store.write() as tx:
        return leaderboards.reset(tx, leaderboard_id)


def handlers(store: Store) -> dict[str, Handler]:
    """The control-plane handlers this package owns, by operationId of schemas/mock.openapi.yaml."""
    leases = Leases(store)
    return {
        "mockLootLockerClaimLease": _guarded(lambda call: leases.advance(call.path["code"], "claim")),
        "mockLootLockerVerifyLease": _guarded(lambda call: leases.advance(call.path["code"], "verify")),
        "mockLootLockerAuthorizeLease": _guarded(
            lambda call: leases.authorize(
                call.path["code"],
                SignIn(call.body.get("player_ulid"), call.body.get("provider"), call.body.get("identity_id")),
            )
        ),
        "mockLootLockerCancelLease": _guarded(lambda call: leases.cancel(call.path["code"])),
        "mockLootLockerResetLeaderboard": _guarded(lambda call: _reset_leaderboard(store, call.path["leaderboard_id"])),
        **remote.handlers(store),
        **white_label_pages.handlers(store),
        **broadcasts.control_handlers(store),
    }
