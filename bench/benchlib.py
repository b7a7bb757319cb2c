"""Helpers shared by bench/run and bench/servers.py: wrk, process trees, readiness, mockserver setup.

Standard library only, so that the scripts run with whichever Python has mockserver installed.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SCRATCH = BENCH / ".scratch"

API_KEY = "mockserver-dev-api-key-not-for-production"
GAME_KEY = "dev_mockserver_game_key_0000000000000"
TWITCH_ID = "bf4cf83f-e824-42d7-b4a3-5b10847a66b2"
APP_ID = "9418c942-b625-4902-81d5-dbbe4012f311"
BENCH_CODE = "bench-twitch-code-reusable-0001"
GET_PATH = f"/api/identity-provider/{TWITCH_ID}"
LOGIN_PATH = "/api/identity-provider/login"
GUEST_PATH = "/game/v2/session/guest"
ACCOUNTS_PATH = "/game/v1/connected-accounts"


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


# -- ports and processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    cmd: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, log_to: Path | None = None
) -> subprocess.Popen[bytes]:
    """A server in its own process group (so that stop() ends it and its workers, and nothing else)."""
    out = open(log_to, "ab") if log_to else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        list(cmd),
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes] | None, timeout: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


def tree(pid: int) -> list[int]:
    """pid and all of its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def _kb(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time consumed so far by the process tree (from /proc/<pid>/stat)."""
    ticks = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> dict[str, Any]:
    """RSS of the process tree: the sum (counts shared pages once per process), PSS (shares them out),
    and the largest single process (a worker)."""
    pids = tree(pid)
    rss = {p: _kb(f"/proc/{p}/status", "VmRSS:") for p in pids}
    pss = {p: _kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids}
    return {
        "processes": len(pids),
        "rss_mb": round(sum(rss.values()) / 1024, 1),
        "pss_mb": round(sum(pss.values()) / 1024, 1),
        "max_process_rss_mb": round(max(rss.values(), default=0) / 1024, 1),
    }


# -- HTTP --------------------------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        hdrs = dict(headers or {})
        if data is not None:
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(
    proc: subprocess.Popen[bytes],
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
    interval: float = 0.01,
) -> float:
    """Seconds until GET path answers 200 (polled every `interval`); raises if the process dies."""
    t0 = time.perf_counter()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before it was ready")
        try:
            status, _ = request(port, "GET", path, headers=headers, timeout=2)
            if status == 200:
                return time.perf_counter() - t0
        except OSError:
            pass
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError(f"not ready after {timeout}s")
        time.sleep(interval)


# -- mockserver scenario state ---------------------------------------------------------------------


def seed_request() -> dict[str, Any]:
    body = json.loads((ROOT / "tests" / "data" / "seed_twitch_request.json").read_text())
    # LinkByEmail, so that a login with a verified email is a real 200 (not the seed's 232 pending link).
    body["identityProvider"]["linkingStrategy"] = "LinkByEmail"
    return body


def login_body(code: str = BENCH_CODE) -> dict[str, Any]:
    return {
        "applicationId": APP_ID,
        "identityProviderId": TWITCH_ID,
        "data": {"code": code, "redirect_uri": "https://login.piedpiper.com/oauth2/callback"},
    }


def guest_body() -> dict[str, Any]:
    return {"game_key": game_key(), "game_version": "1.0.0"}


def game_key() -> str:
    games = json.loads((ROOT / "fixtures" / "lootlocker" / "games.json").read_text())
    return os.environ.get("MOCKSERVER_LOOTLOCKER_GAME_KEY") or games[0]["game_key"]


ES256_KEY_ID = "7c1d9e3a-4b5f-4a60-8e21-3f9a0b1c2d4e"  # fixtures/fusionauth/keys.json


def use_signing_key(port: int, key_id: str) -> None:
    """Point every tenant's access tokens at another fixture key (GET, edit, PUT /_mock/state)."""
    status, data = request(port, "GET", "/_mock/state")
    state = json.loads(data)
    for tenant in state["fusionauth.tenants"].values():
        tenant.setdefault("jwtConfiguration", {})["accessTokenKeyId"] = key_id
    status, data = request(port, "PUT", "/_mock/state", state)
    if status != 200:
        raise RuntimeError(f"mockserver setup: state import answered {status}: {data[:300]!r}")


def setup_mockserver(port: int, reset: bool = True) -> dict[str, Any]:
    """Fixtures state + the Twitch provider (seed request, LinkByEmail) + a reusable Twitch identity +
    a guest session. Returns the session token and each scenario's first answer (status, size)."""

    def ok(status: int, data: bytes, what: str, want: int = 200) -> Any:
        if status != want:
            raise RuntimeError(f"mockserver setup: {what} answered {status}: {data[:300]!r}")
        return json.loads(data) if data else None

    if reset:
        ok(*request(port, "POST", "/_mock/reset"), "reset")
    ok(*request(port, "POST", "/api/identity-provider", seed_request(), {"Authorization": API_KEY}), "create provider")
    identity = ok(
        *request(
            port,
            "POST",
            "/_mock/identities",
            {
                "provider": "twitch",
                "id": "90909090",
                "username": "bench",
                "email": "bench@example.com",
                "email_verified": True,
                "code": BENCH_CODE,
                "reusable": True,
            },
        ),
        "register identity",
        201,
    )
    session = ok(*request(port, "POST", GUEST_PATH, guest_body()), "guest session")
    return {"session_token": session["session_token"], "code": identity["code"]}


# -- wrk ---------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non2xx: int
    socket_errors: int
    bytes_per_request: float
    raw: str = field(repr=False, default="")

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "requests": self.requests,
            "non2xx": self.non2xx,
            "socket_errors": self.socket_errors,
            "errors": self.errors,
            "bytes_per_request": round(self.bytes_per_request),
        }


def parse_wrk(out: str) -> WrkResult:
    def grab(pattern: str, default: str | None = None) -> str:
        m = re.search(pattern, out)
        if m:
            return m.group(1)
        if default is None:
            raise RuntimeError(f"wrk output lacks {pattern!r}:\n{out}")
        return default

    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    transfer = grab(r"Transfer/sec:\s+([\d.]+\w+)")
    tm = re.fullmatch(r"([\d.]+)(B|KB|MB|GB)", transfer)
    factor = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
    rps = float(grab(r"Requests/sec:\s+([\d.]+)"))
    return WrkResult(
        rps=rps,
        p50_ms=_ms(grab(r"\n\s+50%\s+(\S+)")),
        p99_ms=_ms(grab(r"\n\s+99%\s+(\S+)")),
        requests=int(grab(r"(\d+) requests in")),
        non2xx=int(grab(r"Non-2xx or 3xx responses: (\d+)", "0")),
        socket_errors=sum(map(int, sock.groups())) if sock else 0,
        bytes_per_request=(float(tm.group(1)) * factor[tm.group(2)] / rps) if tm and rps else 0.0,
        raw=out,
    )


def wrk(
    port: int,
    path: str,
    *,
    connections: int,
    duration: float,
    threads: int = 2,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> WrkResult:
    cmd = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", str(script)]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=True).stdout
    return parse_wrk(out)


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        log("wrk missing: apt-get install wrk")
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, check=True)
            subprocess.run(install, stdout=subprocess.DEVNULL, check=True)
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (version.stdout + version.stderr).splitlines()[0].strip()


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def renice(value: int) -> None:
    """Run this script, its servers and wrk at another priority (children inherit it). A negative value
    (root only) shields the measurement from other work on a shared machine; every server gets the same."""
    if value:
        os.setpriority(os.PRIO_PROCESS, 0, value)
        log(f"running at nice {os.getpriority(os.PRIO_PROCESS, 0)}")


def tree_hash() -> str:
    """A digest of the code and schemas measured (the work tree may differ from the commit)."""
    import hashlib

    digest = hashlib.sha256()
    for folder in ("mockserver", "schemas", "fixtures"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cpu_times() -> list[int]:
    return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]


def steal_pct(before: list[int], after: list[int]) -> float:
    """Share of CPU time the hypervisor gave to other guests between two cpu_times() samples."""
    delta = [b - a for a, b in zip(before, after, strict=False)]
    total = sum(delta[:8])
    return round(100 * delta[7] / total, 1) if total else 0.0


def cpu_pressure() -> float | None:
    """Linux PSI: % of the last 10 s in which some runnable task waited for a CPU (contention on the machine)."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return None
    return float(line.split("avg10=")[1].split()[0])


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
