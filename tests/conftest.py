"""Shared test fixtures: a fresh strict app per test, and a live `mockserver serve` for integration tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.config import Config

DATA = Path(__file__).parent / "data"
API_KEY = "mockserver-dev-api-key-not-for-production"
TWITCH_ID = "bf4cf83f-e824-42d7-b4a3-5b10847a66b2"
TENANT_ID = "e872a880-b14f-6d62-c312-cb40f22af465"
APP_ID = "10000000-0000-0002-0000-000000000001"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text())


@pytest.fixture
def app() -> Flask:
    # Strict: every response the mock sends is checked against its own OpenAPI document.
    return create_app(Config(strict=True))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": API_KEY}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`mockserver serve` in a subprocess, as a user runs it."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = ["--port", str(self.port), *args]
        self.env = {**os.environ, "MOCKSERVER_STRICT": "1", **(env or {})}
        self.process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 20) -> LiveServer:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockserver.cli", "serve", *self.args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: stop() ends the server and all its workers
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mockserver exited: {self.process.stdout.read() if self.process.stdout else ''}")
            try:
                if requests.get(f"{self.url}/_mock/health", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("mockserver did not start in time")

    def stop(self, sig: int | None = None) -> str:
        assert self.process is not None
        if sig is None:
            self.process.terminate()
        else:
            self.process.send_signal(sig)
        try:
            out, _ = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            out, _ = self.process.communicate(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # no worker may outlive its server
            os.killpg(self.process.pid, signal.SIGKILL)
        return out or ""


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    server = LiveServer().start()
    yield server
    server.stop()


@pytest.fixture
def live_clean(live: LiveServer) -> LiveServer:
    requests.post(f"{live.url}/_mock/reset", timeout=5).raise_for_status()
    return live
