"""Remote-session leases over HTTP: login and link leases, polling, refresh, attach, with the browser side
driven through /_mock/lootlocker/leases/{code}/…"""

from __future__ import annotations

import base64
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from mockserver.lootlocker.collections import LEASES

from .test_lootlocker_helpers import (
    ENVIRONMENT_ID,
    GAME_KEY,
    TITLE_ID,
    connected,
    error_of,
    guest,
    session_headers,
)

LEASE_BODY = {"title_id": TITLE_ID, "environment_id": ENVIRONMENT_ID, "game_version": "1.0.0"}


def begin_login(client: FlaskClient) -> dict[str, Any]:
    response = client.post("/game/session/remote/lease", json=LEASE_BODY)
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def begin_link(client: FlaskClient, session: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/game/session/remote/link/lease", json=LEASE_BODY, headers=session_headers(session))
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def poll(client: FlaskClient, lease: dict[str, Any], **changes: str) -> Any:
    body = {"game_api_key": GAME_KEY, "game_version": "1.0.0", "lease_code": lease["code"], "nonce": lease["nonce"]}
    return client.post("/game/session/remote", json={**body, **changes})


def browser(client: FlaskClient, lease: dict[str, Any], step: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/_mock/lootlocker/leases/{lease['code']}/{step}", json=body)


def walk_to_verified(client: FlaskClient, lease: dict[str, Any]) -> None:
    for step, status in (("claim", "CLAIMED"), ("verify", "VERIFIED")):
        response = browser(client, lease, step)
        assert response.status_code == 200 and response.get_json()["status"] == status
        assert poll(client, lease).get_json()["lease_status"] == status


def test_a_lease_looks_like_lootlockers(client: FlaskClient) -> None:
    lease = begin_login(client)
    assert set(lease) == {"code", "nonce", "redirect_url", "redirect_url_qr_base64", "display_url", "status", "intent"}
    assert lease["status"] == "CREATED" and lease["intent"] == "login" and len(lease["code"]) == 8
    assert f"code={lease['code']}" in lease["redirect_url"] and f"nonce={lease['nonce']}" in lease["redirect_url"]
    assert base64.b64decode(lease["redirect_url_qr_base64"]).startswith(b"\x89PNG")
    # Older SDKs name the game by its key.
    assert client.post("/game/session/remote/lease", json={"game_key": GAME_KEY}).status_code == 200


def test_login_lease_polls_each_status_then_gives_a_session(client: FlaskClient) -> None:
    lease = begin_login(client)
    assert poll(client, lease).get_json() == {"lease_status": "CREATED", "intent": "login"}
    walk_to_verified(client, lease)
    authorized = browser(client, lease, "authorize")
    assert authorized.status_code == 200 and authorized.get_json()["status"] == "AUTHORIZED"
    session = poll(client, lease).get_json()
    assert session["lease_status"] == "AUTHORIZED" and session["seen_before"] is False
    assert session["session_token"] and session["refresh_token"] and session["player_identifier"]
    assert session["player_ulid"] == authorized.get_json()["player_ulid"]
    assert client.get("/game/ping", headers=session_headers(session)).status_code == 200
    # The lease is spent.
    error_of(poll(client, lease), 400, "parameter_invalid", "lease_code")
    # The refresh token starts new sessions for the same player.
    body = {"game_key": GAME_KEY, "refresh_token": session["refresh_token"]}
    refreshed = client.post("/game/session/remote", json=body)
    assert refreshed.status_code == 200
    assert refreshed.get_json()["player_ulid"] == session["player_ulid"] and refreshed.get_json()["seen_before"] is True
    error_of(client.post("/game/session/remote", json={**body, "refresh_token": "nope"}), 401, "unauthorized")


def test_login_lease_can_sign_into_an_existing_player(client: FlaskClient) -> None:
    existing = guest(client, "console-player")
    lease = begin_login(client)
    walk_to_verified(client, lease)
    assert browser(client, lease, "authorize", {"player_ulid": existing["player_ulid"]}).status_code == 200
    session = poll(client, lease).get_json()
    assert session["player_ulid"] == existing["player_ulid"] and session["seen_before"] is True


def test_login_lease_can_sign_in_with_an_upstream_account(client: FlaskClient) -> None:
    lease = begin_login(client)
    walk_to_verified(client, lease)
    assert browser(client, lease, "authorize", {"provider": "twitch", "identity_id": "4242"}).status_code == 200
    session = poll(client, lease).get_json()
    assert connected(client, session) == ["twitch"]


def test_poll_rejects_wrong_nonce_unknown_and_cancelled_leases(client: FlaskClient) -> None:
    lease = begin_login(client)
    error_of(poll(client, lease, nonce="01ARZ3NDEKTSV4RRFFQ69G5FAV"), 400, "parameter_invalid", "nonce")
    error_of(poll(client, lease, lease_code="ZZZZZZZZ"), 400, "parameter_invalid", "lease_code")
    error_of(client.post("/game/session/remote", json={"game_key": GAME_KEY}), 400, "parameter_missing", "lease_code")
    error_of(poll(client, lease, game_api_key="dev_wrong_key_0"), 401, "unauthorized")
    assert browser(client, lease, "cancel").get_json()["status"] == "CANCELLED"
    error_of(poll(client, lease), 400, "parameter_invalid", "lease_code")


def test_an_expired_lease_is_rejected(client: FlaskClient, app: Flask) -> None:
    lease = begin_login(client)
    store = app.extensions["mockserver.store"]
    with store.write() as tx:
        stored = tx.get(LEASES, lease["code"])
        stored["expires"] = 0
        tx.put(LEASES, lease["code"], stored)
    error_of(poll(client, lease), 400, "parameter_invalid", "lease_code")
    assert browser(client, lease, "claim").status_code == 409


def test_the_browser_steps_go_in_order(client: FlaskClient) -> None:
    lease = begin_login(client)
    assert browser(client, lease, "verify").status_code == 409
    assert browser(client, lease, "authorize").status_code == 409
    assert browser(client, {"code": "NOSUCHLS"}, "claim").status_code == 404
    walk_to_verified(client, lease)
    assert browser(client, lease, "claim").status_code == 409
    missing = browser(client, lease, "authorize", {"player_ulid": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})
    assert missing.status_code == 404 and "error" in missing.get_json()
    assert browser(client, lease, "authorize", {"provider": "twitch"}).status_code == 400
    assert browser(client, lease, "authorize", {"bogus": 1}).status_code == 400


def test_link_lease_attaches_the_authorized_account(client: FlaskClient) -> None:
    player = guest(client)
    lease = begin_link(client, player)
    assert lease["intent"] == "link"
    walk_to_verified(client, lease)
    assert browser(client, lease, "authorize").status_code == 400  # a link lease needs the account
    authorized = browser(client, lease, "authorize", {"provider": "epic", "identity_id": "epic-0f9e8d7c"})
    assert authorized.status_code == 200 and authorized.get_json()["provider"] == "epic_games"
    assert poll(client, lease).get_json() == {"lease_status": "AUTHORIZED", "intent": "link"}
    body = {"code": lease["code"], "nonce": lease["nonce"]}
    response = client.put("/game/v1/connected-accounts/attach", json=body, headers=session_headers(player))
    assert response.status_code == 200
    assert response.get_json() == {"connected_account": {"provider": "epic_games", "provider_name": "Epic Games"}}
    assert connected(client, player) == ["epic_games", "guest"]
    error_of(
        client.put("/game/v1/connected-accounts/attach", json=body, headers=session_headers(player)),
        400,
        "parameter_invalid",
        "code",
    )


def test_attach_errors(client: FlaskClient) -> None:
    player, other = guest(client), guest(client)
    lease = begin_link(client, player)
    body = {"code": lease["code"], "nonce": lease["nonce"]}
    headers = session_headers(player)
    error_of(
        client.put("/game/v1/connected-accounts/attach", json=body, headers=headers), 400, "parameter_invalid", "code"
    )
    walk_to_verified(client, lease)
    assert browser(client, lease, "authorize", {"provider": "twitch", "identity_id": "4242"}).status_code == 200
    wrong_nonce = {**body, "nonce": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}
    error_of(
        client.put("/game/v1/connected-accounts/attach", json=wrong_nonce, headers=headers),
        400,
        "parameter_invalid",
        "nonce",
    )
    error_of(
        client.put("/game/v1/connected-accounts/attach", json=body, headers=session_headers(other)), 403, "forbidden"
    )
    # The account is connected to another player meanwhile: 409, and the lease is still there.
    taken = client.put(
        "/game/v1/connected-accounts/twitch",
        json={"authorization_code": "twitch-code-richard"},
        headers=session_headers(other),
    )
    assert taken.status_code == 200
    error_of(client.put("/game/v1/connected-accounts/attach", json=body, headers=headers), 409, "conflict")
    login = begin_login(client)
    error_of(
        client.put(
            "/game/v1/connected-accounts/attach", json={"code": login["code"], "nonce": login["nonce"]}, headers=headers
        ),
        400,
        "parameter_invalid",
        "code",
    )


def test_link_lease_needs_a_session_and_its_own_game(client: FlaskClient) -> None:
    error_of(client.post("/game/session/remote/link/lease", json=LEASE_BODY), 401, "unauthorized")
    player = guest(client)
    response = client.post("/game/session/remote/link/lease", headers=session_headers(player))  # no body at all
    assert response.status_code == 200
    other_title = {**LEASE_BODY, "title_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}
    response = client.post("/game/session/remote/link/lease", json=other_title, headers=session_headers(player))
    error_of(response, 400, "parameter_invalid", "title_id")


def test_login_lease_request_errors(client: FlaskClient) -> None:
    error_of(client.post("/game/session/remote/lease", json={}), 400, "parameter_missing", "title_id")
    error_of(
        client.post("/game/session/remote/lease", json={"title_id": TITLE_ID}),
        400,
        "parameter_missing",
        "environment_id",
    )
    unknown = {"title_id": TITLE_ID, "environment_id": TITLE_ID}
    error_of(client.post("/game/session/remote/lease", json=unknown), 400, "parameter_invalid", "title_id")
    error_of(client.post("/game/session/remote/lease", json={"game_key": "dev_nope_nope"}), 401, "unauthorized")
