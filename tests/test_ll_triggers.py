"""LootLocker rewards and triggers over HTTP: the Admin API set-up (rewards, reward groups, triggers) and the Game
API's invocation by key (limits, unknown keys inside a 200, a repeated key counting once, each reward kind handed
out with its notification), the legacy execute/list calls, isolation between games and players, bad input,
`Prefer` forcing and limits under concurrent invocations."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session

INVOKE = "/game/triggers/cozy-crusader/v1"


class Player:
    def __init__(self, client: FlaskClient, game: TestGame, identifier: str = "triggers-player") -> None:
        response = guest_session(client, game, identifier)
        assert response.status_code == 200, response.get_json()
        session = response.get_json()
        self.client = client
        self.ulid: str = session["player_ulid"]
        self.wallet_id: str = session["wallet_id"]
        self.headers = {"x-session-token": session["session_token"]}

    def invoke(self, *keys: str, status: int = 200) -> Any:
        response = self.client.post(INVOKE, json={"keys": list(keys)}, headers=self.headers)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def notifications(self) -> list[dict[str, Any]]:
        response = self.client.get("/game/notifications/v1", headers=self.headers)
        assert response.status_code == 200
        return list(response.get_json()["notifications"])

    def balance(self, currency_id: str) -> str | None:
        response = self.client.get(f"/game/balances/wallet/{self.wallet_id}", headers=self.headers)
        assert response.status_code == 200, response.get_json()
        found = [b["amount"] for b in response.get_json()["balances"] if b["currency"]["id"] == currency_id]
        return found[0] if found else None

    def points(self, key: str) -> int:
        response = self.client.get(f"/game/player/progressions/{key}", headers=self.headers)
        assert response.status_code == 200, response.get_json()
        return int(response.get_json()["points"])


def admin_post(client: FlaskClient, game: TestGame, path: str, body: Any, status: int = 200) -> Any:
    response = client.post(game.dev(path), json=body, headers=game.headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def currency(client: FlaskClient, game: TestGame, code: str = "TG") -> str:
    body = {"name": f"Test {code}", "code": code, "game_id": game.development_id, "initial_denomination_name": "base"}
    return str(admin_post(client, game, "currencies/currency", body)["id"])


def currency_reward(client: FlaskClient, game: TestGame, currency_id: str, amount: str = "100") -> str:
    body = {"entity_kind": "currency", "entity_id": currency_id, "metadata": [{"key": "amount", "value": amount}]}
    return str(admin_post(client, game, "reward", body)["id"])


def progression(client: FlaskClient, game: TestGame, key: str = "xp") -> str:
    tiers = [{"step": 1, "points_threshold": 0}, {"step": 2, "points_threshold": 50}]
    return str(admin_post(client, game, "progressions", {"key": key, "name": key.upper(), "tiers": tiers})["id"])


def trigger(
    client: FlaskClient,
    game: TestGame,
    key: str,
    reward_id: str | None,
    limit: int = 0,
    segments: list[str] | None = None,
    status: int = 200,
) -> Any:
    body = {"trigger": {"key": key, "name": key, "limit": limit, "reward_id": reward_id}, "segments": segments or []}
    return admin_post(client, game, "triggers/cozy-crusader/v1", body, status)


@pytest.fixture
def world(client: FlaskClient) -> tuple[TestGame, Player, str]:
    """A game with a currency, a trigger `coins` (unlimited, 100 of it) and a signed-in player."""
    game = create_game(client, name="TriggerRules")
    money = currency(client, game)
    trigger(client, game, "coins", currency_reward(client, game, money))
    return game, Player(client, game), money


# -- invocation rules ---------------------------------------------------------------------------------------------


def test_an_unknown_key_is_reported_inside_a_200(world: tuple[TestGame, Player, str]) -> None:
    _, player, money = world
    answer = player.invoke("no_such_key")
    assert answer == {"successful_keys": [], "failed_keys": [{"key": "no_such_key", "reason": "key_not_found"}]}
    assert player.notifications() == [] and player.balance(money) is None


def test_unlimited_trigger_grants_every_time(world: tuple[TestGame, Player, str]) -> None:
    _, player, money = world
    for _ in range(3):
        assert player.invoke("coins") == {"successful_keys": [{"key": "coins"}], "failed_keys": []}
    assert player.balance(money) == "300"
    assert len(player.notifications()) == 3


def test_a_limit_allows_exactly_n_invocations_per_player(client: FlaskClient, world: Any) -> None:
    game, player, money = world
    trigger(client, game, "twice", currency_reward(client, game, money, "7"), limit=2)
    assert player.invoke("twice")["successful_keys"] == [{"key": "twice"}]
    assert player.invoke("twice")["successful_keys"] == [{"key": "twice"}]
    third = player.invoke("twice")
    assert third == {"successful_keys": [], "failed_keys": [{"key": "twice", "reason": "trigger_limit_reached"}]}
    assert player.balance(money) == "14"
    other = Player(client, game, "someone-else")  # the limit is per player
    assert other.invoke("twice")["successful_keys"] == [{"key": "twice"}]
    assert other.balance(money) == "7"


def test_a_key_repeated_in_one_call_counts_once(client: FlaskClient, world: Any) -> None:
    game, player, money = world
    trigger(client, game, "once_a_call", currency_reward(client, game, money, "5"), limit=2)
    answer = player.invoke("once_a_call", "once_a_call", "once_a_call")
    assert answer == {"successful_keys": [{"key": "once_a_call"}], "failed_keys": []}
    assert player.balance(money) == "5"
    assert player.invoke("once_a_call")["successful_keys"] == [{"key": "once_a_call"}]  # one use was left


def test_keys_of_one_call_are_independent(client: FlaskClient, world: Any) -> None:
    game, player, money = world
    trigger(client, game, "one_shot", currency_reward(client, game, money, "1"), limit=1)
    player.invoke("one_shot")
    answer = player.invoke("one_shot", "coins", "missing")
    assert answer["successful_keys"] == [{"key": "coins"}]
    assert answer["failed_keys"] == [
        {"key": "one_shot", "reason": "trigger_limit_reached"},
        {"key": "missing", "reason": "key_not_found"},
    ]
    assert player.balance(money) == "101"


def test_a_trigger_without_reward_or_limited_to_segments_fails_with_its_reason(client: FlaskClient, world: Any) -> None:
    game, player, money = world
    trigger(client, game, "no_reward", None)
    trigger(client, game, "vip_only", currency_reward(client, game, money), segments=["vip"])
    answer = player.invoke("no_reward", "vip_only")
    assert answer["failed_keys"] == [
        {"key": "no_reward", "reason": "reward_not_found"},
        {"key": "vip_only", "reason": "player_not_in_segment"},
    ]
    assert player.balance(money) is None and player.notifications() == []


def test_each_success_adds_a_reward_notification(world: tuple[TestGame, Player, str]) -> None:
    _, player, money = world
    player.invoke("coins")
    [notification] = player.notifications()
    assert notification["notification_type"] == "pull.reward.acquired"
    assert notification["source"] == "triggers" and notification["priority"] == "medium"
    context = {c["key"]: c["value"] for c in notification["content"]["context"]}
    assert context["trigger_key"] == "coins" and context["trigger_limit"] == "0" and context["trigger_id"]
    body = notification["content"]["body"]
    assert body["kind"] == "currency" and body["asset"] is None and body["group"] is None
    assert body["currency"]["amount"] == "100" and body["currency"]["currency_id"] == money
    assert body["currency"]["details"] == {"name": "Test TG", "code": "TG", "amount": "100", "id": money}
    assert body["currency"]["reward_id"]


def test_progression_rewards_add_points_and_reset(client: FlaskClient, world: Any) -> None:
    game, player, _ = world
    progression_id = progression(client, game)
    points = admin_post(client, game, "reward", {"entity_kind": "progression_points", "entity_id": "xp", "amount": 30})
    reset = admin_post(client, game, "reward", {"entity_kind": "progression_reset", "entity_id": progression_id})
    trigger(client, game, "xp_up", points["id"])
    trigger(client, game, "xp_reset", reset["id"])
    player.invoke("xp_up", "xp_up")
    player.invoke("xp_up")
    assert player.points("xp") == 60
    body = player.notifications()[0]["content"]["body"]
    assert body["kind"] == "progression_points"
    assert body["progression_points"]["amount"] == 30 and body["progression_points"]["progression_id"] == progression_id
    assert body["progression_points"]["details"] == {"key": "xp", "name": "XP", "amount": 30, "id": progression_id}
    player.invoke("xp_reset")
    assert player.points("xp") == 0
    assert player.notifications()[0]["content"]["body"]["progression_reset"]["details"]["key"] == "xp"


def test_a_group_reward_hands_out_every_association(client: FlaskClient, world: Any) -> None:
    game, player, money = world
    progression(client, game)
    single = currency_reward(client, game, money, "3")
    group = admin_post(
        client,
        game,
        "reward/group",
        {
            "name": "Starter Pack",
            "description": "A bundle",
            "associations": [
                {
                    "entity_kind": "currency",
                    "entity_id": money,
                    "metadata": [{"key": "purchased_amount", "value": "500"}],
                },
                {"entity_kind": "progression_points", "entity_id": "xp", "metadata": [{"key": "amount", "value": "9"}]},
                {"entity_kind": "reward", "entity_id": single},
            ],
        },
    )
    assert group["kind"] == "group" and len(group["associations"]) == 3
    trigger(client, game, "pack", group["id"], limit=1)
    assert player.invoke("pack")["successful_keys"] == [{"key": "pack"}]
    assert player.balance(money) == "503" and player.points("xp") == 9
    body = player.notifications()[0]["content"]["body"]
    assert body["kind"] == "group" and body["group"]["name"] == "Starter Pack"
    assert body["group"]["reward_id"] == group["id"]
    kinds = [a["kind"] for a in body["group"]["associations"]]
    assert kinds == ["currency", "progression_points", "currency"]
    assert body["group"]["associations"][0]["currency"]["amount"] == "500"


def asset(client: FlaskClient, game: TestGame, name: str = "Blue Sword") -> dict[str, Any]:
    """An asset made as the SDK's test utilities make one (contexts[0], then POST asset); not activated."""
    contexts = client.get(f"/admin/v1/game/{game.development_id}/assets/contexts", headers=game.headers)
    body = {"context_id": contexts.get_json()["contexts"][0]["id"], "name": name}
    made = client.post(f"/admin/v1/game/{game.development_id}/asset", json=body, headers=game.headers)
    assert made.status_code == 200, made.get_json()
    return dict(made.get_json()["asset"])


def test_an_asset_reward_puts_an_instance_in_the_inventory(client: FlaskClient, world: Any) -> None:
    game, player, _ = world
    sword = asset(client, game)
    reward = admin_post(client, game, "reward", {"entity_id": sword["ulid"], "entity_kind": "asset"})
    by_integer_id = admin_post(client, game, "reward", {"entity_id": str(sword["id"]), "entity_kind": "asset"})
    assert by_integer_id["associations"][0]["entity_id"] == sword["ulid"]
    trigger(client, game, "loot", reward["id"])
    assert player.invoke("loot")["successful_keys"] == [{"key": "loot"}]
    inventory = client.get("/game/v1/player/inventory/list", headers=player.headers).get_json()["inventory"]
    assert [i["asset"]["ulid"] for i in inventory] == [sword["ulid"]]
    body = player.notifications()[0]["content"]["body"]
    assert body["kind"] == "asset" and body["currency"] is None
    granted = body["asset"]
    assert granted["asset_ulid"] == sword["ulid"] and granted["asset_id"] == sword["id"]
    assert granted["reward_id"] == reward["id"]
    assert granted["details"]["name"] == "Blue Sword" and granted["details"]["legacy_id"] == sword["id"]
    assert granted["asset_instance_ids"] == [inventory[0]["instance_id"]]
    # The legacy call answers the granted assets as LootLocker's common asset.
    trigger(client, game, "legacy_loot", reward["id"])
    executed = client.post("/game/v1/player/trigger", json={"name": "legacy_loot"}, headers=player.headers)
    assert executed.status_code == 200, executed.get_json()
    assert executed.get_json()["check_grant_notifications"] is True
    assert [a["ulid"] for a in executed.get_json()["granted_assets"]] == [sword["ulid"]]
    assert len(client.get("/game/v1/player/inventory/list", headers=player.headers).get_json()["inventory"]) == 2


def test_a_group_reward_with_an_asset_lists_its_instance(client: FlaskClient, world: Any) -> None:
    game, player, money = world
    shield = asset(client, game, "Red Shield")
    group = admin_post(
        client,
        game,
        "reward/group",
        {
            "name": "Kit",
            "associations": [
                {"entity_kind": "asset", "entity_id": shield["ulid"]},
                {"entity_kind": "currency", "entity_id": money, "amount": "4"},
            ],
        },
    )
    trigger(client, game, "kit", group["id"])
    player.invoke("kit")
    inventory = client.get("/game/v1/player/inventory/list", headers=player.headers).get_json()["inventory"]
    [association, _] = player.notifications()[0]["content"]["body"]["group"]["associations"]
    assert association["kind"] == "asset" and association["asset"]["id"] == shield["ulid"]
    assert association["asset"]["name"] == "Red Shield"
    assert association["asset"]["asset_instance_ids"] == [inventory[0]["instance_id"]]
    assert player.balance(money) == "4"


# -- the Admin API's set-up ---------------------------------------------------------------------------------------


def test_reward_creation_checks_its_entity(client: FlaskClient, world: Any) -> None:
    game, _, money = world
    admin_post(client, game, "reward", {"entity_kind": "asset", "entity_id": "01J0000000000000000000000A"}, 404)
    admin_post(client, game, "reward", {"entity_kind": "currency", "entity_id": "nope", "amount": "1"}, 404)
    missing_amount = admin_post(client, game, "reward", {"entity_kind": "currency", "entity_id": money}, 400)
    assert missing_amount["code"] == "parameter_missing" and missing_amount["param"] == "amount"
    admin_post(client, game, "reward", {"entity_kind": "currency", "entity_id": money, "amount": "-1"}, 400)
    admin_post(client, game, "reward", {"entity_kind": "character", "entity_id": money}, 400)
    admin_post(client, game, "reward", {"entity_kind": "progression_reset", "entity_id": "no-such-progression"}, 404)


def test_a_group_cannot_hold_a_group(client: FlaskClient, world: Any) -> None:
    game, _, money = world
    inner = admin_post(
        client,
        game,
        "reward/group",
        {"name": "in", "associations": [{"entity_kind": "currency", "entity_id": money, "amount": 1}]},
    )
    admin_post(
        client,
        game,
        "reward/group",
        {"name": "out", "associations": [{"entity_kind": "reward", "entity_id": inner["id"]}]},
        400,
    )
    admin_post(client, game, "reward/group", {"name": "empty", "associations": []}, 400)


def test_trigger_creation_rules(client: FlaskClient, world: Any) -> None:
    game, _, money = world
    trigger(client, game, "coins", currency_reward(client, game, money), status=409)  # the key is taken
    trigger(client, game, "ghost", "01J0000000000000000000000B", status=404)
    trigger(client, game, "negative", None, limit=-1, status=400)
    admin_post(client, game, "triggers/cozy-crusader/v1", {"segments": []}, 400)
    listed = client.get(game.dev("triggers/cozy-crusader/v1"), headers=game.headers)
    assert [t["key"] for t in listed.get_json()["triggers"]] == ["coins"]
    reward_id = listed.get_json()["triggers"][0]["reward_id"]
    shown = client.get(game.dev(f"rewards/{reward_id}"), headers=game.headers)
    assert shown.status_code == 200 and shown.get_json()["associations"][0]["entity_id"] == money


def test_another_games_triggers_and_rewards_are_invisible(client: FlaskClient, world: Any) -> None:
    game, _, money = world
    other_game = create_game(client, name="Other")
    reward_id = currency_reward(client, game, money)
    assert client.get(other_game.dev(f"rewards/{reward_id}"), headers=other_game.headers).status_code == 404
    trigger(client, other_game, "stolen", reward_id, status=404)
    stranger = Player(client, other_game, "stranger")
    assert stranger.invoke("coins")["failed_keys"] == [{"key": "coins", "reason": "key_not_found"}]
    # The production environment of the same game has its own triggers: the same key is free there.
    production = f"/admin/game/{game.game_id}/triggers/cozy-crusader/v1"
    assert client.get(production, headers=game.headers).get_json() == {"triggers": []}
    made = client.post(production, json={"trigger": {"key": "coins", "limit": 1}}, headers=game.headers)
    assert made.status_code == 200 and made.get_json()["reward_id"] is None


# -- legacy calls -------------------------------------------------------------------------------------------------


def test_legacy_execute_and_list(client: FlaskClient, world: Any) -> None:
    game, player, money = world
    trigger(client, game, "legacy_once", currency_reward(client, game, money, "2"), limit=1)
    listed = client.get("/game/v1/player/triggers", headers=player.headers)
    assert listed.status_code == 200 and listed.get_json() == {"triggers": []}
    executed = client.post("/game/v1/player/trigger", json={"name": "legacy_once"}, headers=player.headers)
    assert executed.status_code == 200, executed.get_json()
    assert executed.get_json()["granted_assets"] == [] and executed.get_json()["check_grant_notifications"] is False
    assert executed.get_json()["xp"] == {"previous": 0, "current": 0}
    again = client.post("/game/v1/player/trigger", json={"name": "legacy_once"}, headers=player.headers)
    assert again.status_code == 409 and again.get_json()["code"] == "conflict"
    unknown = client.post("/game/v1/player/trigger", json={"name": "nope"}, headers=player.headers)
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "not_found"
    player.invoke("coins")
    listed = client.get("/game/v1/player/triggers", headers=player.headers)
    assert listed.get_json() == {"triggers": ["legacy_once", "coins"]}
    assert player.balance(money) == "102"


# -- bad input, authentication, forcing -------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"keys": "coins"}, {"keys": [""]}, {"keys": [1]}, {"keys": None}, []])
def test_bad_invocations_are_400(client: FlaskClient, world: Any, body: Any) -> None:
    _, player, money = world
    response = client.post(INVOKE, json=body, headers=player.headers)
    assert response.status_code == 400 and response.get_json()["code"] in (
        "request_body_invalid",
        "parameter_missing",
        "parameter_invalid",
    )
    assert player.balance(money) is None


def test_invocation_needs_a_session(client: FlaskClient, world: Any) -> None:
    response = client.post(INVOKE, json={"keys": ["coins"]})
    assert response.status_code == 401


def test_prefer_forces_a_declared_status(client: FlaskClient, world: Any) -> None:
    game, player, money = world
    forced = client.post(INVOKE, json={"keys": ["coins"]}, headers={**player.headers, "Prefer": "code=503"})
    assert forced.status_code == 503 and "Retry-After" in forced.headers
    assert player.balance(money) is None  # an error status changes nothing
    ran = client.post(INVOKE, json={"keys": ["coins"]}, headers={**player.headers, "Prefer": "code=200"})
    assert ran.status_code == 200 and ran.get_json()["successful_keys"] == [{"key": "coins"}]
    conflict = client.post(
        game.dev("triggers/cozy-crusader/v1"),
        json={"trigger": {"key": "x"}},
        headers={**game.headers, "Prefer": "code=409"},
    )
    assert conflict.status_code == 409
    assert (
        client.get(game.dev("triggers/cozy-crusader/v1"), headers=game.headers).get_json()["triggers"][0]["key"]
        == "coins"
    )


# -- concurrency --------------------------------------------------------------------------------------------------


def test_a_limit_holds_under_concurrent_invocations(app: Flask, client: FlaskClient, world: Any) -> None:
    game, player, money = world
    trigger(client, game, "three", currency_reward(client, game, money, "10"), limit=3)
    successes: list[int] = []

    def hammer() -> None:
        own = app.test_client()
        for _ in range(3):
            answer = own.post(INVOKE, json={"keys": ["three"]}, headers=player.headers).get_json()
            successes.append(len(answer["successful_keys"]))

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(successes) == 3 and len(successes) == 18
    assert player.balance(money) == "30"
    assert len(player.notifications()) == 3
