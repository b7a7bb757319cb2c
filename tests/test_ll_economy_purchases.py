"""Catalogs, purchases, refunds and entitlements over HTTP (strict app): admin set-up rules, what the Game API shows,
all-or-nothing purchases (prices out of the paying wallet, assets into the inventory, currency into the wallet, group
parts, progression points), asynchronous purchases that fail and are retried, refunds with their warnings, the
entitlement history, isolation between players and games, bad input and Prefer."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from mockserver.lootlocker.collections import BALANCES, ENTITLEMENTS, WALLETS
from mockserver.lootlocker.economy import purchases, wallets
from mockserver.store import Store

from . import ll_economy_helpers as eco
from .ll_admin_helpers import TestGame, create_game

ITEMS = "/game/catalogs/inspired-ibex/v1/catalog/items"


def _shop(client: FlaskClient) -> dict[str, Any]:
    """Gold (no game writes) pays; the catalog sells an asset for 30 gold, 100 gems for 20 gold, and a group
    (an asset and 5 gems) for 10 gold; a player with 100 gold."""
    game = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD", game_writes=False)
    gems = eco.currency(client, game, "Gems", "GEM")
    sword = eco.asset(client, game)
    catalog = eco.catalog(client, game, "Shop", "shop")
    sword_item = eco.catalog_item(client, game, catalog, sword["ulid"], "asset")
    gems_item = eco.catalog_item(client, game, catalog, gems, "currency", "100")
    bundle = eco.group_reward(
        client,
        game,
        "Bundle",
        "A sword and gems",
        [
            {"entity_kind": "asset", "entity_id": sword["ulid"]},
            {"entity_kind": "currency", "entity_id": gems, "metadata": [{"key": "purchased_amount", "value": "5"}]},
        ],
    )
    bundle_item = eco.catalog_item(client, game, catalog, bundle, "group")
    eco.price(client, game, sword_item, gold, "30")
    eco.price(client, game, gems_item, gold, "20")
    eco.price(client, game, bundle_item, gold, "10")
    eco.publish(client, game, catalog)
    player = eco.player(client, game)
    eco.credit(client, game, player["wallet_id"], gold, "100")
    return {
        "game": game,
        "gold": gold,
        "gems": gems,
        "sword": sword,
        "catalog": catalog,
        "sword_item": sword_item,
        "gems_item": gems_item,
        "bundle_item": bundle_item,
        "player": player,
    }


def _buy(client: FlaskClient, player: dict[str, Any], *items: tuple[str, int], wallet: str | None = None) -> Any:
    body = {
        "wallet_id": wallet or player["wallet_id"],
        "items": [{"catalog_listing_id": i, "quantity": q} for i, q in items],
    }
    return client.post("/game/purchase", json=body, headers=player["headers"])


def _balances(client: FlaskClient, player: dict[str, Any]) -> dict[str, str]:
    answer = client.get(f"/game/balances/wallet/{player['wallet_id']}", headers=player["headers"]).get_json()
    return {b["currency"]["code"]: b["amount"] for b in answer["balances"]}


def _swords(client: FlaskClient, shop: dict[str, Any]) -> int:
    inventory = client.get("/game/v1/player/inventory/list?count=200", headers=shop["player"]["headers"]).get_json()
    return sum(1 for i in inventory["inventory"] if i["asset"]["id"] == shop["sword"]["id"])


def test_catalog_listing_shows_prices_names_and_details(client: FlaskClient) -> None:
    shop = _shop(client)
    answer = client.get(
        "/game/catalogs/inspired-ibex/v1/catalog/key/shop/list", headers=shop["player"]["headers"]
    ).get_json()
    assert [e["catalog_listing_id"] for e in answer["entries"]] == [
        shop["sword_item"],
        shop["gems_item"],
        shop["bundle_item"],
    ]
    sword = answer["entries"][0]
    assert sword["entity_name"] == shop["sword"]["name"] and sword["purchasable"] is True
    assert sword["prices"] == [
        {
            "amount": 30,
            "display_amount": "30 GLD",
            "currency_code": "GLD",
            "currency_name": "Gold",
            "price_id": sword["prices"][0]["price_id"],
            "currency_id": shop["gold"],
        }
    ]
    assert answer["currency_details"][0]["amount"] == "100"
    assert answer["group_details"][0]["associations"][1] == {
        "kind": "currency",
        "id": shop["gems"],
        "catalog_listing_id": shop["bundle_item"],
    }
    assert answer["pagination"]["total"] == 3 and answer["pagination"]["per_page"] == 50
    listed = client.get("/game/catalogs", headers=shop["player"]["headers"]).get_json()["catalogs"]
    assert [(c["key"], c["deleted_at"]) for c in listed] == [("shop", None)]


def test_unpublished_catalog_is_not_listed_by_key_but_items_are_by_id(client: FlaskClient) -> None:
    game = create_game(client)
    sword = eco.asset(client, game)
    catalog = eco.catalog(client, game, "Draft", "draft")
    item = eco.catalog_item(client, game, catalog, sword["ulid"], "asset")
    player = eco.player(client, game)
    response = client.get("/game/catalogs/inspired-ibex/v1/catalog/key/draft/list", headers=player["headers"])
    assert response.status_code == 404 and "catalog not found" in response.get_json()["message"]
    assert (
        client.post(ITEMS, json={"ids": [item]}, headers=player["headers"]).get_json()["items"][0]["catalog_listing_id"]
        == item
    )
    eco.publish(client, game, catalog)
    assert (
        client.get("/game/catalogs/inspired-ibex/v1/catalog/key/draft/list", headers=player["headers"]).status_code
        == 200
    )


def test_admin_catalog_rules(client: FlaskClient) -> None:
    game = create_game(client)
    catalog = eco.catalog(client, game, "Shop", "shop")
    assert (
        client.post(game.dev("catalog"), json={"name": "Again", "key": "shop"}, headers=game.headers).status_code == 409
    )
    listed = client.get(game.dev("catalogs"), headers=game.headers).get_json()["catalogs"]
    assert [(c["id"], c["key"], c["name"]) for c in listed] == [(catalog, "shop", "Shop")]
    locked = eco.currency(client, game, "Locked", "LCK", game_writes=False)
    body = {
        "catalog_id": catalog,
        "entity_id": locked,
        "entity_kind": "currency",
        "metadata": [{"key": "purchased_amount", "value": "5"}],
    }
    assert client.post(game.dev("catalog/item"), json=body, headers=game.headers).status_code == 400
    open_currency = eco.currency(client, game, "Open", "OPN")
    no_amount = {"catalog_id": catalog, "entity_id": open_currency, "entity_kind": "currency"}
    assert (
        client.post(game.dev("catalog/item"), json=no_amount, headers=game.headers).get_json()["code"]
        == "parameter_missing"
    )
    for kind, entity in (
        ("asset", "01ARZ3NDEKTSV4RRFFQ69G5FAV"),
        ("group", "01ARZ3NDEKTSV4RRFFQ69G5FAV"),
        ("progression_points", "nope"),
    ):
        made = client.post(
            game.dev("catalog/item"),
            json={"catalog_id": catalog, "entity_id": entity, "entity_kind": kind},
            headers=game.headers,
        )
        assert made.status_code == 404, kind
    wrong = client.post(
        game.dev("catalog/item"),
        json={"catalog_id": catalog, "entity_id": "x", "entity_kind": "hat"},
        headers=game.headers,
    )
    assert wrong.status_code == 400
    other = create_game(client, name="other")
    foreign = {
        "catalog_id": catalog,
        "entity_id": open_currency,
        "entity_kind": "currency",
        "metadata": [{"key": "purchased_amount", "value": "1"}],
    }
    assert client.post(other.dev("catalog/item"), json=foreign, headers=other.headers).status_code == 404


def test_toggle_purchasable_and_price_replacement(client: FlaskClient) -> None:
    shop = _shop(client)
    game: TestGame = shop["game"]
    eco.price(client, game, shop["sword_item"], shop["gold"], "40")  # replaces 30
    client.put(game.dev(f"catalog/item/{shop['sword_item']}"), headers=game.headers)  # purchasable → not
    player = shop["player"]
    item = client.post(ITEMS, json={"ids": [shop["sword_item"]]}, headers=player["headers"]).get_json()["items"][0]
    assert item["purchasable"] is False and [p["amount"] for p in item["prices"]] == [40]
    refused = _buy(client, player, (shop["sword_item"], 1))
    assert refused.status_code == 400 and "not purchasable" in refused.get_json()["message"]
    client.put(game.dev(f"catalog/item/{shop['sword_item']}"), headers=game.headers)
    assert _buy(client, player, (shop["sword_item"], 1)).status_code == 204
    assert _balances(client, player)["GLD"] == "60"


def test_purchase_pays_and_hands_out_each_kind(client: FlaskClient) -> None:
    shop = _shop(client)
    player = shop["player"]
    response = _buy(client, player, (shop["sword_item"], 1), (shop["gems_item"], 2), (shop["bundle_item"], 1))
    assert response.status_code == 204, response.get_json()
    assert _balances(client, player) == {"GLD": str(100 - 30 - 2 * 20 - 10), "GEM": str(2 * 100 + 5)}
    assert _swords(client, shop) == 2  # the sword and the bundle's sword
    grants = client.get("/game/v1/player/notification/assets", headers=player["headers"])
    assert grants.status_code == 200


def test_purchase_is_all_or_nothing(client: FlaskClient) -> None:
    shop = _shop(client)
    player = shop["player"]
    short = _buy(client, player, (shop["sword_item"], 3), (shop["gems_item"], 1))
    assert short.status_code == 400 and "insufficient funds" in short.get_json()["message"]
    unknown = _buy(client, player, (shop["sword_item"], 1), ("01ARZ3NDEKTSV4RRFFQ69G5FAV", 1))
    assert unknown.status_code == 404
    for quantity in (0, -1, 10_001):
        assert _buy(client, player, (shop["sword_item"], quantity)).status_code == 400
    assert (
        client.post(
            "/game/purchase", json={"wallet_id": player["wallet_id"], "items": []}, headers=player["headers"]
        ).status_code
        == 400
    )
    assert _balances(client, player) == {"GLD": "100"}
    assert _swords(client, shop) == 0
    assert client.get("/game/entitlements", headers=player["headers"]).get_json()["listings"] == []


def test_purchase_with_another_players_wallet_or_in_another_game_is_refused(client: FlaskClient) -> None:
    shop = _shop(client)
    thief = eco.player(client, shop["game"])
    assert _buy(client, thief, (shop["sword_item"], 1), wallet=shop["player"]["wallet_id"]).status_code == 404
    stranger = eco.player(client, create_game(client, name="other"))
    assert _buy(client, stranger, (shop["sword_item"], 1)).status_code == 404
    assert client.post(ITEMS, json={"ids": [shop["sword_item"]]}, headers=stranger["headers"]).get_json()["items"] == []
    assert (
        client.get("/game/catalogs/inspired-ibex/v1/catalog/key/shop/list", headers=stranger["headers"]).status_code
        == 404
    )
    assert _balances(client, shop["player"]) == {"GLD": "100"}


def test_async_purchase_failure_is_recorded_and_retried(client: FlaskClient) -> None:
    shop = _shop(client)
    player, headers = shop["player"], shop["player"]["headers"]
    body = {"wallet_id": player["wallet_id"], "items": [{"catalog_listing_id": shop["sword_item"], "quantity": 4}]}
    started = client.post("/game/purchase/inspired-ibex/v1", json=body, headers=headers)
    assert started.status_code == 200
    entitlement = started.get_json()["entitlement_id"]
    status = client.get(f"/game/purchase/inspired-ibex/v1/{entitlement}", headers=headers).get_json()
    assert status["status"] == "failed" and "insufficient funds" in status["error"]
    assert _balances(client, player) == {"GLD": "100"}
    assert (
        client.post(f"/game/purchase/inspired-ibex/v1/{entitlement}/retry", json={}, headers=headers).status_code == 200
    )
    assert (
        client.get(f"/game/purchase/inspired-ibex/v1/{entitlement}", headers=headers).get_json()["status"] == "failed"
    )
    eco.credit(client, shop["game"], player["wallet_id"], shop["gold"], "20")
    retried = client.post(f"/game/purchase/inspired-ibex/v1/{entitlement}/retry", json=body, headers=headers)
    assert retried.get_json() == {"entitlement_id": entitlement}
    assert client.get(f"/game/purchase/inspired-ibex/v1/{entitlement}", headers=headers).get_json() == {
        "entitlement_id": entitlement,
        "status": "active",
    }
    assert _balances(client, player) == {"GLD": "0"} and _swords(client, shop) == 4
    assert (
        client.post(f"/game/purchase/inspired-ibex/v1/{entitlement}/retry", json={}, headers=headers).status_code == 409
    )
    other = eco.player(client, shop["game"])
    assert client.get(f"/game/purchase/inspired-ibex/v1/{entitlement}", headers=other["headers"]).status_code == 404


def test_refunds_need_the_game_config_and_reverse_the_purchase(client: FlaskClient) -> None:
    shop = _shop(client)
    player, headers = shop["player"], shop["player"]["headers"]
    body = {"wallet_id": player["wallet_id"], "items": [{"catalog_listing_id": shop["bundle_item"], "quantity": 1}]}
    entitlement = client.post("/game/purchase/inspired-ibex/v1", json=body, headers=headers).get_json()[
        "entitlement_id"
    ]
    refused = client.post("/game/refund/v1", json={"entitlement_ids": [entitlement]}, headers=headers)
    assert refused.status_code == 403
    eco.enable_refunds(client, shop["game"])
    # Spend some of the bundle's gems first: the clawback takes what is left and warns about the rest.
    client.post(
        "/game/balances/debit",
        json={"amount": "3", "currency_id": shop["gems"], "wallet_id": player["wallet_id"]},
        headers=headers,
    )
    refund = client.post("/game/refund/v1", json={"entitlement_ids": [entitlement]}, headers=headers).get_json()
    assert refund["currency_refunded"] == [{"currency_id": shop["gold"], "currency_code": "GLD", "amount": "10"}]
    assert refund["currency_clawback"] == [{"currency_id": shop["gems"], "currency_code": "GEM", "amount": "2"}]
    assert refund["player_inventory_events"] == [
        {"asset_id": shop["sword"]["id"], "name": shop["sword"]["name"], "action": "removed"}
    ]
    assert [d["type"] for d in refund["warnings"][0]["details"]] == ["insufficient_funds"]
    assert _balances(client, player) == {"GLD": "100", "GEM": "0"} and _swords(client, shop) == 0
    again = client.post("/game/refund/v1", json={"entitlement_ids": [entitlement]}, headers=headers).get_json()
    assert again["warnings"][0]["details"][0]["type"] == "already_refunded" and again["currency_refunded"] == []
    assert client.get(f"/game/entitlements/{entitlement}", headers=headers).get_json()["status"] == "refunded"
    assert (
        client.post(
            "/game/refund/v1", json={"entitlement_ids": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]}, headers=headers
        ).status_code
        == 404
    )


def test_entitlement_history_newest_first_with_cursor(client: FlaskClient) -> None:
    shop = _shop(client)
    player, headers = shop["player"], shop["player"]["headers"]
    for item in (shop["sword_item"], shop["gems_item"], shop["bundle_item"]):
        assert _buy(client, player, (item, 1)).status_code == 204
    first = client.get("/game/entitlements?per_page=2", headers=headers).get_json()
    assert [e["items"][0]["id"] for e in first["listings"]] == [shop["bundle_item"], shop["gems_item"]]
    assert first["pagination"] == {"total": 3, "next_cursor": "2", "previous_cursor": None}
    listing = first["listings"][0]
    assert listing["status"] == "active" and listing["store"] == "lootlocker" and listing["type"] == "one_time_purchase"
    assert len(listing["rewards"]) == 2 and listing["items"][0]["reward_kind"] == "group"
    rest = client.get("/game/entitlements?per_page=2&cursor=2", headers=headers).get_json()
    assert [e["items"][0]["id"] for e in rest["listings"]] == [shop["sword_item"]]
    one = client.get(f"/game/entitlements/{listing['id']}", headers=headers).get_json()
    assert one["id"] == listing["id"] and one["items"] == listing["items"]
    other = eco.player(client, shop["game"])
    assert client.get(f"/game/entitlements/{listing['id']}", headers=other["headers"]).status_code == 404
    assert client.get("/game/entitlements", headers=other["headers"]).get_json()["listings"] == []


def test_legacy_cursor_price_list(client: FlaskClient) -> None:
    shop = _shop(client)
    headers = shop["player"]["headers"]
    first = client.get("/game/catalog/key/shop/prices?per_page=2", headers=headers).get_json()
    assert len(first["entries"]) == 2 and first["pagination"] == {
        "total": 3,
        "next_cursor": "2",
        "previous_cursor": None,
    }
    rest = client.get("/game/catalog/key/shop/prices?per_page=2&cursor=2", headers=headers).get_json()
    assert [e["catalog_listing_id"] for e in rest["entries"]] == [shop["bundle_item"]]
    assert rest["group_details"][0]["name"] == "Bundle"


def test_items_by_id_bad_input_and_prefer(client: FlaskClient) -> None:
    shop = _shop(client)
    headers = shop["player"]["headers"]
    assert client.post(ITEMS, json={"ids": []}, headers=headers).status_code == 400
    assert client.post(ITEMS, json={"ids": ["x"] * 101}, headers=headers).status_code == 400
    assert client.post(ITEMS, json={"ids": "x"}, headers=headers).get_json()["code"] == "parameter_invalid"
    forced = client.post(
        "/game/purchase",
        json={"wallet_id": shop["player"]["wallet_id"], "items": [{"catalog_listing_id": shop["sword_item"]}]},
        headers={**headers, "Prefer": "code=500"},
    )
    assert forced.status_code == 500
    assert _balances(client, shop["player"]) == {"GLD": "100"}
    assert _buy(client, shop["player"], (shop["sword_item"], 1)).status_code == 204


def test_progression_points_and_reset_are_sold_to_the_player(client: FlaskClient) -> None:
    game = create_game(client)
    created = client.post(
        game.dev("progressions"),
        json={
            "key": "xp",
            "name": "XP",
            "tiers": [{"step": 1, "points_threshold": 0}, {"step": 2, "points_threshold": 100}],
        },
        headers=game.headers,
    )
    assert created.status_code == 200, created.get_json()
    progression = created.get_json()["id"]
    catalog = eco.catalog(client, game, "Boosts", "boosts")
    boost = eco.catalog_item(client, game, catalog, progression, "progression_points", "60")
    reset = eco.catalog_item(client, game, catalog, progression, "progression_reset")
    eco.publish(client, game, catalog)
    player = eco.player(client, game)
    listing = client.get(
        "/game/catalogs/inspired-ibex/v1/catalog/key/boosts/list", headers=player["headers"]
    ).get_json()
    assert listing["progression_points_details"] == [
        {"key": "xp", "name": "XP", "amount": 60, "id": progression, "catalog_listing_id": boost}
    ]
    assert listing["progression_resets_details"][0]["catalog_listing_id"] == reset
    assert _buy(client, player, (boost, 2)).status_code == 204  # free items: no price
    mine = client.get("/game/player/progressions/xp", headers=player["headers"]).get_json()
    assert mine["points"] == 120 and mine["step"] == 2
    assert _buy(client, player, (reset, 1)).status_code == 204
    assert client.get("/game/player/progressions/xp", headers=player["headers"]).get_json()["points"] == 0
    eco.enable_refunds(client, game)
    entitlement = client.get("/game/entitlements?per_page=1", headers=player["headers"]).get_json()["listings"][0]["id"]
    refund = client.post(
        "/game/refund/v1", json={"entitlement_ids": [entitlement]}, headers=player["headers"]
    ).get_json()
    detail = refund["warnings"][0]["details"][0]
    assert detail["type"] == "non_reversible_rewards"
    assert detail["rewards"] == [{"kind": "progression_reset", "id": progression, "name": "XP", "amount": None}]


def test_forget_player_removes_wallets_balances_and_entitlements(app: Flask, client: FlaskClient) -> None:
    shop = _shop(client)
    player, headers = shop["player"], shop["player"]["headers"]
    character = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    made = client.post("/game/wallet", json={"holder_id": character, "holder_type": "character"}, headers=headers)
    assert _buy(client, player, (shop["sword_item"], 1)).status_code == 204
    other = eco.player(client, shop["game"])
    eco.credit(client, shop["game"], other["wallet_id"], shop["gold"], "7")
    store: Store = app.extensions["mockserver.store"]
    game_id = str(shop["game"].development_id)
    with store.write() as tx:
        wallets.forget_player(tx, game_id, player["player_ulid"])
        purchases.forget_player(tx, game_id, player["player_ulid"])
    tx = store.read()
    assert tx.get(WALLETS, player["wallet_id"]) is None and tx.get(WALLETS, made.get_json()["wallet_id"]) is None
    assert tx.find(BALANCES, wallet_id=player["wallet_id"]) == []
    assert tx.find(ENTITLEMENTS, player_id=player["player_ulid"]) == []
    assert _balances(client, other) == {"GLD": "7"}  # another player's money is untouched
