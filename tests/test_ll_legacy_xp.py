"""LootLocker's legacy player info and XP reads over HTTP: `GET /game/v1/player/info` (legacy XP, level, thresholds)
and `POST /game/v1/player/scores` (several players by platform id, legacy id, ULID or public UID)."""

from __future__ import annotations

from flask.testing import FlaskClient

from .ll_admin_helpers import create_game
from .test_ll_characters import Player, admin
from .test_lootlocker_helpers import error_of


def test_legacy_info_and_scores(client: FlaskClient) -> None:
    game = create_game(client)
    admin(
        client, game, "PUT", "levels", {"levels": [{"level": 1, "xp_threshold": 0}, {"level": 2, "xp_threshold": 100}]}
    )
    me, other = Player(client, game, "legacy-me"), Player(client, game, "legacy-other")
    me.call("POST", "/game/v1/player/score", {"points": 150})
    info = me.call("GET", "/game/v1/player/info")
    assert info["success"] is True and (info["xp"], info["level"], info["ulid"]) == (150, 2, me.ulid)
    assert info["account_balance"] == 0 and info["level_thresholds"]["current"] == 100
    body = {"platform": "guest", "player_ids": [me.identifier, str(other.legacy_id), "nobody", other.public_uid]}
    players = other.call("POST", "/game/v1/player/scores", body)["players"]
    assert players == [
        {"id": me.identifier, "xp": 150, "level": 2},
        {"id": str(other.legacy_id), "xp": 0, "level": 1},
        {"id": other.public_uid, "xp": 0, "level": 1},
    ]
    error_of(client.post("/game/v1/player/scores", json={}, headers=me.headers), 400, "parameter_missing", "player_ids")
    assert client.get("/game/v1/player/info").status_code == 401
