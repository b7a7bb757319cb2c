#!/usr/bin/env python3
"""bench/servers.py — which WSGI server (and which settings) should serve mockserver?

Serves the real app (`mockserver.wsgi:app_from_env`, a factory; all workers share one --state file on
tmpfs) under each candidate, creates the Twitch provider, warms up, then measures GET identity provider
with wrk at 16 connections in interleaved rounds; reports median req/s, p50 and p99. A bare Flask app that
answers the same ~1 KB JSON (no validation, no store) under the same servers shows each server's ceiling.

Candidates are installed into the current environment only for this benchmark (not project dependencies):

    pip install gunicorn bjoern        # bjoern needs libev-dev (apt-get install libev-dev)
    bench/servers.py                   # ~5 min; writes bench/servers.json and prints a table
    bench/servers.py --only granian    # candidates whose name contains "granian"

Also: --validators (jsonschema-rs vs jsonschema on IdentityProviderRequest) and --store (SQLite settings).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    API_KEY,
    BENCH,
    GET_PATH,
    ROOT,
    SCRATCH,
    TWITCH_ID,
    cpu_seconds,
    ensure_wrk,
    free_port,
    loadavg,
    log,
    median,
    memory,
    renice,
    request,
    seed_request,
    start,
    stop,
    tree_hash,
    wait_ready,
    wrk,
)

BIN = Path(sys.executable).parent
BARE_APP = SCRATCH / "bare_app.py"


@dataclass
class Candidate:
    name: str
    command: list[str]  # {port} is replaced
    app: str = "mockserver"  # or "buffered" (mockserver, one-shot responses) or "bare"
    needs: str = ""  # module that must be importable
    note: str = ""
    env: dict[str, str] = field(default_factory=dict)


def granian(name: str, *extra: str, workers: int = 2, app: str = "mockserver") -> Candidate:
    target = {
        "mockserver": ["--factory", "mockserver.wsgi:app_from_env"],
        "buffered": ["--factory", "buffered_app:factory"],
        "bare": ["bare_app:app"],
    }[app]
    return Candidate(
        name,
        [
            str(BIN / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-ws",
            *extra,
            *target,
        ],
        app=app,
        needs="granian",
    )


def gunicorn(name: str, *extra: str, app: str = "mockserver") -> Candidate:
    target = "mockserver.wsgi:app_from_env()" if app == "mockserver" else "bare_app:app"
    return Candidate(
        name,
        [str(BIN / "gunicorn"), "-b", "127.0.0.1:{port}", "--log-level", "warning", *extra, target],
        app=app,
        needs="gunicorn",
    )


def bjoern(name: str, workers: int = 2, app: str = "mockserver") -> Candidate:
    # bjoern is single-threaded and single-process: N processes share the port with SO_REUSEPORT.
    loader = (
        "from mockserver.wsgi import app_from_env as f; app = f()"
        if app == "mockserver"
        else "from bare_app import app"
    )
    code = "\n".join(
        [
            "import os, sys, bjoern",
            loader,
            f"for _ in range({workers - 1}):",
            "    if os.fork() == 0:",
            "        break",
            "bjoern.run(app, '127.0.0.1', int(sys.argv[1]), reuse_port=True)",
        ]
    )
    return Candidate(
        name, [sys.executable, "-c", code, "{port}"], app=app, needs="bjoern", note=f"{workers} processes, SO_REUSEPORT"
    )


CANDIDATES = [
    granian("granian w2 bt1", "--blocking-threads", "1"),
    granian("granian w2 bt2", "--blocking-threads", "2"),
    granian("granian w2 bt4", "--blocking-threads", "4"),
    granian("granian w2 bt8 (cli before)", "--blocking-threads", "8"),
    granian("granian w2 bt1 buffered", "--blocking-threads", "1", app="buffered"),
    granian("granian w2 bt2 buffered", "--blocking-threads", "2", app="buffered"),
    granian("granian w2 bt2 runtime-threads 2", "--blocking-threads", "2", "--runtime-threads", "2"),
    granian("granian w2 bt2 runtime-mode st", "--blocking-threads", "2", "--runtime-mode", "st"),
    granian("granian w1 bt1", "--blocking-threads", "1", workers=1),
    granian("granian w3 bt1", "--blocking-threads", "1", workers=3),
    gunicorn("gunicorn sync w2", "-w", "2", "-k", "sync"),
    gunicorn("gunicorn gthread w2 t4", "-w", "2", "-k", "gthread", "--threads", "4"),
    bjoern("bjoern x2"),
    granian("bare Flask: granian w2 bt1", "--blocking-threads", "1", app="bare"),
    gunicorn("bare Flask: gunicorn sync w2", "-w", "2", "-k", "sync", app="bare"),
    bjoern("bare Flask: bjoern x2", app="bare"),
]

# mockserver's app with its response joined into one bytes object: granian then takes its one-shot
# response_bytes path instead of iterating Flask's ClosingIterator (response_iter).
BUFFERED_SOURCE = '''"""mockserver's app, each response handed to the server as one list item."""
from mockserver.wsgi import app_from_env


def factory():
    app = app_from_env()

    def buffered(environ, start_response):
        rv = app(environ, start_response)
        try:
            return [b"".join(rv)]
        finally:
            close = getattr(rv, "close", None)
            if close is not None:
                close()

    return buffered
'''

BARE_SOURCE = '''"""The bare reference: Flask answering a fixed ~1 KB JSON, no validation, no state."""
import json
from flask import Flask, Response
app = Flask("bare")
BODY = json.dumps({"identityProvider": {"id": "TWITCH_ID", "type": "Twitch", "name": "Twitch", "pad": "x" * 800}})
@app.get("/api/identity-provider/<ident>")
def get(ident):
    return Response(BODY, mimetype="application/json")
@app.get("/api/identity-provider")
def all_():
    return Response("{}", mimetype="application/json")
'''.replace("TWITCH_ID", TWITCH_ID)


def run_servers(args: argparse.Namespace) -> dict[str, Any]:
    ensure_wrk()
    SCRATCH.mkdir(exist_ok=True)
    BARE_APP.write_text(BARE_SOURCE)
    (SCRATCH / "buffered_app.py").write_text(BUFFERED_SOURCE)
    chosen = [c for c in CANDIDATES if not args.only or any(o in c.name for o in args.only.split(","))]
    usable = []
    for c in chosen:
        if importlib.util.find_spec(c.needs) is None:
            log(f"skip {c.name}: {c.needs} is not installed (pip install {c.needs})")
        else:
            usable.append(c)
    rows: dict[str, list[dict[str, Any]]] = {c.name: [] for c in usable}
    cold: dict[str, float] = {}
    state_root = Path(
        tempfile.mkdtemp(prefix="mockserver-servers-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None)
    )
    try:
        for rep in range(args.reps):
            for c in usable:
                port = free_port()
                state = state_root / f"{rep}-{port}.sqlite3"
                env = {"MOCKSERVER_STATE": str(state), "PYTHONPATH": f"{SCRATCH}:{os.environ.get('PYTHONPATH', '')}"}
                proc = start(
                    [a.replace("{port}", str(port)) for a in c.command],
                    env=env,
                    cwd=ROOT,
                    log_to=SCRATCH / "servers.log",
                )
                try:
                    seconds = wait_ready(proc, port, "/api/identity-provider", {"Authorization": API_KEY})
                    cold.setdefault(c.name, seconds)
                    if c.app != "bare":
                        status, body = request(
                            port, "POST", "/api/identity-provider", seed_request(), {"Authorization": API_KEY}
                        )
                        assert status == 200, body
                    status, body = request(port, "GET", GET_PATH, headers={"Authorization": API_KEY})
                    assert status == 200, (c.name, status, body)
                    wrk(
                        port,
                        GET_PATH,
                        connections=args.connections,
                        duration=args.warmup,
                        threads=args.threads,
                        headers={"Authorization": API_KEY},
                    )
                    cpu0 = cpu_seconds(proc.pid)
                    r = wrk(
                        port,
                        GET_PATH,
                        connections=args.connections,
                        duration=args.duration,
                        threads=args.threads,
                        headers={"Authorization": API_KEY},
                    )
                    cpu_us = round((cpu_seconds(proc.pid) - cpu0) / max(r.requests, 1) * 1e6)
                    mem = memory(proc.pid)
                finally:
                    stop(proc)
                rows[c.name].append({**r.as_dict(), "cpu_us_per_request": cpu_us, "memory": mem, "load1": loadavg()[0]})
                log(
                    f"round {rep + 1} {c.name:32s} {r.rps:8.0f} req/s  p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:6.2f} ms"
                    f"  errors {r.errors}  cpu {cpu_us} us/req  rss {mem['rss_mb']} MB"
                )
    finally:
        shutil.rmtree(state_root, ignore_errors=True)
    summary = {}
    for c in usable:
        runs = rows[c.name]
        summary[c.name] = {
            "command": " ".join(c.command),
            "app": c.app,
            "note": c.note,
            "rps": round(median([r["rps"] for r in runs])),
            "p50_ms": round(median([r["p50_ms"] for r in runs]), 2),
            "p99_ms": round(median([r["p99_ms"] for r in runs]), 2),
            "errors": sum(r["errors"] for r in runs),
            "rss_mb": max(r["memory"]["rss_mb"] for r in runs),
            "cpu_us_per_request": round(median([r["cpu_us_per_request"] for r in runs])),
            "ready_s": round(cold[c.name], 2),
            "runs": runs,
        }
    return summary


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


# -- validators ------------------------------------------------------------------------------------------


def run_validators(seconds: float) -> dict[str, Any]:
    """Validations per second of the seed IdentityProviderRequest (valid) and a broken one, per library."""
    import jsonschema
    import jsonschema_rs
    import yaml  # noqa: F401  (the loader below needs it)
    from referencing import Registry, Resource

    from mockserver.openapi import specs

    schemas = ROOT / "schemas"
    docs = {p.resolve().as_uri(): json.loads(p.read_text()) for p in schemas.rglob("*.json")}
    uri = (schemas / "fusionauth" / "IdentityProviderRequest.json").resolve().as_uri()
    valid = seed_request()
    invalid = json.loads(json.dumps(valid))
    invalid["identityProvider"]["enabled"] = "yes"
    del invalid["identityProvider"]["client_id"]

    rs = jsonschema_rs.validator_for(
        {"$ref": uri}, registry=jsonschema_rs.Registry(list(docs.items())), validate_formats=True
    )
    registry = Registry().with_resources((u, Resource.from_contents(d)) for u, d in docs.items())
    py = jsonschema.Draft202012Validator(
        {"$ref": uri}, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    project = specs().fusionauth.operations["createIdentityProvider"].bodies["application/json"]
    assert rs.is_valid(valid) and py.is_valid(valid) and project.is_valid(valid)
    assert not rs.is_valid(invalid) and not py.is_valid(invalid)

    def rate(fn) -> float:
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds:
            for _ in range(100):
                fn()
            n += 100
        return n / (time.perf_counter() - t)

    out = {
        "schema": "schemas/fusionauth/IdentityProviderRequest.json (via $ref, formats on)",
        "jsonschema_rs": {
            "version": _version("jsonschema-rs"),
            "valid_per_s": round(rate(lambda: rs.is_valid(valid))),
            "invalid_per_s": round(rate(lambda: rs.is_valid(invalid))),
            "errors_per_s": round(rate(lambda: list(rs.iter_errors(invalid)))),
        },
        "jsonschema": {
            "version": _version("jsonschema"),
            "valid_per_s": round(rate(lambda: py.is_valid(valid))),
            "invalid_per_s": round(rate(lambda: py.is_valid(invalid))),
            "errors_per_s": round(rate(lambda: list(py.iter_errors(invalid)))),
        },
        "project_check_valid_per_s": round(rate(lambda: project.is_valid(valid))),
        "compile_ms": {
            "jsonschema_rs": round(
                timeit.timeit(
                    lambda: jsonschema_rs.validator_for(
                        {"$ref": uri}, registry=jsonschema_rs.Registry(list(docs.items())), validate_formats=True
                    ),
                    number=5,
                )
                / 5
                * 1000,
                2,
            ),
        },
    }
    out["speedup_valid"] = round(out["jsonschema_rs"]["valid_per_s"] / out["jsonschema"]["valid_per_s"], 1)
    return out


# -- store -----------------------------------------------------------------------------------------------


def run_store(seconds: float) -> dict[str, Any]:
    """Committed single-document writes per second (BEGIN IMMEDIATE … COMMIT, as mockserver's Store does)
    and point reads, by journal mode / synchronous setting and by folder (tmpfs vs disk)."""
    doc = json.dumps(seed_request()["identityProvider"])
    folders = {"tmpfs (/dev/shm)": "/dev/shm", "disk (/tmp)": tempfile.gettempdir()}
    modes = [("WAL", "NORMAL"), ("WAL", "FULL"), ("DELETE", "FULL"), ("DELETE", "NORMAL")]
    out: dict[str, Any] = {}
    for label, folder in folders.items():
        if not Path(folder).is_dir():
            continue
        for journal, sync in modes:
            d = Path(tempfile.mkdtemp(prefix="storebench-", dir=folder))
            try:
                conn = sqlite3.connect(d / "s.sqlite3", isolation_level=None)
                conn.execute(f"PRAGMA journal_mode={journal}")
                conn.execute(f"PRAGMA synchronous={sync}")
                conn.execute("CREATE TABLE docs (kind TEXT, id TEXT, body TEXT, PRIMARY KEY (kind, id)) WITHOUT ROWID")
                n, t = 0, time.perf_counter()
                while time.perf_counter() - t < seconds:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("INSERT OR REPLACE INTO docs VALUES ('k', ?, ?)", (str(n % 1000), doc))
                    conn.execute("COMMIT")
                    n += 1
                writes = n / (time.perf_counter() - t)
                n, t = 0, time.perf_counter()
                while time.perf_counter() - t < seconds:
                    conn.execute("SELECT body FROM docs WHERE kind='k' AND id=?", (str(n % 1000),)).fetchone()
                    n += 1
                reads = n / (time.perf_counter() - t)
                conn.close()
            finally:
                shutil.rmtree(d, ignore_errors=True)
            out[f"{label} {journal}/synchronous={sync}"] = {"writes_per_s": round(writes), "reads_per_s": round(reads)}
            log(f"store {label:18s} {journal:6s} sync={sync:6s} {writes:9.0f} writes/s {reads:9.0f} reads/s")
    return out


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# Serving stack, validator and store measurements ({result['date']})",
        "",
        f"`{result['command']}` — load average at start/end {result['load'][0]} / {result['load'][1]}.",
        "",
    ]
    servers = result.get("servers")
    if servers:
        best_bare = max((v["rps"] for v in servers.values() if v["app"] == "bare"), default=None)
        lines += [
            f"GET identity provider, wrk {result['config']['threads']} threads x "
            f"{result['config']['connections']} connections, {result['config']['reps']} interleaved rounds of "
            f"{result['config']['duration']:g} s (medians):",
            "",
            "| server | app | req/s | p50 ms | p99 ms | errors | server CPU µs/req | RSS MB | first 200 after start |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for name, v in servers.items():
            lines.append(
                f"| {name} | {v['app']} | {v['rps']:,} | {v['p50_ms']:.2f} | {v['p99_ms']:.2f} | "
                f"{v['errors']} | {v['cpu_us_per_request']:,} | {v['rss_mb']} | {v['ready_s']:.2f} s |"
            )
        if best_bare:
            lines += ["", f"Best bare-Flask ceiling: {best_bare:,} req/s."]
    v = result.get("validators")
    if v:
        lines += [
            "",
            f"Validators, {v['schema']}:",
            "",
            "| library | valid docs/s | invalid docs/s (is_valid) | invalid docs/s (all errors) |",
            "|---|--:|--:|--:|",
        ]
        for lib in ("jsonschema_rs", "jsonschema"):
            lines.append(
                f"| {lib} {v[lib]['version']} | {v[lib]['valid_per_s']:,} | {v[lib]['invalid_per_s']:,} | "
                f"{v[lib]['errors_per_s']:,} |"
            )
        lines += [
            "",
            f"jsonschema-rs is {v['speedup_valid']}x faster on a valid document; the project's compiled "
            f"check: {v['project_check_valid_per_s']:,}/s.",
        ]
    s = result.get("store")
    if s:
        lines += [
            "",
            "SQLite, one committed write (BEGIN IMMEDIATE … COMMIT) / one point read:",
            "",
            "| folder, journal/synchronous | writes/s | reads/s |",
            "|---|--:|--:|",
        ]
        for name, row in s.items():
            lines.append(f"| {name} | {row['writes_per_s']:,} | {row['reads_per_s']:,} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=8)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated name fragments of the candidates to run")
    ap.add_argument("--no-servers", action="store_true")
    ap.add_argument("--validators", action="store_true", help="also the validator micro-benchmark")
    ap.add_argument("--store", action="store_true", help="also the SQLite settings micro-benchmark")
    ap.add_argument("--nice", type=int, default=0, help="priority of this run, its servers and wrk (e.g. -10)")
    ap.add_argument("--out", default=str(BENCH / "servers.json"))
    ap.add_argument("--md", default=str(BENCH / "servers.md"))
    args = ap.parse_args()
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(["bench/servers.py", *sys.argv[1:]]),
        "config": {k: getattr(args, k) for k in ("duration", "warmup", "reps", "connections", "threads")},
    }
    renice(args.nice)
    result["config"]["nice"] = args.nice
    result["mockserver_tree_sha256"] = tree_hash()
    load0 = loadavg()[0]
    if not args.no_servers:
        result["servers"] = run_servers(args)
    if args.validators:
        result["validators"] = run_validators(2.0)
        log("validators:", json.dumps({k: v for k, v in result["validators"].items() if k != "schema"}))
    if args.store:
        result["store"] = run_store(1.5)
    result["load"] = [load0, loadavg()[0]]
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    md = markdown(result)
    Path(args.md).write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
