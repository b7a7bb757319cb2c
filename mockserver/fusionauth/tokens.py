"""Access tokens (JWTs with FusionAuth's claims), the JWKS, and refresh tokens.

The signing keys are fixtures (fixtures/fusionauth/keys.json) published in this repository: they are for
testing only. As in FusionAuth, the application's `jwtConfiguration` (when `enabled`) or else the tenant's
names the key (`accessTokenKeyId`) and the time to live. JWT times are in SECONDS, API instants in
milliseconds, as in FusionAuth.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from ..clock import now_ms, now_s
from ..store import Store, Tx
from . import keys, lambdas
from .collections import KEYS, REFRESH_TOKENS

DEFAULT_TTL_SECONDS = 3600
DEFAULT_REFRESH_TTL_MINUTES = 43200
# The `authenticationType` claim, as FusionAuth's documented list spells it (identity providers of the
# gaming family keep their mixed-case type name: "Twitch").
PASSWORD = "PASSWORD"
ONE_TIME_PASSWORD = "ONE_TIME_PASSWORD"
REFRESH_TOKEN = "REFRESH_TOKEN"


@cache
def _private_key(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), password=None)


def _signing_key(key: dict[str, Any]) -> Any:
    """What PyJWT signs with: the parsed private key, or an HMAC key's secret."""
    return key["secret"].encode() if key["algorithm"].startswith("HS") else _private_key(key["privateKey"])


def _verifying_key(key: dict[str, Any]) -> Any:
    # An imported key may have a public part only (publicKey or certificate): it verifies, never signs.
    return key["secret"].encode() if key["algorithm"].startswith("HS") else keys.verifying_key(key)


def jwt_configuration(tenant: dict[str, Any], application: dict[str, Any] | None) -> dict[str, Any]:
    """The JWT settings in force: the application's when it enables its own, else the tenant's."""
    own = (application or {}).get("jwtConfiguration", {})
    return own if own.get("enabled") else tenant.get("jwtConfiguration", {})


@dataclass(frozen=True)
class Unsigned:
    """An access token's claims and key: signed once the login's write transaction has committed, so that
    the signature (~0.9 ms for RSA-2048) does not hold the store's write lock that every login waits for."""

    claims: dict[str, Any]
    key: dict[str, Any]
    # The application's JWT populate lambda (lambdas.py), run here: after the transaction, as the signature.
    populate: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def sign(self) -> str:
        key = self.key
        claims = self.claims if self.populate is None else self.populate(self.claims)
        return jwt.encode(
            claims, _signing_key(key), algorithm=key["algorithm"], headers={"kid": key["kid"], "typ": "JWT"}
        )


class Tokens:
    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _key(tx: Tx, key_id: str | None) -> dict[str, Any]:
        """The configured key (any the Key API generated or imported with its private part or secret), else
        the first asymmetric key that can sign."""
        key = tx.get(KEYS, key_id) if key_id else None
        if key is not None and keys.can_sign(key):
            return key
        stored = tx.all(KEYS)
        return next((k for k in stored if not k["algorithm"].startswith("HS") and keys.can_sign(k)), stored[0])

    def jwks(self) -> dict[str, Any]:
        """The public halves of the RSA and EC keys, also of those imported without their private part (an HMAC
        secret is never published); a key with a certificate also has its chain (x5c) and thumbprints."""
        published = []
        for key in self.store.read().all(KEYS):
            algorithm = key["algorithm"]
            if algorithm.startswith("HS"):
                continue
            to_jwk = RSAAlgorithm.to_jwk if algorithm.startswith("RS") else ECAlgorithm.to_jwk
            public = json.loads(to_jwk(_verifying_key(key)))
            published.append({**public, "alg": algorithm, "use": "sig", "kid": key["kid"], **keys.x509_members(key)})
        return {"keys": published}

    def prepare(
        self,
        tx: Tx,
        user: dict[str, Any],
        tenant: dict[str, Any],
        application: dict[str, Any],
        registration: dict[str, Any] | None,
        authentication_type: str,
        refresh_token_id: str | None = None,
        ttl: int | None = None,
    ) -> tuple[Unsigned, int]:
        """(the access token to sign, tokenExpirationInstant in ms), for the application document read in `tx`.

        `ttl` (seconds) shortens the configured lifetime, never lengthens it (timeToLiveInSeconds on a refresh)."""
        application_id = application["id"]
        settings = jwt_configuration(tenant, application)
        key = self._key(tx, settings.get("accessTokenKeyId"))
        configured = settings.get("timeToLiveInSeconds", DEFAULT_TTL_SECONDS)
        ttl = min(configured, ttl) if ttl is not None and ttl > 0 else configured
        now = now_s()
        claims: dict[str, Any] = {
            "exp": now + ttl,
            "iat": now,
            "auth_time": now,
            "iss": tenant.get("issuer", "acme.com"),
            "sub": user["id"],
            "jti": str(uuid.uuid4()),
            "authenticationType": authentication_type,
            "tid": user["tenantId"],
        }
        if application_id is not None:  # a Login API login without an applicationId has no audience
            claims["aud"] = application_id
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
        populate = lambdas.invoker(self.store).populate_hook(application, user, registration)
        return Unsigned(claims, key, populate), (now + ttl) * 1000

    def validate(self, token: str) -> dict[str, Any] | None:
        """The claims of a token this mock signed and that has not expired; None otherwise."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return None
        for key in self.store.read().all(KEYS):
            if key["kid"] == kid:
                try:
                    return jwt.decode(
                        token, _verifying_key(key), algorithms=[key["algorithm"]], options={"verify_aud": False}
                    )
                except jwt.PyJWTError:
                    return None
        return None

    def create_refresh_token(
        self,
        tx: Tx,
        user: dict[str, Any],
        tenant: dict[str, Any],
        application: dict[str, Any],
        meta_data: dict[str, Any] | None,
    ) -> tuple[str, str]:
        """(refresh token, refreshTokenId)."""
        application_id = application["id"]
        settings = jwt_configuration(tenant, application)
        minutes = settings.get("refreshTokenTimeToLiveInMinutes", DEFAULT_REFRESH_TTL_MINUTES)
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


def refresh(store: Store, tokens: Tokens, refresh_token: str, ttl: int | None = None) -> dict[str, Any]:
    """POST /api/jwt/refresh: a new access token for a live refresh token (reusable, as by default);
    `ttl` = the request's timeToLiveInSeconds."""
    from .collections import APPLICATIONS, TENANTS, USERS
    from .errors import FusionAuthError
    from .users import registration_for

    with store.write() as tx:
        record = tokens.find_refresh_token(tx, refresh_token)
        user = tx.get(USERS, record["userId"]) if record else None
        if record is None or user is None or not user.get("active", True):
            raise FusionAuthError(404)
        tenant = tx.get(TENANTS, user["tenantId"]) or {}
        application = tx.get(APPLICATIONS, record["applicationId"]) or {"id": record["applicationId"]}
        if not application.get("loginConfiguration", {}).get("allowTokenRefresh", True):
            raise FusionAuthError(401)
        unsigned, _ = tokens.prepare(
            tx,
            user,
            tenant,
            application,
            registration_for(user, record["applicationId"]),
            REFRESH_TOKEN,
            record["id"],
            ttl,
        )
    # Signed once the transaction has committed, as a login's token (see Unsigned).
    return {"token": unsigned.sign(), "refreshToken": record["token"], "refreshTokenId": record["id"]}
