"""Currencies of a game environment and their denominations (created through the Admin API), as the Game API lists
them: all currencies, one by code, a currency's denominations.

A currency is `{id, game_id, name, code, game_api_writes_enabled, created_at, published_at}`: its code is unique in
the environment (case-sensitive, as given); it is usable from its creation on, so `published_at` is its creation
time. Creating one with `initial_denomination_name` adds that denomination with value 1 (the currency's smallest
unit). `game_api_writes_enabled` (off until the Admin API enables it) gates the Game API's own credit and debit
calls only; purchases, refunds and rewards move any currency.
"""

from __future__ import annotations

import time
from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids
from ..collections import CURRENCIES, DENOMINATIONS

Currency = dict[str, Any]


def view(currency: Currency) -> dict[str, Any]:
    """A currency as both APIs show it (CurrencyRequests.cs LootLockerCurrency)."""
    return {
        "id": currency["id"],
        "name": currency["name"],
        "code": currency["code"],
        "game_api_writes_enabled": bool(currency["game_api_writes_enabled"]),
        "created_at": currency["created_at"],
        "published_at": currency["published_at"],
    }


def denomination_view(denomination: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": denomination["id"],
        "currency": denomination["currency_id"],
        "name": denomination["name"],
        "value": denomination["value"],
        "created_at": denomination["created_at"],
    }


def of_game(tx: Tx, game_id: str) -> list[Currency]:
    return sorted(tx.find(CURRENCIES, game_id=game_id), key=lambda c: (c.get("order", 0), c["id"]))


def get(tx: Tx, game_id: str, currency_id: str) -> Currency | None:
    """A currency of this game by id (None: unknown here, or another game's)."""
    currency = tx.get(CURRENCIES, str(currency_id).strip().upper())
    return currency if currency is not None and currency["game_id"] == game_id else None


def by_code(tx: Tx, game_id: str, code: str) -> Currency:
    for currency in tx.find(CURRENCIES, game_id=game_id):
        if currency["code"] == code:
            return currency
    raise errors.not_found(f"No currency with the code '{code}' in this game.")


def add_denomination(tx: Tx, currency: Currency, name: str, value: int) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise errors.invalid("name", "it must not be empty")
    if value < 1:
        raise errors.invalid("value", "it must be at least 1")
    for existing in tx.find(DENOMINATIONS, currency_id=currency["id"]):
        if existing["name"] == name:
            raise errors.conflict(f"The currency already has a denomination named '{name}'.")
    denomination = {
        "id": ids.ulid(),
        "currency_id": currency["id"],
        "game_id": currency["game_id"],
        "name": name,
        "value": value,
        "created_at": ids.iso_now(),
    }
    tx.put(DENOMINATIONS, denomination["id"], denomination)
    return denomination


def create(tx: Tx, game_id: str, body: dict[str, Any]) -> Currency:
    name, code = str(body["name"]).strip(), str(body["code"]).strip()
    if not name:
        raise errors.invalid("name", "it must not be empty")
    if not code:
        raise errors.invalid("code", "it must not be empty")
    if any(c["code"] == code for c in tx.find(CURRENCIES, game_id=game_id)):
        raise errors.conflict(f"A currency with the code '{code}' already exists in this game.")
    now = ids.iso_now()
    currency: Currency = {
        "id": ids.ulid(),
        "game_id": game_id,
        "name": name,
        "code": code,
        "game_api_writes_enabled": False,
        "created_at": now,
        "published_at": now,
        "order": time.time_ns(),  # creation order within a second
    }
    tx.put(CURRENCIES, currency["id"], currency)
    initial = body.get("initial_denomination_name")
    if isinstance(initial, str) and initial.strip():
        add_denomination(tx, currency, initial, 1)
    return currency


def set_game_writes(tx: Tx, game_id: str, currency_id: str, enabled: bool) -> Currency:
    currency = get(tx, game_id, currency_id)
    if currency is None:
        raise errors.not_found("No currency with that id in this game.")
    currency["game_api_writes_enabled"] = enabled
    tx.put(CURRENCIES, currency["id"], currency)
    return currency


def denominations(tx: Tx, currency: Currency) -> list[dict[str, Any]]:
    found = tx.find(DENOMINATIONS, currency_id=currency["id"])
    return [denomination_view(d) for d in sorted(found, key=lambda d: (d["value"], d["created_at"], d["id"]))]


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def listed(call: Call) -> Reply:
        return Reply(200, {"currencies": [view(c) for c in of_game(store.read(), game_id(call))]})

    def one(call: Call) -> Reply:
        return Reply(200, view(by_code(store.read(), game_id(call), call.path["code"])))

    def denominations_of(call: Call) -> Reply:
        tx = store.read()
        currency = by_code(tx, game_id(call), call.path["code"])
        return Reply(200, {"denominations": denominations(tx, currency)})

    return {"listCurrencies": listed, "getCurrencyByCode": one, "listDenominationsByCode": denominations_of}
