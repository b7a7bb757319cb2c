"""Build the schemathesis schemas of the contracts for a target: the mock in-process, or a URL."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from flask import Flask
from schemathesis.config import SchemathesisConfig

from .apis import (
    APIS,
    Credentials,
    admin_login_body,
    admin_signup_body,
    fusionauth_headers,
    guest_session_body,
    lootlocker_headers,
)


@dataclass
class Target:
    """Where the contract is checked: `app` (in-process, no network) or `base_url`."""

    app: Flask | None = None
    base_url: str | None = None
    credentials: Credentials = field(default_factory=Credentials)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        """(status, parsed JSON body or None)."""
        data = None if body is None else json.dumps(body)
        sent = {**(headers or {}), **({"Content-Type": content_type} if data is not None else {})}
        if self.app is not None:
            response = self.app.test_client().open(path, method=method, data=data, headers=sent)
            return response.status_code, response.get_json(silent=True)
        assert self.base_url is not None
        reply = requests.request(method, f"{self.base_url.rstrip('/')}{path}", data=data, headers=sent, timeout=30)
        try:
            return reply.status_code, reply.json()
        except ValueError:
            return reply.status_code, None

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        return self.request("POST", path, body)

    def has_control_plane(self) -> bool:
        """True for mockserver (its /_mock control plane registers identities); False for a real service."""
        try:
            status, body = self.request("GET", "/_mock/health")
        except requests.RequestException:
            return False
        return status == 200 and body == {"status": "ok"}

    def session_token(self) -> str:
        status, body = self.post("/game/v2/session/guest", guest_session_body(self.credentials))
        if status != 200 or not isinstance(body, dict) or "session_token" not in body:
            raise RuntimeError(f"cannot start a LootLocker guest session (status {status}); check --game-key")
        return str(body["session_token"])

    def admin_token(self) -> str:
        """An x-auth-token of the Admin API: log in; on 401 sign up first (the SDK test set-up's order)."""
        status, body = self.post("/admin/v1/session", admin_login_body(self.credentials))
        if status == 401:
            self.post("/admin/v1/signup", admin_signup_body(self.credentials))
            status, body = self.post("/admin/v1/session", admin_login_body(self.credentials))
        if status != 200 or not isinstance(body, dict) or "auth_token" not in body:
            raise RuntimeError(f"cannot log in to the LootLocker Admin API (status {status})")
        return str(body["auth_token"])

    def headers(self, api: str) -> dict[str, str]:
        if api == "fusionauth":
            return fusionauth_headers(self.credentials)
        if api == "lootlocker-admin":
            return {"x-auth-token": self.admin_token()}
        return lootlocker_headers(self.session_token(), self.credentials)


# The target the behavioural properties check; set by contract_tests/conftest.py or by `mockserver contract`.
ACTIVE = Target()


def build_schema(api: str, target: Target, max_examples: int | None = None, seed: int | None = None) -> Any:
    """A schemathesis schema for `api`, configured with its documented divergences and the target's auth."""
    spec = APIS[api]
    text = spec.config.read_text()
    if seed is not None:  # a top-level key of schemathesis.toml, so it goes before the first table
        text = f"seed = {seed}\n{text}"
    config = SchemathesisConfig.from_str(text)
    if max_examples:
        config.projects.default.generation.update(max_examples=max_examples)
    schema = schemathesis.openapi.from_path(str(spec.spec), config=config)
    if target.app is not None:
        schema.app = target.app
        schema.config.update(base_url="http://localhost", headers=target.headers(api))
    else:
        assert target.base_url is not None
        schema.config.update(base_url=target.base_url.rstrip("/"), headers=target.headers(api))
    return schema
