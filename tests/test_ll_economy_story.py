"""The economy end to end over HTTP, as a game studio and a player meet it: the admin sets up a currency, a catalog
with a priced item and triggers with rewards (Admin API, the SDK test utilities' calls); a player earns currency by
firing a trigger, sees it in the wallet, buys the item from the published catalog, finds it in the inventory, fires
another trigger and receives its reward; limits and the wallet's floor hold along the way."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from . import ll_economy_helpers as eco
from .ll_admin_helpers import TestGame, create_game

INVOKE = "/game/triggers/cozy-crusader/v1"


def reward(client: FlaskClient, game: TestGame, body: dict[str, Any]) -> str:
    return str(eco.ok(client.post(game.dev("reward"), json=body, headers=game.headers))["id"])


def trigger(client: FlaskClient, game: TestGame, key: str, limit: int, reward_id: str) -> None:
    body = {"trigger": {"key": key, "name": key, "limit": limit, "reward_id": reward_id}, "segments": []}
    eco.ok(client.post(game.dev("triggers/cozy-crusader/v1"), json=body, headers=game.headers))


def test_earn_buy_and_get_rewarded(client: FlaskClient) -> None:
    # -- the studio's set-up (Admin API) --
    game = create_game(client, name="Cozy Shop")
    gold = eco.currency(client, game, "Gold", "GLD")
    sword, trophy = eco.asset(client, game), eco.asset(client, game)
    catalog = eco.catalog(client, game, "Blacksmith", "blacksmith")
    sword_item = eco.catalog_item(client, game, catalog, sword["ulid"], "asset")
    eco.price(client, game, sword_item, gold, "150")
    eco.publish(client, game, catalog)
    coins = reward(client, game, {"entity_kind": "currency", "entity_id": gold, "amount": "100"})
    trophy_reward = reward(client, game, {"entity_kind": "asset", "entity_id": trophy["ulid"]})
    trigger(client, game, "daily_login", 2, coins)
    trigger(client, game, "boss_defeated", 1, trophy_reward)

    # -- the player --
    player = eco.player(client, game)
    headers, wallet = player["headers"], player["wallet_id"]

    def balance() -> str:
        found = eco.ok(client.get(f"/game/balances/wallet/{wallet}", headers=headers))["balances"]
        return str(next((b["amount"] for b in found if b["currency"]["id"] == gold), "0"))

    def inventory() -> list[str]:
        found = eco.ok(client.get("/game/v1/player/inventory/list", headers=headers))["inventory"]
        return sorted(i["asset"]["ulid"] for i in found)

    def invoke(key: str) -> Any:
        return eco.ok(client.post(INVOKE, json={"keys": [key]}, headers=headers))

    # Earns currency: the daily login pays 100 gold, twice at most.
    assert balance() == "0"
    assert invoke("daily_login")["successful_keys"] == [{"key": "daily_login"}]
    assert invoke("daily_login")["successful_keys"] == [{"key": "daily_login"}]
    assert invoke("daily_login")["failed_keys"] == [{"key": "daily_login", "reason": "trigger_limit_reached"}]
    assert balance() == "200"

    # Browses the published catalog and buys the sword for 150 gold.
    listing = eco.ok(client.get("/game/catalogs/inspired-ibex/v1/catalog/key/blacksmith/list", headers=headers))
    [entry] = [e for e in listing["entries"] if e["entity_id"] == sword["ulid"]]
    assert [(p["amount"], p["currency_code"]) for p in entry["prices"]] == [(150, "GLD")]
    items = [{"catalog_listing_id": entry["catalog_listing_id"], "quantity": 1}]
    bought = client.post("/game/purchase", json={"wallet_id": wallet, "items": items}, headers=headers)
    assert bought.status_code == 204, bought.get_json()
    assert balance() == "50"
    assert inventory() == [sword["ulid"]]

    # A second sword is too expensive now: nothing changes.
    refused = client.post("/game/purchase", json={"wallet_id": wallet, "items": items}, headers=headers)
    assert refused.status_code == 400
    assert balance() == "50" and inventory() == [sword["ulid"]]

    # Defeats the boss: the trophy lands in the inventory, once.
    assert invoke("boss_defeated")["successful_keys"] == [{"key": "boss_defeated"}]
    assert invoke("boss_defeated")["failed_keys"] == [{"key": "boss_defeated", "reason": "trigger_limit_reached"}]
    assert inventory() == sorted([sword["ulid"], trophy["ulid"]])

    # The rewards are told as LootLocker tells them: one notification per successful invocation.
    notifications = eco.ok(client.get("/game/notifications/v1?source=triggers", headers=headers))["notifications"]
    kinds = sorted(n["content"]["body"]["kind"] for n in notifications)
    assert kinds == ["asset", "currency", "currency"]
    [told] = [n for n in notifications if n["content"]["body"]["kind"] == "asset"]
    assert told["content"]["body"]["asset"]["asset_ulid"] == trophy["ulid"]
    assert {c["key"]: c["value"] for c in told["content"]["context"]}["trigger_key"] == "boss_defeated"
