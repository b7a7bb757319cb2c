"""FusionAuth and LootLocker stories on a PostgreSQL state: the very tests that run on SQLite (imported here), with
the `app` fixture on a fresh PostgreSQL database, so that every behaviour they check holds on both backends."""

from __future__ import annotations

import pytest
from flask import Flask

from mockserver.app import create_app
from mockserver.config import Config

from .test_ll_admin_story import *  # noqa: F403
from .test_ll_economy_story import *  # noqa: F403
from .test_login_completion import *  # noqa: F403
from .test_user_lookups import *  # noqa: F403

pytest_plugins = ("tests.pg",)  # pg_url


@pytest.fixture
def app(pg_url: str) -> Flask:
    return create_app(Config(strict=True, state_path=pg_url))
