"""Assets and their contexts: created through the Admin API (mockserver/lootlocker/admin/assets.py), listed by
players through the Game API's legacy lists (`count`/`after`), by ids, the simplified list (`artful-alpaca`:
includes, filters, ordering, page pagination) and favourites.

A context is `{id, asset_context: true, uuid, name, friendly_name, detachable, user_facing, dependent_asset_id,
max_equip_count, game_id}`; every game has one context from the start (LootLocker games come with one; the SDK's
set-up takes `contexts[0]`). An asset is `{id, asset_id, uuid, ulid, game_id, name, context_id, active,
purchasable, price, description, storage: [{id, key, value}], filters: [{name, value}], data_entities: [{id, name,
data, updated_at}], loot_box_contents: [...] | None, created_at, updated_at}`; integer ids come from global
sequences (LootLocker's ids are unique across games). Only active (activated) assets are listed to players.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids, sequences
from ..collections import ASSET_CONTEXTS, ASSET_FAVOURITES, ASSETS, PLAYERS
from ..pagination import page_of

Asset = dict[str, Any]
DEFAULT_CONTEXT = "Default"
DEFAULT_COUNT = 50  # legacy list: assets per call when `count` is left out (LootLocker does not say)
MAX_COUNT = 200
DEFAULT_PER_PAGE = 20  # simplified list: per page when left out or 0 (a documented choice)
MAX_PER_PAGE = 200
ORDERS = ("id", "name", "created_at", "updated_at")
# `filter=` values of the legacy list (the SDK's AssetFilter names; `!` negates).
LEGACY_FILTERS = {"purchasable": "purchasable", "rentable": "rentable", "popular": "popular"}


# -- contexts ---------------------------------------------------------------------------------------------------


def _new_context(tx: Tx, game_id: str, name: str) -> dict[str, Any]:
    number = sequences.next_value(tx, "asset-contexts")
    context = {
        "id": number,
        "uuid": str(uuid.uuid4()),
        "name": name,
        "friendly_name": name,
        "detachable": True,
        "user_facing": True,
        "dependent_asset_id": None,
        "max_equip_count": 1,
        "game_id": str(game_id),
    }
    tx.put(ASSET_CONTEXTS, str(number), context)
    return context


def contexts(store: Store, game_id: str) -> list[dict[str, Any]]:
    """The game's contexts, ordered by id; the default one is created on first use."""
    found = store.read().find(ASSET_CONTEXTS, game_id=str(game_id))
    if not found:
        with store.write() as tx:
            found = tx.find(ASSET_CONTEXTS, game_id=str(game_id)) or [_new_context(tx, game_id, DEFAULT_CONTEXT)]
    return sorted(found, key=lambda c: int(c["id"]))


def context_view(context: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in context.items() if k != "game_id"}


def find_context(tx: Tx, game_id: str, context_id: Any) -> dict[str, Any] | None:
    context = tx.get(ASSET_CONTEXTS, str(context_id))
    return context if context is not None and context["game_id"] == str(game_id) else None


# -- assets -----------------------------------------------------------------------------------------------------


def create(tx: Tx, game_id: str, context_id: Any, name: str) -> Asset:
    context = find_context(tx, game_id, context_id)
    if context is None:
        raise errors.invalid("context_id", f"no context {context_id} in this game")
    number = sequences.next_value(tx, "assets")
    now = ids.iso_now()
    asset: Asset = {
        "id": str(number),
        "asset_id": number,
        "uuid": str(uuid.uuid4()),
        "ulid": ids.ulid(),
        "game_id": str(game_id),
        "name": name,
        "context_id": context["id"],
        "active": False,
        "purchasable": False,
        "price": 0,
        "description": "",
        "storage": [],
        "filters": [],
        "data_entities": [],
        "loot_box_contents": None,
        "rental_options": [],
        "created_at": now,
        "updated_at": now,
    }
    tx.put(ASSETS, asset["id"], asset)
    return asset


def get(tx: Tx, game_id: str, asset_id: Any) -> Asset | None:
    """An asset of the game by integer id (None when absent or another game's)."""
    text = str(asset_id).strip()
    if not text.isdigit():
        return None
    asset = tx.get(ASSETS, str(int(text)))
    return asset if asset is not None and asset["game_id"] == str(game_id) else None


def game_assets(tx: Tx, game_id: str, active_only: bool = True) -> list[Asset]:
    """The game's assets in id order (integer order: the store orders ids as text)."""
    found = tx.find(ASSETS, game_id=str(game_id))
    return sorted((a for a in found if a["active"] or not active_only), key=lambda a: a["asset_id"])


def storage_pairs(pairs: Any) -> list[dict[str, Any]]:
    """`[{key, value}]` as stored pairs with ids 1..n (the order kept; a later duplicate key replaces)."""
    unique: dict[str, str] = {}
    for pair in pairs or []:
        if isinstance(pair, dict) and pair.get("key") is not None:
            unique[str(pair["key"])] = "" if pair.get("value") is None else str(pair["value"])
    return [{"id": i, "key": k, "value": v} for i, (k, v) in enumerate(unique.items(), start=1)]


def _context_name(tx: Tx, asset: Asset) -> str:
    context = tx.get(ASSET_CONTEXTS, str(asset["context_id"]))
    return context["name"] if context else DEFAULT_CONTEXT


def common(tx: Tx, asset: Asset) -> dict[str, Any]:
    """LootLocker's common asset (the legacy lists, inventory entries, the Admin API's asset)."""
    return {
        "id": asset["asset_id"],
        "uuid": asset["uuid"],
        "ulid": asset["ulid"],
        "name": asset["name"],
        "active": asset["active"],
        "purchasable": asset["purchasable"],
        "type": "loot_box" if asset.get("loot_box_contents") is not None else "asset",
        "price": asset["price"],
        "sales_price": None,
        "display_price": None,
        "context": _context_name(tx, asset),
        "context_id": asset["context_id"],
        "unlocks_context": None,
        "detachable": True,
        "updated": asset["updated_at"],
        "marked_new": None,
        "default_variation_id": None,
        "description": asset["description"],
        "links": {},
        "storage": [dict(p) for p in asset["storage"]],
        "rarity": None,
        "popular": False,
        "popularity_score": 0,
        "unique_instance": False,
        "rental_options": [dict(o) for o in asset.get("rental_options") or []],
        "filters": [dict(f) for f in asset["filters"]],
        "variations": [],
        "featured": False,
        "context_locked": False,
        "initially_purchasable": asset["purchasable"],
        "files": [{"url": f["url"], "tags": list(f.get("tags") or [])} for f in asset.get("ugc_files") or []],
        "asset_candidate": _candidate(tx, asset),
        "data_entities": [],
    }


def _author(tx: Tx, asset: Asset) -> dict[str, Any] | None:
    """The player who made a UGC asset (economy's `ugc_author`, set by mockserver/lootlocker/ugc.py)."""
    ulid = asset.get("ugc_author")
    return tx.get(PLAYERS, ulid) if ulid else None


def _candidate(tx: Tx, asset: Asset) -> dict[str, Any] | None:
    author = _author(tx, asset)
    if author is None:
        return None
    return {"created_by_player_id": author["legacy_id"], "created_by_player_uid": author["public_uid"]}


def metadata_of(tx: Tx, game_id: str, asset: Asset, keys: list[str] | None = None) -> list[dict[str, Any]]:
    """The asset's Game-API-readable metadata entries (source `asset`, id = the asset's ULID; all of them when
    `keys` is empty), as the metadata feature stores them."""
    from .. import metadata  # the metadata feature (LL-CONTENT's module) imports nothing of ours

    return list(metadata.entries(tx, str(game_id), "asset", asset["ulid"], keys))


def rental_options(options: Any) -> list[dict[str, Any]]:
    """Rental options as the Admin API sets them (`[{name, duration (seconds), price}]`), ids 1..n."""
    made = []
    for number, option in enumerate(options or [], start=1):
        if isinstance(option, dict) and int(option.get("duration") or 0) > 0:
            made.append(
                {
                    "id": number,
                    "name": str(option.get("name") or f"{int(option['duration'])} seconds"),
                    "duration": int(option["duration"]),
                    "price": int(option.get("price") or 0),
                    "sales_price": None,
                    "links": None,
                }
            )
    return made


def rental_option(asset: Asset | None, option_id: Any) -> dict[str, Any] | None:
    if asset is None or option_id is None:
        return None
    return next((o for o in asset.get("rental_options") or [] if str(o["id"]) == str(option_id)), None)


def rental_time_left(option: dict[str, Any], instance: dict[str, Any]) -> int | None:
    """Seconds left of a rental: its whole duration until activated, then counting down to 0."""
    started = instance.get("activated_at")
    if started is None:
        return int(option["duration"])
    return max(0, int(option["duration"] - (ids.epoch_now() - float(started))))


# -- Game API: legacy lists -------------------------------------------------------------------------------------


def _legacy_keep(query: dict[str, str]) -> Any:
    """The legacy list's filters: `filter` (purchasable, !purchasable, rentable, popular...), `context_id`,
    `asset_filters` (`k=v;k2=v2`: every pair must match); players' UGC assets only with `include_ugc=true` or
    `ugc_creator_player_id` (that player's, by legacy id)."""
    wanted: list[tuple[str, bool]] = []
    for name in (query.get("filter") or "").split(","):
        name = name.strip()
        if name:
            negate = name.startswith("!") or name.startswith("non")
            wanted.append((name.lstrip("!").removeprefix("non"), not negate))
    context = query.get("context_id") or ""
    pairs = []
    for part in (query.get("asset_filters") or "").split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            pairs.append((key.strip(), value.strip()))

    include_ugc = (query.get("include_ugc") or "").lower() == "true"
    creator = int(query["ugc_creator_player_id"]) if query.get("ugc_creator_player_id") else 0

    def keep(asset: Asset, author: dict[str, Any] | None) -> bool:
        if creator and (author is None or author["legacy_id"] != creator):
            return False
        if author is not None and not (include_ugc or creator):
            return False
        flags = {"purchasable": asset["purchasable"], "rentable": bool(asset.get("rental_options")), "popular": False}
        if any(flags.get(name, False) != want for name, want in wanted):
            return False
        if context and str(asset["context_id"]) != context:
            return False
        filters = {(f["name"], f["value"]) for f in asset["filters"]}
        return all(pair in filters for pair in pairs)

    return keep


def legacy_list(store: Store, game_id: str, query: dict[str, str]) -> dict[str, Any]:
    tx = store.read()
    keep = _legacy_keep(query)
    after = int(query["after"]) if query.get("after") else 0
    count = min(int(query["count"]), MAX_COUNT) if query.get("count") else DEFAULT_COUNT
    found = [a for a in game_assets(tx, game_id) if a["asset_id"] > after and keep(a, _author(tx, a))]
    found = found[: count or DEFAULT_COUNT]
    return {"assets": [common(tx, a) for a in found]}


def by_ids(store: Store, game_id: str, text: str) -> list[dict[str, Any]]:
    """Active assets of the game named by a comma-separated id list, in the order asked (unknown ids left out)."""
    tx = store.read()
    shown = []
    for part in dict.fromkeys(p.strip() for p in text.split(",")):
        asset = get(tx, game_id, part)
        if asset is not None and asset["active"]:
            shown.append(common(tx, asset))
    return shown


# -- Game API: the simplified list ------------------------------------------------------------------------------


def _flag(value: Any) -> bool:
    return value is True


def simplified(store: Store, game_id: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    tx = store.read()
    includes = body.get("includes") or {}
    filters = body.get("filters") or {}
    asset_ids = {int(i) for i in filters.get("asset_ids") or []}
    context_ids = {int(i) for i in filters.get("context_ids") or []}
    asset_filters = [
        (str(f.get("key")), {str(v) for v in f.get("values") or []}) for f in filters.get("asset_filters") or []
    ]
    found = []
    for asset in game_assets(tx, game_id):
        if _flag(filters.get("ugc_only")) and not asset.get("ugc_author"):
            continue
        if asset_ids and asset["asset_id"] not in asset_ids:
            continue
        if context_ids and asset["context_id"] not in context_ids:
            continue
        values: dict[str, set[str]] = {}
        for f in asset["filters"]:
            values.setdefault(f["name"], set()).add(f["value"])
        # Several values of one key match any of them; several keys must all match.
        if any(not (values.get(key, set()) & wanted) for key, wanted in asset_filters):
            continue
        found.append(asset)
    order = query.get("order_by") or ""
    if order:
        direction = query.get("order_direction") or "asc"
        keys = {
            "id": lambda a: a["asset_id"],
            "name": lambda a: (a["name"].casefold(), a["asset_id"]),
            "created_at": lambda a: (a["created_at"], a["asset_id"]),
            "updated_at": lambda a: (a["updated_at"], a["asset_id"]),
        }
        found.sort(key=keys[order], reverse=direction == "desc")
    per_page = int(query.get("per_page") or 0) or DEFAULT_PER_PAGE
    page = int(query.get("page") or 0) or 1
    shown, pagination = page_of(found, page, per_page)
    authors = not _flag((body.get("excludes") or {}).get("authors"))
    return {"assets": [_simple(tx, game_id, a, includes, authors) for a in shown], "pagination": pagination}


def _simple(tx: Tx, game_id: str, asset: Asset, includes: dict[str, Any], authors: bool) -> dict[str, Any]:
    author = _author(tx, asset) if authors else None
    files = asset.get("ugc_files") or [] if _flag(includes.get("files")) else []
    entry: dict[str, Any] = {
        "asset_id": asset["asset_id"],
        "asset_uuid": asset["uuid"],
        "asset_ulid": asset["ulid"],
        "asset_name": asset["name"],
        "context_id": asset["context_id"],
        "context_name": _context_name(tx, asset),
        "author": None
        if author is None
        else {
            "player_id": author["legacy_id"],
            "player_ulid": author["id"],
            "public_uid": author["public_uid"],
            "active_name": author.get("name") or "",
        },
        "storage": [dict(p) for p in asset["storage"]] if _flag(includes.get("storage")) else [],
        "files": [
            {
                "size": int(f.get("size") or 0),
                "name": str(f.get("name") or ""),
                "url": f["url"],
                "tags": f.get("tags") or [],
            }
            for f in files
        ],
        "data_entities": (
            [{"name": d["name"], "data": d["data"]} for d in asset["data_entities"]]
            if _flag(includes.get("data_entities"))
            else []
        ),
        "metadata": metadata_of(tx, game_id, asset) if _flag(includes.get("metadata")) else None,
    }
    return entry


# -- Game API: favourites ---------------------------------------------------------------------------------------


def favourites(tx: Tx, player_id: str) -> list[int]:
    return sorted(int(f["asset_id"]) for f in tx.find(ASSET_FAVOURITES, player_id=player_id))


def set_favourite(store: Store, game_id: str, player_id: str, asset_id: str, on: bool) -> list[dict[str, Any]]:
    """Add or remove a favourite (idempotent); answers the player's favourite assets."""
    with store.write() as tx:
        asset = get(tx, game_id, asset_id)
        if asset is None or not asset["active"]:
            raise errors.not_found(f"Asset {asset_id} not found.")
        key = f"{player_id}:{asset['asset_id']}"
        if on:
            tx.put(ASSET_FAVOURITES, key, {"id": key, "player_id": player_id, "asset_id": asset["asset_id"]})
        else:
            tx.delete(ASSET_FAVOURITES, key)
        shown = []
        for number in favourites(tx, player_id):
            favourite = get(tx, game_id, number)
            if favourite is not None:
                shown.append(common(tx, favourite))
        return shown


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def asset_information(call: Call) -> Reply:
        found = by_ids(store, game_id(call), call.path["asset_ids"])
        if not found:
            raise errors.not_found(f"No asset {call.path['asset_ids']} in this game.")
        # The Unity SDK reads one asset's fields at the top level, the reference lists them under `assets`.
        return Reply(200, {**found[0], "assets": found})

    return {
        "listAssetContexts": lambda call: Reply(
            200, {"contexts": [context_view(c) for c in contexts(store, game_id(call))]}
        ),
        "listAssets": lambda call: Reply(200, legacy_list(store, game_id(call), call.query)),
        "listAssetsById": lambda call: Reply(200, {"assets": by_ids(store, game_id(call), call.query["asset_ids"])}),
        "getAssetInformation": asset_information,
        "listSimplifiedAssets": lambda call: Reply(200, simplified(store, game_id(call), call.query, call.body or {})),
        "listFavouriteAssets": lambda call: Reply(200, {"favourites": favourites(store.read(), player(call))}),
        "addFavouriteAsset": lambda call: Reply(
            200, {"assets": set_favourite(store, game_id(call), player(call), call.path["asset_id"], True)}
        ),
        "removeFavouriteAsset": lambda call: Reply(
            200, {"assets": set_favourite(store, game_id(call), player(call), call.path["asset_id"], False)}
        ),
    }
