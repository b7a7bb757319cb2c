"""Entitlements: the player's purchase history (economy/purchases.py writes one entitlement per purchase), newest
first with LootLocker's cursor pagination, and one entitlement by id.

Every entitlement of the mock is a one-time purchase in LootLocker's own store. Its status reads `active`,
`pending` or `refunded`; a failed asynchronous purchase is listed as `canceled` (the SDKs' status enum has no
`failed`). `rewards` lists what each purchased unit handed out.
"""

from __future__ import annotations

from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from ..collections import ENTITLEMENTS
from .purchases import Entitlement, owned

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


def _status(entitlement: Entitlement) -> str:
    return "canceled" if entitlement["status"] == "failed" else str(entitlement["status"])


def _items(entitlement: Entitlement) -> list[dict[str, Any]]:
    return [
        {
            "created_at": item["created_at"],
            "reward_kind": item["reward_kind"],
            "id": item["id"],
            "reward_id": item["reward_id"],
            "catalog_id": item["catalog_id"],
            "purchasable": item["purchasable"],
        }
        for item in entitlement["items"]
    ]


def listing(entitlement: Entitlement) -> dict[str, Any]:
    return {
        "created_at": entitlement["created_at"],
        "id": entitlement["id"],
        "items": _items(entitlement),
        "rewards": [
            {"created_at": entitlement["created_at"], "entitlement_id": entitlement["id"], "id": grant["id"]}
            for grant in entitlement["grants"]
        ],
        "metadata": [],
        "status": _status(entitlement),
        "store": entitlement["store"],
        "type": entitlement["type"],
    }


def single(entitlement: Entitlement) -> dict[str, Any]:
    return {
        "id": entitlement["id"],
        "created_at": entitlement["created_at"],
        "type": entitlement["type"],
        "status": _status(entitlement),
        "store": entitlement["store"],
        "items": _items(entitlement),
        "metadata": [],
    }


def history(tx: Tx, game_id: str, player_id: str, query: dict[str, str]) -> dict[str, Any]:
    found = [e for e in tx.find(ENTITLEMENTS, player_id=player_id) if e["game_id"] == game_id]
    found.sort(key=lambda e: (e["order"], e["id"]), reverse=True)
    cursor = query.get("cursor") or ""
    start = int(cursor) if cursor.isdigit() else 0
    per_page = min(int(query.get("per_page") or 0) or DEFAULT_PER_PAGE, MAX_PER_PAGE)
    end = min(start + per_page, len(found))
    return {
        "listings": [listing(e) for e in found[start:end]],
        "pagination": {
            "total": len(found),
            "next_cursor": str(end) if end < len(found) else None,
            "previous_cursor": str(max(0, start - per_page)) if start > 0 else None,
        },
    }


def handlers(store: Store) -> dict[str, Handler]:
    def ids_of(call: Call) -> tuple[str, str]:
        return str(call.context["game"]["id"]), str(call.context["player_id"])

    def listed(call: Call) -> Reply:
        game_id, player_id = ids_of(call)
        return Reply(200, history(store.read(), game_id, player_id, call.query))

    def one(call: Call) -> Reply:
        game_id, player_id = ids_of(call)
        return Reply(200, single(owned(store.read(), game_id, player_id, call.path["entitlement_id"])))

    return {"listEntitlements": listed, "getEntitlement": one}
