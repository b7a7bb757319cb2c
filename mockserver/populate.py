"""`mockserver populate`: fill a state with a load test's population, through the models the APIs use.

Per person: an upstream Twitch identity (the shared registry), a FusionAuth user registered to an application and
linked to that Twitch identity (as a Twitch login would leave it), and a LootLocker player with its guest and Twitch
connected accounts, a session, its wallet (credited with a starting balance when a currency is named), and a score
on a leaderboard when one is named. Faker gives the names (drawn once into pools, then combined by a random generator
seeded per person: Faker per person would cost more than everything else); every name, email, FusionAuth id, Twitch
id, code, token and score follows from `--seed` and the person's index; the ids and tokens LootLocker's sign-in code
path generates (player ULID, public UID, wallet id, session token) are its own, as for any new player.

Batches of people are made by worker processes, each on its own copy of the state, and written into the state in order,
one write transaction a batch (see "the workers" below); the output is one JSON line per person with what a load script
needs to sign in as them.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import click
from faker import Faker

from . import jsontext
from .fusionauth.collections import APPLICATIONS, IDENTITY_PROVIDERS, LINKS, USERS
from .fusionauth.identity_providers import TWITCH, TWITCH_ID, IdentityProviders
from .fusionauth.links import link_key, new_link
from .fusionauth.users import Users
from .identities import IDENTITIES, complete
from .identities import key as identity_key
from .lootlocker import sequences
from .lootlocker.collections import GAMES, PLAYERS
from .lootlocker.connected_accounts import ConnectedAccounts
from .lootlocker.economy import currencies, wallets
from .lootlocker.games import Games
from .lootlocker.leaderboards.model import Leaderboards
from .lootlocker.players import Players
from .lootlocker.providers import PROVIDERS
from .lootlocker.sessions import Sessions
from .store import Store, Tx

DEFAULT_APPLICATION_ID = "10000000-0000-0002-0000-000000000001"  # the fixtures' "Pied Piper Login"
POOL_SIZE = 400  # distinct first and last names drawn from Faker: 160,000 combinations before the index decides
# People a batch (one trial in a worker, one write transaction in the state): 2,000 made the most people a second of
# 1,000 / 2,000 / 5,000 (bench/populate.py --whole): large enough that commits are few, small enough that the workers'
# first batches arrive soon and the last one is written soon after the workers end.
BATCH = 2000


class PopulateError(Exception):
    """The population cannot be written (unknown application, game or leaderboard, or a seed used before)."""


@functools.lru_cache(maxsize=4096)  # names come from pools of 400: each is cleaned once
def _ascii(text: str) -> str:
    """Letters only, without accents: safe in emails and usernames whatever Faker's locale gives."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain if ch.isalnum()) or "player"


@dataclass(frozen=True)
class Plan:
    count: int
    seed: int = 0
    application_id: str = DEFAULT_APPLICATION_ID
    game_key: str | None = None  # the LootLocker game (default: the first one)
    leaderboard: str | None = None  # key of a leaderboard of that game that gets a score per player
    password: str = "populate-password"  # every FusionAuth user's password (password logins in load scripts)
    locale: str = "en_US"
    currency: str | None = None  # code of a currency of that game: each player's wallet is credited `balance` of it
    balance: int = 1000
    batch: int = BATCH  # people a batch (the people themselves do not depend on it, nor on the workers)


class Names:
    """Seeded people: realistic names from Faker's pools, made unique by the person's index."""

    def __init__(self, seed: int, locale: str) -> None:
        fake = Faker(locale)
        fake.seed_instance(seed)
        self.firsts = [fake.first_name() for _ in range(POOL_SIZE)]
        self.lasts = [fake.last_name() for _ in range(POOL_SIZE)]
        self.domains = sorted({fake.free_email_domain() for _ in range(20)})
        self.seed = seed

    def person(self, rng: random.Random, index: int) -> dict[str, str]:
        first, last = rng.choice(self.firsts), rng.choice(self.lasts)
        tag = f"{self.seed}x{index}"  # the seed keeps two populations of one state apart
        return {
            "firstName": first,
            "lastName": last,
            "fullName": f"{first} {last}",
            "username": f"{_ascii(first)}{_ascii(last)}{tag}".lower(),
            "email": f"{_ascii(first)}.{_ascii(last)}.{tag}@{rng.choice(self.domains)}".lower(),
        }


def _twitch_provider(store: Store, application_id: str) -> dict[str, Any]:
    """The Twitch identity provider, enabled for the application (created the way the API would create it)."""
    provider = store.read().get(IDENTITY_PROVIDERS, TWITCH_ID)
    if provider is None:
        return IdentityProviders(store, None).create(  # type: ignore[arg-type]  # create needs no schema check
            {
                "identityProvider": {
                    "type": TWITCH,
                    "buttonText": "Login with Twitch",
                    "client_id": "populate-twitch-client",
                    "client_secret": "populate-twitch-secret",
                    "enabled": True,
                    "linkingStrategy": "LinkByEmail",
                    "applicationConfiguration": {application_id: {"enabled": True, "createRegistration": True}},
                }
            },
            None,
            None,
        )
    return provider


class Populator:
    """Makes people on a store (a replica of the state, in a worker): one trial transaction a batch, whose documents the
    command then writes into the state."""

    def __init__(self, store: Store, plan: Plan, names: Names | None = None) -> None:
        self.store = store
        self.plan = plan
        self.users = Users(store, None)  # type: ignore[arg-type]  # only PATCH uses the schema check
        self.accounts = ConnectedAccounts(store)
        self.leaderboards = Leaderboards(store)
        tx = store.read()
        application = tx.get(APPLICATIONS, plan.application_id)
        if application is None:
            raise PopulateError(f"no FusionAuth application {plan.application_id}")
        self.application = application
        # Without a key: the first game by id (the fixtures' game).
        game = next(iter(tx.all(GAMES)), None) if plan.game_key is None else Games(store).by_key(plan.game_key)
        if game is None:
            raise PopulateError(f"no LootLocker game with the key {plan.game_key}")
        self.game = game
        # The sequences a person draws one value of (legacy player id; score write): a batch starting at person
        # `start` begins each at the state's value + start, so that batches made apart fit together.
        self.sequences = {f"{game['id']}:players": sequences.last_value(tx, f"{game['id']}:players")}
        self.board: dict[str, Any] | None = None
        if plan.leaderboard is not None:
            self.board = self.leaderboards.board(tx, game["id"], plan.leaderboard)  # a LootLocker 404 when unknown
            name = f"leaderboard:{self.board['id']}"
            self.sequences[name] = sequences.last_value(tx, name)
        # A LootLocker 404 when the game has no such currency.
        self.currency = currencies.by_code(tx, game["id"], plan.currency) if plan.currency is not None else None
        self.names = names or Names(plan.seed, plan.locale)
        self.twitch = tx.get(IDENTITY_PROVIDERS, TWITCH_ID)

    def prepare(self) -> None:
        """What every person needs before the first batch: the Twitch identity provider (created when missing)."""
        self.twitch = _twitch_provider(self.store, self.plan.application_id)

    def batch(self, start: int) -> tuple[list[dict[str, Any]], dict[str, dict[str, str | None]]]:
        """The people from index `start` (a batch of them at most) made in a trial transaction: their credentials and
        the documents they add to the state (Tx.written), as if the people before them had been made."""
        if self.twitch is None:
            raise PopulateError("the Twitch identity provider is missing: prepare() the state first")
        end = min(start + self.plan.batch, self.plan.count)
        rng = random.Random()
        with self.store.trial() as tx:
            tenant = tx.get("fusionauth.tenants", self.application["tenantId"])
            for name, value in self.sequences.items():
                sequences.restart_after(tx, name, value + start)
            people = []
            for index in range(start, end):
                rng.seed(f"{self.plan.seed}/{index}")  # a person's names and secrets follow from the seed and index
                people.append(self._person(tx, tenant, rng, index))
            for name, value in self.sequences.items():
                if sequences.last_value(tx, name) != value + end:  # a model drew more than once: batches would clash
                    raise RuntimeError(f"the sequence {name} did not advance by one a person")
            return people, tx.written()

    def _person(self, tx: Tx, tenant: dict[str, Any] | None, rng: random.Random, index: int) -> dict[str, Any]:
        plan = self.plan
        assert self.twitch is not None
        names = self.names.person(rng, index)
        twitch_id = f"{plan.seed}{index:010d}"
        if tx.get(IDENTITIES, identity_key("twitch", twitch_id)) is not None:
            raise PopulateError(f"seed {plan.seed} was populated into this state already (twitch id {twitch_id})")
        # Reusable: a load script signs in with the same code again and again (real Twitch codes are single use).
        identity = complete(
            {
                "provider": "twitch",
                "id": twitch_id,
                "username": names["username"],
                "email": names["email"],
                "email_verified": True,
                "code": f"twitch-code-{rng.getrandbits(96):024x}",
                "token": f"twitch-token-{rng.getrandbits(96):024x}",
                "reusable": True,
                "description": f"mockserver populate --seed {plan.seed}",
            }
        )
        tx.put(IDENTITIES, identity_key("twitch", twitch_id), identity)

        user_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        assert tenant is not None
        user = self.users.new_user(
            tx, tenant, {**names, "password": plan.password}, user_id, skip_verification=True, require_password=True
        )
        self.users.add_registration(
            tx, user, {"applicationId": plan.application_id, "username": names["username"]}, skip_verification=True
        )
        tx.put(USERS, user_id, user)
        link = new_link(self.twitch, user, twitch_id, names["username"], identity["token"])
        tx.put(LINKS, link_key(self.twitch["id"], user["tenantId"], twitch_id), link)

        identifier = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        player = Players.create(tx, self.game["id"], identifier)
        player["name"] = names["username"]
        self.accounts.attach(tx, player, PROVIDERS["guest"], identifier)
        self.accounts.attach(tx, player, PROVIDERS["twitch"], twitch_id)
        session = Sessions.start(tx, self.game, player, True, "guest", identifier)
        lootlocker: dict[str, Any] = {
            "game_key": plan.game_key or self.game.get("game_key"),
            "player_id": player["legacy_id"],
            "player_ulid": player["id"],
            "public_uid": player["public_uid"],
            "player_identifier": identifier,
            "player_name": player["name"],
            "session_token": session["session_token"],
            "wallet_id": player["wallet_id"],
        }
        if self.currency is not None:
            # The player's wallet as its first balance call would make it, credited as the Admin API credits.
            wallet = wallets.wallet_for_holder(tx, self.game["id"], player["id"], "player")
            if plan.balance > 0:
                wallets.change(tx, self.game["id"], wallet["id"], self.currency["id"], plan.balance)
            lootlocker["balance"] = {"currency": self.currency["code"], "amount": str(plan.balance)}
        if self.board is not None:
            score = rng.randint(0, 1_000_000)
            self.leaderboards.record(tx, self.board, player, score)
            lootlocker["leaderboard"] = {"key": plan.leaderboard, "score": score}
        return {
            "index": index,
            "twitch": {"id": twitch_id, "code": identity["code"], "token": identity["token"]},
            "fusionauth": {
                "userId": user_id,
                "tenantId": user["tenantId"],
                "applicationId": plan.application_id,
                "identityProviderId": self.twitch["id"],
                "email": names["email"],
                "username": names["username"],
                "password": plan.password,
            },
            "lootlocker": lootlocker,
        }


# -- the workers: batches made on replicas, on every core ---------------------------------------------------------
# Each worker process has its own SQLite copy of the state (taken while the state's write lock is held, so it stays
# exact) and makes every `workers`-th batch there in a trial transaction that is rolled back: its replica never
# grows, and the batch's documents go to the command, which writes them into the state in order (SQLite or
# PostgreSQL, put_bodies: no parse or dump again). What batches made apart could share is settled so: sequences
# start where the people before the batch leave them (Populator.batch), names, emails and Twitch ids carry the
# person's index, and a public UID drawn twice by two workers is drawn again when the batch is written.
Batch = tuple[list[dict[str, Any]], dict[str, dict[str, str | None]]]


def _work(pipe: Connection) -> None:
    """A worker process: waits for its job (replica, plan, names, first, step), then makes the batches first,
    first + step, … of the plan on its replica, sending each to the command as it is made."""
    job = pipe.recv()
    if job is None:
        return
    from .app import open_store
    from .fusionauth.errors import FusionAuthError
    from .lootlocker.errors import LootLockerError

    replica, plan, names, first, step = job
    store = open_store(replica)
    try:
        store.prefer_bulk()
        gc.freeze()  # the models' objects: out of the collector's full passes, which each batch would trigger
        maker = Populator(store, plan, names)
        for start in range(first * plan.batch, plan.count, step * plan.batch):
            pipe.send(("batch", maker.batch(start)))
    except (PopulateError, LootLockerError, FusionAuthError) as error:
        pipe.send(("refused", _detail(error)))
    except BaseException:
        pipe.send(("failed", traceback.format_exc()))
    finally:
        store.close()
        pipe.close()


class Workers:
    """The worker processes, started before the command opens the state so that their start (a new interpreter
    importing the models, ~0.4 s) overlaps the app's. Spawned, not forked: the app's threads hold locks."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.processes: list[Any] = []
        self.pipes: list[Connection] = []
        self.working: set[int] = set()  # the processes given a job
        for n in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(target=_work, args=(theirs,), name=f"populate-{n}", daemon=True)
            process.start()
            theirs.close()
            self.processes.append(process)
            self.pipes.append(ours)

    def __len__(self) -> int:
        return len(self.processes)

    def start(self, n: int, job: tuple[Any, ...]) -> None:
        self.pipes[n].send(job)
        self.working.add(n)

    def close(self, *, done: bool) -> None:
        """End the processes: those that finished their job (done) or had none leave by themselves; the rest (populate
        stopped) are terminated, with the batches they were making."""
        for n, pipe in enumerate(self.pipes):
            if n not in self.working:
                with contextlib.suppress(OSError):
                    pipe.send(None)
        for n, process in enumerate(self.processes):
            if n in self.working and not done:
                process.terminate()
            process.join()
        for pipe in self.pipes:
            pipe.close()


def _detail(error: BaseException) -> str:
    return str(getattr(error, "message", None) or getattr(error, "body", None) or error)


def _replicas(target: Store, folder: Path, count: int) -> list[str]:
    """`count` SQLite copies of the state (the caller holds its write lock)."""
    from .app import open_store

    paths = [str(folder / f"replica-{n}.sqlite3") for n in range(count)]
    if target.backend == "sqlite":
        for path in paths:
            target.copy_to(path)
        return paths
    base = open_store(paths[0])  # a PostgreSQL state: its documents once, then copies of that file
    try:
        with base.write() as tx:
            tx.replace_all(target.read().dump())
        for path in paths[1:]:
            base.copy_to(path)
    finally:
        base.close()
    return paths


def _unique_public_uids(tx: Tx, game_id: str, batch: Batch) -> None:
    """Public UIDs are drawn at random by each worker, which sees none of the other workers' players: one that the
    state (or this batch) has already is drawn again here, in the player and in the person's credentials."""
    people, written = batch
    players = written.get(PLAYERS, {})
    seen: set[str] = set()
    for person in people:
        ll = person["lootlocker"]
        uid = ll["public_uid"]
        if uid in seen or tx.find(PLAYERS, game_id=game_id, public_uid=uid):
            uid = Players.new_public_uid(tx, game_id, taken=seen)
            body = players[ll["player_ulid"]]
            assert body is not None
            player = jsontext.loads_document(body)
            player["public_uid"] = ll["public_uid"] = uid
            players[ll["player_ulid"]] = jsontext.dumps_document(player)
        seen.add(uid)


def _write(tx: Tx, written: dict[str, dict[str, str | None]]) -> None:
    for kind, rows in written.items():
        tx.put_bodies(kind, {id: body for id, body in rows.items() if body is not None})
        for id, body in rows.items():
            if body is None:
                tx.delete(kind, id)


def populate_state(store: Store, plan: Plan, workers: Workers, folder: Path) -> Iterator[dict[str, Any]]:
    """Fill the state: each person's credentials once their batch is committed. The state's write lock is held
    throughout (other processes, other nodes of a fleet read on; their writes wait)."""
    maker = Populator(store, plan)  # the plan checked against the state before anything is written
    maker.prepare()
    batches = -(-plan.count // plan.batch)
    busy = min(len(workers), batches)
    store.prefer_bulk()
    with store.hold_writes():
        for n, replica in enumerate(_replicas(store, folder, busy)):
            workers.start(n, (replica, plan, maker.names, n, busy))
        for number in range(batches):
            try:
                what, value = workers.pipes[number % busy].recv()
            except EOFError:
                raise RuntimeError(f"populate's worker {number % busy} stopped") from None
            if what == "refused":
                raise PopulateError(value)
            if what == "failed":
                raise RuntimeError(f"populate's worker {number % busy} failed:\n{value}")
            with store.write() as tx:
                _unique_public_uids(tx, maker.game["id"], value)
                _write(tx, value[1])
            yield from value[0]


# -- the command ------------------------------------------------------------------------------------
@click.command()
@click.option(
    "--state",
    "state_path",
    default=None,
    help="The state to fill (the one `mockserver serve --state` then serves); or MOCKSERVER_STATE.",
)
@click.option("--count", "-n", type=click.IntRange(min=1), required=True, help="People to create.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same people (names, ids, codes).")
@click.option("--application-id", default=DEFAULT_APPLICATION_ID, show_default=True, help="FusionAuth application.")
@click.option("--game-key", default=None, help="LootLocker game API key (default: the first game).")
@click.option("--leaderboard", default=None, help="Key of a leaderboard of that game: each player gets a score.")
@click.option("--password", default=Plan.password, show_default=True, help="Every FusionAuth user's password.")
@click.option("--currency", default=None, help="Code of a currency of that game: each player's wallet gets --balance.")
@click.option(
    "--balance",
    type=click.IntRange(min=0),
    default=None,
    help=f"Starting balance of --currency in each player's wallet [default: {Plan.balance}].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="this machine's cores",
    help="Processes making batches side by side (each on its own copy of the state).",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=BATCH,
    show_default=True,
    help="People a batch: one write transaction of the state each.",
)
@click.option(
    "--fixtures",
    "fixtures_dir",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Fixtures a new state starts from (as for `serve`).",
)
def populate(
    state_path: str | None,
    count: int,
    seed: int,
    application_id: str,
    game_key: str | None,
    leaderboard: str | None,
    password: str,
    currency: str | None,
    balance: int | None,
    workers: int,
    batch: int,
    fixtures_dir: str | None,
) -> None:
    """Fill a state for a load test; print one JSON line of credentials per person (a summary goes to stderr)."""
    from .app import close_app, create_app
    from .config import Config
    from .fusionauth.errors import FusionAuthError
    from .lootlocker.errors import LootLockerError

    if balance is not None and currency is None:
        raise click.UsageError("--balance needs --currency (the currency of the game it is in)")
    config = Config.from_env(state_path=state_path, fixtures_dir=fixtures_dir)
    if not config.state_path:
        raise click.UsageError("name the state to fill with --state (or MOCKSERVER_STATE)")
    starting = Plan.balance if balance is None else balance
    plan = Plan(
        count, seed, application_id, game_key, leaderboard, password, currency=currency, balance=starting, batch=batch
    )
    pool = Workers(min(workers, -(-count // batch)))
    done = False
    try:
        app = create_app(config)
        try:
            _run(app.extensions["mockserver.store"], plan, pool)
            done = True
        except (PopulateError, LootLockerError, FusionAuthError) as error:
            raise click.ClickException(f"populate stopped: {_detail(error)}") from error
        finally:
            close_app(app)  # its request journal's writer and its connections (a PostgreSQL state's sessions) end here
    finally:
        pool.close(done=done)


def _run(store: Store, plan: Plan, pool: Workers) -> None:
    # The app's objects (OpenAPI documents, routes) live as long as the command: kept out of the garbage collector's
    # full passes, which each batch's documents would otherwise trigger over and over.
    gc.freeze()
    began = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="mockserver-populate-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None)
    try:
        out = sys.stdout
        for person in populate_state(store, plan, pool, Path(folder)):
            out.write(jsontext.dumps(person))
            out.write("\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        gc.unfreeze()
    elapsed = time.perf_counter() - began
    click.echo(f"populated {plan.count} people in {elapsed:.2f} s ({plan.count / elapsed:,.0f} a second)", err=True)
