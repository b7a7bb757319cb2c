"""A player's inventory: asset instances granted by the Admin API, purchases, rewards, loot boxes and the Game API's
own grant call; each grant is also a grant notification until the player checks them
(`GET /game/v1/player/notification/assets`).

An instance is `{id, instance_id, ulid, game_id, player_id, asset_id, asset_ulid, variation_id, rental_option_id,
source, acquisition_source, acquisition_date, storage: [{id, key, value}], notified}`; its integer id comes from a
global sequence (LootLocker's instance ids are integers, unique across games).
"""

from __future__ import annotations

from typing import Any

from ...store import Tx
from .. import errors, ids, sequences
from ..collections import ASSET_INSTANCES, ASSETS

Instance = dict[str, Any]

# `source` names who granted: "admin", "purchase", "reward", "game_api", "loot_box", "drop_table", ...;
# `acquisition_source` is what the player sees (LootLocker's "grant_*" / "purchase_*" values).
ACQUISITION = {
    "admin": "grant_admin",
    "game_api": "grant_game_api",
    "purchase": "purchase_catalog",
    "reward": "grant_reward",
    "trigger": "grant_trigger",
    "loot_box": "grant_loot_box",
    "drop_table": "grant_drop_table",
}


def find_asset(tx: Tx, game_id: str, asset_id: int | str) -> dict[str, Any] | None:
    """An asset of the game by integer id (int or digits) or by ULID; None when absent or another game's."""
    text = str(asset_id).strip()
    if text.isdigit():
        asset = tx.get(ASSETS, str(int(text)))
    else:
        found = tx.find(ASSETS, ulid=text.upper())
        asset = found[0] if found else None
    if asset is None or asset.get("deleted") or str(asset["game_id"]) != str(game_id):
        return None
    return asset


def grant(
    tx: Tx,
    game_id: str,
    player_ulid: str,
    asset_id: int | str,
    source: str,
    acquisition_source: str | None = None,
    *,
    variation_id: int | None = None,
    rental_option_id: int | None = None,
) -> Instance:
    """Put an instance of the asset (integer id or ULID) into the player's inventory, inside the caller's write
    transaction, and leave it as a grant notification. Raises LootLocker's 404 for an asset of no such game."""
    asset = find_asset(tx, game_id, asset_id)
    if asset is None:
        raise errors.not_found(f"Asset {asset_id} not found.")
    number = sequences.next_value(tx, "asset-instances")
    instance: Instance = {
        "id": str(number),
        "instance_id": number,
        "ulid": ids.ulid(),
        "game_id": str(game_id),
        "player_id": player_ulid,
        "asset_id": int(asset["asset_id"]),
        "asset_ulid": asset["ulid"],
        "variation_id": variation_id,
        "rental_option_id": rental_option_id,
        "source": source,
        "acquisition_source": acquisition_source or ACQUISITION.get(source, f"grant_{source}"),
        "acquisition_date": ids.iso_now(),
        "storage": [],
        "notified": False,
    }
    tx.put(ASSET_INSTANCES, instance["id"], instance)
    return instance
