"""A person signs in to a web app (Authlib, OIDC discovery + PKCE) through the mock's hosted pages in Chromium."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from .conftest import Admin, SampleApp, Shots


def test_the_app_sends_the_browser_to_the_authorize_endpoint(
    page: Any, admin: Admin, sample_app: SampleApp, shots: Shots
) -> None:
    page.goto(sample_app.url)
    shots(page, "app-home")
    assert page.inner_text("#status") == "Not signed in."
    requests_seen: list[str] = []
    page.on("request", lambda r: requests_seen.append(r.url))
    page.click("#login")
    page.wait_for_load_state()
    shots(page, "after-login-click")
    authorize = next(u for u in requests_seen if "/oauth2/authorize" in u)
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(admin.url)
    assert query["code_challenge_method"] == ["S256"] and query["response_type"] == ["code"]
