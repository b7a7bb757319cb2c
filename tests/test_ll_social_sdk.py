"""LootLocker's Unity SDK PlayMode FriendsTests and FollowersTests replayed over HTTP: each test sets up a game as
the SDK's Setup does (LootLockerTestGame.CreateGame, stage environment, guest platform; tests/ll_admin_helpers.py),
then sends the requests the C# test sends, as the player it names (`forPlayerWithUlid`), and asserts what it
asserts. `success` in the SDK is a 2xx status."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from . import ll_admin_helpers as admin
from .ll_admin_helpers import create_game, guest_session

FRIENDS = "/game/player/friends"


class Player:
    def __init__(self, client: FlaskClient, game: admin.TestGame, identifier: str) -> None:
        response = guest_session(client, game, identifier)
        assert response.status_code == 200, "Guest Session failed"
        session = response.get_json()
        self.client = client
        self.ulid: str = session["player_ulid"]
        self.public_uid: str = session["public_uid"]
        self.headers = {"x-session-token": session["session_token"]}
        assert self.ulid

    def ok(self, method: str, path: str) -> Any:
        response = self.client.open(path, method=method, headers=self.headers)
        assert 200 <= response.status_code < 300, (path, response.status_code, response.get_json(silent=True))
        return response.get_json(silent=True)

    def outgoing(self) -> list[dict[str, Any]]:
        return list(self.ok("GET", f"{FRIENDS}/outgoing")["outgoing"])

    def incoming(self) -> list[dict[str, Any]]:
        return list(self.ok("GET", f"{FRIENDS}/incoming")["incoming"])

    def friends(self) -> list[dict[str, Any]]:
        return list(self.ok("GET", FRIENDS)["friends"])


def players(client: FlaskClient, names: tuple[str, str] = ("Friend-1", "Friend-2")) -> tuple[Player, Player]:
    game = create_game(client, name="FriendsTests")
    return Player(client, game, names[0]), Player(client, game, names[1])


def requested(client: FlaskClient) -> tuple[Player, Player, list[Any], list[Any]]:
    """The common start: player 2 sends player 1 a request; one outgoing for 2, one incoming for 1."""
    p1, p2 = players(client)
    p2.ok("POST", f"{FRIENDS}/{p1.ulid}")
    outgoing, incoming = p2.outgoing(), p1.incoming()
    assert len(outgoing) == 1 and outgoing[0]["player_id"] == p1.ulid
    assert len(incoming) == 1 and incoming[0]["player_id"] == p2.ulid
    return p1, p2, outgoing, incoming


def test_friends_delete_friend_removes_friend_from_friends_list(client: FlaskClient) -> None:
    p1, p2, _, _ = requested(client)
    p1.ok("POST", f"{FRIENDS}/incoming/{p2.ulid}/accept")
    before = p1.friends()
    p1.ok("DELETE", f"{FRIENDS}/{p2.ulid}")
    after = p1.friends()
    assert len(before) > len(after)
    assert any(f["player_id"] == p2.ulid for f in before)
    assert not any(f["player_id"] == p2.ulid for f in after)


def test_friends_decline_incoming_request(client: FlaskClient) -> None:
    p1, p2, outgoing, incoming = requested(client)
    p1.ok("POST", f"{FRIENDS}/incoming/{p2.ulid}/decline")
    friends = p1.friends()
    assert len(incoming) > len(p1.incoming()) and len(outgoing) > len(p2.outgoing())
    assert not any(f["player_id"] == p2.ulid for f in friends)


def test_friends_accept_incoming_request(client: FlaskClient) -> None:
    p1, p2, outgoing, incoming = requested(client)
    p1.ok("POST", f"{FRIENDS}/incoming/{p2.ulid}/accept")
    friends = p1.friends()
    assert len(incoming) > len(p1.incoming()) and len(outgoing) > len(p2.outgoing())
    [found] = [f for f in friends if f["player_id"] == p2.ulid]
    assert found["public_uid"] and found["created_at"] and found["accepted_at"]


def test_friends_cancel_outgoing_request(client: FlaskClient) -> None:
    p1, p2, outgoing, incoming = requested(client)
    p2.ok("POST", f"{FRIENDS}/outgoing/{p1.ulid}/cancel")
    assert len(outgoing) > len(p2.outgoing())
    assert not any(f["player_id"] == p1.ulid for f in p2.friends())
    assert len(incoming) > len(p1.incoming())


def test_friends_block_with_incoming_request_then_unblock_and_receive_new_request(client: FlaskClient) -> None:
    p1, p2, outgoing, incoming = requested(client)
    p1.ok("POST", f"{FRIENDS}/{p2.ulid}/block")
    incoming_blocked, outgoing_blocked = p1.incoming(), p2.outgoing()
    p1.ok("POST", f"{FRIENDS}/{p2.ulid}/unblock")
    p2.ok("POST", f"{FRIENDS}/{p1.ulid}")
    outgoing_after, incoming_after = p2.outgoing(), p1.incoming()
    assert len(incoming) > len(incoming_blocked) and len(outgoing) > len(outgoing_blocked)
    assert len(incoming_after) > len(incoming_blocked) and len(outgoing_after) > len(outgoing_blocked)


def test_friends_block_player_removes_blocked_player_from_friends_list(client: FlaskClient) -> None:
    p1, p2 = players(client)
    p2.ok("POST", f"{FRIENDS}/{p1.ulid}")
    p1.ok("POST", f"{FRIENDS}/incoming/{p2.ulid}/accept")
    before_1, before_2 = p1.friends(), p2.friends()
    p2.ok("POST", f"{FRIENDS}/{p1.ulid}/block")
    after_2, after_1 = p2.friends(), p1.friends()
    assert any(f["player_id"] == p2.ulid for f in before_1)
    assert any(f["player_id"] == p1.ulid for f in before_2)
    assert not any(f["player_id"] == p2.ulid for f in after_1)
    assert not any(f["player_id"] == p1.ulid for f in after_2)


def test_followers_follow_player_adds_to_following_and_followers(client: FlaskClient) -> None:
    p1, p2 = players(client, ("Follower-1", "Followee-2"))
    assert p1.public_uid and p2.public_uid
    p1.ok("POST", f"/game/player/{p2.public_uid}/followers/follow")
    following = p1.ok("GET", f"/game/player/{p1.public_uid}/following")["followers"]  # LootLockerListFollowingResponse
    followers = p2.ok("GET", f"/game/player/{p2.public_uid}/followers")["followers"]
    assert len(following) == 1 and len(followers) == 1
    assert following[0]["player_id"] == p2.ulid and followers[0]["player_id"] == p1.ulid


def test_followers_unfollow_player_removes_from_following_and_followers(client: FlaskClient) -> None:
    p1, p2 = players(client, ("Follower-1", "Followee-2"))
    p1.ok("POST", f"/game/player/{p2.public_uid}/followers/follow")
    p1.ok("DELETE", f"/game/player/{p2.public_uid}/followers/unfollow")
    assert p1.ok("GET", f"/game/player/{p1.public_uid}/following")["followers"] == []
    assert p2.ok("GET", f"/game/player/{p2.public_uid}/followers")["followers"] == []
