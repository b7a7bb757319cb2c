"""LootLocker sign-ins over HTTP: guest, generic, platform sessions and refresh tokens, end session,
White Label login; the game key and its override."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.resources import DEFAULT_FIXTURES_DIR

from .test_lootlocker_helpers import (
    DOMAIN_KEY,
    GAME_KEY,
    connected,
    error_of,
    guest,
    register,
    session_headers,
)

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")


# -- guest ---------------------------------------------------------------------------------------
def test_guest_session_creates_a_player_with_every_session_field(client: FlaskClient) -> None:
    session = guest(client)
    assert re.fullmatch(r"[0-9a-f]{40}", session["session_token"])
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", session["player_ulid"])
    assert re.fullmatch(r"[A-Z0-9]{8}", session["public_uid"])
    assert session["player_id"] == 1 and session["seen_before"] is False and session["last_seen"] is None
    assert ISO.match(session["player_created_at"])
    assert session["player_identifier"]  # generated (a UUID)
    assert session["level_thresholds"] == {
        "current": 0,
        "current_is_prestige": False,
        "next": None,
        "next_is_prestige": False,
    }
    assert "refresh_token" not in session
    assert connected(client, session) == ["guest"]


def test_the_same_identifier_is_the_same_player_seen_before(client: FlaskClient) -> None:
    first = guest(client, "device-1")
    second = guest(client, "device-1")
    assert second["player_ulid"] == first["player_ulid"] and second["player_id"] == first["player_id"]
    assert second["seen_before"] is True and ISO.match(second["last_seen"])
    assert second["session_token"] != first["session_token"]
    other = guest(client, "")  # empty identifier: a new player
    assert other["player_ulid"] != first["player_ulid"] and other["player_id"] == 2


def test_game_api_key_is_accepted_as_well_as_game_key(client: FlaskClient) -> None:
    response = client.post("/game/v2/session/guest", json={"game_api_key": GAME_KEY, "player_identifier": "x"})
    assert response.status_code == 200
    assert response.get_json()["player_identifier"] == "x"


def test_a_missing_game_key_is_parameter_missing(client: FlaskClient) -> None:
    error_of(client.post("/game/v2/session/guest", json={"game_version": "1"}), 400, "parameter_missing", "game_key")


def test_a_wrong_game_key_is_unauthorized(client: FlaskClient) -> None:
    body = error_of(client.post("/game/v2/session/guest", json={"game_key": "dev_nope_nope_nope"}), 401, "unauthorized")
    assert "game API key" in body["message"]


def test_optionals_player_name_names_the_player(client: FlaskClient) -> None:
    session = guest(client, "named", optionals={"player_name": "Ada", "timezone": "UTC"})
    assert session["player_name"] == "Ada" and session["errors"] == []
    assert client.get("/game/player/name", headers=session_headers(session)).get_json() == {"name": "Ada"}
    too_long = guest(client, "named", optionals={"player_name": "x" * 300})
    assert too_long["player_name"] == "Ada" and len(too_long["errors"]) == 1


def test_the_game_key_override_replaces_the_fixture_key() -> None:
    client = create_app(Config(strict=True, lootlocker_game_key="dev_overridden_key_123")).test_client()
    assert client.post("/game/v2/session/guest", json={"game_key": "dev_overridden_key_123"}).status_code == 200
    assert client.post("/game/v2/session/guest", json={"game_key": GAME_KEY}).status_code == 401


def test_the_game_key_override_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKSERVER_LOOTLOCKER_GAME_KEY", "dev_from_the_environment")
    config = Config.from_env()
    assert config.lootlocker_game_key == "dev_from_the_environment"
    assert config.to_env()["MOCKSERVER_LOOTLOCKER_GAME_KEY"] == "dev_from_the_environment"


# -- generic -------------------------------------------------------------------------------------
def test_generic_session_signs_in_by_platform_and_identifier(client: FlaskClient) -> None:
    body = {"game_key": GAME_KEY, "platform": "psn", "player_identifier": "psn-user-1"}
    first = client.post("/game/v2/session", json=body).get_json()
    again = client.post("/game/v2/session", json=body).get_json()
    assert again["player_ulid"] == first["player_ulid"] and again["seen_before"] is True
    assert connected(client, first) == ["playstation"]
    other = client.post("/game/v2/session", json={**body, "platform": "xbox_one"}).get_json()
    assert other["player_ulid"] != first["player_ulid"]


def test_generic_session_needs_a_known_platform_and_an_identifier(client: FlaskClient) -> None:
    response = client.post("/game/v2/session", json={"game_key": GAME_KEY, "player_identifier": "p"})
    error_of(response, 400, "parameter_missing", "platform")
    response = client.post(
        "/game/v2/session", json={"game_key": GAME_KEY, "platform": "gameboy", "player_identifier": "p"}
    )
    error_of(response, 400, "parameter_invalid", "platform")
    response = client.post(
        "/game/v2/session", json={"game_key": GAME_KEY, "platform": "steam", "player_identifier": ""}
    )
    error_of(response, 400, "parameter_invalid", "player_identifier")


# -- platforms -----------------------------------------------------------------------------------
# (path, registry provider, identity fields to register, request credential fields, LootLocker provider, refresh)
PLATFORMS: list[tuple[str, str, dict[str, str], dict[str, Any], str, bool]] = [
    ("/game/session/steam", "steam", {"token": "t-steam"}, {"steam_ticket": "t-steam"}, "steam", False),
    ("/game/session/epic", "epic", {"token": "t-epic"}, {"id_token": "t-epic"}, "epic_games", True),
    ("/game/session/apple", "apple", {"code": "c-apple"}, {"apple_authorization_code": "c-apple"}, "apple", True),
    (
        "/game/session/apple/game-center",
        "apple_game_center",
        {"token": "sig-gc"},
        {"player_id": "G:1000", "signature": "sig-gc", "bundle_id": "b", "salt": "s", "timestamp": 1},
        "apple_game_center",
        True,
    ),
    (
        "/game/session/google",
        "google",
        {"token": "t-google"},
        {"id_token": "t-google", "platform": "android"},
        "google",
        True,
    ),
    (
        "/game/session/google-play-games/v1/login",
        "google_play_games",
        {"code": "c-gpg"},
        {"auth_code": "c-gpg"},
        "google_play_games",
        True,
    ),
    ("/game/session/nintendo-switch", "nintendo", {"token": "t-nsa"}, {"nsa_id_token": "t-nsa"}, "nintendo", False),
    ("/game/session/xbox-one", "xbox", {"token": "t-xbox"}, {"xbox_user_token": "t-xbox"}, "xbox", False),
    ("/game/session/meta", "meta", {"token": "n-meta"}, {"user_id": "M:1000", "nonce": "n-meta"}, "meta", True),
    ("/game/session/discord", "discord", {"token": "t-discord"}, {"access_token": "t-discord"}, "discord", True),
    (
        "/game/session/psn-v3/v1/login",
        "playstation",
        {"code": "c-psn"},
        {"auth_code": "c-psn", "env_iss_id": 256},
        "playstation",
        False,
    ),
]


@pytest.mark.parametrize(("path", "registry", "identity", "credentials", "provider", "refresh"), PLATFORMS)
def test_platform_sessions_accept_registry_identities(
    client: FlaskClient,
    path: str,
    registry: str,
    identity: dict[str, str],
    credentials: dict[str, Any],
    provider: str,
    refresh: bool,
) -> None:
    user_id = str(credentials.get("player_id") or credentials.get("user_id") or f"{registry}-user")
    register(client, registry, user_id, reusable=True, **identity)
    first = client.post(path, json={"game_api_key": GAME_KEY, "game_version": "1.0.0", **credentials})
    assert first.status_code == 200, first.get_json()
    session = first.get_json()
    assert session["seen_before"] is False and session["player_identifier"] == user_id
    assert connected(client, session) == [provider]
    again = client.post(path, json={"game_key": GAME_KEY, **credentials}).get_json()
    assert again["player_ulid"] == session["player_ulid"] and again["seen_before"] is True
    assert ("refresh_token" in session) is refresh
    if refresh:
        refreshed = client.post(path, json={"game_key": GAME_KEY, "refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 200
        assert refreshed.get_json()["player_ulid"] == session["player_ulid"]
        assert refreshed.get_json()["refresh_token"] == session["refresh_token"]


@pytest.mark.parametrize(("path", "registry", "identity", "credentials", "provider", "refresh"), PLATFORMS)
def test_platform_sessions_reject_unknown_credentials(
    client: FlaskClient,
    path: str,
    registry: str,
    identity: dict[str, str],
    credentials: dict[str, Any],
    provider: str,
    refresh: bool,
) -> None:
    response = client.post(path, json={"game_key": GAME_KEY, **credentials})
    assert response.status_code == 400
    assert response.get_json()["code"] == "parameter_invalid"
    assert response.get_json()["param"] in credentials


def test_a_single_use_code_signs_in_once(client: FlaskClient) -> None:
    register(client, "apple", "apple-once", code="c-once")
    body = {"game_key": GAME_KEY, "apple_authorization_code": "c-once"}
    assert client.post("/game/session/apple", json=body).status_code == 200
    error_of(client.post("/game/session/apple", json=body), 400, "parameter_invalid", "apple_authorization_code")


def test_a_platform_session_without_its_credential_is_parameter_missing(client: FlaskClient) -> None:
    error_of(client.post("/game/session/epic", json={"game_key": GAME_KEY}), 400, "parameter_missing", "id_token")
    error_of(client.post("/game/session/steam", json={"game_key": GAME_KEY}), 400, "parameter_missing", "steam_ticket")
    response = client.post("/game/session/meta", json={"game_key": GAME_KEY, "nonce": "n"})
    error_of(response, 400, "parameter_missing", "user_id")


def test_the_fixture_identities_sign_in(client: FlaskClient) -> None:
    google = client.post("/game/session/google", json={"game_key": GAME_KEY, "id_token": "google-id-token-gina"})
    assert google.status_code == 200 and google.get_json()["player_identifier"] == "108234567890123456789"
    steam = client.post("/game/session/steam", json={"game_key": GAME_KEY, "steam_ticket": "steam-ticket-sam"})
    assert steam.status_code == 200
    same = client.post(
        "/game/v2/session", json={"game_key": GAME_KEY, "platform": "steam", "player_identifier": "76561197960287930"}
    )
    assert same.get_json()["player_ulid"] == steam.get_json()["player_ulid"]  # one Steam account, one player


def test_a_refresh_token_works_only_on_its_own_endpoint(client: FlaskClient) -> None:
    session = client.post(
        "/game/session/google", json={"game_key": GAME_KEY, "id_token": "google-id-token-gina"}
    ).get_json()
    response = client.post("/game/session/epic", json={"game_key": GAME_KEY, "refresh_token": session["refresh_token"]})
    error_of(response, 401, "unauthorized")
    error_of(
        client.post("/game/session/google", json={"game_key": GAME_KEY, "refresh_token": "nope"}), 401, "unauthorized"
    )


def test_a_refresh_token_dies_with_its_connected_account(client: FlaskClient) -> None:
    session = client.post(
        "/game/session/discord", json={"game_key": GAME_KEY, "access_token": "discord-token-dora"}
    ).get_json()
    assert client.delete("/game/player/providers/discord", headers=session_headers(session)).status_code == 200
    response = client.post(
        "/game/session/discord", json={"game_key": GAME_KEY, "refresh_token": session["refresh_token"]}
    )
    error_of(response, 401, "unauthorized")


def test_verify_player_checks_a_steam_or_psn_token(client: FlaskClient) -> None:
    body = {"key": GAME_KEY, "platform": "steam", "token": "steam-ticket-sam"}
    assert client.post("/game/v1/player/verify", json=body).get_json() == {"success": True}
    body = {"key": GAME_KEY, "platform": "psn", "token": "psn-token-pat", "psn_issuer_id": 256}
    assert client.post("/game/v1/player/verify", json=body).status_code == 200
    error_of(client.post("/game/v1/player/verify", json={**body, "token": "x"}), 400, "parameter_invalid", "token")
    error_of(client.post("/game/v1/player/verify", json={**body, "key": "dev_wrong_key_x"}), 401, "unauthorized")


# -- end session ---------------------------------------------------------------------------------
def test_end_session_invalidates_the_token(client: FlaskClient) -> None:
    session = guest(client)
    headers = session_headers(session)
    assert client.get("/game/ping", headers=headers).status_code == 200
    response = client.delete("/game/v1/session", headers=headers)
    assert response.status_code == 204 and response.data == b""
    error_of(client.get("/game/ping", headers=headers), 401, "unauthorized")
    error_of(client.delete("/game/v1/session", headers=headers), 401, "unauthorized")
    assert guest(client, session["player_identifier"])["seen_before"] is True  # the player stays


def test_missing_and_invalid_tokens_are_unauthorized(client: FlaskClient) -> None:
    error_of(client.get("/game/v1/connected-accounts"), 401, "unauthorized")
    error_of(client.get("/game/v1/connected-accounts", headers={"x-session-token": "0" * 40}), 401, "unauthorized")
    error_of(client.get("/game/v1/connected-accounts", headers={"x-session-token": ""}), 401, "unauthorized")


# -- providers not enabled -----------------------------------------------------------------------
@pytest.fixture
def restricted(tmp_path: Path) -> FlaskClient:
    """A game where the guest and Steam providers are enabled and nothing else."""
    target = tmp_path / "fixtures"
    shutil.copytree(DEFAULT_FIXTURES_DIR, target)
    games_file = target / "lootlocker" / "games.json"
    games = json.loads(games_file.read_text())
    games[0]["providers"] = ["guest", "steam", "twitch"]
    games_file.write_text(json.dumps(games))
    return create_app(Config(strict=True, fixtures_dir=str(target))).test_client()


def test_a_provider_not_enabled_for_the_game_is_forbidden(restricted: FlaskClient) -> None:
    response = restricted.post("/game/session/google", json={"game_key": GAME_KEY, "id_token": "google-id-token-gina"})
    error_of(response, 403, "forbidden")
    response = restricted.post(
        "/game/v2/session", json={"game_key": GAME_KEY, "platform": "psn", "player_identifier": "p"}
    )
    error_of(response, 403, "forbidden")
    session = guest(restricted)
    response = restricted.put(
        "/game/v1/connected-accounts/google",
        json={"id_token": "google-id-token-gina"},
        headers=session_headers(session),
    )
    error_of(response, 403, "forbidden")


# -- White Label ---------------------------------------------------------------------------------
WL = {"domain-key": DOMAIN_KEY, "is-development": "true"}


def wl_sign_up(client: FlaskClient, email: str = "ada@example.com", password: str = "correct horse") -> Any:
    return client.post("/white-label-login/sign-up", json={"email": email, "password": password}, headers=WL)


def test_white_label_sign_up_login_and_session(client: FlaskClient) -> None:
    signed_up = wl_sign_up(client)
    assert signed_up.status_code == 200
    user = signed_up.get_json()
    assert user["id"] == 1 and user["game_id"] == 1 and user["email"] == "ada@example.com"
    assert ISO.match(user["created_at"]) and user["validated_at"] is None and user["deleted_at"] is None
    login = client.post(
        "/white-label-login/login",
        json={"email": "Ada@Example.com", "password": "correct horse", "remember": True},
        headers=WL,
    )
    assert login.status_code == 200
    token = login.get_json()["session_token"]
    verified = client.post(
        "/white-label-login/verify-session", json={"email": "ada@example.com", "token": token}, headers=WL
    )
    assert verified.get_json() == {"email": "ada@example.com", "token": token, "game_id": 1, "user_id": 1}
    body = {"game_key": GAME_KEY, "game_version": "1.0.0", "email": "ada@example.com", "token": token}
    session = client.post("/game/v2/session/white-label", json=body).get_json()
    assert session["player_identifier"] == "1" and session["seen_before"] is False
    assert connected(client, session) == ["credentials"]
    assert client.post("/game/v2/session/white-label", json=body).get_json()["player_ulid"] == session["player_ulid"]


def test_white_label_errors(client: FlaskClient) -> None:
    assert wl_sign_up(client).status_code == 200
    error_of(wl_sign_up(client, "ADA@example.com"), 409, "conflict")
    error_of(wl_sign_up(client, "not-an-email"), 400, "parameter_invalid", "email")
    error_of(wl_sign_up(client, "bob@example.com", "short"), 400, "parameter_invalid", "password")
    login = {"email": "ada@example.com", "password": "wrong password"}
    body = error_of(client.post("/white-label-login/login", json=login, headers=WL), 401, "unauthorized")
    assert body["message"] == "wrong email/password"
    error_of(client.post("/white-label-login/login", json=login), 401, "unauthorized")  # no domain-key
    error_of(client.post("/white-label-login/login", json=login, headers={"domain-key": "nope"}), 401, "unauthorized")
    verify = {"email": "ada@example.com", "token": "f" * 40}
    error_of(client.post("/white-label-login/verify-session", json=verify, headers=WL), 401, "unauthorized")
    session = {"game_key": GAME_KEY, "email": "ada@example.com", "token": "f" * 40}
    error_of(client.post("/game/v2/session/white-label", json=session), 401, "unauthorized")


def test_white_label_verification_and_password_reset_requests(client: FlaskClient) -> None:
    assert wl_sign_up(client).status_code == 200
    response = client.post("/white-label-login/request-verification", json={"email": "ada@example.com"}, headers=WL)
    assert response.status_code == 204 and response.data == b""
    # The account is verified by the mail's link (tests/test_ll_white_label.py), not by the request.
    assert client.get("/_mock/messages?to=ada@example.com").get_json()["messages"][0]["data"]["token"]
    assert client.post("/white-label-login/request-verification", json={"user_id": 42}, headers=WL).status_code == 204
    error_of(
        client.post("/white-label-login/request-verification", json={}, headers=WL), 400, "parameter_missing", "email"
    )
    reset = client.post("/white-label-login/request-reset-password", json={"email": "who@example.com"}, headers=WL)
    assert reset.status_code == 204
