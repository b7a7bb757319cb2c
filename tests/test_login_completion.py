"""Walk each login status to a 200 with the official client: 242, 203, 212, 213 (and the outbox)."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
import requests
from fusionauth.fusionauth_client import FusionAuthClient

from .conftest import API_KEY, APP_ID, EMAIL_APP_ID, EMAIL_TENANT_ID, LiveServer, load, tenant_client
from .login_helpers import login_body, verify_with_jwks

VERIFIED_APP = "0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80"


@pytest.fixture
def fa(live_clean: LiveServer) -> FusionAuthClient:
    return FusionAuthClient(API_KEY, live_clean.url)


def provider(fa: FusionAuthClient, strategy: str = "LinkByEmail") -> None:
    body = load("seed_twitch_request.json")
    body["identityProvider"]["linkingStrategy"] = strategy
    assert fa.create_identity_provider(body).status == 200


def messages(url: str, to: str | None = None) -> list[dict[str, Any]]:
    return requests.get(f"{url}/_mock/messages", params={"to": to} if to else None, timeout=5).json()["messages"]


def first_user(fa: FusionAuthClient) -> dict[str, Any]:
    response = fa.identity_provider_login(login_body())
    assert response.status == 200
    return response.success_response["user"]


def test_two_factor_by_email_code_from_the_outbox(fa: FusionAuthClient, live_clean: LiveServer) -> None:
    provider(fa)
    user = first_user(fa)
    fa.patch_user(
        user["id"], {"user": {"twoFactor": {"methods": [{"method": "email", "email": "richard@example.com"}]}}}
    )
    pending = fa.identity_provider_login(login_body())
    assert pending.status == 242
    two_factor_id = pending.success_response["twoFactorId"]
    method_id = pending.success_response["methods"][0]["id"]

    assert fa.send_two_factor_code_for_login_using_method(two_factor_id, {"methodId": method_id}).status == 200
    [mail] = messages(live_clean.url, "richard@example.com")
    code = mail["data"]["code"]
    assert code in mail["body"]

    wrong = fa.two_factor_login({"twoFactorId": two_factor_id, "code": "000000" if code != "000000" else "111111"})
    assert wrong.status == 421
    done = fa.two_factor_login(
        {
            "twoFactorId": two_factor_id,
            "code": code,
            "trustComputer": True,
            "applicationId": APP_ID,
            "ipAddress": "10.1.1.1",
        }
    )
    assert done.status == 200
    assert done.success_response["twoFactorTrustId"]
    jwks = requests.get(f"{live_clean.url}/.well-known/jwks.json", timeout=5).json()
    assert verify_with_jwks(done.success_response["token"], jwks)["sub"] == user["id"]
    assert fa.two_factor_login({"twoFactorId": two_factor_id, "code": code}).status == 404  # used up
    assert fa.two_factor_login({"twoFactorId": "unknown", "code": code}).status == 404
    bad_method = fa.send_two_factor_code_for_login_using_method(two_factor_id, {"methodId": "ZZZZ"})
    assert bad_method.status == 404


def test_two_factor_by_authenticator_totp(fa: FusionAuthClient) -> None:
    provider(fa)
    user = first_user(fa)
    secret = pyotp.random_base32()
    fa.patch_user(user["id"], {"user": {"twoFactor": {"methods": [{"method": "authenticator", "secret": secret}]}}})
    pending = fa.identity_provider_login(login_body())
    assert pending.success_response["methods"][0]["authenticator"] == {
        "algorithm": "HmacSHA1",
        "codeLength": 6,
        "timeStep": 30,
    }
    assert "secret" not in pending.success_response["methods"][0]
    done = fa.two_factor_login(
        {"twoFactorId": pending.success_response["twoFactorId"], "code": pyotp.TOTP(secret).now()}
    )
    assert done.status == 200 and "twoFactorTrustId" not in done.success_response


def test_change_password_then_login(fa: FusionAuthClient, live_clean: LiveServer) -> None:
    provider(fa)
    user = first_user(fa)
    fa.patch_user(user["id"], {"user": {"passwordChangeRequired": True}})
    change = fa.identity_provider_login(login_body())
    assert change.status == 203
    change_id = change.success_response["changePasswordId"]
    short = fa.change_password(change_id, {"password": "short"})
    assert short.status == 400
    assert short.error_response["fieldErrors"]["password"][0]["code"] == "[tooShort]password"
    assert fa.change_password(change_id, {"password": "a-much-better-password"}).status == 200
    assert fa.identity_provider_login(login_body()).status == 200
    assert fa.change_password(change_id, {"password": "a-much-better-password"}).status == 404  # single use
    assert any(m["data"].get("template") == "PasswordUpdate" for m in messages(live_clean.url, "richard@example.com"))


def test_verify_email_then_login(fa: FusionAuthClient, live_clean: LiveServer) -> None:
    provider(fa, "LinkByUsername")
    unverified = fa.identity_provider_login(login_body("twitch-code-unverified", applicationId=EMAIL_APP_ID))
    assert unverified.status == 212
    verification_id = unverified.success_response["emailVerificationId"]
    [mail] = messages(live_clean.url, "unverified@example.com")
    assert mail["data"]["verificationId"] == verification_id
    wrong = fa.verify_email_address({"verificationId": verification_id, "oneTimeCode": "nope"})
    assert wrong.status == 400
    resent = tenant_client(live_clean.url, EMAIL_TENANT_ID).resend_email_verification("unverified@example.com")
    assert resent.success_response["verificationId"] == verification_id
    ok = fa.verify_email_address({"verificationId": verification_id, "oneTimeCode": mail["data"]["oneTimeCode"]})
    assert ok.status == 200
    after = fa.identity_provider_login(login_body("twitch-code-unverified", applicationId=EMAIL_APP_ID))
    assert after.status == 200
    assert after.success_response["user"]["verified"] is True and after.success_response["user"]["verifiedInstant"]
    assert fa.verify_email_address({"verificationId": verification_id}).status == 404
    assert tenant_client(live_clean.url, EMAIL_TENANT_ID).resend_email_verification("nobody@example.com").status == 404


def test_verify_registration_then_login(fa: FusionAuthClient) -> None:
    provider(fa)
    body = {**login_body(), "applicationId": VERIFIED_APP}
    pending = fa.identity_provider_login(body)
    assert pending.status == 213
    verified = fa.verify_user_registration({"verificationId": pending.success_response["registrationVerificationId"]})
    assert verified.status == 200
    after = fa.identity_provider_login(body)
    assert after.status == 200
    registration = next(
        r for r in after.success_response["user"]["registrations"] if r["applicationId"] == VERIFIED_APP
    )
    assert registration["verified"] is True and registration["verifiedInstant"]


def test_outbox_filter_order_and_clear(fa: FusionAuthClient, live_clean: LiveServer) -> None:
    provider(fa, "LinkByUsername")
    fa.identity_provider_login(login_body("twitch-code-unverified", applicationId=EMAIL_APP_ID))
    created = tenant_client(live_clean.url, EMAIL_TENANT_ID).create_user(
        {"user": {"email": "second@example.com", "password": "password123"}}
    )
    assert created.status == 200  # unverified in a tenant that verifies emails: a mail
    tenant_client(live_clean.url, EMAIL_TENANT_ID).resend_email_verification("second@example.com")
    everything = messages(live_clean.url)
    assert [m["instant"] for m in everything] == sorted((m["instant"] for m in everything), reverse=True)
    assert {m["to"] for m in messages(live_clean.url, "SECOND@example.com")} == {"second@example.com"}
    assert requests.delete(f"{live_clean.url}/_mock/messages", timeout=5).json()["deleted"] >= 2
    assert messages(live_clean.url) == []


@pytest.mark.parametrize(
    "path,status,empty",
    [
        ("/api/two-factor/login", 421, True),
        ("/api/user/change-password/some-id", 404, True),
        ("/api/user/verify-email", 504, False),
        ("/api/user/verify-registration", 400, False),
    ],
)
def test_prefer_on_the_completion_apis(live_clean: LiveServer, path: str, status: int, empty: bool) -> None:
    response = requests.post(f"{live_clean.url}{path}", json={}, headers={"Prefer": f"code={status}"}, timeout=5)
    assert response.status_code == status
    assert (response.content == b"") is empty
