"""LootLocker asset instance progressions over HTTP: an instance of the player's inventory earns points in the game's
progressions (tiers awarded), kept apart from the player's own progress; another player's instance is unknown."""

from __future__ import annotations

from flask.testing import FlaskClient

from mockserver.lootlocker import instance_progressions
from mockserver.lootlocker.collections import ASSET_INSTANCES, PLAYER_PROGRESSIONS

from .ll_admin_helpers import create_game
from .test_ll_characters import Player, admin, new_asset
from .test_lootlocker_helpers import error_of


def test_an_instance_progresses_on_its_own(client: FlaskClient) -> None:
    game = create_game(client)
    tiers = [{"step": 1, "points_threshold": 0}, {"step": 2, "points_threshold": 10}]
    admin(client, game, "POST", "progressions", {"key": "mastery", "name": "Mastery", "tiers": tiers})
    player = Player(client, game, "instance-progressions")
    sword = player.grant(new_asset(client, game, "Sword"))
    base = f"/game/player/assets/instances/{sword}/progressions"
    assert player.call("GET", base)["items"] == []
    added = player.call("POST", f"{base}/mastery/points/add", {"amount": 12})
    assert (added["points"], added["step"], [t["step"] for t in added["awarded_tiers"]]) == (12, 2, [2])
    assert player.call("GET", f"{base}/mastery")["points"] == 12
    assert [p["progression_key"] for p in player.call("GET", base)["items"]] == ["mastery"]
    assert player.call("GET", "/game/player/progressions")["items"] == []  # the player's own progress is apart
    assert player.call("POST", f"{base}/mastery/points/subtract", {"amount": 5})["step"] == 1
    assert player.call("POST", f"{base}/mastery/reset", {})["points"] == 0
    assert player.call("DELETE", f"{base}/mastery", status=204) is None
    error_of(client.get(f"{base}/mastery", headers=player.headers), 404, "not_found")
    error_of(client.post(f"{base}/nokey/points/add", json={"amount": 1}, headers=player.headers), 404, "not_found")
    other = Player(client, game, "instance-progressions-other")
    error_of(client.get(base, headers=other.headers), 404, "not_found")
    error_of(client.get("/game/player/assets/instances/987654/progressions", headers=player.headers), 404, "not_found")
    forced = client.get(base, headers={**player.headers, "Prefer": "code=429"})
    error_of(forced, 429, "too_many_requests")


def test_forget_player_removes_that_players_instance_progressions(client: FlaskClient) -> None:
    game = create_game(client)
    tiers = [{"step": 1, "points_threshold": 0}]
    admin(client, game, "POST", "progressions", {"key": "mastery", "name": "Mastery", "tiers": tiers})
    asset = new_asset(client, game, "Axe")
    gone, stays = Player(client, game, "instance-forget-gone"), Player(client, game, "instance-forget-stays")
    for player in (gone, stays):
        instance = player.grant(asset)
        player.call("POST", f"/game/player/assets/instances/{instance}/progressions/mastery/points/add", {"amount": 3})
    store = client.application.extensions["mockserver.store"]
    with store.write() as tx:
        held = {i["ulid"]: i["player_id"] for i in tx.all(ASSET_INSTANCES)}
        instance_progressions.forget_player(tx, str(game.development_id), gone.ulid)
    left = {p["player_id"] for p in store.read().all(PLAYER_PROGRESSIONS) if p["player_id"] in held}
    assert {held[ulid] for ulid in left} == {stays.ulid}
