"""The remote sign-in page a lease's redirect_url and display_url open (/_mock/lootlocker/remote), over HTTP with
the strict test client: URLs on the request's host, the QR code decoded, each step seen by the game's poll, the
three ways to sign in, the provider filter, errors, and the control plane driving the same lease."""

from __future__ import annotations

import base64
import io
import re
from typing import Any
from urllib.parse import urlsplit

import zxingcpp
from flask.testing import FlaskClient
from PIL import Image

from .test_lootlocker_helpers import DOMAIN_KEY, GAME_KEY, connected, error_of, guest, register, session_headers
from .test_lootlocker_leases import LEASE_BODY, begin_link, begin_login, browser, poll

PAGE = "/_mock/lootlocker/remote"
HOST = "http://games.example.test:8123"
WL_HEADERS = {"domain-key": DOMAIN_KEY, "is-development": "true"}
PASSWORD = "correct horse battery 9"


def qr_text(png_base64: str) -> str:
    image = Image.open(io.BytesIO(base64.b64decode(png_base64))).convert("L")
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return str(found[0].text)


def ids(html: str) -> list[str]:
    return re.findall(r'id="(ll-[^"]+)"', html)


def status_of(client: FlaskClient, lease: dict[str, Any]) -> str:
    return str(poll(client, lease).get_json()["lease_status"])


def submit(client: FlaskClient, lease: dict[str, Any], action: str, **fields: str) -> Any:
    return client.post(PAGE, data={"code": lease["code"], "nonce": lease["nonce"], "action": action, **fields})


def open_and_confirm(client: FlaskClient, lease: dict[str, Any], query: str = "") -> str:
    """Open redirect_url (claims), confirm the code (verifies); the sign-in page's HTML."""
    url = urlsplit(lease["redirect_url"])
    opened = client.get(f"{url.path}?{url.query}{query}")
    assert opened.status_code == 200 and "ll-remote-confirm" in ids(opened.text), opened.text
    assert status_of(client, lease) == "CLAIMED"
    confirmed = submit(client, lease, "verify", **({"provider": query.split("=")[1]} if query else {}))
    assert confirmed.status_code == 302
    assert status_of(client, lease) == "VERIFIED"
    page = client.get(confirmed.headers["Location"])
    assert page.status_code == 200 and "ll-remote-confirm" not in ids(page.text)
    return str(page.text)


def test_lease_urls_are_on_the_request_host_and_the_qr_code_holds_redirect_url(client: FlaskClient) -> None:
    login = client.post("/game/session/remote/lease", json=LEASE_BODY, base_url=HOST).get_json()
    assert login["redirect_url"] == f"{HOST}{PAGE}?code={login['code']}&nonce={login['nonce']}"
    assert login["display_url"] == f"{HOST}{PAGE}"
    assert qr_text(login["redirect_url_qr_base64"]) == login["redirect_url"]
    player = guest(client)
    link = client.post(
        "/game/session/remote/link/lease", json=LEASE_BODY, headers=session_headers(player), base_url="https://b.test"
    ).get_json()
    assert link["redirect_url"].startswith(f"https://b.test{PAGE}?code={link['code']}&")
    assert qr_text(link["redirect_url_qr_base64"]) == link["redirect_url"]


def test_login_with_a_registry_account_step_by_step(client: FlaskClient) -> None:
    register(client, "twitch", "9001", username="bighead")
    lease = begin_login(client)
    html = open_and_confirm(client, lease)
    for expected in ("ll-identity-twitch-9001", "ll-create", "ll-wl", "ll-new-player", "ll-remote-cancel"):
        assert expected in ids(html)
    done = submit(client, lease, "authorize", identity_provider="twitch", identity_id="9001")
    assert done.status_code == 200 and 'data-outcome="authorized"' in done.text
    session = poll(client, lease).get_json()
    assert session["lease_status"] == "AUTHORIZED" and session["seen_before"] is False
    assert connected(client, session) == ["twitch"]
    # The same Twitch account signs in as the same player next time.
    again = begin_login(client)
    open_and_confirm(client, again)
    submit(client, again, "authorize", identity_provider="twitch", identity_id="9001")
    assert poll(client, again).get_json()["player_ulid"] == session["player_ulid"]
    # Opening a spent lease's page says so.
    url = urlsplit(lease["redirect_url"])
    spent = client.get(f"{url.path}?{url.query}")
    assert spent.status_code == 409 and 'data-outcome="unusable"' in spent.text


def test_display_url_takes_a_typed_code_without_nonce(client: FlaskClient) -> None:
    form = client.get(PAGE)
    assert form.status_code == 200 and "ll-remote-code-input" in ids(form.text)
    assert form.headers["Content-Type"] == "text/html; charset=UTF-8" and form.headers["X-Frame-Options"] == "DENY"
    with_provider = client.get(PAGE, query_string={"provider": "twitch"})  # the Unity SDK appends it to display_url
    assert '<input type="hidden" name="provider" value="twitch">' in with_provider.text
    lease = begin_login(client)
    typed = client.get(PAGE, query_string={"code": f" {lease['code'].lower()} "})
    assert typed.status_code == 200 and "ll-remote-confirm" in ids(typed.text)
    assert status_of(client, lease) == "CLAIMED"
    confirmed = client.post(PAGE, data={"code": lease["code"].lower(), "action": "verify"})
    assert confirmed.status_code == 302 and "nonce" not in confirmed.headers["Location"]
    done = client.post(PAGE, data={"code": lease["code"], "action": "new_player"})
    assert done.status_code == 200 and 'data-outcome="authorized"' in done.text
    session = poll(client, lease).get_json()
    assert session["lease_status"] == "AUTHORIZED" and session["seen_before"] is False


def test_create_an_account_on_the_page(client: FlaskClient) -> None:
    lease = begin_login(client)
    open_and_confirm(client, lease)
    created = submit(client, lease, "create", identity_provider="steam", username="gilfoyle")
    assert created.status_code == 200 and 'data-outcome="authorized"' in created.text
    steam = client.get("/_mock/identities", query_string={"provider": "steam"}).get_json()["identities"]
    assert [i["username"] for i in steam if i.get("username") == "gilfoyle"] == ["gilfoyle"]
    session = poll(client, lease).get_json()
    assert connected(client, session) == ["steam"]
    # A taken username, or no provider, is said on the page; the lease stays VERIFIED.
    other = begin_login(client)
    open_and_confirm(client, other)
    taken = submit(client, other, "create", identity_provider="steam", username="GILFOYLE")
    assert taken.status_code == 400 and "is taken" in taken.text and "ll-remote-error" in ids(taken.text)
    nothing = submit(client, other, "create", identity_provider="guest", username="x")
    assert nothing.status_code == 400 and "Choose the provider" in nothing.text
    assert status_of(client, other) == "VERIFIED"


def test_white_label_account_signs_in_as_its_player(client: FlaskClient) -> None:
    email = "monica@raviga.test"
    signed_up = client.post(
        "/white-label-login/sign-up", json={"email": email, "password": PASSWORD}, headers=WL_HEADERS
    )
    assert signed_up.status_code == 200, signed_up.get_json()
    lease = begin_login(client)
    open_and_confirm(client, lease)
    wrong = submit(client, lease, "white_label", email=email, password="not the password 1")
    assert wrong.status_code == 400 and "ll-remote-error" in ids(wrong.text) and email in wrong.text
    assert status_of(client, lease) == "VERIFIED"
    done = submit(client, lease, "white_label", email=email, password=PASSWORD)
    assert done.status_code == 200 and 'data-outcome="authorized"' in done.text
    remote = poll(client, lease).get_json()
    assert connected(client, remote) == ["credentials"]
    # The White Label game session signs in as the same player.
    login = client.post(
        "/white-label-login/login", json={"email": email, "password": PASSWORD}, headers=WL_HEADERS
    ).get_json()
    body = {"game_key": GAME_KEY, "email": email, "token": login["session_token"], "game_version": "1.0.0"}
    session = client.post("/game/v2/session/white-label", json=body).get_json()
    assert session["player_ulid"] == remote["player_ulid"]


def test_link_lease_with_the_provider_filter_then_attach(client: FlaskClient) -> None:
    register(client, "discord", "3141", username="jared")
    player = guest(client)
    lease = begin_link(client, player)
    html = open_and_confirm(client, lease, "&provider=discord")
    assert "ll-identity-discord-3141" in ids(html)
    assert not [i for i in ids(html) if i.startswith(("ll-identity-twitch", "ll-wl", "ll-new-player"))]
    done = submit(client, lease, "authorize", identity_provider="discord", identity_id="3141", provider="discord")
    assert done.status_code == 200 and "connects the account" in done.text
    attach = {"code": lease["code"], "nonce": lease["nonce"]}
    attached = client.put("/game/v1/connected-accounts/attach", json=attach, headers=session_headers(player))
    assert attached.status_code == 200 and attached.get_json()["connected_account"]["provider"] == "discord"
    assert connected(client, player) == ["discord", "guest"]
    # A link lease needs an account: "new player" is refused on the page.
    other = begin_link(client, player)
    open_and_confirm(client, other)
    refused = submit(client, other, "new_player")
    assert refused.status_code == 400 and "needs the account" in refused.text


def test_cancel_and_bad_requests(client: FlaskClient) -> None:
    lease = begin_login(client)
    url = urlsplit(lease["redirect_url"])
    assert client.get(PAGE, query_string={"code": "NOPE1234"}).status_code == 404
    wrong_nonce = client.get(PAGE, query_string={"code": lease["code"], "nonce": "01HZZZZZZZZZZZZZZZZZZZZZZZ"})
    assert wrong_nonce.status_code == 400 and "does not belong" in wrong_nonce.text
    assert status_of(client, lease) == "CREATED"  # a wrong nonce claims nothing
    assert client.get(f"{url.path}?{url.query}").status_code == 200
    unknown = submit(client, lease, "explode")  # not one of the page's forms: the control plane's error
    assert unknown.status_code == 400 and unknown.get_json()["error"] == "invalid body"
    missing = client.post(PAGE, data={"code": lease["code"]})
    assert missing.status_code == 400 and "Unknown action" in missing.text
    too_early = submit(client, lease, "new_player")  # not confirmed yet
    assert too_early.status_code == 400 and "this step needs VERIFIED" in too_early.text
    assert client.post(PAGE, data={"action": "verify"}).status_code == 400
    assert client.post(PAGE, data={"code": "AB\x00CD" * 50, "action": "verify"}).status_code == 404  # never a key
    cancelled = submit(client, lease, "cancel")
    assert cancelled.status_code == 200 and 'data-outcome="cancelled"' in cancelled.text
    error_of(poll(client, lease), 400, "parameter_invalid", "lease_code")
    assert client.get(f"{url.path}?{url.query}").status_code == 409


def test_page_and_control_plane_drive_the_same_lease(client: FlaskClient) -> None:
    lease = begin_login(client)
    assert browser(client, lease, "claim").get_json()["status"] == "CLAIMED"
    url = urlsplit(lease["redirect_url"])
    page = client.get(f"{url.path}?{url.query}")  # already claimed: asks to confirm, claims nothing twice
    assert page.status_code == 200 and "ll-remote-confirm" in ids(page.text)
    assert submit(client, lease, "verify").status_code == 302
    authorized = browser(client, lease, "authorize").get_json()
    assert authorized["status"] == "AUTHORIZED"
    shown = client.get(f"{url.path}?{url.query}")
    assert shown.status_code == 200 and 'data-outcome="authorized"' in shown.text
    assert poll(client, lease).get_json()["player_ulid"] == authorized["player_ulid"]
    spent = browser(client, lease, "verify")  # the control plane sees the page's and the poll's steps too
    assert spent.status_code == 409 and "SPENT" in spent.get_json()["error"]
