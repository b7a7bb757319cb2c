"""White Label login over HTTP: sign-up rules, login lifetimes (remember), verify-session, the verification and
password-reset mails in the outbox and the pages their links lead to, Block Unverified Players, isolation between
games, Prefer forcing; and LootLocker's 404 body for unknown /client/ and /_files/lootlocker/ paths."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from mockserver.lootlocker import white_label

from .ll_admin_helpers import TestGame, create_game
from .test_lootlocker_helpers import DOMAIN_KEY, GAME_KEY, error_of

WL = {"domain-key": DOMAIN_KEY, "is-development": "true"}
EMAIL, PASSWORD = "ada@example.com", "correct horse"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
DAY = 86400


class Clock:
    """The White Label module's clock, moved forward by the tests (token and session lifetimes)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0
        real = white_label.now_s
        monkeypatch.setattr(white_label, "now_s", lambda: real() + self.offset)

    def advance(self, seconds: int) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def sign_up(client: FlaskClient, email: str = EMAIL, password: str = PASSWORD, headers: Any = None) -> Any:
    return client.post("/white-label-login/sign-up", json={"email": email, "password": password}, headers=headers or WL)


def login(
    client: FlaskClient, email: str = EMAIL, password: str = PASSWORD, remember: bool = False, headers: Any = None
) -> Any:
    body = {"email": email, "password": password, "remember": remember}
    return client.post("/white-label-login/login", json=body, headers=headers or WL)


def verify_session(client: FlaskClient, token: str, email: str = EMAIL, headers: Any = None) -> Any:
    return client.post(
        "/white-label-login/verify-session", json={"email": email, "token": token}, headers=headers or WL
    )


def game_session(client: FlaskClient, token: str, email: str = EMAIL, game_key: str = GAME_KEY) -> Any:
    body = {"game_key": game_key, "game_version": "1.0.0", "email": email, "token": token}
    return client.post("/game/v2/session/white-label", json=body)


def mails(client: FlaskClient, to: str = EMAIL) -> list[dict[str, Any]]:
    return list(client.get(f"/_mock/messages?to={to}").get_json()["messages"])


def local(link: str) -> str:
    """The mail's link as a path for the test client (the link names the host the request came to)."""
    parts = urlsplit(link)
    assert parts.scheme == "http" and parts.netloc == "localhost", link
    return f"{parts.path}?{parts.query}"


def request(client: FlaskClient, kind: str, body: dict[str, Any], headers: Any = None) -> Any:
    return client.post(f"/white-label-login/request-{kind}", json=body, headers=headers or WL)


# -- sign-up --
def test_sign_up_answers_the_account_with_both_verification_spellings(client: FlaskClient) -> None:
    body = {"email": "Ada@Example.com", "password": PASSWORD, "remember": True}  # the Unity SDK sends remember
    response = client.post("/white-label-login/sign-up", json=body, headers=WL)
    assert response.status_code == 200
    user = response.get_json()
    assert user["id"] == 1 and user["game_id"] == 1 and user["email"] == EMAIL
    assert ISO.match(user["created_at"]) and user["updated_at"] == user["created_at"] and user["deleted_at"] is None
    assert user["verified_at"] is None and user["validated_at"] is None  # Unity reads verified_at, Godot validated_at
    assert mails(client) == []  # the fixture game does not ask for verification


def test_sign_up_password_rules_and_duplicate_email(client: FlaskClient) -> None:
    error_of(sign_up(client, password="x" * 7), 400, "parameter_invalid", "password")
    error_of(sign_up(client, password="x" * 256), 400, "parameter_invalid", "password")
    error_of(sign_up(client, email="not-an-email"), 400, "parameter_invalid", "email")
    error_of(
        client.post("/white-label-login/sign-up", json={"email": EMAIL}, headers=WL),
        400,
        "parameter_missing",
        "password",
    )
    assert sign_up(client, password="x" * 8).status_code == 200  # "at least 8 characters"
    body = error_of(sign_up(client, email="ADA@example.com"), 409, "conflict")
    assert "already exists" in body["message"]
    assert sign_up(client, email="bob@example.com").get_json()["id"] == 2


# -- login, lifetimes, verify-session --
def test_login_and_verify_session(client: FlaskClient) -> None:
    user = sign_up(client).get_json()
    response = login(client, email="ADA@example.com")
    assert response.status_code == 200
    logged_in = response.get_json()
    assert re.fullmatch(r"[0-9a-f]{40}", logged_in["session_token"])
    assert {k: v for k, v in logged_in.items() if k != "session_token"} == user
    token = logged_in["session_token"]
    verified = verify_session(client, token)
    assert verified.get_json() == {"email": EMAIL, "token": token, "game_id": 1, "user_id": 1}
    error_of(verify_session(client, token, email="bob@example.com"), 401, "unauthorized")
    assert error_of(login(client, password="wrong password"), 401, "unauthorized")["message"] == "wrong email/password"
    assert error_of(login(client, email="who@example.com"), 401, "unauthorized")["message"] == "wrong email/password"


def test_a_session_lasts_a_day_and_with_remember_thirty_days(client: FlaskClient, clock: Clock) -> None:
    sign_up(client)
    day = login(client).get_json()["session_token"]
    month = login(client, remember=True).get_json()["session_token"]
    clock.advance(DAY - 60)
    assert verify_session(client, day).status_code == 200
    assert game_session(client, day).status_code == 200
    clock.advance(60)
    assert "expired" in error_of(verify_session(client, day), 401, "unauthorized")["message"]
    error_of(game_session(client, day), 401, "unauthorized")
    assert verify_session(client, month).status_code == 200
    clock.advance(29 * DAY - 60)
    assert game_session(client, month).status_code == 200
    clock.advance(60)
    error_of(verify_session(client, month), 401, "unauthorized")
    error_of(game_session(client, month), 401, "unauthorized")
    assert login(client, remember=True).status_code == 200  # logging in again gives a new session


def admin_wl_game(client: FlaskClient, **settings: Any) -> TestGame:
    game = create_game(client, name="wl game", platforms=("guest",))
    body = {"enabled": True, "settings": settings}
    assert client.put(game.dev("platforms/white_label_login"), json=body, headers=game.headers).status_code == 200
    return game


def dev_wl(game: TestGame) -> dict[str, str]:
    return {"domain-key": game.domain_key, "is-development": "true"}


def test_the_remember_lifetime_is_the_game_s_setting(client: FlaskClient, clock: Clock) -> None:
    game = admin_wl_game(client, remember_me_session_length=2)
    headers = dev_wl(game)
    assert sign_up(client, headers=headers).status_code == 200
    token = login(client, remember=True, headers=headers).get_json()["session_token"]
    clock.advance(2 * DAY - 60)
    assert verify_session(client, token, headers=headers).status_code == 200
    assert game_session(client, token, game_key=game.development_api_key).status_code == 200
    clock.advance(60)
    error_of(verify_session(client, token, headers=headers), 401, "unauthorized")


# -- verification mails and the verify page --
def test_request_verification_mails_a_link_that_verifies_the_account(client: FlaskClient) -> None:
    sign_up(client)
    response = request(client, "verification", {"email": EMAIL})
    assert response.status_code == 204 and response.data == b""
    [mail] = mails(client)
    assert mail["channel"] == "email" and mail["data"]["template"] == "WhiteLabelVerification"
    token, link = mail["data"]["token"], mail["data"]["link"]
    assert link == f"http://localhost/_mock/lootlocker/white-label/verify?token={token}"
    assert link in mail["body"]
    assert login(client).get_json()["verified_at"] is None  # the request alone verifies nothing
    page = client.get(local(link))
    assert page.status_code == 200 and page.content_type == "text/html; charset=UTF-8"
    assert 'id="wl-verified"' in page.text and EMAIL in page.text
    account = login(client).get_json()
    assert ISO.match(account["verified_at"]) and account["validated_at"] == account["verified_at"]
    assert account["updated_at"] == account["verified_at"]
    again = client.get(local(link))  # single-use
    assert again.status_code == 400 and "already been used" in again.text
    request(client, "verification", {"email": EMAIL})
    assert len(mails(client)) == 1  # a verified account gets no more verification mail


def test_request_verification_by_user_id_and_unknown_accounts(client: FlaskClient) -> None:
    user = sign_up(client).get_json()
    assert request(client, "verification", {"user_id": 42}).status_code == 204  # unknown: accepted, no mail
    assert request(client, "verification", {"email": "who@example.com"}).status_code == 204
    assert client.get("/_mock/messages").get_json()["messages"] == []
    assert request(client, "verification", {"user_id": user["id"]}).status_code == 204  # the Unity SDK's form
    first = mails(client)[0]["data"]["token"]
    request(client, "verification", {"email": EMAIL})
    second = mails(client)[0]["data"]["token"]
    assert second != first
    assert client.get(f"/_mock/lootlocker/white-label/verify?token={first}").status_code == 400  # replaced
    assert client.get(f"/_mock/lootlocker/white-label/verify?token={second}").status_code == 200
    error_of(request(client, "verification", {}), 400, "parameter_missing", "email")
    error_of(request(client, "verification", {"email": "nope"}), 400, "parameter_invalid", "email")
    assert client.get("/_mock/lootlocker/white-label/verify").status_code == 400  # no token


def test_a_verification_link_expires_after_a_day(client: FlaskClient, clock: Clock) -> None:
    sign_up(client)
    request(client, "verification", {"email": EMAIL})
    link = mails(client)[0]["data"]["link"]
    clock.advance(DAY)
    page = client.get(local(link))
    assert page.status_code == 400 and "expired" in page.text
    assert login(client).get_json()["verified_at"] is None


# -- password reset --
def reset_link(client: FlaskClient, body: dict[str, Any] | None = None) -> tuple[str, str]:
    assert request(client, "reset-password", body or {"email": EMAIL}).status_code == 204
    mail = mails(client)[0]
    assert mail["data"]["template"] == "WhiteLabelResetPassword" and mail["data"]["link"] in mail["body"]
    return mail["data"]["token"], local(mail["data"]["link"])


def submit(client: FlaskClient, token: str, password: str, confirmation: str | None = None) -> Any:
    form = {
        "token": token,
        "password": password,
        "password_confirmation": password if confirmation is None else confirmation,
    }
    return client.post("/_mock/lootlocker/white-label/reset-password", data=form)


def test_the_reset_link_shows_a_form_that_sets_a_new_password(client: FlaskClient) -> None:
    sign_up(client)
    old_session = login(client, remember=True).get_json()["session_token"]
    token, link = reset_link(client)
    assert link == f"/_mock/lootlocker/white-label/reset-password?token={token}"
    page = client.get(link)
    assert page.status_code == 200 and EMAIL in page.text
    assert '<form method="POST" action="/_mock/lootlocker/white-label/reset-password"' in page.text
    for field in (f'name="token" value="{token}"', 'name="password"', 'name="password_confirmation"', 'minlength="8"'):
        assert field in page.text
    short = submit(client, token, "short")
    assert short.status_code == 400 and "at least 8 characters" in short.text and 'name="password"' in short.text
    differ = submit(client, token, "new password", "other password")
    assert differ.status_code == 400 and "differ" in differ.text
    assert login(client).status_code == 200  # nothing changed yet, the token is still usable
    done = submit(client, token, "new password")
    assert done.status_code == 200 and 'id="wl-reset-done"' in done.text
    error_of(login(client), 401, "unauthorized")  # the old password fails
    assert login(client, password="new password").status_code == 200
    error_of(verify_session(client, old_session), 401, "unauthorized")  # the account's sessions ended
    used = submit(client, token, "third password")
    assert used.status_code == 400 and "already been used" in used.text
    assert client.get(link).status_code == 400
    assert login(client, password="new password").status_code == 200


def test_reset_by_user_id_expiry_and_unknown_accounts(client: FlaskClient, clock: Clock) -> None:
    user = sign_up(client).get_json()
    assert request(client, "reset-password", {"email": "who@example.com"}).status_code == 204
    assert mails(client) == []
    error_of(request(client, "reset-password", {}), 400, "parameter_missing", "email")
    token, link = reset_link(client, {"user_id": user["id"]})
    clock.advance(3600)
    page = client.get(link)
    assert page.status_code == 400 and "expired" in page.text
    assert submit(client, token, "new password").status_code == 400
    assert login(client).status_code == 200
    assert client.post("/_mock/lootlocker/white-label/reset-password", data={"password": "x" * 9}).status_code == 400


# -- account verification settings of the game --
def test_block_unverified_players_until_the_mail_s_link_is_opened(client: FlaskClient) -> None:
    game = admin_wl_game(client, enable_account_verification=True, block_unverified_players=True)
    headers = dev_wl(game)
    assert sign_up(client, headers=headers).status_code == 200
    [mail] = mails(client)  # the sign-up mails the verification link
    assert mail["data"]["template"] == "WhiteLabelVerification"
    token = login(client, headers=headers).get_json()["session_token"]
    body = error_of(game_session(client, token, game_key=game.development_api_key), 403, "forbidden")
    assert "not verified" in body["message"]
    assert client.get(local(mail["data"]["link"])).status_code == 200
    assert game_session(client, token, game_key=game.development_api_key).status_code == 200


def test_unverified_players_play_when_the_game_does_not_block_them(client: FlaskClient) -> None:
    game = admin_wl_game(client, enable_account_verification=True)
    headers = dev_wl(game)
    sign_up(client, headers=headers)
    assert len(mails(client)) == 1
    token = login(client, headers=headers).get_json()["session_token"]
    assert game_session(client, token, game_key=game.development_api_key).status_code == 200


# -- domain keys and isolation --
def test_accounts_belong_to_one_game_environment(client: FlaskClient) -> None:
    game = admin_wl_game(client)
    enable = {"enabled": True, "settings": {}}
    put = client.put(f"/admin/game/{game.game_id}/platforms/white_label_login", json=enable, headers=game.headers)
    assert put.status_code == 200
    production = {"domain-key": game.domain_key}
    assert sign_up(client, headers=production).status_code == 200  # the Admin API's domain key, production
    assert sign_up(client, headers=dev_wl(game)).status_code == 200  # and its development environment: another
    assert sign_up(client).status_code == 200  # the fixture game's domain key: another game again
    token = login(client, headers=production).get_json()["session_token"]
    error_of(verify_session(client, token), 401, "unauthorized")  # another game's session
    error_of(verify_session(client, token, headers=dev_wl(game)), 401, "unauthorized")
    error_of(game_session(client, token), 401, "unauthorized")
    assert game_session(client, token, game_key=game.api_key).status_code == 200
    error_of(sign_up(client, headers={"domain-key": "unknown"}), 401, "unauthorized")


# -- Prefer forcing --
@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("sign-up", {"email": EMAIL, "password": PASSWORD}, 409),
        ("login", {"email": EMAIL, "password": PASSWORD}, 401),
        ("verify-session", {"email": EMAIL, "token": "t"}, 429),
        ("request-verification", {"email": EMAIL}, 503),
        ("request-reset-password", {"email": EMAIL}, 500),
    ],
)
def test_prefer_forces_a_documented_status(client: FlaskClient, path: str, body: dict[str, Any], status: int) -> None:
    response = client.post(f"/white-label-login/{path}", json=body, headers={**WL, "Prefer": f"code={status}"})
    codes = {401: "unauthorized", 409: "conflict", 429: "too_many_requests", 500: "internal_server_error"}
    error_of(response, status, codes.get(status, "service_unavailable"))
    assert client.get("/_mock/messages").get_json()["messages"] == []


def test_prefer_a_success_runs_the_real_operation(client: FlaskClient) -> None:
    response = client.post(
        "/white-label-login/sign-up", json={"email": EMAIL, "password": PASSWORD}, headers={**WL, "Prefer": "code=200"}
    )
    assert response.status_code == 200 and response.get_json()["email"] == EMAIL
    forced = request(client, "verification", {"email": EMAIL}, headers={**WL, "Prefer": "code=204"})
    assert forced.status_code == 204 and len(mails(client)) == 1


# -- LootLocker's answer for unknown paths of its other prefixes --
@pytest.mark.parametrize("path", ["/client/v3/nothing-here", "/_files/lootlocker/nothing"])
def test_unknown_client_and_file_paths_answer_lootlocker_s_404(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://game.example"})
    error_of(response, 404, "not_found")
    assert response.headers["Access-Control-Allow-Origin"] == "https://game.example"
