"""FusionAuth and LootLocker stories on a PostgreSQL state: the very tests that run on SQLite (imported here), with
the `app` fixture on a fresh PostgreSQL database, so that every behaviour they check holds on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from mockserver.app import close_app, create_app
from mockserver.config import Config

from .test_ll_admin_story import *  # noqa: F403
from .test_ll_economy_story import *  # noqa: F403
from .test_login_completion import *  # noqa: F403
from .test_user_lookups import *  # noqa: F403

pytest_plugins = ("tests.pg",)  # pg_url


@pytest.fixture
def app(pg_url: str) -> Iterator[Flask]:
    app = create_app(Config(strict=True, state_path=pg_url))
    yield app
    close_app(app)  # before pg_url drops the database: no background writer left behind on a dropped database


def test_a_closed_app_stops_its_background_writer(pg_url: str) -> None:
    """A node's journal writes from a background thread on PostgreSQL; closing the app stops it, so nothing keeps
    polling (and logging about) a database that is dropped afterwards."""
    import threading
    import time

    def writers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "journal"}

    before = writers()
    node = create_app(Config(state_path=pg_url))
    assert node.test_client().get("/_mock/health").status_code == 200
    started = writers() - before
    assert len(started) == 1
    close_app(node)
    for _ in range(100):
        if not any(t.is_alive() for t in started):
            break
        time.sleep(0.02)
    assert not any(t.is_alive() for t in started)
