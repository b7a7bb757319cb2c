"""One game never sees another's players, files, storage or notifications, even where the two games' legacy
player ids coincide (each game counts its own)."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient

from mockserver.lootlocker import notifications
from mockserver.lootlocker.collections import PLAYERS

from .ll_admin_helpers import create_game, guest_session
from .test_lootlocker_helpers import error_of, guest, session_headers


def test_players_of_another_game_are_invisible(app: Flask, client: FlaskClient) -> None:
    here = guest(client, "here")
    other_game = create_game(client)
    there_response = guest_session(client, other_game, "there")
    assert there_response.status_code == 200
    there = there_response.get_json()
    headers_here, headers_there = session_headers(here), session_headers(there)
    form = {"purpose": "p", "public": "true", "file": (io.BytesIO(b"public"), "f.txt")}
    file = client.post("/game/player/files", data=form, content_type="multipart/form-data", headers=headers_here)
    assert file.status_code == 200
    named = client.patch("/game/player/name", json={"name": "Shared Name"}, headers=headers_here)
    assert named.status_code == 200

    # By ULID or public UID the other game's player is unknown; a legacy id names this game's own player.
    error_of(client.get(f"/game/player/{here['player_ulid']}/files", headers=headers_there), 404, "not_found")
    error_of(client.get(f"/game/player/{here['public_uid']}/files", headers=headers_there), 404, "not_found")
    error_of(client.get(f"/game/player/files/{file.get_json()['id']}", headers=headers_there), 404, "not_found")
    lookup = client.get(
        f"/game/player/lookup/name?player_ulid={here['player_ulid']}&player_name=Shared%20Name", headers=headers_there
    )
    assert lookup.get_json() == {"players": []}
    assert here["player_id"] == there["player_id"] == 1  # each game's first player
    by_legacy = client.get(f"/game/player/{here['player_id']}/files", headers=headers_there)
    assert by_legacy.status_code == 200 and by_legacy.get_json() == {"items": []}  # "there" has no files

    store = app.extensions["mockserver.store"]
    with store.write() as tx:
        player = tx.get(PLAYERS, here["player_ulid"])
        sent = notifications.create(tx, player["game_id"], player, {"notification_type": "t", "priority": "low"})
    client.put("/game/notifications/v1/read", json={"notifications": [sent["id"]]}, headers=headers_there)
    assert client.get("/game/notifications/v1", headers=headers_there).get_json()["notifications"] == []
    [still] = client.get("/game/notifications/v1", headers=headers_here).get_json()["notifications"]
    assert still["read"] is False
