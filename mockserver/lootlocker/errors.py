"""LootLocker's error answers: `{"request_id","trace_id","code","doc_url","message","param"?}`.

The codes are those of docs.lootlocker.com/reference/error-codes where one fits (`parameter_missing`,
`parameter_invalid`, `request_body_invalid`, `internal_server_error`, `player_banned`) and otherwise the
status names the SDKs fall back to (`unauthorized`, `forbidden`, `not_found`, `conflict`, ...).
Messages are for people; clients key on `code` (LootLocker says so too).
"""

from __future__ import annotations

from typing import Any

from ..openapi import Issue
from ..routing import Reply
from . import ids

DOC_URL = "https://docs.lootlocker.com/reference/error-codes#{code}"
RETRY_AFTER_SECONDS = 1

# The code an answer of each status carries when nothing more specific applies.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_body_invalid",
    429: "too_many_requests",
    500: "internal_server_error",
    503: "service_unavailable",
}
STATUS_MESSAGES = {
    400: "The request is invalid.",
    401: "Unauthorized: the session token is missing, invalid or has ended.",
    403: "Forbidden.",
    404: "Not found.",
    409: "The request conflicts with the current state.",
    429: "Too many requests, try again later.",
    500: "Internal server error occurred. Please reach out to us with the request id if this issue persists.",
    503: "The service is temporarily unavailable, try again later.",
}


class LootLockerError(Exception):
    """An error answer; raised from models and routes, rendered by the vendor."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        message: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.code = code or STATUS_CODES.get(status, f"http_{status}")
        self.message = message or STATUS_MESSAGES.get(status, f"HTTP {status}.")
        self.param = param
        self.extra = extra or {}
        super().__init__(status, self.code, self.message)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "request_id": ids.request_id(),
            "trace_id": ids.trace_id(),
            "code": self.code,
            "doc_url": DOC_URL.format(code=self.code),
            "message": self.message,
        }
        if self.param is not None:
            body["param"] = self.param
        body.update(self.extra)
        return body

    def reply(self) -> Reply:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if self.status in (429, 503) else {}
        return Reply(self.status, self.body(), headers)


# -- the errors the models raise ------------------------------------------------------------------
def missing(param: str) -> LootLockerError:
    return LootLockerError(400, "parameter_missing", f"The parameter '{param}' is required.", param)


def invalid(param: str, why: str) -> LootLockerError:
    return LootLockerError(400, "parameter_invalid", f"The parameter '{param}' is invalid: {why}", param)


def body_invalid(why: str) -> LootLockerError:
    return LootLockerError(400, "request_body_invalid", f"The request body is invalid: {why}")


def unauthorized(message: str | None = None) -> LootLockerError:
    return LootLockerError(401, "unauthorized", message)


def forbidden(message: str) -> LootLockerError:
    return LootLockerError(403, "forbidden", message)


def not_found(message: str) -> LootLockerError:
    return LootLockerError(404, "not_found", message)


def conflict(message: str) -> LootLockerError:
    return LootLockerError(409, "conflict", message)


def invalid_game_key() -> LootLockerError:
    return unauthorized("The game API key is invalid.")


def player_banned(ban: dict[str, Any] | None = None) -> LootLockerError:
    """A sign-in of a banned player: the ban (bans.view), or a forced one (Prefer: code=403)."""
    if ban is None:
        ban = {
            "ban_reason": "Forced with Prefer: code=403",
            "banned_on": ids.iso_now(),
            "banned_until": None,
            "permanent": True,
        }
    return LootLockerError(403, "player_banned", "This player is banned.", extra={"ban": ban})


# -- schema failures in LootLocker's words --------------------------------------------------------
_DECODING = {"type", "format"}  # what a JSON decoder into typed structs rejects before validation


def _param(issue: Issue) -> str:
    path = [str(p) for p in issue.path]
    if issue.kind == "required" and issue.property is not None:
        path.append(issue.property)
    return ".".join(path)


def from_issues(issues: list[Issue]) -> LootLockerError:
    """One error, as LootLocker reports one: a body that is not an object, then type errors (the decoder's),
    then missing parameters, then any other invalid value."""
    for issue in issues:
        if not issue.path and issue.kind == "type":
            return body_invalid("it must be a JSON object")
    for issue in issues:
        if issue.kind in _DECODING:
            return invalid(_param(issue), issue.message)
    for issue in issues:
        if issue.kind == "required":
            return missing(_param(issue))
        if issue.kind == "anyOf" and not issue.path:
            # The one top-level alternative is the game key: game_api_key or game_key (Common.json GameKeyed).
            return missing("game_key")
    issue = issues[0]
    if not issue.path:
        return body_invalid(issue.message)
    return invalid(_param(issue), issue.message)
