"""Live servers with several workers, ready for a test."""

from __future__ import annotations

import time

from mockserver.testing import LiveServer


def start_all(*args: str, workers: int, timeout: float = 30) -> LiveServer:
    """`mockserver serve --workers N *args`, returned once every worker serves.

    LiveServer.start() returns when one worker answers. A granian worker that is still loading the app when
    the server is stopped misses the signal and keeps the server alive until it is killed 15 s later, so a
    short test must wait for all of them ("Started worker-N" in the log).
    """
    server = LiveServer("--workers", str(workers), *args).start()
    deadline = time.monotonic() + timeout
    while not all(f"Started worker-{n}" in server.output() for n in range(1, workers + 1)):
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"not every worker started: {server.output()}")
        time.sleep(0.05)
    return server
