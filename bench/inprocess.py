#!/usr/bin/env python3
"""bench/inprocess.py — CPU per request inside one process, without a server or a load tool.

Calls the WSGI app directly (prebuilt environ, one thread, state on /dev/shm) and reports CPU µs per request, median of
`--rounds`, for:
- mockserver's GET identity provider and login (ES256 key), with vendor operations dispatched directly
  (dispatch.py, the default) and through Flask's full request machinery (the app's `wsgi_app` restored);
- a bare Flask app (one view returning the same 1 KB body, 100 other rules) and werkzeug's Request and
  Response alone: the floor each stack puts under a request;
- a full garbage collection over the app's objects, before and after `gc.freeze()` (wsgi.app_from_env).

    bench/inprocess.py                 # ~30 s
    bench/inprocess.py --rounds 7 --requests 3000
    py-spy record -f raw -o login.txt -- python bench/inprocess.py --only login   # a profile of the login alone
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import API_KEY, BENCH_CODE, ES256_KEY_ID, GET_PATH, login_body, seed_request
from flask import Flask, Response
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request as WRequest
from werkzeug.wrappers import Response as WResponse

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.dispatch import Dispatcher

WSGI = Callable[[dict[str, Any], Callable[..., Any]], Any]
LOGIN_PATH = "/api/identity-provider/login"


def environ(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    built = EnvironBuilder(
        method=method,
        path=path,
        data=data,
        headers=headers or {},
        content_type="application/json" if body is not None else None,
    ).get_environ()
    built["bench.body"] = data or b""  # each call gets a fresh input stream over it
    return built


def caller(app: WSGI, base: dict[str, Any]) -> Callable[[], bytes]:
    body = base["bench.body"]

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        start_response.status = status  # type: ignore[attr-defined]

    def call() -> bytes:
        env = dict(base)
        env["wsgi.input"] = io.BytesIO(body)
        out = b"".join(app(env, start_response))
        if not start_response.status.startswith("200"):  # type: ignore[attr-defined]
            raise SystemExit(f"{base['PATH_INFO']}: {start_response.status} {out[:200]!r}")  # type: ignore[attr-defined]
        return out

    return call


def cpu_us(call: Callable[[], Any], requests: int, rounds: int) -> float:
    call()
    results = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            call()
        results.append((time.process_time() - started) / requests * 1e6)
    return statistics.median(results)


def mockserver_app(folder: Path) -> Flask:
    app = create_app(Config(state_path=str(folder / "state.sqlite3")))
    client = app.test_client()
    created = client.post("/api/identity-provider", json=seed_request(), headers={"Authorization": API_KEY})
    assert created.status_code == 200, created.data
    identity = {"provider": "twitch", "id": "90909090", "username": "bench", "email": "bench@example.com"}
    identity |= {"email_verified": True, "code": BENCH_CODE, "reusable": True}
    assert client.post("/_mock/identities", json=identity).status_code == 201
    state = client.get("/_mock/state").get_json()
    for tenant in state["fusionauth.tenants"].values():
        tenant["jwtConfiguration"]["accessTokenKeyId"] = ES256_KEY_ID
    assert client.put("/_mock/state", json=state).status_code == 200
    return app


def bare_flask() -> Flask:
    app = Flask("bare")
    body = b"x" * 1019

    def view(**_: str) -> Response:
        return Response(body, mimetype="application/json")

    app.add_url_rule("/api/identity-provider/<id>", "get", view)
    for i in range(100):
        app.add_url_rule(f"/api/thing{i}/<x>", f"thing{i}", view)
    return app


def werkzeug_only(env: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    request = WRequest(env)
    request.headers.get("Authorization")
    return WResponse(b"x" * 1019, mimetype="application/json")(env, start_response)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument(
        "--only",
        choices=("get", "login"),
        help="just mockserver's GET or ES256 login, --requests times --rounds (to run under a profiler)",
    )
    args = ap.parse_args()
    n, rounds = args.requests, args.rounds
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None  # tmpfs, as bench/run uses for --state
    with tempfile.TemporaryDirectory(prefix="mockserver-inprocess-", dir=shm) as folder:
        app = mockserver_app(Path(folder))
        dispatcher = app.wsgi_app
        assert isinstance(dispatcher, Dispatcher)
        get = environ("GET", GET_PATH, headers={"Authorization": API_KEY})
        login = environ("POST", LOGIN_PATH, login_body())
        if args.only:
            print(
                f"| mockserver {args.only}, direct (dispatch.py) | "
                f"{cpu_us(caller(app, get if args.only == 'get' else login), n, rounds):.0f} µs |"
            )
            return 0
        rows = []
        for label, wsgi_app in (("direct (dispatch.py)", dispatcher), ("through Flask", dispatcher.fallback)):
            app.wsgi_app = wsgi_app  # type: ignore[method-assign]
            rows.append((f"mockserver GET, {label}", cpu_us(caller(app, get), n, rounds)))
            rows.append((f"mockserver login ES256, {label}", cpu_us(caller(app, login), n // 4, rounds)))
        app.wsgi_app = dispatcher  # type: ignore[method-assign]
        bare_get = environ("GET", "/api/identity-provider/bf4cf83f-e824-42d7-b4a3-5b10847a66b2")
        rows.append(("bare Flask GET (1 KB, 101 rules)", cpu_us(caller(bare_flask(), bare_get), n, rounds)))
        rows.append(("werkzeug Request + Response alone", cpu_us(caller(werkzeug_only, bare_get), n, rounds)))
        print("| what | CPU µs per request (median of rounds) |\n|---|--:|")
        for label, value in rows:
            print(f"| {label} | {value:.0f} |")
        gc.collect()
        objects = len(gc.get_objects())
        full = []
        for _ in range(3):
            started = time.perf_counter()
            gc.collect()
            full.append((time.perf_counter() - started) * 1000)
        gc.freeze()
        started = time.perf_counter()
        gc.collect()
        frozen = (time.perf_counter() - started) * 1000
        gc.unfreeze()
        print(
            f"\nfull garbage collection over {objects:,} objects: {statistics.median(full):.1f} ms; "
            f"after gc.freeze(): {frozen:.2f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
