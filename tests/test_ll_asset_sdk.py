"""LootLocker's Unity SDK PlayMode AssetTests (16) replayed over HTTP. As in C#, one game with 5 assets is set up
once for the class (LootLockerTestGame.CreateGame, stage environment, guest platform; then per asset: create,
activate, the update that sends the create answer's text back with 4 storage pairs, 7 data entities and 8 metadata
entries through the Admin API), and every test signs in a new guest. Requests are the SDK's: the list body is the
serialised LootLockerListAssetsRequest (defaults included), the query what ListAssets builds. `success` is a 2xx.
SDK-local asserts (`Assert.IsNotNull` of int members) are kept as presence checks."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.config import Config

from .ll_admin_helpers import TestGame, create_game, guest_session

ASSETS, DATA_ENTITIES, METADATA, STORAGE_KEYS = 5, 7, 8, 4
LIST = "/game/assets/artful-alpaca/v1"
COLORS = ["Green", "Blue", "Red", "Black", "Yellow", "Orange", "Purple", "Indigo", "Clear", "White", "Magenta"]
ITEMS = ["Rod", "House", "Wand", "Staff", "Car", "Sword", "Shield", "Gun", "Shovel", "Boomstick", "Rifle", "Hut"]


def random_asset_name() -> str:
    """LootLockerTestAssets.GetRandomAssetName."""
    return f"{random.choice(COLORS)} {random.choice(ITEMS)}"


@dataclass
class Shared:
    client: FlaskClient
    game: TestGame
    asset_ids: list[int] = field(default_factory=list)
    asset_ulids: list[str] = field(default_factory=list)

    def admin(self, method: str, path: str, body: Any = None, raw: str | None = None) -> Any:
        """An /admin/v1/game/{development id}/... call of LootLockerTestAssets (`raw`: a body sent as is)."""
        url = f"/admin/v1/game/{self.game.development_id}/{path}"
        headers = self.game.headers
        if raw is not None:
            response = self.client.open(url, method=method, data=raw, content_type="application/json", headers=headers)
        else:
            response = self.client.open(url, method=method, json=body, headers=headers)
        assert 200 <= response.status_code < 300, (url, response.status_code, response.get_json(silent=True))
        return response


def add_metadata(shared: Shared, ulid: str, key: str, value: str) -> None:
    """LootLockerTestAssets.AddMetadataToAsset (PerformMetadataOperations with one upsert)."""
    body = {
        "source": "asset",
        "source_id": ulid,
        "entries": [
            {
                "key": key,
                "type": "string",
                "value": value,
                "tags": ["test", "asset", "metadata"],
                "access": ["game_api.read"],
                "action": "upsert",
            }
        ],
    }
    response = shared.client.post(shared.game.dev("metadata"), json=body, headers=shared.game.headers)
    assert response.status_code == 200, response.get_json()
    assert not response.get_json().get("errors"), response.get_json()


@pytest.fixture(scope="module")
def shared() -> Iterator[Shared]:
    client = create_app(Config(strict=True)).test_client()
    state = Shared(client, create_game(client, name="AssetTests "))
    contexts = state.admin("GET", "assets/contexts").get_json()["contexts"]
    context_id = contexts[0]["id"]
    for _ in range(ASSETS):
        created = state.admin("POST", "asset", {"context_id": context_id, "name": random_asset_name()})
        asset = created.get_json()["asset"]
        state.asset_ids.append(asset["id"])
        state.asset_ulids.append(asset["ulid"])
        state.admin("POST", f"asset/{asset['id']}/activate", {"live_and_dev": True})
        # The C# set-up edits the answer's raw text and sends it back as the update.
        text = created.get_data(as_text=True).replace('{"success":true,"asset":', "")[:-1]
        pairs = ",".join(f'{{"key":"storage_key_{j}","value":"storage_value_{j}"}}' for j in range(STORAGE_KEYS))
        assert '"storage":[]' in text
        state.admin("PATCH", f"asset/{asset['id']}", raw=text.replace('"storage":[]', f'"storage": [{pairs}]'))
    for asset_id, ulid in zip(state.asset_ids, state.asset_ulids, strict=True):
        for j in range(DATA_ENTITIES):
            state.admin("POST", "data", {"asset_id": asset_id, "name": f"data_entity_{j}", "data": f"data_value_{j}"})
        for j in range(METADATA):
            add_metadata(state, ulid, f"metadata_key_{j}", f"metadata_value_{j}")
    yield state


def request_body(includes: dict[str, bool] | None = None, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """LootLockerListAssetsRequest as the SDK serialises it (every member, defaults included)."""
    body: dict[str, Any] = {
        "includes": {"storage": False, "files": False, "data_entities": False, "metadata": False},
        "excludes": {"authors": False},
        "filters": {"ugc_only": False, "asset_ids": [], "context_ids": [], "asset_filters": []},
    }
    body["includes"].update(includes or {})
    body["filters"].update(filters or {})
    return body


def list_assets(
    shared: Shared,
    body: dict[str, Any] | None = None,
    per_page: int = 0,
    page: int = 0,
    order_by: str | None = None,
    direction: str | None = None,
) -> dict[str, Any]:
    """LootLockerSDKManager.ListAssets as a new guest (each C# test signs in a new guest)."""
    session = guest_session(shared.client, shared.game, str(uuid.uuid4())).get_json()
    query = []
    if page > 0:
        query.append(f"page={page}")
    if per_page > 0:
        query.append(f"per_page={per_page}")
    if order_by:
        query.append(f"order_by={order_by}")
    if direction:
        query.append(f"order_direction={direction}")
    url = LIST + ("?" + "&".join(query) if query else "")
    response = shared.client.post(
        url, json=body or request_body(), headers={"x-session-token": session["session_token"]}
    )
    assert 200 <= response.status_code < 300, response.get_json()
    return dict(response.get_json())


def assert_listed(asset: dict[str, Any]) -> None:
    assert asset["asset_id"] and asset["asset_ulid"] and asset["asset_name"]
    assert asset["author"] is None, "Asset author should be null"


def test_list_assets_default_parameters_returns_assets_with_null_values_for_includables(shared: Shared) -> None:
    listed = list_assets(shared)
    assert listed["assets"]
    assert listed["pagination"]["total"] == ASSETS
    for asset in listed["assets"]:
        assert_listed(asset)
        assert asset["metadata"] is None
        assert asset["data_entities"] == [] and asset["storage"] == []


def test_list_assets_include_storage_returns_assets_with_storage_but_null_otherwise(shared: Shared) -> None:
    listed = list_assets(shared, request_body({"storage": True}))
    assert listed["assets"] and listed["pagination"]["total"] == ASSETS
    for asset in listed["assets"]:
        assert_listed(asset)
        assert asset["metadata"] is None and asset["data_entities"] == []
        assert len(asset["storage"]) == STORAGE_KEYS


def test_list_assets_include_metadata_returns_assets_with_metadata_but_null_otherwise(shared: Shared) -> None:
    listed = list_assets(shared, request_body({"metadata": True}))
    assert listed["assets"] and listed["pagination"]["total"] == ASSETS
    for asset in listed["assets"]:
        assert_listed(asset)
        assert len(asset["metadata"]) == METADATA
        assert asset["data_entities"] == [] and asset["storage"] == []


def test_list_assets_include_data_entities_returns_assets_with_data_entities_but_null_otherwise(shared: Shared) -> None:
    listed = list_assets(shared, request_body({"data_entities": True}))
    assert listed["assets"] and listed["pagination"]["total"] == ASSETS
    for asset in listed["assets"]:
        assert_listed(asset)
        assert asset["metadata"] is None and asset["storage"] == []
        assert len(asset["data_entities"]) == DATA_ENTITIES


def test_list_assets_include_everything_returns_assets_with_all_includables(shared: Shared) -> None:
    everything = {"data_entities": True, "storage": True, "metadata": True, "files": True}
    listed = list_assets(shared, request_body(everything))
    assert listed["assets"] and listed["pagination"]["total"] == ASSETS
    for asset in listed["assets"]:
        assert_listed(asset)
        assert len(asset["metadata"]) == METADATA
        assert len(asset["data_entities"]) == DATA_ENTITIES
        assert len(asset["storage"]) == STORAGE_KEYS


def test_list_assets_with_pagination_parameters_returns_expected_asset(shared: Shared) -> None:
    whole = list_assets(shared)
    paginated = list_assets(shared, per_page=1, page=2)
    assert whole["pagination"]["total"] == paginated["pagination"]["total"]
    assert len(paginated["assets"]) == 1
    assert whole["assets"][1]["asset_ulid"] == paginated["assets"][0]["asset_ulid"]


def test_list_assets_with_filter_and_all_includes_returns_expected_asset_with_all_includes(shared: Shared) -> None:
    everything = {"data_entities": True, "storage": True, "metadata": True, "files": True}
    listed = list_assets(shared, request_body(everything, {"asset_ids": [shared.asset_ids[2]]}))
    assert listed["pagination"]["total"] == 1 and len(listed["assets"]) == 1
    assert listed["assets"][0]["asset_id"] == shared.asset_ids[2]
    assert listed["assets"][0]["asset_ulid"] == shared.asset_ulids[2]
    for asset in listed["assets"]:
        assert len(asset["metadata"]) == METADATA
        assert len(asset["data_entities"]) == DATA_ENTITIES
        assert len(asset["storage"]) == STORAGE_KEYS
        assert asset["author"] is None


def ids_of(listed: dict[str, Any]) -> list[int]:
    return [a["asset_id"] for a in listed["assets"]]


def test_list_assets_order_by_id_ascending_returns_assets_in_ascending_id_order(shared: Shared) -> None:
    listed = list_assets(shared, order_by="id", direction="asc")
    assert listed["assets"] and listed["pagination"]["total"] == ASSETS
    assert ids_of(listed) == sorted(ids_of(listed))


def test_list_assets_order_by_id_descending_returns_assets_in_descending_id_order(shared: Shared) -> None:
    listed = list_assets(shared, order_by="id", direction="desc")
    assert listed["assets"] and listed["pagination"]["total"] == ASSETS
    assert ids_of(listed) == sorted(ids_of(listed), reverse=True)


def test_list_assets_order_by_name_descending_returns_assets_in_descending_name_order(shared: Shared) -> None:
    listed = list_assets(shared, order_by="name", direction="desc")
    assert listed["assets"] and listed["pagination"]["total"] == ASSETS
    names = [a["asset_name"].casefold() for a in listed["assets"]]  # C#: string.Compare(..., OrdinalIgnoreCase)
    assert all(names[i - 1] >= names[i] for i in range(1, len(names)))


def test_list_assets_order_by_created_at_descending_returns_assets_in_descending_created_order(shared: Shared) -> None:
    listed = list_assets(shared, order_by="created_at", direction="desc")
    assert listed["assets"] and listed["pagination"]["total"] == ASSETS
    assert len(listed["assets"]) == ASSETS


def test_list_assets_ordering_with_pagination_returns_correctly_ordered_paginated_results(shared: Shared) -> None:
    first = list_assets(shared, per_page=2, page=1, order_by="id", direction="asc")
    second = list_assets(shared, per_page=2, page=2, order_by="id", direction="asc")
    assert len(first["assets"]) == 2 and len(second["assets"]) == 2
    assert first["assets"][0]["asset_id"] < first["assets"][1]["asset_id"]
    assert second["assets"][0]["asset_id"] < second["assets"][1]["asset_id"]
    assert first["assets"][1]["asset_id"] < second["assets"][0]["asset_id"]


def test_list_assets_ordering_with_filters_and_includes_returns_correctly_ordered_filtered_results(
    shared: Shared,
) -> None:
    wanted = [shared.asset_ids[0], shared.asset_ids[2], shared.asset_ids[4]]
    body = request_body({"metadata": True, "storage": True}, {"asset_ids": wanted})
    listed = list_assets(shared, body, order_by="id", direction="desc")
    assert len(listed["assets"]) == 3
    for asset in listed["assets"]:
        assert asset["metadata"] is not None and asset["storage"]
    assert set(ids_of(listed)) == set(wanted)
    assert ids_of(listed) == sorted(ids_of(listed), reverse=True)


def test_list_assets_only_order_by_without_direction_uses_default_direction_successfully(shared: Shared) -> None:
    listed = list_assets(shared, order_by="id")
    assert listed["assets"] and listed["pagination"]["total"] == ASSETS
    assert len(listed["assets"]) == ASSETS


def bulk_edit(shared: Shared, asset_ids: list[int], filters: dict[str, str]) -> None:
    """LootLockerTestAssets.BulkEditFiltersOnAssets with one `set` edit."""
    edit = [{"action": "set", "asset_ids": asset_ids, "filters": [{"key": k, "value": v} for k, v in filters.items()]}]
    shared.admin("PATCH", "assets/filters/bulk", edit)


def test_list_assets_with_asset_filters_returns_only_filtered_assets(shared: Shared) -> None:
    ids = shared.asset_ids
    filtered, unfiltered = [ids[0], ids[2]], [ids[1], ids[3], ids[4]]
    bulk_edit(shared, filtered, {"rarity": "legendary", "type": "weapon"})
    bulk_edit(shared, unfiltered, {"rarity": "common", "type": "armor"})
    listed = list_assets(shared, request_body(filters={"asset_filters": [{"key": "rarity", "values": ["legendary"]}]}))
    assert listed["assets"]
    assert listed["pagination"]["total"] == 2 and len(listed["assets"]) == 2
    assert set(ids_of(listed)) == set(filtered)


def test_list_assets_with_multiple_asset_filter_values_returns_assets_matching_any_value(shared: Shared) -> None:
    ids = shared.asset_ids
    bulk_edit(shared, [ids[0]], {"rarity": "rare"})
    bulk_edit(shared, [ids[1]], {"rarity": "epic"})
    bulk_edit(shared, [ids[2], ids[3], ids[4]], {"rarity": "common"})
    body = request_body(filters={"asset_filters": [{"key": "rarity", "values": ["rare", "epic"]}]})
    listed = list_assets(shared, body)
    assert listed["assets"]
    assert listed["pagination"]["total"] == 2 and len(listed["assets"]) == 2
    assert set(ids_of(listed)) == {ids[0], ids[1]}
