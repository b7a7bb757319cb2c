"""Missions (discontinued by LootLocker in 2026, still in its Unreal SDK): a game's missions with gold, silver and
bronze goals, set with the Admin API. A player starts a mission (a fresh 40-hex `signature`) and finishes it by
sending the payload and, as `signature`, the SHA-1 (hex, either case) of the payload's compact JSON (as sent) + the
start signature + the player's id (its legacy id, ULID or public UID), which is how LootLocker's SDKs sign it.
A wrong signature, or a run already finished, → 400.

The finish reaches the best goal it meets: `goal_type` "time" (the default) when `finish_time` ≤ the goal, "score"
when `finish_score` ≥ it; the answer's `score` is that goal's points (0 when none is met). The first time a player
reaches a goal better than its best, the goal's assets go to its inventory (`check_grant_notifications` true);
`best_goal` in the lists is the player's best goal so far (null before any).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import MISSION_RUNS, MISSIONS
from .economy import assets, inventory
from .players import Players
from .sequences import next_value

GOALS = ("gold", "silver", "bronze")  # best first
Mission = dict[str, Any]


def create(tx: Tx, game_id: str, body: dict[str, Any]) -> Mission:
    goals = {}
    for name in GOALS:
        goal = (body.get("goals") or {}).get(name)
        if goal is None:
            continue
        asset_ids = []
        for asset_id in goal.get("assets") or []:
            asset = inventory.find_asset(tx, game_id, asset_id)
            if asset is None:
                raise errors.not_found(f"No asset {asset_id} in this game.")
            asset_ids.append(int(asset["asset_id"]))
        goals[name] = {"goal": str(goal["goal"]), "points": str(goal.get("points") or "0"), "assets": asset_ids}
    asset_id = None
    if body.get("asset_id") is not None:
        asset = inventory.find_asset(tx, game_id, body["asset_id"])
        if asset is None:
            raise errors.not_found(f"No asset {body['asset_id']} in this game.")
        asset_id = int(asset["asset_id"])
    number = next_value(tx, "missions")
    mission: Mission = {
        "id": str(number),
        "mission_id": number,
        "game_id": game_id,
        "asset_id": asset_id,
        "map_id": body.get("map_id"),
        "type": int(body.get("type") or 0),
        "goal_type": body.get("goal_type") or "time",
        "rounds": int(body.get("rounds") or 1),
        "round_length": str(body.get("round_length") or "0"),
        "difficulty_name": body.get("difficulty_name"),
        "difficulty_multiplier": body.get("difficulty_multiplier"),
        "difficulty_color": body.get("difficulty_color"),
        "difficulty_id": body.get("difficulty_id"),
        "goals": goals,
        "checkpoints": [
            {"index": int(c["index"]), "time": int(c.get("time") or 0), "parameters": dict(c.get("parameters") or {})}
            for c in body.get("checkpoints") or []
        ],
        "player_access": body.get("player_access") is not False,
        "best_goals": {},  # player ULID → the best goal it reached
    }
    tx.put(MISSIONS, mission["id"], mission)
    return mission


def view(tx: Tx, mission: Mission, player_id: str | None) -> dict[str, Any]:
    goals = {}
    for name, goal in mission["goals"].items():
        shown = [inventory.find_asset(tx, mission["game_id"], a) for a in goal["assets"]]
        # Unity reads each reward as the asset itself, Unreal as {variation_id, assets: asset}: both are sent.
        goals[name] = {
            "goal": goal["goal"],
            "points": goal["points"],
            "assets": [
                {**assets.common(tx, a), "variation_id": None, "assets": assets.common(tx, a)}
                for a in shown
                if a is not None
            ],
        }
    answer = {k: mission[k] for k in ("mission_id", "asset_id", "map_id", "type", "rounds", "round_length")}
    answer.update({k: mission[k] for k in ("difficulty_name", "difficulty_multiplier", "difficulty_color")})
    answer.update(
        difficulty_id=mission["difficulty_id"],
        goals=goals,
        checkpoints=[{"parameters": {}, **c} for c in mission["checkpoints"]],
        player_access=mission["player_access"],
        best_goal=mission["best_goals"].get(player_id) if player_id else None,
    )
    return answer


def _mission(tx: Tx, game_id: str, mission_id: str) -> Mission:
    mission = tx.get(MISSIONS, mission_id) if mission_id.isdigit() else None
    if mission is None or mission["game_id"] != game_id:
        raise errors.not_found(f"No mission {mission_id} in this game.")
    return mission


def start(tx: Tx, game_id: str, player_id: str, mission_id: str) -> str:
    mission = _mission(tx, game_id, mission_id)
    if not mission["player_access"]:
        raise errors.forbidden("The mission is not open to players.")
    signature = secrets.token_hex(20)
    run = {"id": signature, "player_id": player_id, "mission_id": mission["mission_id"], "started_at": ids.iso_now()}
    tx.put(MISSION_RUNS, signature, run)
    return signature


def expected(payload: dict[str, Any], start_signature: str, player_id: str) -> str:
    """The signature of a finish as LootLocker's SDKs compute it (upper-case hex SHA-1)."""
    compact = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha1(f"{compact}{start_signature}{player_id}".encode()).hexdigest().upper()


def _number(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _reached(mission: Mission, payload: dict[str, Any]) -> str | None:
    time, score = _number(payload.get("finish_time")), _number(payload.get("finish_score"))
    for name in GOALS:
        goal = mission["goals"].get(name)
        threshold = _number(goal["goal"]) if goal else None
        if threshold is None:
            continue
        if mission["goal_type"] == "score" and score is not None and score >= threshold:
            return name
        if mission["goal_type"] != "score" and time is not None and time <= threshold:
            return name
    return None


def finish(tx: Tx, game_id: str, player_id: str, mission_id: str, body: dict[str, Any]) -> dict[str, Any]:
    mission = _mission(tx, game_id, mission_id)
    player = Players.get(tx, player_id)
    names = {str(player.get("legacy_id")), player["id"], player.get("public_uid") or ""}
    sent = str(body["signature"]).upper()
    runs = [r for r in tx.find(MISSION_RUNS, player_id=player_id) if r["mission_id"] == mission["mission_id"]]
    run = next((r for r in runs if any(sent == expected(body["payload"], r["id"], n) for n in names if n)), None)
    if run is None:
        raise errors.invalid("signature", "not the signature of a started run of this mission")
    tx.delete(MISSION_RUNS, run["id"])
    reached = _reached(mission, body["payload"])
    granted = False
    if reached is not None:
        best = mission["best_goals"].get(player_id)
        if best is None or GOALS.index(reached) < GOALS.index(best):
            mission["best_goals"][player_id] = reached
            tx.put(MISSIONS, mission["id"], mission)
            for asset_id in mission["goals"][reached]["assets"]:
                inventory.grant(tx, game_id, player_id, asset_id, "mission")
                granted = True
    points = int(_number(mission["goals"][reached]["points"]) or 0) if reached else 0
    return {"score": points, "check_grant_notifications": granted}


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """Player deletion: the player's started runs and best goals."""
    tx.delete_where(MISSION_RUNS, player_id=player_id)
    for mission in tx.find(MISSIONS, game_id=game_id):
        if mission["best_goals"].pop(player_id, None) is not None:
            tx.put(MISSIONS, mission["id"], mission)


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def list_missions(call: Call) -> Reply:
        tx = store.read()
        found = sorted(tx.find(MISSIONS, game_id=game_id(call)), key=lambda m: m["mission_id"])
        return Reply(200, {"missions": [view(tx, m, player(call)) for m in found]})

    def get_mission(call: Call) -> Reply:
        tx = store.read()
        return Reply(200, {"mission": view(tx, _mission(tx, game_id(call), call.path["mission_id"]), player(call))})

    def start_mission(call: Call) -> Reply:
        with store.write() as tx:
            return Reply(200, {"signature": start(tx, game_id(call), player(call), call.path["mission_id"])})

    def finish_mission(call: Call) -> Reply:
        with store.write() as tx:
            return Reply(200, finish(tx, game_id(call), player(call), call.path["mission_id"], call.body))

    return {
        "listMissions": list_missions,
        "getMission": get_mission,
        "startMission": start_mission,
        "finishMission": finish_mission,
    }
