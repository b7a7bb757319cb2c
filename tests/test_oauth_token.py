"""POST /oauth2/token over HTTP: every grant, client authentication method and documented error; codes single use
and short-lived; PKCE; the tokens' claims and keys (verified through the JWKS, and by Authlib)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import quote

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver.fusionauth.oauth import codes

from .conftest import APP_ID, TENANT_ID
from .login_helpers import verify_with_jwks
from .oauth_helpers import (
    AUTH,
    CLIENT_ID,
    EMAIL,
    PASSWORD,
    REDIRECT,
    SECRET,
    basic,
    configure,
    exchange,
    issue_code,
    make_user,
    pkce,
)

ES256_KEY = "7c1d9e3a-4b5f-4a60-8e21-3f9a0b1c2d4e"  # fixtures/fusionauth/keys.json


def error(response: Any) -> tuple[int, str, str]:
    body = response.get_json()
    assert set(body) >= {"error", "error_reason", "error_description"}, body
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, body["error"], body["error_reason"]


def unverified(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


# -- authorization_code --------------------------------------------------------------------------------------
def test_code_exchange_gives_fusionauths_tokens(app: Flask, client: FlaskClient) -> None:
    user = make_user(client)
    redirect = issue_code(app, user)
    assert redirect["state"] == "state-123" and redirect["userState"] == "Authenticated"
    assert redirect["locale"] == "en" and redirect["iss"] == "acme.com"
    response = exchange(client, redirect["code"])
    assert response.status_code == 200, response.data
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "id_token",
        "refresh_token",
        "refresh_token_id",
        "scope",
        "token_type",
        "userId",
    }
    assert body["token_type"] == "Bearer" and body["userId"] == user["id"] and 3590 <= body["expires_in"] <= 3600
    assert body["scope"] == "openid offline_access email profile"
    # The access token: the tenant's RS256 key (in the JWKS), FusionAuth's claims and gty header.
    access = verify_with_jwks(body["access_token"], client.get("/.well-known/jwks.json").get_json(), CLIENT_ID)
    assert jwt.get_unverified_header(body["access_token"])["gty"] == ["authorization_code"]
    assert access["iss"] == "acme.com" and access["sub"] == user["id"] and access["tid"] == TENANT_ID
    assert access["applicationId"] == APP_ID and access["roles"] == []
    assert access["authenticationType"] == "PASSWORD" and access["scope"] == body["scope"]
    assert access["sid"] == body["refresh_token_id"] and {"jti", "auth_time", "exp", "iat"} <= set(access)
    assert "email" not in access and "preferred_username" not in access  # scopeHandlingPolicy Strict
    # The id token: HS256 with the client secret by default, never in the JWKS.
    header = jwt.get_unverified_header(body["id_token"])
    assert header["alg"] == "HS256"
    id_token = jwt.decode(body["id_token"], SECRET, algorithms=["HS256"], audience=CLIENT_ID, issuer="acme.com")
    assert id_token["nonce"] == "nonce-456" and id_token["email"] == EMAIL and id_token["email_verified"] is True
    assert id_token["given_name"] == "Bertram" and id_token["family_name"] == "Gilfoyle"
    assert "applicationId" not in id_token and "roles" not in id_token
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert id_token["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def test_code_is_single_use(app: Flask, client: FlaskClient) -> None:
    code = issue_code(app, make_user(client))["code"]
    assert exchange(client, code).status_code == 200
    assert error(exchange(client, code)) == (400, "invalid_request", "auth_code_not_found")
    assert exchange(client, code).get_json()["error_description"] == "Invalid Authorization Code"


def test_code_expires_after_the_tenants_30_seconds(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = issue_code(app, make_user(client))["code"]
    later = codes.now_ms() + 31_000
    monkeypatch.setattr(codes, "now_ms", lambda: later)
    assert error(exchange(client, code)) == (400, "invalid_request", "auth_code_not_found")


def test_unknown_code_and_missing_parameters(app: Flask, client: FlaskClient) -> None:
    assert error(exchange(client, "nope")) == (400, "invalid_request", "auth_code_not_found")
    assert error(exchange(client, None)) == (400, "invalid_request", "missing_code")  # type: ignore[arg-type]
    code = issue_code(app, make_user(client))["code"]
    assert error(exchange(client, code, redirect_uri=None)) == (400, "invalid_request", "missing_redirect_uri")


def test_redirect_uri_must_be_identical(app: Flask, client: FlaskClient) -> None:
    code = issue_code(app, make_user(client))["code"]
    response = exchange(client, code, redirect_uri=REDIRECT + "/")
    assert error(response) == (400, "invalid_request", "invalid_redirect_uri")


def test_code_of_another_client_is_not_found(app: Flask, client: FlaskClient) -> None:
    other = "0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80"
    configure(client, other, clientSecret="other-secret", authorizedRedirectURLs=[REDIRECT])
    code = issue_code(app, make_user(client), client_id=other)["code"]
    assert error(exchange(client, code)) == (400, "invalid_request", "auth_code_not_found")


# -- PKCE -----------------------------------------------------------------------------------------------------
def test_pkce_s256_verifier_checked(app: Flask, client: FlaskClient) -> None:
    user = make_user(client)
    verifier, challenge = pkce()
    code = issue_code(app, user, code_challenge=challenge, code_challenge_method="S256")["code"]
    assert error(exchange(client, code)) == (400, "invalid_request", "missing_code_verifier")
    code = issue_code(app, user, code_challenge=challenge, code_challenge_method="S256")["code"]
    assert error(exchange(client, code, code_verifier=verifier + "x")) == (
        400,
        "invalid_request",
        "invalid_pkce_code_verifier",
    )
    code = issue_code(app, user, code_challenge=challenge, code_challenge_method="S256")["code"]
    assert exchange(client, code, code_verifier=verifier).status_code == 200


def test_verifier_without_challenge_refused(app: Flask, client: FlaskClient) -> None:
    code = issue_code(app, make_user(client))["code"]
    response = exchange(client, code, code_verifier=pkce()[0])
    assert error(response) == (400, "invalid_request", "invalid_pkce_code_verifier")


def test_public_client_with_pkce_when_policy_allows(app: Flask, client: FlaskClient) -> None:
    configure(client, clientAuthenticationPolicy="NotRequiredWhenUsingPKCE")
    user = make_user(client)
    verifier, challenge = pkce()
    code = issue_code(app, user, code_challenge=challenge, code_challenge_method="S256")["code"]
    response = exchange(client, code, headers={}, client_id=CLIENT_ID, code_verifier=verifier)
    assert response.status_code == 200, response.data
    code = issue_code(app, user)["code"]  # no PKCE: the client must authenticate
    assert error(exchange(client, code, headers={}, client_id=CLIENT_ID)) == (
        401,
        "invalid_client",
        "client_authentication_missing",
    )


def test_pkce_not_required_when_using_client_authentication(app: Flask, client: FlaskClient) -> None:
    configure(
        client,
        proofKeyForCodeExchangePolicy="NotRequiredWhenUsingClientAuthentication",
        clientAuthenticationPolicy="NotRequired",
    )
    user = make_user(client)
    code = issue_code(app, user)["code"]
    assert exchange(client, code).status_code == 200  # authenticated: no PKCE needed
    code = issue_code(app, user)["code"]
    assert error(exchange(client, code, headers={}, client_id=CLIENT_ID)) == (
        400,
        "invalid_request",
        "missing_code_verifier",
    )


# -- client authentication ------------------------------------------------------------------------------------
def test_client_secret_post(app: Flask, client: FlaskClient) -> None:
    code = issue_code(app, make_user(client))["code"]
    response = exchange(client, code, headers={}, client_id=CLIENT_ID, client_secret=SECRET)
    assert response.status_code == 200, response.data


def test_basic_with_form_encoded_credentials(app: Flask, client: FlaskClient) -> None:
    secret = "s3cret+with/special:chars-long-enough-for-HS256"
    configure(client, clientSecret=secret)
    code = issue_code(app, make_user(client))["code"]
    encoded = basic(quote(CLIENT_ID, safe=""), quote(secret, safe=""))  # RFC 6749 §2.3.1
    assert exchange(client, code, headers=encoded).status_code == 200
    code = issue_code(app, make_user(client, email="two@piedpiper.com"))["code"]
    assert exchange(client, code, headers=basic(CLIENT_ID, secret)).status_code == 200  # and as is


def test_wrong_secret_after_basic_is_401_with_challenge(app: Flask, client: FlaskClient) -> None:
    code = issue_code(app, make_user(client))["code"]
    response = exchange(client, code, headers=basic(secret="wrong"))
    assert error(response) == (401, "invalid_client", "invalid_client_authentication")
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_secret_in_body_is_401(app: Flask, client: FlaskClient) -> None:
    code = issue_code(app, make_user(client))["code"]
    response = exchange(client, code, headers={}, client_id=CLIENT_ID, client_secret="wrong")
    assert error(response) == (401, "invalid_client", "invalid_client_authentication")
    assert "WWW-Authenticate" not in response.headers


def test_missing_client_authentication(app: Flask, client: FlaskClient) -> None:
    code = issue_code(app, make_user(client))["code"]
    response = exchange(client, code, headers={}, client_id=CLIENT_ID)
    assert error(response) == (401, "invalid_client", "client_authentication_missing")
    assert error(exchange(client, code, headers={})) == (400, "invalid_request", "missing_client_id")


def test_unknown_client_and_bad_scheme(client: FlaskClient) -> None:
    unknown = basic("11111111-2222-3333-4444-555555555555", "x")
    assert error(exchange(client, "c", headers=unknown)) == (401, "invalid_client", "invalid_client_id")
    bearer = {"Authorization": "Bearer abc"}
    assert error(exchange(client, "c", headers=bearer)) == (
        401,
        "invalid_client",
        "invalid_client_authentication_scheme",
    )


def test_client_id_mismatch(client: FlaskClient) -> None:
    response = exchange(client, "c", client_id="0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80")
    assert error(response) == (400, "invalid_request", "client_id_mismatch")


def test_not_required_policy_needs_no_secret_but_checks_one_sent(app: Flask, client: FlaskClient) -> None:
    configure(client, clientAuthenticationPolicy="NotRequired")
    user = make_user(client)
    code = issue_code(app, user)["code"]
    assert exchange(client, code, headers={}, client_id=CLIENT_ID).status_code == 200
    code = issue_code(app, user)["code"]
    response = exchange(client, code, headers={}, client_id=CLIENT_ID, client_secret="wrong")
    assert error(response) == (401, "invalid_client", "invalid_client_authentication")


# -- grant types ----------------------------------------------------------------------------------------------
def test_grant_type_errors(client: FlaskClient) -> None:
    response = client.post("/oauth2/token", data={}, headers=basic())
    assert error(response) == (400, "invalid_request", "missing_grant_type")
    response = client.post("/oauth2/token", data={"grant_type": "magic"}, headers=basic())
    assert error(response) == (400, "unsupported_grant_type", "invalid_grant_type")
    response = client.post("/oauth2/token", data={"grant_type": "implicit"}, headers=basic())
    assert error(response) == (400, "unauthorized_client", "grant_type_disabled")


def test_json_body_is_fusionauths_invalid_content_type(client: FlaskClient) -> None:
    response = client.post("/oauth2/token", json={"grant_type": "password"}, headers=basic())
    assert response.status_code == 400
    assert response.get_json()["generalErrors"][0]["code"] == "[InvalidContentType]"


def test_disabled_grant_is_unauthorized_client(app: Flask, client: FlaskClient) -> None:
    configure(client, enabledGrants=["authorization_code"])
    response = client.post(
        "/oauth2/token", data={"grant_type": "password", "username": EMAIL, "password": PASSWORD}, headers=basic()
    )
    assert error(response) == (400, "unauthorized_client", "grant_type_disabled")


def password_grant(client: FlaskClient, **form: str) -> Any:
    data = {"grant_type": "password", "username": EMAIL, "password": PASSWORD, "scope": "openid offline_access", **form}
    return client.post("/oauth2/token", data=data, headers=basic())


def test_password_grant(client: FlaskClient) -> None:
    user = make_user(client)
    response = password_grant(client)
    assert response.status_code == 200, response.data
    body = response.get_json()
    assert body["userId"] == user["id"] and body["refresh_token"] and body["id_token"]
    assert jwt.get_unverified_header(body["access_token"])["gty"] == ["password"]
    assert "nonce" not in unverified(body["id_token"])


def test_password_grant_errors(client: FlaskClient) -> None:
    make_user(client)
    assert error(password_grant(client, password="wrong")) == (400, "invalid_grant", "invalid_user_credentials")
    assert error(password_grant(client, username="nobody@example.com")) == (
        400,
        "invalid_grant",
        "invalid_user_credentials",
    )
    assert error(password_grant(client, password="")) == (400, "invalid_request", "invalid_user_credentials")
    assert error(password_grant(client, scope="openid launch_missiles")) == (400, "invalid_scope", "unknown_scope")


def test_password_grant_locked_user(client: FlaskClient) -> None:
    user = make_user(client)
    assert client.delete(f"/api/user/{user['id']}", headers=AUTH).status_code == 200  # deactivates
    assert error(password_grant(client)) == (400, "invalid_grant", "user_locked")


def test_no_refresh_token_without_offline_access_or_generate(client: FlaskClient) -> None:
    make_user(client)
    body = password_grant(client, scope="openid").get_json()
    assert (
        "refresh_token" not in body and "refresh_token_id" not in body and "sid" not in unverified(body["access_token"])
    )
    configure(client, generateRefreshTokens=False)
    assert "refresh_token" not in password_grant(client).get_json()
    assert "id_token" not in password_grant(client, scope="offline_access").get_json()  # no openid: no id token


# -- refresh_token ---------------------------------------------------------------------------------------------
def refresh(client: FlaskClient, token: str, **form: str) -> Any:
    return client.post(
        "/oauth2/token", data={"grant_type": "refresh_token", "refresh_token": token, **form}, headers=basic()
    )


def test_refresh_grant_reusable(app: Flask, client: FlaskClient) -> None:
    user = make_user(client)
    first = exchange(client, issue_code(app, user)["code"]).get_json()
    response = refresh(client, first["refresh_token"])
    assert response.status_code == 200, response.data
    body = response.get_json()
    assert "refresh_token" not in body  # Reusable (the default): the same refresh token goes on
    access = unverified(body["access_token"])
    assert access["authenticationType"] == "REFRESH_TOKEN" and access["sid"] == first["refresh_token_id"]
    assert jwt.get_unverified_header(body["access_token"])["gty"] == ["authorization_code", "refresh_token"]
    assert body["scope"] == first["scope"] and "id_token" in body
    assert refresh(client, first["refresh_token"]).status_code == 200


def test_refresh_scope_must_be_a_subset(app: Flask, client: FlaskClient) -> None:
    first = exchange(client, issue_code(app, make_user(client), scope="openid offline_access")["code"]).get_json()
    narrower = refresh(client, first["refresh_token"], scope="offline_access").get_json()
    assert narrower["scope"] == "offline_access" and "id_token" not in narrower
    assert error(refresh(client, first["refresh_token"], scope="openid email")) == (
        400,
        "invalid_scope",
        "unknown_scope",
    )


def test_refresh_expires_in_shortens_only(app: Flask, client: FlaskClient) -> None:
    first = exchange(client, issue_code(app, make_user(client))["code"]).get_json()
    assert refresh(client, first["refresh_token"], expires_in="60").get_json()["expires_in"] == 60
    assert refresh(client, first["refresh_token"], expires_in="99999").get_json()["expires_in"] == 3600
    assert error(refresh(client, first["refresh_token"], expires_in="soon")) == (
        400,
        "invalid_request",
        "invalid_expires_in",
    )


def test_refresh_one_time_use_rotates(app: Flask, client: FlaskClient) -> None:
    response = client.patch(
        f"/api/application/{APP_ID}",
        json={"application": {"jwtConfiguration": {"enabled": True, "refreshTokenUsagePolicy": "OneTimeUse"}}},
        headers=AUTH,
    )
    assert response.status_code == 200, response.data
    first = exchange(client, issue_code(app, make_user(client))["code"]).get_json()
    second = refresh(client, first["refresh_token"]).get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert error(refresh(client, first["refresh_token"])) == (400, "invalid_grant", "refresh_token_not_found")
    assert refresh(client, second["refresh_token"]).status_code == 200


def test_refresh_errors(client: FlaskClient) -> None:
    assert error(refresh(client, "")) == (400, "invalid_request", "missing_refresh_token")
    assert error(refresh(client, "unknown")) == (400, "invalid_grant", "refresh_token_not_found")


# -- keys -------------------------------------------------------------------------------------------------------
def test_application_keys_sign_both_tokens(app: Flask, client: FlaskClient) -> None:
    response = client.patch(
        f"/api/application/{APP_ID}",
        json={
            "application": {
                "jwtConfiguration": {"enabled": True, "accessTokenKeyId": ES256_KEY, "idTokenKeyId": ES256_KEY}
            }
        },
        headers=AUTH,
    )
    assert response.status_code == 200, response.data
    body = exchange(client, issue_code(app, make_user(client))["code"]).get_json()
    jwks = client.get("/.well-known/jwks.json").get_json()
    for token in (body["access_token"], body["id_token"]):
        assert jwt.get_unverified_header(token)["alg"] == "ES256"
        assert verify_with_jwks(token, jwks, CLIENT_ID)["sub"] == body["userId"]


def test_populate_lambda_applies_to_oauth_access_tokens(app: Flask, client: FlaskClient) -> None:
    body = {
        "lambda": {
            "name": "p",
            "type": "JWTPopulate",
            "body": "function populate(jwt, user, registration) { jwt.team = 'pp'; }",
        }
    }
    response = client.post("/api/lambda", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    lambda_id = response.get_json()["lambda"]["id"]
    response = client.patch(
        f"/api/application/{APP_ID}",
        json={"application": {"lambdaConfiguration": {"accessTokenPopulateId": lambda_id}}},
        headers=AUTH,
    )
    assert response.status_code == 200, response.data
    tokens = exchange(client, issue_code(app, make_user(client))["code"]).get_json()
    assert unverified(tokens["access_token"])["team"] == "pp"


def test_authlib_accepts_the_id_token(app: Flask, client: FlaskClient) -> None:
    """A standard OIDC library validates the id token: signature (the client secret, HS256), iss, aud == client_id
    byte for byte, nonce, at_hash, exp/iat."""
    from authlib.jose import jwt as authlib_jwt
    from authlib.oidc.core import CodeIDToken

    tokens = exchange(client, issue_code(app, make_user(client))["code"]).get_json()
    claims = authlib_jwt.decode(
        tokens["id_token"],
        SECRET.encode(),
        claims_cls=CodeIDToken,
        claims_options={"iss": {"values": ["acme.com"]}},
        claims_params={"nonce": "nonce-456", "client_id": CLIENT_ID, "access_token": tokens["access_token"]},
    )
    claims.validate()
    assert claims["aud"] == CLIENT_ID


def test_forced_errors_have_oauth_bodies(client: FlaskClient) -> None:
    for status in (400, 401):
        response = client.post("/oauth2/token", data={}, headers={"Prefer": f"code={status}"})
        assert response.status_code == status and response.get_json()["error"]
