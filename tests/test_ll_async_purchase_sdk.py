"""Replay over HTTP of the Unity SDK's AsyncPurchaseTests (Tests/LootLockerTests/PlayMode/AsyncPurchaseTests.cs):
the same Admin API set-up (refunds enabled, a payment currency TG and a reward currency TM with game writes, an
activated asset, a catalog selling the asset for 100 TG and 100 TM for 50 TG, published; a guest whose wallet is
credited 1000 TG; the listing ids read from ListCatalogItems(key, 100, 0)), then the Game API calls of the test.

The SDK's poller (InitiateAndPoll...) is replayed as what it sends: the initiation, then status polls until the
status is not `pending`. AsyncPurchase_CancelPolling_StopsPolling is SDK-local (the SDK cancels its own polling
loop and answers "cancelled" without a server call beyond the initiation): its one request is replayed, its
assertions are the SDK's own and are not."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from . import ll_economy_helpers as eco
from .ll_admin_helpers import create_game

KEY = "async_test_catalog"
DENOMINATION = 100
PRICE_ASSET = 100
PRICE_CURRENCY_REWARD = 50
INITIAL = 1000


@pytest.fixture
def shop(client: FlaskClient) -> dict[str, Any]:
    """The test class's [UnitySetUp]."""
    game = create_game(client, name="AsyncPurchaseTests")
    eco.enable_refunds(client, game)
    gold = eco.currency(client, game, "TestGold", "TG", game_writes=False)
    gems = eco.currency(client, game, "TestGems", "TM")
    asset = eco.asset(client, game)
    catalog = eco.catalog(client, game, "Async Test Catalog", KEY)
    asset_item = eco.catalog_item(client, game, catalog, asset["ulid"], "asset")
    gems_item = eco.catalog_item(client, game, catalog, gems, "currency", str(DENOMINATION))
    eco.price(client, game, asset_item, gold, str(PRICE_ASSET))
    eco.price(client, game, gems_item, gold, str(PRICE_CURRENCY_REWARD))
    eco.publish(client, game, catalog)
    player = eco.player(client, game)
    eco.credit(client, game, player["wallet_id"], gold, str(INITIAL))
    listing = client.get(
        f"/game/catalogs/inspired-ibex/v1/catalog/key/{KEY}/list?per_page=100", headers=player["headers"]
    )
    assert listing.status_code == 200, listing.get_json()
    ids = {entry["entity_id"]: entry["catalog_listing_id"] for entry in listing.get_json()["entries"]}
    return {
        "player": player,
        "wallet": player["wallet_id"],
        "gold": gold,
        "gems": gems,
        "asset": asset,
        "asset_listing": ids[asset["ulid"]],
        "gems_listing": ids[gems],
    }


def _initiate(client: FlaskClient, shop: dict[str, Any], *listings: str) -> str:
    items = [{"catalog_listing_id": listing, "quantity": 1} for listing in listings]
    response = client.post(
        "/game/purchase/inspired-ibex/v1",
        json={"wallet_id": shop["wallet"], "items": items},
        headers=shop["player"]["headers"],
    )
    assert response.status_code == 200, response.get_json()
    entitlement = response.get_json()["entitlement_id"]
    assert entitlement
    return str(entitlement)


def _poll(client: FlaskClient, shop: dict[str, Any], entitlement: str) -> Any:
    for _ in range(30):
        response = client.get(f"/game/purchase/inspired-ibex/v1/{entitlement}", headers=shop["player"]["headers"])
        assert response.status_code == 200, response.get_json()
        status = response.get_json()
        if status["status"] != "pending":
            return status
    raise AssertionError("the purchase stayed pending")


def _balances(client: FlaskClient, shop: dict[str, Any]) -> dict[str, int]:
    response = client.get(f"/game/balances/wallet/{shop['wallet']}", headers=shop["player"]["headers"])
    assert response.status_code == 200, response.get_json()
    return {b["currency"]["id"]: int(b["amount"]) for b in response.get_json()["balances"]}


def test_initiate_multiple_items_and_manually_get_status_succeeds(client: FlaskClient, shop: dict[str, Any]) -> None:
    entitlement = _initiate(client, shop, shop["asset_listing"], shop["gems_listing"])
    assert _poll(client, shop, entitlement)["status"] == "active"
    assert _balances(client, shop)[shop["gold"]] == INITIAL - PRICE_ASSET - PRICE_CURRENCY_REWARD


def test_poll_single_currency_item_and_verify_balance_succeeds(client: FlaskClient, shop: dict[str, Any]) -> None:
    entitlement = _initiate(client, shop, shop["gems_listing"])
    assert _poll(client, shop, entitlement)["status"] == "active"
    balances = _balances(client, shop)
    assert balances[shop["gold"]] == INITIAL - PRICE_CURRENCY_REWARD
    assert balances[shop["gems"]] == DENOMINATION


def test_cancel_polling_stops_polling(client: FlaskClient, shop: dict[str, Any]) -> None:
    # Only the initiation reaches the server; cancelling and the "cancelled" answer are the SDK's own.
    assert _initiate(client, shop, shop["asset_listing"])


def test_refund_asset_purchase_by_entitlement_id_succeeds(client: FlaskClient, shop: dict[str, Any]) -> None:
    headers = shop["player"]["headers"]
    status = _poll(client, shop, _initiate(client, shop, shop["asset_listing"]))
    assert status["status"] == "active"
    assert status["entitlement_id"]
    inventory = client.get("/game/v1/player/inventory/list", headers=headers)
    assert inventory.status_code == 200, inventory.get_json()
    assert any((i.get("asset") or {}).get("id") == shop["asset"]["id"] for i in inventory.get_json()["inventory"])
    response = client.post("/game/refund/v1", json={"entitlement_ids": [status["entitlement_id"]]}, headers=headers)
    assert response.status_code == 200, response.get_json()
    refund = response.get_json()
    gold = [c for c in refund["currency_refunded"] if c["currency_id"] == shop["gold"]]
    assert gold and gold[0]["amount"] == str(PRICE_ASSET)
    events = [e for e in refund["player_inventory_events"] if e["asset_id"] > 0]
    assert events and events[0]["action"] == "removed"
