"""Progressions and XP levels of a game environment, set with the Admin API. They live in the environment's
game document (`progressions`, `levels`), where the Game API's progressions (mockserver/lootlocker/
progressions.py) and the sessions' level and level_thresholds (mockserver/lootlocker/profile.py) read them,
as they read those a fixture declares."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Store
from .. import errors, ids
from ..collections import GAMES
from ..games import Game

if TYPE_CHECKING:
    from .routes import Admin


def _check_tiers(tiers: list[dict[str, Any]]) -> None:
    ordered = sorted(tiers, key=lambda t: t["step"])
    if [t["step"] for t in ordered] != list(range(1, len(ordered) + 1)):
        raise errors.invalid("tiers", "steps must be 1, 2, 3, ... each once")
    thresholds = [t["points_threshold"] for t in ordered]
    if thresholds[0] != 0 or any(a >= b for a, b in pairwise(thresholds)):
        raise errors.invalid("tiers", "step 1 starts at points_threshold 0 and thresholds rise with the steps")


def _check_levels(levels: list[dict[str, Any]]) -> None:
    ordered = sorted(levels, key=lambda level: level["level"])
    if [level["level"] for level in ordered] != list(range(1, len(ordered) + 1)):
        raise errors.invalid("levels", "levels must be 1, 2, 3, ... each once")
    thresholds = [level["xp_threshold"] for level in ordered]
    if any(a >= b for a, b in pairwise(thresholds)):
        raise errors.invalid("levels", "xp thresholds rise with the levels")


def _update(store: Store, game: Game, change: Any) -> Any:
    with store.write() as tx:
        current = tx.get(GAMES, game["id"])
        if current is None:
            raise errors.not_found("The game no longer exists.")
        result = change(current)
        current["updated_at"] = ids.iso_now()
        tx.put(GAMES, current["id"], current)
        return result


def create(store: Store, game: Game, body: dict[str, Any]) -> dict[str, Any]:
    tiers = body.get("tiers") or [{"step": 1, "points_threshold": 0}]
    _check_tiers(tiers)

    def add(current: Game) -> dict[str, Any]:
        existing = current.setdefault("progressions", [])
        if any(p["key"] == body["key"] for p in existing):
            raise errors.conflict(f"A progression with the key '{body['key']}' exists in this game.")
        progression = {
            "id": ids.ulid(),
            "key": str(body["key"]),
            "name": str(body["name"]),
            "active": body.get("active") is not False,
            "tiers": sorted(tiers, key=lambda t: t["step"]),
        }
        existing.append(progression)
        return progression

    return dict(_update(store, game, add))


def set_levels(store: Store, game: Game, levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    _check_levels(levels)
    ordered = sorted(levels, key=lambda level: level["level"])

    def replace(current: Game) -> list[dict[str, Any]]:
        current["levels"] = ordered
        return ordered

    return list(_update(store, game, replace))


def handlers(admin: Admin) -> dict[str, Handler]:
    def listed(call: Call) -> Reply:
        progressions = sorted(admin.game(call).get("progressions") or [], key=lambda p: p["key"])
        return Reply(200, {"progressions": progressions})

    return {
        "adminCreateProgression": lambda call: Reply(200, create(admin.store, admin.game(call), call.body)),
        "adminListProgressions": listed,
        "adminSetLevels": lambda call: Reply(
            200, {"levels": set_levels(admin.store, admin.game(call), call.body["levels"])}
        ),
    }
