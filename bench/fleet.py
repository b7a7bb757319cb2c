#!/usr/bin/env python3
"""bench/fleet.py — what a fleet's shared PostgreSQL state costs, per request and per store operation.

In one process, without a server (the WSGI app called directly, as bench/inprocess.py does), median of `--rounds`:
- wall µs per request for GET identity provider, ES256 login and LootLocker guest sign-in (a new player each time),
  with the state in SQLite (on /dev/shm) and in PostgreSQL;
- the store operations under them: a document read, a write transaction with one put, a write that changes a watched
  collection (NOTIFY, and the wait for its echo), the per-request cache check with nothing changed (Store.generation);
- the notification delay: a watched change committed by one store (a node) until another store's Cached value shows
  it (p50 / p99 over --changes changes).

    python bench/fleet.py                              # a throw-away PostgreSQL cluster (tests/pg.py), ~1 min
    python bench/fleet.py --pg postgresql://u@host/db  # an existing database (its mock tables are reset)

PostgreSQL runs on the same machine: its CPU competes with the mock's, and a round trip is a loopback one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from benchlib import API_KEY, ES256_KEY_ID, GAME_KEY, GET_PATH, GUEST_PATH, LOGIN_PATH, login_body  # noqa: E402
from inprocess import caller, environ, mockserver_app  # noqa: E402

from mockserver.store import Cached, Store, version_key  # noqa: E402


def wall_us(call: Callable[[], Any], n: int, rounds: int) -> float:
    call()
    results = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(n):
            call()
        results.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(results)


@contextmanager
def postgresql(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from tests.pg import Cluster, binaries

    folder = binaries()
    if folder is None:
        raise SystemExit("no PostgreSQL binaries (initdb, pg_ctl) here: pass --pg URL")
    cluster = Cluster(folder).start()
    try:
        yield cluster.create_database()
    finally:
        cluster.stop()


def _reset(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("docs", "meta", "ranked", "rank_counts", "requests_docs", "requests_meta"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute("DROP TABLE IF EXISTS requests_ranked, requests_rank_counts")


def requests_per_backend(state: str, n: int, rounds: int) -> dict[str, float]:
    app = mockserver_app_at(state)
    get = environ("GET", GET_PATH, headers={"Authorization": API_KEY})
    login = environ("POST", LOGIN_PATH, login_body())
    guest = environ("POST", GUEST_PATH, {"game_key": GAME_KEY, "game_version": "1.0.0"})
    return {
        "GET identity provider": wall_us(caller(app, get), n, rounds),
        "login ES256": wall_us(caller(app, login), n // 4, rounds),
        "guest sign-in (a new player)": wall_us(caller(app, guest), n // 4, rounds),
    }


def mockserver_app_at(state: str) -> Any:
    """bench/inprocess.py's app (a Twitch provider, a reusable code, ES256 tokens) on the given state."""
    import inprocess

    original = inprocess.create_app

    def create_app(config: Any) -> Any:
        return original(type(config)(**{**config.as_dict(), "state_path": state}))

    inprocess.create_app = create_app  # type: ignore[assignment]
    try:
        return mockserver_app(Path("/nonexistent"))
    finally:
        inprocess.create_app = original  # type: ignore[assignment]


def store_operations(state: str, n: int, rounds: int) -> dict[str, float]:
    store = Store(state, watched=["bench.watched"])
    with store.write() as tx:
        tx.put("bench.docs", "1", {"id": "1", "name": "x" * 200})
    cached = Cached(store, version_key("bench.watched"), lambda: store.read().all("bench.watched"), [])
    cached.get()

    def put() -> None:
        with store.write() as tx:
            tx.put("bench.docs", "1", {"id": "1", "name": "y" * 200})

    def watched() -> None:
        with store.write() as tx:
            tx.put("bench.watched", "1", {"id": "1"})

    return {
        "Tx.get (autocommit read)": wall_us(lambda: store.read().get("bench.docs", "1"), n, rounds),
        "write transaction, one put": wall_us(put, n // 4, rounds),
        "write changing a watched collection": wall_us(watched, n // 10, rounds),
        "cache check, nothing changed (Cached.get)": wall_us(cached.get, n * 5, rounds),
    }


def notification_delay(state: str, changes: int) -> tuple[float, float]:
    writer, reader = Store(state, watched=["bench.keys"]), Store(state, watched=["bench.keys"])
    keys = Cached(reader, version_key("bench.keys"), lambda: len(reader.read().all("bench.keys")), 0)
    keys.get()
    delays = []
    for n in range(1, changes + 1):
        with writer.write() as tx:
            tx.put("bench.keys", str(n), {"id": str(n)})
        committed = time.perf_counter()
        while keys.get() != n:
            pass
        delays.append((time.perf_counter() - committed) * 1e6)
    delays.sort()
    return statistics.median(delays), delays[int(len(delays) * 0.99)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", help="a PostgreSQL URL (default: a throw-away cluster)")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--changes", type=int, default=200)
    args = ap.parse_args()
    assert ES256_KEY_ID  # the login signs with ES256, as bench/inprocess.py's
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="mockserver-fleet-", dir=shm) as folder, postgresql(args.pg) as url:
        if args.pg:
            _reset(url)
        sqlite = str(Path(folder) / "state.sqlite3")
        rows: list[tuple[str, float, float]] = []
        on_sqlite = requests_per_backend(sqlite, args.requests, args.rounds)
        on_pg = requests_per_backend(url, args.requests, args.rounds)
        rows += [(f"request: {k}", on_sqlite[k], on_pg[k]) for k in on_sqlite]
        ops_sqlite = store_operations(str(Path(folder) / "ops.sqlite3"), args.requests, args.rounds)
        ops_pg = store_operations(url, args.requests, args.rounds)
        rows += [(f"store: {k}", ops_sqlite[k], ops_pg[k]) for k in ops_sqlite]
        print("| wall µs (median of rounds) | SQLite | PostgreSQL |\n|---|--:|--:|")
        for label, a, b in rows:
            print(f"| {label} | {a:.1f} | {b:.1f} |")
        p50, p99 = notification_delay(url, args.changes)
        print(f"\nPostgreSQL: a watched change seen by another store after the commit returned: p50 {p50:.0f} µs, "
              f"p99 {p99:.0f} µs ({args.changes} changes)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
