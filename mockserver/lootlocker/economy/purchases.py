"""Purchases of catalog items with a wallet, their entitlements, and refunds.

A purchase names a wallet the player may use and `items: [{catalog_listing_id, quantity}]`. Inside ONE store
transaction it checks every item (of this game, purchasable), adds up the prices (every price of an item is paid,
once per unit: an item priced in two currencies costs both), checks the wallet holds all of it, debits it, and hands
out what each unit sells: an asset instance into the player's inventory (economy/inventory.grant, source "purchase"),
a currency amount into the paying wallet, progression points or a reset to the player, or each part of a group. So
concurrent purchases never spend the same money twice, and a purchase is all or nothing.

Each purchase is an entitlement (`ENTITLEMENTS`): `{id, game_id, player_id, wallet_id, status, error, store: lootlocker,
type: one_time_purchase, items, paid: [{currency_id, amount}], grants: [...], created_at, refunded_at, order}`.
`POST purchase` answers 204 or the error; the asynchronous one (`purchase/inspired-ibex/v1`) answers the
entitlement's id at once and records a failure (insufficient funds, an item not purchasable) as status `failed` with
its `error`, which `retry` runs again. The mock completes a purchase before answering, so a status poll reads `active`
(or `failed`) the first time.

A refund (`refund/v1`, allowed when the Admin API's `global_refunds` config has `allow_player_requested_refunds`)
pays the prices back into the wallet, removes the granted instances still in the inventory (else `skipped`), takes
currency rewards back from the wallet as far as it holds them (`currency_clawback`; the rest is an
`insufficient_funds` warning), and reports progression rewards as `non_reversible_rewards`; an entitlement refunded
before is an `already_refunded` warning, a non-refundable item or a real-money store purchase (economy/stores.py) a
`refund_failed` warning.
"""

from __future__ import annotations

import time
from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids, progressions
from ..admin import config
from ..collections import ASSET_INSTANCES, ENTITLEMENTS, GAMES
from . import catalogs, currencies, inventory, wallets

MAX_QUANTITY = 10_000  # a unit is granted one by one: a bound keeps one request's work small

Entitlement = dict[str, Any]


class PurchaseFailed(Exception):
    """What an asynchronous purchase records as its `error` (a LootLockerError for the synchronous one)."""

    def __init__(self, error: errors.LootLockerError) -> None:
        super().__init__(error.message)
        self.error = error


def _lines(tx: Tx, game_id: str, items: list[dict[str, Any]]) -> list[tuple[catalogs.Item, int]]:
    if not items:
        raise errors.invalid("items", "it must name at least one catalog item")
    lines = []
    for index, line in enumerate(items):
        quantity = line.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise errors.invalid(f"items.{index}.quantity", f"it must be an integer from 1 to {MAX_QUANTITY}")
        item = catalogs.get_item(tx, game_id, str(line.get("catalog_listing_id") or ""))
        if item is None:
            raise errors.not_found(f"No catalog item '{line.get('catalog_listing_id')}' in this game.")
        lines.append((item, quantity))
    return lines


def _check(tx: Tx, game_id: str, wallet: dict[str, Any], lines: list[tuple[catalogs.Item, int]]) -> dict[str, int]:
    """The total per currency; raises (changing nothing) when an item cannot be bought or the wallet is short."""
    totals: dict[str, int] = {}
    for index, (item, quantity) in enumerate(lines):
        if not item["purchasable"]:
            raise errors.invalid(f"items.{index}.catalog_listing_id", "that catalog item is not purchasable")
        if not catalogs.available(tx, game_id, item):
            raise errors.invalid(f"items.{index}.catalog_listing_id", "what that item sells no longer exists")
        for price in item["prices"]:
            totals[price["currency_id"]] = totals.get(price["currency_id"], 0) + int(price["amount"]) * quantity
    for currency_id, total in totals.items():
        held = wallets.amount_of(tx, game_id, wallet["id"], currency_id)
        if held < total:
            currency = currencies.get(tx, game_id, currency_id) or {"code": currency_id}
            raise errors.invalid(
                "items", f"insufficient funds: the purchase costs {total} {currency['code']}, the wallet holds {held}"
            )
    return totals


def _grant_one(
    tx: Tx, game: dict[str, Any], player_id: str, wallet: dict[str, Any], kind: str, entity_id: str, amount: Any
) -> dict[str, Any]:
    game_id = str(game["id"])
    if kind == "asset":
        instance = inventory.grant(tx, game_id, player_id, entity_id, "purchase")
        asset = inventory.find_asset(tx, game_id, entity_id) or {}
        return {
            "kind": "asset",
            "entity_id": entity_id,
            "asset_id": int(instance["asset_id"]),
            "name": asset.get("name") or "",
            "instance_id": instance["id"],
        }
    if kind == "currency":
        wallets.change(tx, game_id, wallet["id"], entity_id, int(amount))
        return {"kind": "currency", "entity_id": entity_id, "amount": str(amount)}
    target = catalogs.progression(tx, game_id, entity_id)
    assert target is not None  # checked by catalogs.available
    held = progressions._held(tx, player_id, target) or progressions._new(player_id, target)
    if kind == "progression_points":
        crossed = progressions._set_points(tx, target, held, held["points"] + int(amount))
        progressions._apply_rewards(tx, tx.get(GAMES, game_id) or game, player_id, crossed)
    else:
        progressions._set_points(tx, target, held, 0)
    return {
        "kind": kind,
        "entity_id": entity_id,
        "name": target["name"],
        "amount": None if amount is None else str(amount),
    }


def _grant(tx: Tx, game: dict[str, Any], player_id: str, wallet: dict[str, Any], item: catalogs.Item) -> list[Any]:
    if item["entity_kind"] != "group":
        return [_grant_one(tx, game, player_id, wallet, item["entity_kind"], item["entity_id"], item["amount"])]
    reward = catalogs.group(tx, str(game["id"]), item["entity_id"]) or {"associations": []}
    return [
        _grant_one(tx, game, player_id, wallet, part["kind"], part["entity_id"], part.get("amount"))
        for part in reward["associations"]
    ]


def _apply(tx: Tx, game: dict[str, Any], player_id: str, entitlement: Entitlement, items: list[dict[str, Any]]) -> None:
    """Check, pay and hand out, filling the entitlement in; raises PurchaseFailed before any change."""
    game_id = str(game["id"])
    wallet = wallets.players_wallet(tx, game_id, player_id, entitlement["wallet_id"])
    lines = _lines(tx, game_id, items)
    try:
        totals = _check(tx, game_id, wallet, lines)
    except errors.LootLockerError as error:
        raise PurchaseFailed(error) from error
    for currency_id, total in totals.items():
        if total:
            wallets.change(tx, game_id, wallet["id"], currency_id, -total, "items")
    hand_out(tx, game, player_id, wallet, entitlement, lines)
    entitlement["paid"] = [{"currency_id": c, "amount": str(t)} for c, t in totals.items()]


def hand_out(
    tx: Tx,
    game: dict[str, Any],
    player_id: str,
    wallet: dict[str, Any],
    entitlement: Entitlement,
    lines: list[tuple[catalogs.Item, int]],
) -> None:
    """Hand out what each unit of the lines sells and record it in the (now active) entitlement; also for the
    store redemptions (economy/stores.py), which pay nothing here."""
    grants = []
    for item, quantity in lines:
        for _ in range(quantity):
            grants.extend({**g, "id": ids.ulid()} for g in _grant(tx, game, player_id, wallet, item))
    now = ids.iso_now()
    entitlement.update(
        status="active",
        error=None,
        items=[
            {
                "id": item["id"],
                "catalog_id": item["catalog_id"],
                "reward_kind": item["entity_kind"],
                "reward_id": item["entity_id"],
                "quantity": quantity,
                "purchasable": bool(item["purchasable"]),
                "non_refundable": bool(item["non_refundable"]),
                "created_at": now,
            }
            for item, quantity in lines
        ],
        grants=grants,
    )


def new_entitlement(game_id: str, player_id: str, wallet_id: str) -> Entitlement:
    return {
        "id": ids.ulid(),
        "game_id": game_id,
        "player_id": player_id,
        "wallet_id": str(wallet_id).strip().upper(),
        "status": "pending",
        "error": None,
        "store": "lootlocker",
        "type": "one_time_purchase",
        "items": [],
        "paid": [],
        "grants": [],
        "created_at": ids.iso_now(),
        "refunded_at": None,
        "order": time.time_ns(),
    }


def purchase(tx: Tx, game: dict[str, Any], player_id: str, wallet_id: str, items: list[dict[str, Any]]) -> Entitlement:
    """The synchronous purchase: every failure is an error answer and changes nothing."""
    entitlement = new_entitlement(str(game["id"]), player_id, wallet_id)
    try:
        _apply(tx, game, player_id, entitlement, items)
    except PurchaseFailed as failed:
        raise failed.error from None
    tx.put(ENTITLEMENTS, entitlement["id"], entitlement)
    return entitlement


def start(tx: Tx, game: dict[str, Any], player_id: str, wallet_id: str, items: list[dict[str, Any]]) -> Entitlement:
    """The asynchronous purchase: a request that names nothing buyable (unknown wallet or item, bad quantity) is an
    error answer; a purchase that cannot complete is recorded `failed`."""
    entitlement = new_entitlement(str(game["id"]), player_id, wallet_id)
    try:
        _apply(tx, game, player_id, entitlement, items)
    except PurchaseFailed as failed:
        entitlement.update(status="failed", error=failed.error.message)
        entitlement["request"] = items
    tx.put(ENTITLEMENTS, entitlement["id"], entitlement)
    return entitlement


def owned(tx: Tx, game_id: str, player_id: str, entitlement_id: str) -> Entitlement:
    found = tx.get(ENTITLEMENTS, str(entitlement_id).strip().upper())
    if found is None or found["game_id"] != game_id or found["player_id"] != player_id:
        raise errors.not_found("No entitlement with that id for this player.")
    return found


def retry(tx: Tx, game: dict[str, Any], player_id: str, entitlement_id: str, body: dict[str, Any]) -> Entitlement:
    entitlement = owned(tx, str(game["id"]), player_id, entitlement_id)
    if entitlement["status"] != "failed":
        raise errors.conflict(f"Only a failed purchase can be retried; this one is {entitlement['status']}.")
    if body.get("wallet_id"):
        entitlement["wallet_id"] = str(body["wallet_id"]).strip().upper()
    items = body.get("items") or entitlement.get("request") or []
    try:
        _apply(tx, game, player_id, entitlement, items)
        entitlement.pop("request", None)
    except PurchaseFailed as failed:
        entitlement["error"] = failed.error.message
    tx.put(ENTITLEMENTS, entitlement["id"], entitlement)
    return entitlement


def status_view(entitlement: Entitlement) -> dict[str, Any]:
    body = {"entitlement_id": entitlement["id"], "status": entitlement["status"]}
    if entitlement["error"]:
        body["error"] = entitlement["error"]
    return body


# -- refunds -------------------------------------------------------------------------------------------------------
def refunds_allowed(tx: Tx, game_id: str) -> bool:
    settings = config.get(tx, game_id, "global_refunds") or {}
    return settings.get("allow_player_requested_refunds") is True


def refund(tx: Tx, game: dict[str, Any], player_id: str, entitlement_ids: list[str]) -> dict[str, Any]:
    game_id = str(game["id"])
    if not refunds_allowed(tx, game_id):
        raise errors.forbidden("Player-requested refunds are not enabled for this game.")
    if not entitlement_ids:
        raise errors.invalid("entitlement_ids", "it must name at least one entitlement")
    chosen = [owned(tx, game_id, player_id, e) for e in dict.fromkeys(entitlement_ids)]
    events: list[dict[str, Any]] = []
    refunded: dict[str, int] = {}
    clawback: dict[str, int] = {}
    warnings: list[dict[str, Any]] = []
    for entitlement in chosen:
        details = _refund_one(tx, game_id, player_id, entitlement, events, refunded, clawback)
        if details:
            warnings.append({"entitlement_id": entitlement["id"], "details": details})

    def amounts(totals: dict[str, int]) -> list[dict[str, Any]]:
        shown = []
        for currency_id, amount in totals.items():
            currency = currencies.get(tx, game_id, currency_id) or {"code": ""}
            shown.append({"currency_id": currency_id, "currency_code": currency["code"], "amount": str(amount)})
        return shown

    return {
        "player_inventory_events": events,
        "currency_refunded": amounts(refunded),
        "currency_clawback": amounts(clawback),
        "warnings": warnings,
    }


def _refund_one(
    tx: Tx,
    game_id: str,
    player_id: str,
    entitlement: Entitlement,
    events: list[dict[str, Any]],
    refunded: dict[str, int],
    clawback: dict[str, int],
) -> list[dict[str, Any]]:
    """Reverse one purchase into the running totals; the warnings about it."""
    if entitlement["status"] == "refunded":
        return [{"type": "already_refunded", "message": "The entitlement was refunded before.", "rewards": []}]
    if entitlement["store"] != "lootlocker":
        message = "A store purchase is refunded through its store."
        return [{"type": "refund_failed", "message": message, "rewards": []}]
    if entitlement["status"] != "active":
        return [{"type": "refund_failed", "message": f"The purchase is {entitlement['status']}.", "rewards": []}]
    if any(item.get("non_refundable") for item in entitlement["items"]):
        return [{"type": "refund_failed", "message": "The purchase holds a non-refundable item.", "rewards": []}]
    wallet_id = entitlement["wallet_id"]
    details: list[dict[str, Any]] = []
    for paid in entitlement["paid"]:
        if int(paid["amount"]):
            wallets.change(tx, game_id, wallet_id, paid["currency_id"], int(paid["amount"]))
            refunded[paid["currency_id"]] = refunded.get(paid["currency_id"], 0) + int(paid["amount"])
    non_reversible = []
    for grant in entitlement["grants"]:
        if grant["kind"] == "asset":
            instance = tx.get(ASSET_INSTANCES, grant["instance_id"])
            present = instance is not None and instance["player_id"] == player_id
            if present:
                tx.delete(ASSET_INSTANCES, grant["instance_id"])
            action = "removed" if present else "skipped"
            events.append({"asset_id": grant["asset_id"], "name": grant["name"], "action": action})
        elif grant["kind"] == "currency":
            wanted = int(grant["amount"])
            taken = min(wanted, wallets.amount_of(tx, game_id, wallet_id, grant["entity_id"]))
            if taken:
                wallets.change(tx, game_id, wallet_id, grant["entity_id"], -taken)
                clawback[grant["entity_id"]] = clawback.get(grant["entity_id"], 0) + taken
            if taken < wanted:
                message = f"The wallet held {taken} of the {wanted} granted; the rest stays with the player."
                details.append({"type": "insufficient_funds", "message": message, "rewards": []})
        else:
            non_reversible.append(
                {"kind": grant["kind"], "id": grant["entity_id"], "name": grant["name"], "amount": grant["amount"]}
            )
    if non_reversible:
        message = "Progression rewards cannot be taken back."
        details.append({"type": "non_reversible_rewards", "message": message, "rewards": non_reversible})
    entitlement.update(status="refunded", refunded_at=ids.iso_now())
    tx.put(ENTITLEMENTS, entitlement["id"], entitlement)
    return details


def handlers(store: Store) -> dict[str, Handler]:
    def who(call: Call) -> tuple[dict[str, Any], str]:
        return dict(call.context["game"]), str(call.context["player_id"])

    def buy(call: Call) -> Reply:
        game, player_id = who(call)
        with store.write() as tx:
            purchase(tx, game, player_id, str(call.body["wallet_id"]), list(call.body["items"]))
        return Reply(204)

    def buy_async(call: Call) -> Reply:
        game, player_id = who(call)
        with store.write() as tx:
            entitlement = start(tx, game, player_id, str(call.body["wallet_id"]), list(call.body["items"]))
        return Reply(200, {"entitlement_id": entitlement["id"]})

    def status(call: Call) -> Reply:
        game, player_id = who(call)
        return Reply(200, status_view(owned(store.read(), str(game["id"]), player_id, call.path["entitlement_id"])))

    def again(call: Call) -> Reply:
        game, player_id = who(call)
        with store.write() as tx:
            entitlement = retry(tx, game, player_id, call.path["entitlement_id"], call.body or {})
        return Reply(200, {"entitlement_id": entitlement["id"]})

    def give_back(call: Call) -> Reply:
        game, player_id = who(call)
        wanted = [str(e) for e in call.body["entitlement_ids"]]
        with store.write() as tx:
            return Reply(200, refund(tx, game, player_id, wanted))

    return {
        "purchaseCatalogItems": buy,
        "initiateAsyncPurchase": buy_async,
        "getAsyncPurchaseStatus": status,
        "retryAsyncPurchase": again,
        "refundByEntitlementIds": give_back,
    }


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """For player deletion: the player's entitlements (a redeemed store receipt stays spent)."""
    tx.delete_where(ENTITLEMENTS, player_id=player_id, game_id=game_id)
