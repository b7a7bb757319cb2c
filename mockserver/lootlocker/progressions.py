"""Progressions: a game's progressions and their tiers (declared by the game's fixture, `progressions:
[{id, key, name, active, tiers: [{step, points_threshold, rewards}]}]`), and each player's progress in them.

A player's progression holds `points`; its `step` is the highest tier whose `points_threshold` the points reach
(step 1, threshold 0, where everybody starts); `previous_threshold` / `next_threshold` frame it. Adding points
reports the tiers crossed (`awarded_tiers`, with their rewards) and applies the rewards that need no economy:
`progression_points_rewards` add points to the named progression of the player, `progression_reset_rewards`
reset it (applied once, not cascading further). Asset and currency rewards are reported only. Subtracting
never goes below 0 points and moves the step back with them (no tier is awarded twice until then). Adding 0
points registers the player in a progression. Lists use LootLocker's cursor pagination (`count`, `after`).
"""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import PLAYER_PROGRESSIONS
from .players import Players

Progression = dict[str, Any]
DEFAULT_COUNT = 20  # items per page when `count` is left out (LootLocker does not document it)
MAX_COUNT = 100


def game_progressions(game: dict[str, Any]) -> list[Progression]:
    return sorted(game.get("progressions") or [], key=lambda p: p["key"])


def _progression(game: dict[str, Any], key: str) -> Progression:
    for progression in game.get("progressions") or []:
        if progression["key"] == key:
            return progression
    raise errors.not_found(f"No progression '{key}' in this game.")


def brief(progression: Progression) -> dict[str, Any]:
    return {
        "id": progression["id"],
        "key": progression["key"],
        "name": progression["name"],
        "active": progression.get("active", True),
    }


def _tiers(progression: Progression) -> list[dict[str, Any]]:
    return sorted(progression["tiers"], key=lambda t: t["points_threshold"])


def _tier(game: dict[str, Any], tier: dict[str, Any]) -> dict[str, Any]:
    """A tier as answered: rewards naming another progression by key get its id and name."""
    rewards = tier.get("rewards") or {}
    by_key = {p["key"]: p for p in game.get("progressions") or []}

    def named(reward: dict[str, Any], *extra: str) -> dict[str, Any]:
        target = by_key.get(reward["progression_key"], {})
        shown = {
            "progression_id": target.get("id", ""),
            "progression_key": reward["progression_key"],
            "progression_name": target.get("name", ""),
        }
        return {**shown, **{k: reward[k] for k in extra}}

    return {
        "step": tier["step"],
        "points_threshold": tier["points_threshold"],
        "rewards": {
            "progression_points_rewards": [named(r, "amount") for r in rewards.get("progression_points_rewards") or []],
            "progression_reset_rewards": [named(r) for r in rewards.get("progression_reset_rewards") or []],
            "asset_rewards": list(rewards.get("asset_rewards") or []),
            "currency_rewards": list(rewards.get("currency_rewards") or []),
        },
    }


def _page(items: list[Any], cursor_of: Any, query: dict[str, str]) -> tuple[list[Any], dict[str, Any]]:
    """LootLocker's cursor pagination: items after the `after` cursor, `count` of them."""
    count = min(int(query["count"]), MAX_COUNT) if query.get("count") else DEFAULT_COUNT
    after = query.get("after") or None
    start = 0
    if after is not None:
        cursors = [str(cursor_of(i)) for i in items]
        start = cursors.index(after) + 1 if after in cursors else len(items)
    page = items[start : start + count] if count > 0 else []
    more = start + len(page) < len(items)
    pagination = {
        "total": len(items),
        "next_cursor": cursor_of(page[-1]) if page and more else None,
        "previous_cursor": cursor_of(items[start - 1]) if start > 0 else None,
    }
    return page, pagination


def _state(progression: Progression, points: int) -> dict[str, Any]:
    tiers = _tiers(progression)
    reached = [t for t in tiers if t["points_threshold"] <= points] or tiers[:1]
    ahead = [t for t in tiers if t["points_threshold"] > points]
    return {
        "step": reached[-1]["step"],
        "previous_threshold": reached[-1]["points_threshold"],
        "next_threshold": ahead[0]["points_threshold"] if ahead else None,
    }


def view(progression: Progression, held: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": held["ulid"],
        "progression_key": progression["key"],
        "progression_id": progression["id"],
        "progression_name": progression["name"],
        "points": held["points"],
        **_state(progression, held["points"]),
        "last_level_up": held.get("last_level_up"),
    }


def _doc_id(player_id: str, progression: Progression) -> str:
    return f"{player_id}:{progression['id']}"


def _held(tx: Tx, player_id: str, progression: Progression) -> dict[str, Any] | None:
    return tx.get(PLAYER_PROGRESSIONS, _doc_id(player_id, progression))


def _new(player_id: str, progression: Progression) -> dict[str, Any]:
    return {
        "id": _doc_id(player_id, progression),
        "ulid": ids.ulid(),
        "player_id": player_id,
        "progression_id": progression["id"],
        "points": 0,
        "last_level_up": None,
    }


def _set_points(tx: Tx, progression: Progression, held: dict[str, Any], points: int) -> list[dict[str, Any]]:
    """Store the new points; the tiers crossed upwards (ordered by threshold)."""
    before = held["points"]
    held["points"] = max(0, points)
    crossed = [t for t in _tiers(progression) if before < t["points_threshold"] <= held["points"]]
    if crossed:
        held["last_level_up"] = ids.iso_now()
    tx.put(PLAYER_PROGRESSIONS, held["id"], held)
    return crossed


def _apply_rewards(tx: Tx, game: dict[str, Any], player_id: str, tiers: list[dict[str, Any]]) -> None:
    by_key = {p["key"]: p for p in game.get("progressions") or []}
    for tier in tiers:
        rewards = tier.get("rewards") or {}
        for reward in rewards.get("progression_points_rewards") or []:
            target = by_key.get(reward["progression_key"])
            if target is not None:
                held = _held(tx, player_id, target) or _new(player_id, target)
                _set_points(tx, target, held, held["points"] + int(reward["amount"]))
        for reward in rewards.get("progression_reset_rewards") or []:
            target = by_key.get(reward["progression_key"])
            if target is not None:
                held = _held(tx, player_id, target) or _new(player_id, target)
                _set_points(tx, target, held, 0)


class PlayerProgressions:
    def __init__(self, store: Store) -> None:
        self.store = store

    def of(self, game: dict[str, Any], player_id: str, query: dict[str, str]) -> dict[str, Any]:
        tx = self.store.read()
        by_id = {p["id"]: p for p in game.get("progressions") or []}
        held = [h for h in tx.find(PLAYER_PROGRESSIONS, player_id=player_id) if h["progression_id"] in by_id]
        items = sorted((view(by_id[h["progression_id"]], h) for h in held), key=lambda v: v["progression_key"])
        page, pagination = _page(items, lambda v: v["id"], query)
        return {"pagination": pagination, "items": page}

    def one(self, game: dict[str, Any], player_id: str, key: str) -> dict[str, Any]:
        progression = _progression(game, key)
        held = _held(self.store.read(), player_id, progression)
        if held is None:
            raise errors.not_found(f"The player has no progress in '{key}'.")
        return view(progression, held)

    def change(self, game: dict[str, Any], player_id: str, key: str, kind: str, amount: int) -> dict[str, Any]:
        """add / subtract / reset; the progression with the tiers awarded by this change."""
        progression = _progression(game, key)
        with self.store.write() as tx:
            held = _held(tx, player_id, progression) or _new(player_id, progression)
            if kind == "add":
                target = held["points"] + amount
            elif kind == "subtract":
                target = held["points"] - amount
            else:
                target = 0
            awarded = _set_points(tx, progression, held, target)
            _apply_rewards(tx, game, player_id, awarded)
        return {**view(progression, held), "awarded_tiers": [_tier(game, t) for t in awarded]}

    def delete(self, game: dict[str, Any], player_id: str, key: str) -> None:
        progression = _progression(game, key)
        with self.store.write() as tx:
            if not tx.delete(PLAYER_PROGRESSIONS, _doc_id(player_id, progression)):
                raise errors.not_found(f"The player has no progress in '{key}'.")


def handlers(store: Store) -> dict[str, Handler]:
    progress = PlayerProgressions(store)

    def game(call: Call) -> dict[str, Any]:
        return dict(call.context["game"])

    def me(call: Call) -> str:
        return str(call.context["player_id"])

    def other(call: Call) -> str:
        found = Players.find(store.read(), game(call)["id"], call.path["player_ulid"], "ulid")
        if found is None:
            raise errors.not_found(f"No player '{call.path['player_ulid']}' in this game.")
        return str(found["id"])

    def list_progressions(call: Call) -> Reply:
        items = [brief(p) for p in game_progressions(game(call))]
        page, pagination = _page(items, lambda p: p["id"], call.query)
        return Reply(200, {"pagination": pagination, "items": page})

    def get_progression(call: Call) -> Reply:
        return Reply(200, brief(_progression(game(call), call.path["progression_key"])))

    def list_tiers(call: Call) -> Reply:
        tiers = [_tier(game(call), t) for t in _tiers(_progression(game(call), call.path["progression_key"]))]
        page, pagination = _page(tiers, lambda t: t["step"], call.query)
        return Reply(200, {"pagination": pagination, "items": page})

    def get_tier(call: Call) -> Reply:
        for tier in _tiers(_progression(game(call), call.path["progression_key"])):
            if str(tier["step"]) == call.path["step"]:
                return Reply(200, _tier(game(call), tier))
        raise errors.not_found(f"No tier {call.path['step']} in '{call.path['progression_key']}'.")

    def change(kind: str) -> Handler:
        def handler(call: Call) -> Reply:
            amount = int((call.body or {}).get("amount") or 0)
            return Reply(200, progress.change(game(call), me(call), call.path["progression_key"], kind, amount))

        return handler

    def delete(call: Call) -> Reply:
        progress.delete(game(call), me(call), call.path["progression_key"])
        return Reply(204)

    return {
        "listProgressions": list_progressions,
        "getProgression": get_progression,
        "listProgressionTiers": list_tiers,
        "getProgressionTier": get_tier,
        "listPlayerProgressions": lambda call: Reply(200, progress.of(game(call), me(call), call.query)),
        "getPlayerProgression": lambda call: Reply(
            200, progress.one(game(call), me(call), call.path["progression_key"])
        ),
        "listOtherPlayerProgressions": lambda call: Reply(200, progress.of(game(call), other(call), call.query)),
        "getOtherPlayerProgression": lambda call: Reply(
            200, progress.one(game(call), other(call), call.path["progression_key"])
        ),
        "addPlayerProgressionPoints": change("add"),
        "subtractPlayerProgressionPoints": change("subtract"),
        "resetPlayerProgression": change("reset"),
        "deletePlayerProgression": delete,
    }
