"""The handlers of schemas/fusionauth/paths/oauth.yaml (a feature module, see ../features.py)."""

from __future__ import annotations

from ...routing import Call, Handler, Reply
from .. import forcing
from ..features import Feature
from . import discovery, introspect, logout, token, userinfo
from .authorize import error_page
from .errors import NO_STORE, oauth_body

FORCED = "forced with Prefer: code="
JSON_OPERATIONS = ("oauthToken", "oauthUserinfo", "oauthUserinfoPost", "oauthIntrospect")

TENANT_HEADER = "X-FusionAuth-TenantId"


def handlers(feature: Feature) -> dict[str, Handler]:
    store, tokens = feature.store, feature.tokens
    token_endpoint = token.TokenEndpoint(store, tokens)

    def base(call: Call) -> str:
        return call.request.host_url.rstrip("/") if call.request is not None else ""

    def openid_configuration(call: Call) -> Reply:
        # ?tenantId= names the tenant; else the request's header; else the Default tenant.
        tenant_id = call.query.get("tenantId") or call.headers.get(TENANT_HEADER)
        return Reply(200, discovery.document(store.read(), base(call), tenant_id))

    def openid_configuration_for_tenant(call: Call) -> Reply:
        return Reply(200, discovery.document(store.read(), base(call), call.path["tenantId"].lower()))

    # `Prefer: code=400/401` answer with OAuth's error bodies (and the logout's error page), not FusionAuth's Errors.
    for operation in JSON_OPERATIONS:
        forcing.BUILDERS[(operation, 400)] = lambda call: Reply(
            400, oauth_body("invalid_request", "unknown", FORCED + "400"), dict(NO_STORE)
        )
        forcing.BUILDERS[(operation, 401)] = lambda call: Reply(
            401, oauth_body("invalid_client", "unknown", FORCED + "401"), dict(NO_STORE)
        )
    for operation in ("oauthLogout", "oauthLogoutPost"):
        forcing.BUILDERS[(operation, 400)] = lambda call: error_page(400, "invalid_request", "unknown", FORCED + "400")

    return {
        "retrieveOpenIdConfiguration": openid_configuration,
        "retrieveOpenIdConfigurationForTenant": openid_configuration_for_tenant,
        "oauthToken": token_endpoint,
        "oauthUserinfo": lambda call: userinfo.userinfo(store, tokens, call),
        "oauthUserinfoPost": lambda call: userinfo.userinfo(store, tokens, call),
        "oauthIntrospect": lambda call: introspect.introspect(store, tokens, call),
        "oauthLogout": lambda call: logout.logout(store, call),
        "oauthLogoutPost": lambda call: logout.logout(store, call),
    }
