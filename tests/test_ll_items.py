"""Items ("Assets 2.0") through the Admin API over HTTP, with the requests of the Unity SDK's test set-up
(LootLockerTestConfigurationItem.cs): templates with audiences, grants by legacy player id, a player's items, and
the rules ItemTests check (a grant of 5 is one stack of 5 with the template's name and a source; consume 2 of 5
leaves 3, all 5 removes the row; split 2 makes a stack of 2 and leaves 3; merge pours it back); isolation."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient

from mockserver.lootlocker.collections import PLAYERS
from mockserver.lootlocker.economy import items

from .ll_admin_helpers import TestGame, create_game, guest_session


class Items:
    def __init__(self, client: FlaskClient, name: str = "ItemTests") -> None:
        self.client = client
        self.game: TestGame = create_game(client, name=name)
        self.player_id = guest_session(client, self.game, str(uuid.uuid4())).get_json()["player_id"]

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.client.open(self.game.dev(path), method=method, json=body, headers=self.game.headers)
        assert response.status_code == status, (path, response.status_code, response.get_json(silent=True))
        return response.get_json(silent=True)

    def template(self, name: str = "Teal Wand", item_type: str = "stackable", **more: Any) -> str:
        body = {"name": name, "item_type": item_type, "consumable": True, "deletable": True, "audiences": ["public"]}
        return str(self.call("POST", "templates/v1", {**body, **more})["id"])

    def grant(self, template_id: str, count: int = 5) -> str:
        body = {"player_id": self.player_id, "item_template_id": template_id, "count": count}
        return str(self.call("POST", "templates/v1/grant", body)["id"])

    def items(self) -> list[dict[str, Any]]:
        return list(self.call("GET", f"templates/v1/players/{self.player_id}/inventory")["items"])

    def inventory(self, inventory_id: str, action: str = "") -> str:
        return f"templates/v1/players/{self.player_id}/inventory/{inventory_id}{action}"


def test_templates_are_created_listed_and_updated(client: FlaskClient) -> None:
    w = Items(client)
    template_id = w.template()
    listed = w.call("GET", "templates/v1")["templates"]
    assert [t["id"] for t in listed] == [template_id]
    template = listed[0]
    assert (template["name"], template["item_type"], template["consumable"], template["deletable"]) == (
        "Teal Wand",
        "stackable",
        True,
        True,
    )
    assert template["audiences"] == ["public"] and template["created_at"] and template["updated_at"] is None
    changed = w.call("PATCH", f"templates/v1/{template_id}", {"name": "Red Wand", "deletable": False})
    assert changed["name"] == "Red Wand" and changed["deletable"] is False and changed["updated_at"]
    w.call("PATCH", f"templates/v1/{template_id}", {"item_type": "instanced"}, status=400)
    w.call("POST", f"templates/v1/{template_id}/audiences", {"audiences": []}, status=204)
    assert w.call("GET", f"templates/v1/{template_id}")["audiences"] == []
    w.call("POST", "templates/v1", {"name": "x", "item_type": "bundle"}, status=400)


def test_a_grant_of_five_is_one_stack_with_the_template_name_and_a_source(client: FlaskClient) -> None:
    w = Items(client)
    template_id = w.template()
    item_id = w.grant(template_id, 5)
    [item] = w.items()
    assert item["id"] == item_id and item["count"] == 5 and item["template_name"] == "Teal Wand"
    assert item["source"] and item["player_id"] == w.player_id and "deletable" not in item
    instanced = w.template("Blue Gun", "instanced")
    w.grant(instanced, 3)
    guns = [i for i in w.items() if i["item_template_id"] == instanced]
    assert [g["count"] for g in guns] == [1, 1, 1]


def test_consume_part_then_all_of_a_stack(client: FlaskClient) -> None:
    w = Items(client)
    item_id = w.grant(w.template(), 5)
    consume = w.inventory(item_id, "/consume")
    assert w.call("POST", consume, {"player_id": w.player_id, "count": 2}) == {"consumed": 2}
    assert w.items()[0]["count"] == 3
    assert w.call("POST", consume, {"player_id": w.player_id, "count": 0}) == {"consumed": 1}  # 0 = default 1
    w.call("POST", consume, {"player_id": w.player_id, "count": 3}, status=400)
    assert w.call("POST", consume, {"player_id": w.player_id, "count": 2}) == {"consumed": 2}
    assert w.items() == []
    tool = w.grant(w.template("Shovel", consumable=False), 2)
    w.call("POST", w.inventory(tool, "/consume"), {"player_id": w.player_id, "count": 1}, status=400)


def test_split_and_merge_stacks(client: FlaskClient) -> None:
    w = Items(client)
    template_id = w.template()
    item_id = w.grant(template_id, 5)
    new_id = w.call("POST", w.inventory(item_id, "/split"), {"count": 2})["id"]
    counts = {i["id"]: i["count"] for i in w.items()}
    assert counts == {item_id: 3, new_id: 2}
    w.call("POST", w.inventory(item_id, "/split"), {"count": 3}, status=400)
    merge = f"templates/v1/players/{w.player_id}/inventory/merge"
    w.call("POST", merge, {"source_inventory_id": new_id, "target_inventory_id": item_id}, status=204)
    assert {i["id"]: i["count"] for i in w.items()} == {item_id: 5}
    other = w.grant(w.template("Other"), 1)
    w.call("POST", merge, {"source_inventory_id": other, "target_inventory_id": item_id}, status=400)


def test_delete_items_and_templates(client: FlaskClient) -> None:
    w = Items(client)
    template_id = w.template()
    first, second = w.grant(template_id, 1), w.grant(template_id, 2)
    w.call("DELETE", w.inventory(first), status=204)
    assert [i["id"] for i in w.items()] == [second]
    w.call("DELETE", w.inventory(first), status=404)
    w.call("DELETE", f"templates/v1/{template_id}", status=204)
    assert w.items() == [] and w.call("GET", "templates/v1")["templates"] == []
    w.call("GET", f"templates/v1/{template_id}", status=404)


def test_another_games_templates_and_players_are_out_of_reach(client: FlaskClient) -> None:
    mine, other = Items(client, "mine"), Items(client, "other")
    theirs = other.template()
    their_item = other.grant(theirs, 2)
    mine.call("GET", f"templates/v1/{theirs}", status=404)
    body = {"player_id": mine.player_id, "item_template_id": theirs, "count": 1}
    mine.call("POST", "templates/v1/grant", body, status=404)
    mine.call(
        "POST", "templates/v1/grant", {**body, "item_template_id": mine.template(), "player_id": 999999}, status=404
    )
    mine.call("DELETE", mine.inventory(their_item), status=404)
    assert [i["count"] for i in other.items()] == [2]
    forced = client.get(mine.game.dev("templates/v1"), headers={**mine.game.headers, "Prefer": "code=503"})
    assert forced.status_code == 503


def test_an_instanced_grant_is_bounded(client: FlaskClient) -> None:
    w = Items(client)
    instanced = w.template("Blue Gun", "instanced")
    body = {"player_id": w.player_id, "item_template_id": instanced, "count": 1001}
    assert w.call("POST", "templates/v1/grant", body, status=400)["param"] == "count"
    assert w.items() == []


def test_forget_player_removes_their_items(client: FlaskClient) -> None:
    w = Items(client)
    w.grant(w.template(), 2)
    store = client.application.extensions["mockserver.store"]
    game_id = str(w.game.development_id)
    with store.write() as tx:
        player = tx.find(PLAYERS, game_id=game_id, legacy_id=w.player_id)[0]
        items.forget_player(tx, game_id, player["id"])
    assert w.items() == []
