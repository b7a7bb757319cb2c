"""Collectables and missions over HTTP (LootLocker's discontinued features, as its Unreal SDK still calls them): an
Admin API set-up, progress per group with rewards into the inventory, and missions started and finished with the
signature LootLocker's SDKs compute (SHA-1 of the payload JSON + the start signature + the player id)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session
from .test_ll_ugc import made_asset
from .test_lootlocker_helpers import error_of, session_headers


def setup(client: FlaskClient) -> tuple[TestGame, dict[str, Any], list[dict[str, Any]]]:
    game = create_game(client)
    me = guest_session(client, game, "collector").get_json()
    rewards = [made_asset(client, me, name) for name in ("Coin", "Banner", "Crown")]
    return game, me, rewards


def inventory_asset_ids(client: FlaskClient, session: dict[str, Any]) -> list[int]:
    response = client.post("/game/player/inventories/v1", json={}, headers=session_headers(session))
    assert response.status_code == 200, response.get_json()
    return sorted(item["asset_id"] for item in response.get_json()["items"])


def test_collecting_items_progress_and_rewards(client: FlaskClient) -> None:
    game, me, (coin, banner, crown) = setup(client)
    body = {
        "name": "Relics",
        "rewards": [{"asset_id": crown["asset_id"]}],
        "groups": [
            {"name": "North", "rewards": [{"asset_id": banner["asset_id"]}], "items": [{"name": "a"}, {"name": "b"}]},
            {"name": "South", "items": [{"name": "c", "rewards": [{"asset_id": coin["asset_id"]}]}]},
        ],
    }
    created = client.post(game.dev("collectables"), json=body, headers=game.headers)
    assert created.status_code == 200, created.get_json()
    error_of(client.post(game.dev("collectables"), json=body, headers=game.headers), 409, "conflict")
    headers = session_headers(me)
    [relics] = client.get("/game/v1/collectable", headers=headers).get_json()["collectables"]
    assert relics["completion_percentage"] == 0 and [g["name"] for g in relics["groups"]] == ["North", "South"]
    assert relics["rewards"][0]["asset"]["id"] == crown["asset_id"]
    assert inventory_asset_ids(client, me) == []

    def collect(slug: str) -> Any:
        return client.post("/game/v1/collectable", json={"slug": slug}, headers=headers)

    first = collect("Relics.South.c")
    assert first.status_code == 200, first.get_json()
    [after] = first.get_json()["collectables"]
    south = after["groups"][1]
    assert south["items"][0] == {**south["items"][0], "collected": True, "just_collected": True}
    assert south["completion_percentage"] == 100 and after["completion_percentage"] == 33
    assert inventory_asset_ids(client, me) == [coin["asset_id"]]  # the item's reward
    collect("Relics.North.a")
    assert inventory_asset_ids(client, me) == [coin["asset_id"]]
    [done] = collect("Relics.North.b").get_json()["collectables"]
    assert done["completion_percentage"] == 100 and done["groups"][0]["items"][0]["just_collected"] is False
    # North's group reward, then the whole collectable's.
    assert inventory_asset_ids(client, me) == sorted([coin["asset_id"], banner["asset_id"], crown["asset_id"]])
    error_of(collect("Relics.North.b"), 409, "conflict")
    error_of(collect("Relics.North.z"), 404, "not_found")
    error_of(collect("Relics.North"), 400, "parameter_invalid", "slug")
    # Progress is per player; another game has no collectables.
    other = guest_session(client, game, "collector-2").get_json()
    [fresh] = client.get("/game/v1/collectable", headers=session_headers(other)).get_json()["collectables"]
    assert fresh["completion_percentage"] == 0
    stranger = guest_session(client, create_game(client, name="other"), "collector-3").get_json()
    assert client.get("/game/v1/collectable", headers=session_headers(stranger)).get_json() == {"collectables": []}


def finish(client: FlaskClient, mission_id: int, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """POST the finish as the SDK writes it (members in their order; Flask's test client would sort them)."""
    raw = json.dumps(body, separators=(",", ":"))
    return client.post(f"/game/v1/mission/{mission_id}/end", data=raw, content_type="application/json", headers=headers)


def signed(payload: dict[str, Any], start_signature: str, player_id: str) -> str:
    """As LootLockerSDKManager.FinishMission signs a finish."""
    source = json.dumps(payload, separators=(",", ":")) + start_signature + player_id
    return hashlib.sha1(source.encode()).hexdigest().upper()


def test_missions_start_and_finish_with_the_sdk_signature(client: FlaskClient) -> None:
    game, me, (coin, banner, _) = setup(client)
    body = {
        "rounds": 3,
        "round_length": "60",
        "difficulty_name": "Hard",
        "difficulty_multiplier": 1.5,
        "goals": {
            "gold": {"goal": "30", "points": "300", "assets": [banner["asset_id"]]},
            "silver": {"goal": "60", "points": "200", "assets": [coin["asset_id"]]},
            "bronze": {"goal": "90", "points": "100"},
        },
        "checkpoints": [{"index": 0, "time": 10, "parameters": {"gate": "north"}}],
    }
    created = client.post(game.dev("missions"), json=body, headers=game.headers)
    assert created.status_code == 200, created.get_json()
    mission_id = created.get_json()["mission_id"]
    headers = session_headers(me)
    [listed] = client.get("/game/v1/missions", headers=headers).get_json()["missions"]
    assert listed["best_goal"] is None and listed["type"] == 0
    [reward] = listed["goals"]["gold"]["assets"]
    # Unity reads the reward as the asset, Unreal as {variation_id, assets}: the same asset under both.
    assert reward["id"] == reward["assets"]["id"] == banner["asset_id"] and "variation_id" in reward
    assert listed["checkpoints"] == [{"index": 0, "time": 10, "parameters": {"gate": "north"}}]
    got = client.get(f"/game/v1/mission/{mission_id}", headers=headers).get_json()["mission"]
    assert got == listed and got["rounds"] == 3 and got["difficulty_name"] == "Hard"

    def run(finish_time: str, player_id: str) -> Any:
        started = client.post(f"/game/v1/mission/{mission_id}/start", json={}, headers=headers)
        assert started.status_code == 200, started.get_json()
        start = started.get_json()["signature"]
        payload = {
            "finish_time": finish_time,
            "finish_score": "0",
            "checkpoint_times": [{"index": 0, "time": 9, "score": 1}],
        }
        end = {"signature": signed(payload, start, player_id), "payload": payload}
        return finish(client, mission_id, end, headers), end

    silver, _ = run("45", str(me["player_id"]))  # the legacy id, as the docs' example
    assert silver.status_code == 200, silver.get_json()
    assert silver.get_json() == {"score": 200, "check_grant_notifications": True}
    assert inventory_asset_ids(client, me) == [coin["asset_id"]]  # silver's reward
    slower, _ = run("80", me["player_ulid"])  # the ULID signs too; bronze is not better than silver
    assert slower.get_json() == {"score": 100, "check_grant_notifications": False}
    gold, replay = run("29.5", me["public_uid"])
    assert gold.get_json() == {"score": 300, "check_grant_notifications": True}
    assert client.get(f"/game/v1/mission/{mission_id}", headers=headers).get_json()["mission"]["best_goal"] == "gold"
    owned = inventory_asset_ids(client, me)
    assert coin["asset_id"] in owned and banner["asset_id"] in owned
    # A finished run cannot finish again; a tampered payload or another signature fails.
    error_of(
        finish(client, mission_id, replay, headers),
        400,
        "parameter_invalid",
        "signature",
    )
    started = client.post(f"/game/v1/mission/{mission_id}/start", json={}, headers=headers).get_json()["signature"]
    payload = {"finish_time": "1"}
    tampered = {"signature": signed({"finish_time": "2"}, started, str(me["player_id"])), "payload": payload}
    error_of(
        finish(client, mission_id, tampered, headers),
        400,
        "parameter_invalid",
        "signature",
    )
    lower = {"signature": signed(payload, started, str(me["player_id"])).lower(), "payload": payload}
    assert finish(client, mission_id, lower, headers).status_code == 200
    error_of(client.get("/game/v1/mission/999999", headers=headers), 404, "not_found")
    stranger = guest_session(client, create_game(client, name="other"), "mission-stranger").get_json()
    error_of(
        client.post(f"/game/v1/mission/{mission_id}/start", json={}, headers=session_headers(stranger)),
        404,
        "not_found",
    )


def test_forget_player_removes_the_content_of_a_deleted_player(client: FlaskClient, app: Any) -> None:
    """What a player deletion calls for the content features: the player's candidates and their files, collected
    items, mission runs and best goals, message reads and own metadata go; other players' stay."""
    from mockserver.lootlocker import collectables, messages, metadata, missions, ugc
    from mockserver.lootlocker.collections import FILES
    from mockserver.lootlocker.economy.inventory import find_asset

    game, me, (coin, _, _) = setup(client)
    other = guest_session(client, game, "keeper").get_json()
    headers = session_headers(me)
    body = {"name": "Set", "groups": [{"name": "g", "items": [{"name": "i"}]}]}
    client.post(game.dev("collectables"), json=body, headers=game.headers)
    mission = client.post(game.dev("missions"), json={"goals": {"gold": {"goal": "9"}}}, headers=game.headers)
    mission_id = mission.get_json()["mission_id"]
    for session in (me, other):
        h = session_headers(session)
        client.post("/game/v1/collectable", json={"slug": "Set.g.i"}, headers=h)
        client.post(f"/game/v1/mission/{mission_id}/start", json={}, headers=h)
        client.post(
            "/game/metadata",
            json={"self": True, "entries": [{"key": "k", "value": "v", "action": "create"}]},
            headers=h,
        )
        client.post("/game/v1/player/assets/candidates", json={"data": {"name": "x"}}, headers=h)
    client.get("/game/v1/messages", headers=headers)
    candidate = client.get("/game/v1/player/assets/candidates", headers=headers).get_json()["asset_candidates"][-1]
    form = {"purpose": "file", "file": (__import__("io").BytesIO(b"x"), "x.bin")}
    client.post(f"/game/v1/player/assets/candidates/{candidate['id']}/file", data=form, headers=headers)

    store = app.extensions["mockserver.store"]
    game_id = str(game.development_id)
    with store.write() as tx:
        for feature in (ugc, collectables, missions, messages, metadata):
            feature.forget_player(tx, game_id, me["player_ulid"])
    tx = store.read()
    assert tx.find("lootlocker.ugc-candidates", player_id=me["player_ulid"]) == []
    assert tx.find(FILES, player_id=f"ugc:{candidate['id']}") == []
    assert tx.find("lootlocker.collected", player_id=me["player_ulid"]) == []
    assert tx.find("lootlocker.mission-runs", player_id=me["player_ulid"]) == []
    assert tx.get("lootlocker.message-reads", me["player_ulid"]) is None
    assert metadata.stored(tx, game_id, "player", me["player_ulid"]) == {}
    # The other player's content is untouched.
    assert len(tx.find("lootlocker.collected", player_id=other["player_ulid"])) == 1
    assert len(tx.find("lootlocker.mission-runs", player_id=other["player_ulid"])) == 1
    assert list(metadata.stored(tx, game_id, "player", other["player_ulid"])) == ["k"]
    assert find_asset(tx, game_id, coin["asset_id"]) is not None  # assets a candidate became stay
