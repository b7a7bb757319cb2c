"""Metadata of any source through the Admin API (LootLockerTestConfigurationMetadata.cs): the same operations and
per-entry errors as the Game API's, on any source and with any access (mockserver/lootlocker/metadata.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from .. import metadata

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    def set_entries(call: Call) -> Reply:
        return Reply(200, metadata.set_entries(admin.store, admin.game(call), None, call.body))

    return {"adminSetMetadata": set_entries}
