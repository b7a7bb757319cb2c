"""The Players section beyond info, names and storage, over HTTP: name lookups by every id kind, first-party
platform ids, public/private profile, player deletion, legacy XP with the game's level thresholds."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from mockserver.lootlocker.collections import GAMES, PLAYERS

from .test_lootlocker_helpers import GAME_KEY, error_of, guest, session_headers

NAMES = "/game/player/lookup/name"


def generic(client: FlaskClient, platform: str, identifier: str) -> dict[str, Any]:
    body = {"game_key": GAME_KEY, "game_version": "1.0", "platform": platform, "player_identifier": identifier}
    response = client.post("/game/v2/session", json=body)
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def named(client: FlaskClient, identifier: str, name: str) -> dict[str, Any]:
    session = guest(client, identifier)
    response = client.patch("/game/player/name", json={"name": name}, headers=session_headers(session))
    assert response.status_code == 200
    return session


def test_lookup_names_by_every_id_kind(client: FlaskClient) -> None:
    a, b, c, d = named(client, "a-id", "Ada"), named(client, "b-id", "Bo"), named(client, "c-id", "Cy"), guest(client)
    steam = generic(client, "steam", "76561198000000001")
    query = (
        f"?player_id={a['player_id']}&player_public_uid={b['public_uid']}&player_ulid={c['player_ulid']}"
        f"&player_guest_login_id=a-id&player_name=Cy&steam_id=76561198000000001&player_id=999999&player_name=nobody"
    )
    response = client.get(f"{NAMES}{query}", headers=session_headers(d))
    assert response.status_code == 200, response.get_json()
    players = response.get_json()["players"]
    assert [p["ulid"] for p in players] == [a["player_ulid"], b["player_ulid"], c["player_ulid"], steam["player_ulid"]]
    first = players[0]
    assert first == {
        "player_id": a["player_id"],
        "player_public_uid": a["public_uid"],
        "ulid": a["player_ulid"],
        "name": "Ada",
        "last_active_platform": "guest",
        "platform_player_id": "a-id",
    }
    assert players[3]["platform_player_id"] == "76561198000000001" and players[3]["name"] == ""
    assert players[3]["last_active_platform"] == "steam"
    assert client.get(NAMES, headers=session_headers(d)).get_json() == {"players": []}
    error_of(client.get(f"{NAMES}?player_id=abc", headers=session_headers(d)), 400, "parameter_invalid", "player_id")
    error_of(client.get(NAMES), 401, "unauthorized")


def test_lookup_platform_ids(client: FlaskClient) -> None:
    steam = generic(client, "steam", "76561198000000002")
    plain = guest(client)
    query = f"?player_id={steam['player_id']}&player_public_uid={plain['public_uid']}"
    players = client.get(f"/game/player/lookup/ids{query}", headers=session_headers(plain)).get_json()["players"]
    assert [p["player_id"] for p in players] == [steam["player_id"], plain["player_id"]]
    assert players[0]["platform_ids"] == {"steam_id": 76561198000000002, "xbox_id": None, "psn_id": None}
    assert players[0]["last_active_platform"] == "steam"
    assert players[1]["platform_ids"] == {"steam_id": None, "xbox_id": None, "psn_id": None}


def test_profile_public_and_private(app: Flask, client: FlaskClient) -> None:
    session = guest(client)
    headers = session_headers(session)
    store = app.extensions["mockserver.store"]
    public = client.post("/game/v1/player/profile/public", json={}, headers=headers)
    assert public.status_code == 204 and public.data == b""
    assert store.read().get(PLAYERS, session["player_ulid"])["profile_public"] is True
    assert client.delete("/game/v1/player/profile/public", headers=headers).status_code == 204
    assert store.read().get(PLAYERS, session["player_ulid"])["profile_public"] is False


def test_delete_player_removes_them_and_their_data(client: FlaskClient) -> None:
    doomed = guest(client, "doomed")
    headers = session_headers(doomed)
    stored = client.post(
        "/game/v1/player/storage", json={"payload": [{"key": "k", "value": "v", "is_public": True}]}, headers=headers
    )
    assert stored.status_code == 200
    other = guest(client)
    deleted = client.delete("/game/player", headers=headers)
    assert deleted.status_code == 204 and deleted.data == b""
    error_of(client.get("/game/player/hazy-hammock/v1/info", headers=headers), 401, "unauthorized")
    error_of(
        client.get(f"/game/v1/player/{doomed['player_id']}/storage", headers=session_headers(other)), 404, "not_found"
    )
    again = guest(client, "doomed")
    assert again["player_ulid"] != doomed["player_ulid"] and again["seen_before"] is False
    info = client.post(
        "/game/player/hazy-hammock/v1/info", json={"player_id": [doomed["player_ulid"]]}, headers=session_headers(other)
    )
    assert info.get_json() == {"info": []}
    assert client.get("/game/v1/player/storage", headers=session_headers(again)).get_json() == {"payload": []}


def test_xp_and_levels_follow_the_games_thresholds(app: Flask, client: FlaskClient) -> None:
    store = app.extensions["mockserver.store"]
    with store.write() as tx:
        game = tx.get(GAMES, "1")
        game["levels"] = [{"level": 1, "xp_threshold": 100}, {"level": 2, "xp_threshold": 300}]
        tx.put(GAMES, "1", game)
    session = guest(client, "levelling")
    assert (session["xp"], session["level"]) == (0, 0)
    assert session["level_thresholds"] == {
        "current": 0,
        "current_is_prestige": False,
        "next": 100,
        "next_is_prestige": False,
    }
    headers = session_headers(session)
    first = client.post("/game/v1/player/score", json={"points": 150}, headers=headers).get_json()
    assert first == {
        "xp": {"previous": 0, "current": 150},
        "levels": [{"level": 1, "xp_threshold": 100}],
        "check_grant_notifications": False,
    }
    second = client.post("/game/v1/player/score", json={"points": 1000}, headers=headers).get_json()
    assert second["xp"] == {"previous": 150, "current": 1150} and second["levels"] == [
        {"level": 2, "xp_threshold": 300}
    ]
    again = guest(client, "levelling")
    assert (again["xp"], again["level"]) == (1150, 2)
    assert again["level_thresholds"] == {
        "current": 300,
        "current_is_prestige": False,
        "next": None,
        "next_is_prestige": False,
    }
    other = guest(client)
    xp = client.get(f"/game/v1/player/score/{session['player_id']}?platform=guest", headers=session_headers(other))
    assert xp.get_json() == {"xp": 1150, "level": 2}
    error_of(client.get("/game/v1/player/score/424242", headers=session_headers(other)), 404, "not_found")
    error_of(
        client.post("/game/v1/player/score", json={"points": -5}, headers=headers), 400, "parameter_invalid", "points"
    )


def test_delete_player_forgets_what_every_feature_kept(app: Flask, client: FlaskClient) -> None:
    doomed = guest(client, "doomed-features")
    headers = session_headers(doomed)
    # A default character (and its wallet), own metadata and the player's wallet: documents of three features.
    assert client.get("/game/v1/player/character/list", headers=headers).status_code == 200
    entry = {"action": "create", "key": "k", "value": "v", "type": "string", "tags": [], "access": []}
    assert client.post("/game/metadata", json={"self": True, "entries": [entry]}, headers=headers).status_code == 200
    assert client.get(f"/game/wallet/holder/{doomed['player_ulid']}", headers=headers).status_code == 200
    store = app.extensions["mockserver.store"]
    assert doomed["player_ulid"] in json.dumps(store.read().dump())
    assert client.delete("/game/player", headers=headers).status_code == 204
    assert doomed["player_ulid"] not in json.dumps(store.read().dump())  # nothing of theirs is left anywhere
