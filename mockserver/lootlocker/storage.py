"""Player storage: string key/value pairs per player, each with an order and a public flag. A player reads
and writes only their own items; other players of the game see only the public ones."""

from __future__ import annotations

from typing import Any

from ..store import Store
from . import errors
from .collections import STORAGE

Item = dict[str, Any]


def _view(item: Item) -> dict[str, Any]:
    return {"key": item["key"], "value": item["value"], "order": item["order"], "is_public": item["is_public"]}


def _sorted(items: list[Item]) -> list[dict[str, Any]]:
    return [_view(i) for i in sorted(items, key=lambda i: (i["order"], i["key"]))]


class PlayerStorage:
    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self, player_id: str) -> list[dict[str, Any]]:
        return _sorted(self.store.read().find(STORAGE, player_id=player_id))

    def one(self, player_id: str, key: str) -> dict[str, Any]:
        item = self.store.read().get(STORAGE, f"{player_id}:{key}")
        if item is None:
            raise errors.not_found(f"The player has no storage item '{key}'.")
        return _view(item)

    def public(self, player_id: str) -> list[dict[str, Any]]:
        return _sorted(self.store.read().find(STORAGE, player_id=player_id, is_public=True))

    def update(self, player_id: str, payload: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Create or replace each item; an item without `order` keeps its order (new ones go last)."""
        with self.store.write() as tx:
            existing = {i["key"]: i for i in tx.find(STORAGE, player_id=player_id)}
            last = max((i["order"] for i in existing.values()), default=0)
            for given in payload:
                key = given["key"]
                current = existing.get(key)
                order = given.get("order")
                if order is None:
                    if current is not None:
                        order = current["order"]
                    else:
                        last += 1
                        order = last
                item = {
                    "id": f"{player_id}:{key}",
                    "player_id": player_id,
                    "key": key,
                    "value": given["value"],
                    "order": order,
                    "is_public": bool(given.get("is_public", current["is_public"] if current else False)),
                }
                existing[key] = item
                tx.put(STORAGE, item["id"], item)
        return _sorted(list(existing.values()))

    def delete(self, player_id: str, key: str) -> list[dict[str, Any]]:
        """Remove one key (a key that is not there is no error); the remaining items."""
        with self.store.write() as tx:
            tx.delete(STORAGE, f"{player_id}:{key}")
        return self.all(player_id)
