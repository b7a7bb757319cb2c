"""A throw-away PostgreSQL cluster for the tests: initdb into a temporary folder, pg_ctl start on a free port.

`pg_url` gives each test a database of its own on one cluster per test session. Tests that need it are skipped only
when no PostgreSQL binaries exist here (CI installs Debian's `postgresql`, so they run there). The cluster runs with
fsync off: tests kill mock nodes, never the machine, and a commit still has to reach the server before it returns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.testing import free_port


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin (newest first)."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(f.split("/")[-2]), reverse=True):
        if Path(folder, "pg_ctl").exists() and Path(folder, "initdb").exists():
            return Path(folder)
    return None


def _as_postgres() -> tuple[Callable[[], None] | None, int | None, int | None]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` (or `nobody`) account."""
    if os.geteuid() != 0:
        return None, None, None
    import pwd

    accounts = [a for a in pwd.getpwall() if a.pw_name in ("postgres", "nobody")]
    if not accounts:
        raise RuntimeError("running as root and no postgres or nobody account to run PostgreSQL as")
    account = min(accounts, key=lambda a: a.pw_name != "postgres")
    uid, gid = account.pw_uid, account.pw_gid

    def demote() -> None:
        os.setgid(gid)
        os.setuid(uid)

    return demote, uid, gid


class Cluster:
    def __init__(self, bin: Path) -> None:
        self.bin = bin
        self.folder = tempfile.mkdtemp(prefix="mockserver-pg-")
        self.data = str(Path(self.folder) / "data")
        self.port = free_port()
        self.demote, uid, gid = _as_postgres()
        if uid is not None and gid is not None:
            os.chown(self.folder, uid, gid)
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            args, check=True, preexec_fn=self.demote, cwd=self.folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )

    def start(self) -> Cluster:
        self._run(str(self.bin / "initdb"), "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        for attempt in range(3):
            try:
                self.pg_ctl("start")
                return self
            except subprocess.CalledProcessError:
                if attempt == 2:
                    log = Path(self.folder, "log")
                    raise RuntimeError(f"PostgreSQL did not start: {log.read_text() if log.exists() else ''}") from None
                self.port = free_port()  # the free port was taken meanwhile by another process
                self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        return self

    def pg_ctl(self, action: str, *options: str) -> None:
        """start / stop / restart the cluster (waiting until done)."""
        settings = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        args = [str(self.bin / "pg_ctl"), "-D", self.data, "-w", "-t", "30", "-l", f"{self.folder}/log"]
        if action != "stop":
            args += ["-o", settings]
        self._run(*args, action, *options)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self) -> str:
        import psycopg

        name = f"t{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def drop_database(self, url: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    bin = binaries()
    if bin is None:
        pytest.skip("no PostgreSQL binaries here (initdb, pg_ctl)")
    cluster = Cluster(bin).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh, empty database of the session's cluster (dropped afterwards)."""
    url = pg_cluster.create_database()
    try:
        yield url
    finally:
        pg_cluster.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def state_location(request: Any, tmp_path: Path) -> str:
    """Where a test's state lives, once per backend: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "state.sqlite3")
    return str(request.getfixturevalue("pg_url"))
