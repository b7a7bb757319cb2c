"""`mockserver populate`: fill a state with a load test's population, through the models the APIs use.

Per person: an upstream Twitch identity (the shared registry), a FusionAuth user registered to an application and
linked to that Twitch identity (as a Twitch login would leave it), and a LootLocker player with its guest and Twitch
connected accounts, a session, its wallet (credited with a starting balance when a currency is named), and a score
on a leaderboard when one is named. Faker gives the names (drawn once into
pools, then combined by a seeded random generator: Faker per person would cost more than everything else); every
name, email, FusionAuth id, Twitch id, code and token follows from `--seed`; the ids and tokens LootLocker's sign-in
code path generates (player ULID, public UID, legacy id, session token) are its own, as for any new player.

People are written in batches, one write transaction per batch, so the rate is the store's bulk rate; the output
is one JSON line per person with what a load script needs to sign in as them.
"""

from __future__ import annotations

import functools
import gc
import queue
import random
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
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
from .lootlocker.collections import GAMES
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
BATCH = 5000  # people a write transaction: fewer commits, each index page written once per batch


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
    def __init__(self, store: Store, plan: Plan) -> None:
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
        if plan.leaderboard is not None:
            self.leaderboards.board(tx, game["id"], plan.leaderboard)  # raises a LootLocker 404 when unknown
        # A LootLocker 404 when the game has no such currency.
        self.currency = currencies.by_code(tx, game["id"], plan.currency) if plan.currency is not None else None
        self.names = Names(plan.seed, plan.locale)

    def prepare(self) -> None:
        """What every person needs before the first batch: the Twitch identity provider (created when missing)."""
        self.twitch = _twitch_provider(self.store, self.plan.application_id)

    def batches(self) -> Iterator[tuple[list[dict[str, Any]], frozenset[tuple[str, str | None]]]]:
        """Write the population batch by batch: each batch's people once it is committed, with what it changed."""
        self.prepare()
        rng = random.Random(self.plan.seed)
        self.store.prefer_bulk()
        for start in range(0, self.plan.count, BATCH):
            people = []
            with self.store.write() as tx:
                tenant = tx.get("fusionauth.tenants", self.application["tenantId"])
                for index in range(start, min(start + BATCH, self.plan.count)):
                    people.append(self._person(tx, tenant, rng, index))
            yield people, tx.touched

    def run(self) -> Iterator[dict[str, Any]]:
        """Each person's credentials once their batch is committed."""
        for people, _ in self.batches():
            yield from people

    def _person(self, tx: Tx, tenant: dict[str, Any] | None, rng: random.Random, index: int) -> dict[str, Any]:
        plan = self.plan
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
        if plan.leaderboard is not None:
            score = rng.randint(0, 1_000_000)
            self.leaderboards.record(tx, self.game["id"], player, plan.leaderboard, score)
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


# -- into PostgreSQL: through a local replica -------------------------------------------------------------
# On PostgreSQL every read the models make is a round trip (~11 a person) and populate would run at a few hundred people
# a second. So the population is made on a local SQLite replica of the state, by the same models, and each batch's
# documents are copied into PostgreSQL (COPY) by a second thread while the next batch is made. The fleet's write lock
# is held from the copy of the state to the last batch: the replica stays exact (no other node writes meanwhile; their
# reads go on), and a batch's people are printed once PostgreSQL has committed them.
class _CopyIn(threading.Thread):
    def __init__(self, target: Store) -> None:
        super().__init__(name="populate-copy-in", daemon=True)
        self.target = target
        self.batches: queue.Queue[tuple[dict[str, dict[str, Any]], list[tuple[str, str]]] | None] = queue.Queue(2)
        self.done: queue.Queue[BaseException | None] = queue.Queue()  # one per batch committed (or the error)
        self.locked = threading.Event()

    def run(self) -> None:
        try:
            with self.target.hold_writes():  # type: ignore[attr-defined]  # a PgStore
                self.locked.set()
                while (batch := self.batches.get()) is not None:
                    documents, deleted = batch
                    with self.target.write() as tx:
                        for kind in sorted(documents):
                            tx.put_many(kind, documents[kind].items())
                        for kind, id in deleted:
                            tx.delete(kind, id)
                    self.done.put(None)
        except BaseException as error:  # handed to the main thread, which raises it
            self.locked.set()
            self.done.put(error)
        finally:
            self.target.close()  # this thread's connection


def _changed_documents(
    replica: Store, touched: frozenset[tuple[str, str | None]]
) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """A batch's documents as the replica holds them after its commit (by kind), and the ids it deleted."""
    ids: dict[str, list[str]] = {}
    for kind, id in touched:
        if id is None:
            raise RuntimeError(f"populate changed the collection {kind} wholesale: it cannot be copied in")
        ids.setdefault(kind, []).append(id)
    tx = replica.read()
    documents = {kind: tx.get_many(kind, sorted(wanted)) for kind, wanted in ids.items()}
    deleted = [(kind, id) for kind, wanted in ids.items() for id in wanted if id not in documents[kind]]
    return documents, deleted


def _through_replica(target: Store, plan: Plan, folder: str) -> Iterator[dict[str, Any]]:
    from .app import open_store

    Populator(target, plan).prepare()  # checks the plan against the real state; the Twitch provider is made there
    copier = _CopyIn(target)
    copier.start()
    replica: Store | None = None
    try:
        copier.locked.wait()
        if not copier.done.empty():
            raise copier.done.get() or RuntimeError("the copy thread stopped")
        replica = open_store(str(Path(folder) / "replica.sqlite3"))
        with replica.write() as tx:
            tx.replace_all(target.read().dump())
        waiting: deque[list[dict[str, Any]]] = deque()
        for people, touched in Populator(replica, plan).batches():
            _hand_over(copier, _changed_documents(replica, touched))
            waiting.append(people)
            while len(waiting) > 1 or (waiting and not copier.done.empty()):
                _committed(copier)
                yield from waiting.popleft()
        while waiting:
            _committed(copier)
            yield from waiting.popleft()
    except BaseException:
        while not copier.batches.empty():  # stopped: batches not yet copied stay out of the state
            copier.batches.get_nowait()
        raise
    finally:
        if copier.is_alive():
            copier.batches.put(None)
            copier.join()
        if replica is not None:
            replica.close()


def _hand_over(copier: _CopyIn, batch: tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]) -> None:
    """Queue a batch for the copy thread (at most two wait); raise what stopped it if it stopped."""
    while True:
        try:
            copier.batches.put(batch, timeout=0.5)
            return
        except queue.Full:
            if not copier.is_alive():
                while not copier.done.empty():
                    error = copier.done.get()
                    if error is not None:
                        raise error from None
                raise RuntimeError("the copy thread stopped") from None


def _committed(copier: _CopyIn) -> None:
    """Wait for the copy thread's next batch; raise what stopped it."""
    error = copier.done.get()
    if error is not None:
        raise error


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
    app = create_app(config)
    store: Store = app.extensions["mockserver.store"]
    # The app's objects (OpenAPI documents, routes) live as long as the command: kept out of the garbage collector's
    # full passes, which the batch's new documents would otherwise trigger over and over.
    gc.freeze()
    starting = Plan.balance if balance is None else balance
    plan = Plan(count, seed, application_id, game_key, leaderboard, password, currency=currency, balance=starting)
    began = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="mockserver-populate-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None)
    try:
        out = sys.stdout
        people = (
            _through_replica(store, plan, folder) if store.backend == "postgresql" else Populator(store, plan).run()
        )
        for person in people:
            out.write(jsontext.dumps(person))
            out.write("\n")
    except (PopulateError, LootLockerError, FusionAuthError) as error:
        detail = getattr(error, "message", None) or getattr(error, "body", None) or error
        raise click.ClickException(f"populate stopped: {detail}") from error
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        gc.unfreeze()
        close_app(app)  # its request journal's writer and its connections (a PostgreSQL state's sessions) end here
    elapsed = time.perf_counter() - began
    click.echo(f"populated {count} people in {elapsed:.2f} s ({count / elapsed:,.0f} a second)", err=True)
