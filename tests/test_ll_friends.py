"""Friends over HTTP: requests (send, accept, decline, cancel, crossed), friendships (get, delete), blocks (block,
unblock, what a block ends), the error statuses (self 400, blocked 403, unknown 404, duplicate 409), page
pagination, both spellings of the name, and isolation between games."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import create_game, guest_session
from .test_lootlocker_helpers import error_of, guest, session_headers

BASE = "/game/player/friends"


def h(session: dict[str, Any]) -> dict[str, str]:
    return session_headers(session)


def listed(client: FlaskClient, session: dict[str, Any], which: str = "", query: str = "") -> dict[str, Any]:
    path = f"{BASE}/{which}" if which else BASE
    response = client.get(f"{path}{query}", headers=h(session))
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def ulids(client: FlaskClient, session: dict[str, Any], which: str = "") -> list[str]:
    key = which or "friends"
    return [e["player_id"] for e in listed(client, session, which)[key]]


def post(client: FlaskClient, session: dict[str, Any], path: str) -> Any:
    return client.post(f"{BASE}/{path}", headers=h(session))


def pair(client: FlaskClient) -> tuple[dict[str, Any], dict[str, Any]]:
    return guest(client, "friend-a"), guest(client, "friend-b")


def test_send_lists_on_both_sides_then_accept_makes_both_friends(client: FlaskClient) -> None:
    a, b = pair(client)
    client.patch("/game/player/name", json={"name": "Bee"}, headers=h(b))
    assert post(client, a, b["player_ulid"]).status_code == 204
    [out] = listed(client, a, "outgoing")["outgoing"]
    assert out["player_id"] == b["player_ulid"] and out["public_uid"] == b["public_uid"]
    assert out["name"] == out["player_name"] == "Bee" and out["created_at"]
    assert ulids(client, b, "incoming") == [a["player_ulid"]]
    assert ulids(client, a, "incoming") == [] and ulids(client, b, "outgoing") == []

    assert post(client, b, f"incoming/{a['player_ulid']}/accept").status_code == 204
    assert ulids(client, a, "outgoing") == [] and ulids(client, b, "incoming") == []
    [friend_of_a] = listed(client, a)["friends"]
    [friend_of_b] = listed(client, b)["friends"]
    assert friend_of_a["player_id"] == b["player_ulid"] and friend_of_b["player_id"] == a["player_ulid"]
    assert friend_of_a["accepted_at"] and friend_of_a["created_at"] == out["created_at"]
    one = client.get(f"{BASE}/{b['player_ulid']}", headers=h(a))
    assert one.status_code == 200 and one.get_json() == friend_of_a


def test_a_crossed_request_becomes_a_friendship(client: FlaskClient) -> None:
    a, b = pair(client)
    assert post(client, a, b["player_ulid"]).status_code == 204
    assert post(client, b, a["player_ulid"]).status_code == 204
    assert ulids(client, a) == [b["player_ulid"]] and ulids(client, b) == [a["player_ulid"]]
    assert ulids(client, a, "outgoing") == [] and ulids(client, b, "incoming") == []


def test_decline_and_cancel_remove_the_request_on_both_sides(client: FlaskClient) -> None:
    a, b = pair(client)
    post(client, a, b["player_ulid"])
    assert post(client, b, f"incoming/{a['player_ulid']}/decline").status_code == 204
    assert ulids(client, a, "outgoing") == ulids(client, b, "incoming") == ulids(client, a) == ulids(client, b) == []
    post(client, a, b["player_ulid"])
    assert post(client, a, f"outgoing/{b['player_ulid']}/cancel").status_code == 204
    assert ulids(client, a, "outgoing") == ulids(client, b, "incoming") == ulids(client, b) == []
    error_of(post(client, a, f"outgoing/{b['player_ulid']}/cancel"), 404, "not_found")
    error_of(post(client, b, f"incoming/{a['player_ulid']}/accept"), 404, "not_found")


def test_delete_ends_the_friendship_on_both_sides(client: FlaskClient) -> None:
    a, b = pair(client)
    post(client, a, b["player_ulid"])
    post(client, b, f"incoming/{a['player_ulid']}/accept")
    assert client.delete(f"{BASE}/{a['player_ulid']}", headers=h(b)).status_code == 204
    assert ulids(client, a) == ulids(client, b) == []
    error_of(client.get(f"{BASE}/{b['player_ulid']}", headers=h(a)), 404, "not_found")
    error_of(client.delete(f"{BASE}/{a['player_ulid']}", headers=h(b)), 404, "not_found")


def test_block_ends_requests_and_friendships_and_stops_requests(client: FlaskClient) -> None:
    a, b = pair(client)
    post(client, a, b["player_ulid"])
    assert post(client, b, f"{a['player_ulid']}/block").status_code == 204
    assert ulids(client, a, "outgoing") == ulids(client, b, "incoming") == []
    [blocked] = listed(client, b, "blocked")["blocked"]
    assert blocked["player_id"] == a["player_ulid"] and blocked["blocked_at"] and blocked["public_uid"]
    assert ulids(client, a, "blocked") == []  # the blocked player does not see the block
    error_of(post(client, a, b["player_ulid"]), 403, "forbidden")
    error_of(post(client, b, a["player_ulid"]), 403, "forbidden")
    error_of(post(client, b, f"{a['player_ulid']}/block"), 409, "conflict")
    assert post(client, b, f"{a['player_ulid']}/unblock").status_code == 204
    error_of(post(client, b, f"{a['player_ulid']}/unblock"), 404, "not_found")
    assert post(client, a, b["player_ulid"]).status_code == 204  # after unblocking a request succeeds again

    post(client, b, f"incoming/{a['player_ulid']}/accept")
    assert ulids(client, a) == [b["player_ulid"]]
    post(client, a, f"{b['player_ulid']}/block")
    assert ulids(client, a) == ulids(client, b) == []


def test_error_statuses(client: FlaskClient) -> None:
    a, b = pair(client)
    error_of(post(client, a, a["player_ulid"]), 400, "parameter_invalid", "player_id")
    error_of(post(client, a, "01HZZZZZZZZZZZZZZZZZZZZZZZ"), 404, "not_found")
    error_of(post(client, a, "01HZZZZZZZZZZZZZZZZZZZZZZZ/block"), 404, "not_found")
    post(client, a, b["player_ulid"])
    error_of(post(client, a, b["player_ulid"]), 409, "conflict")
    post(client, b, f"incoming/{a['player_ulid']}/accept")
    error_of(post(client, a, b["player_ulid"]), 409, "conflict")
    error_of(post(client, b, a["player_ulid"]), 409, "conflict")
    assert client.get(BASE).status_code == 401


def test_page_pagination(client: FlaskClient) -> None:
    me = guest(client, "popular")
    for i in range(3):
        other = guest(client, f"fan-{i}")
        post(client, other, me["player_ulid"])
    first = listed(client, me, "incoming", "?per_page=2&page=1")
    assert len(first["incoming"]) == 2
    assert first["pagination"] == {
        "total": 3,
        "offset": 0,
        "per_page": 2,
        "last_page": 2,
        "current_page": 1,
        "next_page": 2,
        "prev_page": None,
    }
    second = listed(client, me, "incoming", "?per_page=2&page=2")
    assert len(second["incoming"]) == 1 and second["pagination"]["prev_page"] == 1
    assert listed(client, me, query="?platform=steam")["friends"] == []


def test_players_of_another_game_are_unknown(client: FlaskClient) -> None:
    here = guest(client, "friend-here")
    response = guest_session(client, create_game(client), "friend-there")
    assert response.status_code == 200
    there = response.get_json()
    error_of(post(client, there, here["player_ulid"]), 404, "not_found")
    error_of(post(client, there, f"{here['player_ulid']}/block"), 404, "not_found")
    assert ulids(client, here, "incoming") == []


def test_prefer_forces_a_declared_status(client: FlaskClient) -> None:
    a, b = pair(client)
    forced = client.post(f"{BASE}/{b['player_ulid']}", headers={**h(a), "Prefer": "code=409"})
    error_of(forced, 409, "conflict")
    assert ulids(client, a, "outgoing") == []  # a forced answer changes nothing
    followed = client.post(f"/game/player/{b['public_uid']}/followers/follow", headers={**h(a), "Prefer": "code=503"})
    assert followed.status_code == 503 and followed.headers["Retry-After"]
