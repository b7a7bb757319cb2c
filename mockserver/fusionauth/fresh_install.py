"""FusionAuth's side of the state as a fresh FusionAuth install has it, before any Kickstart request runs.

A fresh install holds: the Default tenant (its id random unless Kickstart's `defaultTenantId`), the FusionAuth
admin application (fixed id, with its read-only roles), the Tenant Manager application (id random unless
`tenantManagerApplicationId`), the default theme (themes.py serves it), and signing keys: one RSA pair that signs
access tokens and the HMAC keys that sign id tokens. Nothing of the mock's demo fixtures.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..clock import now_ms
from ..store import State
from .collections import APPLICATIONS, KEYS, TENANTS
from .keys import default_keys
from .tenants import new_tenant

FUSIONAUTH_APPLICATION_ID = "3c219e58-ed0e-4b18-ad48-f4f92793ae32"
# The demo fixtures' Tenant Manager application (a fresh install's gets a random id).
FIXTURE_TENANT_MANAGER_ID = "b6f2a3c4-9d8e-4f7a-8b6c-5d4e3f2a1b0c"
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
    manager_id = tenant_manager_id or str(uuid.uuid4())
    keys = default_keys()
    signing = next(k for k in keys if k["algorithm"] == "RS256")
    # As a fresh install: access tokens signed by the RSA key, id tokens by the HS256 key; no email verification.
    tenant = new_tenant(
        {"name": "Default"},
        default_tenant_id,
        signing_keys={"accessTokenKeyId": signing["id"], "idTokenKeyId": DEFAULT_HMAC_KEY_ID},
    )
    collections: State = {
        TENANTS: {tenant["id"]: tenant},
        APPLICATIONS: admin_applications(tenant["id"], manager_id),
        KEYS: {key["id"]: key for key in keys},
    }
    builtins = {
        "FUSIONAUTH_APPLICATION_ID": FUSIONAUTH_APPLICATION_ID,
        "FUSIONAUTH_TENANT_ID": tenant["id"],
        "TENANT_MANAGER_ID": manager_id,
        "FUSIONAUTH_DEFAULT_SIGNING_KEY_ID": signing["id"],
    }
    return collections, builtins
