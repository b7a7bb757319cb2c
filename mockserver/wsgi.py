"""WSGI entry point for worker processes: the configuration comes from MOCKSERVER_* variables."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask

from .app import create_app
from .config import Config
from .journal import FAULT

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# Names a WSGI server sets from the request (CGI variables); anything else in an environ came from elsewhere.
_REQUEST_PREFIXES = ("HTTP_", "CONTENT_", "REQUEST_", "SERVER_", "PATH_", "QUERY_", "REMOTE_", "SCRIPT_", "wsgi.")


def process_env_scrubber(process_env: Mapping[str, str]) -> Callable[[dict[str, Any]], None]:
    """What removes the worker's own environment variables from a request's environ.

    granian starts every environ as a copy of the worker's os.environ (`basic_env | scope` in granian/wsgi.py):
    a variable such as HTTP_PROXY would read as a `Proxy` header the client never sent (the "httpoxy"
    confusion) in the journal, in fault matching and to the handlers, and ~40 unrelated keys would be walked
    with every request's headers. Variables with request-like names are removed only while they still hold the
    process's value: the client's own header of that name (with another value) stays.
    """
    foreign = tuple(k for k in process_env if not k.startswith(_REQUEST_PREFIXES))
    lookalikes = tuple((k, v) for k, v in process_env.items() if k.startswith(_REQUEST_PREFIXES))

    def scrub(environ: dict[str, Any]) -> None:
        for key in foreign:
            environ.pop(key, None)
        for key, value in lookalikes:
            if environ.get(key) == value:
                del environ[key]

    return scrub


def buffered(app: Flask) -> WSGIApp:
    """The app with each answer handed over as one bytes object.

    Every answer of the mock is a small JSON document, already complete when Flask returns. Granian sends a
    one-item list in one write (its `response_bytes` path) instead of iterating Flask's ClosingIterator;
    bench/servers.py measured this at 548 vs 636 µs of server CPU per GET ("buffered" rows). Each environ is
    first cleared of the worker's own environment variables (process_env_scrubber).
    """

    scrub = process_env_scrubber(dict(os.environ))

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        scrub(environ)
        chunks = app(environ, start_response)
        if FAULT in environ:
            return chunks  # a fault may drop or truncate the answer while it is sent: keep it streaming
        try:
            return [b"".join(chunks)]
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # Flask's teardown (and the journal's bookkeeping) run here, as before

    serve.flask_app = app  # type: ignore[attr-defined]
    return serve


def app_from_env() -> WSGIApp:
    app = buffered(create_app(Config.from_env()))
    # The app's ~54,000 long-lived objects (parsed OpenAPI documents, routes, fixtures) out of the collector's sight:
    # a full collection over them takes ~30 ms (bench/inprocess.py), and under load it landed in the p99 of
    # every request waiting meanwhile (GET at 16 connections, wrk: p99 12-33 ms before, 7-10 ms after).
    # No gc.collect() first: it would cost each worker's start another ~30 ms.
    gc.freeze()
    return app
