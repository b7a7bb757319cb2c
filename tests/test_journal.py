"""The request journal: GET / DELETE /_mock/requests."""

from __future__ import annotations

import threading
from typing import Any

import requests
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.clock import now_ms
from mockserver.config import Config
from mockserver.journal import BODY_LIMIT, ENTRIES
from mockserver.store import Store

from .conftest import API_KEY, TWITCH_ID, LiveServer, load

AUTH = {"Authorization": API_KEY}
GAME_KEY = "dev_mockserver_game_key_0000000000000"


def journal(client: FlaskClient, **query: Any) -> list[dict[str, Any]]:
    response = client.get("/_mock/requests", query_string=query)
    assert response.status_code == 200, response.data
    entries: list[dict[str, Any]] = response.get_json()["requests"]
    return entries


def test_every_exchange_is_recorded_newest_first(client: FlaskClient) -> None:
    body = load("seed_twitch_request.json")
    assert client.post("/api/identity-provider?x=1&x=2", json=body, headers=AUTH).status_code == 200
    assert client.post("/game/v2/session/guest", json={"game_key": GAME_KEY}).status_code == 200
    assert client.get("/_mock/health").status_code == 200
    assert client.get("/nowhere", headers={"X-Trace": "abc"}).status_code == 404
    journal(client)  # reading the journal is not recorded

    entries = journal(client)
    assert [(e["request"]["method"], e["request"]["path"], e["response"]["status"]) for e in entries] == [
        ("GET", "/nowhere", 404),
        ("GET", "/_mock/health", 200),
        ("POST", "/game/v2/session/guest", 200),
        ("POST", "/api/identity-provider", 200),
    ]
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    unknown, health, guest, created = entries
    assert unknown["operationId"] is None and unknown["request"]["headers"]["X-Trace"] == "abc"
    assert health["operationId"] == "mockHealth" and guest["operationId"] == "guestSession"

    request = created["request"]
    assert request["url"] == "/api/identity-provider?x=1&x=2" and request["query"] == {"x": ["1", "2"]}
    assert request["headers"]["Authorization"] == API_KEY
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["body"] is not None and '"identityProvider"' in request["body"]
    assert request["bodySize"] == len(request["body"].encode()) and request["bodyTruncated"] is False
    response = created["response"]
    assert response["headers"]["Content-Type"] == "application/json"
    assert response["body"] is not None and TWITCH_ID in response["body"]
    assert created["durationMs"] > 0 and created["fault"] is None
    assert abs(created["instant"] - now_ms()) < 60_000


def test_filters(client: FlaskClient) -> None:
    client.get(f"/api/identity-provider/{TWITCH_ID}", headers=AUTH)  # 404: none yet
    first = journal(client)[0]
    client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH)
    client.get(f"/api/identity-provider/{TWITCH_ID}", headers=AUTH)
    client.get("/api/identity-provider", headers=AUTH)
    client.get("/.well-known/jwks.json")

    def paths(**query: Any) -> list[tuple[str, str, int]]:
        return [
            (e["request"]["method"], e["request"]["path"], e["response"]["status"]) for e in journal(client, **query)
        ]

    one = f"/api/identity-provider/{TWITCH_ID}"
    assert paths(method="post") == [("POST", "/api/identity-provider", 200)]
    assert paths(path=one) == [("GET", one, 200), ("GET", one, 404)]
    assert paths(path="/api/*") == [
        ("GET", "/api/identity-provider", 200),
        ("GET", one, 200),
        ("POST", "/api/identity-provider", 200),
        ("GET", one, 404),
    ]
    assert paths(path="/api/identity-provider/?*") == [("GET", one, 200), ("GET", one, 404)]
    assert paths(status=404, path="/api/*") == [("GET", one, 404)]
    assert paths(method="GET", path="/api/*", limit=1) == [("GET", "/api/identity-provider", 200)]
    assert len(journal(client, since=first["instant"])) == 5
    assert journal(client, since=now_ms() + 60_000) == []


def test_bad_filters_are_control_errors(client: FlaskClient) -> None:
    for query in ({"status": "abc"}, {"since": "yesterday"}, {"limit": "0"}):
        response = client.get("/_mock/requests", query_string=query)
        assert response.status_code == 400 and "error" in response.get_json()


def test_bodies_are_text_cut_at_the_limit(client: FlaskClient) -> None:
    big = b'{"identityProvider": {"name": "' + b"x" * (BODY_LIMIT * 2) + b'"}}'
    client.post("/api/identity-provider", data=big, headers={**AUTH, "Content-Type": "application/json"})
    client.post("/_mock/identities", data=b'{"provider": "\xff\xfe"}', content_type="application/json")
    broken, large = journal(client)
    assert large["request"]["bodySize"] == len(big) and large["request"]["bodyTruncated"] is True
    assert len(large["request"]["body"].encode()) == BODY_LIMIT
    assert broken["request"]["body"] == '{"provider": "\ufffd\ufffd"}' and broken["response"]["status"] == 400


def test_delete_and_reset_empty_it(client: FlaskClient) -> None:
    client.get("/_mock/health")
    client.get("/_mock/health")
    assert client.delete("/_mock/requests").get_json() == {"deleted": 2}
    assert journal(client) == []
    client.get("/_mock/health")
    client.post("/_mock/reset")
    assert [e["request"]["path"] for e in journal(client)] == ["/_mock/reset"]


def test_the_journal_keeps_the_newest_entries_only(tmp_path: Any) -> None:
    state = str(tmp_path / "state.sqlite3")
    client = create_app(Config(strict=True, journal_size=10, state_path=state)).test_client()
    for i in range(57):
        client.get(f"/.well-known/jwks.json?i={i}")
        if i % 7 == 0:
            journal(client)  # a read writes what is queued: several batches
    entries = journal(client)
    assert [e["request"]["query"]["i"] for e in entries] == [[str(i)] for i in range(56, 46, -1)]
    stored = Store(f"{state}.requests").read().count(ENTRIES)  # each batch deletes what fell out of the window
    assert stored == 10
    assert client.delete("/_mock/requests").get_json() == {"deleted": 10}


def test_size_zero_turns_the_journal_off() -> None:
    client = create_app(Config(strict=True, journal_size=0)).test_client()
    client.get("/.well-known/jwks.json")
    assert journal(client) == []


def test_workers_share_one_journal() -> None:
    server = LiveServer("--workers", "2", "--journal-size", "500").start()
    jwks, journal_url = f"{server.url}/.well-known/jwks.json", f"{server.url}/_mock/requests"
    try:

        def send(worker: int) -> None:
            for i in range(10):  # a new connection per request spreads them over the workers
                requests.get(jwks, params={"n": f"{worker}-{i}"}, timeout=5)

        threads = [threading.Thread(target=send, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        entries = requests.get(journal_url, params={"path": "/.well-known/jwks.json"}, timeout=5).json()["requests"]
        seen = sorted(e["request"]["query"]["n"][0] for e in entries)
        assert seen == sorted(f"{w}-{i}" for w in range(4) for i in range(10))

        # Read right after each request: whichever worker served it, its entry is there already.
        for i in range(20):
            requests.get(jwks, params={"m": str(i)}, timeout=5)
            latest = requests.get(journal_url, params={"path": "/.well-known/jwks.json", "limit": 1}, timeout=5)
            assert latest.json()["requests"][0]["request"]["query"] == {"m": [str(i)]}
    finally:
        server.stop()


def test_entries_are_written_only_when_the_journal_is_read(tmp_path: Any) -> None:
    # Serving never touches the journal's database: a worker writes its queue when someone reads.
    state = str(tmp_path / "state.sqlite3")
    client = create_app(Config(strict=True, journal_size=5, state_path=state)).test_client()
    for i in range(20):
        client.get(f"/.well-known/jwks.json?i={i}")
    assert Store(f"{state}.requests").read().count(ENTRIES) == 0
    entries = journal(client)  # the queue kept the newest 5 only
    assert [e["request"]["query"]["i"] for e in entries] == [[str(i)] for i in range(19, 14, -1)]
