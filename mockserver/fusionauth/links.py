"""The Link API: links between an identity provider's user and a FusionAuth user, and pending links."""

from __future__ import annotations

import uuid
from typing import Any

from ..clock import now_ms
from ..store import Store, Tx
from .collections import IDENTITY_PROVIDERS, LINKS, PENDING_LINKS, USERS
from .errors import Errors, FusionAuthError, not_found

PENDING_LINK_TTL_MS = 60 * 60 * 1000  # [choice] FusionAuth keeps a pending link for a limited time


def link_key(provider_id: str, tenant_id: str, provider_user_id: str) -> str:
    return f"{provider_id}:{tenant_id}:{provider_user_id}"


def new_link(
    provider: dict[str, Any], user: dict[str, Any], provider_user_id: str, display_name: str | None, token: str | None
) -> dict[str, Any]:
    link = {
        "identityProviderId": provider["id"],
        "identityProviderName": provider["name"],
        "identityProviderType": provider["type"],
        "identityProviderUserId": provider_user_id,
        "userId": user["id"],
        "tenantId": user["tenantId"],
        "insertInstant": now_ms(),
    }
    if display_name:
        link["displayName"] = display_name
    if token:
        link["token"] = token
    return link


def create_pending(
    tx: Tx, provider: dict[str, Any], tenant_id: str, application_id: str, identity: dict[str, Any], token: str | None
) -> str:
    pending = {
        "id": str(uuid.uuid4()),
        "identityProviderId": provider["id"],
        "identityProviderUserId": identity["id"],
        "tenantId": tenant_id,
        "applicationId": application_id,
        "insertInstant": now_ms(),
        "expiry": now_ms() + PENDING_LINK_TTL_MS,
    }
    for source, target in (("username", "displayName"), ("username", "username"), ("email", "email")):
        if identity.get(source):
            pending[target] = identity[source]
    if token:
        pending["token"] = token
    tx.put(PENDING_LINKS, pending["id"], pending)
    return pending["id"]


def _field_error(field: str, code: str, message: str) -> FusionAuthError:
    return FusionAuthError(400, Errors().field(field, code, message).body())


class Links:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _live_pending(self, tx: Tx, pending_id: str) -> dict[str, Any] | None:
        pending = tx.get(PENDING_LINKS, pending_id)
        return pending if pending is not None and pending["expiry"] >= now_ms() else None

    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        given = request.get("identityProviderLink", {})
        with self.store.write() as tx:
            errors = Errors()
            pending = None
            if "pendingIdPLinkId" in request:
                pending = self._live_pending(tx, request["pendingIdPLinkId"])
                if pending is None:
                    errors.field(
                        "pendingIdPLinkId",
                        "[invalid]pendingIdPLinkId",
                        "The pending link does not exist or has expired.",
                    )
            else:
                if not given.get("identityProviderId"):
                    errors.field(
                        "identityProviderId",
                        "[missing]identityProviderId",
                        "You must specify the [identityProviderId] property.",
                    )
                elif tx.get(IDENTITY_PROVIDERS, given["identityProviderId"]) is None:
                    errors.field(
                        "identityProviderId", "[invalid]identityProviderId", "The identity provider does not exist."
                    )
                if not given.get("identityProviderUserId", "").strip():
                    errors.field(
                        "identityProviderUserId",
                        "[blank]identityProviderUserId",
                        "You must specify the [identityProviderUserId] property.",
                    )
            user = None
            if not given.get("userId"):
                errors.field("userId", "[missing]userId", "You must specify the [userId] property.")
            else:
                user = tx.get(USERS, given["userId"])
                if user is None:
                    errors.field("userId", "[invalid]userId", f"No User exists for the Id [{given['userId']}].")
            errors.raise_if_any()
            assert user is not None
            if pending is not None:
                provider_id, provider_user_id = pending["identityProviderId"], pending["identityProviderUserId"]
                display_name, token = pending.get("displayName"), pending.get("token")
            else:
                provider_id, provider_user_id = given["identityProviderId"], given["identityProviderUserId"]
                display_name, token = given.get("displayName"), given.get("token")
            provider = tx.get(IDENTITY_PROVIDERS, provider_id)
            if provider is None:
                raise _field_error(
                    "identityProviderId", "[invalid]identityProviderId", "The identity provider does not exist."
                )
            key = link_key(provider_id, user["tenantId"], provider_user_id)
            if tx.get(LINKS, key) is not None:
                raise _field_error(
                    "identityProviderUserId",
                    "[duplicate]identityProviderUserId",
                    "This identity provider user is already linked to a user.",
                )
            link = new_link(provider, user, provider_user_id, display_name, token)
            if "data" in given:
                link["data"] = given["data"]
            tx.put(LINKS, key, link)
            if pending is not None:
                tx.delete(PENDING_LINKS, pending["id"])
            return link

    def retrieve(self, provider_id: str | None, provider_user_id: str | None, user_id: str | None) -> dict[str, Any]:
        tx = self.store.read()
        if provider_id and provider_user_id:
            found = [
                link
                for link in tx.find(LINKS, identityProviderId=provider_id, identityProviderUserId=provider_user_id)
                if user_id is None or link["userId"] == user_id
            ]
            if not found:
                raise not_found()
            return {"identityProviderLink": found[0]}
        if user_id:
            links = tx.find(LINKS, userId=user_id)
            if provider_id:
                links = [link for link in links if link["identityProviderId"] == provider_id]
            return {"identityProviderLinks": links}
        raise _field_error("userId", "[missing]userId", "You must specify the [userId] parameter.")

    def pending(self, pending_id: str, user_id: str | None) -> dict[str, Any]:
        tx = self.store.read()
        pending = self._live_pending(tx, pending_id)
        if pending is None:
            raise not_found()
        provider = tx.get(IDENTITY_PROVIDERS, pending["identityProviderId"]) or {}
        tenant_config = provider.get("tenantConfiguration", {}).get(
            pending["tenantId"], {"limitUserLinkCount": {"enabled": False, "maximumLinks": 42}}
        )
        link_count = (
            len(tx.find(LINKS, userId=user_id, identityProviderId=pending["identityProviderId"])) if user_id else 0
        )
        view = {
            k: pending[k]
            for k in ("displayName", "email", "identityProviderId", "identityProviderUserId", "username")
            if k in pending
        }
        view["identityProviderName"] = provider.get("name", "")
        view["identityProviderType"] = provider.get("type", "Twitch")
        return {"identityProviderTenantConfiguration": tenant_config, "linkCount": link_count, "pendingIdPLink": view}

    def delete(self, provider_id: str, provider_user_id: str, user_id: str) -> dict[str, Any]:
        with self.store.write() as tx:
            user = tx.get(USERS, user_id)
            key = link_key(provider_id, user["tenantId"], provider_user_id) if user else ""
            link = tx.get(LINKS, key) if user else None
            if link is None or link["userId"] != user_id:
                raise not_found()
            tx.delete(LINKS, key)
            return {"identityProviderLink": link}
