"""Every login status through the official FusionAuth client against a live `mockserver serve`."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from fusionauth.fusionauth_client import FusionAuthClient

from .conftest import API_KEY, EMAIL_APP_ID, TWITCH_ID, LiveServer, load, tenant_client
from .login_helpers import login_body, verify_with_jwks

VERIFIED_APP = "0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80"
PREVENT_LOGIN = "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"


@pytest.fixture
def fa(live_clean: LiveServer) -> FusionAuthClient:
    return FusionAuthClient(API_KEY, live_clean.url)


def provider(fa: FusionAuthClient, strategy: str, **changes: Any) -> None:
    body = load("seed_twitch_request.json")
    body["identityProvider"].update({"linkingStrategy": strategy, **changes})
    assert fa.create_identity_provider(body).status == 200


def jwks(url: str) -> dict[str, Any]:
    return requests.get(f"{url}/.well-known/jwks.json", timeout=5).json()


def test_every_data_driven_status(fa: FusionAuthClient, live_clean: LiveServer) -> None:
    url = live_clean.url
    # 232 → create a user → complete the pending link → 200
    provider(fa, "CreatePendingLink")
    pending = fa.identity_provider_login(login_body())
    assert pending.status == 232
    user = (
        tenant_client(url)
        .create_user({"user": {"email": "rich@piedpiper.com", "password": "password123"}, "skipVerification": True})
        .success_response["user"]
    )
    link = fa.create_user_link(
        {
            "pendingIdPLinkId": pending.success_response["pendingIdPLinkId"],
            "identityProviderLink": {"userId": user["id"]},
        }
    )
    assert link.status == 200
    ok = fa.identity_provider_login(login_body())
    assert ok.status == 200 and ok.success_response["user"]["id"] == user["id"]
    claims = verify_with_jwks(ok.success_response["token"], jwks(url))
    assert claims["sub"] == user["id"] and claims["authenticationType"] == "Twitch"
    assert fa.validate_jwt(ok.success_response["token"]).success_response["jwt"]["sub"] == user["id"]
    refreshed = fa.exchange_refresh_token_for_jwt({"refreshToken": ok.success_response["refreshToken"]})
    assert verify_with_jwks(refreshed.success_response["token"], jwks(url))["sub"] == user["id"]
    assert fa.retrieve_user_link(TWITCH_ID, "4242", user["id"]).success_response["identityProviderLink"]["token"]
    assert len(fa.retrieve_user_links_by_user_id(user["id"]).success_response["identityProviderLinks"]) == 1

    # 213: an application that verifies registrations
    unverified_reg = fa.identity_provider_login({**login_body(), "applicationId": VERIFIED_APP})
    assert unverified_reg.status == 213 and unverified_reg.success_response["registrationVerificationId"]

    # 242 (two-factor) wins over 203 (change password)
    patched = fa.patch_user(
        user["id"],
        {
            "user": {
                "passwordChangeRequired": True,
                "twoFactor": {"methods": [{"method": "email", "email": "rich@piedpiper.com"}]},
            }
        },
    )
    assert patched.status == 200
    two_factor = fa.identity_provider_login(login_body())
    assert two_factor.status == 242 and two_factor.success_response["methods"][0]["method"] == "email"
    fa.patch_user(user["id"], {"user": {"twoFactor": None}})
    fa.update_user(
        user["id"],
        {
            "user": {
                **{
                    k: v
                    for k, v in fa.retrieve_user(user["id"]).success_response["user"].items()
                    if k not in ("twoFactor",)
                },
                "passwordChangeRequired": True,
            }
        },
    )
    change = fa.identity_provider_login(login_body())
    assert change.status == 203 and change.success_response["changePasswordReason"] == "Administrative"
    fa.patch_user(user["id"], {"user": {"passwordChangeRequired": False}})

    # 409: a prevent-login action; 410: expired
    assert fa.action_user({"action": {"actioneeUserId": user["id"], "userActionId": PREVENT_LOGIN}}).status == 200
    locked = fa.identity_provider_login(login_body())
    assert locked.status == 409 and locked.error_response.json()["actions"][0]["name"] == "Prevent Login Action"

    # 404 with noLink for an identity that has no link; 401 for a bad code; 400 for bad input
    assert fa.identity_provider_login(login_body("twitch-code-nomail", noLink=True)).status == 404
    bad_code = fa.identity_provider_login(login_body("nope"))
    assert bad_code.status == 401
    assert bad_code.error_response.json()["generalErrors"][0]["code"] == "[ExternalAuthenticationException]TwitchToken"
    invalid = fa.identity_provider_login({"identityProviderId": TWITCH_ID, "data": {"token": "x"}})
    assert invalid.status == 400 and "applicationId" in invalid.error_response["fieldErrors"]


def test_202_212_and_410(fa: FusionAuthClient) -> None:
    # The demo tenant that verifies emails (the Default tenant does not, as a fresh FusionAuth).
    provider(fa, "LinkByUsername", applicationConfiguration={EMAIL_APP_ID: {"createRegistration": False}})
    not_registered = fa.identity_provider_login(login_body(applicationId=EMAIL_APP_ID))
    assert not_registered.status == 202
    unverified = fa.identity_provider_login(login_body("twitch-code-unverified", applicationId=EMAIL_APP_ID))
    assert unverified.status == 202  # not registered wins over unverified email (precedence)
    user_id = unverified.success_response["user"]["id"]
    assert fa.register({"registration": {"applicationId": EMAIL_APP_ID}}, user_id).status == 200
    email_unverified = fa.identity_provider_login(login_body("twitch-code-unverified", applicationId=EMAIL_APP_ID))
    assert email_unverified.status == 212 and email_unverified.success_response["emailVerificationId"]
    fa.patch_user(user_id, {"user": {"expiry": int(time.time() * 1000) - 1000}})
    expired = fa.identity_provider_login(login_body("twitch-code-unverified", applicationId=EMAIL_APP_ID))
    assert expired.status == 410


@pytest.mark.parametrize("status", [204, 500, 503, 504])
def test_forced_statuses_over_http(live_clean: LiveServer, status: int) -> None:
    response = requests.post(
        f"{live_clean.url}/api/identity-provider/login",
        json=login_body(),
        headers={"Prefer": f"code={status}"},
        timeout=5,
    )
    assert response.status_code == status
    if status in (503, 504):
        assert response.json()["generalErrors"][0]["code"]
    else:
        assert response.content == b""
