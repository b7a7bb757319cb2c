"""LootLocker's Unity SDK PlayMode tests LeaderboardTest.cs and SubmitScoreTest.cs, replayed over HTTP: each
test sets up a fresh game as the C# [UnitySetUp] does (Admin API: game, keys, guest platform, leaderboards),
sends the requests the SDK sends (LootLockerEndPoints.cs: `leaderboards/{key}/submit|increment|query`,
`leaderboards/{key}/list?count=&after=`) and asserts what the C# test asserts.

Every test of both classes is replayed; none asserts only SDK-local state.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session

LEADERBOARD_KEY = "gl_leaderboard"
GLOBAL_PLAYER_KEY = "gl_player_leaderboard"
GLOBAL_GENERIC_KEY = "gl_generic_leaderboard"


def _create_leaderboard(client: FlaskClient, game: TestGame, **fields: Any) -> dict[str, Any]:
    """LootLockerTestGame.CreateLeaderboard (CreateLootLockerLeaderboardRequest)."""
    response = client.post(game.dev("leaderboards"), json=fields, headers=game.headers)
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def _board(name: str, key: str, direction: str, type: str, overwrite: bool = False, metadata: bool = True) -> Any:
    return {
        "name": name,
        "key": key,
        "direction_method": direction,
        "enable_game_api_writes": True,
        "has_metadata": metadata,
        "overwrite_score_on_submit": overwrite,
        "type": type,
    }


def _start(client: FlaskClient, game: TestGame, identifier: str | None = None) -> dict[str, Any]:
    response = guest_session(client, game, identifier)
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def _headers(session: dict[str, Any]) -> dict[str, str]:
    return {"x-session-token": session["session_token"]}


def _submit(
    client: FlaskClient, session: dict[str, Any], key: str, score: int, member_id: str | None = None, metadata: str = ""
) -> Any:
    """LootLockerSDKManager.SubmitScore: member_id null is left out; metadata only when not empty."""
    body: dict[str, Any] = {"score": score}
    if member_id is not None:
        body["member_id"] = member_id
    if metadata:
        body["metadata"] = metadata
    return client.post(f"/game/leaderboards/{key}/submit", json=body, headers=_headers(session))


def _increment(client: FlaskClient, session: dict[str, Any], key: str, amount: int) -> Any:
    return client.post(f"/game/leaderboards/{key}/increment", json={"amount": amount}, headers=_headers(session))


def _score_list(client: FlaskClient, session: dict[str, Any], key: str, count: int, after: int = -1) -> Any:
    """GetScoreList: `after` is always sent ("0" for the first page)."""
    return client.get(
        f"/game/leaderboards/{key}/list?count={count}&after={after if after > 0 else 0}", headers=_headers(session)
    )


# -- LeaderboardTest -------------------------------------------------------------------------------
@pytest.fixture
def leaderboard_test(client: FlaskClient) -> tuple[TestGame, dict[str, Any]]:
    """LeaderboardTest.Setup: game, stage environment, guest platform, the descending player board with
    metadata, and a guest session."""
    game = create_game(client, name="LeaderboardTest1 ")
    _create_leaderboard(client, game, **_board("Global Leaderboard", LEADERBOARD_KEY, "descending", "player"))
    return game, _start(client, game, str(uuid.uuid4()))


def _ten_players(
    client: FlaskClient, game: TestGame, key: str, generic: bool
) -> tuple[list[dict[str, Any]], list[int]]:
    sessions, scores = [], []
    for i in range(10):
        session = _start(client, game, f"User_number_{i}")
        score = (i + 1) * 100
        member = session["public_uid"] if generic else None
        assert _submit(client, session, key, score, member).status_code == 200
        sessions.append(session)
        scores.append(score)
    return sessions, scores


def test_leaderboard_list_top_ten_as_player_succeeds(client: FlaskClient, leaderboard_test: Any) -> None:
    game, session = leaderboard_test
    sessions, scores = _ten_players(client, game, LEADERBOARD_KEY, generic=False)
    response = _score_list(client, session, LEADERBOARD_KEY, 100, 0)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == 10
    for i, item in enumerate(items):
        assert item["rank"] == i + 1
        expected = len(sessions) - 1 - i  # descending, scores increasing
        assert item["player"]["ulid"] == sessions[expected]["player_ulid"]
        assert item["score"] == scores[expected]


def test_leaderboard_list_top_ten_as_generic_succeeds(client: FlaskClient, leaderboard_test: Any) -> None:
    game, session = leaderboard_test
    key = "genericleaderboard"
    _create_leaderboard(client, game, **_board("Local Generic Leaderboard", key, "ascending", "generic"))
    sessions, scores = _ten_players(client, game, key, generic=True)
    response = _score_list(client, session, key, 100, 0)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == 10
    for i, item in enumerate(items):
        assert item["rank"] == i + 1
        assert item["member_id"] == sessions[i]["public_uid"]  # ascending, scores increasing
        assert item["score"] == scores[i]


def test_leaderboard_list_scores_that_have_metadata_gets_metadata(client: FlaskClient, leaderboard_test: Any) -> None:
    game, session = leaderboard_test
    for i in range(random.randint(3, 7)):
        player = _start(client, game, f"User_number_{i}")
        assert _submit(client, player, LEADERBOARD_KEY, i, metadata=f"Metadata_{i}").status_code == 200
    response = client.get(f"/game/leaderboards/{LEADERBOARD_KEY}/list?count=100&after=0", headers=_headers(session))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert items
    for item in items:
        assert item["metadata"] == f"Metadata_{item['score']}"


@pytest.mark.parametrize(("initial", "amount"), [(100, 10), (100, -10), (None, 10), (None, -10)])
def test_leaderboard_increment_score(
    client: FlaskClient, leaderboard_test: Any, initial: int | None, amount: int
) -> None:
    """IncrementScorePositive / IncrementScoreNegative / Positively- and NegativelyIncrementNonExistingScore."""
    _, session = leaderboard_test
    if initial is not None:
        assert _submit(client, session, LEADERBOARD_KEY, initial).status_code == 200
    incremented = _increment(client, session, LEADERBOARD_KEY, amount)
    response = _score_list(client, session, LEADERBOARD_KEY, 1, 0)
    assert incremented.status_code == 200 and response.status_code == 200
    items = response.get_json()["items"]
    assert len(items) == 1
    assert items[0]["score"] == (initial or 0) + amount


@pytest.mark.parametrize("generic", [False, True])
def test_leaderboard_query_score_gives_correct_placement(
    client: FlaskClient, leaderboard_test: Any, generic: bool
) -> None:
    """QueryScoreForPlayerTypeLeaderboard / QueryScoreForGenericTypeLeaderboard: 610 among 100..1000
    (descending) places 5th."""
    game, _ = leaderboard_test
    key = LEADERBOARD_KEY
    if generic:
        key = "genericleaderboard"
        _create_leaderboard(client, game, **_board("Local Generic Leaderboard", key, "descending", "generic"))
    sessions, scores = _ten_players(client, game, key, generic=generic)
    expected_rank = 5
    queried = scores[len(scores) - expected_rank] + 10
    response = client.post(f"/game/leaderboards/{key}/query", json={"score": queried}, headers=_headers(sessions[-1]))
    assert response.status_code == 200
    assert response.get_json()["rank"] == expected_rank
    assert response.get_json()["score"] == queried


# -- SubmitScoreTest ------------------------------------------------------------------------------
@pytest.fixture
def submit_score_test(client: FlaskClient) -> tuple[TestGame, dict[str, Any]]:
    """SubmitScoreTest.Setup: game, guest platform, a guest session, then a descending player board and a
    descending generic board, both with metadata and without overwrite."""
    game = create_game(client, name="SubmitScoreTest1 ")
    session = _start(client, game)
    _create_leaderboard(client, game, **_board("Global Player Leaderboard", GLOBAL_PLAYER_KEY, "descending", "player"))
    _create_leaderboard(
        client, game, **_board("Global Generic Leaderboard", GLOBAL_GENERIC_KEY, "descending", "generic")
    )
    return game, session


def test_submit_score_to_player_leaderboard_succeeds(client: FlaskClient, submit_score_test: Any) -> None:
    _, session = submit_score_test
    score = random.randint(1, 100)
    response = _submit(client, session, GLOBAL_PLAYER_KEY, score)
    assert response.status_code == 200 and response.get_json()["score"] == score


def test_submit_score_to_generic_leaderboard_succeeds(client: FlaskClient, submit_score_test: Any) -> None:
    _, session = submit_score_test
    score = random.randint(1, 100)
    response = _submit(client, session, GLOBAL_GENERIC_KEY, score, member_id="WhaleSwimming")
    assert response.status_code == 200 and response.get_json()["score"] == score


def test_submit_lower_score_without_overwrite_does_not_update_score(
    client: FlaskClient, submit_score_test: Any
) -> None:
    _, session = submit_score_test
    score = random.randint(2, 99)
    first = _submit(client, session, GLOBAL_PLAYER_KEY, score)
    assert first.status_code == 200
    second = _submit(client, session, GLOBAL_PLAYER_KEY, score - 1)
    assert second.status_code == 200
    assert second.get_json()["score"] == first.get_json()["score"]


def test_submit_higher_score_without_overwrite_updates_score(client: FlaskClient, submit_score_test: Any) -> None:
    _, session = submit_score_test
    score = random.randint(0, 99)
    first = _submit(client, session, GLOBAL_PLAYER_KEY, score)
    assert first.status_code == 200
    second = _submit(client, session, GLOBAL_PLAYER_KEY, score + 1)
    assert second.status_code == 200
    assert second.get_json()["score"] == first.get_json()["score"] + 1


def test_submit_on_overwrite_enabled_leaderboard_updates_score(client: FlaskClient, submit_score_test: Any) -> None:
    game, session = submit_score_test
    key = "overwrites_enabled_leaderboard"
    _create_leaderboard(
        client,
        game,
        **_board("Overwrites Enabled Leaderboard", key, "descending", "player", overwrite=True, metadata=False),
    )
    score = random.randint(50, 99)
    first = _submit(client, session, key, score)
    assert first.status_code == 200
    second = _submit(client, session, key, score - 1)
    assert second.get_json()["score"] != first.get_json()["score"]
    assert second.status_code == 200


def test_submit_to_leaderboard_with_metadata_succeeds(client: FlaskClient, submit_score_test: Any) -> None:
    _, session = submit_score_test
    response = _submit(client, session, GLOBAL_PLAYER_KEY, random.randint(0, 99), metadata="Random Message")
    assert response.status_code == 200 and response.get_json()["metadata"] == "Random Message"


def test_submit_metadata_to_leaderboard_without_metadata_ignores_metadata(
    client: FlaskClient, submit_score_test: Any
) -> None:
    game, session = submit_score_test
    key = "non_metadata_leaderboard"
    _create_leaderboard(client, game, **_board("Non Metadata Leaderboard", key, "descending", "player", metadata=False))
    response = _submit(client, session, key, random.randint(0, 99), metadata="Random Message")
    assert response.status_code == 200 and response.get_json()["metadata"] == ""
