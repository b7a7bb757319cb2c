"""A web game on another origin calls the mock's LootLocker API from headless Chromium with fetch (every call
preflighted): White Label sign-up, login and game session, connected accounts, a friend request sent and accepted
between two players, a follow, and a remote sign-in whose lease a second tab completes on the mock's page.

The page is ours (tests/e2e/ll_static/: plain HTML + JS), served by a tiny http.server on localhost while the mock
listens on 127.0.0.1: two origins, so the browser enforces CORS on every call."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from mockserver.testing import LiveServer

from .conftest import Shots

STATIC = Path(__file__).parent / "ll_static"
EMAIL = "richard@piedpiper.test"
PASSWORD = "middle-out compression"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the test output stays readable
        pass


@pytest.fixture(scope="module")
def static_origin() -> Iterator[str]:
    """tests/e2e/ll_static/ on http://localhost:<free port> (the mock is on 127.0.0.1: another origin)."""
    server = ThreadingHTTPServer(("localhost", 0), functools.partial(_Quiet, directory=str(STATIC)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def js(page: Any, expression: str, *args: Any) -> Any:
    """Run one of the page's API calls (window.ll) in the page, as its own script would."""
    return page.evaluate(f"(args) => {expression}", list(args))


def test_a_web_game_on_another_origin(page: Any, mock: LiveServer, static_origin: str, shots: Shots) -> None:
    requests.post(f"{mock.url}/_mock/reset", timeout=10).raise_for_status()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{static_origin}/index.html?{urlencode({'api': mock.url})}")

    # White Label: sign up, log in, start the game session; the account shows as connected.
    signed_up = js(page, "ll.signUp(args[0], args[1])", EMAIL, PASSWORD)
    assert signed_up["email"] == EMAIL
    login = js(page, "ll.login(args[0], args[1])", EMAIL, PASSWORD)
    richard = js(page, "ll.whiteLabelSession(args[0], args[1])", EMAIL, login["session_token"])
    assert richard["session_token"] and richard["player_ulid"]
    accounts = js(page, "ll.connectedAccounts(args[0])", richard["session_token"])
    assert [a["provider"] for a in accounts["connected_accounts"]] == ["credentials"]

    # Two players: a friend request sent and accepted; a follow.
    gavin = js(page, "ll.guestSession()")
    js(page, "ll.sendFriendRequest(args[0], args[1])", richard["session_token"], gavin["player_ulid"])
    incoming = js(page, "ll.incoming(args[0])", gavin["session_token"])
    assert [r["player_id"] for r in incoming["incoming"]] == [richard["player_ulid"]]
    js(page, "ll.accept(args[0], args[1])", gavin["session_token"], richard["player_ulid"])
    friends = js(page, "ll.friends(args[0])", richard["session_token"])
    assert [f["player_id"] for f in friends["friends"]] == [gavin["player_ulid"]]
    js(page, "ll.follow(args[0], args[1])", richard["session_token"], gavin["public_uid"])
    followers = js(page, "ll.followers(args[0], args[1])", gavin["session_token"], gavin["public_uid"])
    assert [f["player_id"] for f in followers["followers"]] == [richard["player_ulid"]]
    shots(page, "social-done")

    # Remote sign-in: this page begins a lease and polls; a second tab opens redirect_url and signs in.
    page.click("#lease-start")
    page.wait_for_selector("#lease-status[data-state=polling]")
    code = page.inner_text("#lease-code")
    assert page.get_attribute("#lease-link", "href").startswith(f"{mock.url}/_mock/lootlocker/remote?code={code}&")
    shots(page, "lease-shown")
    with page.context.expect_page() as opened:
        page.click("#lease-link")
    tab = opened.value
    tab.wait_for_selector("#ll-remote-confirm")
    assert tab.inner_text("#ll-remote-code") == code
    page.wait_for_selector("#lease-status[data-lease=CLAIMED]")  # the game sees each step
    shots(tab, "remote-confirm")
    with tab.expect_navigation():
        tab.click("#ll-remote-confirm")
    page.wait_for_selector("#lease-status[data-lease=VERIFIED]")
    tab.fill("#ll-wl-email", EMAIL)
    tab.fill("#ll-wl-password", PASSWORD)
    shots(tab, "remote-sign-in")
    with tab.expect_navigation():
        tab.click("#ll-wl-submit")
    assert tab.get_attribute("#ll-remote-done", "data-outcome") == "authorized"
    shots(tab, "remote-done")
    page.wait_for_selector("#lease-status[data-state=signed-in]")
    assert page.get_attribute("#lease-status", "data-player-ulid") == richard["player_ulid"]
    shots(page, "remote-signed-in")
    assert not [e for e in errors if "CORS" in e or "Access-Control" in e], errors
