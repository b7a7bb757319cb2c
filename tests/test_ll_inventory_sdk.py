"""LootLocker's Unity SDK PlayMode PlayerInventoryTest (1) replayed over HTTP: the C# Setup (a game, stage
environment, guest platform; an asset created in the first context and activated; one `asset` metadata entry; a
guest session; the admin grant of the asset to that player by legacy id), then ListPlayerInventory with and
without `includes.metadata` as the SDK sends it (per_page=100&page=1; null members left out)."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import create_game, guest_session

INVENTORY = "/game/player/inventories/v1?per_page=100&page=1"


def test_player_inventory_list_player_inventory_with_metadata_include_returns_metadata(client: FlaskClient) -> None:
    game = create_game(client, name="PlayerInventoryTest1 ")
    admin = f"/admin/v1/game/{game.development_id}"
    contexts = client.get(f"{admin}/assets/contexts", headers=game.headers)
    assert contexts.status_code == 200
    context_id = contexts.get_json()["contexts"][0]["id"]
    created = client.post(f"{admin}/asset", json={"context_id": context_id, "name": "Teal Hut"}, headers=game.headers)
    assert created.status_code == 200
    asset_id, asset_ulid = created.get_json()["asset"]["id"], created.get_json()["asset"]["ulid"]
    activated = client.post(f"{admin}/asset/{asset_id}/activate", json={"live_and_dev": True}, headers=game.headers)
    assert activated.status_code == 200
    entry = {
        "key": "inventory_metadata_key",
        "type": "string",
        "value": "inventory_metadata_value",
        "tags": ["test", "asset", "metadata"],
        "access": ["game_api.read"],
        "action": "upsert",
    }
    metadata = client.post(
        game.dev("metadata"),
        json={"source": "asset", "source_id": asset_ulid, "entries": [entry]},
        headers=game.headers,
    )
    assert metadata.status_code == 200, metadata.get_json()
    session = guest_session(client, game, str(uuid.uuid4())).get_json()
    grant = client.post(
        f"/admin/game/{game.development_id}/player/{session['player_id']}/inventory/grant",
        json={"asset_id": asset_id},
        headers=game.headers,
    )
    assert grant.status_code == 200, grant.get_json()
    player = {"x-session-token": session["session_token"]}

    def listed(body: dict[str, Any]) -> list[dict[str, Any]]:
        response = client.post(INVENTORY, json=body, headers=player)
        assert 200 <= response.status_code < 300, response.get_json()
        items = response.get_json()["items"]
        assert items is not None
        assert any(item["asset_id"] == asset_id for item in items)
        return [item for item in items if item["asset_id"] == asset_id]

    filters = {"asset_ids": [asset_id], "context_ids": [context_id]}
    with_metadata = listed({"includes": {"metadata": {"keys": [], "all": True}}, "filters": filters})[0]
    assert with_metadata["metadata"], "Inventory item metadata should be included when requested"
    assert any(e["key"] == "inventory_metadata_key" for e in with_metadata["metadata"])

    without = listed({"includes": {}, "filters": filters})[0]
    assert not without.get("metadata"), "Inventory item metadata should be omitted when not requested"
