"""Players features against a live `mockserver serve`, over plain HTTP as a game and its studio's tools call
them: a real multipart upload, the download URL fetched from the server itself, notifications sent through
the Admin API, name lookups, and a deleted player."""

from __future__ import annotations

from typing import Any

import requests

from .conftest import LiveServer
from .ll_admin_helpers import EMAIL, PASSWORD


def call(live: LiveServer, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
    headers = {"x-session-token": token} if token else {}
    return requests.request(method, f"{live.url}{path}", headers=headers, timeout=10, **kwargs)


def test_files_notifications_lookups_and_deletion_over_http(live_clean: LiveServer) -> None:
    live = live_clean
    signup = {"organisation": "Studio", "name": "Ada", "email": EMAIL, "password": PASSWORD}
    login = requests.post(f"{live.url}/admin/v1/signup", json=signup, timeout=10).json()
    admin = {"x-auth-token": login["auth_token"]}
    organisation = login["user"]["organisations"][0]["id"]
    game = requests.post(
        f"{live.url}/admin/v1/game", json={"name": "g", "organisation_id": organisation}, headers=admin, timeout=10
    ).json()["game"]
    stage = game["development"]["id"]
    key = requests.post(
        f"{live.url}/admin/game/{stage}/api_keys", json={"name": "stage", "api_type": "game"}, headers=admin, timeout=10
    ).json()["api_key"]
    enabled = requests.put(
        f"{live.url}/admin/game/{stage}/platforms/guest",
        json={"enabled": True, "settings": {}},
        headers=admin,
        timeout=10,
    )
    assert enabled.status_code == 200, enabled.text
    session = call(live, "POST", "/game/v2/session/guest", json={"game_key": key})
    assert session.status_code == 200, session.text
    player = session.json()
    token = player["session_token"]

    files = {"file": ("save.bin", bytes(range(256)) * 40)}
    uploaded = call(live, "POST", "/game/player/files", token, data={"purpose": "save", "public": "false"}, files=files)
    assert uploaded.status_code == 200, uploaded.text
    file = uploaded.json()
    assert file["size"] == 10240 and file["public"] is False
    assert file["url"].startswith(f"{live.url}/_files/lootlocker/")
    downloaded = requests.get(file["url"], timeout=10)  # no session: a signed URL
    assert downloaded.status_code == 200 and downloaded.content == bytes(range(256)) * 40

    sent = requests.post(
        f"{live.url}/admin/game/{stage}/notifications/v1",
        json={"notification_type": "welcome", "priority": "low", "recipient": player["player_ulid"], "content": "hi"},
        headers=admin,
        timeout=10,
    )
    assert sent.status_code == 200, sent.text
    listed = call(live, "GET", "/game/notifications/v1?read=false&", token).json()
    assert [n["content"]["body"] for n in listed["notifications"]] == ["hi"]
    assert call(live, "PUT", "/game/notifications/v1/read/all", token, json={}).status_code == 204
    assert call(live, "GET", "/game/notifications/v1?read=false&", token).json()["notifications"] == []

    name = call(live, "PATCH", "/game/player/name", token, json={"name": "Live Ada"})
    assert name.status_code == 200
    found = call(live, "GET", "/game/player/lookup/name?player_name=Live%20Ada", token).json()["players"]
    assert [p["ulid"] for p in found] == [player["player_ulid"]]

    assert call(live, "DELETE", "/game/player", token).status_code == 204
    assert call(live, "GET", "/game/player/files", token).status_code == 401
    assert requests.get(file["url"], timeout=10).status_code == 404  # the player's files went with them
