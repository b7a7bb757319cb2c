"""Metadata: typed key/value entries attached to a thing of a game (a player, an asset, a catalog item, a leaderboard,
...), read by the Game API (list with filters, several sources at once) and written by the Admin API (any source)
and by the players themselves (their own `self` entries only).

One document per thing (`METADATA`, id "<game id>:<source>:<source id>") holds its entries by key, so a set of
operations is one read-modify-write of one document. Other features read entries with `entries()` (catalogs,
assets and inventory `includes.metadata`).

Access (LootLocker's `access` list): the Game API reads an entry only with `game_api.read`; another player's entries
only with `player.read`; a player changes its own entries only with `game_api.write` (entries a player creates get
both `game_api.read` and `game_api.write`, so that they can read back what they wrote). Keys starting `ll.` are
LootLocker's own. Failed operations are reported per entry in `errors`; the others are applied.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, pagination
from .collections import METADATA
from .players import Players

SOURCES = ("reward", "leaderboard", "catalog_item", "progression", "currency", "player", "self", "asset", "item")
TYPES = ("string", "number", "bool", "json", "base64")
ACTIONS = ("create", "update", "delete", "upsert", "create_or_update")
GAME_READ, GAME_WRITE, PLAYER_READ = "game_api.read", "game_api.write", "player.read"
REDACTED = {"content_type": "application/x-redacted", "content": ""}  # base64 values under ignore_files=true
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100

Entry = dict[str, Any]


def _doc_id(game_id: str, source: str, source_id: str) -> str:
    return f"{game_id}:{source}:{source_id}"


def stored(tx: Tx, game_id: str, source: str, source_id: str) -> dict[str, Entry]:
    doc = tx.get(METADATA, _doc_id(game_id, source, str(source_id)))
    return dict(doc["entries"]) if doc else {}


def entries(tx: Tx, game_id: str, source: str, source_id: str | int, keys: list[str] | None = None) -> list[Entry]:
    """The Game-API-readable entries of a thing, by key (all of them when `keys` is empty), for other features'
    `includes.metadata`."""
    found = stored(tx, str(game_id), source, str(source_id))
    chosen = [found[k] for k in keys if k in found] if keys else [found[k] for k in sorted(found)]
    return [view(e) for e in chosen if GAME_READ in e["access"]]


def view(entry: Entry, ignore_files: bool = False) -> Entry:
    value = entry["value"]
    if ignore_files and entry["type"] == "base64":
        value = dict(REDACTED)
    return {
        "key": entry["key"],
        "value": value,
        "type": entry["type"],
        "tags": entry["tags"],
        "access": entry["access"],
    }


def _parsed(kind: str, value: Any) -> Any:
    """A json entry's value may come as the JSON text of an object or array (SDK users pass either)."""
    if kind == "json" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _value_error(kind: str, value: Any) -> str | None:
    """Why a value does not fit its type (None when it does)."""
    if kind == "string":
        return None if isinstance(value, str) else "the value is not a string"
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "the value is not a number"
    if kind == "bool":
        return None if isinstance(value, bool) else "the value is not a boolean"
    if kind == "json":
        return None if isinstance(value, dict | list) else "the value is not a JSON object or array"
    if not (isinstance(value, dict) and isinstance(value.get("content"), str)):
        return "the value is not {content_type, content} with base64 content"
    try:
        base64.b64decode(value["content"], validate=True)
    except (binascii.Error, ValueError):
        return "the content is not base64"
    return None if isinstance(value.get("content_type"), str) else "the value has no content_type"


def apply(
    tx: Tx, game_id: str, source: str, source_id: str, operations: list[dict[str, Any]], by_player: bool
) -> list[dict[str, Any]]:
    """Apply the operations to one thing's entries inside the caller's transaction; the per-entry errors."""
    doc_id = _doc_id(game_id, source, source_id)
    current = stored(tx, game_id, source, source_id)
    failures: list[dict[str, Any]] = []
    for operation in operations:
        action = "upsert" if operation["action"] == "create_or_update" else operation["action"]
        key, kind = operation["key"], operation.get("type") or "string"

        def fail(why: str, action: str = action, key: str = key, kind: str = kind) -> None:
            failures.append({"action": action, "error": why, "entry": {"key": key, "type": kind}})

        existing = current.get(key)
        if key.startswith("ll."):
            fail("keys starting with 'll.' are reserved for LootLocker")
        elif action == "create" and existing is not None:
            fail("an entry with this key already exists")
        elif action in ("update", "delete") and existing is None:
            fail("no entry with this key exists")
        elif by_player and existing is not None and GAME_WRITE not in existing["access"]:
            fail("the entry is not writable through the Game API")
        elif action == "delete":
            del current[key]
        elif (why := _value_error(kind, _parsed(kind, operation.get("value")))) is not None:
            fail(why)
        else:
            access = list(dict.fromkeys(operation.get("access") or []))
            if by_player:  # what a player writes, it can read and change again
                access = list(dict.fromkeys([*access, GAME_READ, GAME_WRITE]))
            current[key] = {
                "key": key,
                "type": kind,
                "value": _parsed(kind, operation["value"]),
                "tags": list(operation.get("tags") or []),
                "access": access,
            }
    if current:
        tx.put(METADATA, doc_id, {"id": doc_id, "game_id": game_id, "entries": current})
    else:
        tx.delete(METADATA, doc_id)
    return failures


def _thing(tx: Tx, game: dict[str, Any], me: str | None, source: str, source_id: str) -> tuple[str, str]:
    """(source, source id) as stored: `self` is the calling player; players are checked to be of the game."""
    if source == "self":
        if me is None:
            raise errors.invalid("source", "'self' names the calling player; the Admin API names a player")
        return "player", me
    if source == "player":
        player = Players.find(tx, str(game["id"]), source_id, "ulid")
        if player is None:
            raise errors.not_found(f"No player '{source_id}' in this game.")
        return "player", player["id"]
    return source, source_id


def _readable(entry: Entry, me: str, source: str, source_id: str) -> bool:
    if source == "player" and source_id != me:
        return PLAYER_READ in entry["access"]
    return GAME_READ in entry["access"]


def list_entries(store: Store, game: dict[str, Any], me: str, call: Call) -> dict[str, Any]:
    tx = store.read()
    source, source_id = _thing(tx, game, me, call.path["source"], call.path["source_id"])
    args = call.request.args if call.request is not None else None
    tags = [t for t in (args.getlist("tags") if args is not None else []) if t]
    key = call.query.get("key") or ""
    ignore_files = (call.query.get("ignore_files") or "").lower() == "true"
    found = [
        e
        for _, e in sorted(stored(tx, str(game["id"]), source, source_id).items())
        if _readable(e, me, source, source_id) and (not key or e["key"] == key) and all(t in e["tags"] for t in tags)
    ]
    page = int(call.query.get("page") or 0) or 1
    per_page = min(int(call.query.get("per_page") or 0) or DEFAULT_PER_PAGE, MAX_PER_PAGE)
    chosen, paging = pagination.page_of(found, page, per_page)
    return {"entries": [view(e, ignore_files) for e in chosen], "pagination": paging}


def multisource(store: Store, game: dict[str, Any], me: str, call: Call) -> dict[str, Any]:
    tx = store.read()
    ignore_files = (call.query.get("ignore_files") or "").lower() == "true"
    answer = []
    for wanted in call.body["sources"]:
        named, named_id = wanted["source"], str(wanted.get("id") or "")
        try:
            source, source_id = _thing(tx, game, me, named, named_id)
            found = stored(tx, str(game["id"]), source, source_id)
        except errors.LootLockerError:  # an unknown player has no entries
            source, source_id, found = named, named_id, {}
        keys = [k for k in wanted.get("keys") or [] if k]
        chosen = [found[k] for k in keys if k in found] if keys else [found[k] for k in sorted(found)]
        readable = [view(e, ignore_files) for e in chosen if _readable(e, me, source, source_id)]
        answer.append({"source": named, "source_id": named_id or source_id, "entries": readable})
    return {"metadata": answer}


def set_entries(store: Store, game: dict[str, Any], me: str | None, body: dict[str, Any]) -> dict[str, Any]:
    """POST /game/metadata (`me` the player: `self` only) and the Admin API's POST /admin/game/{id}/metadata."""
    named = "self" if body.get("self") else body.get("source")
    if not named:
        raise errors.missing("source")
    if me is not None and named != "self":
        raise errors.forbidden("Players may only set their own metadata (self: true).")
    named_id = "self" if named == "self" else str(body.get("source_id") or "")
    if not named_id:
        raise errors.missing("source_id")
    with store.write() as tx:
        source, source_id = _thing(tx, game, me, named, named_id)
        failures = apply(tx, str(game["id"]), source, source_id, body["entries"], me is not None)
    return {"source": named, "source_id": named_id, "errors": failures}


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """Player deletion: the player's own metadata."""
    tx.delete(METADATA, _doc_id(game_id, "player", player_id))


def handlers(store: Store) -> dict[str, Handler]:
    def me(call: Call) -> str:
        return str(call.context["player_id"])

    def game(call: Call) -> dict[str, Any]:
        return dict(call.context["game"])

    return {
        "listMetadata": lambda call: Reply(200, list_entries(store, game(call), me(call), call)),
        "multisourceMetadata": lambda call: Reply(200, multisource(store, game(call), me(call), call)),
        "setMetadata": lambda call: Reply(200, set_entries(store, game(call), me(call), call.body)),
    }
