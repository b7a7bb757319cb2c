"""Notifications: messages to one player of a game (sent through the Admin API, or by triggers and purchases),
listed by the player with LootLocker's filters and page pagination, and marked read one by one or all at once.

A notification is `{id, created_at, expiration_date, read_at?, notification_type, priority, source,
content: {context: [{key, value}], body}, player_id, read}`; `id` is a ULID, so the store's id order is the
order of creation (the list answers newest first).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ..store import Tx
from . import errors, ids
from .collections import NOTIFICATIONS

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
