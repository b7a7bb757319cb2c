"""Admin set-up of catalogs (LootLockerTestConfigurationCatalog.cs): catalogs, their items (an asset, a currency
amount, progression points or reset, or a group reward), toggling an item purchasable, prices and publishing.
Rules: mockserver/lootlocker/economy/catalogs.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from ..collections import CATALOGS
from ..economy import catalogs

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    game_id = admin.game_id

    def create(call: Call) -> Reply:
        with admin.store.write() as tx:
            made = catalogs.create_catalog(tx, game_id(call), str(call.body["name"]), str(call.body["key"]))
        return Reply(200, catalogs.catalog_view(made))

    def listed(call: Call) -> Reply:
        found = [c for c in admin.store.read().find(CATALOGS, game_id=game_id(call)) if c["deleted_at"] is None]
        found.sort(key=lambda c: (c.get("order", 0), c["id"]))
        return Reply(200, {"catalogs": [catalogs.catalog_view(c) for c in found]})

    def create_item(call: Call) -> Reply:
        with admin.store.write() as tx:
            item = catalogs.create_item(tx, game_id(call), call.body)
        return Reply(200, {"catalog_item_id": item["id"]})

    def toggle(call: Call) -> Reply:
        with admin.store.write() as tx:
            catalogs.toggle_purchasable(tx, game_id(call), call.path["catalog_item_id"])
        return Reply(200, {})

    def price(call: Call) -> Reply:
        with admin.store.write() as tx:
            catalogs.set_price(tx, game_id(call), call.body)
        return Reply(200, {})

    def publish(call: Call) -> Reply:
        with admin.store.write() as tx:
            catalogs.publish(tx, game_id(call), call.path["catalog_id"])
        return Reply(200, {})

    return {
        "adminCreateCatalog": create,
        "adminListCatalogs": listed,
        "adminCreateCatalogItem": create_item,
        "adminToggleCatalogItemPurchasable": toggle,
        "adminSetCatalogItemPrice": price,
        "adminPublishCatalog": publish,
    }
