"""FusionAuth over HTTP: authentication, tenant scoping, error rendering and thin handlers."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..openapi import Issue, Operation, Specs
from ..routing import NO_BODY, Call, Handler, Reply, Router
from ..store import Store
from . import errors, forcing
from .collections import API_KEYS, TENANTS
from .errors import FusionAuthError
from .identity_providers import FIXED_IDS, IdentityProviders, missing_id_error

TENANT_HEADER = "X-FusionAuth-TenantId"


def _reply(error: FusionAuthError) -> Reply:
    return Reply(error.status, NO_BODY if error.body is None else error.body)


class FusionAuthVendor:
    """What the shared request pipeline needs to answer the way FusionAuth does."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def authenticate(self, call: Call) -> None:
        tx = self.store.read()
        key_tenant: str | None = None
        if not call.operation.anonymous:
            # The API key is the bare header value (no "Bearer"); missing or unknown → 401, empty body.
            value = call.headers.get("Authorization", "")
            keys = tx.find(API_KEYS, key=value) if value else []
            if not keys:
                raise FusionAuthError(401)
            key_tenant = keys[0].get("tenantId")
        header = call.headers.get(TENANT_HEADER)
        if header is not None:
            header = header.strip()
            if tx.get(TENANTS, header) is None:
                raise errors.invalid_tenant(header)
            if key_tenant is not None and key_tenant != header:
                raise FusionAuthError(401)  # a tenant-locked key used for another tenant
        call.context["tenant_id"] = header or key_tenant

    def empty_body(self, operation: Operation) -> Any:
        return {}  # FusionAuth then reports the missing top-level object, e.g. [missing]identityProvider

    def malformed_json(self, detail: str) -> Reply:
        return _reply(errors.malformed_json(detail))

    def invalid_content_type(self, value: str | None, allowed: list[str]) -> Reply:
        return _reply(errors.invalid_content_type(value, allowed))

    def invalid_parameter(self, operation: Operation, location: str, name: str, value: str | None) -> Reply:
        if name == TENANT_HEADER:
            return _reply(errors.invalid_tenant(value or ""))
        if name == "type" and value is None:
            return _reply(missing_id_error())
        return _reply(errors.parameter_error(name, value or ""))

    def invalid_body(self, operation: Operation, issues: list[Issue]) -> Reply:
        return _reply(errors.from_issues(issues))

    def translate(self, error: Exception) -> Reply | None:
        return _reply(error) if isinstance(error, FusionAuthError) else None

    def mock_error(self, status: int, message: str) -> Reply:
        return Reply(status, errors.Errors().general("[mockserver]", message).body())

    def forced(self, call: Call, status: int, handler: Handler) -> Reply:
        return forcing.forced(self, call, status, handler)


def register(app: Flask, specs: Specs, store: Store) -> None:
    providers = IdentityProviders(store, specs.schema("fusionauth/IdentityProviderRequest.json"))

    def tenant(call: Call) -> str | None:
        return call.context.get("tenant_id")

    def one(provider: dict[str, Any]) -> Reply:
        return Reply(200, {"identityProvider": provider})

    def create(call: Call) -> Reply:
        return one(providers.create(call.body, call.path.get("identityProviderId"), tenant(call)))

    def retrieve_all(call: Call) -> Reply:
        return Reply(200, {"identityProviders": providers.list(tenant(call), call.query.get("type"))})

    def retrieve(call: Call) -> Reply:
        return one(providers.retrieve(call.path["identityProviderId"], tenant(call)))

    def update(call: Call) -> Reply:
        return one(providers.update(call.path["identityProviderId"], call.body, tenant(call)))

    def update_by_type(call: Call) -> Reply:
        return one(providers.update(FIXED_IDS[call.query["type"]], call.body, tenant(call)))

    def patch(call: Call) -> Reply:
        assert call.content_type is not None
        return one(providers.patch(call.path["identityProviderId"], call.content_type, call.body, tenant(call)))

    def delete(call: Call) -> Reply:
        providers.delete(call.path["identityProviderId"], tenant(call))
        return Reply(200)

    def delete_by_type(call: Call) -> Reply:
        providers.delete(FIXED_IDS[call.query["type"]], tenant(call))
        return Reply(200)

    Router(specs.fusionauth, FusionAuthVendor(store)).register(
        app,
        {
            "createIdentityProvider": create,
            "createIdentityProviderWithId": create,
            "retrieveIdentityProviders": retrieve_all,
            "retrieveIdentityProvider": retrieve,
            "updateIdentityProvider": update,
            "updateIdentityProviderByType": update_by_type,
            "patchIdentityProvider": patch,
            "deleteIdentityProvider": delete,
            "deleteIdentityProviderByType": delete_by_type,
        },
    )
