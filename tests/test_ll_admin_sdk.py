"""LootLocker's Unity SDK PlayMode tests replayed over HTTP (lootlocker/unity-sdk @ 43bef472,
Tests/LootLockerTests/PlayMode): GuestSessionTest, PingTest, SessionRefreshTest, WhiteLabelLoginTest,
MultiUserTests and BanTest. Each test sends the requests the C# test and its Admin API set-up send
(LootLockerTestGame.CreateGame: admin login or sign-up, a game, a `prod` and a `stage` key, the platform; the
SDK under test uses the stage key and the game's domain key) and asserts what the C# test asserts of the
server's answers. Assertions about the SDK's own state (its player caches, default player, multi-user
modes) have nothing to replay; the tests left aside for that reason are listed in SDK_LOCAL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session
from .test_lootlocker_helpers import error_of

# C# tests whose every assertion is about the SDK's local state (nothing the server answers).
SDK_LOCAL = {
    "GuestSessionTest": [
        # The SDK decides locally whether to reuse its stored default guest; the server part (a stored
        # identifier signs in as the same player) is replayed by test_guest_session_with_stored_identifier.
        "StartGuestSession_MultipleSessionStartsWithoutIdentifierWithDefaultPlayerNotActiveButNotGuestUser_CreatesNewUser",
    ],
    "MultiUserTests": [
        "MultiUser_SaveStateExistsForPlayerWhenPlayerExists_ReturnsTrue",
        "MultiUser_SaveStateExistsForPlayerWhenPlayerDoesNotExist_ReturnsFalse",
        "MultiUser_GetActivePlayerUlid_ListsAllActivePlayers",
        "MultiUser_SetPlayerULIDToInactive_MakesThePlayerNotActiveButSaveStateStillExistsAndIsCached",
        "MultiUser_ClearSavedStateForPlayer_SaveStateIsRemoved",
        "MultiUser_ClearAllSavedStates_AllSaveStatesAreRemoved",
        "MultiUser_SetPlayerDataWhenPlayerExists_UpdatesPlayerCache",
        "MultiUser_SetPlayerDataWhenPlayerDoesNotExistButOtherPlayersActive_CreatesPlayerCacheButDoesNotSetDefault",
        "MultiUser_SetPlayerDataWhenNoPlayerCachesExist_CreatesPlayerCacheAndSetsDefault",
        "MultiUser_SetPlayerDataWhenPlayerCachesExistButNoPlayersAreActive_CreatesPlayerCacheAndSetsDefault",
        "MultiUser_GetPlayerDataWhenPlayerCachesExistButNoPlayersAreActive_GetsPlayerAndSetsDefault",
        "MultiUser_GetPlayerUlidFromWLEmailWhenPlayerIsCached_ReturnsCorrectULID",
        "MultiUser_GetPlayerUlidFromWLEmailWhenPlayerIsNotCached_ReturnsNoULID",
        "MultiUser_SingleSessionMode_AuthenticatingSecondPlayer_ClearsFirstPlayer",
        "MultiUser_ProfileSwitchingMode_AuthenticatingSecondPlayer_DeactivatesFirstButKeepsBothCached",
        "MultiUser_HotseatMode_ExplicitlySet_AuthenticatingMultiplePlayers_AllRemainActive",
    ],
}
PASSWORD = "123456789"


def token_headers(session: dict[str, Any]) -> dict[str, str]:
    return {"x-session-token": session["session_token"]}


def wl_headers(game: TestGame) -> dict[str, str]:
    # The Unity SDK sends the domain key, and is-development for dev_ keys (WhiteLabelRequest.cs).
    return {"domain-key": game.domain_key, "is-development": "true"}


def started(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


@pytest.fixture
def guest_game(client: FlaskClient) -> Iterator[TestGame]:
    """The Setup of GuestSessionTest, PingTest, MultiUserTests and BanTest; the TearDown deletes the game."""
    game = create_game(client, name="GuestSessionTest1 ", platforms=("guest",))
    yield game
    assert client.delete(f"/admin/v1/game/{game.game_id}", headers=game.headers).status_code == 204


@pytest.fixture
def wl_game(client: FlaskClient) -> Iterator[TestGame]:
    """The Setup of WhiteLabelLoginTest and SessionRefreshTest (White Label enabled, guest not)."""
    game = create_game(client, name="WhiteLabelLoginTest1 ", platforms=("white_label_login",))
    yield game
    assert client.delete(f"/admin/v1/game/{game.game_id}", headers=game.headers).status_code == 204


# -- GuestSessionTest ----------------------------------------------------------------------------
def test_guest_session_with_player_as_identifier_fails(client: FlaskClient, guest_game: TestGame) -> None:
    body = error_of(guest_session(client, guest_game, "player"), 400, "parameter_invalid", "player_identifier")
    assert "Each player must have a unique identifier assigned" in body["message"]


def test_guest_session_without_identifier_succeeds(client: FlaskClient, guest_game: TestGame) -> None:
    assert started(guest_session(client, guest_game))["player_identifier"]


def test_guest_session_with_provided_identifier_succeeds(client: FlaskClient, guest_game: TestGame) -> None:
    identifier = str(uuid.uuid4())
    assert started(guest_session(client, guest_game, identifier))["player_identifier"] == identifier


def test_end_guest_session_succeeds(client: FlaskClient, guest_game: TestGame) -> None:
    session = started(guest_session(client, guest_game))
    assert client.delete("/game/v1/session", headers=token_headers(session)).status_code == 204


def test_guest_session_with_stored_identifier(client: FlaskClient, guest_game: TestGame) -> None:
    """StartGuestSession_WithStoredIdentifier_Succeeds and …WithDefaultPlayerNotActive_ReusesDefaultUser: the SDK
    sends the identifier it stored; the second session is the same player, seen before."""
    first = started(guest_session(client, guest_game))
    assert first["last_seen"] is None  # "last_seen on first session was set"
    client.delete("/game/v1/session", headers=token_headers(first))
    for _ in range(2):
        again = started(guest_session(client, guest_game, first["player_identifier"]))
        assert again["player_identifier"] == first["player_identifier"]
        assert again["player_ulid"] == first["player_ulid"] and again["last_seen"]


def test_guest_sessions_without_identifier_create_multiple_users(client: FlaskClient, guest_game: TestGame) -> None:
    """…WithoutIdentifierWithDefaultPlayerActive_CreatesMultipleUsers: the SDK sends no identifier each time."""
    ulids = [started(guest_session(client, guest_game))["player_ulid"] for _ in range(3)]
    assert all(ulids) and len(set(ulids)) == 3


def test_guest_sessions_for_a_player_reuse_it_with_new_tokens(client: FlaskClient, guest_game: TestGame) -> None:
    """StartGuestSession_MultipleSessionStartsWithUlid_ReusesSpecifiedUser: the SDK sends each player's stored
    identifier again; same ULID, a new session token."""
    first = [started(guest_session(client, guest_game)) for _ in range(2)]
    for initial in first:
        subsequent = started(guest_session(client, guest_game, initial["player_identifier"]))
        assert subsequent["player_ulid"] == initial["player_ulid"]
        assert subsequent["session_token"] != initial["session_token"]


# -- PingTest ------------------------------------------------------------------------------------
def test_ping_with_session_succeeds(client: FlaskClient, guest_game: TestGame) -> None:
    session = started(guest_session(client, guest_game))
    ping = client.get("/game/ping", headers=token_headers(session))
    assert ping.status_code == 200 and ping.get_json()["date"]


def test_ping_without_session_fails(client: FlaskClient, guest_game: TestGame) -> None:
    body = error_of(client.get("/game/ping"), 401, "unauthorized")
    assert "date" not in body


# -- WhiteLabelLoginTest -------------------------------------------------------------------------
def wl_sign_up(client: FlaskClient, game: TestGame, email: str) -> dict[str, Any]:
    signup = started(
        client.post("/white-label-login/sign-up", json={"email": email, "password": PASSWORD}, headers=wl_headers(game))
    )
    assert signup["created_at"]  # "Created At date is empty in the response"
    return signup


def wl_login_and_start_session(
    client: FlaskClient, game: TestGame, email: str, password: str = PASSWORD, remember: bool = True
) -> tuple[Any, Any]:
    """WhiteLabelLoginAndStartSession: the login, then (when it succeeds) the White Label game session."""
    body = {"email": email, "password": password, "remember": remember}
    login = client.post("/white-label-login/login", json=body, headers=wl_headers(game))
    if login.status_code != 200:
        return login, None
    token = login.get_json()["session_token"]
    session_body = {"game_key": game.development_api_key, "email": email, "token": token, "game_version": "0.0.1.0"}
    return login, client.post("/game/v2/session/white-label", json=session_body)


def test_white_label_sign_up_succeeds(client: FlaskClient, wl_game: TestGame) -> None:
    wl_sign_up(client, wl_game, "sign-up@lootlocker.com")


def test_white_label_sign_up_and_login_succeeds(client: FlaskClient, wl_game: TestGame) -> None:
    wl_sign_up(client, wl_game, "login@lootlocker.com")
    login, session = wl_login_and_start_session(client, wl_game, "login@lootlocker.com")
    assert login.get_json()["session_token"]
    assert started(session)["session_token"]


def test_white_label_login_with_wrong_password_fails(client: FlaskClient, wl_game: TestGame) -> None:
    wl_sign_up(client, wl_game, "wrong@lootlocker.com")
    login, session = wl_login_and_start_session(client, wl_game, "wrong@lootlocker.com", "wrongPassword", False)
    assert "wrong email/password" in error_of(login, 401, "unauthorized")["message"]  # the SDK logs it
    assert session is None


def test_white_label_verify_session_succeeds(client: FlaskClient, wl_game: TestGame) -> None:
    wl_sign_up(client, wl_game, "verify@lootlocker.com")
    login, session = wl_login_and_start_session(client, wl_game, "verify@lootlocker.com")
    started(session)
    body = {"email": "verify@lootlocker.com", "token": login.get_json()["session_token"]}
    assert client.post("/white-label-login/verify-session", json=body, headers=wl_headers(wl_game)).status_code == 200


def test_white_label_requests_after_reset_reuse_the_session(client: FlaskClient, wl_game: TestGame) -> None:
    """WhiteLabel_RequestsAfterGameResetWhenWLDefaultUser_ReusesSession: after the SDK reloads its state, a
    request with the stored session token is made as the White Label player."""
    wl_sign_up(client, wl_game, "reset@lootlocker.com")
    _, session = wl_login_and_start_session(client, wl_game, "reset@lootlocker.com")
    player = started(session)
    assert client.get("/game/ping", headers=token_headers(player)).status_code == 200
    info = client.get("/game/player/hazy-hammock/v1/info", headers=token_headers(player)).get_json()["info"]
    assert info["id"] == player["player_ulid"]


def test_white_label_session_by_email_after_reset_reuses_the_player(client: FlaskClient, wl_game: TestGame) -> None:
    """WhiteLabel_WLSessionStartByEmailAfterGameReset_ReusesSession: StartWhiteLabelSession(email) sends the stored
    White Label token again: the same player, a new session token, the White Label token still valid."""
    wl_sign_up(client, wl_game, "again@lootlocker.com")
    login, session = wl_login_and_start_session(client, wl_game, "again@lootlocker.com")
    initial = started(session)
    wl_token = login.get_json()["session_token"]
    body = {"game_key": wl_game.development_api_key, "email": "again@lootlocker.com", "token": wl_token}
    after = started(client.post("/game/v2/session/white-label", json=body))
    assert after["player_ulid"] == initial["player_ulid"]
    assert after["session_token"] != initial["session_token"]


def test_white_label_login_when_another_player_exists_creates_a_player(client: FlaskClient, wl_game: TestGame) -> None:
    """WhiteLabel_WLLoginAndStartSessionWhenOtherPlayerExists_CreatesWhiteLabelPlayer (its last assertion, the
    SDK's default player, is local)."""
    wl_sign_up(client, wl_game, "other@lootlocker.com")
    other_login, other_session = wl_login_and_start_session(client, wl_game, "other@lootlocker.com")
    other = started(other_session)
    wl_sign_up(client, wl_game, "me@lootlocker.com")
    login, session = wl_login_and_start_session(client, wl_game, "me@lootlocker.com")
    mine = started(session)
    assert mine["player_ulid"] != other["player_ulid"] and mine["session_token"] != other["session_token"]
    assert login.get_json()["email"] == "me@lootlocker.com" != other_login.get_json()["email"]


def test_white_label_needs_the_platform_enabled(client: FlaskClient, guest_game: TestGame) -> None:
    # The guest-only game of the other classes: White Label sign-in is refused until its platform is enabled.
    headers = wl_headers(guest_game)
    client.post("/white-label-login/sign-up", json={"email": "x@lootlocker.com", "password": PASSWORD}, headers=headers)
    _, session = wl_login_and_start_session(client, guest_game, "x@lootlocker.com")
    error_of(session, 403, "forbidden")


# -- SessionRefreshTest --------------------------------------------------------------------------
@pytest.fixture
def wl_player(client: FlaskClient, wl_game: TestGame) -> tuple[str, dict[str, Any]]:
    """SessionRefreshTest's Setup: a White Label sign-up, then login (remember) and session."""
    wl_sign_up(client, wl_game, "refresh@lootlocker.com")
    login, session = wl_login_and_start_session(client, wl_game, "refresh@lootlocker.com")
    return login.get_json()["session_token"], started(session)


def test_refresh_session_expired_white_label_session_with_auto_refresh(
    client: FlaskClient, wl_game: TestGame, wl_player: tuple[str, dict[str, Any]]
) -> None:
    """RefreshSession_ExpiredWhiteLabelSessionAndAutoRefreshEnabled_SessionIsAutomaticallyRefreshed: the ping with
    the invalid token is refused (401); the SDK then starts a White Label session with its stored token and
    repeats the ping with the new session token, which succeeds."""
    wl_token, _ = wl_player
    error_of(client.get("/game/ping", headers={"x-session-token": "ThisIsANonExistentToken"}), 401, "unauthorized")
    body = {"game_key": wl_game.development_api_key, "email": "refresh@lootlocker.com", "token": wl_token}
    refreshed = started(client.post("/game/v2/session/white-label", json=body))
    assert refreshed["session_token"] != "ThisIsANonExistentToken"
    assert client.get("/game/ping", headers=token_headers(refreshed)).status_code == 200


def test_refresh_session_expired_white_label_session_without_auto_refresh(
    client: FlaskClient, wl_player: tuple[str, dict[str, Any]]
) -> None:
    """…ButAutoRefreshDisabled_SessionDoesNotRefresh: the ping fails; the SDK keeps its token (local)."""
    error_of(client.get("/game/ping", headers={"x-session-token": "ThisIsANonExistentToken"}), 401, "unauthorized")


# -- MultiUserTests ------------------------------------------------------------------------------
def test_multi_user_requests_use_the_session_of_the_user(client: FlaskClient, guest_game: TestGame) -> None:
    """MultiUser_MakingRequestsWithoutSpecifyingUser_UsesDefaultUser / …WithSpecifiedUser_UsesSpecifiedUser: each
    request carries one player's session token and is made as that player."""
    sessions = [started(guest_session(client, guest_game)) for _ in range(3)]
    for session in sessions:
        assert client.get("/game/ping", headers=token_headers(session)).status_code == 200
        info = client.get("/game/player/hazy-hammock/v1/info", headers=token_headers(session)).get_json()["info"]
        assert info["id"] == session["player_ulid"]


@pytest.mark.parametrize("which", [0, 1])
def test_multi_user_current_player_data(client: FlaskClient, guest_game: TestGame, which: int) -> None:
    """MultiUser_RequestCurrentPlayerDataForDefaultUser / …ForNonDefaultUser / MultiUser_SetDefaultPlayerULID_…:
    GetCurrentPlayerInfo of each player equals its session answer (an unnamed player: player_name "")."""
    sessions = [started(guest_session(client, guest_game)) for _ in range(2)]
    session = sessions[which]
    response = client.get("/game/player/hazy-hammock/v1/info", headers=token_headers(session))
    info = started(response)["info"]
    assert info["id"] == session["player_ulid"] and info["legacy_id"] == session["player_id"]
    assert info["created_at"] == session["player_created_at"] and info["public_uid"] == session["public_uid"]
    assert session["player_name"] == (info["name"] or "") == ""


def test_multi_user_reauthenticating_the_same_player(client: FlaskClient, guest_game: TestGame) -> None:
    """MultiUser_SingleSessionMode_ReauthenticatingSamePlayer_PreservesPlayerData: the same identifier → the same
    ULID (the cache counts are local)."""
    identifier = str(uuid.uuid4())
    first = started(guest_session(client, guest_game, identifier))
    assert started(guest_session(client, guest_game, identifier))["player_ulid"] == first["player_ulid"]


# -- BanTest -------------------------------------------------------------------------------------
def ban_status(client: FlaskClient, game: TestGame, ulid: str) -> dict[str, Any]:
    return started(
        client.post("/game/session/ban-status", json={"game_api_key": game.development_api_key, "player_id": ulid})
    )


def test_ban_status_for_unbanned_player(client: FlaskClient, guest_game: TestGame) -> None:
    session = started(guest_session(client, guest_game, str(uuid.uuid4())))
    status = ban_status(client, guest_game, session["player_ulid"])
    assert status["is_banned"] is False and status["ban"] is None


def test_start_session_for_banned_player_returns_403_with_ban_info(client: FlaskClient, guest_game: TestGame) -> None:
    identifier = str(uuid.uuid4())
    session = started(guest_session(client, guest_game, identifier))
    ban = client.post(
        guest_game.dev(f"player/{session['player_ulid']}/bans"),
        data="{}",
        content_type="application/json",
        headers=guest_game.headers,
    )
    assert 200 <= ban.status_code < 300
    body = error_of(guest_session(client, guest_game, identifier), 403, "player_banned")
    assert body["ban"] and body["ban"]["ban_reason"]


def test_ban_status_for_banned_player_has_details(client: FlaskClient, guest_game: TestGame) -> None:
    session = started(guest_session(client, guest_game, str(uuid.uuid4())))
    ban = client.post(
        guest_game.dev(f"player/{session['player_ulid']}/bans"),
        data="{}",
        content_type="application/json",
        headers=guest_game.headers,
    )
    assert 200 <= ban.status_code < 300
    status = ban_status(client, guest_game, session["player_ulid"])
    assert status["is_banned"] is True and status["ban"]
    assert status["ban"]["ban_reason"] and status["ban"]["banned_on"] and status["ban"]["permanent"] is True
