"""Complete the Twitch login: linking strategies and user state, every outcome, tokens (Flask test client)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver.fusionauth.collections import APPLICATIONS, LOGINS, REFRESH_TOKENS

from .conftest import APP_ID, EMAIL_APP_ID, TWITCH_ID
from .login_helpers import (
    AUTH,
    LOGIN,
    TENANT_AUTH,
    login_body,
    make_provider,
    register_identity,
    state,
    verify_with_jwks,
)

VERIFIED_APP = "0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80"
PREVENT_LOGIN = "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
HARD_LOCK = "2f3e4d5c-6b7a-4899-8a1b-2c3d4e5f6a7b"


def login(client: FlaskClient, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post(LOGIN, json=body or login_body(), headers=headers)


def codes(response: Any) -> dict[str, list[str]]:
    body = response.get_json()
    found = {k: [e["code"] for e in v] for k, v in body.get("fieldErrors", {}).items()}
    if body.get("generalErrors"):
        found["general"] = [e["code"] for e in body["generalErrors"]]
    return found


def logged_in_user(client: FlaskClient, **provider: Any) -> dict[str, Any]:
    make_provider(client, **provider)
    response = login(client)
    assert response.status_code == 200
    return response.get_json()["user"]


# -- linking strategies ---------------------------------------------------------------------------
def test_create_pending_link_gives_232_and_no_user(client: FlaskClient) -> None:
    make_provider(client, "CreatePendingLink")
    response = login(client)
    assert response.status_code == 232
    assert set(response.get_json()) == {"pendingIdPLinkId"}
    assert state(client, "fusionauth.users") == {} and state(client, "fusionauth.links") == {}
    pending = client.get(f"/api/identity-provider/link/pending/{response.get_json()['pendingIdPLinkId']}", headers=AUTH)
    assert pending.get_json()["pendingIdPLink"]["identityProviderUserId"] == "4242"


def test_pending_link_completed_then_login_is_200(client: FlaskClient) -> None:
    make_provider(client, "CreatePendingLink")
    pending_id = login(client).get_json()["pendingIdPLinkId"]
    user = client.post(
        "/api/user",
        json={"user": {"email": "rich@piedpiper.com", "password": "password123"}, "skipVerification": True},
        headers=TENANT_AUTH,
    ).get_json()["user"]
    linked = client.post(
        "/api/identity-provider/link",
        headers=AUTH,
        json={"pendingIdPLinkId": pending_id, "identityProviderLink": {"userId": user["id"]}},
    )
    assert linked.status_code == 200
    assert linked.get_json()["identityProviderLink"]["displayName"] == "richard"
    response = login(client)
    assert response.status_code == 200
    assert response.get_json()["user"]["id"] == user["id"]
    again = client.post(
        "/api/identity-provider/link",
        headers=AUTH,
        json={"pendingIdPLinkId": pending_id, "identityProviderLink": {"userId": user["id"]}},
    )
    assert codes(again) == {"pendingIdPLinkId": ["[invalid]pendingIdPLinkId"]}


def test_disabled_strategy_and_no_link_give_empty_404(client: FlaskClient) -> None:
    make_provider(client, "Disabled")
    response = login(client)
    assert (response.status_code, response.data) == (404, b"")
    make_provider_patch = client.patch(
        f"/api/identity-provider/{TWITCH_ID}", headers=AUTH, json={"identityProvider": {"enabled": False}}
    )
    assert make_provider_patch.status_code == 200


def test_no_link_flag_gives_404_even_for_creating_strategies(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    response = login(client, login_body(noLink=True))
    assert (response.status_code, response.data) == (404, b"")
    assert state(client, "fusionauth.users") == {}


def test_link_by_email_creates_then_reuses_the_user(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    first = login(client).get_json()["user"]
    assert (first["email"], first["username"], first["verified"]) == ("richard@example.com", "richard", True)
    second = login(client).get_json()["user"]
    assert second["id"] == first["id"]
    links = client.get(f"/api/identity-provider/link?userId={first['id']}", headers=AUTH).get_json()
    [link] = links["identityProviderLinks"]
    assert link["displayName"] == "richard" and link["token"].startswith("twitch-refresh-")  # Twitch's refresh_token
    assert link["lastLoginInstant"] >= link["insertInstant"]


def test_link_by_email_links_an_existing_user(client: FlaskClient) -> None:
    existing = client.post(
        "/api/user",
        headers=TENANT_AUTH,
        json={"user": {"email": "Richard@Example.com", "password": "password123"}, "skipVerification": True},
    ).get_json()["user"]
    make_provider(client, "LinkByEmail")
    assert login(client).get_json()["user"]["id"] == existing["id"]


def test_link_by_email_for_existing_user_requires_one(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmailForExistingUser")
    response = login(client)
    assert response.status_code == 401
    assert codes(response) == {"general": ["[ExternalAuthenticationException]UserDoesNotExistByEmail"]}
    assert state(client, "fusionauth.users") == {}


def test_link_by_username_strategies(client: FlaskClient) -> None:
    make_provider(client, "LinkByUsernameForExistingUser")
    assert codes(login(client)) == {"general": ["[ExternalAuthenticationException]UserDoesNotExistByUsername"]}
    client.put(
        f"/api/identity-provider/{TWITCH_ID}",
        headers=AUTH,
        json={"identityProvider": {**make_body("LinkByUsernameForExistingUser"), "enabled": False}},
    )
    client.put(
        f"/api/identity-provider/{TWITCH_ID}", headers=AUTH, json={"identityProvider": make_body("LinkByUsername")}
    )
    user = login(client, login_body("twitch-code-nomail")).get_json()["user"]
    assert user["username"] == "nomail" and "email" not in user


def make_body(strategy: str) -> dict[str, Any]:
    from .conftest import load

    body = load("seed_twitch_request.json")["identityProvider"]
    body["linkingStrategy"] = strategy
    return body


def test_link_anonymously_ignores_email_and_username(client: FlaskClient) -> None:
    make_provider(client, "LinkAnonymously")
    user = login(client).get_json()["user"]
    assert "email" not in user and "username" not in user


@pytest.mark.parametrize(
    "code,reason",
    [
        ("twitch-code-nomail", "MissingEmail"),
        ("twitch-code-unverified", "UnverifiedEmail"),
    ],
)
def test_email_problems_are_401(client: FlaskClient, code: str, reason: str) -> None:
    make_provider(client, "LinkByEmail")
    response = login(client, login_body(code))
    assert response.status_code == 401
    assert codes(response) == {"general": [f"[ExternalAuthenticationException]{reason}"]}


def test_missing_username_is_401(client: FlaskClient) -> None:
    register_identity(client, id="8080", email="x@example.com", email_verified=True, code="c-8080")
    make_provider(client, "LinkByUsername")
    assert codes(login(client, login_body("c-8080"))) == {
        "general": ["[ExternalAuthenticationException]MissingUsername"]
    }


def test_existing_user_already_linked(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    assert login(client).status_code == 200
    register_identity(
        client, id="9999", username="richard2", email="richard@example.com", email_verified=True, code="c-9999"
    )
    response = login(client, login_body("c-9999"))
    assert codes(response) == {"general": ["[ExternalAuthenticationException]ExistingUserAlreadyLinked"]}


# -- upstream -------------------------------------------------------------------------------------
def test_bad_and_reused_codes_and_tokens(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    assert codes(login(client, login_body("nope"))) == {"general": ["[ExternalAuthenticationException]TwitchToken"]}
    assert login(client, login_body("twitch-code-onetime")).status_code == 200
    reused = login(client, login_body("twitch-code-onetime"))  # single use, like Twitch's codes
    assert codes(reused) == {"general": ["[ExternalAuthenticationException]TwitchToken"]}
    assert login(client, login_body(None, token="twitch-token-onetime")).status_code == 200
    bad = login(client, login_body(None, token="nope"))
    assert codes(bad) == {"general": ["[ExternalAuthenticationException]TwitchUserInfo"]}


def test_token_login_stores_the_token_in_the_link(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    user = login(client, login_body(None, token="twitch-token-richard")).get_json()["user"]
    link = client.get(
        f"/api/identity-provider/link?identityProviderId={TWITCH_ID}&identityProviderUserId=4242&userId={user['id']}",
        headers=AUTH,
    ).get_json()["identityProviderLink"]
    assert link["token"] == "twitch-token-richard"


# -- request validation ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change,expected",
    [
        ({"applicationId": None}, {"applicationId": ["[missing]applicationId"]}),
        ({"applicationId": "00000000-0000-0000-0000-000000000abc"}, {"applicationId": ["[invalid]applicationId"]}),
        ({"identityProviderId": "00000000-0000-0000-0000-000000000abc"}, {"general": ["[InvalidIdentityProviderId]"]}),
        ({"data": {"code": "x"}}, {"data.redirect_uri": ["[missing]data.redirect_uri"]}),
        ({"data": {}}, {"data.code": ["[missing]data.code_or_token"], "data.token": ["[missing]data.code_or_token"]}),
    ],
)
def test_login_validation(client: FlaskClient, change: dict[str, Any], expected: dict[str, list[str]]) -> None:
    make_provider(client, "LinkByEmail")
    body = {**login_body(), **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = login(client, body)
    assert response.status_code == 400
    assert codes(response) == expected


def test_disabled_provider_is_invalid(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail", enabled=False)
    assert codes(login(client)) == {"general": ["[InvalidIdentityProviderId]"]}


# -- user state -----------------------------------------------------------------------------------
def patch_user(client: FlaskClient, user_id: str, changes: dict[str, Any]) -> None:
    response = client.patch(f"/api/user/{user_id}", json={"user": changes}, headers=AUTH)
    assert response.status_code == 200, response.data


def test_two_factor_methods_give_242_before_change_password(client: FlaskClient) -> None:
    user = logged_in_user(client)
    patch_user(
        client,
        user["id"],
        {
            "passwordChangeRequired": True,
            "twoFactor": {"methods": [{"method": "email", "email": "richard@example.com"}]},
        },
    )
    response = login(client)
    assert response.status_code == 242
    body = response.get_json()
    assert set(body) == {"twoFactorId", "methods"}
    assert body["methods"][0]["method"] == "email" and len(body["methods"][0]["id"]) == 4


def test_password_change_required_gives_203(client: FlaskClient) -> None:
    user = logged_in_user(client)
    patch_user(client, user["id"], {"passwordChangeRequired": True})
    response = login(client)
    assert response.status_code == 203
    assert response.get_json()["changePasswordReason"] == "Administrative"
    assert set(response.get_json()) == {"changePasswordId", "changePasswordReason"}


def test_not_registered_and_no_create_registration_gives_202(
    client: FlaskClient,
) -> None:
    make_provider(client, "LinkByEmail", applicationConfiguration={APP_ID: {"createRegistration": False}})
    response = login(client)
    assert response.status_code == 202
    body = response.get_json()
    assert body["user"]["registrations"] == [] and "refreshToken" not in body
    claims = verify_with_jwks(body["token"], client.get("/.well-known/jwks.json").get_json())
    assert "applicationId" not in claims and "roles" not in claims


def test_unverified_registration_gives_213(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    response = login(client, {**login_body(), "applicationId": VERIFIED_APP})
    assert response.status_code == 213
    assert response.get_json()["registrationVerificationId"]
    assert response.get_json()["user"]["registrations"][0]["verified"] is False


def test_unverified_email_gives_212(client: FlaskClient) -> None:
    make_provider(client, "LinkByUsername")
    # The Default tenant does not verify emails (as a fresh install): the demo tenant's application does.
    assert login(client, login_body("twitch-code-unverified")).status_code == 200
    response = login(client, login_body("twitch-code-unverified", applicationId=EMAIL_APP_ID))
    assert response.status_code == 212
    assert response.get_json()["emailVerificationId"]
    assert response.get_json()["user"]["verified"] is False


def test_prevent_login_action_gives_409(client: FlaskClient) -> None:
    user = logged_in_user(client)
    taken = client.post(
        "/api/user/action",
        headers=AUTH,
        json={"action": {"actioneeUserId": user["id"], "userActionId": PREVENT_LOGIN, "reasonId": HARD_LOCK}},
    )
    assert taken.status_code == 200
    response = login(client)
    assert response.status_code == 409
    [action] = response.get_json()["actions"]
    assert action["reasonCode"] == "hard_lock" and action["localizedReason"] == "Hard Lock"
    assert action["actionId"] == taken.get_json()["action"]["id"]


def test_expired_action_no_longer_prevents_login(client: FlaskClient) -> None:
    user = logged_in_user(client)
    client.post(
        "/api/user/action",
        headers=AUTH,
        json={
            "action": {
                "actioneeUserId": user["id"],
                "userActionId": PREVENT_LOGIN,
                "expiry": int(time.time() * 1000) - 1,
            }
        },
    )
    assert login(client).status_code == 200


def test_expired_user_gives_empty_410(client: FlaskClient) -> None:
    user = logged_in_user(client)
    patch_user(client, user["id"], {"expiry": int(time.time() * 1000) - 1000})
    response = login(client)
    assert (response.status_code, response.data) == (410, b"")


# -- success details ------------------------------------------------------------------------------
def test_200_tokens_claims_and_cookies(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    response = login(client)
    body = response.get_json()
    claims = verify_with_jwks(body["token"], client.get("/.well-known/jwks.json").get_json())
    now = int(time.time())
    assert abs(claims["iat"] - now) <= 2 and claims["exp"] == claims["iat"] + 3600  # seconds
    assert body["tokenExpirationInstant"] == claims["exp"] * 1000  # milliseconds
    assert claims["authenticationType"] == "Twitch" and claims["sub"] == body["user"]["id"]
    assert claims["applicationId"] == APP_ID and claims["roles"] == ["user"] and claims["sid"] == body["refreshTokenId"]
    assert claims["email"] == "richard@example.com" and claims["preferred_username"] == "richard"
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert "access_token=" in cookies and "refresh_token=" in cookies and "HttpOnly" in cookies
    validated = client.get("/api/jwt/validate", headers={"Authorization": f"Bearer {body['token']}"})
    assert validated.get_json()["jwt"]["sub"] == body["user"]["id"]
    assert client.get("/api/jwt/validate", headers={"Authorization": "Bearer abc.def.ghi"}).status_code == 401
    refreshed = client.post("/api/jwt/refresh", json={"refreshToken": body["refreshToken"]})
    assert refreshed.status_code == 200 and refreshed.get_json()["refreshTokenId"] == body["refreshTokenId"]
    assert client.post("/api/jwt/refresh", json={"refreshToken": "nope"}).status_code == 404


def test_no_jwt(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    response = login(client, login_body(noJWT=True))
    assert response.status_code == 200
    assert "token" not in response.get_json() and "refreshToken" not in response.get_json()
    assert response.headers.getlist("Set-Cookie") == []


def test_refresh_tokens_only_when_the_application_enables_them(client: FlaskClient) -> None:
    store = client.application.extensions["mockserver.store"]
    with store.write() as tx:
        app = tx.get(APPLICATIONS, APP_ID)
        app["loginConfiguration"]["generateRefreshTokens"] = False
        tx.put(APPLICATIONS, APP_ID, app)
    make_provider(client, "LinkByEmail")
    body = login(client).get_json()
    assert "refreshToken" not in body and "token" in body


def test_ip_address_and_device_are_recorded(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    device = {"name": "Richard's phone", "type": "MOBILE"}
    login(client, login_body(metaData={"device": device}), **{"X-Forwarded-For": "10.0.0.7, 10.0.0.1"})
    login(client, login_body(ipAddress="192.168.1.42"), **{"X-Forwarded-For": "10.0.0.7"})
    records = sorted(state(client, LOGINS).values(), key=lambda r: r["instant"])
    assert {r["ipAddress"] for r in records} == {"10.0.0.7", "192.168.1.42"}  # the body wins over the header
    assert any(t["metaData"].get("device") == device for t in state(client, REFRESH_TOKENS).values())


def test_a_failed_login_leaves_nothing_behind(client: FlaskClient) -> None:
    user = logged_in_user(client)
    patch_user(client, user["id"], {"expiry": int(time.time() * 1000) - 1000})
    register_identity(
        client, id="4343", username="second", email="second@example.com", email_verified=True, code="c-4343"
    )
    before = client.get("/_mock/state").get_json()
    make_expired = login(client, login_body("c-4343"))
    assert make_expired.status_code == 200  # a different, fresh user is fine
    users_before = len(before["fusionauth.users"])
    assert codes(login(client, login_body("nope"))) == {"general": ["[ExternalAuthenticationException]TwitchToken"]}
    assert len(state(client, "fusionauth.users")) == users_before + 1


# -- Prefer ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [202, 203, 212, 213, 242, 409])
def test_prefer_forces_state_consistent_bodies(client: FlaskClient, status: int) -> None:
    make_provider(client, "LinkByEmail")
    response = login(client, Prefer=f"code={status}")
    assert response.status_code == status  # strict mode checked the body against the schema


def test_prefer_232_creates_a_real_pending_link(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    pending_id = login(client, Prefer="code=232").get_json()["pendingIdPLinkId"]
    assert client.get(f"/api/identity-provider/link/pending/{pending_id}", headers=AUTH).status_code == 200


def test_prefer_204_is_empty(client: FlaskClient) -> None:
    response = login(client, Prefer="code=204")
    assert (response.status_code, response.data) == (204, b"")


@pytest.mark.parametrize(
    "status,empty", [(404, True), (410, True), (500, True), (503, False), (504, False), (401, False), (400, False)]
)
def test_prefer_forces_errors(client: FlaskClient, status: int, empty: bool) -> None:
    response = login(client, {"anything": "goes"}, Prefer=f"code={status}")
    assert response.status_code == status
    assert (response.data == b"") is empty


def test_prefer_undocumented_code_is_a_clear_400(client: FlaskClient) -> None:
    response = login(client, Prefer="code=418")
    assert response.status_code == 400
    assert "documented: 200, 202, 203" in response.get_json()["generalErrors"][0]["message"]


def test_prefer_works_on_other_operations(client: FlaskClient) -> None:
    response = client.get(f"/api/identity-provider/{TWITCH_ID}", headers={**AUTH, "Prefer": "code=500"})
    assert (response.status_code, response.data) == (500, b"")
    missing = client.get(f"/api/identity-provider/{TWITCH_ID}", headers={**AUTH, "Prefer": "code=200"})
    assert missing.status_code == 400 and "gives 404" in missing.get_json()["generalErrors"][0]["message"]
