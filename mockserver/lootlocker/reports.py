"""Legacy moderation reports and error reports.

Players report another player (by legacy id) or an asset (by integer id) with report types from the game's list
(`GET /game/reports/types`): a game starts with DEFAULT_TYPES (LootLocker's defaults are not published) and the
Admin API adds and deletes types, as LootLocker's console and Admin API change them. The Admin API
lists reports and removes a UGC asset for given report types: the asset is withdrawn and listed to its author in
`GET /game/player/ugc/removed` (cursor `after` = an entry's id, `count`, `since` = removed at or after). SDK error
reports (`POST /game/error-report`) are kept for the Admin API to read.
"""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import ASSETS, ERROR_REPORTS, REMOVED_UGC, REPORT_TYPES, REPORTS
from .economy.inventory import find_asset
from .players import Players
from .sequences import next_value

DEFAULT_TYPES = ("Cheating", "Harassment", "Offensive name", "Inappropriate content", "Spam", "Other")
DEFAULT_COUNT = 50
MAX_COUNT = 100


def report_types(tx: Tx, game_id: str) -> list[dict[str, Any]]:
    """The game's report types by id: [{id, text}]."""
    stored = tx.get(REPORT_TYPES, game_id)
    if stored is None:
        return [{"id": i, "text": text} for i, text in enumerate(DEFAULT_TYPES, start=1)]
    return [dict(t) for t in stored["types"]]


def add_type(tx: Tx, game_id: str, text: str) -> dict[str, Any]:
    types = report_types(tx, game_id)
    if any(t["text"] == text for t in types):
        raise errors.conflict(f"The report type '{text}' exists.")
    stored = tx.get(REPORT_TYPES, game_id) or {"id": game_id, "last": len(DEFAULT_TYPES)}
    stored["last"] += 1  # ids are never reused: old reports keep naming what they meant
    added = {"id": stored["last"], "text": text}
    tx.put(REPORT_TYPES, game_id, {**stored, "types": [*types, added]})
    return added


def delete_type(tx: Tx, game_id: str, type_id: str) -> None:
    types = report_types(tx, game_id)
    kept = [t for t in types if str(t["id"]) != type_id]
    if len(kept) == len(types):
        raise errors.not_found(f"No report type {type_id} in this game.")
    stored = tx.get(REPORT_TYPES, game_id) or {"id": game_id, "last": len(DEFAULT_TYPES)}
    tx.put(REPORT_TYPES, game_id, {**stored, "types": kept})


def _types(tx: Tx, game_id: str, given: list[int]) -> list[int]:
    known = {t["id"] for t in report_types(tx, game_id)}
    unknown = [t for t in given if t not in known]
    if unknown:
        raise errors.invalid("report_types", f"unknown report type {unknown[0]}")
    return sorted(set(given))


def report(tx: Tx, game_id: str, reporter: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """A report of a player (`kind` "player", body player_id = legacy id) or an asset ("asset", asset_id)."""
    types = _types(tx, game_id, body["report_types"])
    if kind == "player":
        target = Players.find(tx, game_id, body["player_id"], "legacy")
        if target is None:
            raise errors.not_found(f"No player {body['player_id']} in this game.")
        if target["id"] == reporter:
            raise errors.invalid("player_id", "a player cannot report themselves")
    elif find_asset(tx, game_id, body["asset_id"]) is None:
        raise errors.not_found(f"No asset {body['asset_id']} in this game.")
    number = next_value(tx, "reports")
    field = f"{kind}_id"
    stored = {
        "id": str(number),
        "report_id": number,
        "game_id": game_id,
        "reporter": reporter,
        "kind": kind,
        field: int(body[field]),
        "text": body.get("message") or "",
        "report_types": types,
        "report_date": ids.iso_now(),
    }
    tx.put(REPORTS, stored["id"], stored)
    return {
        "id": number,
        field: stored[field],
        "text": stored["text"],
        "report_types": types,
        "report_date": stored["report_date"],
    }


def admin_reports(tx: Tx, game_id: str) -> list[dict[str, Any]]:
    found = sorted(tx.find(REPORTS, game_id=game_id), key=lambda r: r["report_id"])
    return [
        {
            "id": r["report_id"],
            "kind": r["kind"],
            "reporter": r["reporter"],
            "player_id": r.get("player_id"),
            "asset_id": r.get("asset_id"),
            "text": r["text"],
            "report_types": r["report_types"],
            "report_date": r["report_date"],
        }
        for r in found
    ]


def remove_ugc(tx: Tx, game_id: str, asset_id: int, given_types: list[int]) -> dict[str, Any]:
    """Withdraw a UGC asset (one a player's candidate became) and tell its author."""
    types = _types(tx, game_id, given_types)
    asset = find_asset(tx, game_id, asset_id)
    if asset is None:
        raise errors.not_found(f"No asset {asset_id} in this game.")
    author = asset.get("ugc_author")
    if not author:
        raise errors.invalid("asset_id", "the asset is not user generated content")
    number = next_value(tx, "removed-ugc")
    removed = {
        "id": str(number),
        "entry_id": number,
        "game_id": game_id,
        "player_id": author,
        "asset_id": int(asset["asset_id"]),
        "name": asset.get("name") or "",
        "report_types": types,
        "removed_at": ids.iso_now(),
    }
    tx.put(REMOVED_UGC, removed["id"], removed)
    tx.put(ASSETS, asset["id"], {**asset, "active": False, "deleted": True})
    return removed_view(removed)


def removed_view(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: entry[k] for k in ("asset_id", "name", "report_types", "removed_at")} | {"id": entry["entry_id"]}


def removed_for(tx: Tx, player_id: str, query: dict[str, str]) -> list[dict[str, Any]]:
    after, since = query.get("after") or "", query.get("since") or ""
    if after and not after.isdigit():
        raise errors.invalid("after", "not an id of this list")
    count = min(int(query.get("count") or 0) or DEFAULT_COUNT, MAX_COUNT)
    found = sorted(tx.find(REMOVED_UGC, player_id=player_id), key=lambda e: e["entry_id"])
    chosen = [e for e in found if (not after or e["entry_id"] > int(after)) and (not since or e["removed_at"] >= since)]
    return [removed_view(e) for e in chosen[:count]]


def error_report(tx: Tx, game_id: str, player_id: str, body: dict[str, Any]) -> None:
    stored = {
        "id": ids.ulid(),
        "number": next_value(tx, "error-reports"),
        "game_id": game_id,
        "player_id": player_id,
        "received_at": ids.iso_now(),
        "report": body,
    }
    tx.put(ERROR_REPORTS, stored["id"], stored)


def error_reports(tx: Tx, game_id: str) -> list[dict[str, Any]]:
    found = sorted(tx.find(ERROR_REPORTS, game_id=game_id), key=lambda r: r["number"])
    return [{k: r[k] for k in ("id", "player_id", "received_at", "report")} for r in found]


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def reporter(kind: str) -> Handler:
        def handler(call: Call) -> Reply:
            with store.write() as tx:
                return Reply(200, report(tx, game_id(call), player(call), kind, call.body))

        return handler

    def send_error_report(call: Call) -> Reply:
        with store.write() as tx:
            error_report(tx, game_id(call), player(call), call.body)
        return Reply(204)

    return {
        "listReportTypes": lambda call: Reply(200, {"types": report_types(store.read(), game_id(call))}),
        "reportPlayer": reporter("player"),
        "reportAsset": reporter("asset"),
        "listRemovedUgc": lambda call: Reply(200, {"assets": removed_for(store.read(), player(call), call.query)}),
        "sendErrorReport": send_error_report,
    }
