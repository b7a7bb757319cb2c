#!/usr/bin/env python3
"""bench/fleet_http.py — HTTP throughput of a fleet under wrk (issue 20, item 6): one node on SQLite, one node on
PostgreSQL, two nodes on one PostgreSQL database behind no proxy (one wrk per node, at the same time, figures summed).

Scenarios: GET identity provider, FusionAuth login signed with ES256, LootLocker guest session (a new player each
time), as bench/run measures them. Every node runs as users run it (`mockserver serve`, granian). The machine has 2
cores, so every configuration gets the same 2 worker processes in all: 1 node x 2 workers on SQLite and on PostgreSQL,
2 nodes x 1 worker on PostgreSQL; and the same wrk load in all: `--connections` (16) over 2 wrk threads (one wrk -t2,
or one wrk -t1 per node with half the connections each). PostgreSQL (a throw-away cluster, tests/pg.py: fsync off;
--fsync: on) and wrk run on the same 2 cores: their CPU competes with the nodes'.

Every configuration is started once and warmed up; then each (scenario, configuration) run is measured configuration
after configuration, and the sequence repeated (`--rounds`): A B C A B C. Before every run the state is reset and set up
again through the first node (the Twitch provider, a reusable code, a guest session; ES256 for the login), a PostgreSQL
database is compacted (VACUUM FULL: no dead rows left from earlier runs), every node is checked to answer the scenario's
request with a 200 (ES256 where it logs in); a run starts once the previous one's database sessions are idle
(quiesce()). The configurations not measured stay up, idle: pausing them (SIGSTOP) stopped nodes inside write
transactions, which slowed the next runs (see quiesce()). Reported: the median over rounds of req/s (summed over nodes),
p50 and p99 (with two nodes the larger of the two wrk figures: latency distributions cannot be summed), errors (non-2xx
and socket errors, summed over every round: a run with errors is shown as such), and the CPU seconds each side used per
request (the nodes' process trees; PostgreSQL's postmaster and its backends) with PostgreSQL's share of the busy CPU.

    . /work/venv/bin/activate && python bench/fleet_http.py          # ~6 min: 3 rounds of 8 s
    python bench/fleet_http.py --quick                                # ~1 min: 1 round of 3 s
    python bench/fleet_http.py --fsync                                # PostgreSQL flushing every commit to disk
    python bench/fleet_http.py --pg postgresql://u@host/db            # an existing database (its mock tables reset)
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from benchlib import (  # noqa: E402
    API_KEY,
    BENCH_CODE,
    ES256_KEY_ID,
    GET_PATH,
    GUEST_PATH,
    LOGIN_PATH,
    ROOT,
    SCRATCH,
    WrkResult,
    cpu_seconds,
    cpu_times,
    ensure_wrk,
    free_port,
    game_key,
    guest_body,
    loadavg,
    log,
    login_body,
    median,
    request,
    setup_mockserver,
    start,
    steal_pct,
    stop,
    tree_hash,
    use_signing_key,
    wait_ready,
    wrk,
)


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    path: str
    script: Path | None = None
    headers: tuple[tuple[str, str], ...] = ()


SCENARIOS = {
    "get": Scenario("get", "GET identity provider", GET_PATH, headers=(("Authorization", API_KEY),)),
    "login-es256": Scenario("login-es256", "FusionAuth login (ES256)", LOGIN_PATH, script=BENCH / "login.lua"),
    "guest": Scenario("guest", "LootLocker guest session", GUEST_PATH, script=BENCH / "guest.lua"),
}


@dataclass
class Config:
    key: str
    label: str
    nodes: int
    workers: int  # per node
    backend: str  # "sqlite" or "postgresql"
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    state: str = ""


def configurations(workers: int) -> list[Config]:
    half = max(1, workers // 2)
    return [
        Config("sqlite", f"1 node x {workers} workers, SQLite", 1, workers, "sqlite"),
        Config("pg-1", f"1 node x {workers} workers, PostgreSQL", 1, workers, "postgresql"),
        Config("pg-2", f"2 nodes x {half} worker{'s' * (half > 1)}, one PostgreSQL", 2, half, "postgresql"),
    ]


# -- aggregation (tested on canned wrk output by tests/test_bench_fleet_http.py) ------------------------------------


def combine(per_node: Sequence[WrkResult]) -> dict[str, Any]:
    """One run of a configuration: the nodes' wrk results run at the same time. Throughput, requests and errors add
    up; latency percentiles do not, so p50/p99 are the slowest node's (an upper bound of the fleet's)."""
    return {
        "rps": round(sum(r.rps for r in per_node), 1),
        "requests": sum(r.requests for r in per_node),
        "p50_ms": round(max(r.p50_ms for r in per_node), 3),
        "p99_ms": round(max(r.p99_ms for r in per_node), 3),
        "non2xx": sum(r.non2xx for r in per_node),
        "socket_errors": sum(r.socket_errors for r in per_node),
        "errors": sum(r.errors for r in per_node),
        "nodes": [r.as_dict() for r in per_node],
    }


def summarize(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (scenario, configuration), in the order first measured: medians over the rounds, errors summed
    (never dropped: one failing round shows in the row)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault((run["scenario"], run["config"]), []).append(run)
    rows = []
    for (scenario, config), group in groups.items():
        requests = sum(r["requests"] for r in group)

        def per_request_us(key: str, group: list[dict[str, Any]] = group, requests: int = requests) -> float | None:
            seconds = [r[key] for r in group if r.get(key) is not None]
            return round(sum(seconds) / requests * 1e6, 1) if seconds and requests else None

        shares = [r["pg_cpu_share"] for r in group if r.get("pg_cpu_share") is not None]
        rows.append(
            {
                "scenario": scenario,
                "config": config,
                "rounds": len(group),
                "rps": round(median([r["rps"] for r in group]), 1),
                "rps_rounds": [r["rps"] for r in group],
                "p50_ms": round(median([r["p50_ms"] for r in group]), 3),
                "p99_ms": round(median([r["p99_ms"] for r in group]), 3),
                "requests": requests,
                "errors": sum(r["errors"] for r in group),
                "non2xx": sum(r["non2xx"] for r in group),
                "socket_errors": sum(r["socket_errors"] for r in group),
                "node_cpu_us": per_request_us("node_cpu_s"),
                "pg_cpu_us": per_request_us("pg_cpu_s"),
                "pg_cpu_share": round(median(shares), 1) if shares else None,
                "load1": [r["load_before"][0] for r in group],
            }
        )
    return rows


def ratios(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Per scenario: each configuration's req/s over 1 node on SQLite's and over 1 node on PostgreSQL's."""
    by = {(r["scenario"], r["config"]): r["rps"] for r in rows}
    out: dict[str, dict[str, float | None]] = {}
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        sqlite, pg1, pg2 = (by.get((scenario, c)) for c in ("sqlite", "pg-1", "pg-2"))
        out[scenario] = {
            "pg-1 / sqlite": round(pg1 / sqlite, 2) if pg1 and sqlite else None,
            "pg-2 / pg-1": round(pg2 / pg1, 2) if pg2 and pg1 else None,
            "pg-2 / sqlite": round(pg2 / sqlite, 2) if pg2 and sqlite else None,
        }
    return out


def _num(value: float | None, fmt: str = "{:,.0f}") -> str:
    return "-" if value is None else fmt.format(value)


def pg_setup(args: dict[str, Any]) -> str:
    if args.get("pg"):
        return "an existing server (its CPU not measured)"
    fsync = "fsync on (every commit flushed to disk)" if args.get("fsync") else "fsync off, as tests/pg.py runs it"
    return f"a throw-away cluster on this machine, {fsync}"


def markdown(report: dict[str, Any]) -> str:
    labels = {c["key"]: c["label"] for c in report["configs"]}
    scenario_labels = {k: s.label for k, s in SCENARIOS.items()}
    args = report["args"]
    lines = [
        "# bench/fleet_http.py — one node on SQLite, one on PostgreSQL, two on one PostgreSQL",
        "",
        f"{report['started']}, {report['machine']}; mockserver tree {report['tree']}; {report['wrk']}. "
        f"wrk: {args['connections']} connections over 2 threads in all (two nodes: one `wrk -t1 -c"
        f"{args['connections'] // 2}` each, at the same time), {args['duration']} s per run, {args['rounds']} "
        f"round(s), interleaved; medians over rounds. PostgreSQL: {pg_setup(args)}. "
        "Load average (1 min) before the runs: "
        f"{report['load_min']}-{report['load_max']}; steal ≤ {report['steal_max']} %; "
        f"CPU used by anything but the nodes, PostgreSQL and wrk during a run ≤ {report.get('other_cpu_max', '?')} % "
        "of the machine.",
        "",
        "| scenario | configuration | req/s | p50 ms | p99 ms | errors | node CPU µs/req | PostgreSQL CPU µs/req "
        "| PostgreSQL share of busy CPU | req/s per round |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in report["rows"]:
        errors = f"**{r['errors']:,}** (non-2xx {r['non2xx']:,}, socket {r['socket_errors']:,})" if r["errors"] else "0"
        share = _num(r["pg_cpu_share"], "{:.0f} %")
        lines.append(
            f"| {scenario_labels.get(r['scenario'], r['scenario'])} | {labels.get(r['config'], r['config'])} "
            f"| {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {errors} | {_num(r['node_cpu_us'])} "
            f"| {_num(r['pg_cpu_us'])} | {share} | {', '.join(f'{x:,.0f}' for x in r['rps_rounds'])} |"
        )
    lines += ["", "| scenario | PostgreSQL 1 node / SQLite | 2 nodes / 1 node (PostgreSQL) | 2 nodes PG / SQLite |"]
    lines.append("|---|--:|--:|--:|")
    for scenario, ratio in report["ratios"].items():
        cells = " | ".join(_num(ratio[k], "{:.2f}") for k in ("pg-1 / sqlite", "pg-2 / pg-1", "pg-2 / sqlite"))
        lines.append(f"| {scenario_labels.get(scenario, scenario)} | {cells} |")
    errors = sum(r["errors"] for r in report["rows"])
    lines += [
        "",
        f"Errors in all: {errors:,}." if errors else "No errors: every request of every run answered 2xx.",
        "Two nodes: p50/p99 are the slower node's. CPU µs per request: CPU seconds of the process trees over the "
        "requests served (node = every node's granian tree; PostgreSQL = its postmaster and backends); the share is "
        "PostgreSQL's CPU over the machine's busy CPU during the run (wrk and the nodes are the rest).",
    ]
    return "\n".join(lines) + "\n"


# -- running ----------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def postgresql(url: str | None, fsync: bool = False) -> Iterator[tuple[Callable[[], str], int | None]]:
    """A factory of fresh databases and the postmaster's pid (None for an existing server: its CPU is not measured).
    The throw-away cluster runs with tests/pg.py's settings (fsync off), or with fsync on: every commit then waits for
    its WAL to reach the disk, as in a durable deployment, and the fleet's writes wait for it one after the other."""
    if url:
        yield (lambda: url), None
        return
    from tests.pg import Cluster, binaries

    class Durable(Cluster):
        def pg_ctl(self, action: str, *options: str) -> None:
            args = [str(self.bin / "pg_ctl"), "-D", self.data, "-w", "-t", "30", "-l", f"{self.folder}/log"]
            if action != "stop":
                settings = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
                args += ["-o", settings]
            self._run(*args, action, *options)

    folder = binaries()
    if folder is None:
        raise SystemExit("no PostgreSQL binaries (initdb, pg_ctl) here: pass --pg URL")
    cluster = (Durable if fsync else Cluster)(folder).start()
    try:
        pid = int(Path(cluster.data, "postmaster.pid").read_text().split()[0])
        yield cluster.create_database, pid
    finally:
        cluster.stop()


def launch(config: Config, exe: str, state: str) -> None:
    config.state = state
    for n in range(config.nodes):
        port = free_port()
        cmd = [exe, "serve", "--port", str(port), "--workers", str(config.workers), "--state", state]
        config.procs.append(start(cmd, cwd=ROOT, log_to=SCRATCH / f"fleet_http-{config.key}-{n}.log"))
        config.ports.append(port)
    for proc, port in zip(config.procs, config.ports, strict=True):
        wait_ready(proc, port, "/api/identity-provider", {"Authorization": API_KEY})


def _jwt_alg(token: str) -> str:
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["alg"]


def compact(url: str) -> None:
    """Rewrite the database's tables without their dead rows. The reset deletes rows and every write leaves an old
    row version behind; over a few runs the dead rows outnumbered the live ones tenfold (69,000 to 5,700 in `docs`
    after six 6 s guest runs, autovacuum not yet run) and each round was slower than the one before. Compacting
    before every run gives every round and configuration the same fresh database, as SQLite's reset does."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (FULL, ANALYZE)")


def quiesce(config: Config, timeout: float = 10) -> None:
    """Wait until the nodes have finished the requests wrk left in flight, so that runs do not overlap. (An earlier
    version paused the configurations not measured with SIGSTOP: a node stopped inside a write transaction held it open
    through the next configuration's whole run, an open transaction keeps PostgreSQL from pruning dead rows, and the
    next runs' database work per request grew round after round: guest sessions on 2 nodes, 1.3 → 5.5 ms of
    PostgreSQL CPU each. Without pausing, guest sessions on 2 nodes still slow down in later rounds, less and
    for a reason not found: see fleet_http.md's per-round figures.)"""
    time.sleep(0.3)
    if config.backend != "postgresql":
        return
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(config.state, autocommit=True) as conn:
        while time.monotonic() < deadline:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state IS NOT NULL AND state <> 'idle'"
            ).fetchone()
            if busy is not None and busy[0] == 0:
                return
            time.sleep(0.05)
    raise RuntimeError(f"{config.key}: the nodes' database sessions still busy {timeout} s after the run")


def prepare(config: Config, scenario: Scenario) -> None:
    """The same state before every run, set up through the first node; every node must then serve the scenario (the
    other node sees the first's writes: the fleet's caches follow the shared state)."""
    first = config.ports[0]
    setup_mockserver(first)
    if scenario.key == "login-es256":
        use_signing_key(first, ES256_KEY_ID)
    if config.backend == "postgresql":
        compact(config.state)
    for port in config.ports:
        if scenario.key == "get":
            status, data = request(port, "GET", GET_PATH, headers={"Authorization": API_KEY})
        elif scenario.key == "login-es256":
            status, data = request(port, "POST", LOGIN_PATH, login_body())
            if status == 200 and _jwt_alg(json.loads(data)["token"]) != "ES256":
                raise RuntimeError(f"{config.key} node on {port}: the login is not signed with ES256")
        else:
            status, data = request(port, "POST", GUEST_PATH, guest_body())
        if status != 200:
            raise RuntimeError(f"{config.key} node on {port}, {scenario.key}: {status} {data[:300]!r}")


def _children_cpu() -> float:
    """CPU seconds of the children this process has waited for (the wrk runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    config: Config, scenario: Scenario, connections: int, duration: float, pg_pid: int | None
) -> tuple[dict[str, Any], list[WrkResult]]:
    """One run: one wrk per node at the same time, the connections and 2 wrk threads shared out between them."""
    per_node_connections = max(1, connections // config.nodes)
    threads = max(1, 2 // config.nodes)

    def one(port: int) -> WrkResult:
        return wrk(
            port,
            scenario.path,
            connections=per_node_connections,
            duration=duration,
            threads=threads,
            script=scenario.script,
            headers=dict(scenario.headers),
            env={"BENCH_LOGIN_CODE": BENCH_CODE, "BENCH_GAME_KEY": game_key()},
        )

    load = loadavg()
    node_cpu0 = sum(cpu_seconds(p.pid) for p in config.procs)
    pg_cpu0 = cpu_seconds(pg_pid) if pg_pid and config.backend == "postgresql" else None
    wrk0 = _children_cpu()
    times0, t0 = cpu_times(), time.perf_counter()
    with ThreadPoolExecutor(len(config.ports)) as pool:
        results = list(pool.map(one, config.ports))
    wall = time.perf_counter() - t0
    times1 = cpu_times()
    node_cpu = sum(cpu_seconds(p.pid) for p in config.procs) - node_cpu0
    pg_cpu = cpu_seconds(pg_pid) - pg_cpu0 if pg_pid and pg_cpu0 is not None else None
    delta = [b - a for a, b in zip(times0, times1, strict=False)]
    busy_s = (sum(delta[:8]) - delta[3] - delta[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    wrk_cpu = _children_cpu() - wrk0
    # What neither the nodes, PostgreSQL nor wrk used: other work on the shared machine (and the kernel's softirqs).
    other = busy_s - node_cpu - (pg_cpu or 0) - wrk_cpu
    run = {
        "scenario": scenario.key,
        "config": config.key,
        **combine(results),
        "wall_s": round(wall, 2),
        "node_cpu_s": round(node_cpu, 2),
        "pg_cpu_s": round(pg_cpu, 2) if pg_cpu is not None else None,
        "busy_cpu_s": round(busy_s, 2),
        "wrk_cpu_s": round(wrk_cpu, 2),
        "other_cpu_s": round(other, 2),
        "other_cpu_pct": round(100 * other / (wall * (os.cpu_count() or 1)), 1),
        "pg_cpu_share": round(100 * pg_cpu / busy_s, 1) if pg_cpu is not None and busy_s else None,
        "load_before": load,
        "steal_pct": steal_pct(times0, times1),
    }
    return run, results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=8, help="seconds per measured run (default 8)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    ap.add_argument("--connections", type=int, default=16, help="wrk connections in all (default 16)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes per configuration in all (default 2)")
    ap.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per scenario and configuration")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="subset of " + ",".join(SCENARIOS))
    ap.add_argument("--pg", help="a PostgreSQL URL for both PostgreSQL configurations (default: a throw-away cluster)")
    ap.add_argument("--fsync", action="store_true", help="the throw-away cluster with fsync on (default: off)")
    ap.add_argument("--quick", action="store_true", help="1 round of 3 s, 1 s warm-up (a smoke run)")
    ap.add_argument("--out", type=Path, default=BENCH / "fleet_http.json")
    ap.add_argument("--md", type=Path, default=BENCH / "fleet_http.md")
    args = ap.parse_args()
    if args.quick:
        args.duration, args.rounds, args.warmup = 3, 1, 1
    scenarios = [SCENARIOS[s] for s in args.scenarios.split(",")]
    wrk_version = ensure_wrk()
    exe = shutil.which("mockserver", path=str(Path(sys.executable).parent)) or shutil.which("mockserver")
    if not exe:
        raise SystemExit("no mockserver executable next to this Python nor on PATH")
    SCRATCH.mkdir(exist_ok=True)
    configs = configurations(args.workers)
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    runs: list[dict[str, Any]] = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    with (
        tempfile.TemporaryDirectory(prefix="mockserver-fleet-http-", dir=shm) as folder,
        postgresql(args.pg, args.fsync) as (
            new_database,
            pg_pid,
        ),
    ):
        if args.pg:
            from fleet import _reset

            _reset(args.pg)
        try:
            for config in configs:
                state = str(Path(folder) / "state.sqlite3") if config.backend == "sqlite" else new_database()
                launch(config, exe, state)
                log(f"{config.label}: ports {config.ports}")
            for config in configs:  # warm-up, not recorded
                for scenario in scenarios:
                    prepare(config, scenario)
                    with ThreadPoolExecutor(len(config.ports)) as pool:
                        list(
                            pool.map(
                                lambda port, s=scenario: wrk(
                                    port,
                                    s.path,
                                    connections=4,
                                    duration=args.warmup,
                                    script=s.script,
                                    headers=dict(s.headers),
                                    env={"BENCH_LOGIN_CODE": BENCH_CODE, "BENCH_GAME_KEY": game_key()},
                                ),
                                config.ports,
                            )
                        )
                    quiesce(config)
            for round_ in range(1, args.rounds + 1):
                for scenario in scenarios:
                    for config in configs:
                        prepare(config, scenario)
                        time.sleep(0.5)  # let the setup's journal writes and notifications settle
                        run, _ = measure(config, scenario, args.connections, args.duration, pg_pid)
                        quiesce(config)
                        run["round"] = round_
                        runs.append(run)
                        flag = f"  ERRORS {run['errors']}" if run["errors"] else ""
                        log(
                            f"round {round_} {scenario.key:11s} {config.key:6s} {run['rps']:8.0f} req/s  "
                            f"p50 {run['p50_ms']:.2f} p99 {run['p99_ms']:.2f} ms  load {run['load_before'][0]}  "
                            f"pg share {run['pg_cpu_share']}{flag}"
                        )
        finally:
            for config in configs:
                for proc in config.procs:
                    stop(proc)
    rows = summarize(runs)
    loads = [r["load_before"][0] for r in runs]
    report = {
        "started": started,
        "machine": f"{os.cpu_count()} CPUs, {platform.platform()}",
        "tree": tree_hash(),
        "wrk": wrk_version,
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "configs": [{"key": c.key, "label": c.label, "nodes": c.nodes, "workers": c.workers} for c in configs],
        "load_min": min(loads),
        "load_max": max(loads),
        "steal_max": max(r["steal_pct"] for r in runs),
        "other_cpu_max": max(r["other_cpu_pct"] for r in runs),
        "rows": rows,
        "ratios": ratios(rows),
        "runs": runs,
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    text = markdown(report)
    args.md.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
