"""Tenant API over HTTP (strict client): defaults, validation, PUT/PATCH, copy, delete with its contents, the
issuer seen by discovery and tokens; one story with the official client."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from fusionauth.fusionauth_client import FusionAuthClient

from mockserver.testing import LiveServer

from .conftest import API_KEY, TENANT_ID

NEW_ID = "7b1d2e3f-1111-4a5b-8c9d-000000000001"
DEFAULT_THEME_ID = "75a068fd-e94b-451a-9aeb-3ddb9a3b5987"


def field_codes(response: Any) -> dict[str, list[str]]:
    return {k: [e["code"] for e in v] for k, v in response.get_json().get("fieldErrors", {}).items()}


def test_create_fills_fusionauth_defaults(client: FlaskClient, auth: dict[str, str]) -> None:
    r = client.post(f"/api/tenant/{NEW_ID}", json={"tenant": {"name": "Games"}}, headers=auth)
    assert r.status_code == 200
    tenant = r.get_json()["tenant"]
    assert tenant["id"] == NEW_ID and tenant["issuer"] == "acme.com" and tenant["themeId"] == DEFAULT_THEME_ID
    assert tenant["emailConfiguration"]["verifyEmail"] is False
    assert tenant["emailConfiguration"]["unverified"]["behavior"] == "Allow"
    jwt = tenant["jwtConfiguration"]
    assert (jwt["timeToLiveInSeconds"], jwt["refreshTokenTimeToLiveInMinutes"]) == (3600, 43200)
    assert (jwt["refreshTokenUsagePolicy"], jwt["refreshTokenExpirationPolicy"]) == ("Reusable", "Fixed")
    default = client.get(f"/api/tenant/{TENANT_ID}", headers=auth).get_json()["tenant"]
    assert jwt["accessTokenKeyId"] == default["jwtConfiguration"]["accessTokenKeyId"]  # signs as the Default tenant
    rules = tenant["passwordValidationRules"]
    assert (rules["minLength"], rules["maxLength"]) == (8, 256)
    assert tenant["externalIdentifierConfiguration"]["authorizationGrantIdTimeToLiveInSeconds"] == 30
    assert client.get(f"/api/tenant/{NEW_ID}", headers=auth).get_json()["tenant"] == tenant
    assert NEW_ID in [t["id"] for t in client.get("/api/tenant", headers=auth).get_json()["tenants"]]


def test_every_declared_request_property_is_accepted(client: FlaskClient, auth: dict[str, str]) -> None:
    body = {
        "tenant": {
            "name": "Full",
            "eventConfiguration": {"events": {"user.create": {"enabled": True, "transactionType": "None"}}},
            "rateLimitConfiguration": {"failedLogin": {"enabled": True, "limit": 3}},
            "webAuthnConfiguration": {"enabled": True},
        },
        "eventInfo": {"userAgent": "kickstart"},
        "webhookIds": [],
    }
    r = client.post("/api/tenant", json=body, headers=auth)
    assert r.status_code == 200
    tenant = r.get_json()["tenant"]
    assert tenant["rateLimitConfiguration"]["failedLogin"] == {"enabled": True, "limit": 3, "timePeriodInSeconds": 60}
    r = client.post("/api/tenant", json={"tenant": {"name": "X", "unknown": 1}}, headers=auth)
    assert r.status_code == 400 and r.get_json()["generalErrors"][0]["code"] == "[invalidJSON]"


def test_validation(client: FlaskClient, auth: dict[str, str]) -> None:
    assert field_codes(client.post("/api/tenant", json={"tenant": {}}, headers=auth)) == {
        "tenant.name": ["[blank]tenant.name"]
    }
    assert field_codes(client.post("/api/tenant", json={}, headers=auth)) == {"tenant": ["[missing]tenant"]}
    assert field_codes(client.post("/api/tenant", json={"tenant": {"name": "Default"}}, headers=auth)) == {
        "tenant.name": ["[duplicate]tenant.name"]
    }
    r = client.post(f"/api/tenant/{TENANT_ID}", json={"tenant": {"name": "Again"}}, headers=auth)
    assert field_codes(r) == {"tenantId": ["[duplicate]tenantId"]}
    r = client.post("/api/tenant", json={"tenant": {"name": "T", "themeId": NEW_ID}}, headers=auth)
    assert field_codes(r) == {"tenant.themeId": ["[invalid]tenant.themeId"]}
    r = client.post(
        "/api/tenant", json={"tenant": {"name": "T", "jwtConfiguration": {"idTokenKeyId": NEW_ID}}}, headers=auth
    )
    assert field_codes(r) == {"tenant.jwtConfiguration.idTokenKeyId": ["[invalid]tenant.jwtConfiguration.idTokenKeyId"]}
    assert client.get(f"/api/tenant/{NEW_ID}", headers=auth).status_code == 404
    assert client.get(f"/api/tenant/{NEW_ID}", headers=auth).data == b""


def test_copy_from_source_tenant(client: FlaskClient, auth: dict[str, str]) -> None:
    client.patch(f"/api/tenant/{TENANT_ID}", json={"tenant": {"issuer": "copied.example"}}, headers=auth)
    r = client.post("/api/tenant", json={"tenant": {"name": "Copy"}, "sourceTenantId": TENANT_ID}, headers=auth)
    assert r.status_code == 200 and r.get_json()["tenant"]["issuer"] == "copied.example"
    r = client.post("/api/tenant", json={"tenant": {"name": "Copy 2"}, "sourceTenantId": NEW_ID}, headers=auth)
    assert field_codes(r) == {"sourceTenantId": ["[invalid]sourceTenantId"]}


def test_put_replaces_and_keeps_identity(client: FlaskClient, auth: dict[str, str]) -> None:
    created = client.post(f"/api/tenant/{NEW_ID}", json={"tenant": {"name": "A", "data": {"x": 1}}}, headers=auth)
    r = client.put(f"/api/tenant/{NEW_ID}", json={"tenant": {"name": "B"}}, headers=auth)
    tenant = r.get_json()["tenant"]
    assert tenant["name"] == "B" and tenant["data"] == {}
    assert tenant["insertInstant"] == created.get_json()["tenant"]["insertInstant"]
    assert client.put(f"/api/tenant/{NEW_ID[:-1]}9", json={"tenant": {"name": "C"}}, headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("content_type", "patch"),
    [
        ("application/json", {"tenant": {"issuer": "https://id.example.com"}}),
        ("application/merge-patch+json", {"tenant": {"issuer": "https://id.example.com"}}),
        (
            "application/json-patch+json",
            [{"op": "replace", "path": "/tenant/issuer", "value": "https://id.example.com"}],
        ),
    ],
)
def test_patched_issuer_is_used_by_discovery(
    client: FlaskClient, auth: dict[str, str], content_type: str, patch: Any
) -> None:
    r = client.patch(f"/api/tenant/{TENANT_ID}", json=patch, headers={**auth, "Content-Type": content_type})
    assert r.status_code == 200 and r.get_json()["tenant"]["issuer"] == "https://id.example.com"
    assert r.get_json()["tenant"]["name"] == "Default"
    discovery = client.get("/.well-known/openid-configuration").get_json()
    assert discovery["issuer"] == "https://id.example.com"


def test_discovery_reads_the_named_tenant(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post(f"/api/tenant/{NEW_ID}", json={"tenant": {"name": "Other", "issuer": "other.example"}}, headers=auth)
    assert client.get(f"/.well-known/openid-configuration?tenantId={NEW_ID}").get_json()["issuer"] == "other.example"
    assert client.get("/.well-known/openid-configuration").get_json()["issuer"] == "acme.com"  # the Default tenant


def test_patch_result_is_validated(client: FlaskClient, auth: dict[str, str]) -> None:
    r = client.patch(f"/api/tenant/{TENANT_ID}", json={"tenant": {"name": ""}}, headers=auth)
    assert field_codes(r) == {"tenant.name": ["[blank]tenant.name"]}


def test_tenant_scoped_request_sees_only_its_tenant(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post(f"/api/tenant/{NEW_ID}", json={"tenant": {"name": "Other"}}, headers=auth)
    scoped = {**auth, "X-FusionAuth-TenantId": NEW_ID}
    assert [t["id"] for t in client.get("/api/tenant", headers=scoped).get_json()["tenants"]] == [NEW_ID]
    assert client.get(f"/api/tenant/{TENANT_ID}", headers=scoped).status_code == 404


def test_delete_removes_its_applications_and_users(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post(f"/api/tenant/{NEW_ID}", json={"tenant": {"name": "Doomed"}}, headers=auth)
    scoped = {**auth, "X-FusionAuth-TenantId": NEW_ID}
    app_id = client.post("/api/application", json={"application": {"name": "A"}}, headers=scoped).get_json()[
        "application"
    ]["id"]
    user = {"user": {"email": "doomed@example.com", "password": "password123"}, "skipVerification": True}
    user_id = client.post("/api/user", json=user, headers=scoped).get_json()["user"]["id"]
    assert client.delete(f"/api/tenant/{NEW_ID}?async=true", headers=auth).status_code == 200
    assert client.get(f"/api/tenant/{NEW_ID}", headers=auth).status_code == 404
    assert client.get(f"/api/application/{app_id}", headers=auth).status_code == 404
    assert client.get(f"/api/user/{user_id}", headers=auth).status_code == 404
    assert client.delete(f"/api/tenant/{NEW_ID}", headers=auth).status_code == 404


def test_delete_with_a_body(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post(f"/api/tenant/{NEW_ID}", json={"tenant": {"name": "Doomed"}}, headers=auth)
    r = client.delete(
        f"/api/tenant/{NEW_ID}", json={"async": False, "eventInfo": {"ipAddress": "1.2.3.4"}}, headers=auth
    )
    assert r.status_code == 200 and client.get(f"/api/tenant/{NEW_ID}", headers=auth).status_code == 404


def test_official_client_story(live_clean: LiveServer) -> None:
    client = FusionAuthClient(API_KEY, live_clean.url)
    created = client.create_tenant({"tenant": {"name": "Client tenant"}}, NEW_ID)
    assert created.was_successful(), created.error_response
    assert NEW_ID in [t["id"] for t in client.retrieve_tenants().success_response["tenants"]]
    patched = client.patch_tenant(NEW_ID, {"tenant": {"issuer": "client.example"}})
    assert patched.success_response["tenant"]["issuer"] == "client.example"
    updated = client.update_tenant(NEW_ID, {"tenant": {"name": "Renamed"}})
    assert updated.success_response["tenant"]["name"] == "Renamed"
    assert client.retrieve_tenant(NEW_ID).success_response["tenant"]["issuer"] == "acme.com"  # PUT replaced it
    assert client.delete_tenant_async(NEW_ID).was_successful()
    assert client.retrieve_tenant(NEW_ID).status == 404
