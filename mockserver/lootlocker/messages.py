"""Messages (LootLocker's legacy news feed): the game's messages, set with the Admin API, listed to every player
of the game newest first once published (`published_at` in the past). `new` is true the first time a player is
shown a message (LootLocker marks unseen messages new; the mock remembers per player what it has listed)."""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import MESSAGE_READS, MESSAGES
from .sequences import next_value

Message = dict[str, Any]
FIELDS = ("title", "summary", "body", "category", "alert", "action", "image")


def create(tx: Tx, game_id: str, body: dict[str, Any]) -> Message:
    message: Message = {
        "id": ids.ulid(),
        "number": next_value(tx, "messages"),  # ties of published_at: the later created first
        "game_id": game_id,
        "title": body["title"],
        "summary": body.get("summary") or "",
        "body": body.get("body") or "",
        "category": body.get("category") or "",
        "alert": bool(body.get("alert")),
        "action": body.get("action") or "",
        "image": body.get("image") or "",
        "published_at": body.get("published_at") or ids.iso_now(),
        "created_at": ids.iso_now(),
    }
    tx.put(MESSAGES, message["id"], message)
    return message


def delete(tx: Tx, game_id: str, message_id: str) -> None:
    message = tx.get(MESSAGES, message_id)
    if message is None or message["game_id"] != game_id:
        raise errors.not_found(f"No message '{message_id}' in this game.")
    tx.delete(MESSAGES, message_id)


def admin_view(message: Message) -> dict[str, Any]:
    return {k: message[k] for k in ("id", *FIELDS, "published_at", "created_at")}


def listing(store: Store, game_id: str, player_id: str) -> list[dict[str, Any]]:
    now = ids.iso_now()
    with store.write() as tx:
        published = [m for m in tx.find(MESSAGES, game_id=game_id) if m["published_at"] <= now]
        published.sort(key=lambda m: (m["published_at"], m["number"]), reverse=True)
        seen = tx.get(MESSAGE_READS, player_id) or {"id": player_id, "seen": []}
        answer = [
            {**{k: m[k] for k in FIELDS}, "published_at": m["published_at"], "new": m["id"] not in seen["seen"]}
            for m in published
        ]
        unseen = [m["id"] for m in published if m["id"] not in seen["seen"]]
        if unseen:
            seen["seen"] = [*seen["seen"], *unseen]
            tx.put(MESSAGE_READS, player_id, seen)
    return answer


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """Player deletion: which messages the player has been shown."""
    tx.delete(MESSAGE_READS, player_id)


def handlers(store: Store) -> dict[str, Handler]:
    def list_messages(call: Call) -> Reply:
        game_id = str(call.context["game"]["id"])
        return Reply(200, {"messages": listing(store, game_id, str(call.context["player_id"]))})

    return {"listMessages": list_messages}
