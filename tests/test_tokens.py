"""Which key signs an access token (tenant or application `jwtConfiguration`), in which algorithm, and the JWKS."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver.fusionauth.tokens import Unsigned

from .conftest import APP_ID, TENANT_ID
from .login_helpers import LOGIN, login_body, make_provider, verify_with_jwks

RS256_KEY = "0f6a2b7c-5d3e-4f81-9a2b-6c7d8e9f0a1b"
ES256_KEY = "7c1d9e3a-4b5f-4a60-8e21-3f9a0b1c2d4e"
HS256_KEY = "3b9f6c1e-2d7a-4e58-9c0b-8a1f2e3d4c5b"
HS256_SECRET = "mockserver-test-hmac-secret-0123456789abcdef"


def change_state(client: FlaskClient, change: Any) -> None:
    state = client.get("/_mock/state").get_json()
    change(state)
    assert client.put("/_mock/state", json=state).status_code == 200


def use_key(client: FlaskClient, key_id: str) -> None:
    def change(state: dict[str, Any]) -> None:
        state["fusionauth.tenants"][TENANT_ID]["jwtConfiguration"]["accessTokenKeyId"] = key_id

    change_state(client, change)


def log_in(client: FlaskClient) -> dict[str, Any]:
    make_provider(client, "LinkByEmail")
    response = client.post(LOGIN, json=login_body())
    assert response.status_code == 200, response.data
    return response.get_json()


def jwks(client: FlaskClient) -> dict[str, Any]:
    return client.get("/.well-known/jwks.json").get_json()


def test_the_jwks_publishes_the_rsa_and_ec_keys(client: FlaskClient) -> None:
    keys = {k["kid"]: k for k in jwks(client)["keys"]}
    assert keys["mockserver-test-key-1"]["kty"] == "RSA" and keys["mockserver-test-key-1"]["alg"] == "RS256"
    ec = keys["mockserver-test-key-es256"]
    assert (ec["kty"], ec["crv"], ec["alg"], ec["use"]) == ("EC", "P-256", "ES256", "sig")
    assert "d" not in ec and "d" not in keys["mockserver-test-key-1"]  # public halves only


def test_the_tenant_key_signs_by_default(client: FlaskClient) -> None:
    token = log_in(client)["token"]
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert verify_with_jwks(token, jwks(client))["aud"] == APP_ID


def test_an_es256_tenant_key(client: FlaskClient) -> None:
    use_key(client, ES256_KEY)
    body = log_in(client)
    header = jwt.get_unverified_header(body["token"])
    assert (header["alg"], header["kid"], header["typ"]) == ("ES256", "mockserver-test-key-es256", "JWT")
    assert verify_with_jwks(body["token"], jwks(client))["sub"] == body["user"]["id"]
    validated = client.get("/api/jwt/validate", headers={"Authorization": f"Bearer {body['token']}"})
    assert validated.status_code == 200 and validated.get_json()["jwt"]["sub"] == body["user"]["id"]
    refreshed = client.post("/api/jwt/refresh", json={"refreshToken": body["refreshToken"]}).get_json()
    assert jwt.get_unverified_header(refreshed["token"])["alg"] == "ES256"


@pytest.mark.parametrize("enabled", [True, False])
def test_the_application_jwt_configuration_wins_when_enabled(client: FlaskClient, enabled: bool) -> None:
    def change(state: dict[str, Any]) -> None:
        state["fusionauth.applications"][APP_ID]["jwtConfiguration"] = {
            "enabled": enabled,
            "accessTokenKeyId": ES256_KEY,
            "timeToLiveInSeconds": 60,
        }

    change_state(client, change)
    body = log_in(client)
    claims = verify_with_jwks(body["token"], jwks(client))
    assert jwt.get_unverified_header(body["token"])["alg"] == ("ES256" if enabled else "RS256")
    assert claims["exp"] - claims["iat"] == (60 if enabled else 3600)


def test_an_hmac_key_is_never_published(client: FlaskClient) -> None:
    def change(state: dict[str, Any]) -> None:
        state["fusionauth.keys"][HS256_KEY] = {
            "id": HS256_KEY,
            "kid": "mockserver-test-hmac",
            "algorithm": "HS256",
            "secret": HS256_SECRET,
        }
        state["fusionauth.tenants"][TENANT_ID]["jwtConfiguration"]["accessTokenKeyId"] = HS256_KEY

    change_state(client, change)
    token = log_in(client)["token"]
    assert jwt.decode(token, HS256_SECRET, algorithms=["HS256"], audience=APP_ID)["aud"] == APP_ID
    assert "mockserver-test-hmac" not in {k["kid"] for k in jwks(client)["keys"]}
    assert client.get("/api/jwt/validate", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    forged = jwt.encode(
        {"sub": "x", "exp": int(time.time()) + 60},
        "wrong-secret-" * 4,
        algorithm="HS256",
        headers={"kid": "mockserver-test-hmac"},
    )
    assert client.get("/api/jwt/validate", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_the_token_is_signed_after_the_write_transaction(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every login waits for the store's write lock: an RSA signature (~0.9 ms) inside it serialized them all.
    store = app.extensions["mockserver.store"]
    in_transaction: list[bool] = []
    sign = Unsigned.sign

    def watched(self: Unsigned) -> str:
        in_transaction.append(store._conn().in_transaction)
        return sign(self)

    monkeypatch.setattr(Unsigned, "sign", watched)
    body = log_in(client)
    assert in_transaction == [False]
    assert response_cookie(client, "access_token") == body["token"]
    assert verify_with_jwks(body["token"], jwks(client))["sub"] == body["user"]["id"]


def response_cookie(client: FlaskClient, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None
