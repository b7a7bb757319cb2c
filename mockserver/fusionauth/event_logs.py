"""FusionAuth's Event Log: what lambdas print with `console` and the exceptions they throw.

GET /api/system/event-log/{eventLogId}, GET and POST /api/system/event-log/search. Ids are FusionAuth's
Long ids, counted up from 1 (a meta counter); entries are kept until a reset (FusionAuth's retention,
tenant eventConfiguration / numberToRetain, is not played).
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ..clock import now_ms
from ..routing import Call, Handler, Reply
from ..store import Store
from .collections import EVENT_LOGS
from .errors import FusionAuthError, bad_request
from .features import Feature

SEQUENCE = "fusionauth.eventLog.sequence"  # meta key: the last event log id given out
TYPES = ("Information", "Debug", "Error")
DEFAULT_RESULTS = 25
_ORDER_FIELDS = {"insertInstant", "insertUser", "message", "type", "id"}


def _key(log_id: int) -> str:
    return f"{log_id:019d}"  # zero-padded: the store orders ids as text


def write(store: Store, entries: list[tuple[str, str]]) -> list[int]:
    """Add (type, message) entries in one transaction; their ids. Must not run inside a write transaction."""
    if not entries:
        return []
    ids = []
    with store.write() as tx:
        for kind, message in entries:
            tx.count_up(SEQUENCE)
            log_id = int(tx.get_meta(SEQUENCE) or 1)
            log = {"id": log_id, "insertInstant": now_ms(), "message": message, "type": kind}
            tx.put(EVENT_LOGS, _key(log_id), log)
            ids.append(log_id)
    return ids


def _matches(pattern: str, value: str) -> bool:
    # FusionAuth: case-insensitive, `*` wildcards, and no wildcard means *value*.
    pattern = pattern.lower()
    if "*" not in pattern:
        pattern = f"*{pattern}*"
    return fnmatch.fnmatchcase(value.lower(), pattern.replace("[", "[[]").replace("?", "[?]"))


def order(items: list[dict[str, Any]], order_by: str | None, default: str) -> list[dict[str, Any]]:
    """Sort by FusionAuth's `field [ASC|DESC]` (unknown fields → 400, as FusionAuth's search rejects them)."""
    words = (order_by or default).split()
    field = words[0] if words else default.split()[0]
    direction = words[1].upper() if len(words) > 1 else "ASC"
    if direction not in ("ASC", "DESC") or len(words) > 2:
        raise bad_request("[invalid]orderBy", f"The [orderBy] value [{order_by}] is invalid.", field="orderBy")
    return sorted(
        items,
        key=lambda item: (item.get(field) is None, str(item.get(field, "")).lower(), item.get("id")),
        reverse=direction == "DESC",
    )


def _int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(
            f"[couldNotConvert]{name}",
            f"Invalid value [{value}] for the [{name}] parameter. It could not be converted.",
            field=name,
        ) from None


def search(store: Store, criteria: dict[str, Any]) -> dict[str, Any]:
    logs = sorted(store.read().all(EVENT_LOGS), key=lambda log: log["id"])
    message, kind = criteria.get("message"), criteria.get("type")
    start, end = _int(criteria.get("start"), "start"), _int(criteria.get("end"), "end")
    if kind is not None and kind not in TYPES:
        raise bad_request("[couldNotConvert]type", f"Invalid value [{kind}] for the [type] parameter.", field="type")
    found = [
        log
        for log in logs
        if (not message or _matches(message, log["message"]))
        and (kind is None or log["type"] == kind)
        and (start is None or log["insertInstant"] >= start)
        and (end is None or log["insertInstant"] <= end)
    ]
    order_by = (criteria.get("orderBy") or "").strip() or None
    if order_by and order_by.split()[0] not in _ORDER_FIELDS:
        raise bad_request("[invalid]orderBy", f"The [orderBy] value [{order_by}] is invalid.", field="orderBy")
    found = order(found, order_by, "insertInstant DESC")
    first = _int(criteria.get("startRow"), "startRow") or 0
    count = _int(criteria.get("numberOfResults"), "numberOfResults")
    count = DEFAULT_RESULTS if count is None else count
    return {"eventLogs": found[first : first + count], "total": len(found)}


# -- HTTP ----------------------------------------------------------------------------------------------
def handlers(feature: Feature) -> dict[str, Handler]:
    store = feature.store

    def retrieve(call: Call) -> Reply:
        found = store.read().get(EVENT_LOGS, _key(int(call.path["eventLogId"])))
        if found is None:
            raise FusionAuthError(404)
        return Reply(200, {"eventLog": found})

    def search_get(call: Call) -> Reply:
        return Reply(200, search(store, dict(call.query)))

    def search_post(call: Call) -> Reply:
        return Reply(200, search(store, call.body.get("search") or {}))

    return {
        "retrieveEventLog": retrieve,
        "searchEventLogs": search_post,
        "searchEventLogsWithGet": search_get,
    }
