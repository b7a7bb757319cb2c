"""pytest plugin (registered by installing mockserver): a live mock for client developers' own tests.

    def test_login(mockserver):
        client = mockserver.fusionauth_client()  # FusionAuth's official client, pointed at the mock
        ...

`mockserver` is session-scoped (one server on a free port for the whole run); state goes back to the
fixtures before every test that uses it, so tests never see each other's data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from .contract.apis import DEFAULT_API_KEY, DEFAULT_DOMAIN_KEY, DEFAULT_GAME_KEY
from .testing import LiveServer


@dataclass
class Control:
    """The /_mock control plane of a running mock."""

    url: str
    session: requests.Session = field(default_factory=requests.Session)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.url}/_mock/{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._call("POST", "reset")

    def register_identity(self, provider: str, id: str, **fields: Any) -> dict[str, Any]:
        """A fake upstream account (Twitch, Google, ...); returns it with its code and token."""
        return dict(self._call("POST", "identities", json={"provider": provider, "id": id, **fields}))

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        return list(self._call("GET", "messages", params={"to": to} if to else None)["messages"])

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "state"))


@dataclass
class MockServer:
    url: str
    api_key: str
    game_key: str
    domain_key: str
    control: Control

    def fusionauth_client(self, tenant_id: str | None = None) -> Any:
        """FusionAuth's official Python client pointed at the mock (scoped to a tenant when given)."""
        from fusionauth.fusionauth_client import FusionAuthClient

        client = FusionAuthClient(self.api_key, self.url)
        if tenant_id is not None:
            client.set_tenant_id(tenant_id)
        return client


@pytest.fixture(scope="session")
def mockserver() -> Iterator[MockServer]:
    server = LiveServer(strict=True).start()
    try:
        yield MockServer(server.url, DEFAULT_API_KEY, DEFAULT_GAME_KEY, DEFAULT_DOMAIN_KEY, Control(server.url))
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _mockserver_clean_state(request: pytest.FixtureRequest) -> None:
    # Only tests that use the mock pay for (and start) it.
    if "mockserver" in request.fixturenames:
        request.getfixturevalue("mockserver").control.reset()
