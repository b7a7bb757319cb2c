#!/usr/bin/env python3
"""bench/lambda_login.py — what a lambda adds to a Twitch login, in one process (no server, no load tool).

Calls the WSGI app directly (as bench/inprocess.py: prebuilt environ, one thread, state on /dev/shm, ES256
key) and reports CPU and wall µs per login, median of `--rounds`, for: no lambda; a trivial JWT populate
lambda on the application (`jwt.favoriteColor = 'blue'`); and that plus a trivial Twitch reconcile lambda on
the provider. The variants run interleaved, round by round, so that a change in the machine's load hits
them alike. Goal: a trivial populate lambda costs < 0.5 ms more per login.

    bench/lambda_login.py                       # ~20 s
    bench/lambda_login.py --rounds 9 --requests 1000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import API_KEY, APP_ID, TWITCH_ID, login_body
from inprocess import LOGIN_PATH, caller, environ, mockserver_app

POPULATE = "function populate(jwt, user, registration) { jwt.favoriteColor = 'blue'; }"
RECONCILE = "function reconcile(user, registration, userInfo) { user.data = {twitch: userInfo.sub}; }"
AUTH = {"Authorization": API_KEY}
MERGE = {**AUTH, "Content-Type": "application/merge-patch+json"}  # null removes a value


def measure(call: Callable[[], Any], requests: int) -> tuple[float, float]:
    """(CPU µs, wall µs) per call over `requests` calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        call()
    return (time.process_time() - cpu) / requests * 1e6, (time.perf_counter() - wall) / requests * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=500, help="logins per variant and round")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="mockserver-lambda-bench-", dir=shm) as folder:
        app = mockserver_app(Path(folder))
        client = app.test_client()

        def create(type_: str, body: str) -> str:
            created = client.post(
                "/api/lambda", json={"lambda": {"name": type_, "type": type_, "body": body}}, headers=AUTH
            )
            assert created.status_code == 200, created.data
            return created.get_json()["lambda"]["id"]

        populate_id, reconcile_id = create("JWTPopulate", POPULATE), create("TwitchReconcile", RECONCILE)

        def configure(populate: bool, reconcile: bool) -> None:
            config = {"accessTokenPopulateId": populate_id} if populate else {"accessTokenPopulateId": None}
            r = client.patch(
                f"/api/application/{APP_ID}", json={"application": {"lambdaConfiguration": config}}, headers=MERGE
            )
            assert r.status_code == 200, r.data
            provider = {"lambdaConfiguration": {"reconcileId": reconcile_id if reconcile else None}}
            r = client.patch(f"/api/identity-provider/{TWITCH_ID}", json={"identityProvider": provider}, headers=MERGE)
            assert r.status_code == 200, r.data

        login = caller(app, environ("POST", LOGIN_PATH, login_body()))
        variants = {
            "no lambda": (False, False),
            "JWT populate lambda": (True, False),
            "JWT populate + Twitch reconcile": (True, True),
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        for populate, reconcile in variants.values():  # warm-up: compile, caches
            configure(populate, reconcile)
            for _ in range(50):
                login()
        for _ in range(args.rounds):
            for name, (populate, reconcile) in variants.items():
                configure(populate, reconcile)
                login()
                results[name].append(measure(login, args.requests))
        base_cpu = statistics.median(r[0] for r in results["no lambda"])
        base_wall = statistics.median(r[1] for r in results["no lambda"])
        print(f"{args.rounds} rounds x {args.requests} logins per variant (median of rounds)\n")
        print("| login | CPU µs | wall µs | + CPU µs | + wall µs |\n|---|--:|--:|--:|--:|")
        for name, rows in results.items():
            cpu, wall = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
            print(f"| {name} | {cpu:.0f} | {wall:.0f} | {cpu - base_cpu:+.0f} | {wall - base_wall:+.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
