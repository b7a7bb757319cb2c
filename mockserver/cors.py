"""CORS for the LootLocker routes, in the WSGI layer around dispatch.py and Flask.

LootLocker is called straight from browsers (web builds, account pages), so every LootLocker answer to a
request with an Origin header carries the CORS headers: successes, errors, 401s, unknown paths' 404s and 405s
alike, whichever of dispatch.py or Flask wrote them. Preflights (OPTIONS with Access-Control-Request-Method)
are answered here with 204 and never reach the routes: browsers send them, contract clients do not, so they
are not operations of the OpenAPI documents. The origin and the requested headers are reflected, credentials
allowed. FusionAuth's routes are left alone (its CORS comes from its own configuration); so is the control
plane. A request without an Origin header costs one dict lookup.

An empty `x-session-token` needs nothing here: routes that need no session never read it (routes.py
authenticates the token only for operations whose security is sessionToken), and those that do answer 401.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Game API, White Label, the auth client, Admin API, the file downloads' signed URLs.
LOOTLOCKER_PREFIXES = ("/game/", "/white-label-login/", "/client/", "/admin/", "/_files/lootlocker/")
METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
# Allowed when a preflight names no headers: those LootLocker's clients send.
DEFAULT_HEADERS = "content-type, x-session-token, x-auth-token, domain-key, is-development, LL-Version, LL-SDK-Version"
PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
MAX_AGE = "86400"  # seconds a browser may cache a preflight's answer
# environ key: this layer has seen the request (the app it wraps calls it first); its value is the Origin the
# answer's CORS headers reflect, "" when none are added (the journal records the answer with them: with_cors).
CORS_DONE = "mockserver.cors"


def with_cors(headers: list[tuple[str, str]], origin: str, vary: str = "Origin") -> list[tuple[str, str]]:
    """The answer's headers with the CORS ones (any the route set itself replaced, Vary kept and extended)."""
    kept: list[tuple[str, str]] = []
    for name, value in headers:
        lower = name.lower()
        if lower.startswith("access-control-"):
            continue
        if lower == "vary":
            vary = value if "origin" in value.lower() else f"{value}, {vary}"
            continue
        kept.append((name, value))
    kept += [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", vary),
    ]
    return kept


class Cors:
    """The WSGI app with CORS on the LootLocker routes."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        if not origin or not environ.get("PATH_INFO", "").startswith(LOOTLOCKER_PREFIXES):
            environ[CORS_DONE] = ""
            return self.app(environ, start_response)
        environ[CORS_DONE] = origin
        if environ.get("REQUEST_METHOD") == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").strip()
            # A preflight's answer varies with the requested method and headers too.
            headers = [
                *with_cors([], origin, PREFLIGHT_VARY),
                ("Access-Control-Allow-Methods", METHODS),
                ("Access-Control-Allow-Headers", requested or DEFAULT_HEADERS),
                ("Access-Control-Max-Age", MAX_AGE),
                ("Content-Length", "0"),
            ]
            start_response("204 NO CONTENT", headers)
            return [b""]

        def cors_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, with_cors(headers, origin), exc_info)

        return self.app(environ, cors_start_response)
