#!/usr/bin/env python3
"""bench/leaderboards.py — leaderboard latency at 1,000 and at 1,000,000 members, in one process.

Calls the WSGI app directly (as bench/inprocess.py: prebuilt environ, one thread, state on /dev/shm) and reports
p50 / p99 latency (ms) of, per board size:
- submit: POST /game/leaderboards/{key}/submit of a random member with a random score (overwrite on: every
  submit moves a member, i.e. removes and adds a key in the count tree, and answers its new rank);
- rank: GET /game/leaderboards/{key}/member/{random member};
- top 50: GET /game/leaderboards/{key}/list?count=50&after=0;
- page at the middle: GET …/list?count=50&after=<half the board> (a page deep in the board).
The board is a generic descending board of the fixture game, filled in bulk through the store (one
replace_all: documents, then the count tree by aggregation). Goal (issue 16): the 1,000,000-member figures are
those of the 1,000-member board — a rank or a page never reads the members before it.

    bench/leaderboards.py                         # ~3 min (most of it filling the big board)
    bench/leaderboards.py --sizes 1000,100000 --requests 500
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inprocess import caller, environ

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.lootlocker.collections import SCORES, SEQUENCES
from mockserver.lootlocker.leaderboards import model, ranking

GAME_KEY = "dev_mockserver_game_key_0000000000000"  # fixtures/lootlocker/games.json
KEY = "bench"


def fill(app: Any, size: int, rng: random.Random) -> tuple[str, list[str]]:
    """A fresh generic board of `size` members with random scores; (session token, member ids)."""
    store = app.extensions["mockserver.store"]
    client = app.test_client()
    session = client.post("/game/v2/session/guest", json={"game_key": GAME_KEY, "player_identifier": "bench"})
    assert session.status_code == 200, session.data
    game_id = "1"
    with store.write() as tx:
        fields = {"name": "Bench", "key": KEY, "type": "generic", "direction_method": "descending"}
        board = model.create(tx, game_id, {**fields, "overwrite_score_on_submit": True})
        state = tx.dump()
    members = [f"m{i:07}" for i in range(size)]
    now = "2026-01-01T00:00:00+00:00"
    scores: dict[str, Any] = {}
    for sequence, member in enumerate(members, start=1):
        score = rng.randrange(1_000_000_000)
        doc_id = f"{board['id']}:{member}"
        scores[doc_id] = {
            "id": doc_id,
            "leaderboard_id": board["id"],
            "member_id": member,
            "player_id": None,
            "score": score,
            "metadata": "",
            "sequence": sequence,
            "sort_key": ranking.sort_key(score, sequence, descending=True),
            "created_at": now,
            "updated_at": now,
        }
    state[SCORES] = scores
    counter = f"leaderboard:{board['id']}"
    state.setdefault(SEQUENCES, {})[counter] = {"id": counter, "value": size}
    with store.write() as tx:
        tx.replace_all(state)
    return session.get_json()["session_token"], members


def latencies(app: Any, requests: list[dict[str, Any]]) -> tuple[float, float]:
    """(p50, p99) in ms over the given prebuilt requests, after a warm-up of 20."""
    calls = [caller(app, r) for r in requests]
    for call in calls[:20]:
        call()
    samples = []
    for call in calls:
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def run(size: int, count: int, folder: Path) -> dict[str, tuple[float, float]]:
    rng = random.Random(size)
    app = create_app(Config(state_path=str(folder / f"state-{size}.sqlite3")))
    started = time.perf_counter()
    token, members = fill(app, size, rng)
    print(f"  {size:>9,} members filled in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    headers = {"x-session-token": token}
    base = f"/game/leaderboards/{KEY}"
    submits = [
        environ(
            "POST", f"{base}/submit", {"member_id": rng.choice(members), "score": rng.randrange(1_000_000_000)}, headers
        )
        for _ in range(count)
    ]
    ranks = [environ("GET", f"{base}/member/{rng.choice(members)}", headers=headers) for _ in range(count)]
    tops = [environ("GET", f"{base}/list?count=50&after=0", headers=headers) for _ in range(count)]
    middles = [environ("GET", f"{base}/list?count=50&after={size // 2}", headers=headers) for _ in range(count)]
    return {
        "submit": latencies(app, submits),
        "rank": latencies(app, ranks),
        "top 50": latencies(app, tops),
        "page at the middle": latencies(app, middles),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,1000000", help="board sizes, comma-separated")
    ap.add_argument("--requests", type=int, default=1000, help="requests per operation and size")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    results: dict[int, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="mockserver-leaderboard-bench-", dir=shm) as folder:
        for size in sizes:
            results[size] = run(size, args.requests, Path(folder))
    operations = list(next(iter(results.values())))
    print(f"| operation | {' | '.join(f'{s:,} members p50 / p99 (ms)' for s in sizes)} |")
    print(f"|---|{'---|' * len(sizes)}")
    for operation in operations:
        cells = " | ".join(f"{results[s][operation][0]:.2f} / {results[s][operation][1]:.2f}" for s in sizes)
        print(f"| {operation} | {cells} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
