#!/usr/bin/env python3
"""Load without loss: concurrent clients write and read through both APIs, then the state is audited.

    python bench/load.py                          # 60 s, 16 clients, against its own `mockserver serve --workers 4`
    python bench/load.py --duration 10 --url http://127.0.0.1:9011   # against a running mock (it is reset)
    python bench/load.py --state postgresql://postgres@127.0.0.1:5432/load   # its own mock on that state (reset)

Each client loops over: create an identity provider (client-chosen id), read back one it created, register a
fresh Twitch identity and log in twice (FusionAuth identity-provider login, LinkByEmail), log in with one of
a few identities *shared by all clients* (concurrent first logins must create one user), start a LootLocker
guest session and connect a fresh Google account, and try to connect one of a few *shared* Google accounts
(exactly one player may win each). Every answer is checked as it comes (no 5xx, no transport error, only the
expected statuses); at the end GET /_mock/state is audited against what the clients were told: no acknowledged
write lost, none duplicated, nothing written that nobody was told about, one user per email, one link per
Twitch account, unique LootLocker player ids.

tests/test_load.py runs the same thing for a few seconds. Needs `pip install -e '.[test]'` (requests).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from mockserver.testing import LiveServer

API_KEY = "mockserver-dev-api-key-not-for-production"
GAME_KEY = "dev_mockserver_game_key_0000000000000"
TWITCH_ID = "bf4cf83f-e824-42d7-b4a3-5b10847a66b2"
APP_ID = "10000000-0000-0002-0000-000000000001"
AUTH = {"Authorization": API_KEY}
SHARED = 4  # identities every client logs in / connects with, to make them race
SEED_PROVIDER: dict[str, Any] = {
    "identityProvider": {
        "type": "Twitch",
        "buttonText": "Login with Twitch",
        "client_id": "load-client-id",
        "client_secret": "load-client-secret",
        "enabled": True,
        "linkingStrategy": "LinkByEmail",
        "applicationConfiguration": {APP_ID: {"createRegistration": True, "enabled": True}},
    }
}


class Unexpected(Exception):
    """An answer the mock must not give under load."""


@dataclass
class Ledger:
    """What the clients were told; audited against the state at the end."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    providers: dict[str, str] = field(default_factory=dict)  # id → name, acknowledged creations
    logins: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # twitch id → user ids
    emails: dict[str, str] = field(default_factory=dict)  # twitch id → email
    players: dict[str, int] = field(default_factory=dict)  # player ulid → legacy id, acknowledged sessions
    connected: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # google id → players
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        with self.lock:
            if len(self.problems) < 50:
                self.problems.append(message)


@dataclass
class Report:
    duration: float
    clients: int
    requests: int
    statuses: dict[str, int]
    latency_ms: dict[str, dict[str, float]]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


class Client:
    def __init__(self, url: str, ledger: Ledger, rng: random.Random) -> None:
        self.url = url
        self.ledger = ledger
        self.rng = rng
        self.http = requests.Session()
        self.own_providers: list[str] = []
        self.player = ""  # the ULID of the latest guest session's player

    def call(self, name: str, method: str, path: str, expect: tuple[int, ...], **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        try:
            response = self.http.request(method, f"{self.url}{path}", timeout=30, **kwargs)
        except requests.RequestException as error:
            raise Unexpected(f"{name}: {type(error).__name__}: {error}") from error
        elapsed = (time.perf_counter() - started) * 1000
        with self.ledger.lock:
            self.ledger.statuses[(name, response.status_code)] += 1
            self.ledger.latencies[name].append(elapsed)
        if response.status_code not in expect:
            raise Unexpected(f"{name}: {method} {path} → {response.status_code} {response.text[:300]}")
        return response

    # -- FusionAuth ------------------------------------------------------------------------------------
    def create_provider(self) -> None:
        provider_id = str(uuid.uuid4())
        body = json.loads(json.dumps(SEED_PROVIDER))
        body["identityProvider"].update(name=f"Load {provider_id}", linkingStrategy="CreatePendingLink")
        path = f"/api/identity-provider/{provider_id}"
        created = self.call("create provider", "POST", path, (200,), json=body, headers=AUTH)
        if created.json()["identityProvider"]["id"] != provider_id:
            raise Unexpected(f"create provider: asked for {provider_id}, got {created.text[:200]}")
        with self.ledger.lock:
            self.ledger.providers[provider_id] = f"Load {provider_id}"
        self.own_providers.append(provider_id)
        # The same id again is a duplicate, whichever worker answers.
        self.call("create provider again", "POST", path, (400,), json=body, headers=AUTH)

    def read_provider(self) -> None:
        if not self.own_providers:
            return self.create_provider()
        provider_id = self.rng.choice(self.own_providers)
        read = self.call("read provider", "GET", f"/api/identity-provider/{provider_id}", (200,), headers=AUTH)
        if read.json()["identityProvider"]["name"] != f"Load {provider_id}":
            raise Unexpected(f"read provider: {read.text[:200]}")
        return None

    def login(self, twitch_id: str, token: str) -> str:
        body = {"applicationId": APP_ID, "identityProviderId": TWITCH_ID, "data": {"token": token}}
        response = self.call("login", "POST", "/api/identity-provider/login", (200,), json=body)
        user_id: str = response.json()["user"]["id"]
        with self.ledger.lock:
            self.ledger.logins[twitch_id].add(user_id)
        return user_id

    def login_fresh(self) -> None:
        twitch_id = str(self.rng.randrange(10**12, 10**13))
        email = f"twitch-{twitch_id}@load.example"
        identity = {"provider": "twitch", "id": twitch_id, "username": f"u{twitch_id}", "email": email}
        token = self.call("register identity", "POST", "/_mock/identities", (201,), json=identity).json()["token"]
        with self.ledger.lock:
            self.ledger.emails[twitch_id] = email
        first = self.login(twitch_id, token)
        if self.login(twitch_id, token) != first:
            raise Unexpected(f"login: a second login of twitch {twitch_id} gave another user")

    def login_shared(self) -> None:
        n = self.rng.randrange(SHARED)
        self.login(f"shared-{n}", f"load-shared-twitch-token-{n}")

    # -- LootLocker ------------------------------------------------------------------------------------
    def guest(self) -> str:
        session = self.call("guest session", "POST", "/game/v2/session/guest", (200,), json={"game_key": GAME_KEY})
        body = session.json()
        with self.ledger.lock:
            self.ledger.players[body["player_ulid"]] = body["player_id"]
        self.player = body["player_ulid"]
        return str(body["session_token"])

    def connect(self, google_id: str, token: str, expect: tuple[int, ...]) -> None:
        headers = {"x-session-token": self.guest()}
        response = self.call(
            "connect google",
            "PUT",
            "/game/v1/connected-accounts/google",
            expect,
            json={"id_token": token},
            headers=headers,
        )
        if response.status_code == 200:
            with self.ledger.lock:
                self.ledger.connected[google_id].add(self.player)
            listed = self.call("list accounts", "GET", "/game/v1/connected-accounts", (200,), headers=headers).json()
            if "google" not in {a["provider"] for a in listed["connected_accounts"]}:
                raise Unexpected(f"list accounts: google missing after connect: {listed}")

    def connect_fresh(self) -> None:
        google_id = f"g{self.rng.randrange(10**12, 10**13)}"
        identity = {"provider": "google", "id": google_id, "email": f"{google_id}@load.example"}
        token = self.call("register identity", "POST", "/_mock/identities", (201,), json=identity).json()["token"]
        self.connect(google_id, token, (200,))

    def connect_shared(self) -> None:
        n = self.rng.randrange(SHARED)
        self.connect(f"shared-{n}", f"load-shared-google-token-{n}", (200, 409))


def setup(url: str) -> None:
    requests.post(f"{url}/_mock/reset", timeout=10).raise_for_status()
    created = requests.post(f"{url}/api/identity-provider", json=SEED_PROVIDER, headers=AUTH, timeout=10)
    created.raise_for_status()
    for n in range(SHARED):
        for identity in (
            {"provider": "twitch", "id": f"shared-{n}", "email": f"shared-{n}@load.example", "username": f"shared{n}",
             "token": f"load-shared-twitch-token-{n}"},
            {"provider": "google", "id": f"shared-{n}", "email": f"g-shared-{n}@load.example",
             "token": f"load-shared-google-token-{n}"},
        ):  # fmt: skip
            requests.post(f"{url}/_mock/identities", json=identity, timeout=10).raise_for_status()


def audit(state: dict[str, Any], ledger: Ledger) -> list[str]:
    """Everything the clients were told is in the state, once, and nothing else was written."""
    problems: list[str] = []
    providers = state.get("fusionauth.identityProviders", {})
    expected = set(ledger.providers) | {TWITCH_ID}
    if set(providers) != expected:
        lost, extra = expected - set(providers), set(providers) - expected
        problems.append(f"identity providers: lost {sorted(lost)[:5]} ({len(lost)}), unexpected {sorted(extra)[:5]}")
    names = Counter(p.get("name", "").lower() for p in providers.values())
    problems += [f"identity provider name {name!r} stored {n} times" for name, n in names.items() if n > 1]

    users = state.get("fusionauth.users", {})
    by_email: dict[str, list[str]] = defaultdict(list)
    for user in users.values():
        by_email[str(user.get("email", "")).lower()].append(user["id"])
    problems += [f"{len(ids)} users with email {email}" for email, ids in by_email.items() if len(ids) > 1]
    links: dict[str, list[str]] = defaultdict(list)
    for link in state.get("fusionauth.links", {}).values():
        if link["identityProviderId"] == TWITCH_ID:
            links[link["identityProviderUserId"]].append(link["userId"])
    for twitch_id, user_ids in ledger.logins.items():
        if len(user_ids) != 1:
            problems.append(f"twitch {twitch_id}: logins gave {len(user_ids)} different users")
        if links.get(twitch_id) != sorted(user_ids)[:1]:
            problems.append(f"twitch {twitch_id}: links {links.get(twitch_id)} but logins gave {sorted(user_ids)}")
        if twitch_id in ledger.emails and by_email.get(ledger.emails[twitch_id]) != sorted(user_ids)[:1]:
            problems.append(f"twitch {twitch_id}: user by email {by_email.get(ledger.emails[twitch_id])}")
    if len(links) != len(ledger.logins):
        problems.append(f"{len(links)} Twitch links for {len(ledger.logins)} Twitch accounts that logged in")

    players = state.get("lootlocker.players", {})
    if set(players) != set(ledger.players):
        lost, extra = set(ledger.players) - set(players), set(players) - set(ledger.players)
        problems.append(f"players: lost {len(lost)}, unexpected {len(extra)}")
    for kind in ("legacy_id", "public_uid"):
        counts = Counter(p[kind] for p in players.values())
        problems += [f"player {kind} {value} given {n} times" for value, n in counts.items() if n > 1]
    for ulid, legacy in ledger.players.items():
        if ulid in players and players[ulid]["legacy_id"] != legacy:
            problems.append(f"player {ulid}: legacy id {players[ulid]['legacy_id']}, the session said {legacy}")
    owners = {
        a["subject"]: a["player_id"] for a in state.get("lootlocker.accounts", {}).values() if a["provider"] == "google"
    }
    for google_id, winners in ledger.connected.items():
        if len(winners) != 1:
            problems.append(f"google {google_id}: {len(winners)} players were told they connected it")
        elif owners.get(google_id) not in winners:
            problems.append(f"google {google_id}: owned by {owners.get(google_id)}, connected by {winners}")
    unexpected = set(owners) - set(ledger.connected)
    if unexpected:
        problems.append(f"google accounts connected that no client was told about: {sorted(unexpected)[:5]}")
    return problems


def run(url: str, duration: float, clients: int = 16, seed: int = 1) -> Report:
    setup(url)
    ledger = Ledger()
    deadline = time.monotonic() + duration

    def work(index: int) -> None:
        client = Client(url, ledger, random.Random(seed * 1000 + index))
        steps: list[Callable[[], None]] = [
            client.create_provider,
            client.read_provider,
            client.login_fresh,
            client.login_shared,
            client.read_provider,
            client.connect_fresh,
            client.connect_shared,
        ]
        step = index  # clients start at different steps
        while time.monotonic() < deadline:
            try:
                steps[step % len(steps)]()
            except Unexpected as error:
                ledger.problem(str(error))
            except Exception as error:  # a bug in this script must not pass for a clean run
                ledger.problem(f"client error: {type(error).__name__}: {error}")
            step += 1

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,), name=f"load-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    state = requests.get(f"{url}/_mock/state", timeout=60).json()
    problems = ledger.problems + audit(state, ledger)
    statuses = {f"{name} {status}": n for (name, status), n in sorted(ledger.statuses.items())}
    latency = {
        name: {
            "n": len(values),
            "p50": round(statistics.median(values), 2),
            "p99": round(sorted(values)[int(len(values) * 0.99)], 2),
        }
        for name, values in sorted(ledger.latencies.items())
    }
    return Report(round(elapsed, 2), clients, sum(ledger.statuses.values()), statuses, latency, problems)


def start_server(workers: int, *args: str) -> LiveServer:
    """`mockserver serve --workers N` on a free port, once every worker serves."""
    server = LiveServer("--workers", str(workers), *args).start()
    deadline = time.monotonic() + 60
    while not all(f"Started worker-{n}" in server.output() for n in range(1, workers + 1)):
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"not every worker started: {server.output()}")
        time.sleep(0.05)
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--workers", type=int, default=4, help="workers of the server it starts (default 4)")
    parser.add_argument("--url", help="a running mock to load instead (its state is reset)")
    parser.add_argument("--state", help="its server's state: an SQLite file or postgresql:// URL")
    parser.add_argument("--json", type=Path, help="write the report to this file")
    args = parser.parse_args(argv)

    if args.url and args.state:
        parser.error("--state is for the server it starts, not with --url")
    server = None if args.url else start_server(args.workers, *(["--state", args.state] if args.state else []))
    try:
        report = run(args.url if server is None else server.url, args.duration, args.clients)
    finally:
        if server is not None:
            server.stop()
    rate = report.requests / report.duration if report.duration else 0.0
    print(f"{report.requests} requests in {report.duration} s ({rate:.0f}/s) from {report.clients} clients")
    for name, figures in report.latency_ms.items():
        print(f"  {name:24} n={figures['n']:6}  p50={figures['p50']:7.2f} ms  p99={figures['p99']:7.2f} ms")
    print("statuses:", json.dumps(report.statuses))
    if args.json:
        args.json.write_text(json.dumps(report.__dict__, indent=2))
    if report.problems:
        print(f"{len(report.problems)} PROBLEMS:", *report.problems, sep="\n  ")
        return 1
    print("no 5xx, no lost or duplicated write, consistent state")
    return 0


if __name__ == "__main__":
    sys.exit(main())
