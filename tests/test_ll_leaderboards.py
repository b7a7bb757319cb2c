"""Leaderboards over HTTP: the ranking and tie rules, overwrite and metadata, increment and query, cursor pages,
member ranks, a player's ranks on every board, board details with schedules and rewards, the Admin API's
checks, isolation between games, and LootLocker's errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session
from .test_lootlocker_helpers import error_of


def _board(client: FlaskClient, game: TestGame, key: str, **fields: Any) -> dict[str, Any]:
    body = {"name": key.title(), "key": key, "direction_method": "descending", "type": "player", **fields}
    response = client.post(game.dev("leaderboards"), json=body, headers=game.headers)
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def _player(client: FlaskClient, game: TestGame, identifier: str) -> dict[str, Any]:
    response = guest_session(client, game, identifier)
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def _h(session: dict[str, Any]) -> dict[str, str]:
    return {"x-session-token": session["session_token"]}


def _submit(client: FlaskClient, session: dict[str, Any], key: str, **body: Any) -> Any:
    return client.post(f"/game/leaderboards/{key}/submit", json=body, headers=_h(session))


def _list(client: FlaskClient, session: dict[str, Any], key: str, count: int = 50, after: int = 0) -> dict[str, Any]:
    response = client.get(f"/game/leaderboards/{key}/list?count={count}&after={after}", headers=_h(session))
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


@pytest.fixture
def game(client: FlaskClient) -> TestGame:
    return create_game(client)


# -- ranking -----------------------------------------------------------------------------------------
def test_ties_rank_the_member_who_reached_the_score_first_and_ranks_stay_consecutive(
    client: FlaskClient, game: TestGame
) -> None:
    _board(client, game, "ties")
    a, b, c = (_player(client, game, name) for name in ("a", "b", "c"))
    for session, score in ((a, 50), (b, 70), (c, 50)):
        assert _submit(client, session, "ties", score=score).status_code == 200
    items = _list(client, a, "ties")["items"]
    assert [(i["player"]["ulid"], i["rank"], i["score"]) for i in items] == [
        (b["player_ulid"], 1, 70),
        (a["player_ulid"], 2, 50),
        (c["player_ulid"], 3, 50),
    ]
    # a reaches 70 after b: still behind b
    assert _submit(client, a, "ties", score=70).get_json()["rank"] == 2
    # a query of an equal score lands after every member who has it
    query = client.post("/game/leaderboards/ties/query", json={"score": 70}, headers=_h(c))
    assert query.get_json() == {"member_id": str(c["player_id"]), "rank": 3, "score": 70, "metadata": ""}
    assert len(_list(client, a, "ties")["items"]) == 3  # the query stored nothing


def test_ascending_boards_rank_the_lowest_score_first_and_keep_the_lowest(client: FlaskClient, game: TestGame) -> None:
    _board(client, game, "speedrun", direction_method="ascending")
    a, b = _player(client, game, "a"), _player(client, game, "b")
    assert _submit(client, a, "speedrun", score=90).get_json()["rank"] == 1
    assert _submit(client, b, "speedrun", score=30).get_json()["rank"] == 1
    kept = _submit(client, a, "speedrun", score=95).get_json()  # worse on an ascending board: ignored
    assert kept == {"member_id": str(a["player_id"]), "rank": 2, "score": 90, "metadata": ""}
    assert _submit(client, a, "speedrun", score=10).get_json()["rank"] == 1


def test_a_kept_score_answers_its_own_metadata_and_overwrite_replaces_both(client: FlaskClient, game: TestGame) -> None:
    _board(client, game, "keep", has_metadata=True)
    _board(client, game, "latest", has_metadata=True, overwrite_score_on_submit=True)
    player = _player(client, game, "p")
    _submit(client, player, "keep", score=10, metadata="first")
    kept = _submit(client, player, "keep", score=5, metadata="second").get_json()
    assert (kept["score"], kept["metadata"]) == (10, "first")
    _submit(client, player, "latest", score=10, metadata="first")
    latest = _submit(client, player, "latest", score=5, metadata="second").get_json()
    assert (latest["score"], latest["metadata"]) == (5, "second")
    # increment keeps the metadata, whatever the direction or overwrite rule
    incremented = client.post("/game/leaderboards/keep/increment", json={"amount": -3}, headers=_h(player))
    assert incremented.get_json() == {"member_id": str(player["player_id"]), "rank": 1, "score": 7, "metadata": "first"}


# -- members -------------------------------------------------------------------------------------------
def test_player_board_members_are_legacy_ids_and_any_of_the_players_ids_finds_them(
    client: FlaskClient, game: TestGame
) -> None:
    _board(client, game, "players", has_metadata=True)
    player = _player(client, game, "named")
    client.patch("/game/player/name", json={"name": "Ada"}, headers=_h(player))
    submitted = _submit(client, player, "players", score=5, member_id=player["public_uid"], metadata="m")
    assert submitted.get_json()["member_id"] == str(player["player_id"])
    expected = {
        "member_id": str(player["player_id"]),
        "rank": 1,
        "score": 5,
        "player": {
            "id": player["player_id"],
            "public_uid": player["public_uid"],
            "name": "Ada",
            "ulid": player["player_ulid"],
        },
        "metadata": "m",
    }
    for reference in (player["player_id"], player["player_ulid"], player["public_uid"]):
        assert client.get(f"/game/leaderboards/players/member/{reference}", headers=_h(player)).get_json() == expected
    listed = client.post(
        "/game/leaderboards/players/members",
        json={"members": [player["public_uid"], str(player["player_id"]), "nobody", player["player_id"]]},
        headers=_h(player),
    )
    assert listed.get_json() == {"members": [expected]}


def test_a_member_without_a_score_has_rank_0(client: FlaskClient, game: TestGame) -> None:
    _board(client, game, "empty")
    _board(client, game, "generic", type="generic")
    player = _player(client, game, "p")
    unranked = client.get(f"/game/leaderboards/empty/member/{player['player_id']}", headers=_h(player)).get_json()
    assert (unranked["rank"], unranked["score"], unranked["metadata"]) == (0, 0, "")
    assert unranked["player"]["ulid"] == player["player_ulid"]
    generic = client.get("/game/leaderboards/generic/member/team-x", headers=_h(player)).get_json()
    assert generic == {"member_id": "team-x", "rank": 0, "score": 0, "player": None, "metadata": ""}


def test_generic_boards_echo_member_ids_without_a_player_and_require_one(client: FlaskClient, game: TestGame) -> None:
    _board(client, game, "teams", type="generic", has_metadata=True)
    player = _player(client, game, "p")
    assert _submit(client, player, "teams", score=3, member_id="red", metadata="x").get_json()["member_id"] == "red"
    assert _submit(client, player, "teams", score=4, member_id="blue").status_code == 200
    items = _list(client, player, "teams")["items"]
    assert [(i["member_id"], i["player"], i["metadata"]) for i in items] == [("blue", None, ""), ("red", None, "x")]
    error_of(_submit(client, player, "teams", score=1), 400, "parameter_missing", "member_id")


def test_a_player_never_writes_another_players_score(client: FlaskClient, game: TestGame) -> None:
    _board(client, game, "own")
    me, other = _player(client, game, "me"), _player(client, game, "other")
    error_of(_submit(client, me, "own", score=1, member_id=str(other["player_id"])), 403, "forbidden")
    increment = client.post(
        "/game/leaderboards/own/increment", json={"amount": 1, "member_id": other["public_uid"]}, headers=_h(me)
    )
    error_of(increment, 403, "forbidden")
    assert _list(client, me, "own")["items"] == []


def test_all_member_ranks_lists_every_player_board_with_null_where_unranked(
    client: FlaskClient, game: TestGame
) -> None:
    first = _board(client, game, "one")
    second = _board(client, game, "two")
    _board(client, game, "generic", type="generic")
    player = _player(client, game, "p")
    _submit(client, player, "two", score=9)
    response = client.get(f"/game/leaderboards/member/{player['player_id']}?count=10", headers=_h(player)).get_json()
    assert [(b["leaderboard_id"], b["leaderboard_key"], b["ulid"]) for b in response["leaderboards"]] == [
        (first["id"], "one", first["ulid"]),
        (second["id"], "two", second["ulid"]),
    ]
    assert response["leaderboards"][0]["rank"] is None
    assert (response["leaderboards"][1]["rank"]["rank"], response["leaderboards"][1]["rank"]["score"]) == (1, 9)
    assert response["pagination"] == {"total": 2, "next_cursor": None, "previous_cursor": None}
    page = client.get(f"/game/leaderboards/member/{player['player_id']}?count=1&after=1", headers=_h(player))
    assert [b["leaderboard_key"] for b in page.get_json()["leaderboards"]] == ["two"]
    assert page.get_json()["pagination"] == {"total": 2, "next_cursor": None, "previous_cursor": 0}
    error_of(client.get("/game/leaderboards/member/999999", headers=_h(player)), 404, "not_found")


# -- pages -----------------------------------------------------------------------------------------------
def test_score_lists_page_by_cursor(client: FlaskClient, game: TestGame) -> None:
    _board(client, game, "paged", type="generic")
    player = _player(client, game, "p")
    for i in range(25):
        _submit(client, player, "paged", score=i, member_id=f"m{i:02}")
    first = _list(client, player, "paged", count=10)
    assert [i["rank"] for i in first["items"]] == list(range(1, 11))
    assert first["items"][0]["member_id"] == "m24"
    assert first["pagination"] == {"total": 25, "next_cursor": 10, "previous_cursor": None}
    last = _list(client, player, "paged", count=10, after=20)
    assert [i["rank"] for i in last["items"]] == [21, 22, 23, 24, 25]
    assert [i["member_id"] for i in last["items"]] == ["m04", "m03", "m02", "m01", "m00"]
    assert last["pagination"] == {"total": 25, "next_cursor": None, "previous_cursor": 10}
    centred = _list(client, player, "paged", count=3, after=11)  # the SDK sample's "after = rank - 5"
    assert [i["rank"] for i in centred["items"]] == [12, 13, 14]
    assert _list(client, player, "paged", count=5, after=30)["items"] == []
    default = client.get("/game/leaderboards/paged/list", headers=_h(player)).get_json()
    assert len(default["items"]) == 25  # count left out: 50 per page


def test_leaderboards_list_and_the_unreal_spelling_and_details(client: FlaskClient, game: TestGame) -> None:
    created = [_board(client, game, f"b{i}") for i in range(3)]
    player = _player(client, game, "p")
    listed = client.get("/game/leaderboards/?count=2", headers=_h(player)).get_json()
    assert [b["key"] for b in listed["items"]] == ["b0", "b1"]
    assert listed["pagination"] == {"total": 3, "next_cursor": 2, "previous_cursor": None}
    rest = client.get("/game/leaderboards?count=2&after=2", headers=_h(player)).get_json()
    assert [b["key"] for b in rest["items"]] == ["b2"]
    item = listed["items"][0]
    assert item["ulid"] == created[0]["ulid"] and item["schedule"] is None and item["rewards"] == []
    assert "enable_game_api_writes" not in item
    details = client.get("/game/leaderboards/b1/info", headers=_h(player)).get_json()
    assert details["key"] == "b1" and details["upcoming_resets"] == []
    by_id = client.get(f"/game/leaderboards/{created[1]['id']}/info", headers=_h(player)).get_json()
    assert by_id == details
    error_of(client.get("/game/leaderboards/nope/info", headers=_h(player)), 404, "not_found")


def test_schedule_and_rewards_set_through_the_admin_api_show_in_details(client: FlaskClient, game: TestGame) -> None:
    """leaderboardDetailsTest: the admin schedule's cron expression and a reward appear in `info`."""
    board = _board(client, game, "weekly")
    scheduled = client.post(
        game.dev(f"leaderboard/{board['id']}/schedule"), json={"cron_expression": "0 0 * * *"}, headers=game.headers
    )
    assert scheduled.status_code == 200 and scheduled.get_json()["schedule"]["cron_expression"] == "0 0 * * *"
    reward = {
        "reward_id": "01JREWARD0000000000000000",
        "reward_kind": "asset",
        "predicates": [{"type": "between", "args": {"min": 1, "max": 1, "method": "by_rank", "direction": "asc"}}],
    }
    rewarded = client.post(game.dev(f"leaderboard/{board['id']}/reward"), json=reward, headers=game.headers)
    assert rewarded.status_code == 200
    player = _player(client, game, "p")
    details = client.get("/game/leaderboards/weekly/info", headers=_h(player)).get_json()
    schedule = details["schedule"]
    assert schedule["cron_expression"] == "0 0 * * *" and schedule["last_run"] is None
    assert schedule["next_run"].endswith("T00:00:00+00:00") and schedule["schedule"][0] == schedule["next_run"]
    assert len(schedule["schedule"]) == 3
    assert details["upcoming_resets"] == [{"id": 1, "name": "Weekly reset", "scheduled_for": schedule["next_run"]}]
    assert details["rewards"][0]["reward_kind"] == "asset"
    assert details["rewards"][0]["asset"]["reward_id"] == reward["reward_id"]
    assert details["rewards"][0]["predicates"][0]["args"] == reward["predicates"][0]["args"]
    bad = client.post(
        game.dev(f"leaderboard/{board['id']}/schedule"), json={"cron_expression": "61 * * * *"}, headers=game.headers
    )
    error_of(bad, 400, "parameter_invalid", "cron_expression")


# -- the Admin API's rules -------------------------------------------------------------------------------
def test_admin_create_defaults_and_checks(client: FlaskClient, game: TestGame) -> None:
    created = client.post(
        game.dev("leaderboards"),
        json={"name": "n", "key": "k", "direction_method": "ascending", "type": "generic"},
        headers=game.headers,
    ).get_json()
    assert (created["enable_game_api_writes"], created["overwrite_score_on_submit"], created["has_metadata"]) == (
        True,
        False,
        False,
    )
    again = {"name": "n", "key": "k", "direction_method": "ascending", "type": "generic"}
    error_of(client.post(game.dev("leaderboards"), json=again, headers=game.headers), 409, "conflict")
    missing = {"name": "n", "direction_method": "ascending", "type": "generic"}
    error_of(client.post(game.dev("leaderboards"), json=missing, headers=game.headers), 400, "parameter_missing", "key")
    wrong = {**again, "key": "other", "type": "team"}
    error_of(client.post(game.dev("leaderboards"), json=wrong, headers=game.headers), 400, "parameter_invalid", "type")
    error_of(client.post(game.dev("leaderboards"), json=again), 401, "unauthorized")


def test_admin_update_turns_the_direction_and_resorts_the_scores(client: FlaskClient, game: TestGame) -> None:
    board = _board(client, game, "turn")
    a, b = _player(client, game, "a"), _player(client, game, "b")
    _submit(client, a, "turn", score=1)
    _submit(client, b, "turn", score=2)
    assert _list(client, a, "turn")["items"][0]["player"]["ulid"] == b["player_ulid"]
    updated = client.put(
        game.dev(f"leaderboards/{board['id']}"),
        json={"direction_method": "ascending", "name": "Turned"},
        headers=game.headers,
    )
    assert updated.status_code == 200 and updated.get_json()["name"] == "Turned"
    assert [i["player"]["ulid"] for i in _list(client, a, "turn")["items"]] == [a["player_ulid"], b["player_ulid"]]
    type_change = client.put(game.dev(f"leaderboards/{board['id']}"), json={"type": "generic"}, headers=game.headers)
    error_of(type_change, 409, "conflict")
    closed = client.put(
        game.dev(f"leaderboards/{board['id']}"), json={"enable_game_api_writes": False}, headers=game.headers
    )
    assert closed.get_json()["enable_game_api_writes"] is False
    error_of(_submit(client, a, "turn", score=5), 403, "forbidden")
    error_of(client.put(game.dev("leaderboards/999999"), json={}, headers=game.headers), 404, "not_found")


# -- isolation and errors ----------------------------------------------------------------------------------
def test_one_game_never_sees_another_games_leaderboards(client: FlaskClient, game: TestGame) -> None:
    board = _board(client, game, "mine")
    other = create_game(client, token=game.token, name="other")
    stranger = _player(client, other, "s")
    error_of(client.get("/game/leaderboards/mine/info", headers=_h(stranger)), 404, "not_found")
    error_of(_submit(client, stranger, str(board["id"]), score=1), 404, "not_found")
    assert client.get("/game/leaderboards/", headers=_h(stranger)).get_json()["items"] == []
    other_board = client.put(other.dev(f"leaderboards/{board['id']}"), json={}, headers=other.headers)
    error_of(other_board, 404, "not_found")
    # the same key in another environment is another board
    _board(client, other, "mine")
    _submit(client, stranger, "mine", score=3)
    player = _player(client, game, "p")
    assert _list(client, player, "mine")["items"] == []


def test_bad_input_is_lootlockers_400(client: FlaskClient, game: TestGame) -> None:
    _board(client, game, "b")
    player = _player(client, game, "p")
    error_of(_submit(client, player, "b", score=2**31), 400, "parameter_invalid", "score")
    error_of(_submit(client, player, "b", score="ten"), 400, "parameter_invalid", "score")
    error_of(_submit(client, player, "b"), 400, "parameter_missing", "score")
    _submit(client, player, "b", score=2**31 - 5)
    overflow = client.post("/game/leaderboards/b/increment", json={"amount": 10}, headers=_h(player))
    error_of(overflow, 400, "parameter_invalid", "amount")
    error_of(client.get("/game/leaderboards/b/list?count=-1", headers=_h(player)), 400, "parameter_invalid", "count")
    error_of(client.get("/game/leaderboards/b/list"), 401, "unauthorized")
    forced = client.get("/game/leaderboards/b/list", headers={**_h(player), "Prefer": "code=503"})
    error_of(forced, 503, "service_unavailable")


# -- historical data -------------------------------------------------------------------------------------
def test_a_reset_archives_the_scores_and_the_archive_reads_in_pages(client: FlaskClient, game: TestGame) -> None:
    board = _board(client, game, "season", has_metadata=True)
    client.post(
        game.dev(f"leaderboard/{board['id']}/schedule"), json={"cron_expression": "@weekly"}, headers=game.headers
    )
    players = [_player(client, game, f"p{i}") for i in range(3)]
    for i, player in enumerate(players):
        _submit(client, player, "season", score=10 * (i + 1), metadata=f"m{i}")
    assert client.get("/game/leaderboards/season/archive/list", headers=_h(players[0])).get_json() == {"archives": []}
    reset = client.post(f"/_mock/lootlocker/leaderboards/{board['id']}/reset")
    assert reset.status_code == 200 and reset.get_json()["cleared"] == 3
    assert _list(client, players[0], "season")["items"] == []  # the board starts empty
    info = client.get("/game/leaderboards/season/info", headers=_h(players[0])).get_json()
    assert info["schedule"]["last_run"] == reset.get_json()["archive"]["last_modified"]
    archives = client.get("/game/leaderboards/season/archive/list", headers=_h(players[0])).get_json()["archives"]
    assert archives == [reset.get_json()["archive"]]
    assert archives[0]["content_type"] == "application/json" and archives[0]["content_length"] > 0
    key = archives[0]["key"]
    first = client.get(f"/game/leaderboards/archive/read?key={key}&count=2&", headers=_h(players[0])).get_json()
    assert first["pagination"] == {"total": 3, "next_cursor": "2", "previous_cursor": None}
    best = players[2]
    assert first["items"][0] == {
        "player": {
            "name": "",
            "public_uid": best["public_uid"],
            "id": best["player_id"],
            "player_ulid": best["player_ulid"],
        },
        "metadata": "m2",
        "member_id": str(best["player_id"]),
        "rank": 1,
        "score": 30,
    }
    rest = client.get(f"/game/leaderboards/archive/read?key={key}&count=2&after=2&", headers=_h(players[0])).get_json()
    assert [i["rank"] for i in rest["items"]] == [3]
    assert rest["pagination"] == {"total": 3, "next_cursor": None, "previous_cursor": "0"}
    bad = client.get(f"/game/leaderboards/archive/read?key={key}&after=x", headers=_h(players[0]))
    error_of(bad, 400, "parameter_invalid", "after")
    stranger = _player(client, create_game(client, token=game.token, name="other"), "s")
    error_of(client.get(f"/game/leaderboards/archive/read?key={key}", headers=_h(stranger)), 404, "not_found")
    assert client.post("/_mock/lootlocker/leaderboards/999999/reset").status_code == 404
