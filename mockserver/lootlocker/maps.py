"""Maps: the game's maps (each an asset of the game with its spawn points and their cameras), set with the Admin
API and listed to players by id (`GET /game/v1/maps`). Positions and rotations are strings, as LootLocker keeps
them (the game decides their format)."""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Tx
from . import errors
from .collections import MAPS
from .economy.inventory import find_asset
from .sequences import next_value


def _asset_id(tx: Tx, game_id: str, asset_id: Any) -> int:
    asset = find_asset(tx, game_id, asset_id)
    if asset is None:
        raise errors.not_found(f"No asset {asset_id} in this game.")
    return int(asset["asset_id"])


def create(tx: Tx, game_id: str, body: dict[str, Any]) -> dict[str, Any]:
    number = next_value(tx, "maps")
    spawn_points = [
        {
            "asset_id": _asset_id(tx, game_id, point["asset_id"]),
            "position": point.get("position") or "",
            "rotation": point.get("rotation") or "",
            "cameras": [
                {"position": c.get("position") or "", "rotation": c.get("rotation") or ""}
                for c in point.get("cameras") or []
            ],
            "player_access": point.get("player_access") is not False,
        }
        for point in body.get("spawn_points") or []
    ]
    stored = {
        "id": str(number),
        "game_id": game_id,
        "map_id": number,
        "asset_id": _asset_id(tx, game_id, body["asset_id"]),
        "spawn_points": spawn_points,
        "player_access": body.get("player_access") is not False,
    }
    tx.put(MAPS, stored["id"], stored)
    return view(stored)


def view(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: stored[k] for k in ("map_id", "asset_id", "spawn_points", "player_access")}


def listing(tx: Tx, game_id: str) -> list[dict[str, Any]]:
    return [view(m) for m in sorted(tx.find(MAPS, game_id=game_id), key=lambda m: m["map_id"])]


def handlers(store: Any) -> dict[str, Handler]:
    def list_maps(call: Call) -> Reply:
        return Reply(200, {"maps": listing(store.read(), str(call.context["game"]["id"]))})

    return {"listMaps": list_maps}
