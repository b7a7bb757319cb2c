"""User generated content over HTTP: asset candidates through their life (create, update, files up and down over
the served download URL, complete → an asset of the game the asset lists show, delete), isolation and errors."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session
from .test_lootlocker_helpers import error_of, session_headers

CANDIDATES = "/game/v1/player/assets/candidates"


def candidate(client: FlaskClient, session: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(CANDIDATES, json=body, headers=session_headers(session))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["asset_candidate_id"] == answer["asset_candidate"]["id"]
    return dict(answer["asset_candidate"])


def upload(client: FlaskClient, session: dict[str, Any], candidate_id: int, purpose: str, data: bytes) -> Any:
    form = {"purpose": purpose, "file": (io.BytesIO(data), "level.json", "application/json")}
    return client.post(
        f"{CANDIDATES}/{candidate_id}/file",
        data=form,
        content_type="multipart/form-data",
        headers=session_headers(session),
    )


def made_asset(client: FlaskClient, session: dict[str, Any], name: str = "Castle") -> dict[str, Any]:
    """A UGC asset of the session's game (a completed candidate); other tests of content use it."""
    data = {"name": name, "kv_storage": [{"key": "k", "value": "v"}]}
    return candidate(client, session, {"data": data, "completed": True})


def setup(client: FlaskClient) -> tuple[TestGame, dict[str, Any]]:
    game = create_game(client)
    return game, guest_session(client, game, "ugc-maker").get_json()


def test_candidate_life_to_an_asset(client: FlaskClient) -> None:
    _, session = setup(client)
    headers = session_headers(session)
    created = candidate(client, session, {"data": {"name": "Tower", "filters": [{"key": "biome", "value": "ice"}]}})
    assert created["status"] == "in_progress" and created["asset_id"] is None and created["files"] == []
    assert created["data"]["name"] == "Tower" and created["data"]["filters"] == [{"key": "biome", "value": "ice"}]

    uploaded = upload(client, session, created["id"], "file", b'{"tiles": [1, 2]}')
    assert uploaded.status_code == 200, uploaded.get_json()
    [file] = uploaded.get_json()["asset_candidate"]["files"]
    assert file["filename"] == "level.json" and file["size"] == 17 and file["purpose"] == "file"
    assert file["content_type"] == "application/json"
    download = client.get(file["url"].replace("http://localhost", ""))
    assert download.status_code == 200 and download.data == b'{"tiles": [1, 2]}'
    thumb = upload(client, session, created["id"], "primary_thumbnail", b"png").get_json()["asset_candidate"]
    assert [f["purpose"] for f in thumb["files"]] == ["file", "primary_thumbnail"]
    removed = client.delete(f"{CANDIDATES}/{created['id']}/file/{thumb['files'][1]['id']}", headers=headers)
    assert removed.status_code == 204
    # The player's own file list does not show candidate files.
    assert client.get("/game/player/files", headers=headers).get_json()["items"] == []

    body = {"data": {"kv_storage": [{"key": "difficulty", "value": "hard"}]}, "completed": True}
    response = client.put(f"{CANDIDATES}/{created['id']}", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    done = response.get_json()["asset_candidate"]
    assert done["status"] == "completed" and isinstance(done["asset_id"], int)
    assert done["data"]["name"] == "Tower"  # fields not sent are kept
    assert done["data"]["kv_storage"] == [{"key": "difficulty", "value": "hard"}]
    # The asset is the game's: the asset lists show it with the candidate's storage and filters.
    listed = client.get(f"/game/v1/assets/by/id?asset_ids={done['asset_id']}", headers=headers)
    assert listed.status_code == 200, listed.get_json()
    [asset] = listed.get_json()["assets"]
    assert asset["name"] == "Tower"
    assert [(s["key"], s["value"]) for s in asset["storage"]] == [("difficulty", "hard")]
    assert asset["filters"] == [{"name": "biome", "value": "ice"}]
    error_of(client.put(f"{CANDIDATES}/{created['id']}", json=body, headers=headers), 409, "conflict")
    error_of(upload(client, session, created["id"], "file", b"x"), 409, "conflict")

    listing = client.get(CANDIDATES, headers=headers).get_json()["asset_candidates"]
    assert [c["id"] for c in listing] == [created["id"]]
    got = client.get(f"{CANDIDATES}/{created['id']}", headers=headers).get_json()
    assert got["asset_candidate"] == done
    assert client.delete(f"{CANDIDATES}/{created['id']}", headers=headers).status_code == 204
    assert client.get(CANDIDATES, headers=headers).get_json()["asset_candidates"] == []
    error_of(client.get(f"{CANDIDATES}/{created['id']}", headers=headers), 404, "not_found")


def test_unreal_bodies_send_every_field(client: FlaskClient) -> None:
    """Unreal's structs send context_id 0 and empty arrays when unset, and upload purposes upper case."""
    _, session = setup(client)
    empty = {"name": "", "context_id": 0, "kv_storage": [], "filters": [], "data_entities": []}
    created = candidate(client, session, {"data": empty})
    assert created["data"]["context_id"] is None and created["status"] == "in_progress"
    uploaded = upload(client, session, created["id"], "PRIMARY_THUMBNAIL", b"png")
    assert uploaded.get_json()["asset_candidate"]["files"][0]["purpose"] == "primary_thumbnail"
    body = {"completed": True, "data": {**empty, "name": "Bridge", "data_entities": [{"name": "layout", "data": "{}"}]}}
    response = client.put(f"{CANDIDATES}/{created['id']}", json=body, headers=session_headers(session))
    assert response.status_code == 200, response.get_json()
    done = response.get_json()["asset_candidate"]
    assert done["status"] == "completed" and done["data"]["data_entities"] == [{"name": "layout", "data": "{}"}]


def test_errors_and_isolation(client: FlaskClient) -> None:
    game, session = setup(client)
    headers = session_headers(session)
    other = guest_session(client, game, "ugc-other").get_json()
    mine = candidate(client, session, {"data": {}})
    error_of(client.get(f"{CANDIDATES}/{mine['id']}", headers=session_headers(other)), 404, "not_found")
    error_of(client.delete(f"{CANDIDATES}/{mine['id']}", headers=session_headers(other)), 404, "not_found")
    error_of(upload(client, other, mine["id"], "file", b"x"), 404, "not_found")
    completing = client.put(f"{CANDIDATES}/{mine['id']}", json={"completed": True}, headers=headers)
    error_of(completing, 400, "parameter_missing", "data.name")
    bad_context = {"data": {"name": "x", "context_id": 999999}}
    error_of(client.post(CANDIDATES, json=bad_context, headers=headers), 400, "parameter_invalid", "data.context_id")
    error_of(upload(client, session, mine["id"], "poster", b"x"), 400, "parameter_invalid", "purpose")
    error_of(upload(client, session, mine["id"], "file", b""), 400, "parameter_invalid", "file")
    error_of(client.delete(f"{CANDIDATES}/{mine['id']}/file/999999", headers=headers), 404, "not_found")
    assert client.get(CANDIDATES).status_code == 401
    forced = client.get(CANDIDATES, headers={**headers, "Prefer": "code=503"})
    error_of(forced, 503, "service_unavailable")
    assert forced.headers["Retry-After"]
