"""What every FusionAuth feature module gets to build its handlers: the store and the shared services.

A feature module (applications.py, tenants.py, status.py …) exposes `handlers(feature) -> {operationId:
handler}` for the operations of its own OpenAPI file (schemas/fusionauth/paths/<feature>.yaml); routes.py
joins them. Services used by several features (users, tokens, the login) are built once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..identities import Identities
from ..openapi import Specs
from ..routing import Call
from ..store import Store

if TYPE_CHECKING:
    from .links import Links
    from .login import Login
    from .routes import FusionAuthVendor
    from .tokens import Tokens
    from .users import Users


@dataclass
class Feature:
    store: Store
    specs: Specs
    vendor: FusionAuthVendor
    identities: Identities
    users: Users
    tokens: Tokens
    links: Links
    login: Login

    @staticmethod
    def tenant(call: Call) -> str | None:
        """The tenant the request is scoped to (X-FusionAuth-TenantId, or a tenant-locked API key's)."""
        return call.context.get("tenant_id")

    def schema(self, relative: str) -> Any:
        return self.specs.schema(relative)
