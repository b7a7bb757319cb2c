"""Shared test fixtures: a fresh strict app per test, and a live `mockserver serve` for integration tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.testing import LiveServer, free_port  # noqa: F401  (re-exported for the tests)

DATA = Path(__file__).parent / "data"
API_KEY = "mockserver-dev-api-key-not-for-production"
TWITCH_ID = "bf4cf83f-e824-42d7-b4a3-5b10847a66b2"
TENANT_ID = "e872a880-b14f-6d62-c312-cb40f22af465"
APP_ID = "10000000-0000-0002-0000-000000000001"
# The demo tenant that verifies emails (212) and its application; the Default tenant does not, as a fresh install.
EMAIL_TENANT_ID = "d6c1e3a5-2b4f-4c7d-8e9a-0b1c2d3e4f50"
EMAIL_APP_ID = "7f3e2d1c-0b9a-4887-a6b5-c4d3e2f1a090"


def tenant_client(url: str, tenant_id: str = TENANT_ID) -> Any:
    """The official client scoped to a tenant, as FusionAuth needs to create users once there are several."""
    from fusionauth.fusionauth_client import FusionAuthClient

    client = FusionAuthClient(API_KEY, url)
    client.set_tenant_id(tenant_id)
    return client


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


@pytest.fixture(scope="session")
def live() -> Iterator[LiveServer]:
    server = LiveServer().start()
    yield server
    server.stop()


@pytest.fixture
def live_clean(live: LiveServer) -> LiveServer:
    requests.post(f"{live.url}/_mock/reset", timeout=5).raise_for_status()
    return live
