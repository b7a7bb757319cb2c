"""LootLocker's legacy asset purchases (`/game/v1/purchase`: soft currency, iOS, Android and Steam variants, order
status and details) and the remaining store calls: Xbox's service ticket and redemption, and Stripe checkout.

Legacy purchases (older SDKs): the body is a list. `[{asset_id, variation_id?, rental_option_id?}]` spends the
player's wallet: each asset's `price` (or its rental option's price) in the game's first currency (LootLocker's
old account credits are gone; the mock says which currency it spends in the README), all or nothing inside ONE
write transaction; an asset that is not purchasable (and no rental option named) → 400. `[{receipt_data}]` (iOS)
and `[{asset_id, purchase_token}]` (Android) pay nothing here: the receipt must be in the identity registry (apple /
google identity `data.purchases: [{receipt, asset_id}]`) and is used once per game. `v1/purchase/steam` takes the
soft-currency shape and completes at once (`overlay: true`, the Steam overlay took the money). Every purchase is an
order with an integer `order_id` (status `succeeded`), read back by `v1/purchase/{id}` and `.../details`.

Xbox: `store/xbox/ticket` answers a service ticket (opaque, one hour); `store/xbox/redeem {user_collections_id,
product_id}` needs an xbox identity whose token or code is `user_collections_id` holding the receipt `product_id`
(`data.purchases: [{receipt, catalog_item_id}]`), redeemed as the other stores (economy/stores.py). Stripe:
`store/stripe/checkout {catalog_item_id}` records a pending entitlement and answers a placeholder `checkout_link`
(no payment page is served; the entitlement stays `pending`).
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from ...identities import IDENTITIES
from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids, sequences
from ..collections import ENTITLEMENTS, LEGACY_ORDERS, STORE_RECEIPTS
from . import assets, catalogs, currencies, inventory, purchases, stores, wallets

MAX_LINES = 100
TICKET_SECONDS = 3600


def _asset(tx: Tx, game_id: str, line: dict[str, Any]) -> dict[str, Any]:
    asset = inventory.find_asset(tx, game_id, line.get("asset_id"))
    if asset is None:
        raise errors.not_found(f"Asset {line.get('asset_id')} not found.")
    return asset


def _price(asset: dict[str, Any], index: int, line: dict[str, Any]) -> int:
    if line.get("rental_option_id") is not None:
        option = assets.rental_option(asset, line["rental_option_id"])
        if option is None:
            raise errors.invalid(f"{index}.rental_option_id", "the asset has no such rental option")
        return int(option.get("price") or 0)
    if not asset.get("purchasable"):
        raise errors.invalid(f"{index}.asset_id", "that asset is not purchasable")
    return int(asset.get("price") or 0)


def _order(tx: Tx, game_id: str, player_id: str, kind: str, instances: list[dict[str, Any]], paid: Any) -> int:
    number = sequences.next_value(tx, "legacy-orders")
    order = {
        "id": str(number),
        "order_id": number,
        "game_id": game_id,
        "player_id": player_id,
        "kind": kind,
        "status": "succeeded",
        "paid": paid,
        "instance_ids": [i["id"] for i in instances],
        "created_at": ids.iso_now(),
    }
    tx.put(LEGACY_ORDERS, order["id"], order)
    return number


def _grant(tx: Tx, game_id: str, player_id: str, asset: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    variation = line.get("variation_id")
    rental = line.get("rental_option_id")
    return inventory.grant(
        tx,
        game_id,
        player_id,
        asset["asset_id"],
        "purchase",
        variation_id=int(variation) if variation else None,
        rental_option_id=int(rental) if rental is not None else None,
    )


def soft_purchase(tx: Tx, game_id: str, player_id: str, lines: list[dict[str, Any]], kind: str) -> int:
    """Spend the wallet by the assets' prices and grant them; raises (changing nothing) on any bad line."""
    chosen = [(_asset(tx, game_id, line), line) for line in lines]
    total = sum(_price(asset, i, line) for i, (asset, line) in enumerate(chosen))
    paid = None
    if total and kind != "steam":
        held_in = currencies.of_game(tx, game_id)
        if not held_in:
            raise errors.invalid("0.asset_id", "the game has no currency to pay the price in")
        currency = held_in[0]
        wallet = wallets.wallet_for_holder(tx, game_id, player_id, "player")
        held = wallets.amount_of(tx, game_id, wallet["id"], currency["id"])
        if held < total:
            raise errors.invalid("0.asset_id", f"insufficient funds: {total} {currency['code']} needed, {held} held")
        wallets.change(tx, game_id, wallet["id"], currency["id"], -total)
        paid = {"currency_id": currency["id"], "amount": str(total)}
    instances = [_grant(tx, game_id, player_id, asset, line) for asset, line in chosen]
    return _order(tx, game_id, player_id, kind, instances, paid)


def receipt_purchase(tx: Tx, game_id: str, player_id: str, lines: list[dict[str, Any]]) -> int:
    """iOS `receipt_data` or Android `purchase_token` lines: registered receipts, each used once per game."""
    instances = []
    for index, line in enumerate(lines):
        provider, param = ("apple", "receipt_data") if "receipt_data" in line else ("google", "purchase_token")
        receipt = str(line.get(param) or "")
        entry = stores._receipt_of(tx.find(IDENTITIES, provider=provider), receipt) if receipt else None
        wanted = line.get("asset_id")
        if entry is None or (wanted is not None and str(entry.get("asset_id")) != str(wanted)):
            raise errors.invalid(f"{index}.{param}", "the store knows no such purchase")
        used = f"{game_id}:{provider}:{receipt}"
        if tx.get(STORE_RECEIPTS, used) is not None:
            raise errors.conflict("That purchase has already been redeemed.")
        asset = _asset(tx, game_id, {"asset_id": entry.get("asset_id")})
        instances.append(_grant(tx, game_id, player_id, asset, {"variation_id": line.get("variation_id")}))
        tx.put(STORE_RECEIPTS, used, {"id": used, "game_id": game_id, "player_id": player_id})
    return _order(tx, game_id, player_id, "receipt", instances, None)


def _owned_order(tx: Tx, game_id: str, player_id: str, order_id: str) -> dict[str, Any]:
    text = str(order_id).strip()
    order = tx.get(LEGACY_ORDERS, str(int(text))) if text.isdigit() and len(text) < 19 else None
    if order is None or order["game_id"] != game_id or order["player_id"] != player_id:
        raise errors.not_found("No order with that id for this player.")
    return order


def details(tx: Tx, order: dict[str, Any]) -> dict[str, Any]:
    products = []
    for instance_id in order["instance_ids"]:
        instance = tx.get(inventory.ASSET_INSTANCES, instance_id)
        if instance is None:
            continue
        view = inventory.entry(tx, instance)
        products.append(
            {
                "instance_id": instance["instance_id"],
                "variation_id": instance["variation_id"],
                "rental_option_id": instance["rental_option_id"],
                "quantity": 1,
                "asset": view["asset"],
            }
        )
    return {"id": order["order_id"], "status": order["status"], "created_at": order["created_at"], "products": products}


# -- Xbox and Stripe -----------------------------------------------------------------------------------------------
def xbox_redeem(tx: Tx, game: dict[str, Any], player_id: str, body: dict[str, Any]) -> None:
    code = str(body["user_collections_id"])
    owners = tx.find(IDENTITIES, provider="xbox", token=code) or tx.find(IDENTITIES, provider="xbox", code=code)
    if not owners:
        raise errors.invalid("user_collections_id", "it is not a token of an Xbox account")
    receipt = str(body["product_id"])
    entry = stores._receipt_of(owners, receipt)
    if entry is None:
        raise errors.invalid("product_id", "the store knows no such purchase")
    stores._redeem(tx, game, player_id, "xbox", receipt, entry)


def stripe_checkout(tx: Tx, game: dict[str, Any], player_id: str, catalog_item_id: str) -> dict[str, Any]:
    game_id = str(game["id"])
    item = catalogs.get_item(tx, game_id, catalog_item_id)
    if item is None or not catalogs.available(tx, game_id, item):
        raise errors.not_found("No catalog item with that id in this game.")
    wallet = wallets.wallet_for_holder(tx, game_id, player_id, "player")
    entitlement = purchases.new_entitlement(game_id, player_id, wallet["id"])
    entitlement.update(store="stripe", stripe_item=item["id"])
    tx.put(ENTITLEMENTS, entitlement["id"], entitlement)
    # A placeholder under stripe.com's checkout host: the mock serves no payment page (documented).
    link = f"https://checkout.stripe.com/c/pay/cs_test_{entitlement['id'].lower()}"
    return {"checkout_link": link, "entitlement_id": entitlement["id"]}


def handlers(store: Store) -> dict[str, Handler]:
    def who(call: Call) -> tuple[str, str]:
        return str(call.context["game"]["id"]), str(call.context["player_id"])

    def lines_of(call: Call) -> list[dict[str, Any]]:
        lines = call.body
        if not isinstance(lines, list) or not lines:
            raise errors.body_invalid("the body must list at least one purchase")
        return lines

    def buy(call: Call) -> Reply:
        game_id, player_id = who(call)
        lines = lines_of(call)
        with store.write() as tx:
            if any("receipt_data" in line or "purchase_token" in line for line in lines):
                order_id = receipt_purchase(tx, game_id, player_id, lines)
            else:
                order_id = soft_purchase(tx, game_id, player_id, lines, "soft")
        return Reply(200, {"success": True, "overlay": False, "order_id": order_id})

    def buy_steam(call: Call) -> Reply:
        game_id, player_id = who(call)
        lines = lines_of(call)
        with store.write() as tx:
            order_id = soft_purchase(tx, game_id, player_id, lines, "steam")
        return Reply(200, {"success": True, "overlay": True, "order_id": order_id})

    def status(call: Call) -> Reply:
        game_id, player_id = who(call)
        order = _owned_order(store.read(), game_id, player_id, call.path["order_id"])
        return Reply(200, {"success": True, "status": order["status"]})

    def order_details(call: Call) -> Reply:
        game_id, player_id = who(call)
        tx = store.read()
        order = _owned_order(tx, game_id, player_id, call.path["order_id"])
        return Reply(200, {"success": True, "order": details(tx, order)})

    def ticket(call: Call) -> Reply:
        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=TICKET_SECONDS)
        return Reply(
            200,
            {
                "service_ticket": secrets.token_urlsafe(32),
                "expires_in": TICKET_SECONDS,
                "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )

    def xbox(call: Call) -> Reply:
        _, player_id = who(call)
        with store.write() as tx:
            xbox_redeem(tx, dict(call.context["game"]), player_id, call.body)
        return Reply(204)

    def stripe(call: Call) -> Reply:
        _, player_id = who(call)
        with store.write() as tx:
            answer = stripe_checkout(tx, dict(call.context["game"]), player_id, str(call.body["catalog_item_id"]))
        return Reply(200, answer)

    return {
        "legacyPurchaseAssets": buy,
        "legacySteamPurchaseAssets": buy_steam,
        "pollingOrderStatus": status,
        "getOrderDetails": order_details,
        "xboxServiceTicket": ticket,
        "redeemXboxStorePurchase": xbox,
        "createStripeCheckoutSession": stripe,
    }


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """For player deletion: the player's legacy orders."""
    tx.delete_where(LEGACY_ORDERS, player_id=player_id, game_id=game_id)
