"""Player files over HTTP: multipart upload with LootLocker's field names, list, get, replace, delete, other
players' public files, the download URLs the mock serves, and the upload size limit."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.config import Config

from .test_lootlocker_helpers import error_of, guest, session_headers

FILES = "/game/player/files"


def upload(client: FlaskClient, session: dict[str, Any], content: bytes = b"First added line\n", **form: str) -> Any:
    fields: dict[str, Any] = {"purpose": "test", "public": "true", **form}
    fields["file"] = (io.BytesIO(content), "creation.txt")
    return client.post(FILES, data=fields, content_type="multipart/form-data", headers=session_headers(session))


def download(client: FlaskClient, url: str) -> Any:
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_upload_answers_the_file_and_serves_its_bytes(client: FlaskClient) -> None:
    session = guest(client)
    response = upload(client, session)
    assert response.status_code == 200, response.get_json()
    file = response.get_json()
    assert file["size"] == len(b"First added line\n") and file["public"] is True
    assert (file["name"], file["purpose"]) == ("creation.txt", "test")
    assert file["url"].startswith("http://localhost/_files/lootlocker/") and file["url_expires_at"]
    got = download(client, file["url"])  # no session needed
    assert got.status_code == 200 and got.data == b"First added line\n"
    private = upload(client, session, public="false").get_json()
    assert private["public"] is False and private["id"] > file["id"]


def test_list_get_update_delete(client: FlaskClient) -> None:
    session = guest(client)
    headers = session_headers(session)
    first = upload(client, session).get_json()
    second = upload(client, session, b"other", purpose="save", public="false").get_json()
    listed = client.get(FILES, headers=headers).get_json()["items"]
    assert [f["id"] for f in listed] == [first["id"], second["id"]]
    one = client.get(f"{FILES}/{second['id']}", headers=headers).get_json()
    assert {k: one[k] for k in ("id", "revision_id", "name", "size", "purpose", "public")} == {
        k: second[k] for k in ("id", "revision_id", "name", "size", "purpose", "public")
    }
    data = {"file": (io.BytesIO(b"replaced content"), "new.txt")}
    updated = client.put(f"{FILES}/{second['id']}", data=data, content_type="multipart/form-data", headers=headers)
    assert updated.status_code == 200, updated.get_json()
    new = updated.get_json()
    assert new["id"] == second["id"] and new["revision_id"] != second["revision_id"]
    assert (new["size"], new["name"], new["purpose"], new["public"]) == (16, "new.txt", "save", False)
    assert download(client, new["url"]).data == b"replaced content"
    assert download(client, second["url"]).status_code == 404  # the old revision is gone
    deleted = client.delete(f"{FILES}/{first['id']}", headers=headers)
    assert deleted.status_code == 204 and deleted.data == b""
    assert [f["id"] for f in client.get(FILES, headers=headers).get_json()["items"]] == [second["id"]]
    error_of(client.get(f"{FILES}/{first['id']}", headers=headers), 404, "not_found")
    error_of(client.delete(f"{FILES}/{first['id']}", headers=headers), 404, "not_found")
    assert download(client, first["url"]).status_code == 404


def test_other_players_see_only_public_files_and_change_none(client: FlaskClient) -> None:
    owner, other = guest(client), guest(client)
    public = upload(client, owner).get_json()
    upload(client, owner, public="false")
    seen = client.get(f"/game/player/{owner['player_id']}/files", headers=session_headers(other)).get_json()
    assert [f["id"] for f in seen["items"]] == [public["id"]]
    by_ulid = client.get(f"/game/player/{owner['player_ulid']}/files", headers=session_headers(other)).get_json()
    assert by_ulid == {"items": [dict(seen["items"][0], url=by_ulid["items"][0]["url"])]}
    error_of(client.get("/game/player/99999/files", headers=session_headers(other)), 404, "not_found")
    other_headers = session_headers(other)
    error_of(client.get(f"{FILES}/{public['id']}", headers=other_headers), 404, "not_found")
    error_of(client.delete(f"{FILES}/{public['id']}", headers=other_headers), 404, "not_found")
    data = {"file": (io.BytesIO(b"x"), "x.txt")}
    replaced = client.put(
        f"{FILES}/{public['id']}", data=data, content_type="multipart/form-data", headers=other_headers
    )
    error_of(replaced, 404, "not_found")
    assert client.get(FILES, headers=other_headers).get_json() == {"items": []}


def test_download_urls_are_signed(client: FlaskClient) -> None:
    file = upload(client, guest(client)).get_json()
    parts = urlsplit(file["url"])
    assert client.get(parts.path).status_code == 403
    tampered = parts.query.replace("expires=", "expires=1")
    assert client.get(f"{parts.path}?{tampered}").status_code == 403
    expired = "expires=1000&signature=" + parts.query.split("signature=")[1]
    assert client.get(f"{parts.path}?{expired}").status_code == 403


def test_bad_uploads(client: FlaskClient) -> None:
    session = guest(client)
    headers = session_headers(session)
    no_file = client.post(FILES, data={"purpose": "x"}, content_type="multipart/form-data", headers=headers)
    error_of(no_file, 400, "parameter_missing", "file")
    error_of(upload(client, session, b""), 400, "parameter_invalid", "file")
    error_of(upload(client, session, public="yes"), 400, "parameter_invalid", "public")
    error_of(client.post(FILES, json={"purpose": "x"}, headers=headers), 400, "request_body_invalid")
    error_of(upload(client, {"session_token": "0" * 40}), 401, "unauthorized")


def test_uploads_may_exceed_the_json_limit_up_to_their_own() -> None:
    app: Flask = create_app(Config(strict=True, max_body_bytes=1024))
    client = app.test_client()
    session = guest(client)
    big = upload(client, session, b"x" * 100_000)
    assert big.status_code == 200 and big.get_json()["size"] == 100_000
    error_of(upload(client, session, b"x" * (16 * 1024 * 1024 + 1)), 413, "request_body_invalid")
    json_body = client.patch("/game/player/name", json={"name": "x" * 2000}, headers=session_headers(session))
    assert json_body.status_code == 413  # the JSON limit still holds elsewhere
