"""Admin set-up of the economy's money (LootLockerTestConfigurationCurrency.cs, ...GameAdmin.cs): currencies and
their denominations, enabling Game API writes on a currency, and crediting or debiting any wallet of the environment
(a player's wallet is the `wallet_id` of its session answer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from ...store import Tx
from .. import errors
from ..economy import currencies, wallets

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    game_id = admin.game_id

    def create(call: Call) -> Reply:
        with admin.store.write() as tx:
            return Reply(200, currencies.view(currencies.create(tx, game_id(call), call.body)))

    def listed(call: Call) -> Reply:
        return Reply(
            200, {"currencies": [currencies.view(c) for c in currencies.of_game(admin.store.read(), game_id(call))]}
        )

    def currency_of(tx: Tx, call: Call) -> currencies.Currency:
        currency = currencies.get(tx, game_id(call), call.path["currency_id"])
        if currency is None:
            raise errors.not_found("No currency with that id in this game.")
        return currency

    def add_denomination(call: Call) -> Reply:
        with admin.store.write() as tx:
            currency = currency_of(tx, call)
            made = currencies.add_denomination(tx, currency, str(call.body["name"]), int(call.body["value"]))
            return Reply(200, currencies.denomination_view(made))

    def list_denominations(call: Call) -> Reply:
        tx = admin.store.read()
        return Reply(200, {"denominations": currencies.denominations(tx, currency_of(tx, call))})

    def game_writes(enabled: bool) -> Handler:
        def handler(call: Call) -> Reply:
            with admin.store.write() as tx:
                currencies.set_game_writes(tx, game_id(call), call.path["currency_id"], enabled)
            return Reply(200, {})

        return handler

    def move(sign: int) -> Handler:
        def handler(call: Call) -> Reply:
            body = call.body
            amount = wallets.parse_amount(body["amount"])
            with admin.store.write() as tx:
                wallet = wallets.find_wallet(tx, game_id(call), str(body["wallet_id"]).strip().upper())
                if wallet is None:
                    raise errors.not_found("No wallet with that id in this game.")
                return Reply(
                    200, wallets.change(tx, game_id(call), wallet["id"], str(body["currency_id"]), sign * amount)
                )

        return handler

    return {
        "adminCreateCurrency": create,
        "adminListCurrencies": listed,
        "adminCreateDenomination": add_denomination,
        "adminListDenominations": list_denominations,
        "adminEnableCurrencyGameWrites": game_writes(True),
        "adminDisableCurrencyGameWrites": game_writes(False),
        "adminCreditBalance": move(1),
        "adminDebitBalance": move(-1),
    }
