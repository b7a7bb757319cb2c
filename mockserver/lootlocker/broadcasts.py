"""Broadcasts: messages a studio publishes to its games (news, events), each with publication windows and localized
key/value entries (reserved keys ll.headline, ll.body, ll.image_url, ll.action, ll.action_name).

The Game API lists those of the session's game that are published now (`GET /game/broadcasts/v1?limit=`), newest
publication first, LootLocker's page pagination (first page, `limit` per page, default 10). `Accept-Language: en,sv`
keeps only those languages (codes compared case-insensitively, q-values ignored) and leaves out a broadcast that has
none of them. LootLocker's broadcasts are made in its web console, which has no public API: the mock's set-up is the
control plane's POST /_mock/lootlocker/broadcasts (one broadcast for one or more games by game_id).

A broadcast is stored once per game that shows it: id "<game>:<broadcast ULID>", indexed by game (the hot path reads
its game's documents only) and by broadcast_id (a deletion finds every copy).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from ..control.routes import control_error
from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import ids
from .collections import BROADCASTS, GAMES
from .pagination import page_of
from .sequences import next_value

DEFAULT_LIMIT = 10  # the per_page LootLocker answers when the SDK sends no limit (the SDK test's fixture)


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _utc_text(value: str) -> str:
    return _instant(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _published(doc: dict[str, Any], now: datetime) -> datetime | None:
    """The start of the publication window `now` lies in, or None (not published now)."""
    for setting in doc["publication_settings"]:
        start = _instant(setting["start"])
        if start <= now and ("end" not in setting or now < _instant(setting["end"])):
            return start
    return None


def _languages(header: str | None) -> list[str]:
    return [part.split(";")[0].strip().lower() for part in (header or "").split(",") if part.split(";")[0].strip()]


def _view(doc: dict[str, Any], game_name: str, wanted: list[str]) -> dict[str, Any] | None:
    languages = doc["languages"]
    if wanted:
        languages = [lang for lang in languages if lang["language_code"].lower() in wanted]
        if not languages:
            return None
    return {
        "id": doc["broadcast_id"],
        "name": doc["name"],
        "game_name": game_name,
        "games": doc["games"],
        "publication_settings": doc["publication_settings"],
        "languages": languages,
    }


def listed(tx: Tx, game: dict[str, Any], accept_language: str | None, limit: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    live = [(start, doc) for doc in tx.find(BROADCASTS, game=game["id"]) if (start := _published(doc, now))]
    live.sort(key=lambda pair: (pair[0], pair[1]["order"]), reverse=True)
    wanted = _languages(accept_language)
    views = [view for _, doc in live if (view := _view(doc, game["name"], wanted)) is not None]
    items, pagination = page_of(views, 1, limit)
    return {"broadcasts": items, "pagination": {"errors": None, **pagination}}


def create(tx: Tx, body: dict[str, Any]) -> dict[str, Any] | str:
    """A broadcast for the games named by game_id (schemas/mock/paths/lootlocker-broadcasts.yaml), or what is
    wrong with the request."""
    games = []
    for game_id in dict.fromkeys(body["game_ids"]):
        found = [g for g in tx.all(GAMES) if g.get("game_id") == game_id]  # set-up only: a handful of games
        if not found:
            return f"no game has the game_id {game_id}"
        games.append(found[0])
    settings = body.get("publication_settings") or [{"start": ids.iso_now(), "tz": "UTC"}]
    if any(s.get("end") and _instant(s["end"]) <= _instant(s["start"]) for s in settings):
        return "a publication setting ends before it starts"
    publication = []  # checked first: nothing is written for a request that is refused
    for setting in settings:
        entry = {"id": next_value(tx, "broadcast-publications"), "start": _utc_text(setting["start"])}
        if setting.get("end"):
            entry["end"] = _utc_text(setting["end"])
        entry["tz"] = setting.get("tz") or "UTC"
        publication.append(entry)
    broadcast_id = ids.ulid()
    doc = {
        "broadcast_id": broadcast_id,
        "name": body["name"],
        "games": [{"id": g["game_id"], "name": g["name"]} for g in games],
        "publication_settings": publication,
        "languages": [
            {
                "language_code": lang["language_code"],
                "localizations": [{"key": e["key"], "value": e["value"]} for e in lang.get("localizations", [])],
            }
            for lang in body.get("languages", [])
        ],
        "order": time.time_ns(),
    }
    for game in games:
        key = f"{game['id']}:{broadcast_id}"
        tx.put(BROADCASTS, key, {"id": key, "game": game["id"], **doc})
    return {k: doc[k] for k in ("broadcast_id", "name", "games", "publication_settings", "languages")}


def handlers(store: Store) -> dict[str, Handler]:
    """The Game API's operation (schemas/lootlocker/paths/broadcasts.yaml)."""

    def list_broadcasts(call: Call) -> Reply:
        limit = int(call.query.get("limit") or DEFAULT_LIMIT)
        return Reply(200, listed(store.read(), call.context["game"], call.headers.get("Accept-Language"), limit))

    return {"listBroadcasts": list_broadcasts}


def control_handlers(store: Store) -> dict[str, Handler]:
    """The control plane's set-up (schemas/mock/paths/lootlocker-broadcasts.yaml)."""

    def create_broadcast(call: Call) -> Reply:
        with store.write() as tx:
            made = create(tx, call.body)
        if isinstance(made, str):
            return control_error(400, made)
        return Reply(201, made)

    def delete_broadcast(call: Call) -> Reply:
        with store.write() as tx:
            deleted = tx.delete_where(BROADCASTS, broadcast_id=call.path["broadcast_id"])
        if not deleted:
            return control_error(404, f"no broadcast {call.path['broadcast_id']}")
        return Reply(204)

    return {"mockLootLockerCreateBroadcast": create_broadcast, "mockLootLockerDeleteBroadcast": delete_broadcast}
