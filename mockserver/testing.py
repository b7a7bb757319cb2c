"""A real `mockserver serve` in a subprocess, for tests (ours and client developers' via the pytest plugin)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`mockserver serve` on a free port, as a user runs it (strict: responses are checked against the spec)."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, strict: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = ["--port", str(self.port), *args]
        self.env = {**os.environ, "MOCKSERVER_STRICT": "1" if strict else "0", **(env or {})}
        self.workers = int(args[args.index("--workers") + 1]) if "--workers" in args else 1
        self.process: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: nobody reads the output while the server runs, and a full pipe would block it.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server; closed with it)

    def start(self, timeout: float = 20) -> LiveServer:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockserver.cli", "serve", *self.args],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends the server and all its workers
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mockserver exited: {self.output()}")
            try:
                # Ready once a worker answers and every worker has started: a test that stops the server
                # sooner would otherwise wait for a worker still loading to be killed.
                if requests.get(f"{self.url}/_mock/health", timeout=1).status_code == 200 and self._all_started():
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mockserver did not start in time: {self.output()}")

    def _all_started(self) -> bool:
        log = self.output()
        return all(f"Started worker-{n}" in log for n in range(1, self.workers + 1))

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self, sig: int | None = None) -> str:
        """Stop the server (SIGTERM, or `sig`), and every worker with it; returns what it printed."""
        assert self.process is not None
        if sig is None:
            self.process.terminate()
        else:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # no worker may outlive its server
            os.killpg(self.process.pid, signal.SIGKILL)
        return self.output()
