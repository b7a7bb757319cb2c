"""dispatch.py: vendor operations run without Flask's request machinery, and are routed exactly as Flask would."""

from __future__ import annotations

import gc
import itertools
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from mockserver.dispatch import Dispatcher
from mockserver.routing import ROUTES, Route

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
