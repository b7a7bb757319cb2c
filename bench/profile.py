#!/usr/bin/env python3
"""bench/profile.py — where does a mockserver worker spend its time under load?

Starts `mockserver serve` (same settings as bench/run), sets up the scenario, drives it with wrk and samples
every worker with py-spy at the same time; prints the top functions (self and inclusive time) and a
breakdown by component (Flask/werkzeug, granian, the store's SQLite, the journal, JSON, JWT signing,
validation, ...). Idle threads are left out. Needs py-spy (`pip install py-spy`) and root (ptrace).

    bench/profile.py get          # or login, guest, accounts
    bench/profile.py login --duration 15 --connections 16
    bench/profile.py login-es256 --perf   # CPU by shared object (Python, kernel, SQLite, ...), with Linux perf
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    API_KEY,
    BENCH,
    BENCH_CODE,
    ES256_KEY_ID,
    GET_PATH,
    ROOT,
    SCRATCH,
    cpu_seconds,
    free_port,
    game_key,
    renice,
    setup_mockserver,
    start,
    stop,
    tree,
    use_signing_key,
    wait_ready,
    wrk,
)

SCENARIOS = {
    "get": (GET_PATH, None, {"Authorization": API_KEY}),
    "login": ("/api/identity-provider/login", BENCH / "login.lua", {}),
    "login-es256": ("/api/identity-provider/login", BENCH / "login.lua", {}),
    "guest": ("/game/v2/session/guest", BENCH / "guest.lua", {}),
    "accounts": ("/game/v1/connected-accounts", None, {}),
}

# (substring of the frame's file, component), first match wins
COMPONENTS = [
    ("mockserver/journal.py", "journal (record + INSERT)"),
    ("mockserver/faults.py", "faults (match)"),
    ("mockserver/store.py", "store (SQLite + json.loads of documents)"),
    ("mockserver/routing.py", "routing pipeline (mockserver)"),
    ("mockserver/", "handlers (mockserver)"),
    ("/jwt/", "JWT (PyJWT + RSA signing)"),
    ("/cryptography/", "JWT (PyJWT + RSA signing)"),
    ("/json/", "json (stdlib)"),
    ("/flask/", "Flask"),
    ("/werkzeug/", "werkzeug"),
    ("/granian/", "granian (Python side)"),
    ("jsonschema_rs", "validation (jsonschema-rs)"),
    ("/blinker/", "Flask"),
    ("/sqlite3/", "store (SQLite + json.loads of documents)"),
]


def component(frame: str) -> str:
    where = "/" + frame.rpartition(" (")[2]
    for needle, name in COMPONENTS:
        if needle in where:
            return name
    return "other: " + frame.split("(")[-1].split(":")[0].split("/site-packages/")[-1]


def function(frame: str) -> str:
    """`name (file:line)` → `name (file)`, file shortened."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    short = path.split("/site-packages/")[-1].replace(str(ROOT) + "/", "")
    return f"{name} ({short})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", choices=list(SCENARIOS))
    ap.add_argument("--duration", type=int, default=12)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--nice", type=int, default=0)
    ap.add_argument(
        "--all-threads",
        action="store_true",
        help="sample every thread (default: only the one holding the GIL, i.e. the CPU actually spent in Python; "
        "the others are mostly waiting for the GIL)",
    )
    ap.add_argument(
        "--perf",
        action="store_true",
        help="sample the server's processes with Linux perf instead and report CPU by shared object: the "
        "interpreter, the kernel (sockets, file reads), SQLite, OpenSSL, granian's Rust side, ...",
    )
    args = ap.parse_args()
    renice(args.nice)
    tool = shutil.which("perf") if args.perf else shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if not tool:
        sys.exit("needs Linux perf (apt-get install linux-perf)" if args.perf else "needs py-spy (pip install py-spy)")
    with loaded_server(args) as server:
        if args.perf:
            perf_profile(args, tool, server)
        else:
            py_spy_profile(args, tool, server)
    return 0


@dataclass
class Server:
    """`mockserver serve` set up for the scenario and warmed up; `load()` drives it for the measured time."""

    args: argparse.Namespace
    proc: subprocess.Popen[bytes]
    port: int
    path: str
    script: Path | None
    headers: dict[str, str]
    env: dict[str, str]

    def load(self) -> Any:
        return wrk(
            self.port,
            self.path,
            connections=self.args.connections,
            duration=self.args.duration + 1,
            script=self.script,
            headers=self.headers,
            env=self.env,
        )


@contextmanager
def loaded_server(args: argparse.Namespace) -> Iterator[Server]:
    exe = shutil.which("mockserver", path=str(Path(sys.executable).parent)) or shutil.which("mockserver")
    if not exe:
        sys.exit("needs mockserver in this environment (pip install -e .)")
    path, script, headers = SCENARIOS[args.scenario]
    folder = Path(tempfile.mkdtemp(prefix="mockserver-profile-", dir="/dev/shm"))
    port = free_port()
    proc = start(
        [exe, "serve", "--port", str(port), "--workers", str(args.workers), "--state", str(folder / "s.sqlite3")],
        cwd=ROOT,
        log_to=SCRATCH / "profile.log",
    )
    try:
        wait_ready(proc, port, "/api/identity-provider", {"Authorization": API_KEY})
        time.sleep(1)
        setup = setup_mockserver(port)
        if args.scenario == "login-es256":
            use_signing_key(port, ES256_KEY_ID)
        if args.scenario == "accounts":
            headers = {"x-session-token": setup["session_token"]}
        env = {"BENCH_LOGIN_CODE": BENCH_CODE, "BENCH_GAME_KEY": game_key()}
        wrk(port, path, connections=args.connections, duration=2, script=script, headers=headers, env=env)
        yield Server(args, proc, port, path, script, headers, env)
    finally:
        stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


def py_spy_profile(args: argparse.Namespace, py_spy: str, server: Server) -> None:
    workers = [p for p in tree(server.proc.pid) if p != server.proc.pid]
    outputs: list[Path] = []
    spies = []
    for pid in workers:
        out = SCRATCH / f"profile-{args.scenario}-{pid}.txt"  # py-spy's raw stacks, kept for a closer look
        outputs.append(out)
        command = [py_spy, "record", "-p", str(pid), "-d", str(args.duration), "-r", str(args.rate)]
        command += ["-f", "raw", "-o", str(out), "--nonblocking", *([] if args.all_threads else ["--gil"])]
        spies.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    result = server.load()
    for spy in spies:
        spy.wait(timeout=60)
    report(args, result, outputs, workers)


def perf_profile(args: argparse.Namespace, perf: str, server: Server) -> None:
    data = SCRATCH / f"perf-{args.scenario}.data"
    pids = ",".join(str(p) for p in tree(server.proc.pid))
    cpu_before = cpu_seconds(server.proc.pid)
    recorder = subprocess.Popen(
        [perf, "record", "-F", "999", "-p", pids, "-o", str(data), "--", "sleep", str(args.duration)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    result = server.load()
    us = (cpu_seconds(server.proc.pid) - cpu_before) / result.requests * 1e6 if result.requests else 0.0
    recorder.wait(timeout=120)
    table = subprocess.run(
        [perf, "report", "-i", str(data), "--no-children", "--sort", "dso", "--stdio", "-g", "none"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(
        f"\n## {args.scenario} at {args.connections} connections, {args.workers} workers: "
        f"{result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms; "
        f"{us:.0f} µs of server CPU per request (/proc); perf, every thread\n"
    )
    print("| shared object | share of the server's CPU samples | ≈ µs per request |\n|---|--:|--:|")
    for line in table.splitlines():
        share, _, dso = line.strip().partition("%")
        if line.startswith("#") or not dso.strip() or float(share) < 0.1:
            continue
        print(f"| `{dso.strip()}` | {float(share):.1f} % | {float(share) * us / 100:.0f} |")


def report(args: argparse.Namespace, result, outputs: list[Path], workers: list[int]) -> None:
    total = 0
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    parts: collections.Counter[str] = collections.Counter()
    for out in outputs:
        if not out.exists():
            continue
        for line in out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [f for f in stack.split(";") if f.strip()]
            if not frames or not count.isdigit():
                continue  # a thread with no Python frames: idle
            n = int(count)
            total += n
            own[function(frames[-1])] += n
            parts[component(frames[-1])] += n
            for f in {function(f) for f in frames}:
                inclusive[f] += n
    print(
        f"\n## {args.scenario} at {args.connections} connections, {args.workers} workers: "
        f"{result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms; "
        f"{total} busy samples over workers {workers}\n"
    )
    if not total:
        print("no samples (py-spy needs root / ptrace)")
        return
    print("| component (by the frame that was running) | share |\n|---|--:|")
    for name, n in parts.most_common():
        print(f"| {name} | {100 * n / total:.1f} % |")
    print("\n| function (self) | share |\n|---|--:|")
    for name, n in own.most_common(args.top):
        print(f"| `{name}` | {100 * n / total:.1f} % |")
    print("\n| function (inclusive) | share |\n|---|--:|")
    for name, n in inclusive.most_common(args.top):
        print(f"| `{name}` | {100 * n / total:.1f} % |")


if __name__ == "__main__":
    sys.exit(main())
