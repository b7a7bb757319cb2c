"""Triggers: keyed actions of a game, each tied to a reward; a player invokes them by key and receives the reward, at
most `limit` times (0 = unlimited). The Admin API creates them (`POST /admin/game/{g}/triggers/cozy-crusader/v1`).

A trigger is `{id: "<game id>:<key>", ulid, game_id, key, name, description, limit, reward_id, segments, created_at,
updated_at}`; a player's invocations of it are counted in lootlocker.trigger-claims (`{player_id, game_id, key,
count, first_at, last_at, order}`, id "<player ulid>:<game id>:<key>").

Invocation (`POST /game/triggers/cozy-crusader/v1 {keys}`) always answers 200 with `successful_keys: [{key}]` and
`failed_keys: [{key, reason}]`; reasons are the SDK's enum in LootLocker's lower-case wire spelling:
key_not_found, trigger_limit_reached, reward_not_found, player_not_in_segment (the mock has no segments, so a
trigger restricted to segments reaches nobody). A key repeated in one call counts once. Each success grants the
reward (economy/rewards.py) and adds a "pull.reward.acquired" notification from source "triggers" with the context
trigger_key, trigger_id, trigger_limit. All keys of a call are handled in one write transaction: limits hold under
concurrent calls.

The legacy calls (`POST /game/v1/player/trigger {name}`, `GET /game/v1/player/triggers`) run the same triggers by key.
"""

from __future__ import annotations

import time
from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids
from ..collections import TRIGGER_CLAIMS, TRIGGERS
from . import assets, inventory, rewards

Trigger = dict[str, Any]
SOURCE = "triggers"  # the notifications' source (LootLockerNotificationSources.Triggers)
KEY_NOT_FOUND = "key_not_found"
LIMIT_REACHED = "trigger_limit_reached"
REWARD_NOT_FOUND = "reward_not_found"
NOT_IN_SEGMENT = "player_not_in_segment"


def _id(game_id: str, key: str) -> str:
    return f"{game_id}:{key}"


def create(tx: Tx, game_id: str, fields: dict[str, Any]) -> Trigger:
    """`{trigger: {key, name, limit, reward_id, description?}, segments: [...]}` (LootLockerTestTriggerRequest)."""
    spec = fields["trigger"]
    key = str(spec["key"]).strip()
    if not key:
        raise errors.invalid("key", "must not be empty")
    if tx.get(TRIGGERS, _id(game_id, key)) is not None:
        raise errors.conflict(f"A trigger with the key '{key}' exists in this game.")
    reward_id = str(spec.get("reward_id") or "").strip()
    if reward_id and rewards.get(tx, game_id, reward_id) is None:
        raise errors.not_found(f"No reward '{reward_id}' in this game.")
    now = ids.iso_now()
    trigger: Trigger = {
        "id": _id(game_id, key),
        "ulid": ids.ulid(),
        "game_id": game_id,
        "key": key,
        "name": str(spec.get("name") or key),
        "description": str(spec.get("description") or ""),
        "limit": int(spec.get("limit") or 0),
        "reward_id": reward_id.upper() or None,
        "segments": [str(s) for s in fields.get("segments") or []],
        "created_at": now,
        "updated_at": now,
    }
    tx.put(TRIGGERS, trigger["id"], trigger)
    return trigger


def view(trigger: Trigger) -> dict[str, Any]:
    """A trigger as the Admin API answers it."""
    return {
        "id": trigger["ulid"],
        "key": trigger["key"],
        "name": trigger["name"],
        "description": trigger["description"],
        "limit": trigger["limit"],
        "reward_id": trigger["reward_id"],
        "segments": trigger["segments"],
        "created_at": trigger["created_at"],
        "updated_at": trigger["updated_at"],
    }


def listed(store: Store, game_id: str) -> list[dict[str, Any]]:
    return [view(t) for t in sorted(store.read().find(TRIGGERS, game_id=game_id), key=lambda t: t["key"])]


def _claim_id(player_id: str, game_id: str, key: str) -> str:
    return f"{player_id}:{game_id}:{key}"


def _run(tx: Tx, game: dict[str, Any], player: dict[str, Any], key: str) -> tuple[str | None, dict[str, Any] | None]:
    """Invoke one trigger: (failure reason or None, the reward's notification body on success)."""
    game_id = str(game["id"])
    trigger = tx.get(TRIGGERS, _id(game_id, key))
    if trigger is None:
        return KEY_NOT_FOUND, None
    if trigger["segments"]:
        return NOT_IN_SEGMENT, None
    claim_id = _claim_id(player["id"], game_id, key)
    claim = tx.get(TRIGGER_CLAIMS, claim_id)
    if trigger["limit"] > 0 and claim is not None and claim["count"] >= trigger["limit"]:
        return LIMIT_REACHED, None
    reward = rewards.get(tx, game_id, trigger["reward_id"] or "")
    if reward is None or not rewards.available(tx, game_id, reward):
        return REWARD_NOT_FOUND, None
    body = rewards.grant(tx, game, player, reward, source="trigger")
    context = {"trigger_key": key, "trigger_id": trigger["ulid"], "trigger_limit": str(trigger["limit"])}
    rewards.notify(tx, game_id, player, body, SOURCE, context)
    now = ids.iso_now()
    if claim is None:
        # `order` (nanoseconds) keeps first invocations of the same second in the order they happened.
        claim = {"player_id": player["id"], "game_id": game_id, "key": key, "count": 0, "first_at": now}
        claim["order"] = time.time_ns()
    claim["count"] += 1
    claim["last_at"] = now
    tx.put(TRIGGER_CLAIMS, claim_id, claim)
    return None, body


def invoke(store: Store, game: dict[str, Any], player_id: str, keys: list[str]) -> dict[str, Any]:
    successful: list[dict[str, str]] = []
    failed: list[dict[str, str]] = []
    with store.write() as tx:
        player = rewards.player_of(tx, player_id)
        for key in dict.fromkeys(keys):  # a key repeated in one call counts once
            reason, _ = _run(tx, game, player, key)
            if reason is None:
                successful.append({"key": key})
            else:
                failed.append({"key": key, "reason": reason})
    return {"successful_keys": successful, "failed_keys": failed}


def _granted_asset(tx: Tx, game_id: str, asset_ulid: str) -> dict[str, Any]:
    # The legacy answer's granted_assets: LootLocker's common asset (LootLockerGrantedAssets reads it).
    asset = inventory.find_asset(tx, game_id, asset_ulid)
    assert asset is not None  # granted just now, in this transaction
    return assets.common(tx, asset)


def execute_legacy(store: Store, game: dict[str, Any], player_id: str, name: str) -> dict[str, Any]:
    """Legacy Execute Trigger: the trigger keyed `name`; an unknown key → 404, a reached limit → 409 (LootLocker's
    legacy statuses are not published; failures are errors here since the answer has no failure list)."""
    game_id = str(game["id"])
    with store.write() as tx:
        player = rewards.player_of(tx, player_id)
        reason, body = _run(tx, game, player, name)
        if reason == KEY_NOT_FOUND:
            raise errors.not_found(f"No trigger '{name}' in this game.")
        if reason == LIMIT_REACHED:
            raise errors.conflict(f"The player has reached the limit of the trigger '{name}'.")
        if reason is not None:
            raise errors.not_found(f"The trigger '{name}' has no reward this player can receive ({reason}).")
        assert body is not None
        members = body["group"]["associations"] if body["kind"] == "group" else [body]
        asset_ulids = [
            (m["asset"].get("asset_ulid") or m["asset"]["id"]) for m in members if m.get("asset") is not None
        ]
        granted = [_granted_asset(tx, game_id, ulid) for ulid in asset_ulids]
        xp = int(player.get("xp") or 0)
    return {
        "check_grant_notifications": bool(granted),
        "xp": {"previous": xp, "current": xp},
        "levels": [],
        "granted_assets": granted,
    }


def executed_keys(store: Store, game: dict[str, Any], player_id: str) -> list[str]:
    """Legacy List Triggers: the keys the player has invoked successfully, first invocation first."""
    game_id = str(game["id"])
    claims = [c for c in store.read().find(TRIGGER_CLAIMS, player_id=player_id) if c["game_id"] == game_id]
    return [c["key"] for c in sorted(claims, key=lambda c: (c.get("order", 0), c["key"]))]


def handlers(store: Store) -> dict[str, Handler]:
    def game(call: Call) -> dict[str, Any]:
        return dict(call.context["game"])

    def me(call: Call) -> str:
        return str(call.context["player_id"])

    return {
        "invokeTriggers": lambda call: Reply(
            200, invoke(store, game(call), me(call), [str(k) for k in call.body["keys"]])
        ),
        "executeTrigger": lambda call: Reply(200, execute_legacy(store, game(call), me(call), str(call.body["name"]))),
        "listExecutedTriggers": lambda call: Reply(200, {"triggers": executed_keys(store, game(call), me(call))}),
    }
