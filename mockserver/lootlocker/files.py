"""Player files: multipart uploads (`purpose`, `public` "true"/"false", then the `file` part, as LootLocker's SDKs
send them), listed, read, replaced (a new revision) and deleted by their owner; other players of the game list
only a player's public files. Each answer carries a download URL that the mock itself serves (GET
/_files/lootlocker/<file id>/<revision_id>?expires=&signature=), valid for URL_LIFETIME as LootLocker's signed
CDN URLs are.

Metadata lives in FILES (id = the integer file id as text), the bytes in FILE_BLOBS (id = the revision id,
base64), read only by a download.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import FILE_BLOBS, FILES
from .players import Players
from .sequences import next_value

File = dict[str, Any]

DOWNLOAD_PREFIX = "/_files/lootlocker/"
URL_LIFETIME = 24 * 3600  # seconds a download URL stays valid (LootLocker's signed URLs expire too)
FILE_IDS = "player-files"  # one sequence for all games: file ids are unique across the server


def _signature(file: File, expires: int) -> str:
    message = f"{file['revision_id']}:{expires}".encode()
    return hmac.new(file["secret"].encode(), message, hashlib.sha256).hexdigest()


def view(file: File, base_url: str) -> dict[str, Any]:
    expires = int(time.time()) + URL_LIFETIME
    url = f"{base_url.rstrip('/')}{DOWNLOAD_PREFIX}{file['file_id']}/{file['revision_id']}?expires={expires}"
    return {
        "id": file["file_id"],
        "revision_id": file["revision_id"],
        "name": file["name"],
        "size": file["size"],
        "purpose": file["purpose"],
        "public": file["public"],
        "url": f"{url}&signature={_signature(file, expires)}",
        "url_expires_at": datetime.fromtimestamp(expires, UTC).isoformat(),
        "created_at": file["created_at"],
    }


def _uploaded(call: Call) -> tuple[str, str, bytes]:
    part = call.request.files["file"] if call.request is not None else None
    if part is None:
        raise errors.missing("file")
    data = part.read()
    if not data:
        raise errors.invalid("file", "the file is empty")
    return part.filename or "file", part.mimetype or "application/octet-stream", data


def _store_revision(tx: Tx, file: File, name: str, content_type: str, data: bytes) -> None:
    if file.get("revision_id"):
        tx.delete(FILE_BLOBS, file["revision_id"])
    file.update(revision_id=ids.ulid(), name=name, size=len(data), content_type=content_type)
    blob = {"id": file["revision_id"], "data": base64.b64encode(data).decode()}
    tx.put(FILE_BLOBS, blob["id"], blob)
    tx.put(FILES, str(file["file_id"]), file)


def _own(tx: Tx, player_id: str, file_id: str) -> File:
    file = tx.get(FILES, file_id) if file_id.isdigit() else None
    if file is None or file["player_id"] != player_id:
        raise errors.not_found(f"The player has no file {file_id}.")
    return file


def _public_flag(value: str | None, default: bool) -> bool:
    return default if value in (None, "") else value == "true"


def delete_all(tx: Tx, player_id: str) -> None:
    """Remove every file of a player (player deletion)."""
    for file in tx.find(FILES, player_id=player_id):
        tx.delete(FILE_BLOBS, file["revision_id"])
        tx.delete(FILES, str(file["file_id"]))


def handlers(store: Store) -> dict[str, Handler]:
    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def base(call: Call) -> str:
        return call.request.host_url if call.request is not None else "http://localhost/"

    def listing(call: Call, files: list[File]) -> Reply:
        files.sort(key=lambda f: f["file_id"])
        return Reply(200, {"items": [view(f, base(call)) for f in files]})

    def upload(call: Call) -> Reply:
        name, content_type, data = _uploaded(call)
        with store.write() as tx:
            file = {
                "file_id": next_value(tx, FILE_IDS),
                "player_id": player(call),
                "game_id": call.context["game"]["id"],
                "purpose": call.body["purpose"],
                "public": _public_flag(call.body.get("public"), False),
                "created_at": ids.iso_now(),
                "secret": secrets.token_hex(16),
            }
            file["id"] = str(file["file_id"])
            _store_revision(tx, file, name, content_type, data)
        return Reply(200, view(file, base(call)))

    def update(call: Call) -> Reply:
        name, content_type, data = _uploaded(call)
        with store.write() as tx:
            file = _own(tx, player(call), call.path["file_id"])
            if call.body.get("purpose"):
                file["purpose"] = call.body["purpose"]
            file["public"] = _public_flag(call.body.get("public"), file["public"])
            _store_revision(tx, file, name, content_type, data)
        return Reply(200, view(file, base(call)))

    def get(call: Call) -> Reply:
        return Reply(200, view(_own(store.read(), player(call), call.path["file_id"]), base(call)))

    def delete(call: Call) -> Reply:
        with store.write() as tx:
            file = _own(tx, player(call), call.path["file_id"])
            tx.delete(FILE_BLOBS, file["revision_id"])
            tx.delete(FILES, file["id"])
        return Reply(204)

    def public_files(call: Call) -> Reply:
        tx = store.read()
        other = Players.find(tx, call.context["game"]["id"], call.path["player_id"])
        if other is None:
            raise errors.not_found(f"No player '{call.path['player_id']}' in this game.")
        return listing(call, tx.find(FILES, player_id=other["id"], public=True))

    return {
        "listPlayerFiles": lambda call: listing(call, store.read().find(FILES, player_id=player(call))),
        "uploadPlayerFile": upload,
        "getPlayerFile": lambda call: Reply(
            200, view(_own(store.read(), player(call), call.path["file_id"]), base(call))
        ),
        "updatePlayerFile": update,
        "deletePlayerFile": delete,
        "listPublicPlayerFiles": public_files,
    }


def register_downloads(app: Flask, store: Store) -> None:
    """The download URLs of the answers above: no session needed (as LootLocker's signed URLs), a wrong or
    expired signature → 403, a replaced or deleted revision → 404."""

    def download(file_id: str, revision_id: str) -> Response:
        tx = store.read()
        file = tx.get(FILES, file_id)
        blob = tx.get(FILE_BLOBS, revision_id) if file is not None and file["revision_id"] == revision_id else None
        if file is None or blob is None:
            return Response(status=404)
        expires = request.args.get("expires", "")
        signature = request.args.get("signature", "")
        if not expires.isdigit() or int(expires) < time.time():
            return Response(status=403)
        if not hmac.compare_digest(signature, _signature(file, int(expires))):
            return Response(status=403)
        name = file["name"].replace('"', "").replace("\\", "")
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(base64.b64decode(blob["data"]), status=200, mimetype=file["content_type"], headers=headers)

    app.add_url_rule(f"{DOWNLOAD_PREFIX}<file_id>/<revision_id>", "lootlockerFileDownload", download, methods=["GET"])
