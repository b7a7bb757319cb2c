"""The contracts the harness checks: their OpenAPI documents and schemathesis configurations."""

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
    "lootlocker-admin": Api(
        "lootlocker-admin", SCHEMAS_DIR / "lootlocker-admin.openapi.yaml", HERE / "lootlocker-admin.toml"
    ),
}
# The admin the harness logs in as (on the mock it signs up first, as LootLocker's SDK test set-up does).
DEFAULT_ADMIN_EMAIL = "contract-harness@example.com"
DEFAULT_ADMIN_PASSWORD = "contract-harness-password"


@dataclass
class Credentials:
    api_key: str = DEFAULT_API_KEY
    tenant_id: str | None = None
    game_key: str = DEFAULT_GAME_KEY
    domain_key: str = DEFAULT_DOMAIN_KEY
    admin_email: str = DEFAULT_ADMIN_EMAIL
    admin_password: str = DEFAULT_ADMIN_PASSWORD


def fusionauth_headers(creds: Credentials) -> dict[str, str]:
    headers = {"Authorization": creds.api_key}
    if creds.tenant_id:
        headers["X-FusionAuth-TenantId"] = creds.tenant_id
    return headers


def lootlocker_headers(session_token: str, creds: Credentials) -> dict[str, str]:
    return {"x-session-token": session_token, "domain-key": creds.domain_key}


def guest_session_body(creds: Credentials) -> dict[str, Any]:
    return {"game_key": creds.game_key, "game_version": "1.0.0"}


def admin_login_body(creds: Credentials) -> dict[str, Any]:
    return {"email": creds.admin_email, "password": creds.admin_password}


def admin_signup_body(creds: Credentials) -> dict[str, Any]:
    return {"organisation": "contract harness", "name": "contract harness", **admin_login_body(creds)}
