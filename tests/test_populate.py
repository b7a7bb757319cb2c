"""`mockserver populate`: deterministic people, created the way the APIs create them, usable at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import close_app, create_app
from mockserver.cli import main
from mockserver.config import Config

from . import ll_economy_helpers as eco
from .ll_admin_helpers import create_game
from .login_helpers import AUTH, LOGIN, login_body
from .test_lootlocker_helpers import GAME_KEY, session_headers

pytest_plugins = ("tests.pg",)  # pg_cluster: the tests below run on SQLite and on PostgreSQL

PASSWORD = "populate-password"
_apps: list[Flask] = []


@pytest.fixture(params=["sqlite", "postgresql"])
def new_state(request: Any, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Fresh states of the test's backend: SQLite files, or databases of the session's PostgreSQL cluster."""
    made: list[str] = []

    def make() -> str:
        if request.param == "sqlite":
            made.append(str(tmp_path / f"s{len(made)}.sqlite3"))
        else:
            made.append(request.getfixturevalue("pg_cluster").create_database())
        return made[-1]

    yield make
    while _apps:
        close_app(_apps.pop())  # no background writer left on a database about to be dropped
    if request.param == "postgresql":
        for url in made:
            request.getfixturevalue("pg_cluster").drop_database(url)


def populate(state: str, *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["populate", "--state", state, *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def served(state: str) -> FlaskClient:
    app = create_app(Config(strict=True, state_path=state))
    _apps.append(app)
    return app.test_client()


def seeded(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What follows from the seed: all but the ids and tokens LootLocker's own code paths generate."""
    for person in people:
        for generated in ("session_token", "player_ulid", "public_uid", "player_id", "wallet_id"):
            person["lootlocker"].pop(generated)
    return people


def test_the_same_seed_gives_the_same_people(new_state: Callable[[], str]) -> None:
    first = populate(new_state(), "-n", "30", "--seed", "5")
    again = populate(new_state(), "-n", "30", "--seed", "5")
    other = populate(new_state(), "-n", "30", "--seed", "6")
    assert seeded(first) == seeded(again)
    assert [p["fusionauth"]["email"] for p in other] != [p["fusionauth"]["email"] for p in first]
    emails = [p["fusionauth"]["email"] for p in first]
    assert len(set(emails)) == 30 and all("@" in e and e.isascii() for e in emails)
    assert len({p["fusionauth"]["username"] for p in first}) == 30


def test_workers_and_batch_sizes_do_not_change_the_population(new_state: Callable[[], str]) -> None:
    """Batches are made apart by worker processes and written in order: the same people whatever the split, legacy
    player ids and score sequences continuing from the state's and following the person's index, ranks over all."""
    made = []
    for args in (["--workers", "1", "--batch", "100"], ["--workers", "3", "--batch", "4"]):
        state = new_state()
        client = served(state)
        game = create_game(client)
        board = {"name": "Split", "key": "split", "direction_method": "descending", "type": "player"}
        assert client.post(game.dev("leaderboards"), json=board, headers=game.headers).status_code == 200
        eco.currency(client, game, "Gold", "GLD")
        before = client.post("/game/v2/session/guest", json={"game_key": game.development_api_key}).get_json()
        plan = ["--game-key", game.development_api_key, "--leaderboard", "split", "--currency", "GLD", "--seed", "3"]
        people = populate(state, "-n", "25", *plan, *args)
        assert [p["index"] for p in people] == list(range(25))
        first_id = before["player_id"] + 1  # after the player the state had
        assert [p["lootlocker"]["player_id"] for p in people] == list(range(first_id, first_id + 25))
        assert len({p["lootlocker"]["public_uid"] for p in people}) == 25
        client = served(state)
        headers = session_headers({"session_token": people[24]["lootlocker"]["session_token"]})
        listed = client.get("/game/leaderboards/split/list?count=50", headers=headers).get_json()["items"]
        scores = [p["lootlocker"]["leaderboard"]["score"] for p in people]
        assert [item["rank"] for item in listed] == list(range(1, 26))
        assert [item["score"] for item in listed] == sorted(scores, reverse=True)
        after = client.post("/game/v2/session/guest", json={"game_key": game.development_api_key}).get_json()
        assert after["player_id"] == first_id + 25  # the sequence continues after the population
        for person in people:
            person["lootlocker"].pop("game_key")  # each state's new game has a key of its own
        made.append(seeded(people))
    assert made[0] == made[1]


def test_a_public_uid_two_workers_drew_is_drawn_again_when_the_batch_is_written(tmp_path: Path) -> None:
    from mockserver import jsontext
    from mockserver.app import open_store
    from mockserver.populate import _unique_public_uids

    store = open_store(str(tmp_path / "s.sqlite3"))
    with store.write() as tx:
        tx.put("lootlocker.players", "P0", {"id": "P0", "game_id": "g", "public_uid": "TAKEN234"})
    people, players = [], {}
    for n, uid in enumerate(["TAKEN234", "FRESH234", "FRESH234"]):  # one the state has; one drawn twice
        people.append({"lootlocker": {"player_ulid": f"P{n + 1}", "public_uid": uid}})
        players[f"P{n + 1}"] = jsontext.dumps_document({"id": f"P{n + 1}", "game_id": "g", "public_uid": uid})
    with store.write() as tx:
        _unique_public_uids(tx, "g", (people, {"lootlocker.players": players}))
    uids = [p["lootlocker"]["public_uid"] for p in people]
    assert uids[1] == "FRESH234" and len({"TAKEN234", *uids}) == 4
    assert [jsontext.loads_document(players[f"P{n + 1}"])["public_uid"] for n in range(3)] == uids


def test_a_seed_populated_twice_into_one_state_is_refused(new_state: Callable[[], str]) -> None:
    state = new_state()
    populate(state, "-n", "3", "--seed", "1")
    result = CliRunner().invoke(main, ["populate", "--state", state, "-n", "3", "--seed", "1"])
    assert result.exit_code == 1 and "populated into this state already" in result.output
    assert len(populate(state, "-n", "3", "--seed", "2")) == 3  # another seed adds people


def test_people_sign_in_to_fusionauth_with_their_password_and_their_twitch_code(new_state: Callable[[], str]) -> None:
    state = new_state()
    person = populate(state, "-n", "5", "--seed", "3")[4]
    fusionauth = person["fusionauth"]
    client = served(state)
    login = client.post(
        "/api/login",
        json={"loginId": fusionauth["email"], "password": PASSWORD, "applicationId": fusionauth["applicationId"]},
        headers=AUTH,
    )
    assert login.status_code == 200, login.data
    assert login.get_json()["user"]["id"] == fusionauth["userId"]
    # The Twitch link exists, so a Twitch login lands on the same user; the code is reusable for load scripts.
    for _ in range(2):
        twitch = client.post(LOGIN, json=login_body(person["twitch"]["code"]), headers=AUTH)
        assert twitch.status_code == 200, twitch.data
        assert twitch.get_json()["user"]["id"] == fusionauth["userId"]
    links = client.get(f"/api/identity-provider/link?userId={fusionauth['userId']}", headers=AUTH).get_json()
    assert [link["identityProviderUserId"] for link in links["identityProviderLinks"]] == [person["twitch"]["id"]]


def test_players_have_sessions_connected_accounts_and_guest_sign_in(new_state: Callable[[], str]) -> None:
    state = new_state()
    person = populate(state, "-n", "4", "--seed", "9")[2]
    lootlocker = person["lootlocker"]
    client = served(state)
    headers = session_headers({"session_token": lootlocker["session_token"]})
    accounts = client.get("/game/v1/connected-accounts", headers=headers)
    assert accounts.status_code == 200, accounts.data
    providers = {a["provider"] for a in accounts.get_json()["connected_accounts"]}
    assert {"guest", "twitch"} <= providers
    guest = client.post(
        "/game/v2/session/guest", json={"game_key": GAME_KEY, "player_identifier": lootlocker["player_identifier"]}
    )
    assert guest.status_code == 200, guest.data
    assert guest.get_json()["player_ulid"] == lootlocker["player_ulid"]
    assert guest.get_json()["seen_before"] is True


def test_scores_land_on_the_named_leaderboard_of_the_named_game(new_state: Callable[[], str]) -> None:
    state = new_state()
    client = served(state)
    game = create_game(client)  # set up as a studio does: the Admin API, a board on the development environment
    board = {"name": "Populated", "key": "populated", "direction_method": "descending", "type": "player"}
    assert client.post(game.dev("leaderboards"), json=board, headers=game.headers).status_code == 200
    people = populate(
        state, "-n", "12", "--seed", "4", "--game-key", game.development_api_key, "--leaderboard", "populated"
    )
    assert {p["lootlocker"]["game_key"] for p in people} == {game.development_api_key}
    client = served(state)
    top = client.get(
        "/game/leaderboards/populated/list?count=50",
        headers=session_headers({"session_token": people[0]["lootlocker"]["session_token"]}),
    )
    assert top.status_code == 200, top.data
    listed = [(item["member_id"], item["score"]) for item in top.get_json()["items"]]
    expected = [(str(p["lootlocker"]["player_id"]), p["lootlocker"]["leaderboard"]["score"]) for p in people]
    assert listed == sorted(expected, key=lambda pair: -pair[1])


def test_wallets_hold_the_starting_balance_of_the_named_currency(new_state: Callable[[], str]) -> None:
    state = new_state()
    client = served(state)
    game = create_game(client)
    gold = eco.currency(client, game, "Gold", "GLD")
    people = populate(
        state, "-n", "3", "--seed", "6", "--game-key", game.development_api_key, "--currency", "GLD", "--balance", "250"
    )
    client = served(state)
    for person in people:
        ll = person["lootlocker"]
        assert ll["balance"] == {"currency": "GLD", "amount": "250"}
        headers = {"x-session-token": ll["session_token"]}
        wallet = client.get(f"/game/wallet/holder/{ll['player_ulid']}", headers=headers)
        assert wallet.status_code == 200 and wallet.get_json()["id"] == ll["wallet_id"]
        listed = client.get(f"/game/balances/wallet/{ll['wallet_id']}", headers=headers).get_json()["balances"]
        assert [(b["currency"]["id"], b["amount"]) for b in listed] == [(gold, "250")]
        # Spendable at once, never below zero, as any balance.
        spend = {"amount": "200", "currency_id": gold, "wallet_id": ll["wallet_id"]}
        assert client.post("/game/balances/debit", json=spend, headers=headers).status_code == 200
        assert client.post("/game/balances/debit", json=spend, headers=headers).status_code == 400


def test_an_unknown_currency_or_a_balance_without_one_stops_before_writing(new_state: Callable[[], str]) -> None:
    state = new_state()
    before = served(state).get("/_mock/state").get_json()
    unknown = CliRunner().invoke(main, ["populate", "--state", state, "-n", "2", "--currency", "NOPE"])
    assert unknown.exit_code == 1 and "NOPE" in unknown.output
    alone = CliRunner().invoke(main, ["populate", "--state", state, "-n", "2", "--balance", "5"])
    assert alone.exit_code == 2 and "--balance needs --currency" in alone.output
    assert served(state).get("/_mock/state").get_json() == before


def test_an_unknown_leaderboard_stops_before_writing(new_state: Callable[[], str]) -> None:
    state = new_state()
    result = CliRunner().invoke(main, ["populate", "--state", state, "-n", "2", "--leaderboard", "nope"])
    assert result.exit_code == 1 and "populate stopped" in result.output
    assert "mockserver populate" not in json.dumps(served(state).get("/_mock/state").get_json())


def test_an_identity_without_names_gets_stable_faker_ones(client: FlaskClient) -> None:
    first = client.post("/_mock/identities", json={"provider": "twitch", "id": "777"})
    again = client.post("/_mock/identities", json={"provider": "twitch", "id": "777"})
    assert first.status_code == again.status_code == 201
    one, two = first.get_json(), again.get_json()
    assert (one["username"], one["email"]) == (two["username"], two["email"])
    assert one["username"] and "@" in one["email"]
    other = client.post("/_mock/identities", json={"provider": "twitch", "id": "778"}).get_json()
    assert other["email"] != one["email"]


def test_an_identity_naming_either_is_kept_as_given(client: FlaskClient) -> None:
    # QA reproduces Twitch accounts without a username (MissingUsername) or without an email.
    only_email = client.post("/_mock/identities", json={"provider": "twitch", "id": "779", "email": "e@example.com"})
    only_name = client.post("/_mock/identities", json={"provider": "twitch", "id": "780", "username": "kept"})
    assert "username" not in only_email.get_json() and "email" not in only_name.get_json()


def test_postgresql_receives_what_sqlite_holds_after_the_same_population(tmp_path: Path, pg_cluster: Any) -> None:
    """Into PostgreSQL the population is made on a local replica and copied in batch by batch: every collection ends
    with as many documents as the same population made in SQLite directly, and the copied leaderboard ranks."""
    url = pg_cluster.create_database()
    try:
        _same_population_in(str(tmp_path / "s.sqlite3"), url)
    finally:
        while _apps:
            close_app(_apps.pop())
        pg_cluster.drop_database(url)


def _same_population_in(sqlite: str, postgresql: str) -> None:
    counts = []
    for state in (sqlite, postgresql):
        client = served(state)
        game = create_game(client)
        board = {"name": "Populated", "key": "populated", "direction_method": "descending", "type": "player"}
        assert client.post(game.dev("leaderboards"), json=board, headers=game.headers).status_code == 200
        eco.currency(client, game, "Gold", "GLD")
        args = ["--game-key", game.development_api_key, "--leaderboard", "populated", "--currency", "GLD"]
        people = populate(state, "-n", "12", "--seed", "8", *args)
        client = served(state)
        exported = client.get("/_mock/state").get_json()
        counts.append({kind: len(docs) for kind, docs in exported.items()})
        headers = session_headers({"session_token": people[5]["lootlocker"]["session_token"]})
        listed = client.get("/game/leaderboards/populated/list?count=50", headers=headers).get_json()["items"]
        assert [item["rank"] for item in listed] == list(range(1, 13))
        assert [item["score"] for item in listed] == sorted(
            (p["lootlocker"]["leaderboard"]["score"] for p in people), reverse=True
        )
    assert counts[0] == counts[1]
    assert counts[0]["lootlocker.players"] == 12 and counts[0]["lootlocker.balances"] == 12
