"""POST /api/login (the Login API): every status, its precedence, the optional API key, tokens and cookies."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient

from .conftest import API_KEY, APP_ID, TENANT_ID

AUTH = {"Authorization": API_KEY, "X-FusionAuth-TenantId": TENANT_ID}
TENANT = {"X-FusionAuth-TenantId": TENANT_ID}
VERIFIED_APP = "0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80"  # fixture application with verifyRegistration
PREVENT_LOGIN = "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
EMAIL = "richard@piedpiper.com"


def make_user(client: FlaskClient, register: str | None = APP_ID, **fields: Any) -> dict[str, Any]:
    user = {"email": EMAIL, "password": "password", **fields}
    if register is None:
        response = client.post("/api/user", json={"user": user, "skipVerification": True}, headers=AUTH)
    else:
        body = {"user": user, "registration": {"applicationId": register}, "skipVerification": True}
        response = client.post("/api/user/registration", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    return response.get_json()["user"]


def login(client: FlaskClient, headers: dict[str, str] | None = None, **body: Any) -> Any:
    request = {"loginId": EMAIL, "password": "password", "applicationId": APP_ID, **body}
    request = {k: v for k, v in request.items() if v is not None}
    return client.post("/api/login", json=request, headers=AUTH if headers is None else headers)


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def change_state(client: FlaskClient, collection: str, doc_id: str, **changes: Any) -> None:
    state = client.get("/_mock/state").get_json()
    state[collection][doc_id].update(changes)
    for name in [k for k, v in changes.items() if v is None]:  # None removes the field
        del state[collection][doc_id][name]
    assert client.put("/_mock/state", json=state).status_code == 200


# -- success ----------------------------------------------------------------------------------------


def test_login_gives_tokens_and_cookies(client: FlaskClient) -> None:
    user = make_user(client)
    response = login(client)
    assert response.status_code == 200, response.data
    body = response.get_json()
    assert body["user"]["id"] == user["id"] and "password" not in body["user"]
    assert body["refreshToken"] and body["refreshTokenId"]  # the application generates refresh tokens
    token = claims(body["token"])
    assert token["authenticationType"] == "PASSWORD"
    assert token["aud"] == APP_ID and token["applicationId"] == APP_ID and token["roles"] == ["user"]
    assert token["sid"] == body["refreshTokenId"] and token["sub"] == user["id"]
    assert body["tokenExpirationInstant"] == token["exp"] * 1000
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith(f"access_token={body['token']};") and "HttpOnly" in c for c in cookies)
    assert any(c.startswith(f"refresh_token={body['refreshToken']};") for c in cookies)
    assert client.get("/api/user/" + user["id"], headers=AUTH).get_json()["user"]["lastLoginInstant"] > 0


def test_login_by_username_and_login_id_types(client: FlaskClient) -> None:
    make_user(client, username="richard")
    assert login(client, loginId="richard").status_code == 200
    assert login(client, loginId="RICHARD@PIEDPIPER.COM").status_code == 200
    assert login(client, loginId="richard", loginIdTypes=["email"]).status_code == 404
    assert login(client, loginId="richard", loginIdTypes=["email", "username"]).status_code == 200
    bad = login(client, loginIdTypes=["fax"])
    assert bad.status_code == 400 and bad.get_json()["fieldErrors"]["loginIdTypes.0"]


def test_no_refresh_token_without_generate_refresh_tokens(client: FlaskClient) -> None:
    make_user(client)
    change_state(client, "fusionauth.applications", APP_ID, loginConfiguration={"generateRefreshTokens": False})
    body = login(client).get_json()
    assert body["token"] and "refreshToken" not in body and "sid" not in claims(body["token"])


def test_without_an_application_the_token_has_no_audience(client: FlaskClient) -> None:
    make_user(client, register=None)
    response = login(client, applicationId=None, headers=TENANT)  # no application: no API key needed
    assert response.status_code == 200, response.data
    token = claims(response.get_json()["token"])
    assert "aud" not in token and "applicationId" not in token and "roles" not in token
    assert "refreshToken" not in response.get_json()


def test_not_registered_is_202(client: FlaskClient) -> None:
    make_user(client, register=None)
    response = login(client)
    assert response.status_code == 202
    token = claims(response.get_json()["token"])
    assert token["aud"] == APP_ID and "applicationId" not in token and "roles" not in token
    # The Login API never registers the user.
    assert client.get(f"/api/user?email={EMAIL}", headers=AUTH).get_json()["user"]["registrations"] == []


def test_no_jwt_gives_neither_tokens_nor_cookies(client: FlaskClient) -> None:
    make_user(client)
    response = login(client, noJWT=True)
    assert response.status_code == 200
    assert set(response.get_json()) == {"user"} and not response.headers.getlist("Set-Cookie")


def test_every_declared_request_property_is_accepted(client: FlaskClient) -> None:
    make_user(client)
    response = login(
        client,
        ipAddress="10.1.2.3",
        metaData={"device": {"name": "laptop", "type": "BROWSER", "description": "d"}, "scopes": ["a"]},
        eventInfo={"ipAddress": "10.1.2.3", "userAgent": "pytest", "location": {"city": "Palo Alto"}},
        newDevice=True,
        botDetectionScore=0.5,
        twoFactorTrustId="unknown",
        loginIdTypes=["email"],
    )
    assert response.status_code == 200, response.data
    login_record = next(iter(client.get("/_mock/state").get_json()["fusionauth.logins"].values()))
    assert login_record["ipAddress"] == "10.1.2.3" and login_record["device"]["name"] == "laptop"
    unknown = login(client, bogus=True)
    assert unknown.status_code == 400
    assert "Unrecognized property" in unknown.get_json()["generalErrors"][0]["message"]


# -- failures ---------------------------------------------------------------------------------------


def test_unknown_user_and_wrong_password_are_the_same_empty_404(client: FlaskClient) -> None:
    make_user(client)
    for response in (login(client, loginId="nobody@piedpiper.com"), login(client, password="wrong-password")):
        assert response.status_code == 404 and response.data == b""


def test_a_user_without_a_password_cannot_log_in(client: FlaskClient) -> None:
    body = {"user": {"email": EMAIL}, "sendSetPasswordEmail": True, "skipVerification": True}
    assert client.post("/api/user", json=body, headers=AUTH).status_code == 200
    assert login(client, password="anything").status_code == 404


def test_blank_login_id_and_password(client: FlaskClient) -> None:
    response = client.post("/api/login", json={"applicationId": APP_ID}, headers=AUTH)
    assert response.status_code == 400
    errors = response.get_json()["fieldErrors"]
    assert errors["loginId"][0]["code"] == "[blank]loginId" and errors["password"][0]["code"] == "[blank]password"


def test_the_api_key_is_required_by_default_when_an_application_is_named(client: FlaskClient) -> None:
    make_user(client)
    missing = login(client, headers=TENANT)
    assert missing.status_code == 401 and missing.data == b""
    wrong = login(client, headers={**TENANT, "Authorization": "not-a-key"})
    assert wrong.status_code == 401 and wrong.data == b""
    wrong_without_app = login(client, applicationId=None, headers={**TENANT, "Authorization": "not-a-key"})
    assert wrong_without_app.status_code == 401
    change_state(
        client,
        "fusionauth.applications",
        APP_ID,
        loginConfiguration={"requireAuthentication": False, "generateRefreshTokens": True},
    )
    assert login(client, headers=TENANT).status_code == 200


def test_an_unknown_application_is_a_400(client: FlaskClient) -> None:
    make_user(client)
    response = login(client, applicationId="3c219e58-ed0e-4b18-ad48-000000000000")
    assert response.status_code == 400
    assert response.get_json()["fieldErrors"]["applicationId"][0]["code"] == "[invalid]applicationId"


def test_deactivated_user_is_423(client: FlaskClient) -> None:
    user = make_user(client)
    assert client.delete(f"/api/user/{user['id']}", headers=AUTH).status_code == 200  # soft delete
    response = login(client)
    assert response.status_code == 423 and response.data == b""
    assert login(client, password="wrong-password").status_code == 404  # the password is checked first


def test_expired_user_is_410(client: FlaskClient) -> None:
    user = make_user(client)
    change_state(client, "fusionauth.users", user["id"], expiry=int(time.time() * 1000) - 1000)
    response = login(client)
    assert response.status_code == 410 and response.data == b""


def test_prevent_login_action_is_409(client: FlaskClient) -> None:
    user = make_user(client)
    action = {"action": {"actioneeUserId": user["id"], "userActionId": PREVENT_LOGIN}}
    assert client.post("/api/user/action", json=action, headers=AUTH).status_code == 200
    response = login(client)
    assert response.status_code == 409
    assert response.get_json()["actions"][0]["name"] == "Prevent Login Action"


def test_password_change_required_is_203_and_the_id_works(client: FlaskClient) -> None:
    make_user(client, passwordChangeRequired=True, passwordChangeReason="Expired")
    response = login(client)
    assert response.status_code == 203
    body = response.get_json()
    assert body["changePasswordReason"] == "Expired"
    changed = client.post(f"/api/user/change-password/{body['changePasswordId']}", json={"password": "password2"})
    assert changed.status_code == 200
    assert login(client, password="password2").status_code == 200


def test_one_time_password_logs_in_once(client: FlaskClient) -> None:
    make_user(client, passwordChangeRequired=True)
    change_id = login(client).get_json()["changePasswordId"]
    one_time = client.post(f"/api/user/change-password/{change_id}", json={"password": "password2"}).get_json()
    request = {"oneTimePassword": one_time["oneTimePassword"], "applicationId": APP_ID}
    first = client.post("/api/login", json=request, headers=AUTH)
    assert first.status_code == 200, first.data
    assert claims(first.get_json()["token"])["authenticationType"] == "ONE_TIME_PASSWORD"
    assert client.post("/api/login", json=request, headers=AUTH).status_code == 404


def test_unverified_email_is_212(client: FlaskClient) -> None:
    change_state(
        client,
        "fusionauth.tenants",
        TENANT_ID,
        emailConfiguration={"verifyEmail": True, "verificationStrategy": "FormField"},
    )
    body = {"user": {"email": EMAIL, "password": "password"}, "registration": {"applicationId": APP_ID}}
    assert client.post("/api/user/registration", json=body, headers=AUTH).status_code == 200
    response = login(client)
    assert response.status_code == 212
    assert response.get_json()["emailVerificationId"] and response.get_json()["token"]


def test_unverified_registration_is_213(client: FlaskClient) -> None:
    make_user(client, register=VERIFIED_APP)
    response = login(client, applicationId=VERIFIED_APP)
    assert response.status_code == 213 and response.get_json()["registrationVerificationId"]


def test_two_factor_is_242_then_completes_with_the_mailed_code(client: FlaskClient) -> None:
    make_user(client, twoFactor={"methods": [{"method": "email", "email": EMAIL}]})
    response = login(client)
    assert response.status_code == 242
    pending = response.get_json()
    assert set(pending) == {"twoFactorId", "methods"} and pending["methods"][0]["method"] == "email"
    sent = client.post(f"/api/two-factor/send/{pending['twoFactorId']}", json={"methodId": pending["methods"][0]["id"]})
    assert sent.status_code == 200
    code = client.get("/_mock/messages", query_string={"to": EMAIL}).get_json()["messages"][0]["data"]["code"]
    done = client.post(
        "/api/two-factor/login", json={"twoFactorId": pending["twoFactorId"], "code": code, "trustComputer": True}
    )
    assert done.status_code == 200, done.data
    body = done.get_json()
    assert claims(body["token"])["authenticationType"] == "PASSWORD" and body["refreshToken"]
    # The trust id skips the second factor next time; without it, 242 again.
    assert login(client, twoFactorTrustId=body["twoFactorTrustId"]).status_code == 200
    assert login(client).status_code == 242


def test_precedence_two_factor_before_change_password_before_202(client: FlaskClient) -> None:
    make_user(
        client, register=None, passwordChangeRequired=True, twoFactor={"methods": [{"method": "email", "email": EMAIL}]}
    )
    assert login(client).status_code == 242
    user_id = client.get(f"/api/user?email={EMAIL}", headers=AUTH).get_json()["user"]["id"]
    change_state(client, "fusionauth.users", user_id, twoFactor=None)
    assert login(client).status_code == 203


# -- Prefer: code=NNN -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [202, 203, 212, 213, 242])
def test_forced_successes_follow_the_state(client: FlaskClient, status: int) -> None:
    make_user(client)
    response = login(client, headers={**AUTH, "Prefer": f"code={status}"})
    assert response.status_code == status, response.data


@pytest.mark.parametrize("status", [404, 410, 423])
def test_forced_errors_have_no_body(client: FlaskClient, status: int) -> None:
    response = login(client, headers={**AUTH, "Prefer": f"code={status}"})
    assert response.status_code == status and response.data == b""


def test_forced_409_names_the_prevent_login_action(client: FlaskClient) -> None:
    response = login(client, headers={**AUTH, "Prefer": "code=409"})
    assert response.status_code == 409 and response.get_json()["actions"][0]["name"]


# -- refresh ----------------------------------------------------------------------------------------


def test_refreshed_token_says_refresh_token_and_can_be_shorter(client: FlaskClient) -> None:
    make_user(client)
    body = login(client).get_json()
    refreshed = client.post(
        "/api/jwt/refresh",
        json={"refreshToken": body["refreshToken"], "timeToLiveInSeconds": 60, "eventInfo": {"userAgent": "t"}},
    )
    assert refreshed.status_code == 200, refreshed.data
    token = claims(refreshed.get_json()["token"])
    assert token["authenticationType"] == "REFRESH_TOKEN"
    assert token["exp"] - token["iat"] == 60
    longer = client.post("/api/jwt/refresh", json={"refreshToken": body["refreshToken"], "timeToLiveInSeconds": 99999})
    token = claims(longer.get_json()["token"])
    assert token["exp"] - token["iat"] == 3600  # never longer than configured
