"""The API Key API, and what an API key may do on every request (endpoint permissions, expiry, tenant lock)."""

from __future__ import annotations

from typing import Any

import requests
from flask.testing import FlaskClient
from fusionauth.fusionauth_client import FusionAuthClient

from mockserver.testing import LiveServer

from .conftest import API_KEY, TENANT_ID

AUTH = {"Authorization": API_KEY}
FIXTURE_KEY_ID = "4ee1d2a9-5b8e-4c43-9a57-0a6d2b1f7e10"
NEW_ID = "2a7c9e1b-3d5f-4a6b-8c9d-0e1f2a3b4c5d"
LIMITED = {"/api/key": ["GET"], "/api/user": ["GET", "POST"]}


def create(client: FlaskClient, api_key: dict[str, Any], key_id: str | None = None, headers: Any = None) -> Any:
    path = f"/api/api-key/{key_id}" if key_id else "/api/api-key"
    return client.post(path, json={"apiKey": api_key}, headers=headers or AUTH)


def created(client: FlaskClient, api_key: dict[str, Any], key_id: str | None = None) -> dict[str, Any]:
    response = create(client, api_key, key_id)
    assert response.status_code == 200, response.data
    return response.get_json()["apiKey"]


def as_key(value: str) -> dict[str, str]:
    return {"Authorization": value}


def codes(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.data
    return {path: [e["code"] for e in errors] for path, errors in response.get_json()["fieldErrors"].items()}


def manager(client: FlaskClient, value: str, **fields: Any) -> None:
    """A key manager stored directly (the API cannot make one, as in FusionAuth)."""
    state = client.get("/_mock/state").get_json()
    state["fusionauth.api-keys"][NEW_ID] = {"id": NEW_ID, "key": value, "keyManager": True, **fields}
    assert client.put("/_mock/state", json=state).status_code == 200


def test_create_with_every_field(client: FlaskClient) -> None:
    body = {
        "key": "super-secret-key",
        "name": "Awesome API Key",
        "metaData": {"attributes": {"description": "my super secret key"}},
        "permissions": {"endpoints": {"/api/application": ["DELETE", "POST", "GET", "PUT", "PATCH"]}},
        "tenantId": TENANT_ID,
        "ipAccessControlListId": "eae37b0e-950b-4e92-abcc-d0b310326f66",
        "expirationInstant": 4102444800000,
        "retrievable": False,
        "keyManager": True,  # not settable through the API: stays false
    }
    key = created(client, body, NEW_ID)
    assert key["id"] == NEW_ID and key["key"] == "super-secret-key" and key["keyManager"] is False
    assert {k: key[k] for k in body if k not in ("keyManager",)} == {k: v for k, v in body.items() if k != "keyManager"}
    assert key["insertInstant"] == key["lastUpdateInstant"]
    # Not retrievable: the value was shown once, on creation.
    again = client.get(f"/api/api-key/{NEW_ID}", headers=AUTH).get_json()["apiKey"]
    assert "key" not in again and again["name"] == "Awesome API Key"


def test_a_generated_value_and_the_defaults(client: FlaskClient) -> None:
    key = created(client, {})
    assert len(key["key"]) >= 64 and key["retrievable"] is True
    assert key["permissions"] == {"endpoints": {}} and key["keyManager"] is False and "tenantId" not in key
    assert client.get("/api/application", headers=as_key(key["key"])).status_code == 200  # a super key


def test_the_fixture_key_answers_in_the_api_shape(client: FlaskClient) -> None:
    key = client.get(f"/api/api-key/{FIXTURE_KEY_ID}", headers=AUTH).get_json()["apiKey"]
    assert key["key"] == API_KEY and key["keyManager"] is True
    assert key["metaData"]["attributes"]["description"].startswith("The default API key")
    assert key["permissions"] == {"endpoints": {}}


def test_create_errors(client: FlaskClient) -> None:
    created(client, {"key": "taken-value", "name": "taken"}, NEW_ID)
    assert codes(create(client, {"key": "taken-value"})) == {"apiKey.key": ["[duplicate]apiKey.key"]}
    assert codes(create(client, {"name": "taken"})) == {"apiKey.name": ["[duplicate]apiKey.name"]}
    assert codes(create(client, {}, NEW_ID)) == {"apiKeyId": ["[duplicate]apiKeyId"]}
    assert codes(create(client, {"retrievable": False})) == {"apiKey.name": ["[blank]apiKey.name"]}
    assert codes(create(client, {"tenantId": NEW_ID})) == {"apiKey.tenantId": ["[invalid]apiKey.tenantId"]}
    response = create(client, {"permissions": {"endpoints": {"/api/user": ["FETCH"]}}})
    assert response.status_code == 400 and "[invalidJSON]" in str(response.get_json())
    response = client.post("/api/api-key", json={"apiKey": {"colour": "red"}}, headers=AUTH)
    assert response.get_json()["generalErrors"][0]["code"] == "[invalidJSON]"
    assert codes(client.post("/api/api-key", headers=AUTH)) == {"apiKey": ["[missing]apiKey"]}


def test_copy_from_a_source_key(client: FlaskClient) -> None:
    source = created(client, {"permissions": {"endpoints": LIMITED}, "tenantId": TENANT_ID})
    response = client.post("/api/api-key", json={"sourceKeyId": source["id"], "apiKey": {"name": "copy"}}, headers=AUTH)
    copy = response.get_json()["apiKey"]
    assert copy["permissions"] == source["permissions"] and copy["tenantId"] == TENANT_ID and copy["name"] == "copy"
    assert copy["key"] != source["key"]
    # A key manager cannot be copied.
    response = client.post("/api/api-key", json={"sourceKeyId": FIXTURE_KEY_ID}, headers=AUTH)
    assert codes(response) == {"sourceKeyId": ["[invalid]sourceKeyId"]}


def test_endpoint_permissions_are_enforced(client: FlaskClient) -> None:
    value = created(client, {"permissions": {"endpoints": LIMITED}})["key"]
    assert client.get("/api/key", headers=as_key(value)).status_code == 200
    # /api/key/{keyId} is the /api/key endpoint too; /api/key/generate is another endpoint.
    assert client.get("/api/key/0f6a2b7c-5d3e-4f81-9a2b-6c7d8e9f0a1b", headers=as_key(value)).status_code == 200
    refused = client.post("/api/key/generate", json={"key": {"algorithm": "HS256", "name": "x"}}, headers=as_key(value))
    assert refused.status_code == 401 and refused.data == b""
    assert (
        client.put("/api/key/0f6a2b7c-5d3e-4f81-9a2b-6c7d8e9f0a1b", json={}, headers=as_key(value)).status_code == 401
    )
    assert client.get("/api/application", headers=as_key(value)).status_code == 401
    # Lower-case methods in the permissions still count.
    lower = created(client, {"permissions": {"endpoints": {"/api/application": ["GET"]}}})["key"]
    assert client.get("/api/application", headers=as_key(lower)).status_code == 200


def test_an_expired_key_gets_401(client: FlaskClient) -> None:
    value = created(client, {"expirationInstant": 1000})["key"]
    assert client.get("/api/key", headers=as_key(value)).status_code == 401
    live = created(client, {"expirationInstant": 4102444800000})["key"]
    assert client.get("/api/key", headers=as_key(live)).status_code == 200


def test_only_a_key_manager_may_call_the_api(client: FlaskClient) -> None:
    value = created(client, {})["key"]  # a super key, but not a key manager
    assert create(client, {}, headers=as_key(value)).status_code == 401
    assert client.get(f"/api/api-key/{FIXTURE_KEY_ID}", headers=as_key(value)).status_code == 401


def test_a_limited_manager_cannot_grant_more_than_it_has(client: FlaskClient) -> None:
    manager(client, "limited-manager", permissions={"endpoints": {"/api/api-key": ["POST", "GET"], **LIMITED}})
    headers = as_key("limited-manager")
    assert create(client, {"permissions": {"endpoints": {"/api/user": ["GET"]}}}, headers=headers).status_code == 200
    assert create(client, {"permissions": {"endpoints": {"/api/user": ["DELETE"]}}}, headers=headers).status_code == 401
    assert create(client, {}, headers=headers).status_code == 401  # a super key is more than it has
    # Nor may it read a key of greater authority.
    assert client.get(f"/api/api-key/{FIXTURE_KEY_ID}", headers=headers).status_code == 401


def test_a_tenant_locked_manager_manages_its_tenant_only(client: FlaskClient) -> None:
    manager(client, "tenant-manager", tenantId=TENANT_ID)
    headers = as_key("tenant-manager")
    key = create(client, {}, headers=headers).get_json()["apiKey"]
    assert key["tenantId"] == TENANT_ID  # locked to the manager's tenant
    other = created(client, {})  # a global key
    assert client.get(f"/api/api-key/{other['id']}", headers=headers).status_code == 404
    assert client.get(f"/api/api-key/{key['id']}", headers=headers).status_code == 200


def test_update_replaces_the_writable_fields(client: FlaskClient) -> None:
    key = created(client, {"key": "v1", "name": "n", "tenantId": TENANT_ID, "expirationInstant": 4102444800000}, NEW_ID)
    body = {"apiKey": {"key": "v2", "name": "renamed", "permissions": {"endpoints": LIMITED}, "tenantId": None}}
    response = client.put(f"/api/api-key/{NEW_ID}", json=body, headers=AUTH)
    assert response.status_code == 400  # tenantId is a UUID, not null
    body["apiKey"].pop("tenantId")
    updated = client.put(f"/api/api-key/{NEW_ID}", json=body, headers=AUTH).get_json()["apiKey"]
    assert updated["name"] == "renamed" and updated["permissions"] == {"endpoints": LIMITED}
    assert updated["key"] == "v1" and updated["tenantId"] == TENANT_ID  # read-only once created
    assert "expirationInstant" not in updated  # omitted on an update: cleared
    assert updated["insertInstant"] == key["insertInstant"]
    assert client.put("/api/api-key/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", json=body, headers=AUTH).status_code == 404


def test_a_change_is_seen_by_the_next_request(client: FlaskClient) -> None:
    value = created(client, {}, NEW_ID)["key"]
    assert client.get("/api/application", headers=as_key(value)).status_code == 200
    body = {"apiKey": {"permissions": {"endpoints": {"/api/key": ["GET"]}}}}
    assert client.put(f"/api/api-key/{NEW_ID}", json=body, headers=AUTH).status_code == 200
    assert client.get("/api/application", headers=as_key(value)).status_code == 401


def test_patch(client: FlaskClient) -> None:
    created(client, {"name": "n", "metaData": {"attributes": {"description": "d"}}}, NEW_ID)
    response = client.patch(f"/api/api-key/{NEW_ID}", json={"apiKey": {"name": "patched"}}, headers=AUTH)
    assert response.status_code == 200, response.data
    key = response.get_json()["apiKey"]
    assert key["name"] == "patched" and key["metaData"] == {"attributes": {"description": "d"}}
    response = client.patch(
        f"/api/api-key/{NEW_ID}",
        json=[{"op": "add", "path": "/apiKey/permissions/endpoints/~1api~1user", "value": ["GET"]}],
        headers={**AUTH, "Content-Type": "application/json-patch+json"},
    )
    assert response.get_json()["apiKey"]["permissions"] == {"endpoints": {"/api/user": ["GET"]}}


def test_delete(client: FlaskClient) -> None:
    value = created(client, {}, NEW_ID)["key"]
    assert client.delete(f"/api/api-key/{NEW_ID}", headers=AUTH).status_code == 200
    assert client.get(f"/api/api-key/{NEW_ID}", headers=AUTH).status_code == 404
    assert client.get("/api/application", headers=as_key(value)).status_code == 401
    # A key cannot delete itself.
    assert codes(client.delete(f"/api/api-key/{FIXTURE_KEY_ID}", headers=AUTH)) == {"apiKeyId": ["[invalid]apiKeyId"]}


def test_story_with_the_official_client(live_clean: LiveServer) -> None:
    admin = FusionAuthClient(API_KEY, live_clean.url)
    rsa = admin.generate_key({"key": {"algorithm": "RS256", "name": "Story RSA", "length": 2048}})
    assert rsa.was_successful(), rsa.error_response
    kid = rsa.success_response["key"]["kid"]
    assert kid in {k["kid"] for k in requests.get(f"{live_clean.url}/.well-known/jwks.json", timeout=5).json()["keys"]}
    hmac = admin.import_key(
        {"key": {"algorithm": "HS256", "name": "Story HMAC", "secret": "story-hmac-secret-0123456789abcdef"}}
    )
    assert hmac.was_successful() and "secret" not in hmac.success_response["key"]
    assert {"Story RSA", "Story HMAC"} <= {k["name"] for k in admin.retrieve_keys().success_response["keys"]}

    made = admin.create_api_key(
        {"apiKey": {"key": "story-limited-key", "permissions": {"endpoints": {"/api/key": ["GET"]}}}}, NEW_ID
    )
    assert made.was_successful(), made.error_response
    limited = FusionAuthClient("story-limited-key", live_clean.url)
    assert limited.retrieve_key(rsa.success_response["key"]["id"]).status == 200
    assert limited.delete_key(hmac.success_response["key"]["id"]).status == 401
    assert admin.retrieve_api_key(NEW_ID).success_response["apiKey"]["key"] == "story-limited-key"

    assert admin.delete_api_key(NEW_ID).status == 200
    assert limited.retrieve_keys().status == 401
