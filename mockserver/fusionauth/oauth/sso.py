"""FusionAuth's SSO session: the `fusionauth.sso` cookie that lets a second /oauth2/authorize skip the form.

A session exists only when the person ticked "Keep me signed in" (`rememberDevice=true`): it then lasts the
tenant's `ssoConfiguration.deviceTrustTimeToLiveInSeconds`. The cookie's value is the session's id (opaque).
/oauth2/logout ends it; tokens already issued stay valid (as in FusionAuth).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from ...clock import now_ms, now_s
from ...store import Store
from ..collections import SSO_SESSIONS, USERS

COOKIE = "fusionauth.sso"
DEFAULT_TTL_SECONDS = 31_536_000  # a fresh tenant's ssoConfiguration.deviceTrustTimeToLiveInSeconds
Cookie = tuple[str, str, dict[str, Any]]


def _ttl(tenant: Mapping[str, Any]) -> int:
    return int(tenant.get("ssoConfiguration", {}).get("deviceTrustTimeToLiveInSeconds", DEFAULT_TTL_SECONDS))


def start(
    store: Store,
    user: Mapping[str, Any],
    tenant: Mapping[str, Any],
    remember: bool,
    authentication_type: str = "PASSWORD",
) -> list[Cookie]:
    """Starts an SSO session for a login through the hosted pages; the cookies to set (none unless `remember`)."""
    if not remember:
        return []
    ttl = _ttl(tenant)
    session = {
        "id": secrets.token_urlsafe(32),
        "userId": user["id"],
        "tenantId": user.get("tenantId", tenant.get("id")),
        "authTime": now_s(),
        "authenticationType": authentication_type,
        "startInstant": now_ms(),
        "expiresInstant": now_ms() + ttl * 1000,
    }
    with store.write() as tx:
        tx.put(SSO_SESSIONS, session["id"], session)
    return [(COOKIE, session["id"], {"max_age": ttl, "httponly": True, "samesite": "Lax", "path": "/"})]


def session_id(cookies: list[Cookie]) -> str | None:
    """The session id in cookies returned by `start` (for codes.issue's sso_session_id)."""
    return next((value for name, value, _ in cookies if name == COOKIE and value), None)


def current(store: Store, cookies: Mapping[str, str], tenant_id: str | None = None) -> dict[str, Any] | None:
    """The live SSO session of the request's cookies (of `tenant_id` when given) whose user still may log in."""
    value = cookies.get(COOKIE)
    if not value:
        return None
    tx = store.read()
    session = tx.get(SSO_SESSIONS, value)
    if session is None or session["expiresInstant"] <= now_ms():
        return None
    if tenant_id is not None and session.get("tenantId") != tenant_id:
        return None
    user = tx.get(USERS, session["userId"])
    if user is None or not user.get("active", True):
        return None
    return session


def end(store: Store, cookies: Mapping[str, str]) -> list[Cookie]:
    """Ends the request's SSO session; the cookies that delete it in the browser."""
    value = cookies.get(COOKIE)
    if value:
        with store.write() as tx:
            tx.delete(SSO_SESSIONS, value)
    return [(COOKIE, "", {"max_age": 0, "expires": 0, "httponly": True, "samesite": "Lax", "path": "/"})]


def end_for_user(store: Store, user_id: str) -> int:
    """Ends every SSO session of a user (a global logout); how many there were."""
    with store.write() as tx:
        return tx.delete_where(SSO_SESSIONS, userId=user_id)
