"""State export / import (GET / PUT /_mock/state) and durability of acknowledged writes across `kill -9`, on SQLite
and on PostgreSQL (`state_location`); the tests about SQLite files themselves run on SQLite only."""

from __future__ import annotations

import copy
import json
import os
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mockserver.app import close_app, create_app
from mockserver.config import Config
from mockserver.store import KINDS_KEY

from .conftest import API_KEY, TENANT_ID, TWITCH_ID, LiveServer, load

pytest_plugins = ("tests.pg",)  # pg_url, state_location: the tests taking `client` or `state_location` run on both
AUTH = {"Authorization": API_KEY}
PROVIDERS = "fusionauth.identityProviders"
USERS = "fusionauth.users"


@pytest.fixture
def client(state_location: str) -> Iterator[FlaskClient]:
    app = create_app(Config(strict=True, state_path=state_location))
    yield app.test_client()
    close_app(app)  # before pg_url drops the database: no pool or journal writer left on it


def _connections(pg_url: str) -> int:
    """Sessions on the test's database other than this one's: what a stopped node would have left behind."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def _wait_until_gone(server: LiveServer, state: str) -> None:
    """LiveServer.stop() leaves no process of the node's group and, on PostgreSQL, no session on its database."""
    assert server.process is not None
    deadline = time.monotonic() + 10
    while True:
        try:
            os.killpg(server.process.pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        connections = _connections(state) if state.startswith("postgresql://") else 0
        if not alive and connections == 0:
            return
        assert time.monotonic() < deadline, f"left behind: process group alive {alive}, {connections} PG sessions"
        time.sleep(0.05)


def snapshot(client: FlaskClient) -> dict[str, Any]:
    state: dict[str, Any] = client.get("/_mock/state").get_json()
    return state


def test_a_snapshot_round_trips_and_is_served(client: FlaskClient) -> None:
    assert client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH).status_code == 200
    shared = snapshot(client)
    client.post("/_mock/reset")
    assert client.get(f"/api/identity-provider/{TWITCH_ID}", headers=AUTH).status_code == 404

    response = client.put("/_mock/state", json=shared)
    documents = sum(len(docs) for docs in shared.values())
    assert response.get_json() == {"status": "imported", "collections": len(shared), "documents": documents}
    assert snapshot(client) == shared
    provider = client.get(f"/api/identity-provider/{TWITCH_ID}", headers=AUTH).get_json()["identityProvider"]
    assert provider == shared[PROVIDERS][TWITCH_ID]


def test_an_import_replaces_everything(client: FlaskClient) -> None:
    client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH)
    state = snapshot(client)
    del state[PROVIDERS]
    assert client.put("/_mock/state", json=state).status_code == 200
    assert client.get(f"/api/identity-provider/{TWITCH_ID}", headers=AUTH).status_code == 404


def _bad_states(good: dict[str, Any]) -> list[tuple[str, Any]]:
    def changed(change: Any) -> dict[str, Any]:
        state = copy.deepcopy(good)
        change(state)
        return state

    return [
        ("not an object", [good]),
        ("a collection name without api", changed(lambda s: s.update({"users": {}}))),
        ("a collection that is not an object", changed(lambda s: s.update({"fusionauth.users": []}))),
        ("a document that is not an object", changed(lambda s: s["fusionauth.tenants"].update({"x": 1}))),
        ("no tenants", changed(lambda s: s.pop("fusionauth.tenants"))),
        ("no signing key", changed(lambda s: s.update({"fusionauth.keys": {}}))),
        ("a tenant id that is no uuid", changed(lambda s: s["fusionauth.tenants"][TENANT_ID].update({"id": "x"}))),
        ("a key other than the id", changed(lambda s: s["fusionauth.users"].update({"a": {"id": "b"}}))),
        ("a fixture without a required field", changed(lambda s: s["fusionauth.tenants"][TENANT_ID].pop("name"))),
        (
            "an identity under another key",
            changed(lambda s: s["mock.identities"].update({"twitch:1": {"provider": "twitch", "id": "2"}})),
        ),
    ]


def test_a_bad_document_is_a_400_and_changes_nothing(client: FlaskClient) -> None:
    client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH)
    good = snapshot(client)
    good.setdefault(USERS, {})
    for why, bad in _bad_states(good):
        response = client.put("/_mock/state", json=bad)
        assert response.status_code == 400, why
        assert "error" in response.get_json(), why
        assert snapshot(client) == {k: v for k, v in good.items() if v}, why
    response = client.put("/_mock/state", data="{nope", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "malformed JSON"


# -- kill -9 during a write load ------------------------------------------------------------------------
def _writer(url: str, stop: threading.Event, acknowledged: dict[str, set[str]], kind: str) -> None:
    session = requests.Session()
    while not stop.is_set():
        if kind == "provider":
            new_id = str(uuid.uuid4())
            body = load("seed_twitch_request.json")
            body["identityProvider"]["name"] = f"Twitch {new_id}"
            path = f"/api/identity-provider/{new_id}"
        else:
            new_id = str(uuid.uuid4())
            body = {"user": {"email": f"{new_id}@example.com", "password": "password-123"}, "skipVerification": True}
            path = f"/api/user/{new_id}"
        try:
            headers = AUTH if kind == "provider" else {**AUTH, "X-FusionAuth-TenantId": TENANT_ID}
            response = session.post(f"{url}{path}", json=body, headers=headers, timeout=10)
        except requests.RequestException:
            time.sleep(0.01)  # the server is gone (or going): nothing was acknowledged
            continue
        if response.status_code == 200:
            acknowledged[kind].add(new_id)


def test_every_acknowledged_write_survives_kill_9(state_location: str) -> None:
    state = state_location
    server = LiveServer("--workers", "2", "--state", state).start()
    acknowledged: dict[str, set[str]] = {"provider": set(), "user": set()}
    stop = threading.Event()
    threads = [
        threading.Thread(target=_writer, args=(server.url, stop, acknowledged, kind))
        for kind in ("provider", "user") * 4
    ]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while sum(map(len, acknowledged.values())) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGKILL)  # the server and its workers, mid-write
        server.process.wait(timeout=10)
        time.sleep(0.3)  # let writers see the dead server
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        server.stop()
    assert len(acknowledged["provider"]) > 20 and len(acknowledged["user"]) > 20

    restarted = LiveServer("--workers", "2", "--state", state).start()
    try:
        stored = requests.get(f"{restarted.url}/_mock/state", timeout=10).json()
        assert acknowledged["provider"] <= set(stored.get(PROVIDERS, {}))
        assert acknowledged["user"] <= set(stored.get(USERS, {}))
        some = next(iter(acknowledged["provider"]))
        assert requests.get(f"{restarted.url}/api/identity-provider/{some}", headers=AUTH, timeout=5).status_code == 200
    finally:
        restarted.stop()
    _wait_until_gone(restarted, state)


# SQLite only: on PostgreSQL the journal lives in tables (`requests_…`) of the state's database, there is no file to
# look for (test_fleet.py checks that a fleet's journal shows every node's requests).
@pytest.mark.parametrize("journal_size", ["0", "50"])
def test_the_journal_file_lives_beside_the_state(tmp_path: Path, journal_size: str) -> None:
    state = tmp_path / "state.sqlite3"
    server = LiveServer("--state", str(state), "--journal-size", journal_size).start()
    try:
        requests.get(f"{server.url}/.well-known/jwks.json", timeout=5)
        entries = requests.get(f"{server.url}/_mock/requests", timeout=5).json()["requests"]
    finally:
        server.stop()
    assert (tmp_path / "state.sqlite3.requests").exists()
    assert len(entries) == (0 if journal_size == "0" else 2)  # the health check of start() and the GET


# SQLite only, the next two: they are about state files as older versions of the mock wrote them (made to look so
# with sqlite3); those versions only ever wrote SQLite files, so there is no older PostgreSQL state to read.
def _user_in_an_older_state_file(state: str, user: dict[str, Any], older_sql: str) -> str:
    """Create a user, then make the file look as an older version wrote it: `older_sql` on the users, and
    no layout mark in `meta`. Returns the user's id."""
    client = create_app(Config(strict=True, state_path=state)).test_client()
    created = client.post("/api/user", json={"user": user}, headers={**AUTH, "X-FusionAuth-TenantId": TENANT_ID})
    assert created.status_code == 200, created.data
    with sqlite3.connect(state) as db:
        # Older versions kept every document in `docs`: the kinds' own tables go back into it.
        for (kinds,) in db.execute("SELECT value FROM meta WHERE key = ?", (KINDS_KEY,)).fetchall():
            for kind in json.loads(kinds):
                db.execute(f'INSERT INTO docs (kind, id, body) SELECT ?, id, body FROM "kind:{kind}"', (kind,))
                db.execute(f'DROP TABLE "kind:{kind}"')
        db.execute("DELETE FROM meta WHERE key IN (?, 'derived')", (KINDS_KEY,))
        assert db.execute(older_sql, (USERS,)).rowcount >= 1  # the user is written as that version wrote it
    return str(created.get_json()["user"]["id"])


def test_a_state_file_without_derived_fields_gets_them_at_start(tmp_path: Path) -> None:
    # Users stored before the case-insensitive lookup fields existed are still found by email.
    state = str(tmp_path / "state.sqlite3")
    user_id = _user_in_an_older_state_file(
        state,
        {"email": "Old@Example.com", "password": "password123"},
        "UPDATE docs SET body = json_remove(body, '$._emailKey', '$._usernameKey') WHERE kind = ?",
    )
    restarted = create_app(Config(strict=True, state_path=state)).test_client()
    found = restarted.get("/api/user?email=old@example.com", headers={**AUTH, "X-FusionAuth-TenantId": TENANT_ID})
    assert found.status_code == 200 and found.get_json()["user"]["id"] == user_id


def test_a_state_file_from_before_the_document_marks_keeps_its_big_integers(tmp_path: Path) -> None:
    # Older versions stored a document with an integer beyond 64 bits unmarked (jsontext.STDLIB_MARK): the
    # start rewrites it, so that it is still read exactly and not as orjson's float.
    state = str(tmp_path / "state.sqlite3")
    big = 2**80 + 1
    user_id = _user_in_an_older_state_file(
        state,
        {"email": "big@example.com", "password": "password123", "data": {"big": big}},
        "UPDATE docs SET body = ltrim(body) WHERE kind = ?",
    )
    restarted = create_app(Config(strict=True, state_path=state)).test_client()
    found = restarted.get(f"/api/user/{user_id}", headers={**AUTH, "X-FusionAuth-TenantId": TENANT_ID})
    assert found.status_code == 200
    assert f'"big":{big}' in found.get_data(as_text=True).replace(" ", "")
