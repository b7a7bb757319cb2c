"""Xbox and Stripe store calls over HTTP (strict app): the Xbox service ticket, Xbox Store redemption of receipts
registered in the identity registry (once per game, as the other stores), and Stripe checkout's pending entitlement
with a placeholder link."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from . import ll_economy_helpers as eco
from .ll_admin_helpers import create_game


def _world(client: FlaskClient) -> dict[str, Any]:
    game = create_game(client)
    gems = eco.currency(client, game, "Gems", "GEM")
    catalog = eco.catalog(client, game, "Store", "store")
    item = eco.catalog_item(client, game, catalog, gems, "currency", "500")
    return {"game": game, "gems": gems, "item": item, "player": eco.player(client, game)}


def _gems(client: FlaskClient, world: dict[str, Any]) -> str | None:
    player = world["player"]
    body = eco.ok(client.get(f"/game/balances/wallet/{player['wallet_id']}", headers=player["headers"]))
    return next((b["amount"] for b in body["balances"] if b["currency"]["id"] == world["gems"]), None)


def test_xbox_ticket_answers_what_the_sdk_reads(client: FlaskClient) -> None:
    world = _world(client)
    ticket = client.post("/game/store/xbox/ticket", data="", headers=world["player"]["headers"])
    assert ticket.status_code == 200, ticket.get_json()
    body = ticket.get_json()
    assert body["service_ticket"] and body["expires_in"] == 3600 and body["expires_at"].endswith("Z")
    assert client.post("/game/store/xbox/ticket", json={}).status_code == 401
    as_sent = client.post(
        "/game/store/xbox/ticket", data="", content_type="application/json", headers=world["player"]["headers"]
    )
    assert as_sent.status_code == 200, as_sent.get_json()


def test_xbox_receipts_are_redeemed_once(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    body = {
        "provider": "xbox",
        "id": "xuid-1",
        "token": "xbl-token",
        "data": {"purchases": [{"receipt": "9NBLGGH4R315", "catalog_item_id": world["item"]}]},
    }
    assert client.post("/_mock/identities", json=body).status_code == 201
    wrong_user = {"user_collections_id": "nope", "product_id": "9NBLGGH4R315"}
    assert client.post("/game/store/xbox/redeem", json=wrong_user, headers=headers).status_code == 400
    unknown = {"user_collections_id": "xbl-token", "product_id": "other"}
    assert client.post("/game/store/xbox/redeem", json=unknown, headers=headers).status_code == 400
    good = {"user_collections_id": "xbl-token", "product_id": "9NBLGGH4R315", "character_id": 3}
    assert client.post("/game/store/xbox/redeem", json=good, headers=headers).status_code == 204
    assert _gems(client, world) == "500"
    assert client.post("/game/store/xbox/redeem", json=good, headers=headers).status_code == 409
    assert client.post("/game/store/xbox/redeem", json={"product_id": "x"}, headers=headers).status_code == 400


def test_stripe_checkout_is_a_pending_entitlement(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    made = client.post("/game/store/stripe/checkout", json={"catalog_item_id": world["item"]}, headers=headers)
    assert made.status_code == 200, made.get_json()
    body = made.get_json()
    assert body["checkout_link"].startswith("https://checkout.stripe.com/")
    assert body["entitlement_id"]
    assert _gems(client, world) is None
    other_game = _world(client)
    elsewhere = client.post(
        "/game/store/stripe/checkout", json={"catalog_item_id": world["item"]}, headers=other_game["player"]["headers"]
    )
    assert elsewhere.status_code == 404
    forced = client.post(
        "/game/store/stripe/checkout",
        json={"catalog_item_id": world["item"]},
        headers={**headers, "Prefer": "code=429"},
    )
    assert forced.status_code == 429
