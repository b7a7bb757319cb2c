#!/usr/bin/env python3
"""bench/populate.py — how fast `mockserver populate` fills a state (people a second), SQLite and PostgreSQL.

Runs the real command (`mockserver populate --state … -n N`) into a new state per round and reads the rate it
reports on stderr (the population phase: after the app has started, until the last batch is committed). SQLite
states go to /dev/shm when it exists (a load test's state is not on a slow disk); `--postgres URL` adds rounds
against that database (each round in a fresh database of that server: URL must name a database we may CREATE
others beside). Goal (issue 20): ≥ 5,000 people a second on this machine.

    bench/populate.py                          # 3 rounds of 20,000 on SQLite (~30 s)
    bench/populate.py --count 50000 --rounds 5
    bench/populate.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    bench/populate.py --whole                  # with a leaderboard score and a wallet balance per person
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

RATE = re.compile(r"populated (\d+) people in ([\d.]+) s")


# `--whole`: each person also gets a score on a leaderboard and a starting balance in its wallet, set up on the
# fixture game as a studio would, through the Admin API.
WHOLE = ["--leaderboard", "bench", "--currency", "GLD", "--balance", "500"]


def set_up_whole(state: str) -> None:
    """A leaderboard and a currency on the fixture game, made through the Admin API of an in-process app."""
    from mockserver.app import close_app, create_app
    from mockserver.config import Config

    app = create_app(Config(state_path=state))
    client = app.test_client()
    admin = {"email": "admin@mockserver.dev", "password": "mockserver-admin-password"}  # fixtures/lootlocker
    login = client.post("/admin/v1/session", json=admin)
    headers = {"x-auth-token": login.get_json()["auth_token"]}
    board = {"name": "Bench", "key": "bench", "direction_method": "descending", "type": "player"}
    made = [client.post("/admin/game/1/leaderboards", json=board, headers=headers)]
    currency = {"name": "Gold", "code": "GLD", "game_id": 1, "initial_denomination_name": "base"}
    made.append(client.post("/admin/game/1/currencies/currency", json=currency, headers=headers))
    close_app(app)
    for response in made:
        if response.status_code != 200:
            raise SystemExit(f"set-up failed: {response.status_code} {response.get_data(as_text=True)}")


def one_round(state: str, count: int, whole: bool) -> float:
    if whole:
        set_up_whole(state)
    command = [sys.executable, "-m", "mockserver.cli", "populate", "--state", state, "-n", str(count), "--seed", "1"]
    done = subprocess.run(command + (WHOLE if whole else []), capture_output=True, text=True, check=True)
    found = RATE.search(done.stderr)
    if found is None:
        raise SystemExit(f"no rate in the output: {done.stderr}")
    return int(found.group(1)) / float(found.group(2))


def postgres_state(url: str) -> str:
    """A fresh database beside the one the URL names (dropped by nobody: a bench server is throw-away)."""
    import psycopg

    name = f"populate_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL: add rounds on PostgreSQL")
    parser.add_argument("--whole", action="store_true", help="each person also gets a score and a wallet balance")
    args = parser.parse_args()
    base = "/dev/shm" if Path("/dev/shm").is_dir() else None
    backends = {"sqlite": lambda folder: str(Path(folder) / "state.sqlite3")}
    if args.postgres:
        backends["postgresql"] = lambda _folder: postgres_state(args.postgres)
    rates: dict[str, list[float]] = {name: [] for name in backends}
    for _ in range(args.rounds):  # interleaved: a change in the machine's load hits every backend alike
        for name, state_of in backends.items():
            with tempfile.TemporaryDirectory(dir=base) as folder:
                rates[name].append(one_round(state_of(folder), args.count, args.whole))
    for name, values in rates.items():
        shown = ", ".join(f"{v:,.0f}" for v in values)
        print(f"{name:<10} median {statistics.median(values):,.0f} people/s  (rounds: {shown}; {args.count:,} each)")


if __name__ == "__main__":
    main()
