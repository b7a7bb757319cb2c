"""Player basics over HTTP: ping, game info, player info, names, player storage — and that one player can
never read or change another player's private data."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from .test_lootlocker_helpers import ENVIRONMENT_ID, GAME_KEY, TITLE_ID, error_of, guest, session_headers


def test_ping_gives_the_server_time(client: FlaskClient) -> None:
    session = guest(client)
    response = client.get("/game/ping", headers=session_headers(session))
    assert response.status_code == 200
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", response.get_json()["date"])
    error_of(client.get("/game/ping"), 401, "unauthorized")


def test_game_info_needs_only_the_api_key(client: FlaskClient) -> None:
    response = client.post("/game/info/v1", json={"api_key": GAME_KEY})
    assert response.get_json() == {
        "info": {"title_id": TITLE_ID, "environment_id": ENVIRONMENT_ID, "game_id": 1, "name": "mockserver game"}
    }
    error_of(client.post("/game/info/v1", json={"api_key": "dev_wrong_wrong"}), 401, "unauthorized")
    error_of(client.post("/game/info/v1", json={}), 400, "parameter_missing", "api_key")


def test_info_from_session(client: FlaskClient) -> None:
    session = guest(client, "info-player", optionals={"player_name": "Grace"})
    info = client.get("/game/player/hazy-hammock/v1/info", headers=session_headers(session)).get_json()["info"]
    assert info["id"] == session["player_ulid"] and info["legacy_id"] == session["player_id"]
    assert info["public_uid"] == session["public_uid"] and info["name"] == "Grace"
    assert info["created_at"] == session["player_created_at"] and info["last_seen"]


def test_many_players_info_by_any_id_kind(client: FlaskClient) -> None:
    a, b, c = guest(client), guest(client), guest(client)
    body = {
        "player_id": [a["player_ulid"], "01ARZ3NDEKTSV4RRFFQ69G5FAV"],
        "player_legacy_id": [b["player_id"], 999],
        "player_public_uid": [c["public_uid"], a["public_uid"]],
    }
    response = client.post("/game/player/hazy-hammock/v1/info", json=body, headers=session_headers(a))
    assert [i["id"] for i in response.get_json()["info"]] == [a["player_ulid"], b["player_ulid"], c["player_ulid"]]
    empty = client.post("/game/player/hazy-hammock/v1/info", json={}, headers=session_headers(a))
    assert empty.get_json() == {"info": []}
    error_of(
        client.post("/game/player/hazy-hammock/v1/info", json={"player_legacy_id": ["x"]}, headers=session_headers(a)),
        400,
        "parameter_invalid",
        "player_legacy_id.0",
    )


def test_get_and_set_name(client: FlaskClient) -> None:
    session = guest(client)
    headers = session_headers(session)
    assert client.get("/game/player/name", headers=headers).get_json() == {"name": None}
    assert client.patch("/game/player/name", json={"name": "Lin"}, headers=headers).get_json() == {"name": "Lin"}
    assert client.get("/game/player/name", headers=headers).get_json() == {"name": "Lin"}
    assert guest(client, session["player_identifier"])["player_name"] == "Lin"
    error_of(client.patch("/game/player/name", json={"name": ""}, headers=headers), 400, "parameter_invalid", "name")
    error_of(client.patch("/game/player/name", json={"name": 7}, headers=headers), 400, "parameter_invalid", "name")
    error_of(client.patch("/game/player/name", json={}, headers=headers), 400, "parameter_missing", "name")


# -- storage -------------------------------------------------------------------------------------
def put_items(client: FlaskClient, session: dict[str, Any], *items: dict[str, Any]) -> Any:
    return client.post("/game/v1/player/storage", json={"payload": list(items)}, headers=session_headers(session))


def test_storage_round_trip(client: FlaskClient) -> None:
    session = guest(client)
    headers = session_headers(session)
    assert client.get("/game/v1/player/storage", headers=headers).get_json() == {"payload": []}
    response = put_items(
        client,
        session,
        {"key": "clan", "value": "red", "is_public": True},
        {"key": "referral", "value": "abc", "order": 5},
        {"key": "score", "value": "10"},
    )
    assert response.status_code == 200
    assert response.get_json()["payload"] == [
        {"key": "clan", "value": "red", "order": 1, "is_public": True},
        {"key": "score", "value": "10", "order": 2, "is_public": False},
        {"key": "referral", "value": "abc", "order": 5, "is_public": False},
    ]
    updated = put_items(client, session, {"key": "score", "value": "11"}).get_json()["payload"]
    assert {"key": "score", "value": "11", "order": 2, "is_public": False} in updated and len(updated) == 3
    one = client.get("/game/v1/player/storage?key=clan", headers=headers)
    assert one.get_json() == {"payload": {"key": "clan", "value": "red", "order": 1, "is_public": True}}
    error_of(client.get("/game/v1/player/storage?key=nothing", headers=headers), 404, "not_found")
    remaining = client.delete("/game/v1/player/storage?key=clan", headers=headers).get_json()["payload"]
    assert [i["key"] for i in remaining] == ["score", "referral"]
    assert client.delete("/game/v1/player/storage?key=clan", headers=headers).status_code == 200  # idempotent
    error_of(client.delete("/game/v1/player/storage", headers=headers), 400, "parameter_missing", "key")


def test_storage_validation(client: FlaskClient) -> None:
    session = guest(client)
    error_of(put_items(client, session, {"key": "n", "value": 5}), 400, "parameter_invalid", "payload.0.value")
    error_of(put_items(client, session, {"value": "v"}), 400, "parameter_missing", "payload.0.key")
    error_of(put_items(client, session), 400, "parameter_invalid", "payload")
    response = client.post("/game/v1/player/storage", json={}, headers=session_headers(session))
    error_of(response, 400, "parameter_missing", "payload")


def test_other_players_see_only_public_items(client: FlaskClient) -> None:
    owner, other = guest(client), guest(client)
    put_items(client, owner, {"key": "clan", "value": "red", "is_public": True}, {"key": "secret", "value": "s"})
    for reference in (owner["player_id"], owner["player_ulid"], owner["public_uid"]):
        response = client.get(f"/game/v1/player/{reference}/storage", headers=session_headers(other))
        assert response.get_json() == {"payload": [{"key": "clan", "value": "red", "order": 1, "is_public": True}]}
    error_of(client.get("/game/v1/player/9999/storage", headers=session_headers(other)), 404, "not_found")


def test_a_player_never_reads_or_changes_another_players_private_data(client: FlaskClient) -> None:
    owner, other = guest(client), guest(client)
    put_items(client, owner, {"key": "secret", "value": "s"})
    assert client.get("/game/v1/player/storage", headers=session_headers(other)).get_json() == {"payload": []}
    error_of(client.get("/game/v1/player/storage?key=secret", headers=session_headers(other)), 404, "not_found")
    client.delete("/game/v1/player/storage?key=secret", headers=session_headers(other))
    put_items(client, other, {"key": "secret", "value": "overwritten"})
    own = client.get("/game/v1/player/storage?key=secret", headers=session_headers(owner)).get_json()
    assert own == {"payload": {"key": "secret", "value": "s", "order": 1, "is_public": False}}
    client.patch("/game/player/name", json={"name": "Other"}, headers=session_headers(other))
    assert client.get("/game/player/name", headers=session_headers(owner)).get_json() == {"name": None}
