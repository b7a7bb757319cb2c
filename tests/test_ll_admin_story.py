"""A whole LootLocker world over HTTP, as a studio's integration test would build and play it: admin sign-up →
game → keys → platforms → leaderboard → guest sessions of several players submitting scores → ranks and pages →
files → progressions (set up with the Admin API) and XP levels → a custom notification → a ban. A second game of
the same organisation sees none of it."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session
from .test_lootlocker_helpers import error_of


def _ok(response: Any) -> Any:
    assert 200 <= response.status_code < 300, (response.status_code, response.get_json())
    return response.get_json()


def _token(session: dict[str, Any]) -> dict[str, str]:
    return {"x-session-token": session["session_token"]}


def test_admin_progressions_and_levels_validate_and_are_listed(client: FlaskClient) -> None:
    game = create_game(client)
    bad = {"key": "xp", "name": "XP", "tiers": [{"step": 1, "points_threshold": 5}]}
    error_of(client.post(game.dev("progressions"), json=bad, headers=game.headers), 400, "parameter_invalid", "tiers")
    bad["tiers"] = [{"step": 1, "points_threshold": 0}, {"step": 3, "points_threshold": 10}]
    error_of(client.post(game.dev("progressions"), json=bad, headers=game.headers), 400, "parameter_invalid", "tiers")
    made = _ok(client.post(game.dev("progressions"), json={"key": "xp", "name": "XP"}, headers=game.headers))
    assert made["tiers"] == [{"step": 1, "points_threshold": 0}] and made["active"] is True
    again = client.post(game.dev("progressions"), json={"key": "xp", "name": "Other"}, headers=game.headers)
    error_of(again, 409, "conflict")
    assert _ok(client.get(game.dev("progressions"), headers=game.headers))["progressions"] == [made]
    levels = {"levels": [{"level": 2, "xp_threshold": 100}, {"level": 1, "xp_threshold": 0}]}
    stored = _ok(client.put(game.dev("levels"), json=levels, headers=game.headers))["levels"]
    assert [lv["level"] for lv in stored] == [1, 2]
    bad_levels = {"levels": [{"level": 1, "xp_threshold": 50}, {"level": 2, "xp_threshold": 10}]}
    error_of(client.put(game.dev("levels"), json=bad_levels, headers=game.headers), 400, "parameter_invalid", "levels")


def test_a_world_set_up_with_the_admin_api_and_played_through_the_game_api(client: FlaskClient) -> None:
    # -- set-up: admin, game, keys, platforms, a leaderboard, progressions, levels -----------------------
    game: TestGame = create_game(client, name="story", platforms=("guest", "white_label_login"))
    board = {
        "name": "Story board",
        "key": "story_board",
        "direction_method": "descending",
        "enable_game_api_writes": True,
        "overwrite_score_on_submit": False,
        "has_metadata": True,
        "type": "player",
    }
    _ok(client.post(game.dev("leaderboards"), json=board, headers=game.headers))
    bonus = {
        "key": "bonus",
        "name": "Bonus",
        "tiers": [{"step": 1, "points_threshold": 0}, {"step": 2, "points_threshold": 5}],
    }
    _ok(client.post(game.dev("progressions"), json=bonus, headers=game.headers))
    xp = {
        "key": "xp",
        "name": "XP",
        "tiers": [
            {"step": 1, "points_threshold": 0},
            {
                "step": 2,
                "points_threshold": 100,
                "rewards": {"progression_points_rewards": [{"progression_key": "bonus", "amount": 5}]},
            },
        ],
    }
    _ok(client.post(game.dev("progressions"), json=xp, headers=game.headers))
    levels = [{"level": 1, "xp_threshold": 0}, {"level": 2, "xp_threshold": 100}]
    _ok(client.put(game.dev("levels"), json={"levels": levels}, headers=game.headers))

    # -- several players sign in and submit scores ------------------------------------------------------
    players = [_ok(guest_session(client, game, f"story-player-{i}")) for i in range(5)]
    for i, player in enumerate(players):
        body = {"score": (i + 1) * 100, "metadata": f"run {i}"}
        _ok(client.post("/game/leaderboards/story_board/submit", json=body, headers=_token(player)))

    # -- ranks and pages -------------------------------------------------------------------------------
    first = _ok(client.get("/game/leaderboards/story_board/list?count=2", headers=_token(players[0])))
    assert [item["score"] for item in first["items"]] == [500, 400]
    assert [item["rank"] for item in first["items"]] == [1, 2] and first["pagination"]["total"] == 5
    after = first["pagination"]["next_cursor"]
    second = _ok(client.get(f"/game/leaderboards/story_board/list?count=2&after={after}", headers=_token(players[0])))
    assert [item["score"] for item in second["items"]] == [300, 200]
    member = str(players[0]["player_id"])
    rank = _ok(client.get(f"/game/leaderboards/story_board/member/{member}", headers=_token(players[0])))
    assert rank["rank"] == 5 and rank["score"] == 100 and rank["metadata"] == "run 0"

    # -- files -----------------------------------------------------------------------------------------
    form = {"purpose": "save", "public": "true", "file": (io.BytesIO(b"story save"), "save.txt")}
    uploaded = _ok(
        client.post("/game/player/files", data=form, content_type="multipart/form-data", headers=_token(players[1]))
    )
    public = _ok(client.get(f"/game/player/{players[1]['player_ulid']}/files", headers=_token(players[2])))
    assert [f["id"] for f in public["items"]] == [uploaded["id"]]

    # -- progressions with a tier reward, and the session's level -----------------------------------------
    added = _ok(
        client.post("/game/player/progressions/xp/points/add", json={"amount": 120}, headers=_token(players[2]))
    )
    assert added["step"] == 2 and [t["step"] for t in added["awarded_tiers"]] == [2]
    rewarded = _ok(client.get("/game/player/progressions/bonus", headers=_token(players[2])))
    assert (rewarded["points"], rewarded["step"]) == (5, 2)
    session = _ok(guest_session(client, game, "story-player-0"))
    assert session["level"] in (0, 1) and session["level_thresholds"]["next"] == 100

    # -- a custom notification ---------------------------------------------------------------------------
    note = {
        "notification_type": "story.reward",
        "priority": "high",
        "recipient": players[3]["player_ulid"],
        "content": "gg",
    }
    sent = _ok(client.post(game.dev("notifications/v1"), json=note, headers=game.headers))
    listed = _ok(client.get("/game/notifications/v1", headers=_token(players[3])))
    assert [n["id"] for n in listed["notifications"]] == [sent["id"]]
    assert _ok(client.get("/game/notifications/v1", headers=_token(players[4])))["notifications"] == []

    # -- a ban -------------------------------------------------------------------------------------------
    _ok(client.post(game.dev(f"player/{players[4]['player_ulid']}/bans"), json={}, headers=game.headers))
    error_of(guest_session(client, game, "story-player-4"), 403, "player_banned")
    status = {"game_api_key": game.development_api_key, "player_id": players[4]["player_ulid"]}
    assert _ok(client.post("/game/session/ban-status", json=status))["is_banned"] is True

    # -- another game of the organisation sees none of it ------------------------------------------------
    other = create_game(client, token=game.token, name="other")
    stranger = _ok(guest_session(client, other, "story-player-0"))
    assert stranger["player_ulid"] != players[0]["player_ulid"]
    error_of(client.get("/game/leaderboards/story_board/list?count=2", headers=_token(stranger)), 404, "not_found")
    hidden = client.get(f"/game/player/{players[1]['player_ulid']}/files", headers=_token(stranger))
    error_of(hidden, 404, "not_found")
    assert _ok(client.get("/game/progressions", headers=_token(stranger)))["items"] == []
    lookup = _ok(client.get(other.dev(f"players/lookup?player_id={players[0]['player_ulid']}"), headers=other.headers))
    assert lookup["players"] == []
