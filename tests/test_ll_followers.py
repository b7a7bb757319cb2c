"""Followers over HTTP: follow and unfollow by public UID, both lists (the followed list under the key
`followers`), every spelling of the entry's keys, cursor pagination, the error statuses, and isolation between
games."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import create_game, guest_session
from .test_lootlocker_helpers import error_of, guest, session_headers


def follow(client: FlaskClient, session: dict[str, Any], public_uid: str) -> Any:
    return client.post(f"/game/player/{public_uid}/followers/follow", headers=session_headers(session))


def unfollow(client: FlaskClient, session: dict[str, Any], public_uid: str) -> Any:
    return client.delete(f"/game/player/{public_uid}/followers/unfollow", headers=session_headers(session))


def listed(client: FlaskClient, session: dict[str, Any], public_uid: str, which: str, query: str = "") -> Any:
    response = client.get(f"/game/player/{public_uid}/{which}{query}", headers=session_headers(session))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_follow_lists_on_both_sides_with_every_spelling(client: FlaskClient) -> None:
    a, b = guest(client, "fol-a"), guest(client, "fol-b")
    client.patch("/game/player/name", json={"name": "Ay"}, headers=session_headers(a))
    assert follow(client, a, b["public_uid"]).status_code == 204
    following = listed(client, a, a["public_uid"], "following")
    assert list(following) == ["followers", "pagination"]  # LootLocker answers `following` under `followers`
    assert [e["player_id"] for e in following["followers"]] == [b["player_ulid"]]
    [follower] = listed(client, b, b["public_uid"], "followers")["followers"]
    assert follower["player_id"] == a["player_ulid"]
    assert follower["publicuid"] == follower["public_uid"] == a["public_uid"]
    assert follower["createdat"] == follower["created_at"] and follower["created_at"]
    assert follower["player_name"] == follower["name"] == "Ay"
    # Any player may read anyone's lists; the follow is one-way.
    assert listed(client, b, a["public_uid"], "followers")["followers"] == []
    assert listed(client, a, b["public_uid"], "following")["followers"] == []

    assert unfollow(client, a, b["public_uid"]).status_code == 204
    assert listed(client, a, a["public_uid"], "following")["followers"] == []
    assert listed(client, b, b["public_uid"], "followers")["followers"] == []


def test_error_statuses(client: FlaskClient) -> None:
    a, b = guest(client, "fol-err-a"), guest(client, "fol-err-b")
    error_of(follow(client, a, a["public_uid"]), 400, "parameter_invalid", "public_uid")
    error_of(follow(client, a, "NOSUCHUID"), 404, "not_found")
    error_of(unfollow(client, a, b["public_uid"]), 404, "not_found")
    follow(client, a, b["public_uid"])
    error_of(follow(client, a, b["public_uid"]), 409, "conflict")
    response = client.get(f"/game/player/{a['public_uid']}/followers?cursor=x", headers=session_headers(a))
    error_of(response, 400, "parameter_invalid", "cursor")
    error_of(client.get("/game/player/NOSUCHUID/followers", headers=session_headers(a)), 404, "not_found")
    assert client.get(f"/game/player/{a['public_uid']}/followers").status_code == 401


def test_cursor_pagination(client: FlaskClient) -> None:
    star = guest(client, "fol-star")
    fans = [guest(client, f"fol-fan-{i}") for i in range(3)]
    for fan in fans:
        follow(client, fan, star["public_uid"])
    first = listed(client, star, star["public_uid"], "followers", "?per_page=2")
    assert first["pagination"]["total"] == 3 and first["pagination"]["previous_cursor"] is None
    cursor = first["pagination"]["next_cursor"]
    assert isinstance(cursor, str)
    second = listed(client, star, star["public_uid"], "followers", f"?per_page=2&cursor={cursor}")
    assert second["pagination"]["next_cursor"] is None and second["pagination"]["previous_cursor"] == "0"
    seen = [e["player_id"] for e in first["followers"] + second["followers"]]
    assert seen == [f["player_ulid"] for f in fans]  # oldest follow first, each once


def test_players_of_another_game_are_unknown(client: FlaskClient) -> None:
    here = guest(client, "fol-here")
    response = guest_session(client, create_game(client), "fol-there")
    assert response.status_code == 200
    there = response.get_json()
    error_of(follow(client, there, here["public_uid"]), 404, "not_found")
    response = client.get(f"/game/player/{here['public_uid']}/followers", headers=session_headers(there))
    error_of(response, 404, "not_found")
