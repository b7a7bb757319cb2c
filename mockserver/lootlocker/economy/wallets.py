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

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids
from ..collections import BALANCES, CURRENCIES, PLAYERS, WALLETS
from . import currencies

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
        "currency": currencies.view(currency),
        "wallet_id": balance["wallet_id"],
        "created_at": balance["created_at"],
    }


def amount_of(tx: Tx, game_id: str, wallet_id: str, currency_id: str) -> int:
    balance = tx.get(BALANCES, _balance_id(wallet_id, currency_id))
    return int(balance["amount"]) if balance is not None and balance["game_id"] == game_id else 0


def change(tx: Tx, game_id: str, wallet_id: str, currency_id: str, delta: int, param: str = "amount") -> dict[str, Any]:
    """Add `delta` (negative: spend) to a balance in the caller's transaction; 400 when it would go below
    zero. Returns the balance as the Game API shows it."""
    wallet = _wallet(tx, game_id, wallet_id)
    currency = _currency(tx, game_id, currency_id)
    balance = _balance(tx, wallet, currency)
    amount = int(balance["amount"]) + delta
    if amount < 0:
        raise errors.invalid(param, f"insufficient funds: the wallet holds {amount - delta} {currency['code']}")
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


# -- the Game API: a player reaches its own wallet and the wallets it created (for its characters) ------------
def wallet_view(wallet: dict[str, Any]) -> dict[str, Any]:
    # No balance modifiers exist in the mock: the SDKs model `modifiers` as one object, so it is left out.
    return {"id": wallet["id"], "holder_id": wallet["holder_id"], "type": wallet["type"]}


def _reachable(wallet: dict[str, Any] | None, player_id: str) -> bool:
    return wallet is not None and player_id in (wallet["holder_id"], wallet.get("owner_player_id"))


def players_wallet(tx: Tx, game_id: str, player_id: str, wallet_id: str) -> dict[str, Any]:
    """A wallet the session's player may use (its own or one it created); others are unknown (404)."""
    wallet = find_wallet(tx, game_id, str(wallet_id).strip().upper())
    if not _reachable(wallet, player_id):
        raise errors.not_found("No wallet with that id for this player.")
    assert wallet is not None
    return wallet


def holders_wallet(tx: Tx, game_id: str, player_id: str, holder_id: str) -> dict[str, Any]:
    holder_id = holder_id.strip().upper()
    if holder_id == player_id:
        return wallet_for_holder(tx, game_id, player_id, "player")
    for wallet in tx.find(WALLETS, holder_id=holder_id):
        if wallet["game_id"] == game_id and _reachable(wallet, player_id):
            return wallet
    raise errors.not_found("No wallet for that holder.")


def create_wallet(tx: Tx, game_id: str, player_id: str, holder_id: str, holder_type: str) -> dict[str, Any]:
    """POST wallet: the SDKs call it after a 404 from wallet/holder. A player's own wallet always exists (409);
    a character's wallet belongs to the player that creates it."""
    holder_id = holder_id.strip().upper()
    if holder_type not in HOLDER_TYPES:
        raise errors.invalid("holder_type", "it must be player or character")
    if holder_type == "player" or holder_id == player_id:
        if holder_id != player_id:
            raise errors.not_found("No player with that id in this session.")
        raise errors.conflict("The player already has a wallet.")
    if not holder_id or tx.get(PLAYERS, holder_id) is not None:
        raise errors.invalid("holder_id", "it must name a character of the player")
    for wallet in tx.find(WALLETS, holder_id=holder_id):
        if wallet["game_id"] == game_id:
            raise errors.conflict("That holder already has a wallet.")
    wallet = _wallet_doc(ids.ulid(), game_id, holder_id, holder_type)
    wallet["owner_player_id"] = player_id
    tx.put(WALLETS, wallet["id"], wallet)
    return wallet


def handlers(store: Store) -> dict[str, Handler]:
    def ids_of(call: Call) -> tuple[str, str]:
        return str(call.context["game"]["id"]), str(call.context["player_id"])

    def list_balances(call: Call) -> Reply:
        game_id, player_id = ids_of(call)
        with store.write() as tx:  # a player's wallet is created on first use
            wallet = players_wallet(tx, game_id, player_id, call.path["wallet_id"])
            return Reply(200, {"balances": balances(tx, game_id, wallet["id"])})

    def get_wallet(call: Call) -> Reply:
        game_id, player_id = ids_of(call)
        with store.write() as tx:
            return Reply(200, wallet_view(players_wallet(tx, game_id, player_id, call.path["wallet_id"])))

    def get_holders_wallet(call: Call) -> Reply:
        game_id, player_id = ids_of(call)
        with store.write() as tx:
            return Reply(200, wallet_view(holders_wallet(tx, game_id, player_id, call.path["holder_id"])))

    def create(call: Call) -> Reply:
        game_id, player_id = ids_of(call)
        body = call.body
        with store.write() as tx:
            wallet = create_wallet(tx, game_id, player_id, str(body["holder_id"]), str(body["holder_type"]))
        return Reply(200, {"wallet_id": wallet["id"]})

    def move(sign: int) -> Handler:
        def handler(call: Call) -> Reply:
            game_id, player_id = ids_of(call)
            body = call.body
            amount = parse_amount(body["amount"])
            with store.write() as tx:
                wallet = players_wallet(tx, game_id, player_id, str(body["wallet_id"]))
                currency = currencies.get(tx, game_id, str(body["currency_id"]))
                if currency is None:
                    raise errors.not_found("No currency with that id in this game.")
                if not currency["game_api_writes_enabled"]:
                    raise errors.forbidden("Game API writes are not enabled for this currency.")
                return Reply(200, change(tx, game_id, wallet["id"], currency["id"], sign * amount))

        return handler

    return {
        "listBalancesInWallet": list_balances,
        "getWallet": get_wallet,
        "getWalletByHolder": get_holders_wallet,
        "createWallet": create,
        "creditBalance": move(1),
        "debitBalance": move(-1),
        # LootLocker's old account credits are not served: the balance reads 0, as the session's account_balance.
        "getLegacyPlayerBalance": lambda call: Reply(200, {"balance": 0}),
    }


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """For player deletion: the player's wallet and those it created for its characters, with their balances."""
    held = tx.find(WALLETS, holder_id=player_id) + tx.find(WALLETS, owner_player_id=player_id)
    for wallet in held:
        if wallet["game_id"] == game_id:
            tx.delete_where(BALANCES, wallet_id=wallet["id"])
            tx.delete(WALLETS, wallet["id"])
