"""The LootLocker Admin API over HTTP: admin users, games and environments, API keys, platforms, bans,
notifications, title configuration, player lookup; isolation between organisations."""

from __future__ import annotations

import re
from typing import Any

import requests
from flask.testing import FlaskClient

from .ll_admin_helpers import EMAIL, PASSWORD, admin_headers, create_game, guest_session, sign_in
from .test_lootlocker_helpers import error_of


# -- users ---------------------------------------------------------------------------------------
def test_login_of_an_unknown_user_is_401_then_sign_up_and_login_answer_a_token_and_the_user(
    client: FlaskClient,
) -> None:
    error_of(client.post("/admin/v1/session", json={"email": EMAIL, "password": PASSWORD}), 401, "unauthorized")
    signup = client.post(
        "/admin/v1/signup", json={"organisation": "Org", "name": "Ada", "email": EMAIL, "password": PASSWORD}
    )
    assert signup.status_code == 200
    user = signup.get_json()["user"]
    assert user["name"] == "Ada" and user["email"] == EMAIL and isinstance(user["signed_up"], int)
    assert [o["name"] for o in user["organisations"]] == ["Org"] and isinstance(user["organisations"][0]["id"], int)
    login = client.post("/admin/v1/session", json={"email": EMAIL.upper(), "password": PASSWORD})
    assert login.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{40}", login.get_json()["auth_token"])
    assert login.get_json()["auth_token"] != signup.get_json()["auth_token"]
    assert login.get_json()["user"]["id"] == user["id"]


def test_wrong_password_is_401_and_a_second_sign_up_is_409(client: FlaskClient) -> None:
    sign_in(client)
    error_of(client.post("/admin/v1/session", json={"email": EMAIL, "password": "wrong"}), 401, "unauthorized")
    again = {"organisation": "x", "name": "x", "email": EMAIL, "password": PASSWORD}
    error_of(client.post("/admin/v1/signup", json=again), 409, "conflict")


def test_sign_up_validates_its_body(client: FlaskClient) -> None:
    error_of(
        client.post("/admin/v1/signup", json={"name": "x", "email": EMAIL, "password": PASSWORD}),
        400,
        "parameter_missing",
        "organisation",
    )
    short = {"organisation": "o", "name": "x", "email": EMAIL, "password": "short"}
    error_of(client.post("/admin/v1/signup", json=short), 400, "parameter_invalid", "password")
    error_of(client.post("/admin/v1/session", data="[]", content_type="application/json"), 400, "request_body_invalid")


def test_prefer_forces_a_documented_status(client: FlaskClient) -> None:
    response = client.post("/admin/v1/session", json={}, headers={"Prefer": "code=503"})
    error_of(response, 503, "service_unavailable")
    assert response.headers["Retry-After"] == "1"


# -- games, API keys, platforms ------------------------------------------------------------------
def test_create_game_answers_production_and_development_environments_sharing_a_domain_key(
    client: FlaskClient,
) -> None:
    login = sign_in(client)
    headers = admin_headers(login["auth_token"])
    organisation_id = login["user"]["organisations"][0]["id"]
    response = client.post(
        "/admin/v1/game", json={"name": "g", "genre": 1, "organisation_id": organisation_id}, headers=headers
    )
    assert response.status_code == 200
    game = response.get_json()["game"]
    development = game["development"]
    assert game["id"] != development["id"] and game["id"] > 1  # above the fixture game's id
    assert game["domain_key"] == development["domain_key"] and re.fullmatch(r"[a-z0-9]{8}", game["domain_key"])
    assert game["title_id"] == development["title_id"] and game["environment_id"] != development["environment_id"]
    assert (game["environment"], development["environment"]) == ("production", "development")
    assert development["development"] is None and game["name"] == "g" and game["genre"] == 1
    assert client.get(f"/admin/v1/game/{game['id']}", headers=headers).get_json() == {"game": game}
    dev = client.get(f"/admin/v1/game/{development['id']}", headers=headers).get_json()["game"]
    assert dev == development
    user = client.post("/admin/v1/session", json={"email": EMAIL, "password": PASSWORD}).get_json()["user"]
    summary = user["organisations"][0]["games"]
    assert [(g["id"], g["development"]["id"]) for g in summary] == [(game["id"], development["id"])]


def test_admin_calls_need_a_known_auth_token(client: FlaskClient) -> None:
    error_of(client.get("/admin/v1/game/1"), 401, "unauthorized")
    error_of(client.get("/admin/v1/game/1", headers=admin_headers("0" * 40)), 401, "unauthorized")


def test_a_game_of_another_organisation_is_invisible(client: FlaskClient) -> None:
    game = create_game(client)
    other = sign_in(client, "other@example.com", "other-password")
    headers = admin_headers(other["auth_token"])
    for path in (f"/admin/v1/game/{game.game_id}", f"/admin/game/{game.development_id}/api_keys", "/admin/v1/game/1"):
        error_of(client.get(path, headers=headers), 404, "not_found")
    body = {"name": "x", "organisation_id": sign_in(client)["user"]["organisations"][0]["id"]}
    error_of(client.post("/admin/v1/game", json=body, headers=headers), 404, "not_found")
    error_of(client.delete(f"/admin/v1/game/{game.game_id}", headers=headers), 404, "not_found")
    error_of(client.get("/admin/v1/game/abc", headers=game.headers), 404, "not_found")


def test_api_keys_are_per_environment_and_sign_in_to_it(client: FlaskClient) -> None:
    game = create_game(client)
    assert re.fullmatch(r"prod_[0-9a-f]{32}", game.api_key)
    assert re.fullmatch(r"dev_[0-9a-f]{32}", game.development_api_key)
    keys = client.get(game.dev("api_keys"), headers=game.headers).get_json()["api_keys"]
    assert [(k["name"], k["api_key"], k["api_type"], k["game_id"]) for k in keys] == [
        ("stage", game.development_api_key, "game", game.development_id)
    ]
    session = guest_session(client, game, "player-1")
    assert session.status_code == 200, session.get_json()
    info = client.post("/game/info/v1", json={"api_key": game.development_api_key}).get_json()["info"]
    assert info["game_id"] == game.development_id
    # The production environment has no guest platform enabled: its key signs in nowhere yet.
    prod = client.post("/game/v2/session/guest", json={"game_key": game.api_key, "player_identifier": "player-1"})
    error_of(prod, 403, "forbidden")
    server = client.post(game.dev("api_keys"), json={"name": "srv", "api_type": "server"}, headers=game.headers)
    assert server.status_code == 200 and server.get_json()["api_type"] == "server"
    error_of(
        client.post("/game/v2/session/guest", json={"game_key": server.get_json()["api_key"]}), 401, "unauthorized"
    )


def test_a_platform_not_enabled_refuses_sign_in_until_enabled_and_again_once_disabled(client: FlaskClient) -> None:
    game = create_game(client, platforms=())
    error_of(guest_session(client, game), 403, "forbidden")
    platforms = client.get(game.dev("platforms"), headers=game.headers).get_json()["platforms"]
    assert {p["name"]: p["enabled"] for p in platforms}["guest"] is False
    enabled = client.put(game.dev("platforms/guest"), json={"enabled": True, "settings": {}}, headers=game.headers)
    assert enabled.get_json() == {"name": "guest", "enabled": True, "settings": {}}
    assert guest_session(client, game).status_code == 200
    disabled = client.put(game.dev("platforms/guest"), json={"enabled": False}, headers=game.headers)
    assert disabled.get_json()["enabled"] is False
    error_of(guest_session(client, game), 403, "forbidden")
    error_of(client.put(game.dev("platforms/nope"), json={"enabled": True}, headers=game.headers), 404, "not_found")
    error_of(
        client.put(game.dev("platforms/guest"), json={}, headers=game.headers), 400, "parameter_missing", "enabled"
    )


def test_platform_settings_are_kept(client: FlaskClient) -> None:
    game = create_game(client, platforms=())
    settings = {"app_id": "480", "publisher_key": "secret"}
    client.put(game.dev("platforms/steam"), json={"enabled": True, "settings": settings}, headers=game.headers)
    steam = next(
        p
        for p in client.get(game.dev("platforms"), headers=game.headers).get_json()["platforms"]
        if p["name"] == "steam"
    )
    assert steam == {"name": "steam", "enabled": True, "settings": settings}


def test_deleting_a_game_ends_its_sessions_and_its_keys(client: FlaskClient) -> None:
    game = create_game(client)
    session = guest_session(client, game).get_json()
    deleted = client.delete(f"/admin/v1/game/{game.game_id}", headers=game.headers)
    assert deleted.status_code == 204 and deleted.data == b""
    error_of(
        client.get("/game/player/name", headers={"x-session-token": session["session_token"]}), 401, "unauthorized"
    )
    error_of(guest_session(client, game), 401, "unauthorized")
    error_of(client.get(f"/admin/v1/game/{game.development_id}", headers=game.headers), 404, "not_found")


# -- bans, notifications, title configuration, lookup --------------------------------------------
def test_a_ban_refuses_sign_in_with_player_banned_until_lifted(client: FlaskClient) -> None:
    game = create_game(client)
    player = guest_session(client, game, "banned-one").get_json()
    banned = client.post(game.dev(f"player/{player['player_ulid']}/bans"), json={}, headers=game.headers)
    assert banned.status_code == 200
    assert banned.get_json()["ban"]["permanent"] is True and banned.get_json()["ban"]["banned_until"] is None
    body = error_of(guest_session(client, game, "banned-one"), 403, "player_banned")
    assert body["ban"]["ban_reason"] and body["ban"]["permanent"] is True
    assert guest_session(client, game, "someone-else").status_code == 200
    status = client.post(
        "/game/session/ban-status", json={"game_api_key": game.development_api_key, "player_id": player["player_ulid"]}
    )
    assert status.get_json()["is_banned"] is True and status.get_json()["ban"] == body["ban"]
    lifted = client.delete(game.dev(f"player/{player['player_ulid']}/bans"), headers=game.headers)
    assert lifted.status_code == 204
    assert guest_session(client, game, "banned-one").status_code == 200
    status = client.post(
        "/game/session/ban-status", json={"game_api_key": game.development_api_key, "player_id": player["player_ulid"]}
    )
    assert status.get_json() == {"is_banned": False, "ban": None}


def test_a_temporary_ban_has_a_reason_and_ends_by_itself(client: FlaskClient) -> None:
    game = create_game(client)
    player = guest_session(client, game, "temp").get_json()
    path = game.dev(f"player/{player['player_ulid']}/bans")
    body = {"reason": "cheating", "banned_until": "2999-01-01T00:00:00+00:00"}
    ban = client.post(path, json=body, headers=game.headers).get_json()["ban"]
    assert ban["ban_reason"] == "cheating" and ban["permanent"] is False
    assert error_of(guest_session(client, game, "temp"), 403, "player_banned")["ban"] == ban
    client.post(path, json={"banned_until": "2000-01-01T00:00:00+00:00"}, headers=game.headers)
    assert guest_session(client, game, "temp").status_code == 200


def test_bans_name_players_of_the_environment_only(client: FlaskClient) -> None:
    game = create_game(client)
    other = create_game(client, token=game.token)
    player = guest_session(client, other, "p").get_json()
    error_of(
        client.post(game.dev(f"player/{player['player_ulid']}/bans"), json={}, headers=game.headers), 404, "not_found"
    )
    error_of(client.post(game.dev("player/not-a-ulid/bans"), json={}, headers=game.headers), 404, "not_found")
    status = {"game_api_key": game.development_api_key, "player_id": player["player_ulid"]}
    error_of(client.post("/game/session/ban-status", json=status), 404, "not_found")
    missing = client.post("/game/session/ban-status", json={"player_id": player["player_ulid"]})
    error_of(missing, 400, "parameter_missing", "game_key")


def test_a_custom_notification_reaches_the_player(client: FlaskClient) -> None:
    game = create_game(client)
    player = guest_session(client, game, "reader").get_json()
    body = {
        "notification_type": "custom.test",
        "priority": "high",
        "recipient": player["player_ulid"],
        "content": {"hello": "world"},
        "properties": [{"key": "k", "value": "v"}],
    }
    sent = client.post(game.dev("notifications/v1"), json=body, headers=game.headers)
    assert sent.status_code == 200 and sent.get_json()["recipient"] == player["player_ulid"]
    listed = client.get("/game/notifications/v1", headers={"x-session-token": player["session_token"]}).get_json()
    [notification] = listed["notifications"]
    assert notification["id"] == sent.get_json()["id"] and notification["priority"] == "high"
    assert notification["content"]["body"] == {"hello": "world"}
    body["recipient"] = "0" * 26
    error_of(client.post(game.dev("notifications/v1"), json=body, headers=game.headers), 404, "not_found")
    del body["notification_type"]
    error_of(
        client.post(game.dev("notifications/v1"), json=body, headers=game.headers),
        400,
        "parameter_missing",
        "notification_type",
    )


def test_title_configuration_is_kept_per_environment(client: FlaskClient) -> None:
    game = create_game(client)
    path = game.dev("config/global_player_presence")
    error_of(client.get(path, headers=game.headers), 404, "not_found")
    value = {"enabled": True, "advanced_mode": False}
    assert client.post(path, json=value, headers=game.headers).get_json() == {
        "key": "global_player_presence",
        "value": value,
    }
    assert client.get(path, headers=game.headers).get_json()["value"] == value
    error_of(
        client.get(f"/admin/game/{game.game_id}/config/global_player_presence", headers=game.headers), 404, "not_found"
    )


def test_player_lookup_by_id_public_uid_and_name(client: FlaskClient) -> None:
    game = create_game(client)
    one = guest_session(client, game, "one").get_json()
    two = client.post(
        "/game/v2/session/guest",
        json={"game_key": game.development_api_key, "player_identifier": "two", "optionals": {"player_name": "Zed"}},
    ).get_json()
    url = game.dev(
        f"players/lookup?player_id={one['player_ulid']}&public_uid={two['public_uid']}&name=zed&player_id=999"
    )
    players = client.get(url, headers=game.headers).get_json()["players"]
    assert [p["ulid"] for p in players] == [one["player_ulid"], two["player_ulid"]]
    assert players[0]["platforms"] == ["guest"] and players[1]["name"] == "Zed" and players[0]["banned"] is False
    legacy = client.get(game.dev(f"players/lookup?player_id={one['player_id']}"), headers=game.headers).get_json()
    assert [p["id"] for p in legacy["players"]] == [one["player_id"]]


# -- hostile input (the cases of tests/test_hostile_input.py, on every Admin API operation) ----------
def test_hostile_requests_to_every_admin_operation_stay_below_500_in_lootlockers_error_format(
    client: FlaskClient,
) -> None:
    from urllib.parse import quote

    from mockserver.lootlocker.admin.routes import admin_spec
    from mockserver.openapi import specs

    from .test_hostile_input import _bodies_for, check

    game = create_game(client)
    player = guest_session(client, game, "hostile").get_json()
    real = {"game_id": str(game.development_id), "player_id": player["player_ulid"], "platform": "guest"}
    real["key"] = "global_player_presence"
    operations = sorted(admin_spec(specs()).operations.values(), key=lambda op: op.method == "DELETE")
    for operation in operations:
        odd_values = ["%00", "9" * 40, "-1", quote("💥"), "..%2Fx", quote("a b")]
        fillings = [None, *odd_values]
        for filling in fillings:
            path = operation.path
            for param in operation.parameters:
                if param.location == "path":
                    value = filling if filling is not None else real.get(param.name, "1")
                    path = path.replace("{" + param.name + "}", value)
            bodies = _bodies_for(operation) if operation.bodies and filling is None else [b"{}"]
            for body in bodies:
                headers = {**game.headers, "Content-Type": "application/json"}
                response = client.open(path, method=operation.method, data=body, headers=headers)
                check(
                    "lootlocker",
                    operation.method,
                    path,
                    response.status_code,
                    response.get_data(),
                    response.headers.get("Content-Type"),
                )
    assert client.post("/admin/v1/session", json={"email": EMAIL, "password": PASSWORD}).status_code == 200


# -- a real server (the WSGI dispatcher's path, several requests in a row) ---------------------------
def test_admin_set_up_and_a_ban_against_a_live_server(live_clean: Any) -> None:
    url = live_clean.url
    signup = {"organisation": "Studio", "name": "Ada", "email": "live@example.com", "password": "live-password"}
    assert requests.post(f"{url}/admin/v1/signup", json=signup, timeout=5).status_code == 200
    login = requests.post(
        f"{url}/admin/v1/session", json={"email": signup["email"], "password": signup["password"]}, timeout=5
    ).json()
    headers = {"x-auth-token": login["auth_token"]}
    body = {"name": "live game", "genre": 1, "organisation_id": login["user"]["organisations"][0]["id"]}
    game = requests.post(f"{url}/admin/v1/game", json=body, headers=headers, timeout=5).json()["game"]
    dev = game["development"]["id"]
    key = requests.post(f"{url}/admin/game/{dev}/api_keys", json={"name": "stage"}, headers=headers, timeout=5).json()
    guest = {"game_key": key["api_key"], "player_identifier": "live-player"}
    assert requests.post(f"{url}/game/v2/session/guest", json=guest, timeout=5).status_code == 403
    platform = requests.put(
        f"{url}/admin/game/{dev}/platforms/guest", json={"enabled": True}, headers=headers, timeout=5
    )
    assert platform.status_code == 200
    session = requests.post(f"{url}/game/v2/session/guest", json=guest, timeout=5).json()
    ban = requests.post(
        f"{url}/admin/game/{dev}/player/{session['player_ulid']}/bans", json={}, headers=headers, timeout=5
    )
    assert ban.status_code == 200
    refused = requests.post(f"{url}/game/v2/session/guest", json=guest, timeout=5)
    assert refused.status_code == 403 and refused.json()["code"] == "player_banned"
    missing = requests.get(f"{url}/admin/nothing-here", timeout=5)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert requests.delete(f"{url}/admin/v1/game/{game['id']}", headers=headers, timeout=5).status_code == 204


# -- fixtures --------------------------------------------------------------------------------------
FIXTURE_ADMIN = {"email": "admin@mockserver.dev", "password": "mockserver-admin-password"}


def test_the_fixture_admin_manages_the_fixture_game(client: FlaskClient) -> None:
    login = client.post("/admin/v1/session", json=FIXTURE_ADMIN).get_json()
    [organisation] = login["user"]["organisations"]
    assert (login["user"]["id"], organisation["id"], organisation["name"]) == (1, 1, "mockserver")
    assert [(g["id"], g["domain_key"]) for g in organisation["games"]] == [(1, "mockserverdev")]
    headers = admin_headers(login["auth_token"])
    game = client.get("/admin/v1/game/1", headers=headers).get_json()["game"]
    assert game["name"] == "mockserver game" and game["development"] is None
    key = client.post("/admin/game/1/api_keys", json={"name": "extra"}, headers=headers).get_json()["api_key"]
    assert key.startswith("dev_")
    assert client.post("/game/v2/session/guest", json={"game_key": key}).status_code == 200
    client.put("/admin/game/1/platforms/guest", json={"enabled": False}, headers=headers)
    error_of(client.post("/game/v2/session/guest", json={"game_key": key}), 403, "forbidden")
    error_of(client.post("/admin/v1/session", json={**FIXTURE_ADMIN, "password": "nope"}), 401, "unauthorized")


def test_sign_ups_take_ids_no_fixture_uses(client: FlaskClient) -> None:
    user = sign_in(client)["user"]
    assert user["id"] == 2 and user["organisations"][0]["id"] == 2
    game = create_game(client)
    other = client.post("/admin/v1/session", json=FIXTURE_ADMIN).get_json()
    error_of(client.get(f"/admin/v1/game/{game.game_id}", headers=admin_headers(other["auth_token"])), 404, "not_found")
    error_of(client.get("/admin/v1/game/1", headers=game.headers), 404, "not_found")


def test_a_fixtures_folder_declares_its_own_admins(tmp_path: Any) -> None:
    import json

    from mockserver.app import create_app
    from mockserver.config import Config
    from mockserver.fixtures import FixtureError

    folder = tmp_path / "fixtures" / "lootlocker"
    folder.mkdir(parents=True)
    admins = [
        {
            "id": "7",
            "email": "qa@studio.test",
            "name": "QA",
            "password": "qa-password",
            "organisations": [{"id": 3, "name": "Studio"}],
        }
    ]
    (folder / "admin-users.json").write_text(json.dumps(admins))
    client = create_app(Config(strict=True, fixtures_dir=str(tmp_path / "fixtures"))).test_client()
    login = client.post("/admin/v1/session", json={"email": "qa@studio.test", "password": "qa-password"}).get_json()
    assert login["user"]["id"] == 7 and login["user"]["organisations"] == [{"id": 3, "name": "Studio", "games": []}]
    assert client.post("/admin/v1/session", json=FIXTURE_ADMIN).status_code == 401  # the folder replaces the default
    admins[0]["email"] = "QA@studio.test"
    (folder / "admin-users.json").write_text(json.dumps(admins))
    try:
        create_app(Config(strict=True, fixtures_dir=str(tmp_path / "fixtures")))
        raise AssertionError("an upper-case fixture email was accepted")
    except FixtureError as error:
        assert "admin-users.json" in str(error) and "email" in str(error)


def test_user_all_answers_the_user_of_the_token(client: FlaskClient) -> None:
    login = sign_in(client)
    game = create_game(client, token=login["auth_token"])
    me = client.get("/admin/v1/user/all", headers=admin_headers(login["auth_token"])).get_json()["user"]
    assert me["id"] == login["user"]["id"] and [g["id"] for g in me["organisations"][0]["games"]] == [game.game_id]
    error_of(client.get("/admin/v1/user/all"), 401, "unauthorized")


# -- the document ----------------------------------------------------------------------------------
def test_the_admin_document_is_valid_openapi_and_documents_every_error() -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    from mockserver.lootlocker.admin.routes import admin_spec
    from mockserver.openapi import specs
    from mockserver.resources import SCHEMAS_DIR

    spec, base_uri = read_from_filename(str(SCHEMAS_DIR / "lootlocker-admin.openapi.yaml"))
    validate(spec, base_uri=base_uri)
    operations = admin_spec(specs()).operations
    for operation in operations.values():
        assert {400, 429, 500, 503} <= set(operation.statuses), operation.operation_id
        assert operation.path.startswith("/admin/"), operation.operation_id
        if not operation.anonymous:
            assert 401 in operation.statuses, operation.operation_id
        if "{game_id}" in operation.path:
            assert 404 in operation.statuses, operation.operation_id
        for check in [p.validator for p in operation.parameters] + list(operation.bodies.values()):
            assert check.validator is not None, (operation.operation_id, check.uri)
        for response in operation.responses.values():
            assert response is None or response.validator is not None, operation.operation_id
    assert {op.operation_id for op in operations.values() if op.anonymous} == {"adminLogin", "adminSignup"}


def test_the_domain_key_names_production_unless_is_development(client: FlaskClient) -> None:
    game = create_game(client, platforms=("white_label_login",))
    prod = f"/admin/game/{game.game_id}/platforms/white_label_login"
    assert client.put(prod, json={"enabled": True}, headers=game.headers).status_code == 200
    account = {"email": "env@example.com", "password": "123456789"}
    production = {"domain-key": game.domain_key}
    development = {"domain-key": game.domain_key, "is-development": "true"}
    assert client.post("/white-label-login/sign-up", json=account, headers=production).status_code == 200
    error_of(client.post("/white-label-login/login", json=account, headers=development), 401, "unauthorized")
    login = client.post("/white-label-login/login", json=account, headers=production).get_json()
    session = {"game_key": game.api_key, "email": account["email"], "token": login["session_token"]}
    assert client.post("/game/v2/session/white-label", json=session).status_code == 200
    session["game_key"] = game.development_api_key  # the production login is no development session
    error_of(client.post("/game/v2/session/white-label", json=session), 401, "unauthorized")


def test_patch_game_changes_its_settings(client: FlaskClient) -> None:
    game = create_game(client)
    body = {"name": "renamed", "genre": 3, "unique_player_names": True, "soft_currency_name": "gold"}
    updated = client.patch(f"/admin/v1/game/{game.development_id}", json=body, headers=game.headers)
    assert updated.status_code == 200
    dev = updated.get_json()["game"]
    assert (dev["name"], dev["genre"], dev["unique_player_names"], dev["soft_currency_name"]) == (
        "renamed",
        3,
        True,
        "gold",
    )
    prod = client.get(f"/admin/v1/game/{game.game_id}", headers=game.headers).get_json()["game"]
    assert (prod["name"], prod["genre"], prod["unique_player_names"]) == (
        "renamed",
        3,
        False,
    )  # settings per environment
    info = client.post("/game/info/v1", json={"api_key": game.development_api_key}).get_json()["info"]
    assert info["name"] == "renamed"
    bad = client.patch(f"/admin/v1/game/{game.game_id}", json={"name": ""}, headers=game.headers)
    error_of(bad, 400, "parameter_invalid", "name")


def test_the_journal_and_faults_cover_the_admin_api(client: FlaskClient) -> None:
    """The SDK's set-up retries an admin call that carried Retry-After: a 429 fault gives it one."""
    fault = {"match": {"path": "/admin/v1/session"}, "effect": {"status": 429}, "times": 1}
    assert client.post("/_mock/faults", json=fault).status_code == 201
    body = {"email": "admin@mockserver.dev", "password": "mockserver-admin-password"}
    limited = client.post("/admin/v1/session", json=body)
    assert error_of(limited, 429, "too_many_requests") and limited.headers["Retry-After"] == "1"
    assert client.post("/admin/v1/session", json=body).status_code == 200  # the retry
    entries = client.get("/_mock/requests").get_json()["requests"]
    assert [e["operationId"] for e in entries[:2]] == ["adminLogin", "adminLogin"]
    assert sorted(e["response"]["status"] for e in entries[:2]) == [200, 429]


def test_a_state_with_admin_users_and_games_exports_and_imports_again(client: FlaskClient) -> None:
    game = create_game(client)
    client.patch(f"/admin/v1/game/{game.game_id}", json={"sandbox_mode": True}, headers=game.headers)
    exported = client.get("/_mock/state").get_json()
    imported = client.put("/_mock/state", json=exported)
    assert imported.status_code == 200, imported.get_json()
    assert guest_session(client, game, "after-import").status_code == 200
    assert sign_in(client)["user"]["organisations"][0]["games"][0]["id"] == game.game_id
    again = client.get(f"/admin/v1/game/{game.game_id}", headers=game.headers).get_json()["game"]
    assert again["sandbox_mode"] is True and again["development"]["sandbox_mode"] is False
