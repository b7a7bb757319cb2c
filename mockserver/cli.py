"""`mockserver serve` (and the other commands): the production way to run the mock."""

from __future__ import annotations

import errno
import os
import re
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from .config import DEFAULT_HOST, DEFAULT_PORT, Config
from .store import is_url

WORKERS_KILL_TIMEOUT_S = 5


@click.group()
@click.version_option(package_name="mockserver")
def main() -> None:
    """mockserver: an offline stand-in for FusionAuth and the LootLocker Game API."""


@main.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port (FusionAuth's 9011).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Database file that keeps state across restarts (default: temporary, deleted on exit), or a "
    "postgresql://user@host:port/db URL that several nodes share (a fleet).",
)
@click.option(
    "--fixtures",
    "fixtures_dir",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Folder of fixtures to load instead of the defaults.",
)
@click.option(
    "--strict/--no-strict",
    default=None,
    help="Validate every response against the OpenAPI documents (a drift becomes a 500).",
)
@click.option(
    "--journal-size",
    type=click.IntRange(min=0),
    default=None,
    help="Requests the journal keeps (GET /_mock/requests); 0 turns it off.  [default: 1000]",
)
@click.option(
    "--threads",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Python threads per worker (with 1, a fault's delay holds up the worker's other requests).",
)
@click.option("--seed", "random_seed", type=int, default=None, help="Seed that makes random fault delays reproducible.")
@click.option(
    "--kickstart",
    "kickstart",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="FusionAuth Kickstart file (or FUSIONAUTH_APP_KICKSTART_FILE): fresh FusionAuth + the file, once per state.",
)
def serve(
    host: str,
    port: int,
    workers: int,
    state_path: str | None,
    fixtures_dir: str | None,
    strict: bool | None,
    journal_size: int | None,
    threads: int,
    random_seed: int | None,
    kickstart: str | None,
) -> None:
    """Serve the mock on a production WSGI server (granian) until Ctrl-C."""
    from granian import Granian
    from granian.constants import Interfaces

    from . import fixtures
    from .fusionauth.collections import API_KEYS
    from .lootlocker.collections import GAMES
    from .openapi import specs

    config = Config.from_env(
        host=host,
        port=port,
        workers=workers,
        state_path=state_path,
        fixtures_dir=fixtures_dir,
        strict=strict,
        journal_size=journal_size,
        seed=random_seed,
        kickstart=kickstart,
    )
    try:
        seed = fixtures.load(config.fixtures_dir, specs())
    except fixtures.FixtureError as error:
        raise click.ClickException(f"broken fixture: {error}") from error
    temporary: str | None = None
    if config.state_path is None:
        # Every worker must share one database: a temporary file, removed when the server stops.
        temporary = tempfile.mkdtemp(prefix="mockserver-")
        config = Config.from_env(**{**config.as_dict(), "state_path": str(Path(temporary) / "state.sqlite3")})
    os.environ.update(config.to_env())
    # granian binds with SO_REUSEPORT, so a second server on a busy port would start and share it, answering from
    # another state: refuse at once instead (its own workers still share its one socket).
    _check_port_free(host, port)
    api_key = config.fusionauth_api_key or next(iter(seed.get(API_KEYS, {}).values()), {}).get("key")
    if config.kickstart:
        api_key = _run_kickstart(config) or "(none: the Kickstart file creates no API key)"
    game_key = config.lootlocker_game_key or next(iter(seed.get(GAMES, {}).values()), {}).get("game_key")
    url = f"http://{host}:{port}"
    state = _shown(config.state_path) if temporary is None else "temporary"
    click.echo(f"mockserver serving on {url}  (workers: {workers}, state: {state})")
    click.echo(f"FusionAuth API key: {api_key}")
    click.echo(f"LootLocker game key: {game_key}")
    click.echo(f"Control plane: {url}/_mock/health   Stop with Ctrl-C.")
    sys.stdout.flush()
    # Granian forks its workers from this process: with the app's modules imported and the OpenAPI
    # documents parsed here (specs() is cached), a worker only builds its app (~0.05 s); each schema is
    # compiled on its first use.
    from . import wsgi  # noqa: F401

    try:
        Granian(
            "mockserver.wsgi:app_from_env",
            factory=True,
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=workers,
            log_access=False,
            # Python threads per worker. The app is CPU-bound under the GIL, so more threads only add GIL
            # hand-offs: measured with bench/servers.py (GET, 16 connections, 2 workers), 8 threads had the
            # worst p99 in most rounds and no more req/s than 1-4, and 1 thread ~5-10 % more req/s than 2 with
            # wrk; the default 2 keeps a second request moving while one sleeps in a fault's delay.
            blocking_threads=threads,
            # A worker that is still starting when the server is stopped misses the signal (granian installs
            # its handlers after loading the app): kill it after this many seconds instead of waiting forever.
            workers_kill_timeout=WORKERS_KILL_TIMEOUT_S,
        ).serve()
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


def _shown(state: str | None) -> str:
    """The state as printed: a URL without its password."""
    if state is None or not is_url(state):
        return state or "temporary"
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", state)


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise click.ClickException(f"{host}:{port}: address already in use") from error
            raise click.ClickException(f"cannot bind {host}:{port}: {error.strerror}") from error


def _run_kickstart(config: Config) -> str | None:
    """Apply the Kickstart before any worker starts (in a forked child, so that this process opens no database
    connection its workers would inherit); a failure stops the server. Returns the file's first API key."""
    import multiprocessing

    from .fusionauth import kickstart as kickstarts

    def apply(errors: Any) -> None:
        from .app import create_app

        try:
            create_app(config)
        except kickstarts.KickstartError as error:
            errors.put(str(error))
            raise SystemExit(1) from error
        errors.put(None)

    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    child = context.Process(target=apply, args=(errors,))
    child.start()
    message = errors.get()
    child.join()
    if message is not None or child.exitcode:
        raise click.ClickException(f"Kickstart failed: {message}")
    click.echo(f"Kickstart applied: {config.kickstart}")
    keys = kickstarts.load(config.kickstart).api_keys  # type: ignore[arg-type]
    return str(keys[0]["key"]) if keys and keys[0].get("key") else None


def _register_contract() -> None:
    from .contract.cli import contract

    main.add_command(contract)


def _register_populate() -> None:
    from .populate import populate

    main.add_command(populate)


_register_contract()
_register_populate()


if __name__ == "__main__":
    main()
