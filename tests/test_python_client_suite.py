"""The official Python client's own test suite (fusionauth-python-client, src/test/python), replayed against the mock.

That suite runs against a FusionAuth set up by its Kickstart file: a "Pied Piper" application with roles dev, ceo
and intern that generates refresh tokens, and admin@fusionauth.io / "password" registered to it. The fixture
`kickstarted` builds that state through the API (a fresh install has one tenant, which does not verify emails).
Each test below makes the suite's requests with the official client and checks what the suite checks.
(Its retrieve-applications test counts the applications of a fresh install; that is the Kickstart runner's.)
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from fusionauth.fusionauth_client import FusionAuthClient

from .conftest import API_KEY, TENANT_ID, LiveServer

PIED_PIPER = "85a03867-dccf-4882-adde-1a79aeec50df"
ADMIN_ID = "00000000-0000-0000-0000-000000000001"


def _single_tenant(url: str) -> None:
    """The state of a fresh install: the default tenant only (no email verification), as Kickstart starts from."""
    state: dict[str, Any] = requests.get(f"{url}/_mock/state", timeout=5).json()
    tenants = state.get("fusionauth.tenants", {})
    state["fusionauth.tenants"] = {TENANT_ID: tenants[TENANT_ID]}
    tenants[TENANT_ID].setdefault("emailConfiguration", {})["verifyEmail"] = False
    state["fusionauth.applications"] = {
        k: v for k, v in state.get("fusionauth.applications", {}).items() if v.get("tenantId") == TENANT_ID
    }
    requests.put(f"{url}/_mock/state", json=state, timeout=5).raise_for_status()


def _pied_piper(url: str, client: FusionAuthClient) -> None:
    application = {
        "name": "Pied Piper",
        "roles": [{"name": "dev"}, {"name": "ceo"}, {"name": "intern"}],
        "loginConfiguration": {"generateRefreshTokens": True},
    }
    created = client.create_application({"application": application}, PIED_PIPER)
    if created.status == 200:
        return
    # Without the Application API, the document goes straight into the state.
    assert created.status in (404, 405), created.error_response
    state = requests.get(f"{url}/_mock/state", timeout=5).json()
    roles = [{"id": str(uuid.uuid4()), "isDefault": False, "isSuperRole": False, **r} for r in application["roles"]]
    state["fusionauth.applications"][PIED_PIPER] = {
        **application,
        "id": PIED_PIPER,
        "tenantId": TENANT_ID,
        "active": True,
        "roles": roles,
        "loginConfiguration": {"generateRefreshTokens": True, "allowTokenRefresh": True, "requireAuthentication": True},
    }
    requests.put(f"{url}/_mock/state", json=state, timeout=5).raise_for_status()


@pytest.fixture
def kickstarted(live_clean: LiveServer) -> FusionAuthClient:
    client = FusionAuthClient(API_KEY, live_clean.url)
    _single_tenant(live_clean.url)
    _pied_piper(live_clean.url, client)
    # As the Kickstart file: create the user with a fixed id, then register it to Pied Piper on its own.
    user = {
        "birthDate": "1981-06-04",
        "email": "admin@fusionauth.io",
        "firstName": "Erlich",
        "lastName": "Bachman",
        "password": "password",
        "data": {"Company": "PiedPiper", "PreviousCompany": "Aviato", "user_type": "iconclast"},
    }
    created = client.create_user({"user": user}, ADMIN_ID)
    assert created.status == 200, created.error_response
    registered = client.register({"registration": {"applicationId": PIED_PIPER}}, ADMIN_ID)
    assert registered.status == 200, registered.error_response
    return client


def test_create_user_retrieve_user(kickstarted: FusionAuthClient) -> None:
    client = kickstarted
    for _ in range(2):  # the second round takes the suite's "the user already exists: delete it" branch
        existing = client.retrieve_user_by_email("user@example.com")
        if existing.status == 200:
            deleted = client.delete_user(existing.success_response["user"]["id"])
            assert deleted.status == 200, deleted.error_response
        else:
            assert existing.status == 404 and existing.error_response is None

        request = {
            "sendSetPasswordEmail": False,
            "skipVerification": True,
            "user": {"email": "user@example.com", "password": "password"},
        }
        created = client.create_user(request)
        assert created.status == 200, created.error_response
        user_id = created.success_response["user"]["id"]

        retrieved = client.retrieve_user(user_id)
        assert retrieved.status == 200
        assert retrieved.success_response is not None and retrieved.error_response is None
        user = retrieved.success_response["user"]
        assert user["email"] == "user@example.com" and "password" not in user and "salt" not in user

        by_login_id = client.retrieve_user_by_login_id("user@example.com")
        assert by_login_id.status == 200 and by_login_id.error_response is None
        assert by_login_id.success_response["user"]["email"] == "user@example.com"

        typed = client.retrieve_user_by_login_id_with_login_id_types("user@example.com", ["email"])
        assert typed.status == 200 and typed.error_response is None
        assert typed.success_response["user"]["email"] == "user@example.com"


def test_retrieve_user_missing(kickstarted: FusionAuthClient) -> None:
    response = kickstarted.retrieve_user(uuid.uuid4())
    assert response.status == 404
    assert response.success_response is None and response.error_response is None


def test_login_user_logout_global(kickstarted: FusionAuthClient, live_clean: LiveServer) -> None:
    login = kickstarted.login({"loginId": "admin@fusionauth.io", "password": "password", "applicationId": PIED_PIPER})
    assert login.status == 200, login.error_response
    refresh_token = login.success_response["refreshToken"]

    anonymous = FusionAuthClient("", live_clean.url)
    logout = anonymous.logout(True, refresh_token)
    assert logout.status == 200, logout.error_response
    # Beyond the suite: the token is revoked.
    assert anonymous.exchange_refresh_token_for_jwt({"refreshToken": refresh_token}).status == 404


def test_the_kickstarted_admin_is_registered_to_pied_piper(kickstarted: FusionAuthClient) -> None:
    user = kickstarted.retrieve_user(ADMIN_ID).success_response["user"]
    assert [r["applicationId"] for r in user["registrations"]] == [PIED_PIPER]
    assert user["data"]["PreviousCompany"] == "Aviato" and user["birthDate"] == "1981-06-04"
