"""LootLocker's Unity SDK ItemTests (@ 28760ee7) replayed over HTTP: the Admin API set-up of its test utilities
(LootLockerTestConfigurationItem.cs: templates with audiences, grants by legacy player id), then the Game API calls.

The Game API paths are the mock's own (`/game/items/v1/...`, marked "[inferred] path" in the OpenAPI document):
LootLocker's are not in any public source, only the SDK methods and the shapes they read are. Each test replays one
assertion set the reference lists for ItemTests; SDK-local checks (request objects built, callbacks run) cannot be.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session


class ItemWorld:
    """One test game, one guest player, the admin set-up and the player's Game API calls."""

    def __init__(self, client: FlaskClient, name: str = "ItemTests") -> None:
        self.client = client
        self.game: TestGame = create_game(client, name=name)
        session = guest_session(client, self.game, str(uuid.uuid4())).get_json()
        self.player_id = session["player_id"]
        self.player = {"x-session-token": session["session_token"]}

    def admin(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.client.open(self.game.dev(path), method=method, json=body, headers=self.game.headers)
        assert response.status_code == status, (path, response.status_code, response.get_json(silent=True))
        return response.get_json(silent=True)

    def game_api(self, method: str, path: str, body: Any = None, status: int = 200, **query: Any) -> Any:
        response = self.client.open(
            f"/game/items/v1/{path}", method=method, json=body, headers=self.player, query_string=query
        )
        assert response.status_code == status, (path, response.status_code, response.get_json(silent=True))
        return response.get_json(silent=True)

    def template(self, name: str = "Teal Wand", audiences: list[str] | None = None, **more: Any) -> str:
        body = {"name": name, "item_type": "stackable", "consumable": True, "deletable": True}
        body["audiences"] = ["public"] if audiences is None else audiences
        return str(self.admin("POST", "templates/v1", {**body, **more})["id"])

    def grant(self, template_id: str, count: int = 5) -> str:
        body = {"player_id": self.player_id, "item_template_id": template_id, "count": count}
        return str(self.admin("POST", "templates/v1/grant", body)["id"])

    def items(self) -> list[dict[str, Any]]:
        return list(self.game_api("GET", "player", page=1, per_page=100)["items"])


def test_only_templates_with_an_audience_are_listed_to_players(client: FlaskClient) -> None:
    w = ItemWorld(client)
    visible = w.template("Seen")
    w.template("Hidden", audiences=[])
    listed = w.game_api("GET", "templates", page=1, per_page=50)
    assert [t["id"] for t in listed["items"]] == [visible]
    assert listed["items"][0]["name"] == "Seen" and listed["pagination"]["total"] == 1


def test_a_grant_of_five_is_listed_with_count_name_and_source(client: FlaskClient) -> None:
    w = ItemWorld(client)
    item_id = w.grant(w.template(), 5)
    [item] = w.items()
    assert item["id"] == item_id and item["count"] == 5 and item["name"] == "Teal Wand"
    assert item["source"] is not None


def test_consuming_two_of_five_leaves_three(client: FlaskClient) -> None:
    w = ItemWorld(client)
    item_id = w.grant(w.template(), 5)
    assert w.game_api("POST", f"player/{item_id}/consume", {"count": 2})["consumed"] is True
    assert [i["count"] for i in w.items()] == [3]


def test_consuming_all_five_removes_the_row(client: FlaskClient) -> None:
    w = ItemWorld(client)
    item_id = w.grant(w.template(), 5)
    assert w.game_api("POST", f"player/{item_id}/consume", {"count": 5})["consumed"] is True
    assert w.items() == []


def test_splitting_two_makes_a_stack_of_two_and_leaves_three(client: FlaskClient) -> None:
    w = ItemWorld(client)
    item_id = w.grant(w.template(), 5)
    new_id = w.game_api("POST", f"player/{item_id}/split", {"count": 2})["id"]
    assert {i["id"]: i["count"] for i in w.items()} == {item_id: 3, new_id: 2}


def test_merging_back_makes_five_and_the_source_goes(client: FlaskClient) -> None:
    w = ItemWorld(client)
    item_id = w.grant(w.template(), 5)
    new_id = w.game_api("POST", f"player/{item_id}/split", {"count": 2})["id"]
    w.game_api("POST", "merge", {"source_inventory_id": new_id, "target_inventory_id": item_id}, status=204)
    assert {i["id"]: i["count"] for i in w.items()} == {item_id: 5}
    w.game_api("GET", f"player/{new_id}", status=404)


def test_deleting_an_undeletable_item_is_forbidden(client: FlaskClient) -> None:
    w = ItemWorld(client)
    item_id = w.grant(w.template(deletable=False), 1)
    refused = w.game_api("DELETE", f"player/{item_id}", status=403)
    assert refused["code"] and refused["message"]
    assert [i["id"] for i in w.items()] == [item_id]
