"""Application API: create (with defaults), retrieve, update, patch, deactivate/reactivate, delete, roles, OAuth
configuration; over HTTP with the strict client, and one story with the official client."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from fusionauth.fusionauth_client import FusionAuthClient

from mockserver.testing import LiveServer

from .conftest import API_KEY, APP_ID, TENANT_ID

NEW_ID = "5a9c1c7e-1111-4d2a-9f0e-000000000001"


@pytest.fixture
def h(auth: dict[str, str]) -> dict[str, str]:
    # The fixtures hold two tenants: creating needs the tenant named.
    return {**auth, "X-FusionAuth-TenantId": TENANT_ID}


def create(client: FlaskClient, h: dict[str, str], body: dict[str, Any], app_id: str | None = None) -> Any:
    url = f"/api/application/{app_id}" if app_id else "/api/application"
    return client.post(url, json=body, headers=h)


def field_codes(response: Any) -> dict[str, list[str]]:
    return {k: [e["code"] for e in v] for k, v in response.get_json().get("fieldErrors", {}).items()}


def test_create_fills_fusionauth_defaults(client: FlaskClient, h: dict[str, str]) -> None:
    r = create(client, h, {"application": {"name": "Game"}}, NEW_ID)
    assert r.status_code == 200
    app = r.get_json()["application"]
    assert app["id"] == NEW_ID and app["tenantId"] == TENANT_ID
    assert app["active"] is True and app["state"] == "Active"
    oauth = app["oauthConfiguration"]
    assert oauth["clientId"] == NEW_ID and len(oauth["clientSecret"]) >= 32
    assert oauth["authorizedRedirectURLs"] == []
    assert oauth["enabledGrants"] == ["authorization_code", "refresh_token"]
    assert (oauth["clientAuthenticationPolicy"], oauth["proofKeyForCodeExchangePolicy"]) == ("Required", "NotRequired")
    assert (oauth["relationship"], oauth["scopeHandlingPolicy"], oauth["unknownScopePolicy"]) == (
        "FirstParty",
        "Strict",
        "Reject",
    )
    assert oauth["logoutBehavior"] == "AllApplications" and oauth["generateRefreshTokens"] is True
    assert app["loginConfiguration"] == {
        "allowTokenRefresh": False,
        "generateRefreshTokens": False,
        "requireAuthentication": True,
    }
    jwt = app["jwtConfiguration"]
    assert (jwt["enabled"], jwt["timeToLiveInSeconds"], jwt["refreshTokenTimeToLiveInMinutes"]) == (False, 3600, 43200)
    assert app["registrationConfiguration"]["enabled"] is False and app["verifyRegistration"] is False
    assert isinstance(app["insertInstant"], int) and app["insertInstant"] == app["lastUpdateInstant"]
    assert client.get(f"/api/application/{NEW_ID}", headers=h).get_json()["application"] == app


def test_roles_as_objects_or_plain_names(client: FlaskClient, h: dict[str, str]) -> None:
    body = {"application": {"name": "Game", "roles": [{"name": "dev", "isDefault": True, "description": "d"}, "admin"]}}
    roles = create(client, h, body).get_json()["application"]["roles"]
    assert [(r["name"], r["isDefault"], r["isSuperRole"]) for r in roles] == [
        ("admin", False, False),
        ("dev", True, False),
    ]
    assert roles[1]["description"] == "d" and all(r["id"] for r in roles)


def test_every_declared_request_property_is_accepted(client: FlaskClient, h: dict[str, str]) -> None:
    body = {
        "application": {
            "name": "Full",
            "samlv2Configuration": {"enabled": False, "logout": {"singleLogout": {"enabled": False}}},
            "webAuthnConfiguration": {"bootstrapWorkflow": {"enabled": True}},
            "oauthConfiguration": {"providedScopePolicy": {"email": {"enabled": False, "required": False}}},
            "registrationDeletePolicy": {"unverified": {"enabled": True, "numberOfDaysToRetain": 3}},
            "data": {"anything": [1, "two"]},
        },
        "eventInfo": {"ipAddress": "10.0.0.1", "location": {"city": "Denver"}},
    }
    r = create(client, h, body)
    assert r.status_code == 200
    app = r.get_json()["application"]
    assert app["registrationDeletePolicy"]["unverified"]["numberOfDaysToRetain"] == 3
    assert app["oauthConfiguration"]["providedScopePolicy"]["email"]["enabled"] is False
    assert app["oauthConfiguration"]["providedScopePolicy"]["profile"]["enabled"] is True  # default kept
    assert app["data"] == {"anything": [1, "two"]}


def test_unknown_property_and_bad_enum_are_rejected(client: FlaskClient, h: dict[str, str]) -> None:
    r = create(client, h, {"application": {"name": "X", "colour": "red"}})
    assert r.status_code == 400 and r.get_json()["generalErrors"][0]["code"] == "[invalidJSON]"
    r = create(client, h, {"application": {"name": "X", "oauthConfiguration": {"logoutBehavior": "Sometimes"}}})
    assert r.status_code == 400 and "application.oauthConfiguration.logoutBehavior" in r.get_json()["fieldErrors"]


def test_validation_errors(client: FlaskClient, h: dict[str, str]) -> None:
    assert field_codes(create(client, h, {"application": {}})) == {"application.name": ["[blank]application.name"]}
    assert field_codes(create(client, h, {"application": {"name": "  "}})) == {
        "application.name": ["[blank]application.name"]
    }
    assert field_codes(create(client, h, {})) == {"application": ["[missing]application"]}
    r = create(client, h, {"application": {"name": "Pied Piper Login"}})  # a fixture application's name
    assert field_codes(r) == {"application.name": ["[duplicate]application.name"]}
    r = create(client, h, {"application": {"name": "New"}}, APP_ID)
    assert field_codes(r) == {"applicationId": ["[duplicate]applicationId"]}
    r = create(client, h, {"application": {"name": "New", "roles": ["a", {"name": "a"}]}})
    assert field_codes(r) == {"application.roles": ["[duplicate]application.roles"]}
    r = create(client, h, {"application": {"name": "New", "jwtConfiguration": {"accessTokenKeyId": NEW_ID}}})
    assert field_codes(r) == {
        "application.jwtConfiguration.accessTokenKeyId": ["[invalid]application.jwtConfiguration.accessTokenKeyId"]
    }


def test_tenant_comes_from_header_body_or_the_only_tenant(client: FlaskClient, auth: dict[str, str]) -> None:
    # Two tenants in the fixtures: without a tenant the request is ambiguous.
    r = client.post("/api/application", json={"application": {"name": "X"}}, headers=auth)
    assert r.status_code == 400 and r.get_json()["generalErrors"][0]["code"] == "[TenantIdRequired]"
    r = client.post("/api/application", json={"application": {"name": "X", "tenantId": TENANT_ID}}, headers=auth)
    assert r.status_code == 200 and r.get_json()["application"]["tenantId"] == TENANT_ID
    r = client.post("/api/application", json={"application": {"name": "Y", "tenantId": NEW_ID}}, headers=auth)
    assert field_codes(r) == {"application.tenantId": ["[invalid]application.tenantId"]}


def test_same_name_in_another_tenant_is_allowed(client: FlaskClient, auth: dict[str, str]) -> None:
    other_id = "d6c1e3a5-2b4f-4c7d-8e9a-0b1c2d3e4f50"  # the fixtures' second tenant
    r = client.post(
        "/api/application",
        json={"application": {"name": "Pied Piper Login"}},
        headers={**auth, "X-FusionAuth-TenantId": other_id},
    )
    assert r.status_code == 200
    # ... and a request scoped to that tenant does not see the Default tenant's applications.
    scoped = {**auth, "X-FusionAuth-TenantId": other_id}
    assert client.get(f"/api/application/{APP_ID}", headers=scoped).status_code == 404
    listed = client.get("/api/application", headers=scoped).get_json()["applications"]
    assert "Pied Piper Login" in [a["name"] for a in listed] and {a["tenantId"] for a in listed} == {other_id}


def test_retrieve_unknown_is_an_empty_404(client: FlaskClient, auth: dict[str, str]) -> None:
    r = client.get(f"/api/application/{NEW_ID}", headers=auth)
    assert r.status_code == 404 and r.data == b""
    assert client.get(f"/api/application/{APP_ID}").status_code == 401  # an API key is needed


def test_fixture_application_is_returned_complete(client: FlaskClient, auth: dict[str, str]) -> None:
    app = client.get(f"/api/application/{APP_ID}", headers=auth).get_json()["application"]
    assert app["oauthConfiguration"]["clientId"] == APP_ID
    again = client.get(f"/api/application/{APP_ID}", headers=auth).get_json()["application"]
    assert again["oauthConfiguration"]["clientSecret"] == app["oauthConfiguration"]["clientSecret"]  # stable
    assert app["loginConfiguration"]["generateRefreshTokens"] is True  # the fixture's own value wins


def test_put_replaces_but_keeps_roles_secret_and_tenant(client: FlaskClient, h: dict[str, str]) -> None:
    created = create(client, h, {"application": {"name": "Game", "roles": ["dev"]}}, NEW_ID).get_json()["application"]
    body = {"application": {"name": "Game 2", "roles": ["other"], "data": {"a": 1}}}
    r = client.put(f"/api/application/{NEW_ID}", json=body, headers=h)
    assert r.status_code == 200
    app = r.get_json()["application"]
    assert app["name"] == "Game 2" and app["data"] == {"a": 1}
    assert [x["name"] for x in app["roles"]] == ["dev"]
    assert app["oauthConfiguration"]["clientSecret"] == created["oauthConfiguration"]["clientSecret"]
    assert app["insertInstant"] == created["insertInstant"]
    body = {"application": {"name": "Game 2", "oauthConfiguration": {"clientSecret": "a-new-secret"}}}
    r = client.put(f"/api/application/{NEW_ID}", json=body, headers=h)
    assert r.get_json()["application"]["oauthConfiguration"]["clientSecret"] == "a-new-secret"
    assert client.put(f"/api/application/{NEW_ID}", json={}, headers=h).status_code == 400
    r = client.put(f"/api/application/{NEW_ID[:-1]}9", json=body, headers=h)
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("content_type", "patch"),
    [
        ("application/json", {"application": {"oauthConfiguration": {"authorizedRedirectURLs": ["http://x/cb"]}}}),
        (
            "application/merge-patch+json",
            {"application": {"oauthConfiguration": {"authorizedRedirectURLs": ["http://x/cb"]}}},
        ),
        (
            "application/json-patch+json",
            [{"op": "add", "path": "/application/oauthConfiguration/authorizedRedirectURLs/-", "value": "http://x/cb"}],
        ),
    ],
)
def test_patch_in_the_three_modes(client: FlaskClient, h: dict[str, str], content_type: str, patch: Any) -> None:
    create(client, h, {"application": {"name": "Game"}}, NEW_ID)
    r = client.patch(f"/api/application/{NEW_ID}", json=patch, headers={**h, "Content-Type": content_type})
    assert r.status_code == 200, r.get_json()
    app = r.get_json()["application"]
    assert app["oauthConfiguration"]["authorizedRedirectURLs"] == ["http://x/cb"]
    assert app["name"] == "Game"


def test_patch_result_is_validated(client: FlaskClient, h: dict[str, str]) -> None:
    create(client, h, {"application": {"name": "Game"}}, NEW_ID)
    r = client.patch(f"/api/application/{NEW_ID}", json={"application": {"name": ""}}, headers=h)
    assert field_codes(r) == {"application.name": ["[blank]application.name"]}
    r = client.patch(
        f"/api/application/{NEW_ID}",
        json={"application": {"bogus": 1}},
        headers={**h, "Content-Type": "application/merge-patch+json"},
    )
    assert r.status_code == 400 and r.get_json()["generalErrors"][0]["code"] == "[invalidJSON]"


def test_deactivate_list_inactive_reactivate(client: FlaskClient, h: dict[str, str]) -> None:
    create(client, h, {"application": {"name": "Game"}}, NEW_ID)
    assert client.delete(f"/api/application/{NEW_ID}", headers=h).status_code == 200
    app = client.get(f"/api/application/{NEW_ID}", headers=h).get_json()["application"]
    assert (app["active"], app["state"]) == (False, "Inactive")
    active = [a["id"] for a in client.get("/api/application", headers=h).get_json()["applications"]]
    inactive = [a["id"] for a in client.get("/api/application?inactive=true", headers=h).get_json()["applications"]]
    assert NEW_ID not in active and inactive == [NEW_ID]
    r = client.put(f"/api/application/{NEW_ID}?reactivate=true", headers=h)
    assert r.status_code == 200 and r.get_json()["application"]["active"] is True
    assert NEW_ID in [a["id"] for a in client.get("/api/application", headers=h).get_json()["applications"]]


def test_hard_delete_removes_the_registrations(client: FlaskClient, h: dict[str, str]) -> None:
    create(client, h, {"application": {"name": "Game", "roles": ["dev"]}}, NEW_ID)
    body = {
        "user": {"email": "hard@example.com", "password": "password123"},
        "registration": {"applicationId": NEW_ID, "roles": ["dev"]},
    }
    user_id = client.post("/api/user/registration", json=body, headers=h).get_json()["user"]["id"]
    assert client.delete(f"/api/application/{NEW_ID}?hardDelete=true", headers=h).status_code == 200
    assert client.get(f"/api/application/{NEW_ID}", headers=h).status_code == 404
    user = client.get(f"/api/user/{user_id}", headers=h).get_json()["user"]
    assert all(r["applicationId"] != NEW_ID for r in user.get("registrations", []))
    assert client.delete(f"/api/application/{NEW_ID}", headers=h).status_code == 404


def test_copy_from_source_application(client: FlaskClient, h: dict[str, str]) -> None:
    source = client.get(f"/api/application/{APP_ID}", headers=h).get_json()["application"]
    r = create(client, h, {"application": {"name": "Copy"}, "sourceApplicationId": APP_ID})
    copy = r.get_json()["application"]
    assert copy["name"] == "Copy" and copy["id"] != APP_ID
    assert [x["name"] for x in copy["roles"]] == [x["name"] for x in source["roles"]]
    assert {x["id"] for x in copy["roles"]}.isdisjoint({x["id"] for x in source["roles"]})
    assert copy["oauthConfiguration"]["clientSecret"] != source["oauthConfiguration"]["clientSecret"]
    assert copy["oauthConfiguration"]["clientId"] == copy["id"]
    r = create(client, h, {"application": {"name": "Copy 2"}, "sourceApplicationId": NEW_ID})
    assert field_codes(r) == {"sourceApplicationId": ["[invalid]sourceApplicationId"]}


def test_role_operations(client: FlaskClient, h: dict[str, str]) -> None:
    create(client, h, {"application": {"name": "Game"}}, NEW_ID)
    base = f"/api/application/{NEW_ID}/role"
    r = client.post(base, json={"role": {"name": "dev", "description": "Developers"}}, headers=h)
    assert r.status_code == 200
    role = r.get_json()["role"]
    assert (role["name"], role["isDefault"], role["isSuperRole"]) == ("dev", False, False)
    role_id = "5a9c1c7e-2222-4d2a-9f0e-000000000002"
    r = client.post(f"{base}/{role_id}", json={"role": {"name": "admin", "isSuperRole": True}}, headers=h)
    assert r.get_json()["role"]["id"] == role_id
    assert field_codes(client.post(base, json={"role": {"name": "dev"}}, headers=h)) == {
        "role.name": ["[duplicate]role.name"]
    }
    assert field_codes(client.post(base, json={}, headers=h)) == {"role": ["[missing]role"]}
    r = client.put(f"{base}/{role_id}", json={"role": {"name": "boss", "isDefault": True}}, headers=h)
    assert (r.get_json()["role"]["name"], r.get_json()["role"]["isSuperRole"]) == ("boss", False)
    r = client.patch(f"{base}/{role_id}", json={"role": {"description": "The boss"}}, headers=h)
    assert (r.get_json()["role"]["name"], r.get_json()["role"]["description"]) == ("boss", "The boss")
    app = client.get(f"/api/application/{NEW_ID}", headers=h).get_json()["application"]
    assert [x["name"] for x in app["roles"]] == ["boss", "dev"]
    assert client.delete(f"{base}/{role_id}", headers=h).status_code == 200
    assert client.delete(f"{base}?name=dev", headers=h).status_code == 200
    assert client.get(f"/api/application/{NEW_ID}", headers=h).get_json()["application"]["roles"] == []
    assert client.delete(f"{base}/{role_id}", headers=h).status_code == 404
    missing = f"/api/application/{NEW_ID[:-1]}9/role"
    assert client.post(missing, json={"role": {"name": "x"}}, headers=h).status_code == 404


def test_oauth_configuration_secret_only_with_an_api_key(client: FlaskClient, h: dict[str, str]) -> None:
    create(client, h, {"application": {"name": "Game"}}, NEW_ID)
    public = client.get(f"/api/application/{NEW_ID}/oauth-configuration")
    assert public.status_code == 200
    body = public.get_json()
    assert body["oauthConfiguration"]["clientId"] == NEW_ID and "clientSecret" not in body["oauthConfiguration"]
    assert body["httpSessionMaxInactiveInterval"] == 3600
    keyed = client.get(f"/api/application/{NEW_ID}/oauth-configuration", headers=h).get_json()
    assert keyed["oauthConfiguration"]["clientSecret"]
    assert client.get(f"/api/application/{NEW_ID[:-1]}9/oauth-configuration").status_code == 404


def test_official_client_story(live_clean: LiveServer) -> None:
    client = FusionAuthClient(API_KEY, live_clean.url)
    tenant = client.create_tenant({"tenant": {"name": "Story tenant"}})
    assert tenant.was_successful(), tenant.error_response
    tenant_id = tenant.success_response["tenant"]["id"]
    client.set_tenant_id(tenant_id)
    created = client.create_application(
        {"application": {"name": "Story", "roles": [{"name": "dev", "isDefault": True}, "admin"]}}
    )
    assert created.was_successful(), created.error_response
    app_id = created.success_response["application"]["id"]
    assert created.success_response["application"]["tenantId"] == tenant_id
    listed = client.retrieve_applications()
    assert [a["id"] for a in listed.success_response["applications"]] == [app_id]
    patched = client.patch_application(app_id, {"application": {"data": {"level": 3}}})
    assert patched.success_response["application"]["data"] == {"level": 3}
    role = client.create_application_role(app_id, {"role": {"name": "qa"}})
    assert role.success_response["role"]["name"] == "qa"
    assert client.deactivate_application(app_id).was_successful()
    assert client.retrieve_inactive_applications().success_response["applications"][0]["id"] == app_id
    assert client.reactivate_application(app_id).success_response["application"]["active"] is True
    oauth = client.retrieve_oauth_configuration(app_id).success_response
    assert oauth["oauthConfiguration"]["clientId"] == app_id
    assert client.delete_application(app_id).was_successful()
    assert client.retrieve_application(app_id).status == 404
    assert client.delete_tenant(tenant_id).was_successful()


def test_an_empty_patch_is_rejected(client: FlaskClient, h: dict[str, str]) -> None:
    r = client.patch(f"/api/application/{APP_ID}", json={}, headers=h)
    assert r.status_code == 400 and "application" in r.get_json()["fieldErrors"]


def test_create_with_an_id_that_is_no_uuid_is_404(client: FlaskClient, h: dict[str, str]) -> None:
    assert client.post("/api/application/null,null", json={"application": {"name": "X"}}, headers=h).status_code == 404
