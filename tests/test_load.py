"""Load without loss: bench/load.py (60 s in bench/) for a few seconds against `mockserver serve --workers 4`, on an
SQLite state and on a PostgreSQL one (`state_location`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mockserver.testing import LiveServer

pytest_plugins = ("tests.pg",)  # pg_url, state_location
BENCH_LOAD = Path(__file__).resolve().parent.parent / "bench" / "load.py"
# Seconds of load per backend. PostgreSQL: 4, enough for ~1,000 requests with every step contended (under a CI
# run on 2 cores, ~500 in 3 s), 2 s less of the suite.
DURATION = {"sqlite": 6.0, "postgresql": 4.0}


@pytest.fixture(scope="module")
def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_load", BENCH_LOAD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_sixteen_clients_on_four_workers_lose_nothing(load: ModuleType, state_location: str) -> None:
    backend = "postgresql" if state_location.startswith("postgresql://") else "sqlite"
    server = LiveServer("--workers", "4", "--state", state_location).start()
    try:
        report = load.run(server.url, duration=DURATION[backend], clients=16)
    finally:
        server.stop()
    assert report.problems == []
    assert not [s for s in report.statuses if int(s.rsplit(" ", 1)[1]) >= 500]
    # Every kind of step ran, and the shared accounts really were contended.
    assert report.requests > 300
    for step in ("create provider 200", "read provider 200", "login 200", "connect google 200", "connect google 409"):
        assert report.statuses.get(step, 0) > 0, step


# Once, not per backend: the audit only reads a state document, wherever it came from.
def test_the_audit_sees_a_lost_and_a_duplicated_write(load: ModuleType) -> None:
    ledger = load.Ledger()
    ledger.providers["p1"] = "Load p1"
    ledger.logins["t1"].update({"u1"})
    ledger.emails["t1"] = "t1@load.example"
    state = {
        "fusionauth.identityProviders": {load.TWITCH_ID: {"name": "Twitch"}},  # p1 lost
        "fusionauth.users": {
            "u1": {"id": "u1", "email": "t1@load.example"},
            "u2": {"id": "u2", "email": "t1@load.example"},  # duplicated
        },
        "fusionauth.links": {
            "l1": {"identityProviderId": load.TWITCH_ID, "identityProviderUserId": "t1", "userId": "u1"}
        },
    }
    problems = load.audit(state, ledger)
    assert any("lost ['p1']" in p for p in problems)
    assert any("2 users with email t1@load.example" in p for p in problems)
