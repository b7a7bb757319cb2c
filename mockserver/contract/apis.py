"""The two contracts the harness checks: their OpenAPI documents and schemathesis configurations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..resources import SCHEMAS_DIR

HERE = Path(__file__).parent
DEFAULT_API_KEY = "mockserver-dev-api-key-not-for-production"
DEFAULT_GAME_KEY = "dev_mockserver_game_key_0000000000000"
DEFAULT_DOMAIN_KEY = "mockserverdev"


@dataclass(frozen=True)
class Api:
    name: str
    spec: Path
    # Known, documented divergences from schemathesis' defaults (see the comments in each file).
    config: Path


APIS = {
    "fusionauth": Api("fusionauth", SCHEMAS_DIR / "fusionauth.openapi.yaml", HERE / "fusionauth.toml"),
    "lootlocker": Api("lootlocker", SCHEMAS_DIR / "lootlocker.openapi.yaml", HERE / "lootlocker.toml"),
}


@dataclass
class Credentials:
    api_key: str = DEFAULT_API_KEY
    tenant_id: str | None = None
    game_key: str = DEFAULT_GAME_KEY
    domain_key: str = DEFAULT_DOMAIN_KEY


def fusionauth_headers(creds: Credentials) -> dict[str, str]:
    headers = {"Authorization": creds.api_key}
    if creds.tenant_id:
        headers["X-FusionAuth-TenantId"] = creds.tenant_id
    return headers


def lootlocker_headers(session_token: str, creds: Credentials) -> dict[str, str]:
    return {"x-session-token": session_token, "domain-key": creds.domain_key}


def guest_session_body(creds: Credentials) -> dict[str, Any]:
    return {"game_key": creds.game_key, "game_version": "1.0.0"}
