"""Assets through the Admin API, as the Unity SDK's test set-up makes them (LootLockerTestConfigurationAsset.cs):
contexts, create, get, update (the whole asset object, storage included), activate, data entities, bulk filter
edits, and inventory grants to a player (by legacy id). Rules: mockserver/lootlocker/economy/assets.py.

The create answer is compact JSON beginning `{"success":true,"asset":` with `"storage":[]` in it: the SDK's
AssetTests edit that text and send it back as the update.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Tx
from .. import errors, ids
from ..collections import ASSETS
from ..economy import assets, inventory
from ..players import Players

if TYPE_CHECKING:
    from .routes import Admin

FILTER_ACTIONS = ("set", "add", "remove")


def view(tx: Tx, asset: assets.Asset) -> dict[str, Any]:
    context = assets.find_context(tx, asset["game_id"], asset["context_id"])
    return {
        **assets.common(tx, asset),
        "global": bool(asset.get("global")),
        "contexts": [{"id": context["id"], "name": context["name"]}] if context else [],
    }


def _asset(tx: Tx, game_id: str, asset_id: Any, param: str = "asset_id") -> assets.Asset:
    asset = assets.get(tx, game_id, asset_id)
    if asset is None:
        raise errors.not_found(f"No asset {asset_id} in this game ({param}).")
    return asset


def _filters(items: Any) -> list[dict[str, str]]:
    """`[{key|name, value}]` as the asset's `[{name, value}]` (one value per name: a later one replaces)."""
    unique: dict[str, str] = {}
    for item in items or []:
        name = item.get("key", item.get("name")) if isinstance(item, dict) else None
        if name is not None:
            unique[str(name)] = "" if item.get("value") is None else str(item["value"])
    return [{"name": k, "value": v} for k, v in unique.items()]


def _contents(items: Any) -> list[dict[str, Any]]:
    made = []
    for item in items or []:
        made.append(
            {
                "asset_id": int(item["asset_id"]),
                "asset_variation_id": item.get("asset_variation_id"),
                "asset_rental_option_id": item.get("asset_rental_option_id"),
                "weight": 1 if item.get("weight") is None else int(item["weight"]),
            }
        )
    return made


def update(tx: Tx, asset: assets.Asset, body: dict[str, Any]) -> None:
    """Apply what the update body names; what it leaves out (or shows read-only, like `id`) stays."""
    if body.get("name") is not None:
        asset["name"] = str(body["name"])
    if body.get("description") is not None:
        asset["description"] = str(body["description"])
    if body.get("context_id") is not None and body["context_id"] != asset["context_id"]:
        if assets.find_context(tx, asset["game_id"], body["context_id"]) is None:
            raise errors.invalid("context_id", f"no context {body['context_id']} in this game")
        asset["context_id"] = int(body["context_id"])
    # `active` is not applied: activation is its own call, and the SDK sends back the create answer's `false`.
    for flag in ("purchasable", "global"):
        if isinstance(body.get(flag), bool):
            asset[flag] = body[flag]
    if body.get("price") is not None:
        asset["price"] = int(body["price"])
    if "storage" in body:
        asset["storage"] = assets.storage_pairs(body["storage"])
    if "filters" in body:
        asset["filters"] = _filters(body["filters"])
    if "rental_options" in body:
        asset["rental_options"] = assets.rental_options(body["rental_options"])
    if "loot_box_contents" in body:
        contents = body["loot_box_contents"]
        for item in contents or []:
            _asset(tx, asset["game_id"], item["asset_id"], "loot_box_contents")
        asset["loot_box_contents"] = None if contents is None else _contents(contents)
    if "drop_table" in body:
        drops = body["drop_table"]
        for item in drops or []:
            _asset(tx, asset["game_id"], item["asset_id"], "drop_table")
        asset["drop_table"] = None if drops is None else [_drop(item) for item in drops]
    asset["updated_at"] = ids.iso_now()
    tx.put(ASSETS, asset["id"], asset)


def _drop(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "asset_id": int(item["asset_id"]),
        "asset_variation_id": item.get("asset_variation_id"),
        "asset_rental_option_id": item.get("asset_rental_option_id"),
        "chance": float(100 if item.get("chance") is None else item["chance"]),
        "tag": item.get("tag"),
    }


def handlers(admin: Admin) -> dict[str, Handler]:
    store = admin.store

    game_id = admin.game_id

    def contexts(call: Call) -> Reply:
        shown = [{k: c[k] for k in ("id", "uuid", "name")} for c in assets.contexts(store, game_id(call))]
        return Reply(200, {"contexts": shown})

    def create(call: Call) -> Reply:
        assets.contexts(store, game_id(call))  # the default context exists before an asset names it
        with store.write() as tx:
            made = assets.create(tx, game_id(call), call.body["context_id"], str(call.body["name"]))
            return Reply(200, {"success": True, "asset": view(tx, made)})

    def get(call: Call) -> Reply:
        tx = store.read()
        return Reply(200, {"asset": view(tx, _asset(tx, game_id(call), call.path["asset_id"]))})

    def patch(call: Call) -> Reply:
        with store.write() as tx:
            asset = _asset(tx, game_id(call), call.path["asset_id"])
            update(tx, asset, call.body)
            return Reply(200, {"success": True, "asset": view(tx, asset)})

    def activate(call: Call) -> Reply:
        with store.write() as tx:
            asset = _asset(tx, game_id(call), call.path["asset_id"])
            asset["active"] = True
            asset["updated_at"] = ids.iso_now()
            tx.put(ASSETS, asset["id"], asset)
        return Reply(200, {"success": True})

    def data_entity(call: Call) -> Reply:
        body = call.body
        with store.write() as tx:
            asset = _asset(tx, game_id(call), body["asset_id"])
            entity = {
                "id": max((d["id"] for d in asset["data_entities"]), default=0) + 1,
                "name": str(body["name"]),
                "data": str(body["data"]),
                "updated_at": ids.iso_now(),
            }
            asset["data_entities"].append(entity)
            tx.put(ASSETS, asset["id"], asset)
        return Reply(200, entity)

    def bulk_filters(call: Call) -> Reply:
        with store.write() as tx:
            for edit in call.body:
                action = edit.get("action") or "set"
                if action not in FILTER_ACTIONS:
                    raise errors.invalid("action", f"must be one of {', '.join(FILTER_ACTIONS)}")
                given = _filters(edit.get("filters"))
                for asset_id in edit.get("asset_ids") or []:
                    asset = _asset(tx, game_id(call), asset_id, "asset_ids")
                    if action == "set":
                        asset["filters"] = given
                    elif action == "add":
                        asset["filters"] = _filters([*asset["filters"], *given])
                    else:
                        gone = {f["name"] for f in given}
                        asset["filters"] = [f for f in asset["filters"] if f["name"] not in gone]
                    asset["updated_at"] = ids.iso_now()
                    tx.put(ASSETS, asset["id"], asset)
        return Reply(200, {"success": True})

    def grant(call: Call) -> Reply:
        game = game_id(call)
        with store.write() as tx:
            player = Players.find(tx, game, call.path["player_id"], "legacy")
            if player is None:
                raise errors.not_found(f"No player {call.path['player_id']} in this game.")
            asset = _asset(tx, game, call.body["asset_id"])
            made = inventory.grant(tx, game, player["id"], asset["asset_id"], "admin")
        return Reply(200, inventory.grant_view(made))

    return {
        "adminListAssetContexts": contexts,
        "adminCreateAsset": create,
        "adminGetAsset": get,
        "adminUpdateAsset": patch,
        "adminActivateAsset": activate,
        "adminCreateDataEntity": data_entity,
        "adminBulkEditAssetFilters": bulk_filters,
        "adminGrantInventoryAsset": grant,
    }
