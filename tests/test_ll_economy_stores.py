"""Store purchases redeemed over HTTP (strict app): receipts registered in the identity registry (POST
/_mock/identities, `data.purchases`) are redeemed once per game for what their catalog item sells; Epic and
PlayStation check the account's token or code; Steam's begin / query / finalise follows the user's approval;
entitlements carry the store's name and are not refundable through LootLocker."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from . import ll_economy_helpers as eco
from .ll_admin_helpers import create_game


def _world(client: FlaskClient) -> dict[str, Any]:
    game = create_game(client)
    gems = eco.currency(client, game, "Gems", "GEM")
    sword = eco.asset(client, game)
    catalog = eco.catalog(client, game, "Store", "store")
    gems_item = eco.catalog_item(client, game, catalog, gems, "currency", "500")
    sword_item = eco.catalog_item(client, game, catalog, sword["ulid"], "asset")
    return {
        "game": game,
        "gems": gems,
        "sword": sword,
        "gems_item": gems_item,
        "sword_item": sword_item,
        "player": eco.player(client, game),
    }


def _register(client: FlaskClient, provider: str, user: str, purchases: list[Any], **extra: Any) -> Any:
    body = {"provider": provider, "id": user, "data": {"purchases": purchases}, **extra}
    response = client.post("/_mock/identities", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _gems(client: FlaskClient, world: dict[str, Any]) -> str | None:
    player = world["player"]
    balances = client.get(f"/game/balances/wallet/{player['wallet_id']}", headers=player["headers"]).get_json()[
        "balances"
    ]
    return next((b["amount"] for b in balances if b["currency"]["id"] == world["gems"]), None)


def test_apple_and_google_receipts_are_redeemed_once(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    _register(client, "apple", "apple-user", [{"receipt": "2000000123", "catalog_item_id": world["gems_item"]}])
    _register(
        client,
        "google",
        "google-user",
        [{"receipt": "tok-1", "product_id": "gems_500", "catalog_item_id": world["gems_item"]}],
    )
    assert (
        client.post(
            "/game/store/apple/redeem", json={"transaction_id": "999", "sandboxed": True}, headers=headers
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/game/store/apple/redeem", json={"transaction_id": "2000000123", "sandboxed": True}, headers=headers
        ).status_code
        == 204
    )
    assert _gems(client, world) == "500"
    again = client.post("/game/store/apple/redeem", json={"transaction_id": "2000000123"}, headers=headers)
    assert again.status_code == 409
    wrong_product = {"product_id": "other", "purchase_token": "tok-1"}
    assert client.post("/game/store/google/redeem", json=wrong_product, headers=headers).status_code == 400
    redeemed = client.post(
        "/game/store/google/redeem",
        json={"product_id": "gems_500", "purchase_token": "tok-1", "class_id": 3},
        headers=headers,
    )
    assert redeemed.status_code == 204
    assert _gems(client, world) == "1000"
    stores = [e["store"] for e in client.get("/game/entitlements", headers=headers).get_json()["listings"]]
    assert stores == ["google_play_store", "apple_app_store"]


def test_epic_and_playstation_check_the_account(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    epic = _register(client, "epic", "epic-account", [{"receipt": "ent-1", "catalog_item_id": world["sword_item"]}])
    body = {"account_id": "epic-account", "bearer_token": "wrong", "entitlement_ids": ["ent-1"], "sandbox_id": "s"}
    assert client.post("/game/store/epic/redeem", json=body, headers=headers).status_code == 400
    assert (
        client.post(
            "/game/store/epic/redeem",
            json={**body, "bearer_token": epic["token"], "entitlement_ids": ["ent-2"]},
            headers=headers,
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/game/store/epic/redeem", json={**body, "bearer_token": epic["token"]}, headers=headers
        ).status_code
        == 204
    )
    inventory = client.get("/game/v1/player/inventory/list", headers=headers).get_json()["inventory"]
    assert [i["asset"]["id"] for i in inventory] == [world["sword"]["id"]]
    psn = _register(
        client,
        "playstation",
        "psn-user",
        [{"receipt": "tx-9", "entitlement_label": "GEMS", "catalog_item_id": world["gems_item"]}],
    )
    psn_body = {"transaction_id": "tx-9", "auth_code": psn["code"], "entitlement_label": "OTHER"}
    assert client.post("/game/store/playstation/redeem", json=psn_body, headers=headers).status_code == 400
    assert (
        client.post(
            "/game/store/playstation/redeem",
            json={**psn_body, "auth_code": "nope", "entitlement_label": "GEMS"},
            headers=headers,
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/game/store/playstation/redeem", json={**psn_body, "entitlement_label": "GEMS"}, headers=headers
        ).status_code
        == 204
    )
    assert _gems(client, world) == "500"


def test_steam_begin_query_finalise(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    _register(client, "steam", "76561198000000001", [])
    _register(client, "steam", "76561198000000002", [], data={"purchases": [], "steam_approves": False})
    unknown = {"steam_id": "1", "currency": "USD", "language": "en", "catalog_item_id": world["gems_item"]}
    assert client.post("/game/store/steam/redeem/begin", json=unknown, headers=headers).status_code == 400
    begun = client.post(
        "/game/store/steam/redeem/begin", json={**unknown, "steam_id": "76561198000000001"}, headers=headers
    )
    assert begun.status_code == 200
    answer = begun.get_json()
    assert answer["success"] is True and answer["isSuccess"] is True
    entitlement = {"entitlement_id": answer["entitlement_id"]}
    assert client.post("/game/store/steam/redeem/query", json=entitlement, headers=headers).get_json() == {
        "status": "Approved"
    }
    assert _gems(client, world) is None
    assert client.post("/game/store/steam/redeem/finalise", json=entitlement, headers=headers).status_code == 204
    assert client.post("/game/store/steam/redeem/query", json=entitlement, headers=headers).get_json() == {
        "status": "Succeeded"
    }
    assert _gems(client, world) == "500"
    assert client.post("/game/store/steam/redeem/finalise", json=entitlement, headers=headers).status_code == 409
    eco.enable_refunds(client, world["game"])
    refund = client.post(
        "/game/refund/v1", json={"entitlement_ids": [answer["entitlement_id"]]}, headers=headers
    ).get_json()
    assert refund["warnings"][0]["details"][0]["type"] == "refund_failed" and _gems(client, world) == "500"
    waiting = client.post(
        "/game/store/steam/redeem/begin", json={**unknown, "steam_id": "76561198000000002"}, headers=headers
    ).get_json()
    pending = {"entitlement_id": waiting["entitlement_id"]}
    assert client.post("/game/store/steam/redeem/query", json=pending, headers=headers).get_json() == {"status": "Init"}
    assert client.post("/game/store/steam/redeem/finalise", json=pending, headers=headers).status_code == 400
    other = eco.player(client, world["game"])
    assert client.post("/game/store/steam/redeem/query", json=pending, headers=other["headers"]).status_code == 404


def test_a_receipt_is_redeemed_once_per_game_and_names_an_item_of_the_game(client: FlaskClient) -> None:
    world = _world(client)
    _register(client, "apple", "apple-user", [{"receipt": "T-1", "catalog_item_id": world["gems_item"]}])
    stranger = eco.player(client, create_game(client, name="other"))
    refused = client.post("/game/store/apple/redeem", json={"transaction_id": "T-1"}, headers=stranger["headers"])
    assert refused.status_code == 404  # the receipt's catalog item is another game's
    assert (
        client.post(
            "/game/store/apple/redeem", json={"transaction_id": "T-1"}, headers=world["player"]["headers"]
        ).status_code
        == 204
    )
    second = eco.player(client, world["game"])
    assert (
        client.post("/game/store/apple/redeem", json={"transaction_id": "T-1"}, headers=second["headers"]).status_code
        == 409
    )
