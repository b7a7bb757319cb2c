"""Real-money store purchases redeemed through LootLocker: Apple App Store, Google Play, Epic Games Store and
PlayStation Store redemptions, and Steam's begin / query / finalise flow. Each hands out what a catalog item of the
game sells (as a purchase does, without a price: the store took the money) and records an entitlement with the
store's name.

The stores' receipts come from the shared identity registry (mockserver/identities.py, `POST /_mock/identities`),
the way sign-ins accept its codes: an identity of the store's provider lists what it bought in its `data`:
`{"purchases": [{"receipt": "<Apple transaction_id | Google purchase_token | Epic entitlement id | PlayStation
transaction_id>", "catalog_item_id": "<catalog listing id>", "product_id"?: "...", "entitlement_label"?: "..."}]}`.
- Apple `{transaction_id}` and Google `{product_id, purchase_token}`: any registered apple / google identity holding
  that receipt (Google's product_id must match when the receipt names one);
- Epic `{account_id, bearer_token, entitlement_ids}`: the epic identity `account_id` whose token is `bearer_token`;
  every id must be one of its receipts;
- PlayStation `{transaction_id, auth_code, entitlement_label}`: the playstation identity whose code or token is
  `auth_code`, holding the receipt `transaction_id` (and `entitlement_label` when the receipt names one);
- Steam: `begin {steam_id, catalog_item_id}` needs a registered steam identity `steam_id` and answers a pending
  entitlement; the purchase is `Approved` at once unless that identity's data says `"steam_approves": false`
  (then `Init`, as a user who has not confirmed in the overlay); `finalise` hands it out (`Succeeded`).
A receipt is redeemed once per game (again → 409); an unknown receipt or a bad token → 400 `parameter_invalid`.
The SDKs' character variants (`class_id`, `character_id`) are accepted and hand out to the player.
"""

from __future__ import annotations

from typing import Any

from ...identities import IDENTITIES
from ...identities import key as identity_key
from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors
from ..collections import ENTITLEMENTS, STORE_RECEIPTS
from . import catalogs, purchases, wallets

STORES = {
    "apple": "apple_app_store",
    "google": "google_play_store",
    "epic": "epic_games_store",
    "playstation": "playstation_network",
    "steam": "steam_store",
    "xbox": "xbox_store",  # redeemed by economy/legacy_purchases.py
}


def _receipts(identity: dict[str, Any] | None) -> list[dict[str, Any]]:
    data = (identity or {}).get("data") or {}
    found = data.get("purchases") if isinstance(data, dict) else None
    return [r for r in found or [] if isinstance(r, dict)]


def _receipt_of(identities: list[dict[str, Any]], receipt: str) -> dict[str, Any] | None:
    for identity in identities:
        for entry in _receipts(identity):
            if str(entry.get("receipt")) == receipt:
                return entry
    return None


def _redeem(tx: Tx, game: dict[str, Any], player_id: str, provider: str, receipt: str, entry: dict[str, Any]) -> Any:
    """Hand out the receipt's catalog item once per game; the entitlement."""
    game_id = str(game["id"])
    used = f"{game_id}:{provider}:{receipt}"
    if tx.get(STORE_RECEIPTS, used) is not None:
        raise errors.conflict("That purchase has already been redeemed.")
    item = catalogs.get_item(tx, game_id, str(entry.get("catalog_item_id") or ""))
    if item is None or not catalogs.available(tx, game_id, item):
        raise errors.not_found("The purchase names no catalog item of this game.")
    wallet = wallets.wallet_for_holder(tx, game_id, player_id, "player")
    entitlement = purchases.new_entitlement(game_id, player_id, wallet["id"])
    purchases.hand_out(tx, game, player_id, wallet, entitlement, [(item, int(entry.get("quantity") or 1))])
    entitlement["store"] = STORES[provider]
    tx.put(ENTITLEMENTS, entitlement["id"], entitlement)
    redeemed = {"id": used, "game_id": game_id, "player_id": player_id, "entitlement_id": entitlement["id"]}
    tx.put(STORE_RECEIPTS, used, redeemed)
    return entitlement


def _unknown(param: str) -> errors.LootLockerError:
    return errors.invalid(param, "the store knows no such purchase")


def apple(tx: Tx, game: dict[str, Any], player_id: str, body: dict[str, Any]) -> None:
    receipt = str(body["transaction_id"])
    entry = _receipt_of(tx.find(IDENTITIES, provider="apple"), receipt)
    if entry is None:
        raise _unknown("transaction_id")
    _redeem(tx, game, player_id, "apple", receipt, entry)


def google(tx: Tx, game: dict[str, Any], player_id: str, body: dict[str, Any]) -> None:
    receipt = str(body["purchase_token"])
    entry = _receipt_of(tx.find(IDENTITIES, provider="google"), receipt)
    if entry is None or (entry.get("product_id") and entry["product_id"] != body.get("product_id")):
        raise _unknown("purchase_token")
    _redeem(tx, game, player_id, "google", receipt, entry)


def epic(tx: Tx, game: dict[str, Any], player_id: str, body: dict[str, Any]) -> None:
    identity = tx.get(IDENTITIES, identity_key("epic", str(body["account_id"])))
    if identity is None or identity["token"] != body["bearer_token"]:
        raise errors.invalid("bearer_token", "it is not a token of that Epic account")
    wanted = [str(e) for e in body["entitlement_ids"]]
    if not wanted:
        raise errors.invalid("entitlement_ids", "it must name at least one entitlement")
    entries = [(receipt, _receipt_of([identity], receipt)) for receipt in wanted]
    for receipt, entry in entries:
        if entry is None:
            raise _unknown("entitlement_ids")
        _redeem(tx, game, player_id, "epic", receipt, entry)


def playstation(tx: Tx, game: dict[str, Any], player_id: str, body: dict[str, Any]) -> None:
    code = str(body["auth_code"])
    owners = tx.find(IDENTITIES, provider="playstation", code=code) or tx.find(
        IDENTITIES, provider="playstation", token=code
    )
    if not owners:
        raise errors.invalid("auth_code", "it is not a code of a PlayStation account")
    receipt = str(body["transaction_id"])
    entry = _receipt_of(owners, receipt)
    label = entry.get("entitlement_label") if entry else None
    if entry is None or (label and label != body.get("entitlement_label")):
        raise _unknown("transaction_id")
    _redeem(tx, game, player_id, "playstation", receipt, entry)


# -- Steam: begin, query, finalise -------------------------------------------------------------------------------
def steam_begin(tx: Tx, game: dict[str, Any], player_id: str, body: dict[str, Any]) -> dict[str, Any]:
    game_id = str(game["id"])
    identity = tx.get(IDENTITIES, identity_key("steam", str(body["steam_id"])))
    if identity is None:
        raise errors.invalid("steam_id", "no such Steam account")
    item = catalogs.get_item(tx, game_id, str(body["catalog_item_id"]))
    if item is None or not catalogs.available(tx, game_id, item):
        raise errors.not_found("No catalog item with that id in this game.")
    wallet = wallets.wallet_for_holder(tx, game_id, player_id, "player")
    entitlement = purchases.new_entitlement(game_id, player_id, wallet["id"])
    data = identity.get("data") or {}
    approved = not (isinstance(data, dict) and data.get("steam_approves") is False)
    entitlement.update(store=STORES["steam"], steam_status="Approved" if approved else "Init", steam_item=item["id"])
    tx.put(ENTITLEMENTS, entitlement["id"], entitlement)
    # The Unity SDK reads `success`, its class `isSuccess`: both are sent.
    return {"success": True, "isSuccess": True, "entitlement_id": entitlement["id"]}


def _steam(tx: Tx, game: dict[str, Any], player_id: str, entitlement_id: str) -> dict[str, Any]:
    entitlement = purchases.owned(tx, str(game["id"]), player_id, entitlement_id)
    if "steam_status" not in entitlement:
        raise errors.not_found("No Steam purchase with that entitlement id.")
    return entitlement


def steam_query(tx: Tx, game: dict[str, Any], player_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"status": _steam(tx, game, player_id, str(body["entitlement_id"]))["steam_status"]}


def steam_finalise(tx: Tx, game: dict[str, Any], player_id: str, body: dict[str, Any]) -> None:
    entitlement = _steam(tx, game, player_id, str(body["entitlement_id"]))
    if entitlement["steam_status"] == "Succeeded":
        raise errors.conflict("That Steam purchase has already been finalised.")
    if entitlement["steam_status"] != "Approved":
        raise errors.invalid("entitlement_id", "the Steam user has not approved the purchase")
    game_id = str(game["id"])
    item = catalogs.get_item(tx, game_id, entitlement["steam_item"])
    if item is None or not catalogs.available(tx, game_id, item):
        raise errors.not_found("The catalog item of that purchase no longer exists.")
    wallet = wallets.wallet_for_holder(tx, game_id, player_id, "player")
    purchases.hand_out(tx, game, player_id, wallet, entitlement, [(item, 1)])
    entitlement["steam_status"] = "Succeeded"
    tx.put(ENTITLEMENTS, entitlement["id"], entitlement)


def handlers(store: Store) -> dict[str, Handler]:
    def run(action: Any, status: int = 204) -> Handler:
        def handler(call: Call) -> Reply:
            with store.write() as tx:
                answer = action(tx, dict(call.context["game"]), str(call.context["player_id"]), call.body)
            return Reply(status, answer) if status != 204 else Reply(204)

        return handler

    return {
        "redeemAppleAppStorePurchase": run(apple),
        "redeemGooglePlayStorePurchase": run(google),
        "redeemEpicStorePurchase": run(epic),
        "redeemPlayStationStorePurchase": run(playstation),
        "beginSteamPurchaseRedemption": run(steam_begin, 200),
        "querySteamPurchaseRedemption": run(steam_query, 200),
        "finaliseSteamPurchaseRedemption": run(steam_finalise),
    }
