"""dispatch.py: vendor operations run without Flask's request machinery, and are routed exactly as Flask would."""

from __future__ import annotations

import gc
import itertools
import json
import re

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder

from mockserver import jsontext
from mockserver.dispatch import Dispatcher
from mockserver.routing import NO_BODY, ROUTES, Reply, Route, encode

from .conftest import API_KEY, TWITCH_ID

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
UUID = "9418c942-b625-4902-81d5-dbbe4012f311"


def _dispatcher(app: Flask) -> Dispatcher:
    dispatcher = app.wsgi_app
    assert isinstance(dispatcher, Dispatcher)
    return dispatcher


def _flask_match(app: Flask, method: str, path: str) -> tuple[str, dict[str, str]] | None:
    try:
        return app.url_map.bind("localhost").match(path, method)
    except HTTPException:
        return None


def _paths(routes: list[Route]) -> set[str]:
    """A path for every rule, with parameters filled by a UUID and by every literal segment of any rule
    (so that `/api/user/verify-email` is tried against `/api/user/<userId>`, and so on)."""
    literals = {seg for r in routes for seg in r.rule.split("/") if seg and "<" not in seg} | {"x", UUID}
    paths: set[str] = set()
    for route in routes:
        slots = re.findall(r"<[^>]+>", route.rule)
        for fill in itertools.islice(itertools.product(sorted(literals), repeat=len(slots)), 400):
            path = route.rule
            for value in fill:
                path = re.sub(r"<[^>]+>", value, path, count=1)
            paths.add(path)
        paths.add(re.sub(r"<[^>]+>", UUID, route.rule))
    return paths


def test_every_vendor_operation_is_dispatched_directly(app: Flask) -> None:
    dispatcher = _dispatcher(app)
    routes = [r for r in app.extensions[ROUTES] if not r.rule.startswith("/_mock/")]
    assert len(routes) > 60  # FusionAuth's and LootLocker's operations
    assert dispatcher.match("GET", "/_mock/health") is None  # the control plane stays on Flask
    for route in routes:
        path = re.sub(r"<[^>]+>", UUID, route.rule)
        found = dispatcher.match(route.operation.method, path)
        assert found is not None, route.rule
        assert found[0].operation.operation_id == _flask_match(app, route.operation.method, path)[0]


def test_whenever_the_dispatcher_decides_it_decides_as_flask(app: Flask) -> None:
    dispatcher = _dispatcher(app)
    decided = 0
    for path, method in itertools.product(sorted(_paths(app.extensions[ROUTES])), METHODS):
        ours = dispatcher.match(method, path)
        if ours is None:
            continue  # left to Flask
        decided += 1
        route, parameters = ours
        assert (route.operation.operation_id, parameters) == _flask_match(app, method, path), (method, path)
    assert decided > 100


def test_vendor_requests_skip_flask_and_the_rest_go_through_it(app: Flask, client: FlaskClient) -> None:
    through_flask: list[str] = []
    app.before_request(lambda: through_flask.append("x") and None)
    assert client.get(f"/api/identity-provider/{TWITCH_ID}", headers={"Authorization": API_KEY}).status_code in (
        200,
        404,
    )
    assert client.get("/game/v1/connected-accounts").status_code == 401
    assert through_flask == []
    client.get("/_mock/health")
    client.get("/api/no-such-thing")
    client.open(f"/api/identity-provider/{TWITCH_ID}", method="HEAD", headers={"Authorization": API_KEY})
    assert len(through_flask) == 3


def test_with_a_fault_defined_requests_go_through_flask(app: Flask, client: FlaskClient) -> None:
    through_flask: list[str] = []
    app.before_request(lambda: through_flask.append("x") and None)
    fault = {"match": {"method": "GET", "path": "/game/v1/player/info"}, "effect": {"status": 500}}
    assert client.post("/_mock/faults", json=fault).status_code == 201
    through_flask.clear()
    assert client.get("/game/v1/connected-accounts").status_code == 401  # the fault does not match this one
    assert through_flask == ["x"]


def test_a_bug_in_a_handler_is_a_vendor_500_on_the_direct_path(app: Flask, client: FlaskClient) -> None:
    dispatcher = _dispatcher(app)
    route, _ = dispatcher.match("GET", "/game/v1/connected-accounts") or pytest.fail("no route")

    def broken(call: object) -> object:
        raise RuntimeError("a bug")

    index = dispatcher.static[("GET", "/game/v1/connected-accounts")]
    dispatcher.static[("GET", "/game/v1/connected-accounts")] = Route(index.rule, index.operation, broken, index.router)
    session = client.post(
        "/game/v2/session/guest", json={"game_key": _game_key(client), "game_version": "1.0.0.0"}
    ).get_json()
    answer = client.get("/game/v1/connected-accounts", headers={"x-session-token": session["session_token"]})
    assert answer.status_code == 500
    assert answer.get_json()["code"] == "internal_server_error"  # LootLocker's error body, not Flask's page
    assert route.operation.operation_id == "listConnectedAccounts"


def test_a_body_over_the_limit_is_413_on_the_direct_path() -> None:
    from mockserver.app import create_app
    from mockserver.config import Config

    app = create_app(Config(max_body_bytes=100))
    body = b"{" + b" " * 200 + b"}"
    answer = app.test_client().post("/game/v2/session/guest", data=body, content_type="application/json")
    assert answer.status_code == 413
    assert answer.get_json()["code"] == "request_body_invalid"


def _game_key(client: FlaskClient) -> str:
    state = client.get("/_mock/state").get_json()
    return next(iter(state["lootlocker.games"].values()))["game_key"]


def test_the_worker_app_freezes_its_long_lived_objects(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from mockserver import wsgi

    monkeypatch.setenv("MOCKSERVER_STATE", str(tmp_path / "s.sqlite3"))
    gc.unfreeze()
    try:
        wsgi.app_from_env()
        assert gc.get_freeze_count() > 10_000  # the collector no longer walks them (their full pass: ~28 ms)
    finally:
        gc.unfreeze()


def _werkzeug_render(reply: Reply) -> Response:
    """How routing.render built every response before `encode` (werkzeug's Response and set_cookie)."""
    if reply.body is NO_BODY:
        response = Response(b"", status=reply.status)
        response.headers.pop("Content-Type", None)
    else:
        response = Response(jsontext.dumps_bytes(reply.body), status=reply.status, mimetype="application/json")
    for name, value in reply.headers.items():
        response.headers[name] = value
    for name, value, options in reply.cookies:
        response.set_cookie(name, value, **options)
    return response


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, {"user": {"id": "x", "é": [1, 2.5, None]}}),
        Reply(401),
        Reply(429, {"message": "slow down"}, headers={"Retry-After": "3", "content-type": "application/json"}),
        Reply(503, NO_BODY, headers={"Retry-After": "1"}),
        Reply(
            200,
            {"token": "t"},
            cookies=[
                ("access_token", "a.b.c", {"httponly": True}),
                ("refresh_token", "r", {"httponly": True, "max_age": 30 * 24 * 3600}),
            ],
        ),
    ],
)
def test_encode_sends_what_a_werkzeug_response_sends(reply: Reply) -> None:
    answer = encode(reply)
    reference = _werkzeug_render(reply)
    environ = EnvironBuilder("/").get_environ()
    expected_headers = reference.get_wsgi_headers(environ).to_wsgi_list()
    if any(name == "Set-Cookie" for name, _ in expected_headers):  # Expires is rendered from the clock
        strip = re.compile(r"Expires=[^;]+; ")
        expected_headers = [(n, strip.sub("", v)) for n, v in expected_headers]
        answer.headers = [(n, strip.sub("", v)) for n, v in answer.headers]
    assert (answer.status, answer.headers) == (reference.status_code, expected_headers)
    assert answer.body == reference.get_data()


def _exchange(app: Flask, wsgi_app: object, method: str, path: str, **kwargs: object) -> tuple[str, list, bytes]:
    app.wsgi_app = wsgi_app  # type: ignore[assignment]
    response = app.test_client().open(path, method=method, **kwargs)
    headers = [(k, v) for k, v in response.headers.to_wsgi_list()]
    return response.status, headers, response.get_data()


def test_the_direct_path_answers_byte_for_byte_as_flask(app: Flask) -> None:
    dispatcher = _dispatcher(app)
    guest = {"game_key": _game_key(app.test_client()), "game_version": "1.0.0.0", "player_identifier": "p-1"}
    requests = [
        ("GET", f"/api/identity-provider/{TWITCH_ID}", {"headers": {"Authorization": API_KEY}}),
        ("GET", "/api/identity-provider", {"headers": {"Authorization": API_KEY}}),
        ("GET", "/api/identity-provider", {}),  # 401, no body
        ("POST", "/api/identity-provider/login", {"data": b"{", "content_type": "application/json"}),  # 400
        ("GET", "/game/v1/connected-accounts", {}),  # LootLocker's 401 body
        ("GET", "/game/v1/connected-accounts", {"headers": {"Prefer": "code=429"}}),  # Retry-After
        ("POST", "/game/v2/session/guest", {"json": guest}),
    ]
    for method, path, kwargs in requests:
        direct = _exchange(app, dispatcher, method, path, **kwargs)
        through_flask = _exchange(app, dispatcher.fallback, method, path, **kwargs)
        assert direct[:2] == through_flask[:2] or path == "/game/v2/session/guest", (method, path)
        if path.startswith("/game/"):  # session tokens and LootLocker's error ids are new each time
            assert direct[0] == through_flask[0]
            assert sorted(json.loads(direct[2])) == sorted(json.loads(through_flask[2])), (method, path)
        else:
            assert direct[2] == through_flask[2], (method, path)
