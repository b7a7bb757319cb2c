"""The fake upstream identity providers (Twitch, Google, Apple, Epic, PlayStation, Discord, Steam, ...).

One registry serves both APIs: a Twitch account registered here is what FusionAuth's Twitch login
exchanges a code for, and what LootLocker's "Connect Twitch Account" accepts. An identity has
an authorization `code` (single use, like Twitch's, unless `reusable`) and an access `token`
(reusable). Exchanging a code also yields a fresh upstream `refresh_token`, as Twitch's token
endpoint does; FusionAuth keeps that in the link.
"""

from __future__ import annotations

import secrets
from typing import Any

from .clock import now_ms
from .store import Store

IDENTITIES = "mock.identities"
# Codes handed out by the mock provider pages (/_mock/twitch/oauth2/authorize): one fresh, single-use code per
# consent, keyed by the code, besides the identity's own `code`.
CONSENT_CODES = "mock.consent-codes"
CONSENT_CODE_TTL_MS = 10 * 60 * 1000  # Twitch's codes are short-lived too
INDEXES = {IDENTITIES: ("code", "token")}  # what logins and connects look identities up by (store.Indexes)


def key(provider: str, user_id: str) -> str:
    return f"{provider}:{user_id}"


class IdentityConflict(Exception):
    """The code or token is already registered for another identity of the same provider."""


def _new_secret(prefix: str) -> str:
    return f"{prefix}-{secrets.token_urlsafe(18)}"


def complete(spec: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a registration: generated code/token, flags defaulted."""
    identity = dict(spec)
    identity["provider"] = identity["provider"].lower()
    identity["id"] = str(identity["id"])
    if "code" not in identity:
        identity["code"] = _new_secret(f"{identity['provider']}-code")
    if "token" not in identity:
        identity["token"] = _new_secret(f"{identity['provider']}-token")
    identity.setdefault("email_verified", bool(identity.get("email")))
    identity.setdefault("reusable", False)
    identity["used"] = False
    return identity


def with_profile(spec: dict[str, Any]) -> dict[str, Any]:
    """A registration naming neither a username nor an email gets Faker's, the same ones every time for that
    provider and id (a load script that names only ids still sees realistic, stable accounts). One that names
    either is kept as given, so that an upstream account without a username or an email stays reproducible."""
    if spec.get("username") or spec.get("email"):
        return spec
    from faker import Faker  # imported here: the first registration without names pays for it, not every start

    fake = Faker()
    fake.seed_instance(f"{str(spec['provider']).lower()}:{spec['id']}")
    username = f"{fake.user_name()}{fake.random_int(10, 9999)}"
    return {**spec, "username": username, "email": f"{username.lower()}@{fake.free_email_domain()}"}


class Identities:
    def __init__(self, store: Store) -> None:
        self.store = store

    def register(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Add or replace an identity (replacing gives it a fresh, unused code)."""
        identity = complete(spec)
        with self.store.write() as tx:
            for field in ("code", "token"):
                for other in tx.find(IDENTITIES, provider=identity["provider"], **{field: identity[field]}):
                    if other["id"] != identity["id"]:
                        raise IdentityConflict(
                            f"{field} {identity[field]!r} already belongs to {identity['provider']} "
                            f"identity {other['id']!r}"
                        )
            tx.put(IDENTITIES, key(identity["provider"], identity["id"]), identity)
        return identity

    def list(self, provider: str | None = None) -> list[dict[str, Any]]:
        tx = self.store.read()
        return tx.find(IDENTITIES, provider=provider.lower()) if provider else tx.all(IDENTITIES)

    def get(self, provider: str, user_id: str) -> dict[str, Any] | None:
        return self.store.read().get(IDENTITIES, key(provider, user_id))

    def issue_code(self, provider: str, user_id: str) -> str:
        """A fresh single-use code for an identity (what the provider's consent page redirects with)."""
        code = _new_secret(f"{provider}-code")
        with self.store.write() as tx:
            record = {"id": code, "provider": provider, "identity": key(provider, user_id)}
            tx.put(CONSENT_CODES, code, {**record, "expiry": now_ms() + CONSENT_CODE_TTL_MS})
        return code

    def exchange_code(self, provider: str, code: str) -> tuple[dict[str, Any], str] | None:
        """(identity, upstream refresh token) for a valid code; None when unknown or already used."""
        if self.store.read().get(CONSENT_CODES, code) is not None:
            with self.store.write() as tx:
                consent = tx.get(CONSENT_CODES, code)
                if consent is None or consent["provider"] != provider:
                    return None
                tx.delete(CONSENT_CODES, code)  # single use, whatever the outcome
                identity = tx.get(IDENTITIES, consent["identity"])
                if identity is None or consent["expiry"] < now_ms():
                    return None
            return identity, _new_secret(f"{provider}-refresh")
        found = self.store.read().find(IDENTITIES, provider=provider, code=code)
        if found and found[0]["reusable"]:
            return found[0], _new_secret(f"{provider}-refresh")  # nothing to spend: no write lock needed
        with self.store.write() as tx:
            found = tx.find(IDENTITIES, provider=provider, code=code)
            if not found or (found[0]["used"] and not found[0]["reusable"]):
                return None
            identity = found[0]
            if not identity["reusable"]:
                identity["used"] = True
                tx.put(IDENTITIES, key(provider, identity["id"]), identity)
        return identity, _new_secret(f"{provider}-refresh")

    def by_token(self, provider: str, token: str) -> dict[str, Any] | None:
        found = self.store.read().find(IDENTITIES, provider=provider, token=token)
        return found[0] if found else None
