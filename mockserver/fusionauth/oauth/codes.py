"""Authorization codes: single use, short-lived (the tenant's
`externalIdentifierConfiguration.authorizationGrantIdTimeToLiveInSeconds`, 30 s), bound to the client, the
redirect_uri, the PKCE challenge, the nonce, the scope, the user and the SSO session."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from ...clock import now_ms, now_s
from ...routing import Reply
from ...store import Store, Tx
from ..collections import AUTHORIZATION_CODES
from ..users import registration_for
from .authorize import AuthorizeRequest, redirect_to

DEFAULT_TTL_SECONDS = 30


def user_state(user: Mapping[str, Any], application: Mapping[str, Any], tenant: Mapping[str, Any]) -> str:
    """The `userState` parameter of the redirect to the app."""
    registration = registration_for(dict(user), str(application["id"]))
    if registration is None:
        return "AuthenticatedNotRegistered"
    if tenant.get("emailConfiguration", {}).get("verifyEmail") and not user.get("verified", True):
        return "AuthenticatedNotVerified"
    if application.get("verifyRegistration") and not registration.get("verified", True):
        return "AuthenticatedRegistrationNotVerified"
    return "Authenticated"


def redirect_params(request: AuthorizeRequest, user: Mapping[str, Any], code: str) -> dict[str, str | None]:
    return {
        "code": code,
        "locale": request.locale or "en",
        "state": request.state,
        "userState": user_state(user, request.application, request.tenant),
        "iss": str(request.tenant.get("issuer", "acme.com")),  # RFC 9207, since FusionAuth 1.69
    }


def create(
    store: Store,
    request: AuthorizeRequest,
    user: Mapping[str, Any],
    authentication_type: str,
    sso_session_id: str | None,
    auth_time: int | None = None,
) -> str:
    """Stores a new code for this request and user; the code."""
    ttl = request.tenant.get("externalIdentifierConfiguration", {}).get(
        "authorizationGrantIdTimeToLiveInSeconds", DEFAULT_TTL_SECONDS
    )
    code = secrets.token_urlsafe(32)
    record = {
        "id": code,
        "applicationId": request.application_id,
        "tenantId": request.tenant_id,
        "redirectUri": request.redirect_uri,
        "codeChallenge": request.code_challenge,
        "codeChallengeMethod": request.code_challenge_method,
        "nonce": request.nonce,
        "scope": request.scope,
        "userId": user["id"],
        "authenticationType": authentication_type,
        "authTime": auth_time if auth_time is not None else now_s(),
        "ssoSessionId": sso_session_id,
        "expiresInstant": now_ms() + int(ttl) * 1000,
    }
    with store.write() as tx:
        tx.put(AUTHORIZATION_CODES, code, record)
    return code


def issue(
    store: Store,
    request: AuthorizeRequest,
    user: Mapping[str, Any],
    authentication_type: str,
    sso_session_id: str | None,
    auth_time: int | None = None,
) -> str:
    """Stores a single-use code; the URL that sends the browser back to the app with it
    (`redirect_uri?code&locale&state&userState&iss`). For response_mode form_post use `issue_reply`."""
    code = create(store, request, user, authentication_type, sso_session_id, auth_time)
    reply = redirect_to(request.redirect_uri, redirect_params(request, user, code), "query")
    return reply.headers["Location"]


def issue_reply(
    store: Store,
    request: AuthorizeRequest,
    user: Mapping[str, Any],
    authentication_type: str,
    sso_session_id: str | None,
    auth_time: int | None = None,
) -> Reply:
    """As `issue`, answered in the request's response_mode (302, or form_post's self-submitting page)."""
    code = create(store, request, user, authentication_type, sso_session_id, auth_time)
    return redirect_to(request.redirect_uri, redirect_params(request, user, code), request.response_mode)


def redeem(tx: Tx, code: str) -> dict[str, Any] | None:
    """The code's record, deleted (single use), or None when unknown, used or expired. Run in a write tx."""
    record = tx.get(AUTHORIZATION_CODES, code)
    if record is None:
        return None
    tx.delete(AUTHORIZATION_CODES, code)
    return record if record["expiresInstant"] > now_ms() else None
