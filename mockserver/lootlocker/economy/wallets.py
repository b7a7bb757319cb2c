"""Wallets and balances: a wallet belongs to one holder (a player or a character) of a game and holds one
balance per currency. Amounts are integers in the currency's smallest unit, sent as decimal strings as
LootLocker sends them ("100"); they are kept as strings in the store and computed with Python ints, so
they stay exact however large they grow. A balance never goes below zero.

Every change is a read-modify-write inside the caller's ONE store.write() transaction (the store serializes
writers across workers), so concurrent debits cannot both spend the same money.

A player's wallet has the id its sessions announce (`wallet_id` of the player document) and exists from the
player's first session on (created here on first use); other holders get a wallet when one is created.
"""

from __future__ import annotations

import re
from typing import Any

from ...store import Tx
from .. import errors, ids
from ..collections import BALANCES, CURRENCIES, PLAYERS, WALLETS

HOLDER_TYPES = ("player", "character")
_AMOUNT = re.compile(r"^[0-9]+$")
MAX_DIGITS = 30  # beyond any real balance; keeps a hostile amount from making huge strings


def parse_amount(value: Any, param: str = "amount", allow_zero: bool = False) -> int:
    """An amount as the SDKs send it (a decimal string of an integer; a JSON integer is accepted too)."""
    if isinstance(value, bool):
        raise errors.invalid(param, "it must be an integer amount")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise errors.invalid(param, "it must be an integer amount as a string")
    if not _AMOUNT.match(text) or len(text) > MAX_DIGITS:
        raise errors.invalid(param, "it must be a non-negative integer amount")
    amount = int(text)
    if amount == 0 and not allow_zero:
        raise errors.invalid(param, "it must be greater than zero")
    return amount


def _wallet_doc(wallet_id: str, game_id: str, holder_id: str, holder_type: str) -> dict[str, Any]:
    return {
        "id": wallet_id,
        "game_id": game_id,
        "holder_id": holder_id,
        "type": holder_type,
        "created_at": ids.iso_now(),
    }


def find_wallet(tx: Tx, game_id: str, wallet_id: str) -> dict[str, Any] | None:
    """A wallet of this game by id; a player's wallet that was never touched is created on the way."""
    wallet = tx.get(WALLETS, wallet_id)
    if wallet is not None:
        return wallet if wallet["game_id"] == game_id else None
    players = tx.find(PLAYERS, wallet_id=wallet_id)
    if players and players[0]["game_id"] == game_id:
        return wallet_for_holder(tx, game_id, players[0]["id"], "player", create=True)
    return None


def wallet_for_holder(
    tx: Tx, game_id: str, holder_ulid: str, holder_type: str = "player", create: bool = True
) -> dict[str, Any]:
    """The holder's wallet (created when `create`); 404 when the holder has none and `create` is False, or
    when the holder is not of this game."""
    holder_ulid = holder_ulid.upper()
    for wallet in tx.find(WALLETS, holder_id=holder_ulid):
        if wallet["game_id"] == game_id:
            return wallet
    player = tx.get(PLAYERS, holder_ulid)
    if player is not None and player["game_id"] != game_id:
        raise errors.not_found("No wallet for that holder in this game.")
    if player is not None and holder_type == "player":
        # The wallet the player's sessions announce: it exists as soon as the player does.
        wallet = _wallet_doc(player["wallet_id"], game_id, holder_ulid, "player")
        tx.put(WALLETS, wallet["id"], wallet)
        return wallet
    if not create:
        raise errors.not_found("No wallet for that holder in this game.")
    wallet = _wallet_doc(ids.ulid(), game_id, holder_ulid, holder_type)
    tx.put(WALLETS, wallet["id"], wallet)
    return wallet


def _wallet(tx: Tx, game_id: str, wallet_id: str) -> dict[str, Any]:
    wallet = find_wallet(tx, game_id, wallet_id)
    if wallet is None:
        raise errors.not_found("No wallet with that id in this game.")
    return wallet


def _currency(tx: Tx, game_id: str, currency_id: str) -> dict[str, Any]:
    currency = tx.get(CURRENCIES, currency_id)
    if currency is None or currency["game_id"] != game_id:
        raise errors.not_found("No currency with that id in this game.")
    return currency


def _balance_id(wallet_id: str, currency_id: str) -> str:
    return f"{wallet_id}:{currency_id}"


def _balance(tx: Tx, wallet: dict[str, Any], currency: dict[str, Any]) -> dict[str, Any]:
    found = tx.get(BALANCES, _balance_id(wallet["id"], currency["id"]))
    if found is not None:
        return found
    return {
        "wallet_id": wallet["id"],
        "currency_id": currency["id"],
        "game_id": wallet["game_id"],
        "amount": "0",
        "created_at": ids.iso_now(),
    }


def balance_view(balance: dict[str, Any], currency: dict[str, Any]) -> dict[str, Any]:
    """A balance as the Game API shows it (BalanceRequests.cs: amount, currency, wallet_id, created_at)."""
    return {
        "amount": balance["amount"],
        "currency": {
            "id": currency["id"],
            "name": currency["name"],
            "code": currency["code"],
            "created_at": currency["created_at"],
        },
        "wallet_id": balance["wallet_id"],
        "created_at": balance["created_at"],
    }


def amount_of(tx: Tx, game_id: str, wallet_id: str, currency_id: str) -> int:
    balance = tx.get(BALANCES, _balance_id(wallet_id, currency_id))
    return int(balance["amount"]) if balance is not None and balance["game_id"] == game_id else 0


def change(tx: Tx, game_id: str, wallet_id: str, currency_id: str, delta: int) -> dict[str, Any]:
    """Add `delta` (negative: spend) to a balance in the caller's transaction; 400 when it would go below
    zero. Returns the balance as the Game API shows it."""
    wallet = _wallet(tx, game_id, wallet_id)
    currency = _currency(tx, game_id, currency_id)
    balance = _balance(tx, wallet, currency)
    amount = int(balance["amount"]) + delta
    if amount < 0:
        raise errors.LootLockerError(
            400, "insufficient_funds", "The wallet does not hold enough of that currency.", "amount"
        )
    balance["amount"] = str(amount)
    tx.put(BALANCES, _balance_id(wallet["id"], currency["id"]), balance)
    return balance_view(balance, currency)


def credit(tx: Tx, game_id: str, wallet_id: str, currency_id: str, amount: str) -> dict[str, Any]:
    """Credit a wallet (for other features: rewards, purchases); the amount as LootLocker sends it."""
    return change(tx, game_id, wallet_id, currency_id, parse_amount(amount))


def debit(tx: Tx, game_id: str, wallet_id: str, currency_id: str, amount: str) -> dict[str, Any]:
    return change(tx, game_id, wallet_id, currency_id, -parse_amount(amount))


def balances(tx: Tx, game_id: str, wallet_id: str) -> list[dict[str, Any]]:
    """Every balance the wallet has held (a balance spent to zero stays listed with "0")."""
    wallet = _wallet(tx, game_id, wallet_id)
    found = []
    for balance in tx.find(BALANCES, wallet_id=wallet["id"]):
        currency = tx.get(CURRENCIES, balance["currency_id"])
        if currency is not None:
            found.append(balance_view(balance, currency))
    return found
