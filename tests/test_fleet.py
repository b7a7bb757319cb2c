"""A fleet: two `mockserver serve --state postgresql://…` nodes on one PostgreSQL database behave as one mock."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
import requests

from mockserver.testing import LiveServer

from .conftest import API_KEY, TWITCH_ID, load
from .test_state_persistence import PROVIDERS, USERS, _writer

if TYPE_CHECKING:
    from .pg import Cluster

pytest_plugins = ("tests.pg",)  # pg_cluster, pg_url
AUTH = {"Authorization": API_KEY}
PROVIDER = f"/api/identity-provider/{TWITCH_ID}"


def _start_together(*nodes: LiveServer) -> None:
    """Start the nodes at the same moment (on a new database: the schema is created once, the seed written once)."""
    errors: list[BaseException] = []

    def start(node: LiveServer) -> None:
        try:
            node.start(timeout=60)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=start, args=(node,)) for node in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        for node in nodes:
            if node.process is not None and node.process.poll() is None:
                node.stop()
        raise errors[0]


@pytest.fixture
def fleet(pg_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    a, b = LiveServer("--state", pg_url, "--workers", "2"), LiveServer("--state", pg_url)
    _start_together(a, b)
    try:
        yield a, b
    finally:
        for node in (a, b):
            if node.process is not None and node.process.poll() is None:
                node.stop()


def test_writes_through_either_node_are_served_by_the_other_and_the_journal_shows_both(
    fleet: tuple[LiveServer, LiveServer],
) -> None:
    a, b = fleet
    created = requests.post(f"{a.url}/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH)
    assert created.status_code == 200
    served = requests.get(f"{b.url}{PROVIDER}", headers=AUTH, timeout=5)
    assert served.status_code == 200 and served.json() == created.json()
    assert requests.delete(f"{b.url}{PROVIDER}", headers=AUTH, timeout=5).status_code == 200
    assert requests.get(f"{a.url}{PROVIDER}", headers=AUTH, timeout=5).status_code == 404

    identity = {"provider": "twitch", "id": "fleet-1", "email": "fleet-1@example.com", "username": "fleet1"}
    assert requests.post(f"{b.url}/_mock/identities", json=identity, timeout=5).status_code == 201
    listed = requests.get(f"{a.url}/_mock/identities", params={"provider": "twitch"}, timeout=5).json()["identities"]
    assert any(i["id"] == "fleet-1" for i in listed)

    # The journal read through either node holds what both served, newest first.
    for node in (a, b):
        journal = requests.get(f"{node.url}/_mock/requests", params={"path": "/api/identity-provider*"}, timeout=10)
        exchanges = [(e["request"]["method"], e["response"]["status"]) for e in journal.json()["requests"]]
        assert exchanges == [("GET", 404), ("DELETE", 200), ("GET", 200), ("POST", 200)]

    assert requests.post(f"{b.url}/_mock/reset", timeout=10).status_code == 200  # reset is fleet-wide too
    after = requests.get(f"{a.url}/_mock/requests", timeout=10).json()["requests"]
    assert [e["request"]["path"] for e in after] == ["/_mock/reset"]
    state = requests.get(f"{a.url}/_mock/state", timeout=10).json()
    assert not any(i.get("id") == "fleet-1" for i in state.get("mock.identities", {}).values())
    assert requests.put(f"{b.url}/_mock/state", json=state, timeout=10).status_code == 200
    assert requests.get(f"{a.url}/_mock/state", timeout=10).json() == state


def test_a_fault_set_on_one_node_applies_on_the_other_within_a_second(fleet: tuple[LiveServer, LiveServer]) -> None:
    a, b = fleet
    assert requests.get(f"{b.url}/.well-known/jwks.json", timeout=5).status_code == 200  # b has its faults cached
    fault = {"match": {"method": "GET", "path": "/.well-known/*"}, "effect": {"status": 503}}
    assert requests.post(f"{a.url}/_mock/faults", json=fault, timeout=5).status_code == 201
    began = time.monotonic()
    while requests.get(f"{b.url}/.well-known/jwks.json", timeout=5).status_code != 503:
        assert time.monotonic() - began < 1.0, "the fault did not reach the other node within a second"
    assert requests.delete(f"{b.url}/_mock/faults", timeout=5).status_code == 200
    began = time.monotonic()
    while requests.get(f"{a.url}/.well-known/jwks.json", timeout=5).status_code != 200:
        assert time.monotonic() - began < 1.0

    # `times` is spent across the fleet: exactly that many requests, through either node, are faulted.
    limited = {**fault, "times": 15}
    assert requests.post(f"{b.url}/_mock/faults", json=limited, timeout=5).status_code == 201
    statuses: list[int] = []

    def hit(url: str) -> None:
        with requests.Session() as session:
            statuses.extend(session.get(f"{url}/.well-known/jwks.json", timeout=10).status_code for _ in range(10))

    threads = [threading.Thread(target=hit, args=(node.url,)) for node in (a, b, a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 25 + [503] * 15


def _bench_load() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "load.py"
    spec = importlib.util.spec_from_file_location("bench_load_fleet", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_concurrent_writes_through_both_nodes_lose_and_duplicate_nothing(fleet: tuple[LiveServer, LiveServer]) -> None:
    # bench/load.py's clients (providers created and read, logins and account links on shared identities, the
    # ledger of what was acknowledged), half of them on each node, then its audit of the state.
    bench = _bench_load()
    a, b = fleet
    bench.setup(a.url)
    ledger = bench.Ledger()
    deadline = time.monotonic() + 5

    def work(index: int) -> None:
        client = bench.Client((a, b)[index % 2].url, ledger, bench.random.Random(index))
        steps = [client.create_provider, client.read_provider, client.login_fresh, client.login_shared]
        steps += [client.read_provider, client.connect_fresh, client.connect_shared]
        step = index
        while time.monotonic() < deadline:
            try:
                steps[step % len(steps)]()
            except bench.Unexpected as error:
                ledger.problem(str(error))
            step += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = requests.get(f"{b.url}/_mock/state", timeout=60).json()
    assert ledger.problems + bench.audit(state, ledger) == []
    statuses = {f"{name} {status}": n for (name, status), n in ledger.statuses.items()}
    assert not [s for s in statuses if int(s.rsplit(" ", 1)[1]) >= 500]
    for step in ("create provider 200", "login 200", "connect google 200", "connect google 409"):
        assert statuses.get(step, 0) > 0, (step, statuses)


def test_a_node_killed_while_writing_loses_no_acknowledged_write_and_a_restarted_node_rejoins(
    fleet: tuple[LiveServer, LiveServer], pg_url: str
) -> None:
    a, b = fleet
    acknowledged: dict[str, set[str]] = {"provider": set(), "user": set()}
    stop = threading.Event()
    threads = [
        threading.Thread(target=_writer, args=(a.url, stop, acknowledged, kind)) for kind in ("provider", "user") * 3
    ]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 15
        while sum(map(len, acknowledged.values())) < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert a.process is not None
        os.killpg(a.process.pid, signal.SIGKILL)  # the node and its workers, mid-write
        a.process.wait(timeout=10)
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    assert len(acknowledged["provider"]) > 10 and len(acknowledged["user"]) > 10
    stored = requests.get(f"{b.url}/_mock/state", timeout=30).json()
    assert acknowledged["provider"] <= set(stored[PROVIDERS]) and acknowledged["user"] <= set(stored[USERS])

    rejoined = LiveServer("--state", pg_url).start(timeout=60)
    try:
        some = next(iter(acknowledged["provider"]))
        assert requests.get(f"{rejoined.url}/api/identity-provider/{some}", headers=AUTH, timeout=5).status_code == 200
        body = load("seed_twitch_request.json")
        assert requests.post(f"{rejoined.url}/api/identity-provider", json=body, headers=AUTH).status_code == 200
        assert requests.get(f"{b.url}{PROVIDER}", headers=AUTH, timeout=5).status_code == 200
    finally:
        rejoined.stop()


def test_requests_fail_with_the_vendor_bodies_while_postgresql_restarts_then_recover(
    fleet: tuple[LiveServer, LiveServer], pg_cluster: Cluster
) -> None:
    a, _ = fleet
    game = {"game_key": _game_key(a)}
    assert requests.get(f"{a.url}/.well-known/jwks.json", timeout=5).status_code == 200
    pg_cluster.pg_ctl("stop", "-m", "fast")
    try:
        began = time.monotonic()
        fusionauth = requests.get(f"{a.url}/.well-known/jwks.json", timeout=30)
        lootlocker = requests.post(f"{a.url}/game/v2/session/guest", json=game, timeout=30)
        assert time.monotonic() - began < 15  # no hang
    finally:
        pg_cluster.pg_ctl("start")
    assert fusionauth.status_code == 500 and fusionauth.content == b""  # FusionAuth's own 500: an empty body
    assert lootlocker.status_code == 500 and _lootlocker_error(lootlocker.json())
    deadline = time.monotonic() + 10
    while requests.get(f"{a.url}/.well-known/jwks.json", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the node did not recover after PostgreSQL came back"
        time.sleep(0.1)
    assert requests.post(f"{a.url}/game/v2/session/guest", json=game, timeout=10).status_code == 200


def _game_key(node: LiveServer) -> str:
    state = requests.get(f"{node.url}/_mock/state", timeout=10).json()
    return str(next(iter(state["lootlocker.games"].values()))["game_key"])


def _lootlocker_error(body: Any) -> bool:
    return isinstance(body, dict) and "message" in body and body.get("success", False) is False


def test_nodes_started_together_with_a_kickstart_apply_it_once(pg_url: str, tmp_path: Path) -> None:
    application = "8e1ccc9f-7a73-4f1b-9f63-4c5f2d1e0a01"
    kickstart = tmp_path / "kickstart.json"
    request = {"method": "POST", "url": f"/api/application/{application}", "body": {"application": {"name": "Fleet"}}}
    kickstart.write_text(json.dumps({"apiKeys": [{"key": "fleet-kickstart-key-0123456789"}], "requests": [request]}))
    nodes = [LiveServer("--state", pg_url, "--kickstart", str(kickstart)) for _ in range(2)]
    _start_together(*nodes)  # a second run of the request would fail (the application exists) and stop its node
    try:
        for node in nodes:
            found = requests.get(
                f"{node.url}/api/application/{application}",
                headers={"Authorization": "fleet-kickstart-key-0123456789"},
                timeout=5,
            )
            assert found.status_code == 200 and found.json()["application"]["name"] == "Fleet"
    finally:
        for node in nodes:
            node.stop()
