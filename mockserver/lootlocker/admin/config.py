"""Title configuration of a game environment (`global_player_presence`, `global_refunds`, ...): objects kept by
key as given; what reads them is the feature they configure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Tx
from .. import errors
from ..collections import TITLE_CONFIG

if TYPE_CHECKING:
    from .routes import Admin


def get(tx: Tx, game_id: str, key: str) -> dict[str, Any] | None:
    """A configuration object of the environment (None when never set): for the features it configures."""
    found = tx.get(TITLE_CONFIG, f"{game_id}:{key}")
    return dict(found["value"]) if found else None


def handlers(admin: Admin) -> dict[str, Handler]:
    def read(call: Call) -> Reply:
        key = call.path["key"]
        value = get(admin.store.read(), admin.game(call)["id"], key)
        if value is None:
            raise errors.not_found(f"The configuration '{key}' has not been set.")
        return Reply(200, {"key": key, "value": value})

    def write(call: Call) -> Reply:
        game, key = admin.game(call), call.path["key"]
        with admin.store.write() as tx:
            doc = {"id": f"{game['id']}:{key}", "game_id": game["id"], "key": key, "value": call.body}
            tx.put(TITLE_CONFIG, doc["id"], doc)
        return Reply(200, {"key": key, "value": call.body})

    return {"adminGetTitleConfig": read, "adminSetTitleConfig": write}
