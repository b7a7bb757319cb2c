"""FusionAuth's side of the state as a fresh FusionAuth install has it, before any Kickstart request runs.

A fresh install holds: the Default tenant (its id random unless Kickstart's `defaultTenantId`), the FusionAuth
admin application (fixed id, with its read-only roles), the Tenant Manager application (id random unless
`tenantManagerApplicationId`), the default theme, and signing keys: one RSA pair that signs access tokens and the
HMAC key that signs id tokens. Nothing of the mock's demo fixtures.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..clock import now_ms
from ..store import State
from .collections import APPLICATIONS, KEYS, TENANTS

FUSIONAUTH_APPLICATION_ID = "3c219e58-ed0e-4b18-ad48-f4f92793ae32"
# The demo fixtures' Tenant Manager application (a fresh install's gets a random id).
FIXTURE_TENANT_MANAGER_ID = "b6f2a3c4-9d8e-4f7a-8b6c-5d4e3f2a1b0c"
DEFAULT_THEME_ID = "75a068fd-e94b-451a-9aeb-3ddb9a3b5987"
DEFAULT_HMAC_KEY_ID = "092dbedc-30af-4149-9c61-b578f2c72f59"
# The roles of FusionAuth's own admin application (read-only in FusionAuth).
ADMIN_ROLES = (
    "admin",
    "api_key_manager",
    "application_deleter",
    "application_manager",
    "audit_log_viewer",
    "email_template_manager",
    "event_log_viewer",
    "form_deleter",
    "form_manager",
    "group_deleter",
    "group_manager",
    "key_manager",
    "lambda_manager",
    "manager",
    "reactor_manager",
    "report_viewer",
    "system_manager",
    "theme_manager",
    "user_action_deleter",
    "user_action_manager",
    "user_deleter",
    "user_manager",
    "user_support_manager",
    "webhook_manager",
)


def _rsa_key(key_id: str) -> dict[str, Any]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "id": key_id,
        "kid": secrets.token_hex(16),
        "algorithm": "RS256",
        "name": "Default signing key",
        "type": "RSA",
        "length": 2048,
        "privateKey": pem,
        "insertInstant": now_ms(),
    }


def _hmac_key(key_id: str, name: str) -> dict[str, Any]:
    return {
        "id": key_id,
        "kid": secrets.token_hex(16),
        "algorithm": "HS256",
        "name": name,
        "type": "HMAC",
        "length": 256,
        "secret": secrets.token_urlsafe(32),
        "insertInstant": now_ms(),
    }


def _role(application_id: str, name: str) -> dict[str, Any]:
    role_id = str(uuid.uuid5(uuid.UUID(application_id), name))  # stable across resets
    return {"id": role_id, "name": name, "isDefault": False, "isSuperRole": name == "admin"}


def admin_applications(tenant_id: str, manager_id: str) -> dict[str, dict[str, Any]]:
    """FusionAuth's own applications (the admin UI's and the Tenant Manager), by id, in `tenant_id`."""
    now = now_ms()

    def application(id: str, name: str, roles: tuple[str, ...]) -> dict[str, Any]:
        return {
            "id": id,
            "name": name,
            "tenantId": tenant_id,
            "active": True,
            "roles": [_role(id, role) for role in roles],
            "loginConfiguration": {"allowTokenRefresh": False, "generateRefreshTokens": False},
            "verifyRegistration": False,
            "insertInstant": now,
            "lastUpdateInstant": now,
        }

    admin = application(FUSIONAUTH_APPLICATION_ID, "FusionAuth", ADMIN_ROLES)
    manager = application(manager_id, "Tenant Manager", ("admin",))
    return {admin["id"]: admin, manager["id"]: manager}


def state(default_tenant_id: str | None = None, tenant_manager_id: str | None = None) -> tuple[State, dict[str, str]]:
    """(the FusionAuth collections of a fresh install, the ids Kickstart's built-in variables name)."""
    now = now_ms()
    tenant_id = default_tenant_id or str(uuid.uuid4())
    manager_id = tenant_manager_id or str(uuid.uuid4())
    signing = _rsa_key(str(uuid.uuid4()))
    hmac = _hmac_key(DEFAULT_HMAC_KEY_ID, "Default HMAC key")
    tenant = {
        "id": tenant_id,
        "name": "Default",
        "issuer": "acme.com",
        "themeId": DEFAULT_THEME_ID,
        "emailConfiguration": {"verifyEmail": False, "verificationStrategy": "ClickableLink"},
        "jwtConfiguration": {
            "enabled": True,
            "timeToLiveInSeconds": 3600,
            "refreshTokenTimeToLiveInMinutes": 43200,
            "accessTokenKeyId": signing["id"],
            "idTokenKeyId": hmac["id"],
            "refreshTokenUsagePolicy": "Reusable",
            "refreshTokenExpirationPolicy": "Fixed",
        },
        "passwordValidationRules": {"minLength": 8, "maxLength": 256},
        "insertInstant": now,
        "lastUpdateInstant": now,
    }
    collections: State = {
        TENANTS: {tenant_id: tenant},
        APPLICATIONS: admin_applications(tenant_id, manager_id),
        KEYS: {signing["id"]: signing, hmac["id"]: hmac},
    }
    builtins = {
        "FUSIONAUTH_APPLICATION_ID": FUSIONAUTH_APPLICATION_ID,
        "FUSIONAUTH_TENANT_ID": tenant_id,
        "TENANT_MANAGER_ID": manager_id,
        "FUSIONAUTH_DEFAULT_SIGNING_KEY_ID": signing["id"],
    }
    return collections, builtins
