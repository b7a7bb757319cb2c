"""Helpers of the LootLocker Admin API tests (no tests here): an admin as the Unity SDK's test utilities make
one, and a game set up as LootLockerTestGame.CreateGame does it (prod key, stage key, guest platform)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

PASSWORD = "testrun+2026-12-01-22h"
EMAIL = f"unity+ci-{PASSWORD}@lootlocker.com"


def admin_headers(token: str) -> dict[str, str]:
    return {"x-auth-token": token}


def sign_in(client: FlaskClient, email: str = EMAIL, password: str = PASSWORD) -> dict[str, Any]:
    """LootLockerTestUser.GetUserOrSignIn: log in; on 401 sign up, then log in again."""
    response = client.post("/admin/v1/session", json={"email": email, "password": password})
    if response.status_code == 401:
        signup = client.post(
            "/admin/v1/signup", json={"organisation": password, "name": password, "email": email, "password": password}
        )
        assert signup.status_code == 200, signup.get_json()
        response = client.post("/admin/v1/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


@dataclass
class TestGame:
    """What LootLockerTestGame keeps of a created game."""

    __test__ = False  # not a pytest class
    token: str
    game_id: int
    development_id: int
    domain_key: str
    api_key: str  # the production ("prod") key
    development_api_key: str  # the "stage" key: what the SDK under test is initialised with
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return admin_headers(self.token)

    def dev(self, path: str) -> str:
        """An admin path of the development environment (where the SDK tests set up everything)."""
        return f"/admin/game/{self.development_id}/{path.lstrip('/')}"


def create_game(
    client: FlaskClient, token: str | None = None, name: str = "test game", platforms: tuple[str, ...] = ("guest",)
) -> TestGame:
    if token is None:
        login = sign_in(client)
        token = login["auth_token"]
        organisation_id = login["user"]["organisations"][0]["id"]
    else:
        me = client.post("/admin/v1/session", json={"email": EMAIL, "password": PASSWORD}).get_json()
        organisation_id = me["user"]["organisations"][0]["id"]
    headers = admin_headers(token)
    response = client.post(
        "/admin/v1/game", json={"name": name, "genre": 1, "organisation_id": organisation_id}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    game = response.get_json()["game"]
    keys = []
    for environment, key_name in ((game["id"], "prod"), (game["development"]["id"], "stage")):
        created = client.post(
            f"/admin/game/{environment}/api_keys", json={"name": key_name, "api_type": "game"}, headers=headers
        )
        assert created.status_code == 200, created.get_json()
        keys.append(created.get_json()["api_key"])
    made = TestGame(token, game["id"], game["development"]["id"], game["domain_key"], keys[0], keys[1], game["name"])
    for platform in platforms:
        enabled = client.put(made.dev(f"platforms/{platform}"), json={"enabled": True, "settings": {}}, headers=headers)
        assert enabled.status_code == 200, enabled.get_json()
    return made


def guest_session(client: FlaskClient, game: TestGame, identifier: str | None = None) -> Any:
    body: dict[str, Any] = {"game_key": game.development_api_key, "game_version": "0.0.1.0"}
    if identifier is not None:
        body["player_identifier"] = identifier
    return client.post("/game/v2/session/guest", json=body)
