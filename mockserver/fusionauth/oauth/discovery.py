"""OpenID Connect discovery: /.well-known/openid-configuration[?tenantId=] and
/{tenantId}/.well-known/openid-configuration (FusionAuth 1.46+). Always 200. The issuer is the tenant's
`issuer` string (not a URL unless configured so); the endpoints are on the request's own base URL."""

from __future__ import annotations

from typing import Any

from ...store import Tx
from .. import tenants as tenants_api

ALGORITHMS = ["ES256", "ES384", "ES512", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512"]
CLAIMS = [
    "applicationId",
    "at_hash",
    "aud",
    "authenticationType",
    "birthdate",
    "c_hash",
    "email",
    "email_verified",
    "exp",
    "family_name",
    "given_name",
    "iat",
    "iss",
    "jti",
    "middle_name",
    "name",
    "nbf",
    "nonce",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "roles",
    "sub",
]


def document(tx: Tx, base: str, tenant_id: str | None) -> dict[str, Any]:
    """FusionAuth's discovery document for the tenant (the Default one when none or an unknown one is named)."""
    return {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "backchannel_logout_supported": False,
        "claims_supported": list(CLAIMS),
        "device_authorization_endpoint": f"{base}/oauth2/device_authorize",
        "end_session_endpoint": f"{base}/oauth2/logout",
        "frontchannel_logout_supported": True,
        "grant_types_supported": [
            "authorization_code",
            "password",
            "implicit",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code",
        ],
        "id_token_signing_alg_values_supported": list(ALGORITHMS),
        "issuer": tenants_api.issuer_for(tx, tenant_id),
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "response_modes_supported": ["form_post", "fragment", "query"],
        "response_types_supported": ["code", "id_token", "token id_token"],
        "scopes_supported": ["openid", "offline_access"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{base}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "userinfo_endpoint": f"{base}/oauth2/userinfo",
        "userinfo_signing_alg_values_supported": list(ALGORITHMS),
    }
