"""Runs the vendors' operations straight from WSGI, without Flask's per-request machinery.

For every request Flask pushes an application and a request context, binds its URL map (twice), looks the
view up through werkzeug's routing state machine and runs its hooks and signals. Measured in one process
with bench/inprocess.py: a bare Flask app costs ~120 µs of CPU per GET against ~30 µs for werkzeug's Request
and Response alone, and mockserver's GET costs ~230 µs dispatched here against ~410 µs through Flask. The
vendor operations need none of Flask's machinery: `Router.respond` runs them from a werkzeug Request, and
the journal records them the same way.

Only the unremarkable case is taken here: a vendor operation matched by exactly one rule, with no fault
defined. Everything else goes through Flask as before: the control plane, unknown paths and methods (404,
405 in each vendor's manner), HEAD and OPTIONS, and every request while any fault is defined (faults.py
works inside Flask's request context).

A request with an Origin header first passes through cors.py (LootLocker's CORS headers and preflights);
without one, that costs a single dict lookup.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from .cors import CORS_DONE, Cors
from .faults import CONTROL_PREFIX
from .http_errors import http_error_response, unexpected_response
from .journal import START
from .routing import ROUTES, Route, UUIDSegment, response_of

if TYPE_CHECKING:
    from .faults import Faults
    from .journal import Journal

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
# The pattern of each werkzeug converter the routes use (routing._flask_rule): the default one and UUIDs.
_CONVERTERS = {None: r"[^/]+", "uuid_segment": UUIDSegment.regex}

Pattern = tuple["re.Pattern[str]", tuple[str, ...], Route]


def _pattern(rule: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The werkzeug rule `/api/user/<uuid_segment:userId>` as an anchored regex and its parameter names."""
    names: list[str] = []
    parts: list[str] = []
    at = 0
    for match in _PARAMETER.finditer(rule):
        converter, name = match.group(1), match.group(2)
        parts.append(re.escape(rule[at : match.start()]))
        parts.append(f"({_CONVERTERS[converter]})")
        names.append(name)
        at = match.end()
    parts.append(re.escape(rule[at:]))
    return re.compile("".join(parts)), tuple(names)


class Dispatcher:
    """The app's `wsgi_app`: vendor operations directly, the rest through Flask's own `wsgi_app`."""

    def __init__(self, app: Flask, max_body_bytes: int, faults: Faults, journal: Journal) -> None:
        self.app = app
        self.fallback: WSGIApp = app.wsgi_app
        self.faults = faults
        self.journal = journal
        # What Flask's Request takes from app.config: the same 413 past the body limit.
        self.request_class = type("DirectRequest", (Request,), {"max_content_length": max_body_bytes})
        # Requests with an Origin header take the CORS layer (cors.py), which calls this dispatcher back.
        self.cors = Cors(self)
        self.static: dict[tuple[str, str], Route] = {}
        # (method, number of segments) → the rules with parameters that could match such a path
        self.dynamic: dict[tuple[str, int], list[Pattern]] = {}
        for route in app.extensions.get(ROUTES, []):
            if route.rule.startswith(CONTROL_PREFIX):
                continue
            method = route.operation.method
            if "<" not in route.rule:
                self.static[(method, route.rule)] = route
            else:
                pattern, names = _pattern(route.rule)
                self.dynamic.setdefault((method, route.rule.count("/")), []).append((pattern, names, route))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The one route for this request, with its path parameters; None to leave it to Flask."""
        route = self.static.get((method, path))
        if route is not None:
            return route, {}  # werkzeug too prefers a literal path to one with parameters
        found = None
        for pattern, names, candidate in self.dynamic.get((method, path.count("/")), ()):
            match = pattern.fullmatch(path)
            if match is not None:
                if found is not None:
                    return None  # several rules match: werkzeug's order of rules decides, in Flask
                found = (candidate, dict(zip(names, match.groups(), strict=True)))
        return found

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "HTTP_ORIGIN" in environ and CORS_DONE not in environ:
            return self.cors(environ, start_response)
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return self.fallback(environ, start_response)
        req = self.request_class(environ)
        path = req.path
        target = self.match(req.method, path)
        if target is None or self.faults.defined():
            return self.fallback(environ, start_response)
        route, parameters = target
        journal = self.journal.enabled
        if journal:
            environ[START] = time.perf_counter()
        try:
            answer = route.router.answer(
                route.operation, route.handler, parameters, req, self.app.config.get("MOCKSERVER_STRICT", False)
            )
        except HTTPException as error:  # 413: the body is larger than --max-body-bytes
            return self._send(req, http_error_response(path, error), route, start_response)
        except Exception:
            return self._send(req, unexpected_response(req.method, path), route, start_response)
        status, headers, body = answer.status, answer.headers, answer.body
        if status < 200 or status in (204, 304):
            return self._send(req, response_of(answer), route, start_response)  # werkzeug's rules for these
        if journal:
            self.journal.record(req, status, headers, body, route.operation.operation_id)
        start_response(f"{status} {HTTP_STATUS_CODES.get(status, 'UNKNOWN').upper()}", headers)
        return [body]

    def _send(self, req: Request, response: Response, route: Route, start_response: Callable[..., Any]) -> Any:
        """An answer that werkzeug's Response writes (errors, statuses with special rules)."""
        if self.journal.enabled:
            self.journal.record_response(req, response, route.operation.operation_id)
        return response(req.environ, start_response)
