"""GET /api/user by loginId (+ loginIdTypes), verificationId, changePasswordId; the Registration API with a user id;
the request properties FusionAuth declares for UserRequest and RegistrationRequest."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient

from .conftest import API_KEY, APP_ID, TENANT_ID

# The fixtures may hold several tenants: user calls name theirs, as FusionAuth then requires.
AUTH = {"Authorization": API_KEY, "X-FusionAuth-TenantId": TENANT_ID}


def set_tenant(client: FlaskClient, **changes: Any) -> None:
    """Change the default tenant's settings directly in the state (e.g. emailConfiguration)."""
    state = client.get("/_mock/state").get_json()
    state["fusionauth.tenants"][TENANT_ID].update(changes)
    assert client.put("/_mock/state", json=state).status_code == 200


def create_user(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    body = {"user": {"password": "password", **fields}, "skipVerification": True}
    response = client.post("/api/user", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    return response.get_json()["user"]


def lookup(client: FlaskClient, query: str) -> Any:
    return client.get(f"/api/user?{query}", headers=AUTH)


def messages(client: FlaskClient, to: str) -> list[dict[str, Any]]:
    return client.get("/_mock/messages", query_string={"to": to}).get_json()["messages"]


# -- loginId ----------------------------------------------------------------------------------------


def test_login_id_matches_email_or_username_by_default(client: FlaskClient) -> None:
    user = create_user(client, email="richard@piedpiper.com", username="richard")
    for login_id in ("richard@piedpiper.com", "RICHARD@piedpiper.com", "richard", "Richard"):
        response = lookup(client, f"loginId={login_id}")
        assert response.status_code == 200, login_id
        assert response.get_json()["user"]["id"] == user["id"]
        assert "password" not in response.get_json()["user"] and "salt" not in response.get_json()["user"]


def test_login_id_types_restrict_the_comparison(client: FlaskClient) -> None:
    user = create_user(client, email="gilfoyle@piedpiper.com", username="gilfoyle")
    assert lookup(client, "loginId=gilfoyle@piedpiper.com&loginIdTypes=email").get_json()["user"]["id"] == user["id"]
    missing = lookup(client, "loginId=gilfoyle&loginIdTypes=email")
    assert missing.status_code == 404 and missing.data == b""
    assert lookup(client, "loginId=gilfoyle&loginIdTypes=email&loginIdTypes=username").status_code == 200


def test_login_id_types_are_tried_in_the_order_given(client: FlaskClient) -> None:
    # One user's username is another user's email: the first type listed wins.
    by_email = create_user(client, email="dinesh@piedpiper.com")
    by_username = create_user(client, email="other@piedpiper.com", username="dinesh@piedpiper.com")
    first = lookup(client, "loginId=dinesh@piedpiper.com&loginIdTypes=username&loginIdTypes=email")
    assert first.get_json()["user"]["id"] == by_username["id"]
    second = lookup(client, "loginId=dinesh@piedpiper.com&loginIdTypes=email&loginIdTypes=username")
    assert second.get_json()["user"]["id"] == by_email["id"]


def test_login_id_type_phone_number(client: FlaskClient) -> None:
    user = create_user(client, email="jared@piedpiper.com", phoneNumber="+13035551234")
    assert lookup(client, "loginId=%2B13035551234&loginIdTypes=phoneNumber").get_json()["user"]["id"] == user["id"]
    assert lookup(client, "loginId=%2B13035551234").status_code == 404  # not among the default types


def test_an_unknown_login_id_type_is_a_400(client: FlaskClient) -> None:
    create_user(client, email="monica@piedpiper.com")
    for query in ("loginId=monica@piedpiper.com&loginIdTypes=bogus", "loginId=x&loginIdTypes=email&loginIdTypes=nope"):
        response = lookup(client, query)
        assert response.status_code == 400
        assert response.get_json()["fieldErrors"]["loginIdTypes"][0]["code"] == "[couldNotConvert]loginIdTypes"


def test_lookups_need_an_api_key_and_a_parameter(client: FlaskClient) -> None:
    assert client.get("/api/user?loginId=x").status_code == 401
    assert lookup(client, "").status_code == 400


def test_lookups_respect_the_tenant(client: FlaskClient) -> None:
    create_user(client, email="laurie@piedpiper.com")
    other = str(uuid.uuid4())
    state = client.get("/_mock/state").get_json()
    tenants = state["fusionauth.tenants"]
    tenants[other] = {**tenants[TENANT_ID], "id": other, "name": "Other"}
    assert client.put("/_mock/state", json=state).status_code == 200
    headers = {**AUTH, "X-FusionAuth-TenantId": other}
    assert client.get("/api/user?loginId=laurie@piedpiper.com", headers=headers).status_code == 404
    assert client.get("/api/user?loginId=laurie@piedpiper.com", headers=AUTH).status_code == 200
    # Several tenants and none named: FusionAuth cannot tell which one is meant.
    ambiguous = client.get("/api/user?loginId=laurie@piedpiper.com", headers={"Authorization": API_KEY})
    assert ambiguous.status_code == 400
    assert ambiguous.get_json()["generalErrors"][0]["code"] == "[TenantIdRequired]"


# -- verificationId, changePasswordId ----------------------------------------------------------------


def test_by_verification_id(client: FlaskClient) -> None:
    # A tenant that verifies emails: a user created without skipVerification gets a verification mail.
    set_tenant(client, emailConfiguration={"verifyEmail": True, "verificationStrategy": "FormField"})
    body = {"user": {"email": "jian@piedpiper.com", "password": "password"}}
    response = client.post("/api/user", json=body, headers=AUTH)
    assert response.status_code == 200
    user = response.get_json()["user"]
    [mail] = messages(client, "jian@piedpiper.com")
    found = lookup(client, f"verificationId={mail['data']['verificationId']}")
    assert found.status_code == 200 and found.get_json()["user"]["id"] == user["id"]
    assert lookup(client, "verificationId=nope").status_code == 404


def test_send_set_password_email_needs_no_password_and_gives_a_change_password_id(client: FlaskClient) -> None:
    body = {"user": {"email": "peter@piedpiper.com"}, "sendSetPasswordEmail": True, "skipVerification": True}
    response = client.post("/api/user", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    user = response.get_json()["user"]
    [mail] = messages(client, "peter@piedpiper.com")
    change_id = mail["data"]["changePasswordId"]
    assert change_id in mail["body"] and mail["data"]["template"] == "SetupPassword"
    found = lookup(client, f"changePasswordId={change_id}")
    assert found.status_code == 200 and found.get_json()["user"]["id"] == user["id"]
    # The id sets the password, once.
    assert client.post(f"/api/user/change-password/{change_id}", json={"password": "new-password"}).status_code == 200
    assert lookup(client, f"changePasswordId={change_id}").status_code == 404
    login = client.post(
        "/api/login",
        json={"loginId": "peter@piedpiper.com", "password": "new-password"},
        headers={"X-FusionAuth-TenantId": TENANT_ID},
    )
    assert login.status_code == 200


def test_without_send_set_password_email_a_password_is_required(client: FlaskClient) -> None:
    response = client.post("/api/user", json={"user": {"email": "x@piedpiper.com"}}, headers=AUTH)
    assert response.status_code == 400
    assert response.get_json()["fieldErrors"]["user.password"][0]["code"] == "[blank]user.password"


# -- Registration API with a user id ----------------------------------------------------------------


def test_registration_with_a_user_creates_it_with_the_url_id(client: FlaskClient) -> None:
    user_id = "00000000-0000-0000-0000-000000000001"
    body = {
        "user": {"email": "admin@fusionauth.io", "password": "password", "birthDate": "1981-06-04", "data": {"a": 1}},
        "registration": {"applicationId": APP_ID, "roles": ["admin"]},
        "skipVerification": True,
    }
    response = client.post(f"/api/user/registration/{user_id}", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    created = response.get_json()
    assert created["user"]["id"] == user_id and created["registration"]["roles"] == ["admin"]
    assert client.get(f"/api/user/{user_id}", headers=AUTH).get_json()["user"]["data"] == {"a": 1}
    # The same again: the id is taken.
    again = client.post(f"/api/user/registration/{user_id}", json=body, headers=AUTH)
    assert again.status_code == 400
    assert again.get_json()["fieldErrors"]["userId"][0]["code"] == "[duplicate]userId"


def test_registration_without_a_user_registers_the_existing_one(client: FlaskClient) -> None:
    user = create_user(client, email="big-head@piedpiper.com")
    body = {"registration": {"applicationId": APP_ID}, "generateAuthenticationToken": True}
    response = client.post(f"/api/user/registration/{user['id']}", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    registration = response.get_json()["registration"]
    assert "user" not in response.get_json()
    assert registration["applicationId"] == APP_ID and registration["roles"] == ["user"]  # the default role
    assert registration["authenticationToken"]


def test_registration_of_an_unknown_user_without_a_user(client: FlaskClient) -> None:
    unknown = str(uuid.uuid4())
    response = client.post(
        f"/api/user/registration/{unknown}", json={"registration": {"applicationId": APP_ID}}, headers=AUTH
    )
    assert response.status_code == 400
    assert response.get_json()["fieldErrors"]["userId"][0]["code"] == "[invalid]userId"


def test_user_request_accepts_every_declared_property(client: FlaskClient) -> None:
    body = {
        "user": {
            "email": "ron@piedpiper.com",
            "password": "password",
            "phoneNumber": "+13035550000",
            "memberships": [{"groupId": str(uuid.uuid4())}],
            "preferredLanguages": ["en", "fr"],
            "timezone": "America/Denver",
            "data": {"Company": "PiedPiper"},
            "uniqueUsername": "ron",
            "parentEmail": "parent@piedpiper.com",
            "salt": "imported-salt",
            "encryptionScheme": "salted-sha256",
            "factor": 1,
        },
        "applicationId": APP_ID,
        "disableDomainBlock": True,
        "eventInfo": {"ipAddress": "10.0.0.1", "location": {"city": "Denver"}, "userAgent": "pytest"},
        "sendSetPasswordEmail": False,
        "skipVerification": True,
    }
    response = client.post("/api/user", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    user = response.get_json()["user"]
    assert user["phoneNumber"] == "+13035550000" and user["timezone"] == "America/Denver"
    assert user["preferredLanguages"] == ["en", "fr"] and user["memberships"][0]["groupId"]
    assert "salt" not in user and "encryptionScheme" not in user
    unknown = client.post("/api/user", json={**body, "bogus": 1}, headers=AUTH)
    assert unknown.status_code == 400 and "Unrecognized property" in unknown.get_json()["generalErrors"][0]["message"]


def test_registration_request_accepts_every_declared_property(client: FlaskClient) -> None:
    body = {
        "user": {"email": "erlich@piedpiper.com", "password": "password"},
        "registration": {
            "applicationId": APP_ID,
            "roles": ["user", "admin"],
            "tokens": {"Twitch": "upstream-token"},
            "preferredLanguages": ["de"],
            "timezone": "Europe/Berlin",
            "username": "erlich-game",
            "data": {"level": 3},
        },
        "generateAuthenticationToken": False,
        "sendSetPasswordEmail": False,
        "skipRegistrationVerification": True,
        "skipVerification": True,
        "disableDomainBlock": False,
        "eventInfo": {"deviceName": "laptop"},
    }
    response = client.post("/api/user/registration", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    registration = response.get_json()["registration"]
    assert registration["tokens"] == {"Twitch": "upstream-token"} and registration["timezone"] == "Europe/Berlin"
    assert registration["username"] == "erlich-game" and registration["roles"] == ["admin", "user"]
    stored = client.get(f"/api/user/{response.get_json()['user']['id']}", headers=AUTH).get_json()["user"]
    assert stored["registrations"][0]["preferredLanguages"] == ["de"]
