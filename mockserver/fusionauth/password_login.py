"""POST /api/login: FusionAuth's Login API (loginId + password, or a one-time password).

The key is optional: required when the request names an application whose
`loginConfiguration.requireAuthentication` is on (the default), and always checked when one is sent (a wrong
key is a 401 with no body). The operation is declared anonymous in the OpenAPI file and the handler checks.

Order: request checks → API key → user (unknown user or wrong password: 404, empty) → user state (423
deactivated, 410 expired, 409 prevent-login action) → two-factor (242, unless a trusted twoFactorTrustId)
→ change password (203) → 202 → 213 → 212 → 200, as the identity provider login (login.py), whose
`two_factor` and `complete` this module reuses. The Login API never creates a registration.
"""

from __future__ import annotations

import secrets
from typing import Any

from ..clock import now_ms
from ..routing import NO_BODY, Call, Handler, Reply
from ..store import Store, Tx
from . import forcing
from .collections import APPLICATIONS, CHANGE_PASSWORDS, USERS
from .errors import Errors, FusionAuthError, must_specify
from .features import Feature
from .login import Attempt, Login, Outcome, preventing_actions
from .tokens import ONE_TIME_PASSWORD, PASSWORD
from .users import DEFAULT_LOGIN_ID_TYPES, Users, check_password, resolve_tenant

OPERATION = "login"


def _check_request(request: dict[str, Any]) -> None:
    errors = Errors()
    if not request.get("oneTimePassword"):
        if not (request.get("loginId") or "").strip():
            errors.field("loginId", "[blank]loginId", must_specify("loginId"))
        if not request.get("password"):
            errors.field("password", "[blank]password", must_specify("password"))
    errors.raise_if_any()


def _one_time_password_user(tx: Tx, value: str) -> dict[str, Any] | None:
    """The user a one-time password (from the change-password response) belongs to; used once."""
    for user in tx.find(USERS, _oneTimePassword=value):
        if user.get("_oneTimePasswordExpiry", 0) >= now_ms():
            return user
    return None


def _trusted(user: dict[str, Any], trust_id: str | None) -> bool:
    return bool(trust_id) and trust_id in user.get("_twoFactorTrustIds", [])


def find_user(tx: Tx, tenant: dict[str, Any], request: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The user a loginId + password (or a one-time password) names, and the authentication type; an
    unknown user, a wrong password or a user without a password (made by an identity provider) are the
    same empty 404, so that the answer does not tell which."""
    if request.get("oneTimePassword"):
        user = _one_time_password_user(tx, request["oneTimePassword"])
        if user is None or user["tenantId"] != tenant["id"]:
            raise FusionAuthError(404)
        user.pop("_oneTimePassword", None)  # single use
        user.pop("_oneTimePasswordExpiry", None)
        return user, ONE_TIME_PASSWORD
    types = request.get("loginIdTypes") or DEFAULT_LOGIN_ID_TYPES
    user = Users.by_login_id(tx, tenant["id"], request["loginId"].strip(), types)
    if user is None or not check_password(user.get("_password"), request["password"]):
        raise FusionAuthError(404)
    return user, PASSWORD


def decide(
    tx: Tx,
    service: Login,
    tenant: dict[str, Any],
    application: dict[str, Any],
    user: dict[str, Any],
    authentication_type: str,
    request: dict[str, Any],
    ip: str | None,
    force: int | None = None,
) -> Outcome:
    """What a login of this user answers: 423/410/409 (raised), 242, 203, then login.Login.complete's."""
    if not user.get("active", True):
        raise FusionAuthError(423)  # a deactivated ("locked") user
    if user.get("expiry") is not None and user["expiry"] < now_ms():
        raise FusionAuthError(410)
    actions = preventing_actions(tx, user["id"])
    if actions:
        raise FusionAuthError(409, {"actions": actions})
    methods = user.get("twoFactor", {}).get("methods", [])
    if (methods and not _trusted(user, request.get("twoFactorTrustId"))) or force == 242:
        pending = Attempt(request, tenant, application, {"type": authentication_type}, ip)
        return service.two_factor(tx, pending, user, methods)
    if user.get("passwordChangeRequired") or force == 203:
        change_id = secrets.token_urlsafe(32)
        tx.put(CHANGE_PASSWORDS, change_id, {"id": change_id, "userId": user["id"], "insertInstant": now_ms()})
        reason = user.get("passwordChangeReason", "Administrative")
        return Outcome(203, {"changePasswordId": change_id, "changePasswordReason": reason})
    tx.put(USERS, user["id"], user)
    return service.complete(tx, tenant, application, user, authentication_type, request, ip, force)


def password_login(
    store: Store,
    service: Login,
    tenant: dict[str, Any],
    application: dict[str, Any],
    request: dict[str, Any],
    ip: str | None,
    force: int | None = None,
) -> Outcome:
    """A checked Login API request (loginId + password or oneTimePassword) for this tenant and application
    (`{"id": None}`: none named): the outcome, its token signed. Also what the hosted login page runs."""
    with store.write() as tx:
        user, authentication_type = find_user(tx, tenant, request)
        outcome = decide(tx, service, tenant, application, user, authentication_type, request, ip, force)
    return outcome.signed()


def handlers(feature: Feature) -> dict[str, Handler]:
    store = feature.store
    service = feature.login

    def login(call: Call, force: int | None = None) -> Reply:
        outcome = attempt(call, force)
        return Reply(outcome.status, NO_BODY if outcome.body is None else outcome.body, cookies=outcome.cookies)

    def attempt(call: Call, force: int | None) -> Outcome:
        request: dict[str, Any] = call.body
        _check_request(request)
        key = feature.vendor.api_key(call)
        if call.headers.get("Authorization") and key is None:
            raise FusionAuthError(401)  # a key that is sent is checked, wanted or not
        tenant_id = feature.tenant(call) or (key or {}).get("tenantId")
        if key is not None and key.get("tenantId") not in (None, tenant_id):
            raise FusionAuthError(401)  # a tenant-locked key used for another tenant
        forwarded = call.headers.get("X-Forwarded-For")
        ip = request.get("ipAddress") or (forwarded.split(",")[0].strip() if forwarded else None)
        tx = store.read()
        application_id = request.get("applicationId")
        application: dict[str, Any] = {"id": None}
        if application_id is not None:
            found = tx.get(APPLICATIONS, application_id)
            if found is None or (tenant_id is not None and found["tenantId"] != tenant_id):
                raise FusionAuthError(
                    400,
                    Errors()
                    .field("applicationId", "[invalid]applicationId", f"The Id [{application_id}] is invalid.")
                    .body(),
                )
            if key is None and found.get("loginConfiguration", {}).get("requireAuthentication", True):
                raise FusionAuthError(401)
            application = found
            tenant = resolve_tenant(tx, found["tenantId"])
        else:
            tenant = resolve_tenant(tx, tenant_id)
        return password_login(store, service, tenant, application, request, ip, force)

    for status in (202, 203, 212, 213, 242):
        forcing.BUILDERS[(OPERATION, status)] = lambda call, s=status: login(call, force=s)
    forcing.BUILDERS[(OPERATION, 409)] = lambda call: Reply(409, forcing.prevent_login_body(store))

    return {OPERATION: login}
