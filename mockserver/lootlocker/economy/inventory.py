"""A player's inventory: asset instances granted by the Admin API, purchases, rewards, loot boxes and the Game API's
own grant call; each grant is also a grant notification until the player checks them
(`GET /game/v1/player/notification/assets`).

An instance is `{id, instance_id, ulid, game_id, player_id, asset_id, asset_ulid, variation_id, rental_option_id,
source, acquisition_source, acquisition_date, storage: [{id, key, value}], notified}`; its integer id comes from a
global sequence (LootLocker's instance ids are integers, unique across games).
"""

from __future__ import annotations

from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids, sequences
from ..collections import ASSET_FAVOURITES, ASSET_INSTANCES, ASSETS
from ..pagination import page_of
from . import assets

Instance = dict[str, Any]
DEFAULT_COUNT = 50  # legacy list: instances per call when `count` is left out (LootLocker does not say)
MAX_COUNT = 200
MAX_PER_PAGE = 100  # the simplified list: the SDK asks 100 per page when not told otherwise

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


def owned(tx: Tx, player_ulid: str, instance_id: Any) -> Instance:
    """One of the player's instances by integer id; another player's (or game's) is answered 404 like an unknown."""
    text = str(instance_id).strip()
    instance = tx.get(ASSET_INSTANCES, str(int(text))) if text.isdigit() else None
    if instance is None or instance["player_id"] != player_ulid:
        raise errors.not_found(f"Asset instance {instance_id} not found in your inventory.")
    return instance


def of_player(tx: Tx, player_ulid: str) -> list[Instance]:
    """The player's instances, oldest first (integer order; the store orders ids as text)."""
    return sorted(tx.find(ASSET_INSTANCES, player_id=player_ulid), key=lambda i: i["instance_id"])


def _asset_of(tx: Tx, instance: Instance) -> dict[str, Any] | None:
    return tx.get(ASSETS, str(instance["asset_id"]))


def _rental(asset: dict[str, Any] | None, instance: Instance) -> dict[str, Any]:
    option = assets.rental_option(asset, instance.get("rental_option_id"))
    if option is None:
        return {"is_rental": False, "time_left": None, "duration": None, "is_active": None}
    left = assets.rental_time_left(option, instance)
    return {
        "is_rental": True,
        "time_left": None if left is None else str(left),
        "duration": str(option["duration"]),
        "is_active": "true" if instance.get("activated_at") is not None and (left or 0) > 0 else "false",
    }


def entry(tx: Tx, instance: Instance) -> dict[str, Any]:
    """An instance as the legacy inventory list and the grant notifications show it."""
    asset = _asset_of(tx, instance)
    return {
        "instance_id": instance["instance_id"],
        "variation_id": instance["variation_id"],
        "rental_option_id": None if instance["rental_option_id"] is None else str(instance["rental_option_id"]),
        "acquisition_source": instance["acquisition_source"],
        "acquisition_date": instance["acquisition_date"],
        "asset": assets.common(tx, asset) if asset is not None else None,
        "rental": _rental(asset, instance),
    }


def legacy_list(store: Store, player_ulid: str, query: dict[str, str]) -> dict[str, Any]:
    tx = store.read()
    after = int(query["after"]) if query.get("after") else 0
    count = min(int(query["count"]), MAX_COUNT) if query.get("count") else DEFAULT_COUNT
    found = [i for i in of_player(tx, player_ulid) if i["instance_id"] > after][: count or DEFAULT_COUNT]
    return {"inventory": [entry(tx, i) for i in found]}


def simplified(store: Store, game_id: str, player_ulid: str, query: dict[str, str], body: dict[str, Any]) -> Any:
    tx = store.read()
    filters = body.get("filters") or {}
    asset_ids = {int(i) for i in filters.get("asset_ids") or []}
    context_ids = {int(i) for i in filters.get("context_ids") or []}
    include = (body.get("includes") or {}).get("metadata")
    keys = None
    if isinstance(include, dict) and include.get("keys") and not include.get("all"):
        keys = [str(k) for k in include["keys"]]
    rows = []
    for instance in of_player(tx, player_ulid):
        asset = _asset_of(tx, instance)
        if asset is None:
            continue
        if asset_ids and asset["asset_id"] not in asset_ids:
            continue
        if context_ids and asset["context_id"] not in context_ids:
            continue
        rows.append((instance, asset))
    per_page = min(int(query.get("per_page") or 0) or MAX_PER_PAGE, MAX_PER_PAGE)
    page = int(query.get("page") or 0) or 1
    shown, pagination = page_of(rows, page, per_page)
    items = []
    for instance, asset in shown:
        item = {
            "asset_id": asset["asset_id"],
            "asset_ulid": asset["ulid"],
            "asset_name": asset["name"],
            "instance_id": instance["instance_id"],
            "ulid": instance["ulid"],
            "acquisition_source": instance["acquisition_source"],
            "acquisition_date": instance["acquisition_date"],
        }
        if isinstance(include, dict):
            item["metadata"] = assets.metadata_of(tx, game_id, asset, keys)
        items.append(item)
    return {"items": items, "pagination": pagination}


def universal(store: Store, game_id: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """Universal (global) assets: active assets the Admin API marked `global`, which every player has without a
    grant; `universal_id` is the asset's id (one entry per asset, a documented choice), `count` after `after`."""
    tx = store.read()
    after = int(query["after"]) if query.get("after") else 0
    count = min(int(query["count"]), MAX_COUNT) if query.get("count") else DEFAULT_COUNT
    found = [a for a in assets.game_assets(tx, game_id) if a.get("global") and a["asset_id"] > after]
    return [
        {
            "universal_id": a["asset_id"],
            "variation_id": None,
            "rental_option_id": None,
            "acquisition_source": "grant_universal",
            "asset": assets.common(tx, a),
            "rental": None,
        }
        for a in found[: count or DEFAULT_COUNT]
    ]


def grant_view(instance: Instance) -> dict[str, Any]:
    return {
        "id": instance["instance_id"],
        "asset_id": instance["asset_id"],
        "asset_ulid": instance["asset_ulid"],
        "asset_variation_id": instance["variation_id"],
        "asset_rental_option_id": instance["rental_option_id"],
        "acquisition_source": instance["acquisition_source"],
        "acquisition_date": instance["acquisition_date"],
    }


def check_grants(store: Store, player_ulid: str) -> list[dict[str, Any]]:
    """The grants the player was not yet told of (oldest first); telling marks them told."""
    with store.write() as tx:
        fresh = [i for i in of_player(tx, player_ulid) if not i.get("notified")]
        shown = []
        for instance in fresh:
            view = entry(tx, instance)
            shown.append({k: view[k] for k in ("instance_id", "variation_id", "acquisition_source", "asset")})
            instance["notified"] = True
            tx.put(ASSET_INSTANCES, instance["id"], instance)
        return shown


def check_deactivations(store: Store, player_ulid: str) -> list[dict[str, Any]]:
    """Rentals that ran out since the player last asked (each told once)."""
    with store.write() as tx:
        shown = []
        for instance in of_player(tx, player_ulid):
            asset = _asset_of(tx, instance)
            option = assets.rental_option(asset, instance.get("rental_option_id"))
            if option is None or instance.get("deactivation_notified") or instance.get("activated_at") is None:
                continue
            if (assets.rental_time_left(option, instance) or 0) > 0:
                continue
            view = entry(tx, instance)
            shown.append({k: view[k] for k in ("instance_id", "variation_id", "acquisition_source", "asset")})
            instance["deactivation_notified"] = True
            tx.put(ASSET_INSTANCES, instance["id"], instance)
        return shown


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def game_grant(call: Call) -> Reply:
        body = call.body
        with store.write() as tx:
            asset = assets.get(tx, game_id(call), body["asset_id"])
            if asset is None or not asset["active"]:
                raise errors.not_found(f"Asset {body['asset_id']} not found.")
            option = body.get("asset_rental_option_id")
            if option is not None and assets.rental_option(asset, option) is None:
                raise errors.invalid(
                    "asset_rental_option_id", f"asset {asset['asset_id']} has no rental option {option}"
                )
            made = grant(
                tx,
                game_id(call),
                player(call),
                asset["asset_id"],
                "game_api",
                variation_id=body.get("asset_variation_id"),
                rental_option_id=option,
            )
        return Reply(200, grant_view(made))

    def delete(call: Call) -> Reply:
        with store.write() as tx:
            instance = owned(tx, player(call), call.path["instance_id"])
            tx.delete(ASSET_INSTANCES, instance["id"])
        return Reply(204)

    def activate(call: Call) -> Reply:
        with store.write() as tx:
            instance = owned(tx, player(call), call.path["instance_id"])
            option = assets.rental_option(_asset_of(tx, instance), instance.get("rental_option_id"))
            if option is None:
                raise errors.invalid("instance_id", f"asset instance {instance['instance_id']} is not a rental")
            if instance.get("activated_at") is None:
                instance["activated_at"] = ids.epoch_now()
                tx.put(ASSET_INSTANCES, instance["id"], instance)
            left = assets.rental_time_left(option, instance) or 0
        return Reply(200, {"time_left": left})

    def dlcs(call: Call) -> Reply:
        # Offline there is no platform account to migrate DLCs from: nothing is ever migrated.
        return Reply(200, {"dlcs": []})

    return {
        "listInventory": lambda call: Reply(200, legacy_list(store, player(call), call.query)),
        "listSimplifiedInventory": lambda call: Reply(
            200, simplified(store, game_id(call), player(call), call.query, call.body or {})
        ),
        "grantAssetToInventory": game_grant,
        "deleteInventoryInstance": delete,
        "deleteInventoryInstanceByPost": delete,
        "activateRentalAsset": activate,
        "checkGrantNotifications": lambda call: Reply(200, {"objects": check_grants(store, player(call))}),
        "checkDeactivationNotifications": lambda call: Reply(
            200, {"objects": check_deactivations(store, player(call))}
        ),
        "migrateDlcs": lambda call: Reply(204),
        "listDlcs": dlcs,
        "listUniversalAssets": lambda call: Reply(200, {"global_assets": universal(store, game_id(call), call.query)}),
    }


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """For the player's deletion: their asset instances (with their storage) and favourites."""
    tx.delete_where(ASSET_INSTANCES, player_id=player_id)
    tx.delete_where(ASSET_FAVOURITES, player_id=player_id)
