"""The Key API: generate, import, retrieve, rename, delete; what the JWKS publishes; which key signs."""

from __future__ import annotations

import base64
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask.testing import FlaskClient

from mockserver.fusionauth.keys import default_keys, public_view

from .conftest import API_KEY, TENANT_ID
from .login_helpers import LOGIN, login_body, make_provider, verify_with_jwks

AUTH = {"Authorization": API_KEY}
RS256_KEY = "0f6a2b7c-5d3e-4f81-9a2b-6c7d8e9f0a1b"  # the fixtures' tenant signing key
NEW_ID = "5e0b8f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b"
PRIVATE_FIELDS = {"privateKey", "secret"}
SECRET = "a-shared-secret-of-at-least-32-bytes"


def generate(client: FlaskClient, key: dict[str, Any], key_id: str | None = None) -> Any:
    path = f"/api/key/generate/{key_id}" if key_id else "/api/key/generate"
    return client.post(path, json={"key": key}, headers=AUTH)


def import_(client: FlaskClient, key: dict[str, Any], key_id: str | None = None) -> Any:
    path = f"/api/key/import/{key_id}" if key_id else "/api/key/import"
    return client.post(path, json={"key": key}, headers=AUTH)


def field_codes(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.data
    return {path: [e["code"] for e in errors] for path, errors in response.get_json()["fieldErrors"].items()}


def pem_private(private: Any) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


def pem_public(private: Any) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def set_tenant_key(client: FlaskClient, key_id: str) -> None:
    state = client.get("/_mock/state").get_json()
    state["fusionauth.tenants"][TENANT_ID]["jwtConfiguration"]["accessTokenKeyId"] = key_id
    assert client.put("/_mock/state", json=state).status_code == 200


def login_token(client: FlaskClient) -> str:
    make_provider(client, "LinkByEmail")
    response = client.post(LOGIN, json=login_body())
    assert response.status_code == 200, response.data
    return response.get_json()["token"]


@pytest.mark.parametrize(
    ("algorithm", "length", "kty", "expected_length"),
    [("RS256", 2048, "RSA", 2048), ("RS512", 3072, "RSA", 3072), ("ES256", None, "EC", 256), ("ES512", 521, "EC", 521)],
)
def test_generate_a_key_pair(
    client: FlaskClient, algorithm: str, length: int | None, kty: str, expected_length: int
) -> None:
    request: dict[str, Any] = {"algorithm": algorithm, "name": f"{algorithm} key"}
    if length:
        request["length"] = length
    response = generate(client, request, NEW_ID)
    assert response.status_code == 200, response.data
    key = response.get_json()["key"]
    assert key["id"] == NEW_ID and key["type"] == kty and key["algorithm"] == algorithm
    assert key["length"] == expected_length and key["hasPrivateKey"] is True
    assert key["publicKey"].startswith("-----BEGIN PUBLIC KEY-----")
    assert key["issuer"] == "acme.com"  # the default tenant's issuer
    assert key["certificateInformation"]["subject"] == "CN=acme.com"
    assert key["expirationInstant"] == key["certificateInformation"]["validTo"]
    assert len(key["kid"]) == 10 and not PRIVATE_FIELDS & key.keys()
    # Its public half is in the JWKS straight away, with its certificate.
    jwk = next(k for k in client.get("/.well-known/jwks.json").get_json()["keys"] if k["kid"] == key["kid"])
    assert jwk["kty"] == kty and jwk["alg"] == algorithm and jwk["use"] == "sig"
    der = base64.b64decode(jwk["x5c"][0])
    assert der and jwk["x5t#S256"] == key["certificateInformation"]["sha256Thumbprint"]


def test_generate_with_a_given_kid_and_issuer(client: FlaskClient) -> None:
    response = generate(client, {"algorithm": "ES384", "name": "k", "kid": "my-kid", "issuer": "example.com"})
    key = response.get_json()["key"]
    assert (key["kid"], key["issuer"], key["length"]) == ("my-kid", "example.com", 384)


def test_generate_an_hmac_key_never_shows_its_secret(client: FlaskClient) -> None:
    response = generate(client, {"algorithm": "HS384", "name": "hmac"})
    assert response.status_code == 200
    key = response.get_json()["key"]
    # FusionAuth omits every public-part field for HMAC keys, and never returns the secret.
    assert set(key) == {"id", "algorithm", "kid", "type", "name", "insertInstant", "lastUpdateInstant"}
    assert key["type"] == "HMAC"
    assert key["kid"] not in {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    stored = client.get("/_mock/state").get_json()["fusionauth.keys"][key["id"]]
    assert len(base64.b64decode(stored["secret"])) == 48


@pytest.mark.parametrize(
    ("request_key", "codes"),
    [
        ({"algorithm": "RS256", "name": " ", "length": 2048}, {"key.name": ["[blank]key.name"]}),
        ({"name": "x"}, {"key.algorithm": ["[missing]key.algorithm"]}),
        ({"algorithm": "RS256", "name": "x"}, {"key.length": ["[missing]key.length"]}),
        ({"algorithm": "RS256", "name": "x", "length": 1024}, {"key.length": ["[invalid]key.length"]}),
        ({"algorithm": "ES256", "name": "x", "length": 384}, {"key.length": ["[invalid]key.length"]}),
        ({"algorithm": "Ed25519", "name": "x"}, {"key.algorithm": ["[invalid]key.algorithm"]}),
    ],
)
def test_generate_errors(client: FlaskClient, request_key: dict[str, Any], codes: dict[str, list[str]]) -> None:
    assert field_codes(generate(client, request_key)) == codes


def test_generate_rejects_an_unknown_algorithm_and_property(client: FlaskClient) -> None:
    response = generate(client, {"algorithm": "XX256", "name": "x"})
    assert response.status_code == 400
    assert response.get_json()["fieldErrors"]["key.algorithm"][0]["code"] == "[invalidJSON]"
    response = generate(client, {"algorithm": "RS256", "name": "x", "length": 2048, "colour": "red"})
    assert response.get_json()["generalErrors"][0]["code"] == "[invalidJSON]"
    assert client.post("/api/key/generate", headers=AUTH).get_json()["fieldErrors"]["key"][0]["code"] == "[missing]key"


def test_duplicate_name_id_and_kid(client: FlaskClient) -> None:
    assert generate(client, {"algorithm": "ES256", "name": "one", "kid": "k1"}, NEW_ID).status_code == 200
    assert field_codes(generate(client, {"algorithm": "ES256", "name": "one"})) == {"key.name": ["[duplicate]key.name"]}
    assert field_codes(generate(client, {"algorithm": "ES256", "name": "two"}, NEW_ID)) == {
        "keyId": ["[duplicate]keyId"]
    }
    assert field_codes(import_(client, {"name": "three", "secret": "s3cret", "kid": "k1"})) == {
        "key.kid": ["[duplicate]key.kid"]
    }


def test_import_an_hmac_secret(client: FlaskClient) -> None:
    response = import_(client, {"name": "shared", "algorithm": "HS256", "secret": SECRET}, NEW_ID)
    assert response.status_code == 200, response.data
    key = response.get_json()["key"]
    assert key["type"] == "HMAC" and "secret" not in key
    # An access token signed with it verifies with the secret as FusionAuth's HMAC keys do.
    set_tenant_key(client, NEW_ID)
    token = login_token(client)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "kid": key["kid"], "typ": "JWT"}
    jwt.decode(token, SECRET.encode(), algorithms=["HS256"], options={"verify_aud": False})


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_import_a_key_pair_signs_tokens(client: FlaskClient, kind: str) -> None:
    private = rsa.generate_private_key(65537, 2048) if kind == "rsa" else ec.generate_private_key(ec.SECP384R1())
    response = import_(
        client, {"name": "imported", "privateKey": pem_private(private), "publicKey": pem_public(private)}, NEW_ID
    )
    assert response.status_code == 200, response.data
    key = response.get_json()["key"]
    assert key["algorithm"] == ("RS256" if kind == "rsa" else "ES384")  # inferred
    assert key["hasPrivateKey"] is True and key["publicKey"] == pem_public(private)
    assert "privateKey" not in key and "certificate" not in key
    set_tenant_key(client, NEW_ID)
    token = login_token(client)
    claims = jwt.decode(token, private.public_key(), algorithms=[key["algorithm"]], options={"verify_aud": False})
    assert claims["tid"] == TENANT_ID
    assert client.get("/api/jwt/validate", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_public_key_only_verifies(client: FlaskClient) -> None:
    private = rsa.generate_private_key(65537, 2048)
    response = import_(client, {"name": "verify only", "publicKey": pem_public(private), "kid": "partner"})
    assert response.status_code == 200, response.data
    key = response.get_json()["key"]
    assert key["hasPrivateKey"] is False and key["length"] == 2048
    # Published, and tokens signed by its holder validate…
    assert "partner" in {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    claims = {"sub": NEW_ID, "exp": 4102444800, "iat": 1, "iss": "acme.com", "jti": NEW_ID, "tid": TENANT_ID}
    token = jwt.encode(claims, private, algorithm="RS256", headers={"kid": "partner"})
    assert client.get("/api/jwt/validate", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # …but it never signs: a tenant naming it keeps signing with a key that has a private part.
    set_tenant_key(client, key["id"])
    assert jwt.get_unverified_header(login_token(client))["kid"] != "partner"


def test_import_a_certificate(client: FlaskClient) -> None:
    generated = generate(client, {"algorithm": "RS256", "name": "source", "length": 2048}).get_json()["key"]
    response = import_(client, {"name": "from certificate", "certificate": generated["certificate"]})
    assert response.status_code == 200, response.data
    key = response.get_json()["key"]
    assert key["publicKey"] == generated["publicKey"] and key["hasPrivateKey"] is False
    assert key["certificateInformation"]["sha256Thumbprint"] == generated["certificateInformation"]["sha256Thumbprint"]
    assert key["issuer"] == "CN=acme.com"


@pytest.mark.parametrize(
    ("request_key", "codes"),
    [
        ({"name": "x", "publicKey": "not a key"}, {"key.publicKey": ["[invalid]key.publicKey"]}),
        (
            {"name": "x", "privateKey": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
            {"key.privateKey": ["[invalid]key.privateKey"]},
        ),
        ({"name": "x", "certificate": "garbage"}, {"key.certificate": ["[invalid]key.certificate"]}),
        ({"name": "x"}, {"key.publicKey": ["[missing]key.publicKey"]}),
        ({"name": "x", "algorithm": "HS256"}, {"key.secret": ["[blank]key.secret"]}),
        ({"name": "x", "algorithm": "RS256", "secret": "s"}, {"key.algorithm": ["[invalid]key.algorithm"]}),
    ],
)
def test_import_errors(client: FlaskClient, request_key: dict[str, Any], codes: dict[str, list[str]]) -> None:
    assert field_codes(import_(client, request_key)) == codes


def test_import_a_mismatched_pair_or_algorithm(client: FlaskClient) -> None:
    one, two = rsa.generate_private_key(65537, 2048), rsa.generate_private_key(65537, 2048)
    mismatched = {"name": "x", "privateKey": pem_private(one), "publicKey": pem_public(two)}
    assert field_codes(import_(client, mismatched)) == {"key.publicKey": ["[invalid]key.publicKey"]}
    wrong = {"name": "x", "algorithm": "ES256", "publicKey": pem_public(one)}
    assert field_codes(import_(client, wrong)) == {"key.algorithm": ["[invalid]key.algorithm"]}
    small = rsa.generate_private_key(65537, 1024)
    assert field_codes(import_(client, {"name": "x", "privateKey": pem_private(small)})) == {
        "key.length": ["[invalid]key.length"]
    }
    # 1024 bits is accepted to verify signatures only.
    assert import_(client, {"name": "x", "publicKey": pem_public(small)}).status_code == 200


def test_retrieve_all_and_one(client: FlaskClient) -> None:
    keys = client.get("/api/key", headers=AUTH).get_json()["keys"]
    assert RS256_KEY in {k["id"] for k in keys}
    assert all(not PRIVATE_FIELDS & k.keys() for k in keys)
    one = client.get(f"/api/key/{RS256_KEY}", headers=AUTH).get_json()["key"]
    assert one["hasPrivateKey"] is True and one["type"] == "RSA" and one["length"] == 2048
    missing = client.get(f"/api/key/{NEW_ID}", headers=AUTH)
    assert missing.status_code == 404 and missing.data == b""
    assert client.get("/api/key").status_code == 401


def test_update_changes_the_name_only(client: FlaskClient) -> None:
    before = client.get(f"/api/key/{RS256_KEY}", headers=AUTH).get_json()["key"]
    response = client.put(
        f"/api/key/{RS256_KEY}", json={"key": {"name": "renamed", "algorithm": "ES256", "kid": "other"}}, headers=AUTH
    )
    assert response.status_code == 200, response.data
    after = response.get_json()["key"]
    assert after["name"] == "renamed"
    assert {k: v for k, v in after.items() if k not in ("name", "lastUpdateInstant")} == {
        k: v for k, v in before.items() if k not in ("name", "lastUpdateInstant")
    }
    generate(client, {"algorithm": "ES256", "name": "taken"})
    assert field_codes(client.put(f"/api/key/{RS256_KEY}", json={"key": {"name": "taken"}}, headers=AUTH)) == {
        "key.name": ["[duplicate]key.name"]
    }
    assert client.put(f"/api/key/{NEW_ID}", json={"key": {"name": "n"}}, headers=AUTH).status_code == 404


def test_delete(client: FlaskClient) -> None:
    generate(client, {"algorithm": "ES256", "name": "doomed"}, NEW_ID)
    assert client.delete(f"/api/key/{NEW_ID}", headers=AUTH).status_code == 200
    assert client.get(f"/api/key/{NEW_ID}", headers=AUTH).status_code == 404
    assert client.delete(f"/api/key/{NEW_ID}", headers=AUTH).status_code == 404


def test_a_key_in_use_cannot_be_deleted(client: FlaskClient) -> None:
    response = client.delete(f"/api/key/{RS256_KEY}", headers=AUTH)
    assert field_codes(response) == {"keyId": ["[inUse]keyId"]}
    assert "jwtConfiguration.accessTokenKeyId" in response.get_json()["fieldErrors"]["keyId"][0]["message"]
    assert client.get(f"/api/key/{RS256_KEY}", headers=AUTH).status_code == 200


def test_a_generated_es256_key_signs_the_tenant_tokens(client: FlaskClient) -> None:
    key = generate(client, {"algorithm": "ES256", "name": "tenant key"}).get_json()["key"]
    set_tenant_key(client, key["id"])
    token = login_token(client)
    assert jwt.get_unverified_header(token)["kid"] == key["kid"]
    claims = verify_with_jwks(token, client.get("/.well-known/jwks.json").get_json())
    assert claims["iss"] == "acme.com"


def test_a_tenant_locked_key_cannot_use_the_key_api(client: FlaskClient) -> None:
    body = {"apiKey": {"key": "tenant-locked-key-value", "tenantId": TENANT_ID}}
    assert client.post("/api/api-key", json=body, headers=AUTH).status_code == 200
    response = client.get("/api/key", headers={"Authorization": "tenant-locked-key-value"})
    assert response.status_code == 401 and response.data == b""


def test_default_keys_are_a_fresh_install_s() -> None:
    keys = default_keys()
    assert [k["algorithm"] for k in keys] == ["RS256", "HS256"]
    assert keys[1]["id"] == "092dbedc-30af-4149-9c61-b578f2c72f59"
    assert keys[0]["privateKey"].startswith("-----BEGIN PRIVATE KEY-----") and keys[1]["secret"]
    assert public_view(keys[0])["issuer"] == "acme.com" and "secret" not in public_view(keys[1])
    assert default_keys()[0]["kid"] != keys[0]["kid"]  # fresh every time
