"""Progressions over HTTP: the game's progressions and tiers (declared in the game's document, as a fixture
declares them), the player's progress (add, subtract, reset, delete; tiers awarded with their rewards and the
rewards that need no economy applied), other players' progress, cursor pagination, isolation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.fixtures import FixtureError
from mockserver.lootlocker.collections import GAMES
from mockserver.resources import DEFAULT_FIXTURES_DIR

from .test_lootlocker_helpers import error_of, guest, session_headers

XP_ID = "01J0000000000000000000XP01"
BONUS_ID = "01J0000000000000000000BN01"
PRESTIGE_ID = "01J0000000000000000000PR01"


@pytest.fixture
def game(app: Flask) -> None:
    """The fixture game with three progressions: xp (tiers at 0, 100, 250; tier 3 gives 5 bonus points and
    resets prestige), bonus (0, 5) and prestige (0, 10)."""
    xp_tiers = [
        {"step": 1, "points_threshold": 0},
        {"step": 2, "points_threshold": 100, "rewards": {"asset_rewards": [{"asset_id": 7}]}},
        {
            "step": 3,
            "points_threshold": 250,
            "rewards": {
                "progression_points_rewards": [{"progression_key": "bonus", "amount": 5}],
                "progression_reset_rewards": [{"progression_key": "prestige"}],
                "currency_rewards": [{"currency_name": "Gold", "currency_code": "GLD", "amount": "10"}],
            },
        },
    ]
    store = app.extensions["mockserver.store"]
    with store.write() as tx:
        doc = tx.get(GAMES, "1")
        doc["progressions"] = [
            {"id": XP_ID, "key": "xp", "name": "Experience", "tiers": xp_tiers},
            {
                "id": BONUS_ID,
                "key": "bonus",
                "name": "Bonus",
                "tiers": [{"step": 1, "points_threshold": 0}, {"step": 2, "points_threshold": 5}],
            },
            {
                "id": PRESTIGE_ID,
                "key": "prestige",
                "name": "Prestige",
                "active": False,
                "tiers": [{"step": 1, "points_threshold": 0}, {"step": 2, "points_threshold": 10}],
            },
        ]
        tx.put(GAMES, "1", doc)


def get(client: FlaskClient, session: dict[str, Any], path: str) -> Any:
    response = client.get(path, headers=session_headers(session))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def post(client: FlaskClient, session: dict[str, Any], path: str, body: dict[str, Any]) -> Any:
    response = client.post(path, json=body, headers=session_headers(session))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.usefixtures("game")
def test_game_progressions_and_tiers(client: FlaskClient) -> None:
    session = guest(client)
    listed = get(client, session, "/game/progressions")
    assert [p["key"] for p in listed["items"]] == ["bonus", "prestige", "xp"]
    assert listed["items"][1] == {"id": PRESTIGE_ID, "key": "prestige", "name": "Prestige", "active": False}
    assert listed["pagination"] == {"total": 3, "next_cursor": None, "previous_cursor": None}
    first = get(client, session, "/game/progressions?count=2")
    assert [p["key"] for p in first["items"]] == ["bonus", "prestige"]
    assert first["pagination"] == {"total": 3, "next_cursor": PRESTIGE_ID, "previous_cursor": None}
    second = get(client, session, f"/game/progressions?count=2&after={PRESTIGE_ID}")
    assert [p["key"] for p in second["items"]] == ["xp"]
    assert second["pagination"] == {"total": 3, "next_cursor": None, "previous_cursor": PRESTIGE_ID}
    assert get(client, session, "/game/progressions/xp") == {
        "id": XP_ID,
        "key": "xp",
        "name": "Experience",
        "active": True,
    }
    tiers = get(client, session, "/game/progressions/xp/tiers?count=2")
    assert [t["step"] for t in tiers["items"]] == [1, 2] and tiers["pagination"]["next_cursor"] == 2
    third = get(client, session, "/game/progressions/xp/tiers/3")
    assert third["rewards"]["progression_points_rewards"] == [
        {"progression_id": BONUS_ID, "progression_key": "bonus", "progression_name": "Bonus", "amount": 5}
    ]
    assert third["rewards"]["asset_rewards"] == []
    headers = session_headers(session)
    error_of(client.get("/game/progressions/nope", headers=headers), 404, "not_found")
    error_of(client.get("/game/progressions/xp/tiers/9", headers=headers), 404, "not_found")


@pytest.mark.usefixtures("game")
def test_points_steps_and_awarded_tiers(client: FlaskClient) -> None:
    session = guest(client)
    headers = session_headers(session)
    error_of(client.get("/game/player/progressions/xp", headers=headers), 404, "not_found")
    registered = post(client, session, "/game/player/progressions/xp/points/add", {"amount": 0})
    assert registered["points"] == 0 and registered["step"] == 1 and registered["awarded_tiers"] == []
    assert (registered["previous_threshold"], registered["next_threshold"], registered["last_level_up"]) == (
        0,
        100,
        None,
    )
    added = post(client, session, "/game/player/progressions/xp/points/add", {"amount": 120})
    assert (added["points"], added["step"], added["previous_threshold"], added["next_threshold"]) == (120, 2, 100, 250)
    assert [t["step"] for t in added["awarded_tiers"]] == [2] and added["last_level_up"]
    assert added["awarded_tiers"][0]["rewards"]["asset_rewards"] == [{"asset_id": 7}]
    assert added["id"] == registered["id"] and added["progression_id"] == XP_ID
    post(client, session, "/game/player/progressions/prestige/points/add", {"amount": 12})
    big = post(client, session, "/game/player/progressions/xp/points/add", {"amount": 500})
    assert (big["points"], big["step"], big["next_threshold"]) == (620, 3, None)
    assert [t["step"] for t in big["awarded_tiers"]] == [3]
    bonus = get(client, session, "/game/player/progressions/bonus")
    assert (bonus["points"], bonus["step"]) == (5, 2)  # tier 3's progression points reward
    assert get(client, session, "/game/player/progressions/prestige")["points"] == 0  # tier 3's reset reward
    down = post(client, session, "/game/player/progressions/xp/points/subtract", {"amount": 550})
    assert (down["points"], down["step"], down["awarded_tiers"]) == (70, 1, [])
    floor = post(client, session, "/game/player/progressions/xp/points/subtract", {"amount": 1000})
    assert floor["points"] == 0
    post(client, session, "/game/player/progressions/xp/points/add", {"amount": 100})
    reset = post(client, session, "/game/player/progressions/xp/reset", {})
    assert (reset["points"], reset["step"], reset["awarded_tiers"]) == (0, 1, [])
    mine = get(client, session, "/game/player/progressions")
    assert [p["progression_key"] for p in mine["items"]] == ["bonus", "prestige", "xp"]
    deleted = client.delete("/game/player/progressions/bonus", headers=headers)
    assert deleted.status_code == 204 and deleted.data == b""
    error_of(client.get("/game/player/progressions/bonus", headers=headers), 404, "not_found")
    error_of(client.delete("/game/player/progressions/bonus", headers=headers), 404, "not_found")
    error_of(
        client.post("/game/player/progressions/nope/points/add", json={"amount": 1}, headers=headers), 404, "not_found"
    )
    bad = client.post("/game/player/progressions/xp/points/add", json={"amount": -1}, headers=headers)
    error_of(bad, 400, "parameter_invalid", "amount")
    error_of(
        client.post("/game/player/progressions/xp/points/add", json={}, headers=headers),
        400,
        "parameter_missing",
        "amount",
    )


@pytest.mark.usefixtures("game")
def test_other_players_progress_is_readable_not_writable(client: FlaskClient) -> None:
    owner, other = guest(client), guest(client)
    post(client, owner, "/game/player/progressions/xp/points/add", {"amount": 150})
    seen = get(client, other, f"/game/player/progressions/player/{owner['player_ulid']}")
    assert [(p["progression_key"], p["points"]) for p in seen["items"]] == [("xp", 150)]
    one = get(client, other, f"/game/player/progressions/xp/player/{owner['player_ulid']}")
    assert one["points"] == 150 and one["step"] == 2
    assert get(client, other, "/game/player/progressions") == {
        "pagination": {"total": 0, "next_cursor": None, "previous_cursor": None},
        "items": [],
    }
    post(client, other, "/game/player/progressions/xp/points/add", {"amount": 5})
    assert get(client, owner, "/game/player/progressions/xp")["points"] == 150
    headers = session_headers(other)
    error_of(
        client.get("/game/player/progressions/player/01ARZ3NDEKTSV4RRFFQ69G5FAV", headers=headers), 404, "not_found"
    )


def test_a_game_without_progressions(client: FlaskClient) -> None:
    session = guest(client)
    assert get(client, session, "/game/progressions")["items"] == []
    error_of(client.get("/game/progressions/xp/tiers", headers=session_headers(session)), 404, "not_found")


def test_a_fixtures_folder_declares_levels_and_progressions(tmp_path: Path) -> None:
    games = json.loads((Path(DEFAULT_FIXTURES_DIR) / "lootlocker" / "games.json").read_text())
    games[0]["levels"] = [{"level": 1, "xp_threshold": 10}]
    games[0]["progressions"] = [
        {"id": XP_ID, "key": "xp", "name": "Experience", "tiers": [{"step": 1, "points_threshold": 0}]}
    ]
    (tmp_path / "lootlocker").mkdir()
    (tmp_path / "lootlocker" / "games.json").write_text(json.dumps(games))
    client = create_app(Config(fixtures_dir=str(tmp_path), strict=True)).test_client()
    session = guest(client)
    assert session["level_thresholds"]["next"] == 10
    assert [p["key"] for p in get(client, session, "/game/progressions")["items"]] == ["xp"]
    games[0]["progressions"][0]["tiers"] = []  # a progression needs its first tier
    (tmp_path / "lootlocker" / "games.json").write_text(json.dumps(games))
    with pytest.raises(FixtureError):
        create_app(Config(fixtures_dir=str(tmp_path), strict=True))
