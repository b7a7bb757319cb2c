"""Notifications: messages to one player of a game (sent through the Admin API, or by triggers and purchases),
listed by the player with LootLocker's filters and page pagination, and marked read one by one or all at once.

A notification is `{id, created_at, expiration_date, read_at?, notification_type, priority, source,
content: {context: [{key, value}], body}, player_id, read}`; `id` is a ULID, so the store's id order is the
order of creation (the list answers newest first).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import NOTIFICATIONS
from .pagination import page_of

Notification = dict[str, Any]

PRIORITIES = ("low", "medium", "high", "emergency")
ADMIN_SOURCE = "lootlocker.admin_api"
# LootLocker does not document how long a notification lives; the mock keeps them 30 days (a documented choice).
LIFETIME = timedelta(days=30)
DEFAULT_PER_PAGE = 50  # LootLocker's page size when `per_page` is left out (documented choice)
MAX_PER_PAGE = 100


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _context(properties: Any) -> list[dict[str, str]]:
    """`properties` as the unique-keyed `context` array: a later duplicate key replaces the earlier value."""
    unique: dict[str, str] = {}
    for item in properties or []:
        unique[str(item["key"])] = str(item["value"])
    return [{"key": k, "value": v} for k, v in unique.items()]


def create(tx: Tx, game_id: str, player: dict[str, Any], fields: dict[str, Any]) -> Notification:
    """Store a notification for `player` (a player document of `game_id`) inside the caller's write transaction.

    `fields`: `notification_type`, `priority` (low|medium|high|emergency), `content` (any JSON: the body as
    is), optional `properties` ([{key, value}] → `content.context`), optional `source` (default
    "lootlocker.admin_api"). Returns the stored notification as the player lists it.
    """
    if player.get("game_id") != game_id:
        raise errors.not_found("No such player in this game.")
    priority = fields.get("priority") or "medium"
    if priority not in PRIORITIES:
        raise errors.invalid("priority", f"must be one of {', '.join(PRIORITIES)}")
    if not fields.get("notification_type"):
        raise errors.missing("notification_type")
    now = datetime.now(UTC)
    notification = {
        "id": ids.ulid(),
        "game_id": game_id,
        "player_id": player["id"],
        "created_at": _iso(now),
        "expiration_date": _iso(now + LIFETIME),
        "notification_type": str(fields["notification_type"]),
        "priority": priority,
        "source": str(fields.get("source") or ADMIN_SOURCE),
        "content": {"context": _context(fields.get("properties")), "body": fields.get("content")},
        "read": False,
        "read_at": None,
    }
    tx.put(NOTIFICATIONS, notification["id"], notification)
    return view(notification)


def view(notification: Notification) -> dict[str, Any]:
    shown = {k: v for k, v in notification.items() if k != "game_id"}
    if shown.get("read_at") is None:
        shown.pop("read_at", None)
    return shown


def _int(value: str | None, default: int) -> int:
    return int(value) if value else default  # the schema has checked it is an integer


def _wanted(query: dict[str, str], now: str) -> Any:
    read = {"true": True, "false": False}.get(query.get("read", ""))
    equal = {k: query[k] for k in ("priority", "notification_type", "source") if query.get(k)}

    def keep(n: Notification) -> bool:
        if n["expiration_date"] <= now:
            return False
        if read is not None and n["read"] != read:
            return False
        return all(n[k] == v for k, v in equal.items())

    return keep


def list_page(store: Store, player_id: str, query: dict[str, str]) -> dict[str, Any]:
    """One page of the player's notifications, newest first (ULIDs sort by creation time)."""
    keep = _wanted(query, _iso(datetime.now(UTC)))
    found = [n for n in store.read().find(NOTIFICATIONS, player_id=player_id) if keep(n)]
    found.sort(key=lambda n: n["id"], reverse=True)
    per_page = min(_int(query.get("per_page"), DEFAULT_PER_PAGE) or DEFAULT_PER_PAGE, MAX_PER_PAGE)
    page = _int(query.get("page"), 1) or 1
    shown, pagination = page_of(found, page, per_page)
    return {"notifications": [view(n) for n in shown], "pagination": pagination}


def mark_read(store: Store, player_id: str, notification_ids: list[str] | None) -> None:
    """Mark the player's notifications read: the named ones, or all unread when `notification_ids` is None.
    Ids of other players' notifications are ignored (a player never changes another's data)."""
    now = _iso(datetime.now(UTC))
    with store.write() as tx:
        if notification_ids is None:
            chosen = [n for n in tx.find(NOTIFICATIONS, player_id=player_id, read=False)]
        else:
            named = (tx.get(NOTIFICATIONS, str(i).upper()) for i in dict.fromkeys(notification_ids))
            chosen = [n for n in named if n is not None and n["player_id"] == player_id and not n["read"]]
        for notification in chosen:
            notification["read"] = True
            notification["read_at"] = now
            tx.put(NOTIFICATIONS, notification["id"], notification)


def handlers(store: Store) -> dict[str, Handler]:
    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def read(call: Call) -> Reply:
        mark_read(store, player(call), list(call.body["notifications"]))
        return Reply(204)

    def read_all(call: Call) -> Reply:
        mark_read(store, player(call), None)
        return Reply(204)

    return {
        "listNotifications": lambda call: Reply(200, list_page(store, player(call), call.query)),
        "readNotifications": read,
        "readAllNotifications": read_all,
    }
