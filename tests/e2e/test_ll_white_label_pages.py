"""The pages White Label mails link to, in headless Chromium against a live mock: a player opens the verification
link (the account becomes verified) and the reset link, types a too-short password (the page refuses it), then a
good one twice; afterwards the old password fails and the new one logs in."""

from __future__ import annotations

from typing import Any

import requests

from mockserver.testing import LiveServer

from .conftest import Shots

WL = {"domain-key": "mockserverdev", "is-development": "true"}
EMAIL, OLD, NEW = "gilfoyle@piedpiper.test", "son of anton", "anton is back"


def call(mock: LiveServer, path: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{mock.url}/white-label-login/{path}", json=body, headers=WL, timeout=10)


def link(mock: LiveServer, template: str) -> str:
    messages = requests.get(f"{mock.url}/_mock/messages", params={"to": EMAIL}, timeout=10).json()["messages"]
    return str(next(m for m in messages if m["data"].get("template") == template)["data"]["link"])


def test_a_player_verifies_the_account_and_resets_the_password(page: Any, mock: LiveServer, shots: Shots) -> None:
    requests.post(f"{mock.url}/_mock/reset", timeout=10).raise_for_status()
    assert call(mock, "sign-up", {"email": EMAIL, "password": OLD}).status_code == 200

    assert call(mock, "request-verification", {"email": EMAIL}).status_code == 204
    verify = link(mock, "WhiteLabelVerification")
    assert verify.startswith(f"{mock.url}/_mock/lootlocker/white-label/verify?token=")
    page.goto(verify)
    assert page.locator("#wl-verified").is_visible()
    shots(page, "verified")
    assert call(mock, "login", {"email": EMAIL, "password": OLD}).json()["verified_at"] is not None

    assert call(mock, "request-reset-password", {"email": EMAIL}).status_code == 204
    page.goto(link(mock, "WhiteLabelResetPassword"))
    assert page.locator("#wl-email").inner_text() == EMAIL
    # The browser enforces minlength: remove it to see the server's own rule.
    page.evaluate("document.querySelectorAll('input[minlength]').forEach(i => i.removeAttribute('minlength'))")
    page.fill("#wl-password", "short")
    page.fill("#wl-password-confirmation", "short")
    page.click("#wl-reset-submit")
    assert "at least 8 characters" in page.locator("#wl-problem").inner_text()
    shots(page, "refused")
    page.fill("#wl-password", NEW)
    page.fill("#wl-password-confirmation", NEW)
    page.click("#wl-reset-submit")
    assert page.locator("#wl-reset-done").is_visible()
    shots(page, "changed")

    assert call(mock, "login", {"email": EMAIL, "password": OLD}).status_code == 401
    assert call(mock, "login", {"email": EMAIL, "password": NEW}).status_code == 200
