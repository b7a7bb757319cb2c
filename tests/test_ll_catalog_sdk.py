"""Replay over HTTP of the Unity SDK's CatalogTests (Tests/LootLockerTests/PlayMode/CatalogTests.cs): each test sets
up a fresh game through the Admin API as the C# test does (same paths and bodies: ll_economy_helpers), then sends the
Game API calls of LootLockerSDKManager.ListCatalogs / ListCatalogItems / ListCatalogItemsById and asserts what the
C# test asserts. SDK-local parts not replayed: the SDK turns the side arrays into dictionaries keyed by
(catalog_listing_id, entity_id), so "ContainsKey" is asserted here as "a detail with that listing id and id"; the
error-log regex of ListCatalogItems_InvalidKey is asserted on the error body's message."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from . import ll_economy_helpers as eco
from .ll_admin_helpers import TestGame, create_game

KEY = "catalog_test_key"


def _game(client: FlaskClient) -> TestGame:
    return create_game(client, name="CatalogTests")


def _by_ids(client: FlaskClient, player: dict[str, Any], ids: list[str], metadata: bool = False) -> Any:
    # LootLockerSDKManager.ListCatalogItemsById(ids, includeMetadata, null, ...)
    body: dict[str, Any] = {"ids": ids}
    if metadata:
        body["includes"] = {"metadata": {"all": True, "keys": None}}
    response = client.post("/game/catalogs/inspired-ibex/v1/catalog/items", json=body, headers=player["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _by_key(client: FlaskClient, player: dict[str, Any], key: str, per_page: int, page: int) -> Any:
    # LootLockerSDKManager.ListCatalogItems(key, PerPage, Page, ...): a query parameter only when > 0
    query = "&".join(f"{name}={value}" for name, value in (("per_page", per_page), ("page", page)) if value > 0)
    return client.get(f"/game/catalogs/inspired-ibex/v1/catalog/key/{key}/list?{query}", headers=player["headers"])


def _detail(details: list[Any], listing_id: str, item_id: str) -> Any:
    found = [d for d in details if d["catalog_listing_id"] == listing_id and d["id"] == item_id]
    assert found, "detail should be in lookup map"
    return found[0]


def test_list_catalog_items_by_id_with_asset_item_returns_inlined_asset_detail(client: FlaskClient) -> None:
    game = _game(client)
    asset = eco.asset(client, game)
    catalog = eco.catalog(client, game, "Asset Test Catalog", KEY + "_asset")
    item = eco.catalog_item(client, game, catalog, asset["ulid"], "asset")
    player = eco.player(client, game)
    result = _by_ids(client, player, [item])
    assert len(result["items"]) == 1
    assert result["items"][0]["entity_kind"] == "asset"
    assert result["items"][0]["asset_detail"] is not None
    assert result["items"][0]["asset_detail"]["id"] == asset["ulid"]


def test_list_catalog_items_by_id_with_currency_item_returns_inlined_currency_detail(client: FlaskClient) -> None:
    game = _game(client)
    currency = eco.currency(client, game, "TestGold", "TG")
    catalog = eco.catalog(client, game, "Currency Test Catalog", KEY + "_currency")
    item = eco.catalog_item(client, game, catalog, currency, "currency", "100")
    player = eco.player(client, game)
    result = _by_ids(client, player, [item])
    assert len(result["items"]) == 1
    assert result["items"][0]["entity_kind"] == "currency"
    assert result["items"][0]["currency_detail"]["id"] == currency


def test_list_catalog_items_by_id_with_group_item_returns_inlined_group_with_associations(client: FlaskClient) -> None:
    game = _game(client)
    asset = eco.asset(client, game)
    currency = eco.currency(client, game, "GroupGem", "GG")
    associations = [
        {"entity_kind": "asset", "entity_id": asset["ulid"]},
        {"entity_kind": "currency", "entity_id": currency, "metadata": [{"key": "purchased_amount", "value": "500"}]},
    ]
    group = eco.group_reward(client, game, "Starter Pack", "A bundle of goodies", associations)
    catalog = eco.catalog(client, game, "Group Test Catalog", KEY + "_group")
    item = eco.catalog_item(client, game, catalog, group, "group")
    player = eco.player(client, game)
    result = _by_ids(client, player, [item])
    assert len(result["items"]) == 1
    assert result["items"][0]["entity_kind"] == "group"
    detail = result["items"][0]["group_detail"]
    assert detail["name"] == "Starter Pack"
    assert len(detail["associations"]) == 2
    asset_association = next(a for a in detail["associations"] if a["kind"] == "asset")
    assert asset_association["asset_detail"]["id"] == asset["ulid"]
    currency_association = next(a for a in detail["associations"] if a["kind"] == "currency")
    assert currency_association["currency_detail"]["id"] == currency


def test_list_catalog_items_by_id_with_metadata_include_populates_entry_metadata(client: FlaskClient) -> None:
    game = _game(client)
    asset = eco.asset(client, game)
    catalog = eco.catalog(client, game, "Asset Meta Catalog", KEY + "_asset_meta")
    item = eco.catalog_item(client, game, catalog, asset["ulid"], "asset")
    eco.catalog_item_metadata(client, game, item, "test_key", "test_value")
    eco.publish(client, game, catalog)
    player = eco.player(client, game)
    result = _by_ids(client, player, [item], metadata=True)
    assert len(result["items"]) == 1
    assert result["items"][0]["entity_kind"] == "asset"
    assert len(result["items"][0]["metadata"]) > 0
    assert any(e["key"] == "test_key" for e in result["items"][0]["metadata"])


def test_list_catalog_items_by_id_with_unknown_id_returns_error(client: FlaskClient) -> None:
    game = _game(client)
    player = eco.player(client, game)
    result = _by_ids(client, player, ["01ARZ3NDEKTSV4RRFFQ69G5FAV"])
    assert len(result["errors"]) == 1
    assert result["items"] == []
    assert result["errors"][0]["id"] == "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def test_list_catalog_items_by_id_with_multiple_ids_returns_all_items(client: FlaskClient) -> None:
    game = _game(client)
    first, second = eco.asset(client, game), eco.asset(client, game)
    catalog = eco.catalog(client, game, "Multi Test Catalog", KEY + "_multi")
    item1 = eco.catalog_item(client, game, catalog, first["ulid"], "asset")
    item2 = eco.catalog_item(client, game, catalog, second["ulid"], "asset")
    player = eco.player(client, game)
    result = _by_ids(client, player, [item1, item2])
    assert len(result["items"]) == 2
    assert {i["catalog_listing_id"] for i in result["items"]} == {item1, item2}


def test_list_catalogs_returns_catalogs_array(client: FlaskClient) -> None:
    game = _game(client)
    player = eco.player(client, game)
    response = client.get("/game/catalogs", headers=player["headers"])
    assert response.status_code == 200
    assert response.get_json()["catalogs"] == []


def test_list_catalog_items_with_asset_and_currency_returns_entries_and_lookup_maps(client: FlaskClient) -> None:
    game = _game(client)
    asset = eco.asset(client, game)
    currency = eco.currency(client, game, "TestSilver", "TS")
    catalog = eco.catalog(client, game, "List Items Catalog", KEY + "_list_items")
    eco.catalog_item(client, game, catalog, asset["ulid"], "asset")
    eco.catalog_item(client, game, catalog, currency, "currency", "250")
    eco.publish(client, game, catalog)
    player = eco.player(client, game)
    response = _by_key(client, player, KEY + "_list_items", 10, 1)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert result["catalog"]["key"] == KEY + "_list_items"
    assert len(result["entries"]) == 2
    asset_entry = next(e for e in result["entries"] if e["entity_kind"] == "asset")
    currency_entry = next(e for e in result["entries"] if e["entity_kind"] == "currency")
    assert (
        _detail(result["assets_details"], asset_entry["catalog_listing_id"], asset_entry["entity_id"])["id"]
        == asset["ulid"]
    )
    found = _detail(result["currency_details"], currency_entry["catalog_listing_id"], currency_entry["entity_id"])
    assert found["id"] == currency
    assert result["pagination"]["total"] == 2
    assert result["pagination"]["current_page"] == 1


def test_list_catalog_items_with_group_returns_group_in_lookup_map(client: FlaskClient) -> None:
    game = _game(client)
    asset = eco.asset(client, game)
    group = eco.group_reward(
        client, game, "Bundle Pack", "Group reward bundle", [{"entity_kind": "asset", "entity_id": asset["ulid"]}]
    )
    catalog = eco.catalog(client, game, "Group List Catalog", KEY + "_group_list")
    eco.catalog_item(client, game, catalog, group, "group")
    eco.publish(client, game, catalog)
    player = eco.player(client, game)
    response = _by_key(client, player, KEY + "_group_list", 10, 1)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert len(result["entries"]) == 1
    entry = result["entries"][0]
    assert entry["entity_kind"] == "group"
    assert _detail(result["group_details"], entry["catalog_listing_id"], entry["entity_id"])["name"] == "Bundle Pack"
    # The SDK inlines the group's asset through assets_details, keyed by the group's listing id.
    assert _detail(result["assets_details"], entry["catalog_listing_id"], asset["ulid"])


def test_list_catalog_items_invalid_key_returns_error(client: FlaskClient) -> None:
    game = _game(client)
    player = eco.player(client, game)
    response = _by_key(client, player, "nonexistent_catalog_key_12345", 10, 1)
    assert response.status_code >= 400
    body = response.get_json()
    assert "catalog not found" in body["message"]
    assert body["code"] == "not_found"


def test_list_catalog_items_pagination_returns_correct_page(client: FlaskClient) -> None:
    game = _game(client)
    assets = [eco.asset(client, game) for _ in range(3)]
    catalog = eco.catalog(client, game, "Pagination Test Catalog", KEY + "_pagination")
    for made in assets:
        eco.catalog_item(client, game, catalog, made["ulid"], "asset")
    eco.publish(client, game, catalog)
    player = eco.player(client, game)
    page1 = _by_key(client, player, KEY + "_pagination", 2, 1).get_json()
    assert len(page1["entries"]) == 2
    assert page1["pagination"]["per_page"] == 2
    assert page1["pagination"]["current_page"] == 1
    assert page1["pagination"]["total"] == 3
    assert page1["pagination"]["last_page"] > 1
    page2 = _by_key(client, player, KEY + "_pagination", 2, 2).get_json()
    assert len(page2["entries"]) == 1
    assert page2["pagination"]["current_page"] == 2
    first = {e["catalog_listing_id"] for e in page1["entries"]}
    assert not first & {e["catalog_listing_id"] for e in page2["entries"]}
