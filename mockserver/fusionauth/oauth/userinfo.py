"""GET|POST /oauth2/userinfo: the claims of the access token's user (Bearer token).

A missing or invalid token is a 401 with FusionAuth's OAuth error body and `WWW-Authenticate: Bearer`.
Under `scopeHandlingPolicy` Strict (the default) the token's scope must hold `openid`, and the claims are
`sub` plus those its scopes grant (email, profile, phone)."""

from __future__ import annotations

from typing import Any

from ...routing import Call, Reply
from ...store import Store
from ..collections import USERS
from ..tokens import Tokens
from .authorize import find_application
from .claims import scope_claims
from .errors import OAuthError


def bearer(call: Call) -> str | None:
    value = call.headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    form = call.body if isinstance(call.body, dict) else {}
    return form.get("access_token") or None


def _unauthorized(error: str, reason: str, description: str) -> OAuthError:
    return OAuthError(error, reason, description, 401, {"WWW-Authenticate": f'Bearer error="{error}"'})


def userinfo(store: Store, tokens: Tokens, call: Call) -> Reply:
    token = bearer(call)
    if token is None:
        raise _unauthorized("invalid_request", "access_token_required", "An access token is required.")
    claims = tokens.validate(token)
    tx = store.read()
    user = tx.get(USERS, str(claims.get("sub"))) if claims is not None else None
    if claims is None or user is None:
        raise _unauthorized("invalid_token", "access_token_invalid", "The access token is not valid.")
    scopes = set(str(claims.get("scope", "")).split())
    application = find_application(tx, str(claims.get("aud", ""))) if isinstance(claims.get("aud"), str) else None
    strict = application is None or application["oauthConfiguration"].get("scopeHandlingPolicy", "Strict") == "Strict"
    body: dict[str, Any] = {"sub": user["id"]}
    if strict:
        if "openid" not in scopes:
            raise _unauthorized(
                "invalid_token", "missing_required_scope", "The access token was not granted the [openid] scope."
            )
        body.update(scope_claims(user, scopes))
    else:  # Compatibility: every claim FusionAuth knows of the user
        body.update(scope_claims(user, {"email", "profile", "phone"}))
        for name in ("applicationId", "roles"):
            if name in claims:
                body[name] = claims[name]
    return Reply(200, body, {"Cache-Control": "no-store"})
