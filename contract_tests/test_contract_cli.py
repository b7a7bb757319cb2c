"""`mockserver contract` as users run it: exit 0 for an honest deployment, 1 for a broken one, 2 on bad usage."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import LiveServer

from .test_harness_fails import broken_app

CLI = [sys.executable, "-m", "mockserver.cli", "contract"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture
def broken_server() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, broken_app("server-error"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_mock_honours_its_contract(tmp_path: Path) -> None:
    server = LiveServer().start()
    try:
        result = run("--base-url", server.url, "--max-examples", "3", "--seed", "11", "--report-dir", str(tmp_path))
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-3000:]
    assert "seed 11" in result.stdout and "PASS  behaviour" in result.stdout
    assert list((tmp_path / "fusionauth").glob("junit-*.xml")) and (tmp_path / "behaviour.xml").exists()


def test_a_broken_deployment_fails_with_a_reproduction(broken_server: str, tmp_path: Path) -> None:
    result = run(
        "--base-url", broken_server, "--api", "fusionauth", "--max-examples", "3", "--report-dir", str(tmp_path)
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert "Server error" in result.stdout and "curl -X GET" in result.stdout
    assert "FAIL  fusionauth schemathesis" in result.stdout


def test_bad_usage_exits_2() -> None:
    assert run("--base-url", "http://127.0.0.1:9", "--api", "nope").returncode == 2
    assert run().returncode == 2  # --base-url is required
