"""The tokens of an OAuth grant: access token and id token claims as FusionAuth writes them, and their keys.

Access tokens: `aud` (client id), `applicationId` + `roles` only for a registered user, `auth_time`,
`authenticationType`, `exp`, `iat`, `iss` (the tenant's issuer), `jti`, `scope`, `sid`, `sub`, `tid`; the
header's `gty` lists the grants. Under `scopeHandlingPolicy` Strict (the default) the access token carries no
email / preferred_username. Signed with the access-token key in force (tokens.py), after the application's
JWT populate lambda. Id tokens: `at_hash`, `nonce`, the scope's claims (email, profile, phone), signed with the
`idTokenKeyId` key; an HMAC key (and the default, no key named) means HS256 with the client secret.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from ...clock import now_s
from ...store import Tx
from ..collections import KEYS
from ..tokens import DEFAULT_TTL_SECONDS, Tokens, Unsigned, _signing_key, jwt_configuration

STRICT_DROPPED = ("email", "email_verified", "preferred_username")
PROFILE_CLAIMS = (
    ("name", "fullName"),
    ("given_name", "firstName"),
    ("family_name", "lastName"),
    ("middle_name", "middleName"),
    ("birthdate", "birthDate"),
    ("picture", "imageUrl"),
    ("preferred_username", "username"),
)
_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


@dataclass
class Grant:
    """Who and what a token response is for."""

    user: dict[str, Any]
    application: dict[str, Any]  # complete (applications.complete)
    tenant: dict[str, Any]
    registration: dict[str, Any] | None
    scope: str
    grants: list[str]  # the `gty` header: the grants that led here, first one first
    authentication_type: str
    auth_time: int
    sso_session_id: str | None = None
    nonce: str | None = None
    refresh_token_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.split())

    @property
    def client_id(self) -> str:
        return str(self.application["oauthConfiguration"].get("clientId") or self.application["id"])


def scope_claims(user: Mapping[str, Any], scopes: set[str]) -> dict[str, Any]:
    """The OpenID Connect standard claims a scope grants (email, profile, phone)."""
    claims: dict[str, Any] = {}
    if "email" in scopes and user.get("email"):
        claims["email"] = user["email"]
        claims["email_verified"] = bool(user.get("verified"))
    if "profile" in scopes:
        for claim, name in PROFILE_CLAIMS:
            if user.get(name):
                claims[claim] = user[name]
    if "phone" in scopes and user.get("mobilePhone"):
        claims["phone_number"] = user["mobilePhone"]
        claims["phone_number_verified"] = False
    return claims


def access_token(tokens: Tokens, tx: Tx, grant: Grant, ttl: int | None = None) -> tuple[Unsigned, int]:
    """(the access token to sign, its lifetime in seconds)."""
    unsigned, expires_ms = tokens.prepare(
        tx,
        grant.user,
        grant.tenant,
        grant.application,
        grant.registration,
        grant.authentication_type,
        grant.refresh_token_id,
        ttl,
    )
    claims = dict(unsigned.claims)
    claims["aud"] = grant.client_id
    claims["auth_time"] = grant.auth_time
    claims["scope"] = grant.scope
    if grant.application["oauthConfiguration"].get("scopeHandlingPolicy", "Strict") == "Strict":
        for name in STRICT_DROPPED:
            claims.pop(name, None)
    sid = grant.refresh_token_id or grant.sso_session_id
    if sid is not None:
        claims["sid"] = sid
    return Unsigned(claims, unsigned.key, unsigned.populate), expires_ms // 1000 - claims["iat"]


def sign(unsigned: Unsigned, grants: list[str]) -> str:
    """An access token signed as Unsigned.sign does, with FusionAuth's `gty` header."""
    key = unsigned.key
    claims = unsigned.claims if unsigned.populate is None else unsigned.populate(unsigned.claims)
    headers = {"gty": grants, "kid": key["kid"], "typ": "JWT"}
    return jwt.encode(claims, _signing_key(key), algorithm=key["algorithm"], headers=headers)


def _id_token_key(tx: Tx, grant: Grant) -> tuple[str, Any, str | None]:
    """(algorithm, signing key, kid) of the id token: the idTokenKeyId key when asymmetric; else HS256 (or the
    HMAC key's algorithm) with the client secret, as FusionAuth signs id tokens by default."""
    settings = jwt_configuration(grant.tenant, grant.application)
    key_id = settings.get("idTokenKeyId")
    key = tx.get(KEYS, key_id) if key_id else None
    secret = str(grant.application["oauthConfiguration"]["clientSecret"]).encode()
    if key is None:
        return "HS256", secret, None
    if key["algorithm"].startswith("HS"):
        return key["algorithm"], secret, key.get("kid")
    return key["algorithm"], _signing_key(key), key.get("kid")


def at_hash(token: str, algorithm: str) -> str:
    """OIDC Core §3.1.3.6: the left half of the access token's hash, base64url without padding."""
    digest = _HASHES.get(algorithm[-3:], hashlib.sha256)(token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def id_token(tx: Tx, grant: Grant, access: str | None) -> str:
    settings = jwt_configuration(grant.tenant, grant.application)
    now = now_s()
    algorithm, key, kid = _id_token_key(tx, grant)
    claims: dict[str, Any] = {
        "aud": grant.client_id,
        "exp": now + int(settings.get("timeToLiveInSeconds", DEFAULT_TTL_SECONDS)),
        "iat": now,
        "iss": str(grant.tenant.get("issuer", "acme.com")),
        "sub": grant.user["id"],
        "jti": str(uuid.uuid4()),
        "auth_time": grant.auth_time,
        "authenticationType": grant.authentication_type,
        "scope": grant.scope,
        "tid": grant.user["tenantId"],
    }
    if access is not None:
        claims["at_hash"] = at_hash(access, algorithm)
    if grant.nonce:
        claims["nonce"] = grant.nonce
    if grant.sso_session_id:
        claims["sid"] = grant.sso_session_id
    claims.update(scope_claims(grant.user, grant.scopes))
    headers: dict[str, Any] = {"typ": "JWT"}
    if kid:
        headers["kid"] = kid
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)
