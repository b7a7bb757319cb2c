"""Legacy asset purchases over HTTP (strict app): `POST /game/v1/purchase` spends the player's wallet by the assets'
prices (in the game's first currency) and grants them, all or nothing; iOS / Android receipts registered in the
identity registry pay nothing and are used once; `v1/purchase/steam` completes with `overlay: true`; orders are read
back by id (status, details) and are invisible to other players."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from flask.testing import FlaskClient

from mockserver.testing import LiveServer

from . import ll_economy_helpers as eco
from .ll_admin_helpers import EMAIL, PASSWORD, create_game


def _priced(client: FlaskClient, game: Any, price: int, purchasable: bool = True, **extra: Any) -> dict[str, Any]:
    made = eco.asset(client, game)
    body = {"price": price, "purchasable": purchasable, **extra}
    path = f"/admin/v1/game/{game.development_id}/asset/{made['id']}"
    eco.ok(client.patch(path, json=body, headers=game.headers))
    return made


def _world(client: FlaskClient) -> dict[str, Any]:
    game = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD")
    player = eco.player(client, game)
    eco.credit(client, game, player["wallet_id"], gold, "100")
    return {"game": game, "gold": gold, "player": player}


def _gold(client: FlaskClient, world: dict[str, Any]) -> str | None:
    player = world["player"]
    body = eco.ok(client.get(f"/game/balances/wallet/{player['wallet_id']}", headers=player["headers"]))
    return next((b["amount"] for b in body["balances"] if b["currency"]["id"] == world["gold"]), None)


def _inventory(client: FlaskClient, headers: dict[str, str]) -> list[int]:
    body = eco.ok(client.get("/game/v1/player/inventory/list", headers=headers))
    return sorted(entry["asset"]["id"] for entry in body["inventory"])


def test_soft_currency_purchase_spends_and_grants_and_orders_read_back(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    sword = _priced(client, world["game"], 30)
    shield = _priced(client, world["game"], 50)
    bought = client.post(
        "/game/v1/purchase",
        json=[{"asset_id": sword["id"], "variation_id": 0}, {"asset_id": shield["id"], "variation_id": 0}],
        headers=headers,
    )
    assert bought.status_code == 200, bought.get_json()
    body = bought.get_json()
    assert body["success"] is True and body["overlay"] is False and isinstance(body["order_id"], int)
    assert _gold(client, world) == "20"
    assert _inventory(client, headers) == sorted([sword["id"], shield["id"]])
    status = client.get(f"/game/v1/purchase/{body['order_id']}", headers=headers)
    assert status.status_code == 200 and status.get_json()["status"] == "succeeded"
    details = client.get(f"/game/v1/purchase/{body['order_id']}/details", headers=headers).get_json()
    assert sorted(p["asset"]["id"] for p in details["order"]["products"]) == sorted([sword["id"], shield["id"]])
    assert all(p["quantity"] == 1 for p in details["order"]["products"])


def test_short_wallet_or_unpurchasable_asset_changes_nothing(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    cheap = _priced(client, world["game"], 40)
    dear = _priced(client, world["game"], 70)
    hidden = _priced(client, world["game"], 1, purchasable=False)
    short = client.post(
        "/game/v1/purchase", json=[{"asset_id": cheap["id"]}, {"asset_id": dear["id"]}], headers=headers
    )
    assert short.status_code == 400 and "insufficient funds" in short.get_json()["message"]
    closed = client.post("/game/v1/purchase", json=[{"asset_id": hidden["id"]}], headers=headers)
    assert closed.status_code == 400
    missing = client.post("/game/v1/purchase", json=[{"asset_id": 999999999}], headers=headers)
    assert missing.status_code == 404
    assert client.post("/game/v1/purchase", json=[], headers=headers).status_code == 400
    bad_variation = [{"asset_id": cheap["id"], "variation_id": "x"}]
    assert client.post("/game/v1/purchase", json=bad_variation, headers=headers).status_code == 400
    assert client.post("/game/v1/purchase", json={"asset_id": cheap["id"]}, headers=headers).status_code == 400
    assert _gold(client, world) == "100"
    assert _inventory(client, headers) == []


def test_rental_option_is_paid_at_its_price(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    rental = _priced(
        client, world["game"], 90, purchasable=False, rental_options=[{"name": "day", "duration": 86400, "price": 15}]
    )
    bought = client.post("/game/v1/purchase", json=[{"asset_id": rental["id"], "rental_option_id": 1}], headers=headers)
    assert bought.status_code == 200, bought.get_json()
    assert _gold(client, world) == "85"
    bad = client.post("/game/v1/purchase", json=[{"asset_id": rental["id"], "rental_option_id": 7}], headers=headers)
    assert bad.status_code == 400


def test_ios_and_android_receipts_grant_once(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    sword = _priced(client, world["game"], 30)
    for provider, user, receipt in (("apple", "ios-user", "ios-receipt"), ("google", "android-user", "gp-token")):
        body = {
            "provider": provider,
            "id": user,
            "data": {"purchases": [{"receipt": receipt, "asset_id": sword["id"]}]},
        }
        assert client.post("/_mock/identities", json=body).status_code == 201
    ios = client.post("/game/v1/purchase", json=[{"receipt_data": "ios-receipt"}], headers=headers)
    assert ios.status_code == 200, ios.get_json()
    assert client.post("/game/v1/purchase", json=[{"receipt_data": "ios-receipt"}], headers=headers).status_code == 409
    assert client.post("/game/v1/purchase", json=[{"receipt_data": "forged"}], headers=headers).status_code == 400
    android = [{"asset_id": sword["id"], "purchase_token": "gp-token"}]
    assert client.post("/game/v1/purchase", json=android, headers=headers).status_code == 200
    wrong_asset = [{"asset_id": sword["id"] + 1, "purchase_token": "gp-token"}]
    assert client.post("/game/v1/purchase", json=wrong_asset, headers=headers).status_code == 400
    assert _gold(client, world) == "100"
    assert _inventory(client, headers) == [sword["id"], sword["id"]]


def test_steam_purchase_completes_with_the_overlay(client: FlaskClient) -> None:
    world = _world(client)
    headers = world["player"]["headers"]
    sword = _priced(client, world["game"], 30)
    bought = client.post(
        "/game/v1/purchase/steam", json=[{"asset_id": sword["id"], "variation_id": 0}], headers=headers
    )
    assert bought.status_code == 200 and bought.get_json()["overlay"] is True
    assert _gold(client, world) == "100"
    assert _inventory(client, headers) == [sword["id"]]


def test_orders_are_the_players_own(client: FlaskClient) -> None:
    world = _world(client)
    sword = _priced(client, world["game"], 30)
    order = eco.ok(
        client.post("/game/v1/purchase", json=[{"asset_id": sword["id"]}], headers=world["player"]["headers"])
    )
    other = eco.player(client, world["game"])
    elsewhere = eco.player(client, create_game(client))
    for headers in (other["headers"], elsewhere["headers"]):
        assert client.get(f"/game/v1/purchase/{order['order_id']}", headers=headers).status_code == 404
        assert client.get(f"/game/v1/purchase/{order['order_id']}/details", headers=headers).status_code == 404
    for bad in ("steam-x", "0", "99999999999999999999"):
        assert client.get(f"/game/v1/purchase/{bad}", headers=other["headers"]).status_code == 404
    assert client.get(f"/game/v1/purchase/{order['order_id']}").status_code == 401


def test_prefer_forces_each_status(client: FlaskClient) -> None:
    world = _world(client)
    headers = {**world["player"]["headers"], "Prefer": "code=503"}
    forced = client.post("/game/v1/purchase", json=[{"asset_id": 1}], headers=headers)
    assert forced.status_code == 503
    assert client.get("/game/v1/purchase/1/details", headers=headers).status_code == 503


def test_concurrent_legacy_purchases_never_spend_twice() -> None:
    """12 simultaneous buys of a 30-gold asset on a live `--workers 2` server against a 100-gold wallet: exactly 3
    succeed, the wallet ends at 10, and the inventory holds exactly 3 instances."""
    live = LiveServer("--workers", "2").start()
    try:
        url = live.url

        def call(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
            response = requests.request(method, f"{url}{path}", json=body, headers=headers or {}, timeout=30)
            assert 200 <= response.status_code < 300, (path, response.status_code, response.text)
            return response.json() if response.content else None

        signup = {"organisation": "o", "name": "n", "email": EMAIL, "password": PASSWORD}
        login = call("POST", "/admin/v1/signup", signup)
        admin = {"x-auth-token": login["auth_token"]}
        made = {"name": "legacy", "genre": 1, "organisation_id": login["user"]["organisations"][0]["id"]}
        dev = call("POST", "/admin/v1/game", made, admin)["game"]["development"]["id"]
        key = call("POST", f"/admin/game/{dev}/api_keys", {"name": "stage", "api_type": "game"}, admin)["api_key"]
        call("PUT", f"/admin/game/{dev}/platforms/guest", {"enabled": True, "settings": {}}, admin)
        gold = call("POST", f"/admin/game/{dev}/currencies/currency", {"name": "Gold", "code": "GLD"}, admin)["id"]
        context = call("GET", f"/admin/v1/game/{dev}/assets/contexts", headers=admin)["contexts"][0]["id"]
        asset = call("POST", f"/admin/v1/game/{dev}/asset", {"context_id": context, "name": "Sword"}, admin)["asset"]
        call("PATCH", f"/admin/v1/game/{dev}/asset/{asset['id']}", {"price": 30, "purchasable": True}, admin)
        session = call("POST", "/game/v2/session/guest", {"game_key": key, "player_identifier": "buyer"})
        credit = {"amount": "100", "wallet_id": session["wallet_id"], "currency_id": gold}
        call("POST", f"/admin/game/{dev}/balances/credit", credit, admin)
        headers = {"x-session-token": session["session_token"]}

        def buy(_: int) -> int:
            body = [{"asset_id": asset["id"], "variation_id": 0}]
            return requests.post(f"{url}/game/v1/purchase", json=body, headers=headers, timeout=30).status_code

        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(buy, range(12)))
        assert sorted(statuses) == [200] * 3 + [400] * 9
        balances = call("GET", f"/game/balances/wallet/{session['wallet_id']}", headers=headers)["balances"]
        assert [b["amount"] for b in balances if b["currency"]["id"] == gold] == ["10"]
        inventory = call("GET", "/game/v1/player/inventory/list", headers=headers)["inventory"]
        assert [entry["asset"]["id"] for entry in inventory] == [asset["id"]] * 3
    finally:
        live.stop()


def test_forgetting_a_player_removes_their_orders_only(client: FlaskClient) -> None:
    from mockserver.lootlocker.collections import LEGACY_ORDERS
    from mockserver.lootlocker.economy import legacy_purchases

    world = _world(client)
    other = eco.player(client, world["game"])
    eco.credit(client, world["game"], other["wallet_id"], world["gold"], "100")
    sword = _priced(client, world["game"], 10)
    for buyer in (world["player"], other):
        bought = client.post(
            "/game/v1/purchase", json=[{"asset_id": sword["id"], "variation_id": 0}], headers=buyer["headers"]
        )
        assert bought.status_code == 200, bought.get_json()
    store = client.application.extensions["mockserver.store"]
    mine = store.read().find(LEGACY_ORDERS, player_id=world["player"]["player_ulid"])
    assert len(mine) == 1
    with store.write() as tx:
        legacy_purchases.forget_player(tx, mine[0]["game_id"], world["player"]["player_ulid"])
    assert store.read().find(LEGACY_ORDERS, player_id=world["player"]["player_ulid"]) == []
    assert len(store.read().find(LEGACY_ORDERS, player_id=other["player_ulid"])) == 1
