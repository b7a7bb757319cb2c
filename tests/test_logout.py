"""POST /api/logout: the refresh token from the query, the body or the cookie; global; cookies deleted."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from .conftest import API_KEY, APP_ID, TENANT_ID

AUTH = {"Authorization": API_KEY, "X-FusionAuth-TenantId": TENANT_ID}
EMAIL = "jared@piedpiper.com"


def make_user(client: FlaskClient) -> None:
    body = {
        "user": {"email": EMAIL, "password": "password"},
        "registration": {"applicationId": APP_ID},
        "skipVerification": True,
    }
    assert client.post("/api/user/registration", json=body, headers=AUTH).status_code == 200


def login(client: FlaskClient) -> dict[str, Any]:
    body = {"loginId": EMAIL, "password": "password", "applicationId": APP_ID}
    response = client.post("/api/login", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    return dict(response.get_json())


def refreshes(client: FlaskClient, token: str) -> bool:
    status = client.post("/api/jwt/refresh", json={"refreshToken": token}).status_code
    assert status in (200, 404)
    return status == 200


def test_logout_with_query_parameters_revokes_that_token_and_deletes_the_cookies(client: FlaskClient) -> None:
    make_user(client)
    first, second = login(client), login(client)
    response = client.post(f"/api/logout?global=false&refreshToken={first['refreshToken']}")
    assert response.status_code == 200 and response.data == b""
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("access_token", "refresh_token"):
        assert any(c.startswith(f"{name}=;") and "Max-Age=0" in c for c in cookies), cookies
    assert not refreshes(client, first["refreshToken"])
    assert refreshes(client, second["refreshToken"])  # only that token


def test_global_logout_revokes_every_token_of_the_owner(client: FlaskClient) -> None:
    make_user(client)
    first, second = login(client), login(client)
    assert client.post(f"/api/logout?global=true&refreshToken={first['refreshToken']}").status_code == 200
    assert not refreshes(client, first["refreshToken"]) and not refreshes(client, second["refreshToken"])


def test_logout_with_a_json_body(client: FlaskClient) -> None:
    make_user(client)
    first, second = login(client), login(client)
    response = client.post("/api/logout", json={"refreshToken": first["refreshToken"], "eventInfo": {"os": "x"}})
    assert response.status_code == 200
    assert not refreshes(client, first["refreshToken"]) and refreshes(client, second["refreshToken"])
    assert client.post("/api/logout", json={"global": True, "refreshToken": second["refreshToken"]}).status_code == 200
    assert not refreshes(client, second["refreshToken"])


def test_logout_uses_the_refresh_token_cookie(client: FlaskClient) -> None:
    make_user(client)
    body = login(client)  # the test client keeps the access_token and refresh_token cookies
    assert client.get_cookie("refresh_token").value == body["refreshToken"]
    assert client.post("/api/logout").status_code == 200
    assert client.get_cookie("refresh_token") is None and client.get_cookie("access_token") is None
    assert not refreshes(client, body["refreshToken"])


def test_global_logout_with_only_the_access_token_cookie(client: FlaskClient) -> None:
    make_user(client)
    body = login(client)
    client.delete_cookie("refresh_token")
    assert client.post("/api/logout?global=true").status_code == 200
    assert not refreshes(client, body["refreshToken"])


def test_logout_without_or_with_an_unknown_token_is_still_200(client: FlaskClient) -> None:
    assert client.post("/api/logout").status_code == 200
    assert client.post("/api/logout?refreshToken=nope&global=true").status_code == 200


def test_logout_rejects_bad_input(client: FlaskClient) -> None:
    bad = client.post("/api/logout?global=maybe")
    assert bad.status_code == 400 and bad.get_json()["fieldErrors"]["global"][0]["code"] == "[couldNotConvert]global"
    unknown = client.post("/api/logout", json={"everywhere": True})
    assert unknown.status_code == 400 and "Unrecognized property" in unknown.get_json()["generalErrors"][0]["message"]
