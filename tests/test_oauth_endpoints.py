"""Discovery, userinfo, introspect, logout, the authorize parameter checks, the SSO session and the routing of
form bodies and HTML / redirect answers (strict mode)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver.fusionauth.oauth import authorize, sso
from mockserver.openapi import specs
from mockserver.routing import response_problem

from .conftest import EMAIL_TENANT_ID, TENANT_ID
from .oauth_helpers import (
    AUTH,
    CLIENT_ID,
    REDIRECT,
    SECRET,
    authorize_params,
    basic,
    configure,
    exchange,
    issue_code,
    make_user,
    pkce,
)


# -- discovery ---------------------------------------------------------------------------------------------------
def test_discovery_has_fusionauths_fields(client: FlaskClient) -> None:
    body = client.get("/.well-known/openid-configuration").get_json()
    assert body["issuer"] == "acme.com"
    assert body["authorization_endpoint"] == "http://localhost/oauth2/authorize"
    assert body["token_endpoint"] == "http://localhost/oauth2/token"
    assert body["userinfo_endpoint"] == "http://localhost/oauth2/userinfo"
    assert body["end_session_endpoint"] == "http://localhost/oauth2/logout"
    assert body["jwks_uri"] == "http://localhost/.well-known/jwks.json"
    assert body["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post", "none"]
    assert body["response_types_supported"] == ["code", "id_token", "token id_token"]
    assert "RS256" in body["id_token_signing_alg_values_supported"] and body["scopes_supported"][0] == "openid"


def test_discovery_follows_the_tenant_issuer(client: FlaskClient) -> None:
    response = client.patch(
        f"/api/tenant/{EMAIL_TENANT_ID}",
        json={"tenant": {"issuer": "https://login.example.com"}},
        headers={"Authorization": AUTH["Authorization"]},  # no tenant header: the key reaches every tenant
    )
    assert response.status_code == 200, response.data
    by_query = client.get(f"/.well-known/openid-configuration?tenantId={EMAIL_TENANT_ID}").get_json()
    by_path = client.get(f"/{EMAIL_TENANT_ID}/.well-known/openid-configuration").get_json()
    assert by_query["issuer"] == by_path["issuer"] == "https://login.example.com"
    assert client.get(f"/{TENANT_ID}/.well-known/openid-configuration").get_json()["issuer"] == "acme.com"


# -- authorize parameters -----------------------------------------------------------------------------------------
def parse(app: Flask, **changes: str | None) -> Any:
    return authorize.parse(authorize_params(**changes), app.extensions["mockserver.store"])


@pytest.mark.parametrize(
    ("changes", "error", "reason"),
    [
        ({"client_id": None}, "invalid_request", "missing_client_id"),
        ({"client_id": "11111111-2222-3333-4444-555555555555"}, "invalid_client", "invalid_client_id"),
        ({"redirect_uri": None}, "invalid_request", "missing_redirect_uri"),
        ({"redirect_uri": "https://evil.example.com/cb"}, "invalid_request", "invalid_redirect_uri"),
    ],
)
def test_authorize_errors_shown_on_the_error_page(app: Flask, changes: dict[str, Any], error: str, reason: str) -> None:
    found = parse(app, **changes)
    assert isinstance(found, authorize.AuthorizeError) and not found.redirects
    assert (found.error, found.reason) == (error, reason)
    reply = found.reply()
    assert reply.status == 400 and reply.headers["Content-Type"].startswith("text/html")
    assert f"&quot;error_reason&quot;: &quot;{reason}&quot;" in reply.body  # the error's JSON, escaped in a <pre>


@pytest.mark.parametrize(
    ("changes", "error", "reason"),
    [
        ({"response_type": None}, "invalid_request", "missing_response_type"),
        ({"response_type": "magic"}, "unsupported_response_type", "invalid_response_type"),
        ({"response_type": "token"}, "unauthorized_client", "grant_type_disabled"),
        (
            {"code_challenge": "x" * 43, "code_challenge_method": "plain"},
            "invalid_request",
            "invalid_pkce_code_challenge_method",
        ),
        ({"scope": "openid launch_missiles"}, "invalid_scope", "unknown_scope"),
        ({"prompt": "none login"}, "invalid_request", "invalid_prompt"),
        ({"response_mode": "carrier_pigeon"}, "invalid_request", "invalid_response_mode"),
    ],
)
def test_authorize_errors_redirected(app: Flask, changes: dict[str, Any], error: str, reason: str) -> None:
    found = parse(app, **changes)
    assert isinstance(found, authorize.AuthorizeError) and found.redirects
    reply = found.reply()
    assert reply.status == 302
    location = urlsplit(reply.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["error"] == error and query["error_reason"] == reason and query["state"] == "state-123"
    assert query["error_description"]


def test_pkce_required_policy(app: Flask, client: FlaskClient) -> None:
    configure(client, proofKeyForCodeExchangePolicy="Required")
    found = parse(app)
    assert isinstance(found, authorize.AuthorizeError) and found.reason == "missing_code_challenge"
    assert isinstance(parse(app, code_challenge=pkce()[1], code_challenge_method="S256"), authorize.AuthorizeRequest)


def test_unknown_scope_policy_remove(app: Flask, client: FlaskClient) -> None:
    configure(client, unknownScopePolicy="Remove")
    found = parse(app, scope="openid launch_missiles email")
    assert isinstance(found, authorize.AuthorizeRequest) and found.scope == "openid email"


def test_hidden_fields_carry_the_request(app: Flask) -> None:
    request = parse(app, code_challenge=pkce()[1], code_challenge_method="S256", login_hint="g@piedpiper.com")
    fields = request.hidden_fields()
    assert set(authorize.HIDDEN_FIELDS) <= set(fields)
    assert fields["client_id"] == CLIENT_ID and fields["redirect_uri"] == REDIRECT and fields["tenantId"] == TENANT_ID
    rebuilt = authorize.AuthorizeRequest.from_form(fields, app.extensions["mockserver.store"])
    assert isinstance(rebuilt, authorize.AuthorizeRequest)
    assert (rebuilt.code_challenge, rebuilt.state, rebuilt.nonce) == (request.code_challenge, "state-123", "nonce-456")


def test_form_post_response_mode(app: Flask, client: FlaskClient) -> None:
    found = parse(app, response_type=None, response_mode="form_post")
    reply = found.reply()
    assert reply.status == 200 and f'action="{REDIRECT}"' in reply.body
    assert 'name="error" value="invalid_request"' in reply.body


def test_user_state_not_registered(app: Flask, client: FlaskClient) -> None:
    assert issue_code(app, make_user(client, register=False))["userState"] == "AuthenticatedNotRegistered"


# -- SSO session --------------------------------------------------------------------------------------------------
def test_sso_session_only_when_remembered(app: Flask, client: FlaskClient) -> None:
    store = app.extensions["mockserver.store"]
    user = make_user(client)
    request = parse(app)
    assert sso.start(store, user, request.tenant, remember=False) == []
    cookies = sso.start(store, user, request.tenant, remember=True)
    ((name, value, options),) = cookies
    assert name == "fusionauth.sso" and options["max_age"] == 31_536_000 and options["httponly"]
    session = sso.current(store, {name: value}, TENANT_ID)
    assert session is not None and session["userId"] == user["id"]
    assert sso.current(store, {name: value}, EMAIL_TENANT_ID) is None
    sso.end(store, {name: value})
    assert sso.current(store, {name: value}) is None


# -- userinfo -----------------------------------------------------------------------------------------------------
def tokens(app: Flask, client: FlaskClient, **changes: str | None) -> dict[str, Any]:
    response = exchange(client, issue_code(app, make_user(client), **changes)["code"])
    assert response.status_code == 200, response.data
    return response.get_json()


def test_userinfo(app: Flask, client: FlaskClient) -> None:
    access = tokens(app, client)["access_token"]
    for response in (
        client.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {access}"}),
        client.post("/oauth2/userinfo", data={"access_token": access}),
    ):
        assert response.status_code == 200, response.data
        body = response.get_json()
        assert body["email"] == "gilfoyle@piedpiper.com" and body["given_name"] == "Bertram" and body["sub"]


def test_userinfo_claims_follow_scope(app: Flask, client: FlaskClient) -> None:
    access = tokens(app, client, scope="openid")["access_token"]
    body = client.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {access}"}).get_json()
    assert set(body) == {"sub"}


def test_userinfo_401s(app: Flask, client: FlaskClient) -> None:
    response = client.get("/oauth2/userinfo")
    assert response.status_code == 401 and response.get_json()["error_reason"] == "access_token_required"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.get("/oauth2/userinfo", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_token"
    access = tokens(app, client, scope="offline_access")["access_token"]  # Strict: openid needed
    response = client.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 401 and response.get_json()["error_reason"] == "missing_required_scope"


# -- introspect -----------------------------------------------------------------------------------------------------
def test_introspect(app: Flask, client: FlaskClient) -> None:
    access = tokens(app, client)["access_token"]
    body = client.post("/oauth2/introspect", data={"token": access, "client_id": CLIENT_ID}).get_json()
    assert body["active"] is True and body["aud"] == CLIENT_ID and body["scope"]
    other = "0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80"  # a token of another client is not active for this one
    assert client.post("/oauth2/introspect", data={"token": access, "client_id": other}).get_json() == {"active": False}
    assert client.post("/oauth2/introspect", data={"token": "x", "client_id": CLIENT_ID}).get_json() == {
        "active": False
    }
    response = client.post("/oauth2/introspect", data={"token": access}, headers=basic(secret="wrong"))
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"
    response = client.post("/oauth2/introspect", data={"client_id": CLIENT_ID})
    assert response.status_code == 400 and response.get_json()["error_reason"] == "missing_token"


def test_introspect_with_the_official_client(live_clean: Any) -> None:
    from fusionauth.fusionauth_client import FusionAuthClient

    fa = FusionAuthClient(AUTH["Authorization"], live_clean.url)
    fa.set_tenant_id(TENANT_ID)
    user = {"email": "gilfoyle@piedpiper.com", "password": "password-gilfoyle"}
    created = fa.register({"user": user, "registration": {"applicationId": CLIENT_ID}, "skipVerification": True})
    assert created.was_successful(), created.error_response
    granted = fa.start_anonymous().uri("/oauth2/token")  # the password grant, as the client's form handler sends
    from fusionauth.rest_client import FormDataBodyHandler

    form = {"grant_type": "password", "username": user["email"], "password": user["password"], "scope": "openid"}
    form.update(client_id=CLIENT_ID, client_secret=SECRET)
    response = granted.body_handler(FormDataBodyHandler(form)).post().go()
    assert response.was_successful(), response.error_response
    access = response.success_response["access_token"]
    inspected = fa.introspect_access_token(CLIENT_ID, access)
    assert inspected.was_successful() and inspected.success_response["active"] is True
    info = fa.retrieve_user_info_from_access_token(access)
    assert info.was_successful() and info.success_response["sub"] == created.success_response["user"]["id"]
    discovery = fa.retrieve_open_id_configuration()
    assert discovery.success_response["token_endpoint"] == f"{live_clean.url}/oauth2/token"


# -- logout -----------------------------------------------------------------------------------------------------------
def test_logout_page_ends_the_sso_session(app: Flask, client: FlaskClient) -> None:
    store = app.extensions["mockserver.store"]
    user = make_user(client)
    ((name, value, _),) = sso.start(store, user, parse(app).tenant, remember=True)
    client.set_cookie(name, value)
    configure(client, "0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80", logoutURL="http://localhost:7000/bye")
    response = client.get(f"/oauth2/logout?client_id={CLIENT_ID}")
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    page = response.get_data(as_text=True)
    assert '<meta http-equiv="Refresh" content="2; url=http://localhost:5000/logged-out">' in page  # app logoutURL
    assert '<iframe src="http://localhost:7000/bye"' in page  # every logoutURL of the tenant's applications
    assert any(c.startswith("fusionauth.sso=;") for c in response.headers.getlist("Set-Cookie"))
    assert sso.current(store, {name: value}) is None


def test_logout_redirect_only_with_post_logout_redirect_uri(client: FlaskClient) -> None:
    configure(client, logoutBehavior="RedirectOnly")
    target = "http://localhost:5000/logged-out"
    response = client.post(
        "/oauth2/logout", data={"client_id": CLIENT_ID, "post_logout_redirect_uri": target, "state": "s"}
    )
    assert response.status_code == 302 and response.headers["Location"] == f"{target}?state=s"


def test_logout_refuses_unauthorized_redirect(client: FlaskClient) -> None:
    response = client.get(f"/oauth2/logout?client_id={CLIENT_ID}&post_logout_redirect_uri=https://evil.example.com/")
    assert response.status_code == 400 and "invalid_post_logout_redirect_uri" in response.get_data(as_text=True)


def test_logout_by_id_token_hint_and_fallbacks(app: Flask, client: FlaskClient) -> None:
    configure(client, logoutBehavior="RedirectOnly")
    id_token = tokens(app, client)["id_token"]
    response = client.get(f"/oauth2/logout?id_token_hint={id_token}")
    assert response.headers["Location"] == "http://localhost:5000/logged-out"
    assert client.get("/oauth2/logout").headers["Location"] == "/"  # no application, no tenant logoutURL


# -- routing of form bodies and pages (strict mode) -------------------------------------------------------------------
def test_strict_mode_checks_page_media_types() -> None:
    operation = specs().fusionauth.operations["oauthLogout"]
    assert response_problem(operation, 200, b"<html></html>", "text/html") is None
    assert response_problem(operation, 302, b"", None) is None
    assert "declares no text/plain" in (response_problem(operation, 200, b"hi", "text/plain") or "")
    token = specs().fusionauth.operations["oauthToken"]
    assert "declares no text/html" in (response_problem(token, 200, b"<p>", "text/html") or "")


def test_forced_statuses(client: FlaskClient) -> None:
    response = client.get("/oauth2/logout", headers={"Prefer": "code=400"})
    assert response.status_code == 400 and response.content_type.startswith("text/html")
    response = client.get("/oauth2/userinfo", headers={"Prefer": "code=401"})
    assert response.status_code == 401 and response.get_json()["error"]
