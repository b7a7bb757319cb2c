#!/usr/bin/env python3
"""bench/growth.py — does a request get slower as the state grows?

In-process (Flask test client, no server, no wrk: CPU cost only): signs in N guest players, then times a
guest sign-in, a connected-accounts listing and the GET identity provider, for growing N. A store whose
lookups scan a whole collection shows up as a cost that grows linearly with N.

    bench/growth.py                  # N = 0, 2000, 5000, 10000; ~1-2 min
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import API_KEY, GET_PATH, guest_body, seed_request


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="0,2000,5000,10000", help="numbers of guest players to measure at")
    ap.add_argument("--samples", type=int, default=300, help="requests timed per scenario and size")
    args = ap.parse_args()

    from mockserver.app import create_app
    from mockserver.config import Config

    folder = Path(tempfile.mkdtemp(prefix="mockserver-growth-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    try:
        app = create_app(Config(state_path=str(folder / "state.sqlite3")))
        client = app.test_client()
        assert (
            client.post("/api/identity-provider", json=seed_request(), headers={"Authorization": API_KEY}).status_code
            == 200
        )
        token = client.post("/game/v2/session/guest", json=guest_body()).get_json()["session_token"]
        players = 1

        def timed(fn) -> float:
            t = time.perf_counter()
            for _ in range(args.samples):
                fn()
            return (time.perf_counter() - t) / args.samples * 1e6

        rows = []
        for size in [int(s) for s in args.sizes.split(",")]:
            while players < size:
                client.post("/game/v2/session/guest", json=guest_body())
                players += 1
            before = players
            guest = timed(lambda: client.post("/game/v2/session/guest", json=guest_body()))
            players += args.samples
            accounts = timed(lambda: client.get("/game/v1/connected-accounts", headers={"x-session-token": token}))
            get = timed(lambda: client.get(GET_PATH, headers={"Authorization": API_KEY}))
            rows.append(
                {"players": before, "guest_us": round(guest), "accounts_us": round(accounts), "get_us": round(get)}
            )
            print(json.dumps(rows[-1]), flush=True)
        print("\n| guest players in the state | guest sign-in µs | list connected accounts µs | GET provider µs |")
        print("|--:|--:|--:|--:|")
        for r in rows:
            print(f"| {r['players']:,} | {r['guest_us']:,} | {r['accounts_us']:,} | {r['get_us']:,} |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
