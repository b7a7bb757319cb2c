"""Every request property FusionAuth documents for an operation we serve is accepted: sent alone on an otherwise
usable request, it never gets FusionAuth's [invalidJSON] ("Unrecognized property" or "Possible conversion error")
nor a 500 (strict mode: the response must fit our own document too). Unknown properties stay rejected.

tests/data/fusionauth_request_properties.json is written by `tools/request_properties.py <official openapi> --write`
(property paths and JSON types derived from FusionAuth's OpenAPI document: `a.b[].c` an array's items, `a.m{}` a
map's values).
"""

from __future__ import annotations

import copy
import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.testing import LiveServer

from .conftest import API_KEY, APP_ID, TENANT_ID, TWITCH_ID, load, tenant_client
from .login_helpers import login_body

PROPERTIES: dict[str, list[dict[str, Any]]] = load("fusionauth_request_properties.json")
AUTH = {"Authorization": API_KEY}
TENANT_AUTH = {**AUTH, "X-FusionAuth-TenantId": TENANT_ID}
PREVENT_LOGIN_ACTION_ID = "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
PASSWORD = "correct horse battery"
# Keys a map sample is put under: some maps are keyed by ids or by FusionAuth's event names.
MAP_KEYS = {
    "applicationConfiguration": APP_ID,
    "tenantConfiguration": TENANT_ID,
    "events": "user.create",
    "endpoints": "/api/user",
    "attributeMappings": "user.firstName",
}
# Strings FusionAuth parses (a random "x" would be accepted by the schema but is not a realistic value).
STRINGS = {
    "birthDate": "2000-01-01",
    "timezone": "America/Denver",
    "preferredLanguages[]": "en",
    # Strings FusionAuth documents a few values for (loginIdTypes: email, phoneNumber, username; two-factor methods).
    "loginIdTypes[]": "email",
    "method": "email",
}

_counter = itertools.count()


def unique(prefix: str = "p") -> str:
    return f"{prefix}{next(_counter)}"


@dataclass
class World:
    """One strict app for the module and the objects the operations act on, created once."""

    client: FlaskClient
    user_id: str
    user_email: str
    application_id: str
    role_id: str
    tenant_id: str
    theme_id: str
    key_id: str
    api_key_id: str
    lambda_id: str


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.data
    return response.get_json()


@pytest.fixture(scope="module")
def world() -> World:
    client = create_app(Config(strict=True)).test_client()
    _ok(client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=AUTH))  # TWITCH_ID
    email = "properties@example.com"
    user = _ok(client.post("/api/user", json={"user": {"email": email, "password": PASSWORD}}, headers=TENANT_AUTH))
    application = _ok(
        client.post("/api/application", json={"application": {"name": "Properties"}}, headers=TENANT_AUTH)
    )["application"]
    role = _ok(
        client.post(f"/api/application/{application['id']}/role", json={"role": {"name": "r"}}, headers=TENANT_AUTH)
    )["role"]
    tenant = _ok(client.post("/api/tenant", json={"tenant": {"name": "Properties"}}, headers=AUTH))["tenant"]
    theme = _ok(client.post("/api/theme", json={"theme": {"name": "Properties"}}, headers=AUTH))["theme"]
    key = _ok(client.post("/api/key/generate", json={"key": {"algorithm": "HS256", "name": "p"}}, headers=AUTH))["key"]
    api_key = _ok(client.post("/api/api-key", json={"apiKey": {}}, headers=AUTH))["apiKey"]
    lambda_ = _ok(client.post("/api/lambda", json=_lambda(), headers=AUTH))["lambda"]
    return World(
        client,
        user["user"]["id"],
        email,
        application["id"],
        role["id"],
        tenant["id"],
        theme["id"],
        key["id"],
        api_key["id"],
        lambda_["id"],
    )


@dataclass
class Case:
    method: str
    url: str
    body: dict[str, Any]
    headers: dict[str, str]
    # What a successful create made, deleted right away (response key, URL with {id}): tenant, application and
    # role writes check names against every other one, and hundreds of them would slow the module down.
    created: tuple[str, str] | None = None


def _new_user() -> dict[str, Any]:
    return {"email": f"{unique('u')}@example.com", "password": PASSWORD}


# operationId → a usable request for it (a fresh one per property: creates need unique names and ids).
CASES: dict[str, Callable[[World], Case]] = {
    # Users and registrations
    "createUser": lambda w: Case("POST", "/api/user", {"user": _new_user()}, TENANT_AUTH),
    "createUserWithId": lambda w: Case("POST", f"/api/user/{uuid.uuid4()}", {"user": _new_user()}, TENANT_AUTH),
    "updateUser": lambda w: Case("PUT", f"/api/user/{w.user_id}", {"user": {"email": w.user_email}}, TENANT_AUTH),
    "patchUser": lambda w: Case("PATCH", f"/api/user/{w.user_id}", {"user": {}}, TENANT_AUTH),
    "deleteUser": lambda w: Case("DELETE", f"/api/user/{uuid.uuid4()}", {}, TENANT_AUTH),
    "registerUserAndRegistration": lambda w: Case(
        "POST", "/api/user/registration", {"user": _new_user(), "registration": {"applicationId": APP_ID}}, TENANT_AUTH
    ),
    "register": lambda w: Case(
        "POST",
        f"/api/user/registration/{uuid.uuid4()}",
        {"user": _new_user(), "registration": {"applicationId": APP_ID}},
        TENANT_AUTH,
    ),
    "actionUser": lambda w: Case(
        "POST",
        "/api/user/action",
        {"action": {"actioneeUserId": w.user_id, "userActionId": PREVENT_LOGIN_ACTION_ID, "expiry": 1}},
        TENANT_AUTH,
    ),
    "changePassword": lambda w: Case("POST", "/api/user/change-password/unknown", {"password": PASSWORD}, {}),
    "verifyEmail": lambda w: Case("POST", "/api/user/verify-email", {"verificationId": "unknown"}, {}),
    "verifyRegistration": lambda w: Case("POST", "/api/user/verify-registration", {"verificationId": "unknown"}, {}),
    # Identity providers and links
    "createIdentityProvider": lambda w: Case("POST", "/api/identity-provider", _provider(), AUTH),
    "createIdentityProviderWithId": lambda w: Case("POST", f"/api/identity-provider/{uuid.uuid4()}", _provider(), AUTH),
    "updateIdentityProvider": lambda w: Case("PUT", f"/api/identity-provider/{TWITCH_ID}", _provider(), AUTH),
    "patchIdentityProvider": lambda w: Case(
        "PATCH", f"/api/identity-provider/{TWITCH_ID}", {"identityProvider": {}}, AUTH
    ),
    "identityProviderLogin": lambda w: Case("POST", "/api/identity-provider/login", login_body(), {}),
    "createUserLink": lambda w: Case(
        "POST",
        "/api/identity-provider/link",
        {
            "identityProviderLink": {
                "identityProviderId": TWITCH_ID,
                "identityProviderUserId": unique("twitch-"),
                "userId": w.user_id,
            }
        },
        TENANT_AUTH,
    ),
    # Login, tokens, two-factor
    "login": lambda w: Case(
        "POST", "/api/login", {"loginId": w.user_email, "password": PASSWORD, "applicationId": APP_ID}, AUTH
    ),
    "logout": lambda w: Case("POST", "/api/logout", {}, {}),
    "exchangeRefreshTokenForJwt": lambda w: Case("POST", "/api/jwt/refresh", {"refreshToken": "unknown"}, {}),
    "twoFactorLogin": lambda w: Case("POST", "/api/two-factor/login", {"twoFactorId": "unknown", "code": "1"}, {}),
    "sendTwoFactorCodeForLogin": lambda w: Case("POST", "/api/two-factor/send/unknown", {"methodId": "m"}, {}),
    "sendTwoFactorCode": lambda w: Case("POST", "/api/two-factor/send", {"method": "email", "email": "a@b.c"}, AUTH),
    "enableTwoFactor": lambda w: Case("POST", f"/api/user/two-factor/{w.user_id}", {"method": "email"}, AUTH),
    "disableTwoFactor": lambda w: Case("DELETE", f"/api/user/two-factor/{w.user_id}", {"methodId": "m"}, AUTH),
    # Applications and roles
    "createApplication": lambda w: Case("POST", "/api/application", _application(), TENANT_AUTH, _APPLICATION),
    "createApplicationWithId": lambda w: Case(
        "POST", f"/api/application/{uuid.uuid4()}", _application(), TENANT_AUTH, _APPLICATION
    ),
    "updateApplication": lambda w: Case(
        "PUT", f"/api/application/{w.application_id}", _application("Properties"), TENANT_AUTH
    ),
    "patchApplication": lambda w: Case(
        "PATCH", f"/api/application/{w.application_id}", {"application": {"roles": [{"name": "r"}]}}, AUTH
    ),
    "createApplicationRole": lambda w: Case(
        "POST", f"/api/application/{w.application_id}/role", _role(unique()), AUTH, _role_of(w)
    ),
    "createApplicationRoleWithId": lambda w: Case(
        "POST", f"/api/application/{w.application_id}/role/{uuid.uuid4()}", _role(unique()), AUTH, _role_of(w)
    ),
    "updateApplicationRole": lambda w: Case(
        "PUT", f"/api/application/{w.application_id}/role/{w.role_id}", _role("r"), AUTH
    ),
    "patchApplicationRole": lambda w: Case(
        "PATCH", f"/api/application/{w.application_id}/role/{w.role_id}", {"role": {}, **_role("r")}, AUTH
    ),
    # Tenants, themes, system configuration
    "createTenant": lambda w: Case("POST", "/api/tenant", {"tenant": {"name": unique()}}, AUTH, _TENANT),
    "createTenantWithId": lambda w: Case(
        "POST", f"/api/tenant/{uuid.uuid4()}", {"tenant": {"name": unique()}}, AUTH, _TENANT
    ),
    "updateTenant": lambda w: Case("PUT", f"/api/tenant/{w.tenant_id}", {"tenant": {"name": "Properties"}}, AUTH),
    "patchTenant": lambda w: Case("PATCH", f"/api/tenant/{w.tenant_id}", {"tenant": {}}, AUTH),
    "deleteTenant": lambda w: Case("DELETE", f"/api/tenant/{uuid.uuid4()}", {}, AUTH),
    "createTheme": lambda w: Case("POST", "/api/theme", {"theme": {"name": unique()}}, AUTH),
    "createThemeWithId": lambda w: Case("POST", f"/api/theme/{uuid.uuid4()}", {"theme": {"name": unique()}}, AUTH),
    "updateTheme": lambda w: Case("PUT", f"/api/theme/{w.theme_id}", {"theme": {"name": "Properties"}}, AUTH),
    "patchTheme": lambda w: Case("PATCH", f"/api/theme/{w.theme_id}", {"theme": {}}, AUTH),
    "updateSystemConfiguration": lambda w: Case("PUT", "/api/system-configuration", {"systemConfiguration": {}}, AUTH),
    "patchSystemConfiguration": lambda w: Case("PATCH", "/api/system-configuration", {"systemConfiguration": {}}, AUTH),
    # Keys and API keys
    "generateKey": lambda w: Case("POST", "/api/key/generate", {"key": {"algorithm": "HS256", "name": unique()}}, AUTH),
    "generateKeyWithId": lambda w: Case(
        "POST", f"/api/key/generate/{uuid.uuid4()}", {"key": {"algorithm": "HS256", "name": unique()}}, AUTH
    ),
    "importKey": lambda w: Case("POST", "/api/key/import", {"key": {"name": unique(), "secret": "c2VjcmV0"}}, AUTH),
    "importKeyWithId": lambda w: Case(
        "POST", f"/api/key/import/{uuid.uuid4()}", {"key": {"name": unique(), "secret": "c2VjcmV0"}}, AUTH
    ),
    "updateKey": lambda w: Case("PUT", f"/api/key/{w.key_id}", {"key": {"name": "p"}}, AUTH),
    "createAPIKey": lambda w: Case("POST", "/api/api-key", {"apiKey": {}}, AUTH),
    "createAPIKeyWithId": lambda w: Case("POST", f"/api/api-key/{uuid.uuid4()}", {"apiKey": {}}, AUTH),
    "updateAPIKey": lambda w: Case("PUT", f"/api/api-key/{w.api_key_id}", {"apiKey": {}}, AUTH),
    "patchAPIKey": lambda w: Case("PATCH", f"/api/api-key/{w.api_key_id}", {"apiKey": {}}, AUTH),
    # Lambdas and event logs
    "createLambda": lambda w: Case("POST", "/api/lambda", _lambda(), AUTH),
    "createLambdaWithId": lambda w: Case("POST", f"/api/lambda/{uuid.uuid4()}", _lambda(), AUTH),
    "updateLambda": lambda w: Case("PUT", f"/api/lambda/{w.lambda_id}", _lambda(), AUTH),
    "patchLambda": lambda w: Case("PATCH", f"/api/lambda/{w.lambda_id}", {"lambda": {"debug": False}}, AUTH),
    "searchLambdas": lambda w: Case("POST", "/api/lambda/search", {"search": {}}, AUTH),
    "searchEventLogs": lambda w: Case("POST", "/api/system/event-log/search", {"search": {}}, AUTH),
}


_TENANT = ("tenant", "/api/tenant/{id}")
_APPLICATION = ("application", "/api/application/{id}?hardDelete=true")


def _application(name: str | None = None) -> dict[str, Any]:
    # With a role: a role sample (roles[].description, …) is added to it, since a role needs a name.
    return {"application": {"name": name or unique(), "roles": [{"name": "r"}]}}


def _lambda() -> dict[str, Any]:
    body = "function populate(jwt, user, registration) {}"
    return {"lambda": {"name": unique("lambda "), "type": "JWTPopulate", "body": body}}


def _role_of(w: World) -> tuple[str, str]:
    return ("role", f"/api/application/{w.application_id}/role/{{id}}")


def _role(name: str) -> dict[str, Any]:
    # The role operations take the whole ApplicationRequest; an application sent along must be valid too.
    return {"role": {"name": name}, "application": {"name": "Properties", "roles": [{"name": "r"}]}}


def _provider() -> dict[str, Any]:
    body = load("seed_twitch_request.json")
    body["identityProvider"]["name"] = unique("Twitch ")  # a named provider gets its own id
    return body


def sample(prop: dict[str, Any]) -> Any:
    """A value of the property's JSON type (a valid enum value, a UUID where FusionAuth wants one)."""
    if prop.get("enum"):
        return prop["enum"][0]
    last = re.sub(r"^.*\.", "", prop["path"])
    kind = prop.get("type")
    if kind == "string":
        if prop.get("format") == "uuid":
            return str(uuid.uuid4())
        if prop.get("format") == "uri":
            return "https://example.com/x"
        return STRINGS.get(last, "x")
    return {"integer": 1, "number": 1.5, "boolean": True, "object": {}, "array": []}.get(kind, "x")


def put(node: Any, tokens: list[str], value: Any, parent: str = "") -> Any:
    """A copy of `node` with `value` at the path `tokens` (names, "[]" one array item, "{}" one map value)."""
    if not tokens:
        return value
    token, rest = tokens[0], tokens[1:]
    if token == "[]":  # an array of one item, built on the base's first item when it has one
        first = node[0] if isinstance(node, list) and node else None
        if not rest and isinstance(first, dict) and isinstance(value, dict):
            value = {**first, **value}
        return [put(copy.deepcopy(first), rest, value, parent)]
    if token == "{}":
        key = MAP_KEYS.get(parent, "k")
        current = node.get(key) if isinstance(node, dict) else None
        return {key: put(copy.deepcopy(current), rest, value, parent)}
    node = dict(node) if isinstance(node, dict) else {}
    current = node.get(token)
    if not rest and isinstance(current, dict) and isinstance(value, dict):
        value = {**current, **value}  # an object sample keeps what the base needs in it
    node[token] = put(current, rest, value, token)
    return node


def with_property(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    return put(copy.deepcopy(body), re.findall(r"\[\]|\{\}|[^.\[\]{}]+", path), value)


def rejected_as_invalid_json(response: Any) -> list[str]:
    """FusionAuth's deserialization errors in an answer: the ones a declared property must never get."""
    if response.status_code == 500:
        return ["500"]
    body = response.get_json(silent=True) or {}
    errors = [e for e in body.get("generalErrors", []) if e.get("code") == "[invalidJSON]"]
    errors += [e for v in body.get("fieldErrors", {}).values() for e in v if e.get("code") == "[invalidJSON]"]
    return [e["message"] for e in errors]


def test_every_operation_in_the_data_has_a_case() -> None:
    assert set(PROPERTIES) == set(CASES)


@pytest.mark.parametrize("operation_id", sorted(PROPERTIES))
def test_every_documented_property_is_accepted(world: World, operation_id: str) -> None:
    failures = {}
    for prop in PROPERTIES[operation_id]:
        case = CASES[operation_id](world)
        body = with_property(case.body, prop["path"], sample(prop))
        response = world.client.open(case.url, method=case.method, json=body, headers=case.headers)
        problems = rejected_as_invalid_json(response)
        if problems:
            failures[prop["path"]] = problems
        if case.created and response.status_code == 200:
            key, url = case.created
            created = response.get_json()[key]["id"]
            assert world.client.delete(url.format(id=created), headers=AUTH).status_code == 200
    assert not failures, failures


@pytest.mark.parametrize(
    ("url", "method", "body", "headers"),
    [
        ("/api/user", "POST", {"user": {"email": "n@example.com", "password": PASSWORD, "shoeSize": 9}}, TENANT_AUTH),
        ("/api/login", "POST", {"loginId": "n@example.com", "password": PASSWORD, "rememberMe": True}, AUTH),
        ("/api/identity-provider/link", "POST", {"identityProviderLink": {"nickname": "x"}}, TENANT_AUTH),
        ("/api/user/action", "POST", {"action": {"colour": "red"}}, TENANT_AUTH),
        ("/api/tenant", "POST", {"tenant": {"name": "n", "jwtConfiguration": {"flavour": "x"}}}, AUTH),
    ],
)
def test_an_undocumented_property_is_still_unrecognized(
    world: World, url: str, method: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    response = world.client.open(url, method=method, json=body, headers=headers)
    assert response.status_code == 400
    messages = [e["message"] for e in response.get_json()["generalErrors"] if e["code"] == "[invalidJSON]"]
    assert messages and all("Unrecognized property" in m for m in messages), response.get_json()


# -- stored and returned where FusionAuth returns them ---------------------------------------------------------


def test_user_fields_are_stored_and_returned_and_event_info_is_not(world: World) -> None:
    group_id = str(uuid.uuid4())
    body = {
        "user": {
            "email": "stored@example.com",
            "password": PASSWORD,
            "phoneNumber": "+15555550100",
            "memberships": [{"groupId": group_id, "data": {"since": 2020}}],
            "registrations": [{"applicationId": APP_ID}],  # read-only on the User API: ignored
            "twoFactor": {"methods": [{"method": "email", "email": "stored@example.com", "authenticator": {}}]},
        },
        "eventInfo": {"ipAddress": "203.0.113.7", "location": {"city": "Denver", "latitude": 39.7}},
    }
    created = _ok(world.client.post("/api/user", json=body, headers=TENANT_AUTH))
    fetched = _ok(world.client.get(f"/api/user/{created['user']['id']}", headers=AUTH))
    for user in (created["user"], fetched["user"]):
        assert user["phoneNumber"] == "+15555550100"
        assert user["memberships"] == [{"groupId": group_id, "data": {"since": 2020}}]
        assert user["registrations"] == []
    assert "eventInfo" not in created and "eventInfo" not in fetched


def test_registration_tokens_are_stored_and_returned(world: World) -> None:
    user_id = str(uuid.uuid4())
    body = {
        "user": {"email": "tokens@example.com", "password": PASSWORD},
        "registration": {"applicationId": APP_ID, "tokens": {"Twitch": "twitch-access-token"}},
        "eventInfo": {"userAgent": "kickstart"},
    }
    created = _ok(world.client.post(f"/api/user/registration/{user_id}", json=body, headers=TENANT_AUTH))
    assert created["registration"]["tokens"] == {"Twitch": "twitch-access-token"}
    fetched = _ok(world.client.get(f"/api/user/{user_id}", headers=AUTH))["user"]
    assert fetched["registrations"][0]["tokens"] == {"Twitch": "twitch-access-token"}


def test_link_fields_fusionauth_fills_in_are_accepted_and_its_own(world: World) -> None:
    body = {
        "identityProviderLink": {
            "identityProviderId": TWITCH_ID,
            "identityProviderUserId": "twitch-filled-in",
            "userId": world.user_id,
            "tenantId": TENANT_ID,
            "identityProviderName": "Not the provider's name",
            "identityProviderType": "Google",
            "insertInstant": 1,
        },
        "eventInfo": {"deviceName": "laptop"},
    }
    link = _ok(world.client.post("/api/identity-provider/link", json=body, headers=TENANT_AUTH))["identityProviderLink"]
    assert link["tenantId"] == TENANT_ID
    provider = _ok(world.client.get(f"/api/identity-provider/{TWITCH_ID}", headers=AUTH))["identityProvider"]
    assert (link["identityProviderType"], link["identityProviderName"]) == ("Twitch", provider["name"])
    assert link["insertInstant"] > 1


def test_action_option_is_stored_and_returned(world: World) -> None:
    body = {
        "action": {"actioneeUserId": world.user_id, "userActionId": PREVENT_LOGIN_ACTION_ID, "option": "1 day"},
        "eventInfo": {"os": "Linux"},
    }
    response = world.client.post("/api/user/action", json=body, headers=TENANT_AUTH)
    assert _ok(response)["action"]["option"] == "1 day"


def test_delete_user_with_a_json_body_hard_deletes(live_clean: LiveServer) -> None:
    # The official client's delete_user_with_request puts hardDelete in a JSON body, not in the query.
    client = tenant_client(live_clean.url)
    created = client.create_user({"user": {"email": "body-delete@example.com", "password": PASSWORD}})
    assert created.was_successful(), created.error_response
    user_id = created.success_response["user"]["id"]
    deleted = client.delete_user_with_request(user_id, {"hardDelete": True, "eventInfo": {"userAgent": "test"}})
    assert deleted.was_successful(), deleted.error_response
    assert client.retrieve_user(user_id).status == 404  # removed, not deactivated
