"""Collectables (discontinued by LootLocker in 2026, still in its Unreal SDK): a game's collectables, each with groups
of items, set with the Admin API. A player collects an item by its slug "<collectable>.<group>.<item>"; the item's
rewards (assets) go to the player's inventory, and completing a group, then the whole collectable, grants their
rewards too. Lists carry the player's progress (`collected`, `completion_percentage`, whole percent rounded down),
and the collect answer marks the item just collected (`just_collected`). Collecting an item twice → 409.

A collectable is one document (COLLECTABLES); each collected item is one document (COLLECTED, id
"<player ulid>:<slug>"), so that concurrent collects of one item grant once.
"""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import COLLECTABLES, COLLECTED
from .economy import assets, inventory

Collectable = dict[str, Any]


def _rewards(tx: Tx, game_id: str, given: Any) -> list[int]:
    found = []
    for reward in given or []:
        asset = inventory.find_asset(tx, game_id, reward["asset_id"])
        if asset is None:
            raise errors.not_found(f"No asset {reward['asset_id']} in this game.")
        found.append(int(asset["asset_id"]))
    return found


def create(tx: Tx, game_id: str, body: dict[str, Any]) -> Collectable:
    names = [g["name"] for g in body["groups"]]
    if len(set(names)) != len(names):
        raise errors.invalid("groups", "group names must be unique within the collectable")
    for group in body["groups"]:
        items = [i["name"] for i in group["items"]]
        if len(set(items)) != len(items):
            raise errors.invalid("groups.items", f"item names must be unique within group '{group['name']}'")
    if any(c["name"] == body["name"] for c in tx.find(COLLECTABLES, game_id=game_id)):
        raise errors.conflict(f"A collectable named '{body['name']}' exists in this game.")
    collectable: Collectable = {
        "id": ids.ulid(),
        "game_id": game_id,
        "name": body["name"],
        "grants_all_rewards": bool(body.get("grants_all_rewards")),
        "rewards": _rewards(tx, game_id, body.get("rewards")),
        "groups": [
            {
                "name": group["name"],
                "grants_all_rewards": bool(group.get("grants_all_rewards")),
                "rewards": _rewards(tx, game_id, group.get("rewards")),
                "items": [
                    {
                        "name": item["name"],
                        "grants_all_rewards": bool(item.get("grants_all_rewards")),
                        "rewards": _rewards(tx, game_id, item.get("rewards")),
                    }
                    for item in group["items"]
                ],
            }
            for group in body["groups"]
        ],
    }
    tx.put(COLLECTABLES, collectable["id"], collectable)
    return collectable


def _reward_views(tx: Tx, game_id: str, asset_ids: list[int]) -> list[dict[str, Any]]:
    views = []
    for asset_id in asset_ids:
        asset = inventory.find_asset(tx, game_id, asset_id)
        if asset is not None:
            views.append(
                {"asset": assets.common(tx, asset), "asset_variation_id": None, "asset_rental_option_id": None}
            )
    return views


def _percent(done: int, total: int) -> int:
    return 100 * done // total if total else 0


def view(tx: Tx, collectable: Collectable, collected: set[str], just: str | None = None) -> dict[str, Any]:
    game_id = collectable["game_id"]
    groups, done_all, total_all = [], 0, 0
    for group in collectable["groups"]:
        items = []
        for item in group["items"]:
            slug = f"{collectable['name']}.{group['name']}.{item['name']}"
            items.append(
                {
                    "name": item["name"],
                    "collected": slug in collected,
                    "just_collected": slug == just,
                    "grants_all_rewards": item["grants_all_rewards"],
                    "rewards": _reward_views(tx, game_id, item["rewards"]),
                }
            )
        done = sum(1 for i in items if i["collected"])
        done_all, total_all = done_all + done, total_all + len(items)
        groups.append(
            {
                "name": group["name"],
                "completion_percentage": _percent(done, len(items)),
                "grants_all_rewards": group["grants_all_rewards"],
                "rewards": _reward_views(tx, game_id, group["rewards"]),
                "items": items,
            }
        )
    return {
        "name": collectable["name"],
        "completion_percentage": _percent(done_all, total_all),
        "grants_all_rewards": collectable["grants_all_rewards"],
        "rewards": _reward_views(tx, game_id, collectable["rewards"]),
        "groups": groups,
    }


def _collected(tx: Tx, player_id: str) -> set[str]:
    return {c["slug"] for c in tx.find(COLLECTED, player_id=player_id)}


def listing(tx: Tx, game_id: str, player_id: str, just: str | None = None) -> list[dict[str, Any]]:
    collected = _collected(tx, player_id)
    found = sorted(tx.find(COLLECTABLES, game_id=game_id), key=lambda c: c["name"])
    return [view(tx, c, collected, just) for c in found]


def collect(tx: Tx, game_id: str, player_id: str, slug: str) -> None:
    parts = slug.split(".")
    if len(parts) != 3 or not all(parts):
        raise errors.invalid("slug", "a slug is '<collectable>.<group>.<item>'")
    name, group_name, item_name = parts
    collectable = next((c for c in tx.find(COLLECTABLES, game_id=game_id) if c["name"] == name), None)
    group = next((g for g in collectable["groups"] if g["name"] == group_name), None) if collectable else None
    item = next((i for i in group["items"] if i["name"] == item_name), None) if group else None
    if collectable is None or group is None or item is None:
        raise errors.not_found(f"No collectable item '{slug}' in this game.")
    key = f"{player_id}:{slug}"
    if tx.get(COLLECTED, key) is not None:
        raise errors.conflict(f"The player has already collected '{slug}'.")
    tx.put(COLLECTED, key, {"id": key, "player_id": player_id, "slug": slug, "collected_at": ids.iso_now()})
    granted = list(item["rewards"])
    collected = _collected(tx, player_id) | {slug}
    if all(f"{name}.{group_name}.{i['name']}" in collected for i in group["items"]):
        granted += group["rewards"]
        everything = (f"{name}.{g['name']}.{i['name']}" for g in collectable["groups"] for i in g["items"])
        if all(s in collected for s in everything):
            granted += collectable["rewards"]
    for asset_id in granted:
        inventory.grant(tx, game_id, player_id, asset_id, "collectable")


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """Player deletion: the items the player collected."""
    tx.delete_where(COLLECTED, player_id=player_id)


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def list_collectables(call: Call) -> Reply:
        return Reply(200, {"collectables": listing(store.read(), game_id(call), player(call))})

    def collect_item(call: Call) -> Reply:
        slug = str(call.body["slug"])
        with store.write() as tx:
            collect(tx, game_id(call), player(call), slug)
            return Reply(200, {"collectables": listing(tx, game_id(call), player(call), slug)})

    return {"listCollectables": list_collectables, "collectItem": collect_item}
