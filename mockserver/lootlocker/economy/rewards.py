"""Rewards: what a trigger (and a catalog group item) hands out to a player. A reward names one entity of its game,
or is a group of such entities; the Admin API creates them (`POST /admin/game/{g}/reward`, `.../reward/group`).

A reward is one document of lootlocker.rewards (id: a ULID):
`{id, game_id, kind, name, description, associations: [entry], created_at, updated_at}` where `kind` is one of
KINDS or "group" and an entry is `{kind, entity_id, amount?, asset_variation_id?, asset_rental_option_id?}`:
- asset: `entity_id` the asset's ULID → an instance in the player's inventory (economy/inventory.grant);
- currency: `entity_id` the currency id, `amount` a decimal string → credited to the player's wallet
  (economy/wallets.credit);
- progression_points: `entity_id` the progression id, `amount` an int → points added (tiers crossed award their
  own rewards, as the Game API's progressions do);
- progression_reset: `entity_id` the progression id → the player's points back to 0.
A single reward has one entry; a group has one per association (an association of kind "reward" copies the entry of
an existing single reward; a group never holds a group).

`grant` hands a reward out inside the caller's write transaction and answers the reward body of LootLocker's
"pull.reward.acquired" notifications (NotificationRequests.cs: `{kind, asset|currency|progression_points|
progression_reset|group}`, the unused members null); `notify` stores such a notification.
"""

from __future__ import annotations

from typing import Any

from ...store import Tx
from .. import errors, ids, notifications, progressions
from ..collections import GAMES, PLAYERS, REWARDS
from . import currencies, inventory, wallets

Reward = dict[str, Any]
KINDS = ("asset", "currency", "progression_points", "progression_reset")
BODY_KINDS = ("group", *KINDS)
# Where the SDKs put an amount: the group utility sends metadata `purchased_amount` for currencies, the catalog
# utility `progression_points_amount` for points; a top-level `amount` is accepted too.
AMOUNT_KEYS = ("amount", "purchased_amount", "progression_points_amount")
NOTIFICATION_TYPE = "pull.reward.acquired"


# -- creation (Admin API) --------------------------------------------------------------------------------------
def _metadata(fields: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in fields.get("metadata") or []:
        found[str(item.get("key"))] = str(item.get("value"))
    return found


def _amount(fields: dict[str, Any], kind: str) -> str | None:
    metadata = _metadata(fields)
    raw = fields.get("amount")
    if raw is None:
        raw = next((metadata[k] for k in AMOUNT_KEYS if k in metadata), None)
    if raw is None:
        raise errors.missing("amount")
    amount = wallets.parse_amount(raw)
    return str(amount) if kind == "currency" else str(int(amount))


def _progression(tx: Tx, game_id: str, wanted: str) -> dict[str, Any] | None:
    game = tx.get(GAMES, game_id) or {}
    for progression in game.get("progressions") or []:
        if wanted in (progression["id"], progression["key"]):
            return dict(progression)
    return None


def _entry(tx: Tx, game_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """One entity of a reward, checked to exist in the game (404 otherwise)."""
    kind = fields.get("entity_kind")
    entity_id = str(fields.get("entity_id") or "").strip()
    if kind not in KINDS:
        raise errors.invalid("entity_kind", f"must be one of {', '.join(KINDS)}")
    if not entity_id:
        raise errors.missing("entity_id")
    entry: dict[str, Any] = {"kind": kind}
    if kind == "asset":
        asset = inventory.find_asset(tx, game_id, entity_id)
        if asset is None:
            raise errors.not_found(f"No asset '{entity_id}' in this game.")
        entry["entity_id"] = asset["ulid"]
        metadata = _metadata(fields)
        for key in ("asset_variation_id", "asset_rental_option_id"):
            value = fields.get(key, metadata.get(key))
            entry[key] = int(value) if value is not None and str(value).isdigit() else None
    elif kind == "currency":
        currency = currencies.get(tx, game_id, entity_id)
        if currency is None:
            raise errors.not_found(f"No currency '{entity_id}' in this game.")
        entry["entity_id"] = currency["id"]
        entry["amount"] = _amount(fields, kind)
    else:
        progression = _progression(tx, game_id, entity_id)
        if progression is None:
            raise errors.not_found(f"No progression '{entity_id}' in this game.")
        entry["entity_id"] = progression["id"]
        if kind == "progression_points":
            entry["amount"] = _amount(fields, kind)
    return entry


def _store(tx: Tx, game_id: str, kind: str, entries: list[dict[str, Any]], fields: dict[str, Any]) -> Reward:
    now = ids.iso_now()
    reward: Reward = {
        "id": ids.ulid(),
        "game_id": game_id,
        "kind": kind,
        "name": str(fields.get("name") or ""),
        "description": str(fields.get("description") or ""),
        "associations": entries,
        "created_at": now,
        "updated_at": now,
    }
    tx.put(REWARDS, reward["id"], reward)
    return reward


def create(tx: Tx, game_id: str, fields: dict[str, Any]) -> Reward:
    """A single reward: `{entity_kind, entity_id, amount? | metadata?: [{key, value}]}`."""
    entry = _entry(tx, game_id, fields)
    return _store(tx, game_id, entry["kind"], [entry], fields)


def create_group(tx: Tx, game_id: str, fields: dict[str, Any]) -> Reward:
    """A group: `{name, description, associations: [{entity_kind, entity_id, metadata?}]}`; an association of
    kind "reward" names an existing single reward by id."""
    entries = []
    for association in fields.get("associations") or []:
        if association.get("entity_kind") == "reward":
            named = get(tx, game_id, str(association.get("entity_id") or ""))
            if named is None:
                raise errors.not_found(f"No reward '{association.get('entity_id')}' in this game.")
            if named["kind"] == "group":
                raise errors.invalid("associations", "a group cannot contain another group")
            entries.extend(dict(e) for e in named["associations"])
        elif association.get("entity_kind") == "group":
            raise errors.invalid("associations", "a group cannot contain another group")
        else:
            entries.append(_entry(tx, game_id, association))
    if not entries:
        raise errors.missing("associations")
    if not str(fields.get("name") or "").strip():
        raise errors.missing("name")
    return _store(tx, game_id, "group", entries, fields)


def get(tx: Tx, game_id: str, reward_id: str) -> Reward | None:
    """A reward of this game by id (None when absent or another game's)."""
    reward = tx.get(REWARDS, reward_id.strip().upper()) if reward_id.strip() else None
    return reward if reward is not None and reward["game_id"] == game_id else None


def view(reward: Reward) -> dict[str, Any]:
    """A reward as the Admin API answers it (the SDK's utilities read `id`)."""
    return {
        "id": reward["id"],
        "kind": reward["kind"],
        "name": reward["name"],
        "description": reward["description"],
        "associations": [
            {"entity_kind": e["kind"], **{k: v for k, v in e.items() if k != "kind"}} for e in reward["associations"]
        ],
        "created_at": reward["created_at"],
        "updated_at": reward["updated_at"],
    }


# -- handing out -------------------------------------------------------------------------------------------------
def available(tx: Tx, game_id: str, reward: Reward) -> bool:
    """Whether every entity of the reward still exists (checked before granting, so a missing one changes nothing)."""
    for entry in reward["associations"]:
        if entry["kind"] == "asset":
            found: Any = inventory.find_asset(tx, game_id, entry["entity_id"])
        elif entry["kind"] == "currency":
            found = currencies.get(tx, game_id, entry["entity_id"])
        else:
            found = _progression(tx, game_id, entry["entity_id"])
        if found is None:
            return False
    return True


def _asset_details(asset: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": asset.get("name") or "",
        "thumbnail": asset.get("thumbnail"),
        "variation_name": None,
        "rental_option_name": None,
        "variation_id": entry.get("asset_variation_id"),
        "rental_option_id": entry.get("asset_rental_option_id"),
        "legacy_id": int(asset["asset_id"]),
        "id": asset["ulid"],
    }


def _progression_points(tx: Tx, game_id: str, player_id: str, progression_id: str, amount: int) -> None:
    # The Game API's own rules (progressions.py): points never below 0, crossed tiers award their rewards.
    game = tx.get(GAMES, game_id) or {}
    target = _progression(tx, game_id, progression_id)
    assert target is not None  # checked by available()
    held = progressions._held(tx, player_id, target) or progressions._new(player_id, target)
    crossed = progressions._set_points(tx, target, held, held["points"] + amount)
    progressions._apply_rewards(tx, game, player_id, crossed)


def _progression_reset(tx: Tx, game_id: str, player_id: str, progression_id: str) -> None:
    target = _progression(tx, game_id, progression_id)
    assert target is not None
    held = progressions._held(tx, player_id, target) or progressions._new(player_id, target)
    progressions._set_points(tx, target, held, 0)


def _grant_entry(
    tx: Tx, game_id: str, player: dict[str, Any], reward: Reward, entry: dict[str, Any], source: str
) -> dict[str, Any]:
    """Hand out one entity; its part of the notification body (the member named by its kind)."""
    kind, entity_id, now = entry["kind"], entry["entity_id"], ids.iso_now()
    if kind == "asset":
        instance = inventory.grant(
            tx,
            game_id,
            player["id"],
            entity_id,
            source,
            variation_id=entry.get("asset_variation_id"),
            rental_option_id=entry.get("asset_rental_option_id"),
        )
        asset = inventory.find_asset(tx, game_id, entity_id) or {}
        return {
            "created_at": now,
            "updated_at": now,
            "details": _asset_details(asset, entry),
            "asset_variation_id": entry.get("asset_variation_id"),
            "asset_rental_option_id": entry.get("asset_rental_option_id"),
            "asset_id": int(asset["asset_id"]),
            "reward_id": reward["id"],
            "asset_ulid": asset["ulid"],
            "asset_instance_ids": [int(instance["instance_id"])],
        }
    if kind == "currency":
        wallet = wallets.wallet_for_holder(tx, game_id, player["id"], "player", create=True)
        wallets.credit(tx, game_id, wallet["id"], entity_id, entry["amount"])
        currency = currencies.get(tx, game_id, entity_id) or {}
        return {
            "created_at": now,
            "updated_at": now,
            "amount": entry["amount"],
            "details": {
                "name": currency.get("name") or "",
                "code": currency.get("code") or "",
                "amount": entry["amount"],
                "id": entity_id,
            },
            "reward_id": reward["id"],
            "currency_id": entity_id,
        }
    progression = _progression(tx, game_id, entity_id) or {}
    details = {"key": progression.get("key") or "", "name": progression.get("name") or "", "id": entity_id}
    if kind == "progression_points":
        amount = int(entry["amount"])
        _progression_points(tx, game_id, player["id"], entity_id, amount)
        return {
            "created_at": now,
            "updated_at": now,
            "details": {**details, "amount": amount},
            "amount": amount,
            "progression_id": entity_id,
            "reward_id": reward["id"],
        }
    _progression_reset(tx, game_id, player["id"], entity_id)
    return {
        "created_at": now,
        "updated_at": now,
        "details": details,
        "progression_id": entity_id,
        "reward_id": reward["id"],
    }


def _body(kind: str, member: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, **{k: (member if k == kind else None) for k in BODY_KINDS}}


def grant(
    tx: Tx, game: dict[str, Any], player: dict[str, Any], reward: Reward, source: str = "reward"
) -> dict[str, Any]:
    """Hand the reward to the player (a player document of `game`) inside the caller's write transaction; the
    notification body that tells of it. `source` is the inventory grant's source ("trigger", "purchase", ...).
    Raises LootLocker's 404 when an entity is gone (callers check `available` first to answer otherwise)."""
    game_id = str(game["id"])
    if player.get("game_id") != game_id or reward["game_id"] != game_id:
        raise errors.not_found("No such reward for this player's game.")
    parts = [_grant_entry(tx, game_id, player, reward, e, source) for e in reward["associations"]]
    if reward["kind"] != "group":
        return _body(reward["kind"], parts[0])
    associations = []
    for entry, part in zip(reward["associations"], parts, strict=True):
        association: dict[str, Any] = {"kind": entry["kind"], **{k: None for k in KINDS}}
        if entry["kind"] == "asset":
            # Each nested asset carries its own instance ids (NotificationRequests.cs).
            association["asset"] = {**part["details"], "asset_instance_ids": part["asset_instance_ids"]}
        elif entry["kind"] == "currency":
            association["currency"] = part["details"]
        else:
            association[entry["kind"]] = part
        associations.append(association)
    group = {
        "created_at": reward["created_at"],
        "name": reward["name"],
        "description": reward["description"],
        "associations": associations,
        "reward_id": reward["id"],
    }
    return _body("group", group)


def notify(
    tx: Tx, game_id: str, player: dict[str, Any], body: dict[str, Any], source: str, context: dict[str, str]
) -> dict[str, Any]:
    """Store the "pull.reward.acquired" notification of a grant (priority medium, as LootLocker sends them)."""
    return notifications.create(
        tx,
        game_id,
        player,
        {
            "notification_type": NOTIFICATION_TYPE,
            "priority": "medium",
            "source": source,
            "content": body,
            "properties": [{"key": k, "value": v} for k, v in context.items()],
        },
    )


def player_of(tx: Tx, player_id: str) -> dict[str, Any]:
    player = tx.get(PLAYERS, player_id)
    if player is None:
        raise errors.not_found("No such player.")
    return player
