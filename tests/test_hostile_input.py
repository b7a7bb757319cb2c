"""Hostile input: thousands of malformed requests to every route of the three OpenAPI documents.

Every answer must be below 500 (strict mode is on, so a response that breaks the mock's own contract is a
500 too), in the vendor's error format when it is an error (FusionAuth: Errors or empty; LootLocker: its
error JSON; control plane: {"error"}), and valid JSON when it has a body (no NaN). Afterwards the mock still
answers correctly. No `Prefer` header is sent (it forces statuses, 5xx included, on purpose).

Part of the cases are fixed (the classics: broken JSON, wrong types, huge and deeply nested bodies, invalid
UTF-8, odd methods and headers); the rest come from hypothesis, guided by each operation's schema (its
property names with values of any type), with a bounded number of examples. A last test speaks raw HTTP to
a real server, for what a test client cannot send (bytes that are not UTF-8 in the request line and headers).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.openapi import Operation, Spec, specs

from .conftest import API_KEY, TENANT_ID, LiveServer, load

GAME_KEY = "dev_mockserver_game_key_0000000000000"
DOMAIN_KEY = "mockserverdev"
LIMIT = 1024 * 1024  # MOCKSERVER_MAX_BODY_BYTES default
ODD_METHODS = ("PROPFIND", "FOO", "TRACE", "CONNECT", "OPTIONS")
ERROR_KEYS_LOOTLOCKER = {"request_id", "trace_id", "code", "doc_url", "message"}


def _all_operations() -> list[tuple[str, Operation]]:
    loaded = specs()
    documents: list[tuple[str, Spec]] = [("fusionauth", loaded.fusionauth), ("lootlocker", loaded.lootlocker)]
    documents.append(("mock", loaded.mock))
    return [(api, op) for api, spec in documents for op in spec.operations.values()]


OPERATIONS = _all_operations()


def _strict_json(data: bytes) -> Any:
    def reject(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(data, parse_constant=reject)


def check(api: str, method: str, path: str, status: int, data: bytes, content_type: str | None) -> None:
    """The answer is no 5xx, valid JSON if it has a body, and in the vendor's error format if an error."""
    where = f"{method} {path} → {status} {data[:300]!r}"
    assert status < 500, where
    if data and content_type is not None and content_type.startswith(("text/html", "text/css")):
        return  # a page (the hosted pages, their OAuth error page, the mock Twitch page): no JSON to check
    body = _strict_json(data) if data else None
    if data:
        assert content_type is not None and content_type.startswith("application/json"), where
    if status < 400 or method == "HEAD":
        return
    if api == "mock":
        assert isinstance(body, dict) and isinstance(body.get("error"), str), where
    elif api == "lootlocker":
        assert isinstance(body, dict) and set(body) >= ERROR_KEYS_LOOTLOCKER, where
        assert body["doc_url"].endswith("#" + body["code"]), where
    elif body is not None and path.startswith("/oauth2/") and "error" in body:
        # FusionAuth's OAuth endpoints answer RFC 6749's error object (+ error_reason).
        assert isinstance(body["error"], str) and set(body) <= {"error", "error_reason", "error_description"}, where
    elif body is not None:  # FusionAuth: an Errors body or nothing
        assert isinstance(body, dict) and body and set(body) <= {"fieldErrors", "generalErrors"}, where


@dataclass
class Target:
    """The app under attack and credentials that get requests past authentication."""

    app: Flask
    client: FlaskClient
    user_id: str
    provider_id: str
    session_token: str = ""

    def new_session(self) -> None:
        """A fresh LootLocker session (a hostile request may have ended the previous one)."""
        response = self.client.post("/game/v2/session/guest", json={"game_key": GAME_KEY})
        assert response.status_code == 200
        self.session_token = str(response.get_json()["session_token"])

    def headers(self, api: str) -> dict[str, str]:
        if api == "fusionauth":
            return {"Authorization": API_KEY}
        if api == "lootlocker":
            return {"x-session-token": self.session_token, "domain-key": DOMAIN_KEY}
        return {}

    def send(
        self,
        api: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        query: str = "",
    ) -> None:
        all_headers = {**self.headers(api), **(headers or {})}
        if body is not None and not any(h.lower() == "content-type" for h in all_headers):
            all_headers["Content-Type"] = "application/json"
        url = f"{path}?{query}" if query else path
        response = self.client.open(url, method=method, data=body, headers=all_headers)
        check(api, method, url, response.status_code, response.get_data(), response.headers.get("Content-Type"))
        if path == "/_mock/faults" and response.status_code == 201:
            self.client.delete("/_mock/faults")  # a hostile body that happens to be a valid fault: drop it

    def path(self, operation: Operation, value: str | None = None) -> str:
        """The operation's path with its parameters filled: real ids by default, `value` (quoted) if given."""
        real = {
            "identityProviderId": self.provider_id,
            "userId": self.user_id,
            "provider": "google",
            "player_id": "1",
        }
        path = operation.path
        for param in operation.parameters:
            if param.location == "path":
                filler = quote(value, safe="%") if value is not None else real.get(param.name, "x")
                path = path.replace("{" + param.name + "}", filler)
        return path


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    app = create_app(Config(strict=True, journal_size=50))
    client = app.test_client()
    auth = {"Authorization": API_KEY}
    provider = client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=auth)
    assert provider.status_code == 200
    user = client.post(
        "/api/user",
        json={"user": {"email": "victim@example.com", "password": "password-123"}},
        headers={**auth, "X-FusionAuth-TenantId": TENANT_ID},
    )
    assert user.status_code == 200
    yield Target(app, client, user.get_json()["user"]["id"], provider.get_json()["identityProvider"]["id"])


# -- fixed cases -----------------------------------------------------------------------------------------
def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


BROKEN_BODIES: list[bytes] = [
    b"{",
    b'{"a":',
    b"[1, 2",
    b"nul",
    b"{'single': 'quotes'}",
    b'{"a": 1,}',
    b'{"a": 1}{"b": 2}',
    b"\xff\xfe\x00{",
    b'{"a": "\xff\xfe"}',  # invalid UTF-8 inside a string
    b'{"a": "\xc0\xaf"}',  # overlong encoding
    b'\xef\xbb\xbf{"a": 1}',  # a BOM
    b'"\\ud800"',
    b"[" * 100_000,  # deeper than any recursion limit
    _nested(100_000),
    b"\x00" * 1000,
]
WRONG_TYPES: list[Any] = [None, True, 0, -1, 1.5, 10**40, "", "x" * 10_000, [], [None], {}, {"": None}]
SPECIAL_JSON: list[bytes] = [b"NaN", b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}', b'{"a": 1e400}']


def _named_values(operation: Operation) -> list[str]:
    """Top-level property names of the operation's request body (FusionAuth wraps: identityProvider, user...)."""
    names: set[str] = set()
    loaded = specs()
    for check_ in operation.bodies.values():
        _, schema = loaded.resources.follow(check_.uri)
        if isinstance(schema, dict):
            names.update(schema.get("properties", {}))
    return sorted(names)


def _bodies_for(operation: Operation) -> list[bytes]:
    bodies = list(BROKEN_BODIES) + list(SPECIAL_JSON)
    bodies += [json.dumps(value).encode() for value in WRONG_TYPES]
    for name in _named_values(operation):
        bodies += [json.dumps({name: value}).encode() for value in WRONG_TYPES]
        bodies.append(
            json.dumps({name: {"x": 1, "id": "\ud800", "email": "\udfff@x", "password": "\ud800" * 9}}).encode()
        )
        bodies.append(b'{"' + name.encode() + b'": ' + _nested(900) + b"}")  # deep, but within json's limits
        bodies.append(b'{"' + name.encode() + b'": NaN}')
    return bodies


@pytest.mark.parametrize(("api", "operation"), OPERATIONS, ids=[op.operation_id for _, op in OPERATIONS])
def test_malformed_requests_to_every_operation(target: Target, api: str, operation: Operation) -> None:
    target.new_session()
    path = target.path(operation)
    # Bodies: broken JSON, wrong types, huge, deeply nested, invalid UTF-8, NaN.
    for body in _bodies_for(operation):
        target.send(api, operation.method, path, body)
    target.send(api, operation.method, path, b'{"a": "' + b"x" * (LIMIT + 10) + b'"}')  # too large
    target.send(api, operation.method, path, json.dumps(["x" * 100] * 9000).encode())  # large, allowed
    # Content types.
    for content_type in (
        "text/plain",
        "application/xml",
        "",
        "application/json; charset=utf-16",
        "*/*",
        "multipart/form-data; boundary=x",
    ):
        target.send(api, operation.method, path, b'{"a": 1}', {"Content-Type": content_type})
    # Path parameters, query strings and headers.
    for value in (
        "%ff%fe",
        "x" * 5000,
        "..",
        "%00",
        "é",
        " ",
        "null",
        "-1",
        "1e999",
        "00000000-0000-0000-0000-00000000000g",
    ):
        if "{" in operation.path:
            target.send(api, operation.method, target.path(operation, value))
        target.send(api, operation.method, path, query=f"{quote(value, safe='%')}={quote(value, safe='%')}")
        for param in operation.parameters:
            if param.location == "query":
                target.send(api, operation.method, path, query=f"{param.name}={quote(value, safe='%')}&{param.name}=2")
    for headers in (
        {"Authorization": "\xff\xfe"},
        {"Authorization": "Bearer " + "x" * 8000},
        {"X-FusionAuth-TenantId": "\xff"},
        {"X-FusionAuth-TenantId": TENANT_ID + ", " + TENANT_ID},
        {"x-session-token": "\x00\xff"},
        {"domain-key": "ÿ" * 300},
        {"Content-Length": "0"},
        {"Accept": "application/xml"},
        {"X-Forwarded-For": "\xff, not-an-ip, ::::"},
        {"Cookie": "refresh_token=\xff; access_token="},
    ):
        target.send(api, operation.method, path, b"{}" if operation.bodies else None, headers)
    # Methods the operation's path does not serve.
    for method in (*ODD_METHODS, "HEAD", "PATCH", "DELETE", "PUT"):
        if method != operation.method:
            target.send(api, method, path, b"{}")


# -- generated cases -------------------------------------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
HEADER_NAMES = st.sampled_from(
    [
        "Authorization",
        "X-FusionAuth-TenantId",
        "x-session-token",
        "domain-key",
        "Content-Type",
        "X-Forwarded-For",
        "Cookie",
        "Accept",
    ]
)
HEADER_VALUES = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60)


@st.composite
def hostile_request(draw: st.DrawFn) -> tuple[str, Operation, bytes | None, dict[str, str]]:
    api, operation = draw(st.sampled_from(OPERATIONS))
    names = _named_values(operation)
    shape = draw(st.sampled_from(["any", "named", "nested", "bytes"]))
    body: bytes | None
    if shape == "any":
        body = json.dumps(draw(JSON_VALUES)).encode()
    elif shape == "bytes":
        body = draw(st.binary(max_size=200))
    else:
        keys = st.sampled_from(names) if names else st.text(max_size=10)
        value = draw(st.dictionaries(keys, JSON_VALUES, min_size=1, max_size=4))
        if shape == "nested" and names:
            inner = draw(
                st.dictionaries(
                    st.sampled_from(["id", "email", "name", "type", "password", "data", "code", "token"]),
                    JSON_VALUES,
                    max_size=5,
                )
            )
            value = {draw(st.sampled_from(names)): inner}
        body = json.dumps(value).encode()
    headers = draw(st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=3))
    return api, operation, body, headers


@settings(
    max_examples=800, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(request=hostile_request())
def test_generated_hostile_requests(
    target: Target, request: tuple[str, Operation, bytes | None, dict[str, str]]
) -> None:
    api, operation, body, headers = request
    if not target.session_token or operation.operation_id == "endSession":
        target.new_session()
    target.send(api, operation.method, target.path(operation), body, headers)


def test_the_mock_still_answers_correctly_afterwards(target: Target) -> None:
    client, auth = target.client, {"Authorization": API_KEY}
    assert client.get("/_mock/health").get_json() == {"status": "ok"}
    assert client.post("/_mock/reset").status_code == 200
    created = client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=auth)
    assert created.status_code == 200
    provider = created.get_json()["identityProvider"]
    assert client.get(f"/api/identity-provider/{provider['id']}", headers=auth).get_json() == {
        "identityProvider": provider
    }
    session = client.post("/game/v2/session/guest", json={"game_key": GAME_KEY})
    assert session.status_code == 200
    token = session.get_json()["session_token"]
    assert client.get("/game/v1/connected-accounts", headers={"x-session-token": token}).status_code == 200
    assert client.get("/_mock/requests?limit=1").status_code == 200


# -- raw HTTP against a real server ----------------------------------------------------------------------
def _raw(url_port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", url_port), timeout=10) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


JSON = b"Content-Type: application/json\r\n"
RAW_REQUESTS: list[bytes] = [
    b"GET /api/identity-provider/\xff\xfe HTTP/1.1\r\nHost: x\r\nAuthorization: " + API_KEY.encode() + b"\r\n\r\n",
    b"GET /api/user?email=\xff@x HTTP/1.1\r\nHost: x\r\nAuthorization: " + API_KEY.encode() + b"\r\n\r\n",
    b"GET /api/identity-provider HTTP/1.1\r\nHost: x\r\nAuthorization: \xff\xfe\x80\r\n\r\n",
    b"GET /api/identity-provider HTTP/1.1\r\nHost: x\r\nAuthorization: "
    + API_KEY.encode()
    + b"\r\nX-FusionAuth-TenantId: \xc3\x28\r\n\r\n",
    b"GET /game/v1/connected-accounts HTTP/1.1\r\nHost: x\r\nx-session-token: \xff\r\n\r\n",
    b"POST /game/v2/session/guest HTTP/1.1\r\nHost: x\r\n" + JSON + b'Content-Length: 10\r\n\r\n{"a":\xff\xfe}xx',
    b"POST /game/v2/session/guest HTTP/1.1\r\nHost: x\r\n"
    + JSON
    + b'Transfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n0\r\n\r\n',
    b"FOO /api/identity-provider HTTP/1.1\r\nHost: x\r\n\r\n",
    b"get /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n",
    b"PROPFIND /game/ping HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /%ff%fe/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /_mock/requests?path=%ff[&status=%ff HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 60_000 + b"\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET /api/identity-provider HTTP/9.9\r\nHost: x\r\n\r\n",
]


def test_raw_http_oddities_against_a_real_server() -> None:
    server = LiveServer().start()
    try:
        answered = 0
        for payload in RAW_REQUESTS:
            answer = _raw(server.port, payload.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n", 1))
            status_line = answer.split(b"\r\n", 1)[0]
            if status_line.startswith(b"HTTP/"):  # the server may also just close a request it cannot parse
                answered += 1
                status = int(status_line.split()[1])
                assert status < 500, (payload[:80], answer[:300])
        assert answered >= len(RAW_REQUESTS) - 3
        health = _raw(server.port, b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert health.startswith(b"HTTP/1.1 200") and health.endswith(b'{"status":"ok"}')
    finally:
        server.stop()
