"""`Prefer: code=NNN` on FusionAuth operations: any documented status on demand.

Errors get FusionAuth's body for that status (or its empty body). A success status runs the real
behaviour, so the body is consistent with state; when the state cannot produce that status the mock
says so instead of inventing a body. Operations whose alternative successes need state of their own
(the login's 202/203/212/213/232/242) register builders in `BUILDERS`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..routing import NO_BODY, Call, Handler, Reply
from ..store import Store
from .collections import USER_ACTIONS
from .errors import Errors, FusionAuthError

if TYPE_CHECKING:
    from .routes import FusionAuthVendor

# (operationId, status) → builder of a state-consistent reply
BUILDERS: dict[tuple[str, int], Callable[[Call], Reply]] = {}

_GENERAL = {
    400: ("[invalid]", "The request was invalid and/or malformed (forced with Prefer: code=400)."),
    401: ("[ExternalAuthenticationException]", "Unable to complete this login request (forced with Prefer)."),
    409: ("[conflict]", "The request could not be completed because of a conflict."),
    421: ("[invalid]code", "The two factor code is invalid (forced with Prefer)."),
    503: ("[SearchIndexUnavailable]", "The search index is not available. The request cannot be completed."),
    504: (
        "[WebhookTransactionException]",
        "One or more webhooks returned an invalid response or were unreachable. Based on your transaction "
        "configuration, your action cannot be completed.",
    ),
}


def prevent_login_body(store: Store) -> dict[str, object]:
    """A 409 body naming the fixtures' prevent-login action, as if it had been taken on the user."""
    definition = next((a for a in store.read().all(USER_ACTIONS) if a.get("preventLogin")), None)
    name = definition["name"] if definition else "Prevent Login Action"
    reason = (definition or {}).get("reasons", [{}])[0] if definition and definition.get("reasons") else {}
    action: dict[str, object] = {"actionId": str(uuid.uuid4()), "name": name, "localizedName": name}
    if reason:
        action.update(
            {
                "reason": reason["localizedText"],
                "localizedReason": reason["localizedText"],
                "reasonCode": reason["code"],
            }
        )
    return {"actions": [action]}


def error_body(status: int) -> dict[str, object]:
    code, message = _GENERAL.get(status, ("[Forced]", f"Forced status {status}."))
    return Errors().general(code, message).body()


def forced(vendor: FusionAuthVendor, call: Call, status: int, handler: Handler) -> Reply:
    builder = BUILDERS.get((call.operation.operation_id, status))
    if builder is not None:
        return builder(call)
    if status >= 400:
        check = call.operation.responses[status]
        return Reply(status, NO_BODY if check is None else error_body(status))
    try:
        reply = handler(call)
    except FusionAuthError as error:
        reply = Reply(error.status, NO_BODY if error.body is None else error.body)
    if reply.status != status:
        return vendor.mock_error(
            400, f"mockserver: cannot answer {status} here: the current state gives {reply.status}"
        )
    return reply
