"""The /_mock control plane."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from .conftest import TENANT_ID, TWITCH_ID, load


def test_health(client: FlaskClient) -> None:
    response = client.get("/_mock/health")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_state_dump_holds_the_fixtures(client: FlaskClient) -> None:
    state = client.get("/_mock/state").get_json()
    assert TENANT_ID in state["fusionauth.tenants"]
    assert "fusionauth.identityProviders" not in state


def test_reset_returns_to_the_fixtures(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=auth)
    assert TWITCH_ID in client.get("/_mock/state").get_json()["fusionauth.identityProviders"]
    assert client.post("/_mock/reset").get_json() == {"status": "reset"}
    assert "fusionauth.identityProviders" not in client.get("/_mock/state").get_json()
    assert client.get(f"/api/identity-provider/{TWITCH_ID}", headers=auth).status_code == 404


def test_control_plane_errors_are_json(client: FlaskClient) -> None:
    response = client.get("/_mock/nothing-here")
    assert response.status_code == 404 and response.get_json() == {"error": "Not Found"}


def test_imported_api_keys_and_game_keys_replace_the_old_ones_in_every_worker() -> None:
    # Workers keep the API keys and the games in memory (store.Cached): an import must reach each of them.
    import requests

    from .conftest import API_KEY, LiveServer

    server = LiveServer("--workers", "2").start()
    try:
        url, guest = f"{server.url}/api/identity-provider", f"{server.url}/game/v2/session/guest"
        state = requests.get(f"{server.url}/_mock/state", timeout=5).json()
        (key,) = state["fusionauth.api-keys"].values()
        (game,) = state["lootlocker.games"].values()
        old_game_key = game["game_key"]
        for _ in range(6):  # a new connection each time: both workers answer (and load their caches)
            assert requests.get(url, headers={"Authorization": API_KEY}, timeout=5).status_code == 200
            assert requests.post(guest, json={"game_key": old_game_key}, timeout=5).status_code == 200
        key["key"], game["game_key"] = "a-new-key-for-this-test", "dev_another_game_key_for_this_test"
        assert requests.put(f"{server.url}/_mock/state", json=state, timeout=5).status_code == 200
        for _ in range(6):
            assert requests.get(url, headers={"Authorization": API_KEY}, timeout=5).status_code == 401
            assert requests.get(url, headers={"Authorization": key["key"]}, timeout=5).status_code == 200
            assert requests.post(guest, json={"game_key": old_game_key}, timeout=5).status_code == 401
            assert requests.post(guest, json={"game_key": game["game_key"]}, timeout=5).status_code == 200
    finally:
        server.stop()


def test_messages_are_listed_newest_first_even_within_one_millisecond(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two mails of one request, or of two quick requests, share their millisecond: the outbox orders them by when
    they were queued, not by chance."""
    from mockserver import outbox

    monkeypatch.setattr(outbox, "now_ms", lambda: 1_700_000_000_000)
    store = client.application.extensions["mockserver.store"]
    with store.write() as tx:
        for n in range(12):
            outbox.send(tx, "email", "order@example.com", f"mail {n}", "")
    listed = client.get("/_mock/messages?to=order@example.com").get_json()["messages"]
    assert [m["subject"] for m in listed] == [f"mail {n}" for n in reversed(range(12))]
    assert [m["sequence"] for m in listed] == sorted((m["sequence"] for m in listed), reverse=True)
