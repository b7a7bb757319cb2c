"""Access tokens (RS256 JWTs with FusionAuth's claims), the JWKS, and refresh tokens.

The signing key is a fixture (fixtures/fusionauth/keys.json) published in this repository: it is for
testing only. JWT times are in SECONDS, API instants in milliseconds, as in FusionAuth.
"""

from __future__ import annotations

import json
import secrets
import uuid
from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import RSAAlgorithm

from ..clock import now_ms, now_s
from ..store import Store, Tx
from .collections import KEYS, REFRESH_TOKENS

DEFAULT_TTL_SECONDS = 3600
DEFAULT_REFRESH_TTL_MINUTES = 43200


@cache
def _private_key(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), password=None)


class Tokens:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _key(self, tx: Tx) -> dict[str, Any]:
        return tx.all(KEYS)[0]

    def jwks(self) -> dict[str, Any]:
        keys = []
        for key in self.store.read().all(KEYS):
            public = json.loads(RSAAlgorithm.to_jwk(_private_key(key["privateKey"]).public_key()))
            keys.append({**public, "alg": "RS256", "use": "sig", "kid": key["kid"]})
        return {"keys": keys}

    def issue(
        self,
        tx: Tx,
        user: dict[str, Any],
        tenant: dict[str, Any],
        application_id: str,
        registration: dict[str, Any] | None,
        authentication_type: str,
        refresh_token_id: str | None = None,
    ) -> tuple[str, int]:
        """(encoded JWT, tokenExpirationInstant in ms)."""
        key = self._key(tx)
        ttl = tenant.get("jwtConfiguration", {}).get("timeToLiveInSeconds", DEFAULT_TTL_SECONDS)
        now = now_s()
        claims: dict[str, Any] = {
            "aud": application_id,
            "exp": now + ttl,
            "iat": now,
            "auth_time": now,
            "iss": tenant.get("issuer", "acme.com"),
            "sub": user["id"],
            "jti": str(uuid.uuid4()),
            "authenticationType": authentication_type,
            "tid": user["tenantId"],
        }
        if "email" in user:
            claims["email"] = user["email"]
            claims["email_verified"] = bool(user.get("verified"))
        if "username" in user:
            claims["preferred_username"] = user["username"]
        if registration is not None:  # only a registered user gets applicationId and roles
            claims["applicationId"] = application_id
            claims["roles"] = registration.get("roles", [])
        if refresh_token_id is not None:
            claims["sid"] = refresh_token_id
        token = jwt.encode(
            claims, _private_key(key["privateKey"]), algorithm="RS256", headers={"kid": key["kid"], "typ": "JWT"}
        )
        return token, (now + ttl) * 1000

    def validate(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this mock signed and that has not expired; None otherwise."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return None
        for key in self.store.read().all(KEYS):
            if key["kid"] == kid:
                public = _private_key(key["privateKey"]).public_key()
                try:
                    return jwt.decode(token, public, algorithms=["RS256"], options={"verify_aud": False})
                except jwt.PyJWTError:
                    return None
        return None

    def create_refresh_token(
        self,
        tx: Tx,
        user: dict[str, Any],
        tenant: dict[str, Any],
        application_id: str,
        meta_data: dict[str, Any] | None,
    ) -> tuple[str, str]:
        """(refresh token, refreshTokenId)."""
        minutes = tenant.get("jwtConfiguration", {}).get("refreshTokenTimeToLiveInMinutes", DEFAULT_REFRESH_TTL_MINUTES)
        record = {
            "id": str(uuid.uuid4()),
            "token": secrets.token_urlsafe(48),
            "userId": user["id"],
            "applicationId": application_id,
            "tenantId": user["tenantId"],
            "startInstant": now_ms(),
            "expiry": now_ms() + minutes * 60_000,
            "metaData": meta_data or {},
        }
        tx.put(REFRESH_TOKENS, record["id"], record)
        return record["token"], record["id"]

    def find_refresh_token(self, tx: Tx, token: str) -> dict[str, Any] | None:
        found = tx.find(REFRESH_TOKENS, token=token)
        if not found or found[0]["expiry"] < now_ms():
            return None
        return found[0]


def refresh(store: Store, tokens: Tokens, refresh_token: str) -> dict[str, Any]:
    """POST /api/jwt/refresh: a new access token for a live refresh token (reusable, as by default)."""
    from .collections import APPLICATIONS, TENANTS, USERS
    from .errors import FusionAuthError
    from .users import registration_for

    with store.write() as tx:
        record = tokens.find_refresh_token(tx, refresh_token)
        user = tx.get(USERS, record["userId"]) if record else None
        if record is None or user is None or not user.get("active", True):
            raise FusionAuthError(404)
        tenant = tx.get(TENANTS, user["tenantId"]) or {}
        application = tx.get(APPLICATIONS, record["applicationId"]) or {}
        if not application.get("loginConfiguration", {}).get("allowTokenRefresh", True):
            raise FusionAuthError(401)
        token, _ = tokens.issue(
            tx,
            user,
            tenant,
            record["applicationId"],
            registration_for(user, record["applicationId"]),
            "RefreshToken",
            record["id"],
        )
        return {"token": token, "refreshToken": record["token"], "refreshTokenId": record["id"]}
