"""Feedback: categories per entity kind (player, game, ugc), set with the Admin API, and the feedback players send
about a player (by ULID), the game, or a UGC asset (by ULID), kept for the Admin API to read."""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import FEEDBACK, FEEDBACK_CATEGORIES
from .economy.inventory import find_asset
from .players import Players
from .sequences import next_value

ENTITIES = ("player", "game", "ugc")


def category_view(category: dict[str, Any]) -> dict[str, Any]:
    return {k: category[k] for k in ("id", "entity", "name", "description")}


def create_category(tx: Tx, game_id: str, body: dict[str, Any]) -> dict[str, Any]:
    category = {
        "id": ids.ulid(),
        "number": next_value(tx, "feedback-categories"),
        "game_id": game_id,
        "entity": body["entity"],
        "name": body["name"],
        "description": body.get("description") or "",
        "created_at": ids.iso_now(),
    }
    tx.put(FEEDBACK_CATEGORIES, category["id"], category)
    return category


def categories(tx: Tx, game_id: str, entity: str | None = None) -> list[dict[str, Any]]:
    found = [c for c in tx.find(FEEDBACK_CATEGORIES, game_id=game_id) if entity is None or c["entity"] == entity]
    return [category_view(c) for c in sorted(found, key=lambda c: c["number"])]


def send(tx: Tx, game_id: str, sender: str, body: dict[str, Any]) -> dict[str, Any]:
    entity, entity_id = body["entity"], str(body.get("entity_id") or "")
    category = tx.get(FEEDBACK_CATEGORIES, str(body["category_id"]))
    if category is None or category["game_id"] != game_id:
        raise errors.not_found(f"No feedback category '{body['category_id']}' in this game.")
    if category["entity"] != entity:
        raise errors.invalid("category_id", f"the category is for {category['entity']} feedback, not {entity}")
    if entity == "player":
        player = Players.find(tx, game_id, entity_id, "ulid")
        if player is None:
            raise errors.not_found(f"No player '{entity_id}' in this game.")
        if player["id"] == sender:
            raise errors.invalid("entity_id", "a player cannot send feedback about themselves")
    elif entity == "ugc" and find_asset(tx, game_id, entity_id) is None:
        raise errors.not_found(f"No asset '{entity_id}' in this game.")
    sent = {
        "id": ids.ulid(),
        "number": next_value(tx, "feedback"),  # the order they were sent in
        "game_id": game_id,
        "sender": sender,
        "entity": entity,
        "entity_id": entity_id if entity != "game" else "",
        "category_id": category["id"],
        "description": body.get("description") or "",
        "created_at": ids.iso_now(),
    }
    tx.put(FEEDBACK, sent["id"], sent)
    return sent


def received(tx: Tx, game_id: str) -> list[dict[str, Any]]:
    found = sorted(tx.find(FEEDBACK, game_id=game_id), key=lambda f: f["number"])
    return [
        {k: f[k] for k in ("id", "sender", "entity", "entity_id", "category_id", "description", "created_at")}
        for f in found
    ]


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def list_categories(call: Call) -> Reply:
        return Reply(200, {"categories": categories(store.read(), game_id(call), call.path["entity"])})

    def create(call: Call) -> Reply:
        with store.write() as tx:
            send(tx, game_id(call), str(call.context["player_id"]), call.body)
        return Reply(204)

    return {"listFeedbackCategories": list_categories, "sendFeedback": create}
