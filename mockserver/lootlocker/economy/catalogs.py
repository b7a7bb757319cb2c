"""Catalogs: a game's shop windows. The Admin API creates a catalog (a unique key per environment), adds items that
sell one entity each (an asset, an amount of a currency, progression points, a progression reset, or a group
reward of several), toggles them purchasable, prices them (one price per currency) and publishes the catalog; the
Game API lists the catalogs, a published catalog's items by key (LootLocker's page pagination, with the entities'
details in side arrays keyed by (catalog_listing_id, id)), and items by id (details inlined; unpublished catalogs
too; unknown ids reported in `errors` inside a 200).

A catalog is `{id, game_id, name, key, created_at, deleted_at, published_at}`; an item (id = the Game API's
`catalog_listing_id`) is `{id, game_id, catalog_id, entity_kind, entity_id, amount, purchasable, non_refundable,
prices: [{price_id, currency_id, amount}], created_at, order}` where `amount` is the currency's `purchased_amount`
(decimal string) or the `progression_points_amount` (int) given as item metadata at creation.

Choices where LootLocker is silent: listing a catalog by key needs it published once (unknown or unpublished key →
404 whose message contains "catalog not found", as the SDK's test expects); later changes show at once; selling a
currency needs its Game API writes enabled (the SDK's test utilities say so); a price is an integer amount.
"""

from __future__ import annotations

import time
from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids, metadata
from ..collections import CATALOG_ITEMS, CATALOGS, CURRENCIES, GAMES, REWARDS
from ..pagination import page_of
from . import currencies, inventory, wallets

KINDS = ("asset", "currency", "progression_points", "progression_reset", "group")
DEFAULT_PER_PAGE = 50  # LootLocker does not document it; as the other page lists of the mock
MAX_PER_PAGE = 100
MAX_IDS = 100
AMOUNT_KEYS = {"currency": "purchased_amount", "progression_points": "progression_points_amount"}

Catalog = dict[str, Any]
Item = dict[str, Any]


# -- the Admin API's set-up ----------------------------------------------------------------------------------------
def catalog_view(catalog: Catalog) -> dict[str, Any]:
    return {
        "id": catalog["id"],
        "key": catalog["key"],
        "name": catalog["name"],
        "created_at": catalog["created_at"],
        "deleted_at": catalog["deleted_at"],
    }


def create_catalog(tx: Tx, game_id: str, name: str, key: str) -> Catalog:
    name, key = name.strip(), key.strip()
    if not key:
        raise errors.invalid("key", "it must not be empty")
    if not name:
        raise errors.invalid("name", "it must not be empty")
    if any(c["key"] == key and c["deleted_at"] is None for c in tx.find(CATALOGS, game_id=game_id)):
        raise errors.conflict(f"A catalog with the key '{key}' already exists in this game.")
    catalog: Catalog = {
        "id": ids.ulid(),
        "game_id": game_id,
        "name": name,
        "key": key,
        "created_at": ids.iso_now(),
        "deleted_at": None,
        "published_at": None,
        "order": time.time_ns(),
    }
    tx.put(CATALOGS, catalog["id"], catalog)
    return catalog


def get_catalog(tx: Tx, game_id: str, catalog_id: str) -> Catalog:
    catalog = tx.get(CATALOGS, str(catalog_id).strip().upper())
    if catalog is None or catalog["game_id"] != game_id or catalog["deleted_at"] is not None:
        raise errors.not_found("catalog not found")
    return catalog


def publish(tx: Tx, game_id: str, catalog_id: str) -> Catalog:
    catalog = get_catalog(tx, game_id, catalog_id)
    catalog["published_at"] = ids.iso_now()
    tx.put(CATALOGS, catalog["id"], catalog)
    return catalog


def progression(tx: Tx, game_id: str, progression_id: str) -> dict[str, Any] | None:
    game = tx.get(GAMES, game_id) or {}
    for found in game.get("progressions") or []:
        if progression_id in (found["id"], found["key"]):
            return dict(found)
    return None


def group(tx: Tx, game_id: str, reward_id: str) -> dict[str, Any] | None:
    """A group reward of the game (economy/rewards.py's documents)."""
    reward = tx.get(REWARDS, str(reward_id).strip().upper()) if str(reward_id).strip() else None
    if reward is None or reward["game_id"] != game_id or reward["kind"] != "group":
        return None
    return reward


def _metadata_amount(kind: str, fields: dict[str, Any]) -> str | None:
    key = AMOUNT_KEYS.get(kind)
    if key is None:
        return None
    given = {str(m.get("key")): m.get("value") for m in fields.get("metadata") or [] if isinstance(m, dict)}
    raw = fields.get("amount", given.get(key))
    if raw is None:
        raise errors.missing(f"metadata.{key}")
    return str(wallets.parse_amount(raw, f"metadata.{key}"))


def _entity(tx: Tx, game_id: str, kind: str, entity_id: str) -> str:
    """The entity's canonical id, once checked to exist in the game."""
    if kind == "asset":
        asset = inventory.find_asset(tx, game_id, entity_id)
        if asset is None:
            raise errors.not_found(f"No asset '{entity_id}' in this game.")
        return str(asset["ulid"])
    if kind == "currency":
        currency = currencies.get(tx, game_id, entity_id)
        if currency is None:
            raise errors.not_found(f"No currency '{entity_id}' in this game.")
        if not currency["game_api_writes_enabled"]:
            raise errors.invalid("entity_id", "a currency is sold only once its game API writes are enabled")
        return str(currency["id"])
    if kind == "group":
        reward = group(tx, game_id, entity_id)
        if reward is None:
            raise errors.not_found(f"No group reward '{entity_id}' in this game.")
        return str(reward["id"])
    found = progression(tx, game_id, entity_id)
    if found is None:
        raise errors.not_found(f"No progression '{entity_id}' in this game.")
    return str(found["id"])


def available(tx: Tx, game_id: str, item: Item) -> bool:
    """Whether everything the item sells still exists (checked before a purchase changes anything)."""
    if item["entity_kind"] != "group":
        parts = [{"kind": item["entity_kind"], "entity_id": item["entity_id"]}]
    else:
        reward = group(tx, game_id, item["entity_id"])
        if reward is None:
            return False
        parts = reward["associations"]
    for part in parts:
        kind, entity_id = part["kind"], part["entity_id"]
        if kind == "asset":
            found: Any = inventory.find_asset(tx, game_id, entity_id)
        elif kind == "currency":
            found = currencies.get(tx, game_id, entity_id)
        else:
            found = progression(tx, game_id, entity_id)
        if found is None:
            return False
    return True


def create_item(tx: Tx, game_id: str, fields: dict[str, Any]) -> Item:
    kind = str(fields["entity_kind"])
    if kind not in KINDS:
        raise errors.invalid("entity_kind", f"it must be one of {', '.join(KINDS)}")
    catalog = get_catalog(tx, game_id, str(fields["catalog_id"]))
    item: Item = {
        "id": ids.ulid(),
        "game_id": game_id,
        "catalog_id": catalog["id"],
        "entity_kind": kind,
        "entity_id": _entity(tx, game_id, kind, str(fields["entity_id"]).strip()),
        "amount": _metadata_amount(kind, fields),
        "purchasable": False,
        "non_refundable": bool(fields.get("non_refundable", False)),
        "prices": [],
        "created_at": ids.iso_now(),
        "order": time.time_ns(),
    }
    tx.put(CATALOG_ITEMS, item["id"], item)
    return item


def get_item(tx: Tx, game_id: str, item_id: str) -> Item | None:
    item = tx.get(CATALOG_ITEMS, str(item_id).strip().upper()) if str(item_id).strip() else None
    if item is None or item["game_id"] != game_id:
        return None
    catalog = tx.get(CATALOGS, item["catalog_id"])
    return item if catalog is not None and catalog["deleted_at"] is None else None


def _item(tx: Tx, game_id: str, item_id: str) -> Item:
    item = get_item(tx, game_id, item_id)
    if item is None:
        raise errors.not_found("No catalog item with that id in this game.")
    return item


def toggle_purchasable(tx: Tx, game_id: str, item_id: str) -> Item:
    item = _item(tx, game_id, item_id)
    item["purchasable"] = not item["purchasable"]
    tx.put(CATALOG_ITEMS, item["id"], item)
    return item


def set_price(tx: Tx, game_id: str, fields: dict[str, Any]) -> Item:
    """One price per currency: a new amount in a currency replaces the item's earlier one."""
    item = _item(tx, game_id, str(fields["catalog_item_id"]))
    currency = currencies.get(tx, game_id, str(fields["currency_id"]))
    if currency is None:
        raise errors.not_found("No currency with that id in this game.")
    amount = str(wallets.parse_amount(fields["amount"], allow_zero=True))
    prices = [p for p in item["prices"] if p["currency_id"] != currency["id"]]
    prices.append({"price_id": ids.ulid(), "currency_id": currency["id"], "amount": amount})
    item["prices"] = prices
    tx.put(CATALOG_ITEMS, item["id"], item)
    return item


# -- what the Game API shows ---------------------------------------------------------------------------------------
def items_of(tx: Tx, catalog: Catalog) -> list[Item]:
    return sorted(tx.find(CATALOG_ITEMS, catalog_id=catalog["id"]), key=lambda i: (i["order"], i["id"]))


def _prices(tx: Tx, item: Item) -> list[dict[str, Any]]:
    shown = []
    for price in item["prices"]:
        currency = tx.get(CURRENCIES, price["currency_id"]) or {"code": "", "name": ""}
        shown.append(
            {
                "amount": int(price["amount"]),
                "display_amount": f"{price['amount']} {currency['code']}".strip(),
                "currency_code": currency["code"],
                "currency_name": currency["name"],
                "price_id": price["price_id"],
                "currency_id": price["currency_id"],
            }
        )
    return shown


class _Details:
    """The details of the entities an item sells, looked up once per call."""

    def __init__(self, tx: Tx, game_id: str) -> None:
        self.tx, self.game_id = tx, game_id

    def asset(self, listing_id: str, asset_ulid: str) -> dict[str, Any] | None:
        asset = inventory.find_asset(self.tx, self.game_id, asset_ulid)
        if asset is None:
            return None
        return {
            "name": asset.get("name") or "",
            "variation_id": None,
            "rental_option_id": None,
            "legacy_id": int(asset["asset_id"]),
            "id": asset["ulid"],
            "thumbnail": asset.get("thumbnail") or "",
            "catalog_listing_id": listing_id,
        }

    def currency(self, listing_id: str, currency_id: str, amount: str | None) -> dict[str, Any] | None:
        currency = currencies.get(self.tx, self.game_id, currency_id)
        if currency is None:
            return None
        return {
            "name": currency["name"],
            "code": currency["code"],
            "amount": amount or "0",
            "id": currency["id"],
            "catalog_listing_id": listing_id,
        }

    def progression_points(self, listing_id: str, progression_id: str, amount: Any) -> dict[str, Any] | None:
        found = progression(self.tx, self.game_id, progression_id)
        if found is None:
            return None
        return {
            "key": found["key"],
            "name": found["name"],
            "amount": int(amount or 0),
            "id": found["id"],
            "catalog_listing_id": listing_id,
        }

    def progression_reset(self, listing_id: str, progression_id: str) -> dict[str, Any] | None:
        found = progression(self.tx, self.game_id, progression_id)
        if found is None:
            return None
        return {"key": found["key"], "name": found["name"], "id": found["id"], "catalog_listing_id": listing_id}

    def of(self, listing_id: str, kind: str, entity_id: str, amount: Any) -> dict[str, Any] | None:
        """The detail of one sold entity (not a group)."""
        if kind == "asset":
            return self.asset(listing_id, entity_id)
        if kind == "currency":
            return self.currency(listing_id, entity_id, amount)
        if kind == "progression_points":
            return self.progression_points(listing_id, entity_id, amount)
        return self.progression_reset(listing_id, entity_id)

    def name(self, item: Item) -> str:
        kind, entity_id = item["entity_kind"], item["entity_id"]
        if kind == "group":
            reward = group(self.tx, self.game_id, entity_id)
            return str(reward["name"]) if reward else ""
        detail = self.of(item["id"], kind, entity_id, item["amount"])
        return str(detail["name"]) if detail else ""


def entry(tx: Tx, details: _Details, item: Item) -> dict[str, Any]:
    """A catalog entry (CatalogRequests.cs LootLockerCatalogEntry)."""
    return {
        "created_at": item["created_at"],
        "listings": {},
        "entity_kind": item["entity_kind"],
        "entity_name": details.name(item),
        "prices": _prices(tx, item),
        "entity_id": item["entity_id"],
        "catalog_listing_id": item["id"],
        "purchasable": bool(item["purchasable"]),
        "non_refundable": bool(item["non_refundable"]),
    }


_SIDE_ARRAYS = {
    "asset": "assets_details",
    "currency": "currency_details",
    "progression_points": "progression_points_details",
    "progression_reset": "progression_resets_details",
}


def published(tx: Tx, game_id: str, key: str) -> Catalog:
    for catalog in tx.find(CATALOGS, game_id=game_id):
        if catalog["key"] == key and catalog["deleted_at"] is None and catalog["published_at"] is not None:
            return catalog
    raise errors.not_found(f"catalog not found: no published catalog with the key '{key}'")


def _page_body(tx: Tx, game_id: str, catalog: Catalog, shown: list[Item]) -> dict[str, Any]:
    """Entries and the side arrays of their details (a group's associations keyed by the group's listing)."""
    details = _Details(tx, game_id)
    body: dict[str, Any] = {
        "catalog": catalog_view(catalog),
        "entries": [entry(tx, details, item) for item in shown],
        **{name: [] for name in _SIDE_ARRAYS.values()},
        "group_details": [],
    }
    for item in shown:
        kind = item["entity_kind"]
        if kind != "group":
            detail = details.of(item["id"], kind, item["entity_id"], item["amount"])
            if detail is not None:
                body[_SIDE_ARRAYS[kind]].append(detail)
            continue
        reward = group(tx, game_id, item["entity_id"])
        if reward is None:
            continue
        associations = []
        for part in reward["associations"]:
            associations.append({"kind": part["kind"], "id": part["entity_id"], "catalog_listing_id": item["id"]})
            detail = details.of(item["id"], part["kind"], part["entity_id"], part.get("amount"))
            if detail is not None and detail not in body[_SIDE_ARRAYS[part["kind"]]]:
                body[_SIDE_ARRAYS[part["kind"]]].append(detail)
        body["group_details"].append(
            {
                "name": reward["name"],
                "description": reward["description"],
                "metadata": [],
                "id": reward["id"],
                "catalog_listing_id": item["id"],
                "associations": associations,
            }
        )
    return body


def listing(tx: Tx, game_id: str, key: str, page: int, per_page: int) -> dict[str, Any]:
    """A published catalog's items by key, one page (LootLocker's page pagination)."""
    catalog = published(tx, game_id, key)
    shown, pagination = page_of(items_of(tx, catalog), page, per_page)
    return {**_page_body(tx, game_id, catalog, shown), "pagination": pagination}


def legacy_prices(tx: Tx, game_id: str, key: str, per_page: int, cursor: str | None) -> dict[str, Any]:
    """The deprecated `catalog/key/{key}/prices`: the same body with cursor pagination (the cursor is the position
    of the page's first item, a decimal string)."""
    catalog = published(tx, game_id, key)
    items = items_of(tx, catalog)
    start = int(cursor) if cursor and cursor.isdigit() else 0
    end = min(start + per_page, len(items))
    return {
        **_page_body(tx, game_id, catalog, items[start:end]),
        "pagination": {
            "total": len(items),
            "next_cursor": str(end) if end < len(items) else None,
            "previous_cursor": str(max(0, start - per_page)) if start > 0 else None,
        },
    }


_INLINED = {
    "asset": "asset_detail",
    "currency": "currency_detail",
    "progression_points": "progression_point_detail",
    "progression_reset": "progression_reset_detail",
}


def by_ids(tx: Tx, game_id: str, wanted: list[str], includes: dict[str, Any] | None) -> dict[str, Any]:
    """Items by catalog_listing_id with their details inlined; unknown ids in `errors` (a 200)."""
    details = _Details(tx, game_id)
    include = (includes or {}).get("metadata") if isinstance(includes, dict) else None
    keys: list[str] | None = None
    if isinstance(include, dict):
        keys = [] if include.get("all") or not include.get("keys") else [str(k) for k in include["keys"]]
    items, failed, seen = [], [], set()
    for wanted_id in wanted:
        if wanted_id in seen:
            continue
        seen.add(wanted_id)
        item = get_item(tx, game_id, wanted_id)
        if item is None:
            failed.append({"id": wanted_id, "reason": "catalog item not found"})
            continue
        shown = entry(tx, details, item)
        kind = item["entity_kind"]
        if kind == "group":
            reward = group(tx, game_id, item["entity_id"])
            associations = []
            for part in (reward or {}).get("associations") or []:
                association: dict[str, Any] = {
                    "kind": part["kind"],
                    "id": part["entity_id"],
                    "catalog_listing_id": item["id"],
                }
                association[_INLINED[part["kind"]]] = details.of(
                    item["id"], part["kind"], part["entity_id"], part.get("amount")
                )
                associations.append(association)
            shown["group_detail"] = {
                "name": (reward or {}).get("name", ""),
                "description": (reward or {}).get("description", ""),
                "id": item["entity_id"],
                "catalog_listing_id": item["id"],
                "associations": associations,
            }
        else:
            shown[_INLINED[kind]] = details.of(item["id"], kind, item["entity_id"], item["amount"])
        if keys is not None:
            shown["metadata"] = metadata.entries(tx, game_id, "catalog_item", item["id"], keys)
        items.append(shown)
    return {"items": items, "errors": failed}


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def per_page(call: Call) -> int:
        return min(int(call.query.get("per_page") or 0) or DEFAULT_PER_PAGE, MAX_PER_PAGE)

    def list_catalogs(call: Call) -> Reply:
        found = [c for c in store.read().find(CATALOGS, game_id=game_id(call)) if c["deleted_at"] is None]
        found.sort(key=lambda c: (c.get("order", 0), c["id"]))
        return Reply(200, {"catalogs": [catalog_view(c) for c in found]})

    def list_by_key(call: Call) -> Reply:
        page = int(call.query.get("page") or 0) or 1
        return Reply(200, listing(store.read(), game_id(call), call.path["key"], page, per_page(call)))

    def list_by_ids(call: Call) -> Reply:
        wanted = [str(i) for i in call.body["ids"]]
        if not wanted:
            raise errors.invalid("ids", "it must name at least one catalog item")
        return Reply(200, by_ids(store.read(), game_id(call), wanted, call.body.get("includes")))

    def legacy(call: Call) -> Reply:
        return Reply(
            200, legacy_prices(store.read(), game_id(call), call.path["key"], per_page(call), call.query.get("cursor"))
        )

    return {
        "listCatalogs": list_catalogs,
        "listCatalogItemsByKey": list_by_key,
        "listCatalogItemsById": list_by_ids,
        "listCatalogPricesByKey": legacy,
    }
