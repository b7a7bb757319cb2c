"""Helpers of the LootLocker economy tests (no tests here): the Admin API set-up calls of the Unity SDK's test
utilities (LootLockerTestConfigurationCurrency.cs, ...Catalog.cs, ...Asset.cs, ...Group.cs, ...Metadata.cs,
...GameAdmin.cs), with the same paths and bodies."""

from __future__ import annotations

import itertools
from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, guest_session

_names = itertools.count(1)


def ok(response: Any) -> Any:
    assert 200 <= response.status_code < 300, (response.status_code, response.get_json())
    return response.get_json()


def asset_context(client: FlaskClient, game: TestGame) -> int:
    contexts = ok(client.get(f"/admin/v1/game/{game.development_id}/assets/contexts", headers=game.headers))
    return int(contexts["contexts"][0]["id"])


def asset(client: FlaskClient, game: TestGame, context_id: int | None = None, activate: bool = True) -> dict[str, Any]:
    """CreateAsset (+ ActivateAsset): the asset's {id, ulid, name}."""
    context_id = asset_context(client, game) if context_id is None else context_id
    base = f"/admin/v1/game/{game.development_id}"
    name = f"asset {next(_names)}"
    made = ok(client.post(f"{base}/asset", json={"context_id": context_id, "name": name}, headers=game.headers))
    if activate:
        ok(
            client.post(
                f"{base}/asset/{made['asset']['id']}/activate", json={"live_and_dev": True}, headers=game.headers
            )
        )
    return dict(made["asset"])


def currency(client: FlaskClient, game: TestGame, name: str, code: str, game_writes: bool = True) -> str:
    """CreateCurrency (+ EnableCurrencyGameWrites): the currency's id."""
    body = {"name": name, "code": code, "game_id": game.development_id, "initial_denomination_name": "base"}
    made = ok(client.post(game.dev("currencies/currency"), json=body, headers=game.headers))
    if game_writes:
        ok(client.patch(game.dev(f"currencies/currency/{made['id']}/enable-game-writes"), headers=game.headers))
    return str(made["id"])


def catalog(client: FlaskClient, game: TestGame, name: str, key: str) -> str:
    body = {"name": name, "key": key, "game_id": game.development_id}
    return str(ok(client.post(game.dev("catalog"), json=body, headers=game.headers))["id"])


def catalog_item(
    client: FlaskClient, game: TestGame, catalog_id: str, entity_id: str, kind: str, amount: str | None = None
) -> str:
    """CreateCatalogItem + ToggleCatalogItemPurchasable: the catalog item id."""
    key = {"currency": "purchased_amount", "progression_points": "progression_points_amount"}.get(kind)
    body: dict[str, Any] = {
        "game_id": game.development_id,
        "catalog_id": catalog_id,
        "entity_id": entity_id,
        "entity_kind": kind,
    }
    if amount is not None and key is not None:
        body["metadata"] = [{"key": key, "value": amount}]
    item = str(ok(client.post(game.dev("catalog/item"), json=body, headers=game.headers))["catalog_item_id"])
    ok(client.put(game.dev(f"catalog/item/{item}"), headers=game.headers))
    return item


def price(client: FlaskClient, game: TestGame, item_id: str, currency_id: str, amount: str) -> None:
    body = {"amount": amount, "game_id": game.development_id, "currency_id": currency_id, "catalog_item_id": item_id}
    ok(client.put(game.dev("catalog/price"), json=body, headers=game.headers))


def publish(client: FlaskClient, game: TestGame, catalog_id: str) -> None:
    ok(client.post(game.dev(f"catalogs/inspired-ibex/v1/catalog/{catalog_id}/publish"), headers=game.headers))


def credit(client: FlaskClient, game: TestGame, wallet_id: str, currency_id: str, amount: str) -> None:
    body = {"amount": amount, "wallet_id": wallet_id, "currency_id": currency_id}
    ok(client.post(game.dev("balances/credit"), json=body, headers=game.headers))


def group_reward(client: FlaskClient, game: TestGame, name: str, description: str, associations: list[Any]) -> str:
    body = {"name": name, "description": description, "associations": associations}
    return str(ok(client.post(game.dev("reward/group"), json=body, headers=game.headers))["id"])


def catalog_item_metadata(client: FlaskClient, game: TestGame, item_id: str, key: str, value: str) -> None:
    entry = {
        "key": key,
        "type": "string",
        "value": value,
        "tags": ["test"],
        "access": ["game_api.read"],
        "action": "upsert",
    }
    body = {"source": "catalog_item", "source_id": item_id, "entries": [entry]}
    ok(client.post(game.dev("metadata"), json=body, headers=game.headers))


def enable_refunds(client: FlaskClient, game: TestGame) -> None:
    ok(
        client.post(
            game.dev("config/global_refunds"),
            data='{"allow_player_requested_refunds": true}',
            content_type="application/json",
            headers=game.headers,
        )
    )


def player(client: FlaskClient, game: TestGame) -> dict[str, Any]:
    """A guest session: its answer with the `headers` to send (x-session-token)."""
    session = ok(guest_session(client, game))
    return {**session, "headers": {"x-session-token": session["session_token"]}}
