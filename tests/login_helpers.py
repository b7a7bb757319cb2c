"""Shared setup for the login tests."""

from __future__ import annotations

from typing import Any

import jwt
from flask.testing import FlaskClient

from .conftest import API_KEY, APP_ID, TENANT_ID, TWITCH_ID, load

AUTH = {"Authorization": API_KEY}
# Creating a user needs the tenant once the fixtures hold several tenants (FusionAuth's [TenantIdRequired]).
TENANT_AUTH = {**AUTH, "X-FusionAuth-TenantId": TENANT_ID}
LOGIN = "/api/identity-provider/login"


def make_provider(client: FlaskClient, strategy: str = "LinkByEmail", **changes: Any) -> dict[str, Any]:
    body = load("seed_twitch_request.json")
    body["identityProvider"].update({"linkingStrategy": strategy, **changes})
    response = client.post("/api/identity-provider", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    return response.get_json()["identityProvider"]


def login_body(code: str | None = "twitch-code-richard", token: str | None = None, **extra: Any) -> dict[str, Any]:
    data = {"code": code, "redirect_uri": "https://login.piedpiper.com/oauth2/callback"} if code else {"token": token}
    return {"applicationId": APP_ID, "identityProviderId": TWITCH_ID, "data": data, **extra}


def register_identity(client: FlaskClient, **identity: Any) -> dict[str, Any]:
    response = client.post("/_mock/identities", json={"provider": "twitch", **identity})
    assert response.status_code == 201, response.data
    return response.get_json()


def verify_with_jwks(token: str, jwks: dict[str, Any], audience: str = APP_ID) -> dict[str, Any]:
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id == header["kid"])
    assert header["alg"] == key.algorithm_name  # the JWKS says which algorithm each key signs with
    return jwt.decode(token, key.key, algorithms=[key.algorithm_name], audience=audience)


def state(client: FlaskClient, collection: str) -> dict[str, Any]:
    return client.get("/_mock/state").get_json().get(collection, {})
