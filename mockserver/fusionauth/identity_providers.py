"""The Identity Provider API's behaviour (type Twitch), on the store, without HTTP."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ..clock import now_ms
from ..openapi import SchemaCheck
from ..store import Store, Tx
from . import patching
from .collections import IDENTITY_PROVIDERS, LAMBDAS, LINKS, TENANTS
from .errors import Errors, FusionAuthError, from_issues, must_specify, not_found

TWITCH = "Twitch"
# FusionAuth's fixed ids per provider type. The Twitch one is what a create with no name gets; an id
# reserved for another type cannot be used for a Twitch provider.
FIXED_IDS = {
    "Apple": "13d2a5db-7ef9-4d62-b909-0df58612e775",
    "EpicGames": "1b932b19-61a8-47c7-9e81-27dbf9011dad",
    "Facebook": "56abdcc7-8bd9-4321-9621-4e9bbebae494",
    "Google": "82339786-3dff-42a6-aac6-1f1ceecb6c46",
    "HYPR": "778985b7-6fd8-414d-acf2-94f18fb7c7e0",
    "LinkedIn": "6177c09d-3f0e-4d53-9504-3600b1b23f46",
    "Nintendo": "b0ac2e16-d4af-483e-98c8-7f6693610665",
    "SonyPSN": "7764b5c7-165b-4e7e-94aa-02ebe2a0a5fb",
    "Steam": "e4f39345-7833-4b1d-b331-ca03bdc2c4be",
    "Twitch": "bf4cf83f-e824-42d7-b4a3-5b10847a66b2",
    "Twitter": "45bb233c-0901-4236-b5ca-ac46e2e0a5a5",
    "Xbox": "af53ab21-34c3-468a-8ba2-ecb3905f67f2",
}
TWITCH_ID = FIXED_IDS[TWITCH]
_READ_ONLY = ("id", "insertInstant", "lastUpdateInstant")


def visible(provider: dict[str, Any], tenant_id: str | None) -> bool:
    """A tenant-scoped request sees global providers and its own tenant's."""
    return tenant_id is None or provider.get("tenantId") in (None, tenant_id)


def _with_defaults(given: dict[str, Any]) -> dict[str, Any]:
    provider = copy.deepcopy(given)
    provider.setdefault("enabled", False)
    provider.setdefault("debug", False)
    provider.setdefault("linkingStrategy", "CreatePendingLink")
    for config in provider.get("applicationConfiguration", {}).values():
        config.setdefault("createRegistration", True)
        config.setdefault("enabled", False)
    for config in provider.get("tenantConfiguration", {}).values():
        limit = config.setdefault("limitUserLinkCount", {})
        limit.setdefault("enabled", False)
        limit.setdefault("maximumLinks", 42)
    for field in _READ_ONLY:
        provider.pop(field, None)
    return provider


class IdentityProviders:
    def __init__(self, store: Store, request_check: SchemaCheck) -> None:
        self.store = store
        # The PUT request schema: a patched provider must pass it too.
        self.request_check = request_check

    # -- reads -------------------------------------------------------------------------------------
    def retrieve(self, provider_id: str, tenant_id: str | None) -> dict[str, Any]:
        provider = self.store.read().get(IDENTITY_PROVIDERS, provider_id)
        if provider is None or not visible(provider, tenant_id):
            raise not_found()
        return provider

    def list(self, tenant_id: str | None, type_: str | None = None) -> list[dict[str, Any]]:
        return [
            p
            for p in self.store.read().all(IDENTITY_PROVIDERS)
            if visible(p, tenant_id) and (type_ is None or p["type"] == type_)
        ]

    # -- writes ------------------------------------------------------------------------------------
    def create(self, request: dict[str, Any], url_id: str | None, tenant_id: str | None) -> dict[str, Any]:
        given = _with_defaults(request["identityProvider"])
        errors = Errors()
        with self.store.write() as tx:
            if tenant_id is not None:
                if given.get("tenantId") not in (None, tenant_id):
                    errors.field(
                        "identityProvider.tenantId",
                        "[invalid]identityProvider.tenantId",
                        "The [identityProvider.tenantId] does not match the X-FusionAuth-TenantId header.",
                    )
                given["tenantId"] = tenant_id
            scoped = url_id is not None or given.get("tenantId") is not None
            if scoped and not given.get("name"):
                errors.field(
                    "identityProvider.name", "[blank]identityProvider.name", must_specify("identityProvider.name")
                )
            if url_id is not None:
                provider_id = url_id
            elif not given.get("name") and given.get("tenantId") is None:
                provider_id, given["name"] = TWITCH_ID, TWITCH
            else:
                provider_id = str(uuid.uuid4())
            reserved_for = next((t for t, i in FIXED_IDS.items() if i == provider_id and t != TWITCH), None)
            if reserved_for:
                errors.field(
                    "identityProviderId",
                    "[invalid]identityProviderId",
                    f"The Id [{provider_id}] is reserved for the {reserved_for} identity provider.",
                )
            elif tx.get(IDENTITY_PROVIDERS, provider_id) is not None:
                errors.field(
                    "identityProviderId",
                    "[duplicate]identityProviderId",
                    f"An Identity Provider with Id [{provider_id}] already exists.",
                )
            self._validate_references(tx, given, provider_id, errors)
            errors.raise_if_any()
            now = now_ms()
            provider = {**given, "id": provider_id, "insertInstant": now, "lastUpdateInstant": now}
            provider.setdefault("source", "System")
            tx.put(IDENTITY_PROVIDERS, provider_id, provider)
            return provider

    def update(self, provider_id: str, request: dict[str, Any], tenant_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            return self._update(tx, provider_id, request, tenant_id)

    def patch(self, provider_id: str, content_type: str, patch: Any, tenant_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            current = tx.get(IDENTITY_PROVIDERS, provider_id)
            if current is None or not visible(current, tenant_id):
                raise not_found()
            patched = patching.apply(content_type, {"identityProvider": current}, patch)
            if not self.request_check.is_valid(patched):
                raise from_issues(self.request_check.issues(patched))
            return self._update(tx, provider_id, patched, tenant_id)

    def delete(self, provider_id: str, tenant_id: str | None) -> None:
        with self.store.write() as tx:
            current = tx.get(IDENTITY_PROVIDERS, provider_id)
            if current is None or not visible(current, tenant_id):
                raise not_found()
            tx.delete(IDENTITY_PROVIDERS, provider_id)
            tx.delete_where(LINKS, identityProviderId=provider_id)

    # -- rules -------------------------------------------------------------------------------------
    def _update(self, tx: Tx, provider_id: str, request: dict[str, Any], tenant_id: str | None) -> dict[str, Any]:
        current = tx.get(IDENTITY_PROVIDERS, provider_id)
        if current is None or not visible(current, tenant_id):
            raise not_found()
        given = _with_defaults(request["identityProvider"])
        errors = Errors()
        # PUT replaces the provider, but these belong to the stored one.
        given.setdefault("name", current["name"])
        given["tenantId"] = current.get("tenantId")
        if given["tenantId"] is None:
            del given["tenantId"]
        if current["enabled"] and given["enabled"] and given["linkingStrategy"] != current["linkingStrategy"]:
            errors.field(
                "identityProvider.linkingStrategy",
                "[restricted]identityProvider.linkingStrategy",
                "The linking strategy cannot be changed while the identity provider is enabled. Disable it first.",
            )
        self._validate_references(tx, given, provider_id, errors)
        errors.raise_if_any()
        provider = {
            **given,
            "id": provider_id,
            "insertInstant": current["insertInstant"],
            "lastUpdateInstant": max(now_ms(), current["lastUpdateInstant"]),
            "source": current.get("source", "System"),
        }
        tx.put(IDENTITY_PROVIDERS, provider_id, provider)
        return provider

    def _validate_references(self, tx: Tx, given: dict[str, Any], provider_id: str, errors: Errors) -> None:
        name = given.get("name")
        if name and any(
            p["name"].lower() == name.lower() and p["id"] != provider_id for p in tx.all(IDENTITY_PROVIDERS)
        ):
            errors.field(
                "identityProvider.name",
                "[duplicate]identityProvider.name",
                f"An Identity Provider with name [{name}] already exists.",
            )
        tenant = given.get("tenantId")
        if tenant is not None and tx.get(TENANTS, tenant) is None:
            errors.field(
                "identityProvider.tenantId",
                "[invalid]identityProvider.tenantId",
                f"The [identityProvider.tenantId] [{tenant}] does not exist.",
            )
        reconcile_id = given.get("lambdaConfiguration", {}).get("reconcileId")
        if reconcile_id is not None:
            field = "identityProvider.lambdaConfiguration.reconcileId"
            lambda_ = tx.get(LAMBDAS, reconcile_id)
            if given.get("attributeMappings"):
                errors.field(
                    field, f"[unsupported]{field}", "A reconcile lambda cannot be used together with attributeMappings."
                )
            elif lambda_ is None or lambda_.get("type") != "TwitchReconcile":
                errors.field(
                    field,
                    f"[invalid]{field}",
                    f"The [{field}] must be the Id of an existing lambda of type [TwitchReconcile].",
                )


def missing_id_error() -> FusionAuthError:
    return FusionAuthError(
        400,
        Errors()
        .field(
            "identityProviderId",
            "[missing]identityProviderId",
            "The Id of the Identity Provider was not specified on the URL.",
        )
        .body(),
    )
