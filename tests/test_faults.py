"""Fault injection: POST / GET / DELETE /_mock/faults, applied in the shared request pipeline."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.faults import DroppedConnection

from .conftest import API_KEY, TWITCH_ID, LiveServer, load

AUTH = {"Authorization": API_KEY}
GAME_KEY = "dev_mockserver_game_key_0000000000000"
ONE = f"/api/identity-provider/{TWITCH_ID}"
JWKS = "/.well-known/jwks.json"  # anonymous: 200 without any set-up


def add_fault(client: FlaskClient, match: dict[str, Any], effect: dict[str, Any], **extra: Any) -> dict[str, Any]:
    response = client.post("/_mock/faults", json={"match": match, "effect": effect, **extra})
    assert response.status_code == 201, response.data
    fault: dict[str, Any] = response.get_json()
    return fault


def create_provider(client: FlaskClient) -> None:
    assert client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("status", "code"),
    [(503, "[SearchIndexUnavailable]"), (504, "[WebhookTransactionException]"), (400, "[invalid]")],
)
def test_a_fusionauth_status_has_the_errors_body(client: FlaskClient, status: int, code: str) -> None:
    create_provider(client)
    add_fault(client, {"method": "GET", "path": ONE}, {"status": status})
    response = client.get(ONE, headers=AUTH)  # strict mode: the faulted answer is not a contract violation
    assert response.status_code == status
    assert response.get_json()["generalErrors"][0]["code"] == code


def test_a_documented_empty_status_stays_empty(client: FlaskClient) -> None:
    add_fault(client, {"path": ONE}, {"status": 500})
    response = client.get(ONE, headers=AUTH)
    assert response.status_code == 500 and response.data == b""


@pytest.mark.parametrize(("status", "code"), [(429, "too_many_requests"), (503, "service_unavailable")])
def test_a_lootlocker_status_has_its_error_body_and_retry_after(client: FlaskClient, status: int, code: str) -> None:
    add_fault(client, {"path": "/game/v2/session/*"}, {"status": status})
    response = client.post("/game/v2/session/guest", json={"game_key": GAME_KEY})
    assert response.status_code == status and response.headers["Retry-After"] == "1"
    body = response.get_json()
    assert body["code"] == code and body["doc_url"].endswith(f"#{code}")
    assert {"request_id", "trace_id", "message"} <= set(body)
    assert "lootlocker.players" not in client.get("/_mock/state").get_json()  # the sign-in did not run


def test_lootlocker_500(client: FlaskClient) -> None:
    add_fault(client, {"path": "/game/ping"}, {"status": 500})
    response = client.get("/game/ping")
    assert response.status_code == 500 and response.get_json()["code"] == "internal_server_error"


def test_times_counts_matching_requests_then_the_fault_disappears(client: FlaskClient) -> None:
    fault = add_fault(client, {"path": JWKS}, {"status": 503}, times=2)
    assert (fault["times"], fault["remaining"], fault["hits"]) == (2, 2, 0)
    assert client.get(JWKS).status_code == 503
    [listed] = client.get("/_mock/faults").get_json()["faults"]
    assert (listed["id"], listed["remaining"], listed["hits"]) == (fault["id"], 1, 1)
    assert client.get(JWKS).status_code == 503
    assert client.get(JWKS).status_code == 200
    assert client.get("/_mock/faults").get_json() == {"faults": []}
    entries = client.get("/_mock/requests", query_string={"path": JWKS}).get_json()["requests"]
    statuses = [(e["response"]["status"], e["fault"]) for e in entries]
    assert statuses == [
        (200, None),
        (503, {"id": fault["id"], "effect": "status", "delayMs": 0}),
        (503, {"id": fault["id"], "effect": "status", "delayMs": 0}),
    ]


def test_without_times_a_fault_stays_until_removed(client: FlaskClient) -> None:
    fault = add_fault(client, {"path": JWKS}, {"status": 503})
    for _ in range(3):
        assert client.get(JWKS).status_code == 503
    assert client.delete(f"/_mock/faults/{fault['id']}").get_json()["hits"] == 3
    assert client.get(JWKS).status_code == 200
    response = client.delete(f"/_mock/faults/{fault['id']}")
    assert response.status_code == 404 and "error" in response.get_json()


def test_match_by_method_path_glob_and_header(client: FlaskClient) -> None:
    create_provider(client)
    add_fault(
        client,
        {"method": "get", "path": "/api/identity-provider/*", "header": {"name": "x-test", "value": "b*"}},
        {"status": 503},
    )
    assert client.get(ONE, headers={**AUTH, "X-Test": "bad"}).status_code == 503
    assert client.get(ONE, headers={**AUTH, "X-Test": "good"}).status_code == 200  # header value differs
    assert client.get(ONE, headers=AUTH).status_code == 200  # no header
    assert client.get("/api/identity-provider", headers={**AUTH, "X-Test": "bad"}).status_code == 200  # path
    patch = {"identityProvider": {"debug": True}}
    assert client.patch(ONE, json=patch, headers={**AUTH, "X-Test": "bad"}).status_code == 200  # method
    add_fault(client, {"path": JWKS, "header": {"name": "X-Present"}}, {"status": 500})
    assert client.get(JWKS).status_code == 200
    assert client.get(JWKS, headers={"X-Present": ""}).status_code == 500


def test_the_newest_matching_fault_wins(client: FlaskClient) -> None:
    add_fault(client, {"path": "/.well-known/*"}, {"status": 500})
    newest = add_fault(client, {"path": JWKS}, {"status": 503}, times=1)
    assert client.get("/_mock/faults").get_json()["faults"][0]["id"] == newest["id"]
    assert client.get(JWKS).status_code == 503
    assert client.get(JWKS).status_code == 500


def test_the_control_plane_is_never_faulted(client: FlaskClient) -> None:
    add_fault(client, {"path": "*"}, {"drop": True})
    assert client.get("/_mock/health").status_code == 200
    assert client.delete("/_mock/faults").get_json() == {"deleted": 1}
    assert client.get(JWKS).status_code == 200


def test_reset_removes_every_fault(client: FlaskClient) -> None:
    add_fault(client, {"path": JWKS}, {"status": 503})
    client.post("/_mock/reset")
    assert client.get("/_mock/faults").get_json() == {"faults": []}
    assert client.get(JWKS).status_code == 200


def test_a_fixed_delay(client: FlaskClient) -> None:
    add_fault(client, {"path": JWKS}, {"delay_ms": 150}, times=1)
    started = time.perf_counter()
    assert client.get(JWKS).status_code == 200  # the normal answer, late
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    client.get(JWKS)
    assert time.perf_counter() - started < 0.15


def random_delays(seed: int | None, hits: int = 6) -> list[float]:
    client = create_app(Config(strict=True, seed=seed)).test_client()
    add_fault(client, {"path": JWKS}, {"delay_ms": {"min": 1, "max": 30}})
    for _ in range(hits):
        client.get(JWKS)
    entries = client.get("/_mock/requests", query_string={"path": JWKS}).get_json()["requests"]
    return [e["fault"]["delayMs"] for e in reversed(entries)]


def test_random_delays_are_uniform_and_reproducible_with_a_seed() -> None:
    first = random_delays(seed=42)
    assert all(1 <= d <= 30 for d in first) and len(set(first)) == len(first)
    assert random_delays(seed=42) == first
    assert random_delays(seed=43) != first
    assert random_delays(seed=None) != first


def test_drop_does_not_run_the_operation(client: FlaskClient) -> None:
    add_fault(client, {"method": "POST", "path": "/api/identity-provider"}, {"drop": True}, times=1)
    with pytest.raises(DroppedConnection):  # the test client reads the first chunk at once
        client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH)
    assert client.get(ONE, headers=AUTH).status_code == 404
    [entry] = client.get("/_mock/requests?method=POST&path=/api/*").get_json()["requests"]
    assert entry["response"]["status"] == 0 and entry["fault"]["effect"] == "drop"


def test_truncate_runs_the_operation_and_cuts_the_body(client: FlaskClient) -> None:
    add_fault(client, {"path": "/api/identity-provider"}, {"truncate": True}, times=1)
    response = client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH)
    announced = int(response.headers["Content-Length"])
    chunks: list[bytes | str] = []
    with pytest.raises(DroppedConnection):
        for chunk in response.response:
            chunks.append(chunk)
    assert 0 < sum(map(len, chunks)) < announced
    assert client.get(ONE, headers=AUTH).status_code == 200  # the write happened; only its answer was lost


def test_malformed_runs_the_operation_and_spoils_the_body(client: FlaskClient) -> None:
    add_fault(client, {"path": "/api/identity-provider"}, {"malformed": True}, times=1)
    response = client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH)
    assert response.status_code == 200 and response.content_type == "application/json"
    with pytest.raises(ValueError):
        json.loads(response.data)
    assert client.get(ONE, headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"match": {"path": "/x"}, "effect": {"status": 503, "drop": True}},  # two outcomes
        {"match": {"path": "/x"}, "effect": {"delay_ms": {"min": 50, "max": 10}}},
        {"match": {"path": "/x"}, "effect": {}},
        {"match": {"path": "/x"}, "effect": {"status": 302}},
        {"match": {"path": "/x"}, "effect": {"drop": False}},
        {"match": {"path": "/x"}, "effect": {"explode": True}},
        {"match": {"path": ""}, "effect": {"status": 500}},
        {"match": {"method": "GET"}, "effect": {"status": 500}},
        {"match": {"path": "/x"}, "effect": {"status": 500}, "times": 0},
        {"effect": {"status": 500}},
        [],
    ],
)
def test_bad_faults_are_400(client: FlaskClient, body: Any) -> None:
    response = client.post("/_mock/faults", json=body)
    assert response.status_code == 400 and "error" in response.get_json()
    assert client.get("/_mock/faults").get_json() == {"faults": []}


# -- through a real server: transport effects and several workers ---------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer("--workers", "2").start()
    yield live
    live.stop()


def test_live_drop_and_truncate_break_the_connection(server: LiveServer) -> None:
    requests.post(f"{server.url}/_mock/reset", timeout=5)
    faults = f"{server.url}/_mock/faults"
    requests.post(faults, json={"match": {"path": JWKS}, "effect": {"drop": True}, "times": 1}, timeout=5)
    # The drop reaches the client before or after the headers: no answer at all, or headers then nothing.
    dropped = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
    with pytest.raises(dropped):
        requests.get(f"{server.url}{JWKS}", timeout=5)
    requests.post(faults, json={"match": {"path": JWKS}, "effect": {"truncate": True}, "times": 1}, timeout=5)
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        requests.get(f"{server.url}{JWKS}", timeout=5)
    assert requests.get(f"{server.url}{JWKS}", timeout=5).status_code == 200


def test_live_times_is_shared_by_the_workers(server: LiveServer) -> None:
    requests.post(f"{server.url}/_mock/reset", timeout=5)
    body: dict[str, Any] = {"match": {"path": JWKS}, "effect": {"status": 503}, "times": 5}
    assert requests.post(f"{server.url}/_mock/faults", json=body, timeout=5).status_code == 201
    statuses: list[int] = []

    def ping() -> None:
        for _ in range(5):  # a new connection per request spreads them over the workers
            statuses.append(requests.get(f"{server.url}{JWKS}", timeout=5).status_code)

    threads = [threading.Thread(target=ping) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 15 + [503] * 5


@pytest.mark.parametrize("threads", [1, 2])
def test_live_a_delayed_request_holds_up_its_worker_only_with_one_thread(threads: int) -> None:
    server = LiveServer("--workers", "1", "--threads", str(threads)).start()
    try:
        body = {"match": {"path": JWKS}, "effect": {"delay_ms": 1500}, "times": 1}
        assert requests.post(f"{server.url}/_mock/faults", json=body, timeout=5).status_code == 201
        delayed = threading.Thread(target=lambda: requests.get(f"{server.url}{JWKS}", timeout=10))
        delayed.start()
        time.sleep(0.3)  # the delayed request is being served
        began = time.monotonic()
        assert requests.get(f"{server.url}/_mock/health", timeout=10).status_code == 200
        waited = time.monotonic() - began
        delayed.join()
    finally:
        server.stop()
    assert (waited > 0.8) if threads == 1 else (waited < 0.8)


def test_a_worker_sees_another_workers_new_fault_and_queries_nothing_meanwhile(tmp_path) -> None:
    from mockserver.faults import Faults
    from mockserver.store import Store

    path = str(tmp_path / "s.sqlite3")
    mine, other = Faults(Store(path)), Faults(Store(path))  # two worker processes
    assert not mine.defined()
    queries: list[str] = []
    mine.store._conn().set_trace_callback(queries.append)
    assert not mine.defined()
    assert queries == []  # nothing changed: no query
    other.add({"match": {"method": "GET", "path": "/api/user"}, "effect": {"status": 503}})
    assert mine.defined()
    assert queries  # the generation moved: version read, faults reloaded
    with other.store.write() as tx:
        from mockserver.faults import clear

        clear(tx)
    assert not mine.defined()
