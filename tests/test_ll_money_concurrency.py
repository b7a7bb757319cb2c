"""Money stays exact under concurrency: 16 clients on a live `mockserver serve --workers 4` buy a catalog item,
debit and credit the same few wallets at once. Every balance ends equal to its credits minus its spends, no
balance is ever answered below zero, a refused spend changes nothing, and each successful purchase granted exactly
one asset instance and one entitlement (no duplicated grant, no lost one)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from mockserver.testing import LiveServer

from .ll_admin_helpers import EMAIL, PASSWORD

PLAYERS = 4
CLIENTS = 16  # four per wallet
OPERATIONS = 12
INITIAL, PRICE, DEBIT, CREDIT = 40, 7, 3, 5  # 4 clients spend up to 160 per wallet: it runs dry


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer("--workers", "4").start()
    yield live
    live.stop()


def _call(url: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    response = requests.request(method, f"{url}{path}", json=body, headers=headers or {}, timeout=30)
    return response.status_code, (response.json() if response.content else None)


def _ok(url: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    status, answer = _call(url, method, path, body, headers)
    assert 200 <= status < 300, (path, status, answer)
    return answer


def _world(url: str) -> dict[str, Any]:
    """An admin's game selling one asset for PRICE of a currency with Game API writes, and PLAYERS guests whose
    wallets hold INITIAL."""
    login = _ok(
        url, "POST", "/admin/v1/signup", {"organisation": "o", "name": "n", "email": EMAIL, "password": PASSWORD}
    )
    admin = {"x-auth-token": login["auth_token"]}
    created = {"name": "money", "genre": 1, "organisation_id": login["user"]["organisations"][0]["id"]}
    dev = _ok(url, "POST", "/admin/v1/game", created, admin)["game"]["development"]["id"]
    key = _ok(url, "POST", f"/admin/game/{dev}/api_keys", {"name": "stage", "api_type": "game"}, admin)["api_key"]
    _ok(url, "PUT", f"/admin/game/{dev}/platforms/guest", {"enabled": True, "settings": {}}, admin)
    base = f"/admin/game/{dev}"
    currency = _ok(url, "POST", f"{base}/currencies/currency", {"name": "Gold", "code": "GLD"}, admin)["id"]
    _ok(url, "PATCH", f"{base}/currencies/currency/{currency}/enable-game-writes", {}, admin)
    context = _ok(url, "GET", f"/admin/v1/game/{dev}/assets/contexts", headers=admin)["contexts"][0]["id"]
    asset = _ok(url, "POST", f"/admin/v1/game/{dev}/asset", {"context_id": context, "name": "Sword"}, admin)["asset"]
    catalog = _ok(url, "POST", f"{base}/catalog", {"name": "Shop", "key": "shop"}, admin)["id"]
    item = {"catalog_id": catalog, "entity_id": asset["ulid"], "entity_kind": "asset"}
    listing = _ok(url, "POST", f"{base}/catalog/item", item, admin)["catalog_item_id"]
    _ok(url, "PUT", f"{base}/catalog/item/{listing}", {}, admin)
    price = {"amount": str(PRICE), "currency_id": currency, "catalog_item_id": listing}
    _ok(url, "PUT", f"{base}/catalog/price", price, admin)
    _ok(url, "POST", f"{base}/catalogs/inspired-ibex/v1/catalog/{catalog}/publish", {}, admin)
    players = []
    for n in range(PLAYERS):
        session = _ok(url, "POST", "/game/v2/session/guest", {"game_key": key, "player_identifier": f"p{n}"})
        credit = {"amount": str(INITIAL), "wallet_id": session["wallet_id"], "currency_id": currency}
        _ok(url, "POST", f"{base}/balances/credit", credit, admin)
        players.append({"wallet": session["wallet_id"], "headers": {"x-session-token": session["session_token"]}})
    return {"currency": currency, "listing": listing, "players": players, "asset_id": asset["id"]}


def test_concurrent_purchases_debits_and_credits_stay_exact(server: LiveServer) -> None:
    url = server.url
    world = _world(url)
    currency, listing = world["currency"], world["listing"]

    def client(n: int) -> dict[str, Any]:
        player = world["players"][n % PLAYERS]
        done = {"player": n % PLAYERS, "bought": 0, "debited": 0, "credited": 0, "refused": 0, "amounts": []}
        move = {"wallet_id": player["wallet"], "currency_id": currency}
        for op in range(OPERATIONS):
            if op % 3 == 0:
                purchase = {"wallet_id": player["wallet"], "items": [{"catalog_listing_id": listing, "quantity": 1}]}
                status, answer = _call(url, "POST", "/game/purchase", purchase, player["headers"])
                kind = "bought"
            elif op % 3 == 1:
                status, answer = _call(
                    url, "POST", "/game/balances/debit", {**move, "amount": str(DEBIT)}, player["headers"]
                )
                kind = "debited"
            else:
                status, answer = _call(
                    url, "POST", "/game/balances/credit", {**move, "amount": str(CREDIT)}, player["headers"]
                )
                kind = "credited"
            if status in (200, 204):
                done[kind] += 1
                if answer is not None:
                    done["amounts"].append(int(answer["amount"]))
            else:
                assert status == 400 and "insufficient funds" in answer["message"], (status, answer)
                done["refused"] += 1
        return done

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))

    assert all(amount >= 0 for r in results for amount in r["amounts"])
    assert sum(r["refused"] for r in results) > 0, "the wallets were meant to run dry at times"
    for index, player in enumerate(world["players"]):
        mine = [r for r in results if r["player"] == index]
        bought = sum(r["bought"] for r in mine)
        expected = (
            INITIAL
            + CREDIT * sum(r["credited"] for r in mine)
            - PRICE * bought
            - DEBIT * sum(r["debited"] for r in mine)
        )
        balances = _ok(url, "GET", f"/game/balances/wallet/{player['wallet']}", headers=player["headers"])["balances"]
        assert [int(b["amount"]) for b in balances] == [expected]
        assert expected >= 0
        inventory = _ok(url, "GET", "/game/v1/player/inventory/list?count=200", headers=player["headers"])["inventory"]
        assert sum(1 for i in inventory if i["asset"]["id"] == world["asset_id"]) == bought
        history = _ok(url, "GET", "/game/entitlements?per_page=100", headers=player["headers"])
        assert history["pagination"]["total"] == bought
