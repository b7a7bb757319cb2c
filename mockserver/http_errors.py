"""Answers to failures outside any handler (routing, body size, bugs), in the manner of the API asked."""

from __future__ import annotations

import logging

from flask import Response
from werkzeug.exceptions import HTTPException

from .cors import LOOTLOCKER_PREFIXES  # LootLocker's routes: the same prefixes as its CORS
from .faults import CONTROL_PREFIX
from .lootlocker.errors import LootLockerError
from .routing import Reply, render

log = logging.getLogger("mockserver")  # Flask's app.logger for an app named "mockserver"


def http_error_response(path: str, error: HTTPException) -> Response:
    """Routing-level failures (unknown path, method not allowed, body too large) in each API's own manner:
    FusionAuth answers these with an empty body, LootLocker with its error body, the control plane with a
    JSON error."""
    status = error.code or 500
    if path.startswith(CONTROL_PREFIX):
        return render(Reply(status, {"error": error.name}))
    response = render(LootLockerError(status).reply() if path.startswith(LOOTLOCKER_PREFIXES) else Reply(status))
    if status == 405 and isinstance(error.valid_methods, list | tuple | set):
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def unexpected_response(method: str, path: str) -> Response:
    """A bug in the mock. FusionAuth's own 500 has an empty body; the log has the stack trace."""
    log.exception("unhandled error on %s %s", method, path)
    return render(LootLockerError(500).reply() if path.startswith(LOOTLOCKER_PREFIXES) else Reply(500))
