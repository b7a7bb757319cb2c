"""Shared setup for the OAuth tests: the fixture application's client, a user, codes issued as the login page does."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from mockserver.fusionauth.oauth import authorize, codes, sso

from .conftest import API_KEY, APP_ID, TENANT_ID

AUTH = {"Authorization": API_KEY, "X-FusionAuth-TenantId": TENANT_ID}
CLIENT_ID = APP_ID
SECRET = "mockserver-pied-piper-login-secret-FOR-TESTING-ONLY"  # fixtures/fusionauth/applications.json
REDIRECT = "http://localhost:5000/callback"
EMAIL = "gilfoyle@piedpiper.com"
PASSWORD = "password-gilfoyle"


def basic(client_id: str = CLIENT_ID, secret: str = SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def make_user(client: FlaskClient, register: bool = True, **fields: Any) -> dict[str, Any]:
    user = {"email": EMAIL, "password": PASSWORD, "firstName": "Bertram", "lastName": "Gilfoyle", **fields}
    if register:
        body = {"user": user, "registration": {"applicationId": APP_ID, "roles": []}, "skipVerification": True}
        response = client.post("/api/user/registration", json=body, headers=AUTH)
    else:
        response = client.post("/api/user", json={"user": user, "skipVerification": True}, headers=AUTH)
    assert response.status_code == 200, response.data
    return response.get_json()["user"]


def configure(client: FlaskClient, application_id: str = APP_ID, **oauth: Any) -> dict[str, Any]:
    """Merge-PATCHes the application's oauthConfiguration (arrays replaced) and returns the application."""
    body = json.dumps({"application": {"oauthConfiguration": oauth}})
    headers = {**AUTH, "Content-Type": "application/merge-patch+json"}
    response = client.patch(f"/api/application/{application_id}", data=body, headers=headers)
    assert response.status_code == 200, response.data
    return response.get_json()["application"]


def authorize_params(**changes: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid offline_access email profile",
        "state": "state-123",
        "nonce": "nonce-456",
        **changes,
    }
    return {k: v for k, v in params.items() if v is not None}


def issue_code(app: Flask, user: dict[str, Any], remember: bool = False, **changes: str | None) -> dict[str, str]:
    """What the login page does after a good password: the redirect's query parameters (code, state, …)."""
    store = app.extensions["mockserver.store"]
    request = authorize.parse(authorize_params(**changes), store)
    assert isinstance(request, authorize.AuthorizeRequest), request
    cookies = sso.start(store, user, request.tenant, remember)
    location = codes.issue(store, request, user, "PASSWORD", sso.session_id(cookies))
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == request.redirect_uri
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def exchange(client: FlaskClient, code: str, headers: dict[str, str] | None = None, **form: str | None) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **form}
    return client.post(
        "/oauth2/token",
        data={k: v for k, v in data.items() if v is not None},
        headers=basic() if headers is None else headers,
    )
