"""Currencies, denominations, wallets and balances over HTTP (strict app): the Admin API's set-up, the Game API's
reads and writes, the rules (codes unique, game writes gate, never below zero, exact big amounts), isolation between
players and games, bad input as LootLocker's 400 body, and Prefer forcing."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from . import ll_economy_helpers as eco
from .ll_admin_helpers import TestGame, create_game


def _move(
    client: FlaskClient, player: dict[str, Any], kind: str, currency: str, amount: Any, wallet: str | None = None
) -> Any:
    body = {"amount": amount, "currency_id": currency, "wallet_id": wallet or player["wallet_id"]}
    return client.post(f"/game/balances/{kind}", json=body, headers=player["headers"])


def _balance(client: FlaskClient, player: dict[str, Any], currency: str) -> str | None:
    response = client.get(f"/game/balances/wallet/{player['wallet_id']}", headers=player["headers"])
    assert response.status_code == 200, response.get_json()
    found = [b["amount"] for b in response.get_json()["balances"] if b["currency"]["id"] == currency]
    return found[0] if found else None


def test_currencies_by_code_and_denominations(client: FlaskClient) -> None:
    game = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD", game_writes=False)
    eco.currency(client, game, "Gems", "GEM")
    denomination = client.post(
        game.dev(f"currencies/currency/{gold}/denominations"), json={"name": "bar", "value": 100}, headers=game.headers
    )
    assert denomination.status_code == 200
    assert denomination.get_json()["currency"] == gold and denomination.get_json()["value"] == 100
    player = eco.player(client, game)
    listed = client.get("/game/currencies", headers=player["headers"]).get_json()["currencies"]
    assert [c["code"] for c in listed] == ["GLD", "GEM"]
    assert listed[0]["game_api_writes_enabled"] is False and listed[1]["game_api_writes_enabled"] is True
    one = client.get("/game/currency/code/GLD", headers=player["headers"]).get_json()
    assert one["id"] == gold and one["name"] == "Gold" and one["published_at"]
    denominations = client.get("/game/currency/code/GLD/denominations", headers=player["headers"]).get_json()
    assert [(d["name"], d["value"]) for d in denominations["denominations"]] == [("base", 1), ("bar", 100)]
    assert client.get("/game/currency/code/gld", headers=player["headers"]).status_code == 404


def test_currency_code_is_unique_per_environment(client: FlaskClient) -> None:
    game = create_game(client)
    eco.currency(client, game, "Gold", "GLD")
    again = client.post(game.dev("currencies/currency"), json={"name": "Other", "code": "GLD"}, headers=game.headers)
    assert again.status_code == 409
    other = create_game(client, name="other")
    assert (
        client.post(
            other.dev("currencies/currency"), json={"name": "G", "code": "GLD"}, headers=other.headers
        ).status_code
        == 200
    )


def test_credit_and_debit_need_game_writes_and_never_go_below_zero(client: FlaskClient) -> None:
    game = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD", game_writes=False)
    player = eco.player(client, game)
    refused = _move(client, player, "credit", gold, "10")
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    assert _balance(client, player, gold) is None
    client.patch(game.dev(f"currencies/currency/{gold}/enable-game-writes"), headers=game.headers)
    credited = _move(client, player, "credit", gold, "10")
    assert credited.status_code == 200
    assert credited.get_json()["amount"] == "10" and credited.get_json()["wallet_id"] == player["wallet_id"]
    assert credited.get_json()["currency"]["code"] == "GLD"
    too_much = _move(client, player, "debit", gold, "11")
    assert too_much.status_code == 400 and too_much.get_json()["code"] == "parameter_invalid"
    assert _balance(client, player, gold) == "10"
    assert _move(client, player, "debit", gold, "10").get_json()["amount"] == "0"
    assert _balance(client, player, gold) == "0"  # a spent balance stays listed
    client.patch(game.dev(f"currencies/currency/{gold}/disable-game-writes"), headers=game.headers)
    assert _move(client, player, "credit", gold, "1").status_code == 403


def test_amounts_stay_exact_beyond_64_bits(client: FlaskClient) -> None:
    game = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD")
    player = eco.player(client, game)
    big = str(2**70)
    eco.credit(client, game, player["wallet_id"], gold, big)
    assert _move(client, player, "credit", gold, "1").get_json()["amount"] == str(2**70 + 1)
    assert _move(client, player, "debit", gold, big).get_json()["amount"] == "1"


def test_bad_amounts_are_lootlockers_400(client: FlaskClient) -> None:
    game = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD")
    player = eco.player(client, game)
    for amount in ("-5", "1.5", "abc", "0", "", "9" * 31, True, None):
        response = _move(client, player, "credit", gold, amount)
        assert response.status_code == 400, amount
        assert response.get_json()["code"] in ("parameter_invalid", "parameter_missing"), response.get_json()
    assert _move(client, player, "credit", gold, 7).get_json()["amount"] == "7"  # a JSON integer is accepted
    missing = client.post("/game/balances/credit", json={"amount": "1"}, headers=player["headers"])
    assert missing.status_code == 400 and missing.get_json()["code"] == "parameter_missing"


def test_wallets_by_id_and_holder_and_character_wallets(client: FlaskClient) -> None:
    game = create_game(client)
    player = eco.player(client, game)
    own = client.get(f"/game/wallet/holder/{player['player_ulid']}", headers=player["headers"])
    assert own.status_code == 200
    assert own.get_json() == {"id": player["wallet_id"], "holder_id": player["player_ulid"], "type": "player"}
    assert client.get(f"/game/wallet/{player['wallet_id']}", headers=player["headers"]).get_json() == own.get_json()
    # The SDK creates a wallet after a 404 from wallet/holder, then asks again.
    character = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    assert client.get(f"/game/wallet/holder/{character}", headers=player["headers"]).status_code == 404
    created = client.post(
        "/game/wallet", json={"holder_id": character, "holder_type": "character"}, headers=player["headers"]
    )
    assert created.status_code == 200
    wallet = created.get_json()["wallet_id"]
    again = client.get(f"/game/wallet/holder/{character}", headers=player["headers"]).get_json()
    assert again == {"id": wallet, "holder_id": character, "type": "character"}
    twice = client.post(
        "/game/wallet", json={"holder_id": character, "holder_type": "character"}, headers=player["headers"]
    )
    assert twice.status_code == 409
    mine = client.post(
        "/game/wallet", json={"holder_id": player["player_ulid"], "holder_type": "player"}, headers=player["headers"]
    )
    assert mine.status_code == 409
    bad = client.post("/game/wallet", json={"holder_id": character, "holder_type": "clan"}, headers=player["headers"])
    assert bad.status_code == 400


def test_other_players_and_games_wallets_are_invisible(client: FlaskClient) -> None:
    game = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD")
    alice, bob = eco.player(client, game), eco.player(client, game)
    eco.credit(client, game, bob["wallet_id"], gold, "50")
    for path in (
        f"/game/wallet/{bob['wallet_id']}",
        f"/game/balances/wallet/{bob['wallet_id']}",
        f"/game/wallet/holder/{bob['player_ulid']}",
    ):
        assert client.get(path, headers=alice["headers"]).status_code == 404, path
    assert _move(client, alice, "debit", gold, "50", wallet=bob["wallet_id"]).status_code == 404
    assert _balance(client, bob, gold) == "50"
    other = create_game(client, name="other")
    stranger = eco.player(client, other)
    assert client.get(f"/game/balances/wallet/{bob['wallet_id']}", headers=stranger["headers"]).status_code == 404
    assert _move(client, stranger, "credit", gold, "1").status_code == 404  # another game's currency
    foreign = client.post(
        other.dev("balances/credit"),
        json={"amount": "1", "wallet_id": bob["wallet_id"], "currency_id": gold},
        headers=other.headers,
    )
    assert foreign.status_code == 404


def test_admin_debit_and_lists(client: FlaskClient) -> None:
    game = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD")
    player = eco.player(client, game)
    eco.credit(client, game, player["wallet_id"], gold, "5")
    body = {"amount": "6", "wallet_id": player["wallet_id"], "currency_id": gold}
    assert client.post(game.dev("balances/debit"), json=body, headers=game.headers).status_code == 400
    assert (
        client.post(game.dev("balances/debit"), json={**body, "amount": "5"}, headers=game.headers).get_json()["amount"]
        == "0"
    )
    listed = client.get(game.dev("currencies"), headers=game.headers).get_json()["currencies"]
    assert [c["id"] for c in listed] == [gold]
    denominations = client.get(game.dev(f"currencies/currency/{gold}/denominations"), headers=game.headers).get_json()
    assert [d["name"] for d in denominations["denominations"]] == ["base"]
    assert client.get(game.dev("currencies/currency/NOPE/denominations"), headers=game.headers).status_code == 404


def test_prefer_forces_a_documented_status(client: FlaskClient) -> None:
    game: TestGame = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD")
    player = eco.player(client, game)
    forced = client.get("/game/currencies", headers={**player["headers"], "Prefer": "code=503"})
    assert forced.status_code == 503 and forced.headers["Retry-After"]
    body = {"amount": "5", "currency_id": gold, "wallet_id": player["wallet_id"]}
    refused = client.post("/game/balances/credit", json=body, headers={**player["headers"], "Prefer": "code=429"})
    assert refused.status_code == 429
    assert _balance(client, player, gold) is None  # a forced error changes nothing


def test_legacy_player_balance_reads_the_sessions_account_balance(client: FlaskClient) -> None:
    game = create_game(client)
    player = eco.player(client, game)
    response = client.get("/game/v1/player/balance", headers=player["headers"])
    assert response.status_code == 200
    assert response.get_json() == {"balance": player["account_balance"]} == {"balance": 0}
    assert client.get("/game/v1/player/balance").status_code == 401
