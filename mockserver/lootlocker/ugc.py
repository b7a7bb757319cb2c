"""User generated content: a player's asset candidates through their life. A candidate is created and updated with
its `data` (context, name, key/value storage, filters, data entities), gets files (multipart: `purpose` and the
`file` part) and loses them, and is deleted; `completed: true` makes it an asset of the game
(mockserver/lootlocker/economy/assets.py), active and authored by the player (`ugc_author`), whose id the
candidate then carries as `asset_id`. The mock approves at once (LootLocker's console may review candidates
first); a completed candidate no longer changes (409).

Candidates live in UGC_CANDIDATES (id = the integer candidate id, global sequence); their files are player-file
documents (FILES, owner "ugc:<candidate id>", so never in the player's own file list) whose download URLs the mock
serves as it serves player files (mockserver/lootlocker/files.py).
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, files, ids
from .collections import ASSET_CONTEXTS, ASSETS, FILE_BLOBS, FILES, UGC_CANDIDATES
from .economy import assets
from .sequences import next_value

Candidate = dict[str, Any]
PURPOSES = ("primary_thumbnail", "thumbnail", "file")


def _own(tx: Tx, player_id: str, candidate_id: str) -> Candidate:
    candidate = tx.get(UGC_CANDIDATES, candidate_id) if candidate_id.isdigit() else None
    if candidate is None or candidate["player_id"] != player_id:
        raise errors.not_found(f"The player has no asset candidate {candidate_id}.")
    return candidate


def _pairs(given: Any) -> list[dict[str, str]]:
    return [{"key": str(p["key"]), "value": str(p.get("value") or "")} for p in given or []]


def _merge(tx: Tx, game_id: str, data: dict[str, Any], given: dict[str, Any] | None) -> None:
    """The fields of `given` that the SDK sent replace the candidate's (it leaves out what is unset)."""
    given = given or {}
    # Unity leaves context_id out when unset, Unreal sends 0: LootLocker's context ids start at 1.
    if given.get("context_id") is not None and given["context_id"] > 0:
        if assets.find_context(tx, game_id, given["context_id"]) is None:
            raise errors.invalid("data.context_id", f"no context {given['context_id']} in this game")
        data["context_id"] = given["context_id"]
    if given.get("name"):
        data["name"] = str(given["name"])
    for field in ("kv_storage", "filters"):
        if given.get(field) is not None:
            data[field] = _pairs(given[field])
    if given.get("data_entities") is not None:
        data["data_entities"] = [
            {"name": str(e["name"]), "data": str(e.get("data") or "")} for e in given["data_entities"]
        ]


def _complete(tx: Tx, game_id: str, candidate: Candidate, base_url: str) -> None:
    data = candidate["data"]
    if not data.get("name"):
        raise errors.missing("data.name")
    context_id = data.get("context_id")
    if context_id is None:  # the game's first context (handlers make sure the default one exists)
        found = sorted(tx.find(ASSET_CONTEXTS, game_id=game_id), key=lambda c: int(c["id"]))
        context_id = found[0]["id"] if found else None
    if context_id is None:
        raise errors.missing("data.context_id")
    asset = assets.create(tx, game_id, context_id, data["name"])
    now = ids.iso_now()
    asset.update(
        active=True,
        ugc_author=candidate["player_id"],
        storage=assets.storage_pairs(data["kv_storage"]),
        filters=[{"name": p["key"], "value": p["value"]} for p in data["filters"]],
        data_entities=[
            {"id": i, "name": e["name"], "data": e["data"], "updated_at": now}
            for i, e in enumerate(data["data_entities"], start=1)
        ],
        ugc_files=[{"url": f["url"], "tags": [f["purpose"]]} for f in _files(tx, candidate, base_url)],
    )
    tx.put(ASSETS, asset["id"], asset)
    candidate.update(status="completed", asset_id=asset["asset_id"], asset_ulid=asset["ulid"])


def _files(tx: Tx, candidate: Candidate, base_url: str) -> list[dict[str, Any]]:
    found = sorted(tx.find(FILES, player_id=f"ugc:{candidate['id']}"), key=lambda f: f["file_id"])
    return [
        {
            "id": f["file_id"],
            "url": files.view(f, base_url)["url"],
            "size": f["size"],
            "filename": f["name"],
            "content_type": f["content_type"],
            "purpose": f["purpose"],
        }
        for f in found
    ]


def view(tx: Tx, candidate: Candidate, base_url: str) -> dict[str, Any]:
    return {
        "id": candidate["candidate_id"],
        "asset_id": candidate.get("asset_id"),
        "status": candidate["status"],
        "review_feedback": candidate["review_feedback"],
        "data": dict(candidate["data"]),
        "files": _files(tx, candidate, base_url),
        "created_at": candidate["created_at"],
        "updated_at": candidate["updated_at"],
    }


def create(tx: Tx, game_id: str, player_id: str, body: dict[str, Any], base_url: str) -> Candidate:
    number = next_value(tx, "ugc-candidates")
    now = ids.iso_now()
    candidate: Candidate = {
        "id": str(number),
        "candidate_id": number,
        "game_id": game_id,
        "player_id": player_id,
        "status": "in_progress",
        "review_feedback": "",
        "asset_id": None,
        "data": {"context_id": None, "name": "", "kv_storage": [], "filters": [], "data_entities": []},
        "created_at": now,
        "updated_at": now,
    }
    _merge(tx, game_id, candidate["data"], body.get("data"))
    if body.get("completed"):
        _complete(tx, game_id, candidate, base_url)
    tx.put(UGC_CANDIDATES, candidate["id"], candidate)
    return candidate


def update(tx: Tx, game_id: str, player_id: str, candidate_id: str, body: dict[str, Any], base_url: str) -> Candidate:
    candidate = _own(tx, player_id, candidate_id)
    if candidate["status"] == "completed":
        raise errors.conflict("The asset candidate is completed and cannot change.")
    _merge(tx, game_id, candidate["data"], body.get("data"))
    if body.get("completed"):
        _complete(tx, game_id, candidate, base_url)
    candidate["updated_at"] = ids.iso_now()
    tx.put(UGC_CANDIDATES, candidate["id"], candidate)
    return candidate


def add_file(tx: Tx, player_id: str, candidate_id: str, purpose: str, part: tuple[str, str, bytes]) -> Candidate:
    candidate = _own(tx, player_id, candidate_id)
    if candidate["status"] == "completed":
        raise errors.conflict("The asset candidate is completed and cannot change.")
    name, content_type, data = part
    file = {
        "file_id": next_value(tx, files.FILE_IDS),
        "player_id": f"ugc:{candidate['id']}",
        "game_id": candidate["game_id"],
        "purpose": purpose,
        "public": True,
        "created_at": ids.iso_now(),
        "secret": secrets.token_hex(16),
        "revision_id": ids.ulid(),
        "name": name,
        "size": len(data),
        "content_type": content_type,
    }
    file["id"] = str(file["file_id"])
    tx.put(FILE_BLOBS, file["revision_id"], {"id": file["revision_id"], "data": base64.b64encode(data).decode()})
    tx.put(FILES, file["id"], file)
    candidate["updated_at"] = ids.iso_now()
    tx.put(UGC_CANDIDATES, candidate["id"], candidate)
    return candidate


def remove_file(tx: Tx, player_id: str, candidate_id: str, file_id: str) -> None:
    candidate = _own(tx, player_id, candidate_id)
    file = tx.get(FILES, file_id) if file_id.isdigit() else None
    if file is None or file["player_id"] != f"ugc:{candidate['id']}":
        raise errors.not_found(f"The asset candidate has no file {file_id}.")
    if candidate["status"] == "completed":
        raise errors.conflict("The asset candidate is completed and cannot change.")
    tx.delete(FILE_BLOBS, file["revision_id"])
    tx.delete(FILES, file["id"])


def delete(tx: Tx, player_id: str, candidate_id: str) -> None:
    """Delete a candidate and its files (the asset a completed candidate became stays)."""
    candidate = _own(tx, player_id, candidate_id)
    for file in tx.find(FILES, player_id=f"ugc:{candidate['id']}"):
        tx.delete(FILE_BLOBS, file["revision_id"])
        tx.delete(FILES, file["id"])
    tx.delete(UGC_CANDIDATES, candidate["id"])


def _upload(call: Call) -> tuple[str, str, bytes]:
    part = call.request.files.get("file") if call.request is not None else None
    if part is None:
        raise errors.missing("file")
    data = part.read()
    if not data:
        raise errors.invalid("file", "the file is empty")
    return part.filename or "file", part.mimetype or "application/octet-stream", data


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """Player deletion: the player's candidates and their files (assets they became stay, as other content)."""
    for candidate in tx.find(UGC_CANDIDATES, player_id=player_id):
        delete(tx, player_id, candidate["id"])


def handlers(store: Store) -> dict[str, Handler]:
    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def base(call: Call) -> str:
        return call.request.host_url if call.request is not None else "http://localhost/"

    def answer(tx: Tx, call: Call, candidate: Candidate) -> Reply:
        return Reply(
            200, {"asset_candidate_id": candidate["candidate_id"], "asset_candidate": view(tx, candidate, base(call))}
        )

    def create_candidate(call: Call) -> Reply:
        assets.contexts(store, game_id(call))  # the game's default context exists before data names none
        with store.write() as tx:
            return answer(tx, call, create(tx, game_id(call), player(call), call.body, base(call)))

    def update_candidate(call: Call) -> Reply:
        assets.contexts(store, game_id(call))
        with store.write() as tx:
            changed = update(tx, game_id(call), player(call), call.path["candidate_id"], call.body, base(call))
            return answer(tx, call, changed)

    def get_candidate(call: Call) -> Reply:
        tx = store.read()
        return answer(tx, call, _own(tx, player(call), call.path["candidate_id"]))

    def list_candidates(call: Call) -> Reply:
        tx = store.read()
        found = sorted(tx.find(UGC_CANDIDATES, player_id=player(call)), key=lambda c: c["candidate_id"])
        return Reply(200, {"asset_candidates": [view(tx, c, base(call)) for c in found]})

    def delete_candidate(call: Call) -> Reply:
        with store.write() as tx:
            delete(tx, player(call), call.path["candidate_id"])
        return Reply(204)

    def add_candidate_file(call: Call) -> Reply:
        part = _upload(call)
        with store.write() as tx:
            changed = add_file(tx, player(call), call.path["candidate_id"], call.body["purpose"].lower(), part)
            return answer(tx, call, changed)

    def remove_candidate_file(call: Call) -> Reply:
        with store.write() as tx:
            remove_file(tx, player(call), call.path["candidate_id"], call.path["file_id"])
        return Reply(204)

    return {
        "createAssetCandidate": create_candidate,
        "updateAssetCandidate": update_candidate,
        "getAssetCandidate": get_candidate,
        "listAssetCandidates": list_candidates,
        "deleteAssetCandidate": delete_candidate,
        "addAssetCandidateFile": add_candidate_file,
        "removeAssetCandidateFile": remove_candidate_file,
    }
