"""The Two Factor API: secret, send, enable, disable; an enabled method makes the Login API answer 242."""

from __future__ import annotations

import base64
from typing import Any

import pyotp
import pytest
import requests
from flask.testing import FlaskClient
from fusionauth.fusionauth_client import FusionAuthClient

from .conftest import API_KEY, APP_ID, TENANT_ID, LiveServer

AUTH = {"Authorization": API_KEY, "X-FusionAuth-TenantId": TENANT_ID}
EMAIL = "gilfoyle@piedpiper.com"


def make_user(client: FlaskClient) -> str:
    body = {
        "user": {"email": EMAIL, "password": "password"},
        "registration": {"applicationId": APP_ID},
        "skipVerification": True,
    }
    response = client.post("/api/user/registration", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    return str(response.get_json()["user"]["id"])


def login(client: FlaskClient) -> Any:
    body = {"loginId": EMAIL, "password": "password", "applicationId": APP_ID}
    return client.post("/api/login", json=body, headers=AUTH)


def last_code(client: FlaskClient, to: str) -> str:
    return str(client.get("/_mock/messages", query_string={"to": to}).get_json()["messages"][0]["data"]["code"])


def methods(client: FlaskClient, user_id: str) -> list[dict[str, Any]]:
    user = client.get(f"/api/user/{user_id}", headers=AUTH).get_json()["user"]
    return list(user.get("twoFactor", {}).get("methods", []))


def test_secret_is_the_same_bytes_in_base64_and_base32(client: FlaskClient) -> None:
    body = client.get("/api/two-factor/secret", headers=AUTH).get_json()
    assert base64.b64decode(body["secret"]) == base64.b32decode(body["secretBase32Encoded"])
    assert len(base64.b64decode(body["secret"])) == 20
    assert client.get("/api/two-factor/secret").status_code == 401
    assert client.get("/api/two-factor/secret", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_secret_with_the_users_access_token(client: FlaskClient) -> None:
    make_user(client)
    token = login(client).get_json()["token"]
    assert client.get("/api/two-factor/secret", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_enable_an_authenticator_then_login_is_242_and_completes_with_totp(client: FlaskClient) -> None:
    user_id = make_user(client)
    secret = client.get("/api/two-factor/secret", headers=AUTH).get_json()
    totp = pyotp.TOTP(secret["secretBase32Encoded"])
    wrong = client.post(
        f"/api/user/two-factor/{user_id}",
        json={
            "method": "authenticator",
            "secret": secret["secret"],
            "code": "000000" if totp.now() != "000000" else "1",
        },
        headers=AUTH,
    )
    assert wrong.status_code == 421 and wrong.data == b""
    enabled = client.post(
        f"/api/user/two-factor/{user_id}",
        json={"method": "authenticator", "secret": secret["secret"], "code": totp.now(), "name": "phone"},
        headers=AUTH,
    )
    assert enabled.status_code == 200, enabled.data
    recovery = enabled.get_json()["recoveryCodes"]
    assert len(recovery) == 10 and len(set(recovery)) == 10
    [method] = methods(client, user_id)
    assert method["method"] == "authenticator" and method["authenticator"]["codeLength"] == 6
    assert "secret" not in method and method["name"] == "phone"

    pending = login(client)
    assert pending.status_code == 242
    assert pending.get_json()["methods"][0]["id"] == method["id"]
    done = client.post(
        "/api/two-factor/login", json={"twoFactorId": pending.get_json()["twoFactorId"], "code": totp.now()}
    )
    assert done.status_code == 200 and done.get_json()["token"]


def test_enable_email_with_a_sent_code_and_no_recovery_codes_the_second_time(client: FlaskClient) -> None:
    user_id = make_user(client)
    secret = client.get("/api/two-factor/secret", headers=AUTH).get_json()["secretBase32Encoded"]
    first = client.post(
        f"/api/user/two-factor/{user_id}",
        json={"method": "authenticator", "secretBase32Encoded": secret, "code": pyotp.TOTP(secret).now()},
        headers=AUTH,
    )
    assert first.status_code == 200
    sent = client.post(
        "/api/two-factor/send",
        json={"method": "email", "email": "backup@piedpiper.com", "userId": user_id, "applicationId": APP_ID},
        headers=AUTH,
    )
    assert sent.status_code == 200
    code = last_code(client, "backup@piedpiper.com")
    second = client.post(
        f"/api/user/two-factor/{user_id}",
        json={"method": "email", "email": "backup@piedpiper.com", "code": code},
        headers=AUTH,
    )
    assert second.status_code == 200 and second.get_json() == {}
    assert [m["method"] for m in methods(client, user_id)] == ["authenticator", "email"]
    # A code is spent once.
    again = client.post(
        f"/api/user/two-factor/{user_id}",
        json={"method": "email", "email": "backup@piedpiper.com", "code": code},
        headers=AUTH,
    )
    assert again.status_code == 421


def test_enable_sms(client: FlaskClient) -> None:
    user_id = make_user(client)
    body = {"method": "sms", "mobilePhone": "+13035551234", "userId": user_id, "messageType": "SMS"}
    assert client.post("/api/two-factor/send", json=body, headers=AUTH).status_code == 200
    code = last_code(client, "+13035551234")
    enabled = client.post(
        f"/api/user/two-factor/{user_id}",
        json={"method": "sms", "mobilePhone": "+13035551234", "code": code},
        headers=AUTH,
    )
    assert enabled.status_code == 200 and methods(client, user_id)[0]["mobilePhone"] == "+13035551234"


def test_disable_with_a_code_sent_to_the_method(client: FlaskClient) -> None:
    user_id = make_user(client)
    client.post("/api/two-factor/send", json={"method": "email", "email": EMAIL, "userId": user_id}, headers=AUTH)
    enable = {"method": "email", "email": EMAIL, "code": last_code(client, EMAIL)}
    assert client.post(f"/api/user/two-factor/{user_id}", json=enable, headers=AUTH).status_code == 200
    method_id = methods(client, user_id)[0]["id"]
    assert login(client).status_code == 242

    assert (
        client.delete(f"/api/user/two-factor/{user_id}?methodId={method_id}&code=000000", headers=AUTH).status_code
        == 421
    )
    sent = client.post("/api/two-factor/send", json={"userId": user_id, "methodId": method_id}, headers=AUTH)
    assert sent.status_code == 200
    code = last_code(client, EMAIL)
    disabled = client.delete(f"/api/user/two-factor/{user_id}?methodId={method_id}&code={code}", headers=AUTH)
    assert disabled.status_code == 200 and disabled.data == b""
    assert methods(client, user_id) == []
    assert login(client).status_code == 200


def test_disable_with_a_recovery_code_and_a_json_body(client: FlaskClient) -> None:
    user_id = make_user(client)
    secret = client.get("/api/two-factor/secret", headers=AUTH).get_json()["secretBase32Encoded"]
    enable = {"method": "authenticator", "secretBase32Encoded": secret, "code": pyotp.TOTP(secret).now()}
    recovery = client.post(f"/api/user/two-factor/{user_id}", json=enable, headers=AUTH).get_json()["recoveryCodes"]
    method_id = methods(client, user_id)[0]["id"]
    body = {"methodId": method_id, "code": recovery[3], "applicationId": APP_ID, "eventInfo": {"os": "linux"}}
    assert client.delete(f"/api/user/two-factor/{user_id}", json=body, headers=AUTH).status_code == 200
    assert methods(client, user_id) == []


def test_bad_requests(client: FlaskClient) -> None:
    user_id = make_user(client)
    blank = client.post(f"/api/user/two-factor/{user_id}", json={"method": "authenticator"}, headers=AUTH)
    assert blank.status_code == 400
    assert set(blank.get_json()["fieldErrors"]) == {"code", "secret"}
    no_email = client.post(f"/api/user/two-factor/{user_id}", json={"method": "email", "code": "1"}, headers=AUTH)
    assert no_email.get_json()["fieldErrors"]["email"][0]["code"] == "[blank]email"
    unknown_user = client.post(
        "/api/user/two-factor/00000000-0000-0000-0000-00000000dead", json={"secret": "AAAA", "code": "1"}, headers=AUTH
    )
    assert unknown_user.status_code == 404
    assert client.post(f"/api/user/two-factor/{user_id}", json={"code": "1"}).status_code == 401
    bad_method = client.delete(f"/api/user/two-factor/{user_id}?methodId=NOPE&code=1", headers=AUTH)
    assert bad_method.get_json()["fieldErrors"]["methodId"][0]["code"] == "[invalid]methodId"
    no_user = client.post("/api/two-factor/send", json={"method": "email", "email": EMAIL}, headers=AUTH)
    assert no_user.get_json()["fieldErrors"]["userId"][0]["code"] == "[blank]userId"
    unknown = client.post(f"/api/user/two-factor/{user_id}", json={"code": "1", "bogus": 1}, headers=AUTH)
    assert "Unrecognized property" in unknown.get_json()["generalErrors"][0]["message"]


def test_send_for_a_login_takes_the_declared_properties(client: FlaskClient) -> None:
    user_id = make_user(client)
    client.post("/api/two-factor/send", json={"method": "email", "email": EMAIL, "userId": user_id}, headers=AUTH)
    enable = {"method": "email", "email": EMAIL, "code": last_code(client, EMAIL)}
    client.post(f"/api/user/two-factor/{user_id}", json=enable, headers=AUTH)
    two_factor_id = login(client).get_json()["twoFactorId"]
    # The deprecated form has no body: the first email/sms method gets the code.
    assert client.post(f"/api/two-factor/send/{two_factor_id}").status_code == 200
    body = {"applicationId": APP_ID, "methodId": methods(client, user_id)[0]["id"], "userId": user_id}
    assert client.post(f"/api/two-factor/send/{two_factor_id}", json=body).status_code == 200
    done = client.post("/api/two-factor/login", json={"twoFactorId": two_factor_id, "code": last_code(client, EMAIL)})
    assert done.status_code == 200


@pytest.fixture
def fa(live_clean: LiveServer) -> FusionAuthClient:
    client = FusionAuthClient(API_KEY, live_clean.url)
    client.set_tenant_id(TENANT_ID)
    return client


def test_the_official_client_enables_logs_in_and_disables(fa: FusionAuthClient, live_clean: LiveServer) -> None:
    registered = fa.register(
        {
            "user": {"email": EMAIL, "password": "password"},
            "registration": {"applicationId": APP_ID},
            "skipVerification": True,
        }
    )
    assert registered.status == 200, registered.error_response
    user_id = registered.success_response["user"]["id"]
    secret = fa.generate_two_factor_secret().success_response
    totp = pyotp.TOTP(secret["secretBase32Encoded"])
    enabled = fa.enable_two_factor(user_id, {"method": "authenticator", "secret": secret["secret"], "code": totp.now()})
    assert enabled.status == 200 and len(enabled.success_response["recoveryCodes"]) == 10

    pending = fa.login({"loginId": EMAIL, "password": "password", "applicationId": APP_ID})
    assert pending.status == 242
    done = fa.two_factor_login({"twoFactorId": pending.success_response["twoFactorId"], "code": totp.now()})
    assert done.status == 200 and done.success_response["token"]

    method_id = pending.success_response["methods"][0]["id"]
    disabled = fa.disable_two_factor(user_id, method_id, enabled.success_response["recoveryCodes"][0])
    assert disabled.status == 200
    assert fa.login({"loginId": EMAIL, "password": "password", "applicationId": APP_ID}).status == 200
    assert requests.get(f"{live_clean.url}/api/status", timeout=5).status_code == 200
