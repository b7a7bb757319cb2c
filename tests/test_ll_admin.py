"""The LootLocker Admin API over HTTP: admin users, games and environments, API keys, platforms, bans,
notifications, title configuration, player lookup; isolation between organisations."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from .ll_admin_helpers import EMAIL, PASSWORD, sign_in
from .test_lootlocker_helpers import error_of


# -- users ---------------------------------------------------------------------------------------
def test_login_of_an_unknown_user_is_401_then_sign_up_and_login_answer_a_token_and_the_user(
    client: FlaskClient,
) -> None:
    error_of(client.post("/admin/v1/session", json={"email": EMAIL, "password": PASSWORD}), 401, "unauthorized")
    signup = client.post(
        "/admin/v1/signup", json={"organisation": "Org", "name": "Ada", "email": EMAIL, "password": PASSWORD}
    )
    assert signup.status_code == 200
    user = signup.get_json()["user"]
    assert user["name"] == "Ada" and user["email"] == EMAIL and isinstance(user["signed_up"], int)
    assert [o["name"] for o in user["organisations"]] == ["Org"] and isinstance(user["organisations"][0]["id"], int)
    login = client.post("/admin/v1/session", json={"email": EMAIL.upper(), "password": PASSWORD})
    assert login.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{40}", login.get_json()["auth_token"])
    assert login.get_json()["auth_token"] != signup.get_json()["auth_token"]
    assert login.get_json()["user"]["id"] == user["id"]


def test_wrong_password_is_401_and_a_second_sign_up_is_409(client: FlaskClient) -> None:
    sign_in(client)
    error_of(client.post("/admin/v1/session", json={"email": EMAIL, "password": "wrong"}), 401, "unauthorized")
    again = {"organisation": "x", "name": "x", "email": EMAIL, "password": PASSWORD}
    error_of(client.post("/admin/v1/signup", json=again), 409, "conflict")


def test_sign_up_validates_its_body(client: FlaskClient) -> None:
    error_of(
        client.post("/admin/v1/signup", json={"name": "x", "email": EMAIL, "password": PASSWORD}),
        400,
        "parameter_missing",
        "organisation",
    )
    short = {"organisation": "o", "name": "x", "email": EMAIL, "password": "short"}
    error_of(client.post("/admin/v1/signup", json=short), 400, "parameter_invalid", "password")
    error_of(client.post("/admin/v1/session", data="[]", content_type="application/json"), 400, "request_body_invalid")


def test_prefer_forces_a_documented_status(client: FlaskClient) -> None:
    response = client.post("/admin/v1/session", json={}, headers={"Prefer": "code=503"})
    error_of(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == "1"
