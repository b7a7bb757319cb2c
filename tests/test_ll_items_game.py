"""Items through the Game API (the mock's [inferred] `/game/items/v1/...` paths): one item with its template,
filters, sorting and pages, the rules of consume/split/merge/delete, bad input → LootLocker's 400, isolation between
players and games, `Prefer` forcing. The SDK's own assertions: tests/test_ll_item_sdk.py."""

from __future__ import annotations

from flask.testing import FlaskClient

from .ll_admin_helpers import guest_session
from .test_ll_item_sdk import ItemWorld


def test_one_item_carries_its_template(client: FlaskClient) -> None:
    w = ItemWorld(client)
    template_id = w.template("Teal Wand", limited=0)
    item_id = w.grant(template_id, 4)
    item = w.game_api("GET", f"player/{item_id.lower()}")
    assert item["count"] == 4 and item["item_template_id"] == template_id and item["deletable"] is True
    assert item["template"]["id"] == template_id and item["template"]["item_type"] == "stackable"
    assert "audiences" not in item["template"] and item["metadata"] == []


def test_filters_sort_order_and_pages(client: FlaskClient) -> None:
    w = ItemWorld(client)
    wand = w.grant(w.template("Teal Wand"), 1)
    gun = w.grant(w.template("Blue Gun", item_type="instanced", consumable=False), 1)
    assert [i["id"] for i in w.game_api("GET", "player", name="wAnD")["items"]] == [wand]
    assert [i["id"] for i in w.game_api("GET", "player", item_type="instanced")["items"]] == [gun]
    assert [i["id"] for i in w.game_api("GET", "player", consumable="false")["items"]] == [gun]
    assert [i["id"] for i in w.game_api("GET", "player", order="DESC")["items"]] == [gun, wand]
    page = w.game_api("GET", "player", page=2, per_page=1)
    assert [i["id"] for i in page["items"]] == [gun] and page["pagination"]["total"] == 2
    assert page["pagination"]["prev_page"] == 1 and page["pagination"]["next_page"] is None


def test_the_rules_of_consume_split_merge_and_delete(client: FlaskClient) -> None:
    w = ItemWorld(client)
    item_id = w.grant(w.template(), 3)
    assert w.game_api("POST", f"player/{item_id}/consume", {})["granted"] == []  # no count: 1
    assert [i["count"] for i in w.items()] == [2]
    assert w.game_api("POST", f"player/{item_id}/consume", {"count": 3}, status=400)["param"] == "count"
    w.game_api("POST", f"player/{item_id}/split", {"count": 2}, status=400)  # one must stay
    tool = w.grant(w.template("Shovel", consumable=False), 2)
    w.game_api("POST", f"player/{tool}/consume", {"count": 1}, status=400)
    w.game_api("POST", "merge", {"source_inventory_id": tool, "target_inventory_id": item_id}, status=400)
    w.game_api("POST", "merge", {"source_inventory_id": tool, "target_inventory_id": tool}, status=400)
    w.game_api("DELETE", f"player/{item_id}", status=204)
    w.game_api("DELETE", f"player/{item_id}", status=404)
    assert [i["id"] for i in w.items()] == [tool]


def test_bad_input_is_a_400(client: FlaskClient) -> None:
    w = ItemWorld(client)
    item_id = w.grant(w.template(), 3)
    for query in ({"sort": "name"}, {"order": "up"}, {"item_type": "bundle"}, {"page": -1}, {"consumable": "maybe"}):
        assert w.game_api("GET", "player", status=400, **query)["code"]
    w.game_api("POST", f"player/{item_id}/split", {"count": 0}, status=400)
    w.game_api("POST", f"player/{item_id}/split", {}, status=400)
    w.game_api("POST", f"player/{item_id}/consume", {"count": "two"}, status=400)
    w.game_api("POST", "merge", {"source_inventory_id": item_id}, status=400)
    assert [i["count"] for i in w.items()] == [3]


def test_another_players_items_are_out_of_reach(client: FlaskClient) -> None:
    mine, theirs = ItemWorld(client, "mine"), ItemWorld(client, "theirs")
    their_item = theirs.grant(theirs.template(), 5)
    my_item = mine.grant(mine.template(), 5)
    for method, path, body in (
        ("GET", f"player/{their_item}", None),
        ("DELETE", f"player/{their_item}", None),
        ("POST", f"player/{their_item}/consume", {"count": 1}),
        ("POST", f"player/{their_item}/split", {"count": 1}),
        ("POST", "merge", {"source_inventory_id": their_item, "target_inventory_id": my_item}),
    ):
        mine.game_api(method, path, body, status=404)
    assert mine.game_api("GET", "templates")["items"][0]["name"] == "Teal Wand"
    assert len(mine.game_api("GET", "templates")["items"]) == 1  # the other game's template is not listed
    assert [i["count"] for i in theirs.items()] == [5] and [i["id"] for i in mine.items()] == [my_item]


def test_a_second_player_of_the_same_game_sees_none_of_the_firsts(client: FlaskClient) -> None:
    w = ItemWorld(client)
    item_id = w.grant(w.template(), 2)
    other = guest_session(client, w.game, "second-player").get_json()["session_token"]
    headers = {"x-session-token": other}
    assert client.get("/game/items/v1/player", headers=headers).get_json()["items"] == []
    assert client.get(f"/game/items/v1/player/{item_id}", headers=headers).status_code == 404


def test_a_session_is_required_and_prefer_forces_a_status(client: FlaskClient) -> None:
    w = ItemWorld(client)
    assert client.get("/game/items/v1/templates").status_code == 401
    forced = client.get("/game/items/v1/player", headers={**w.player, "Prefer": "code=503"})
    assert forced.status_code == 503
    item_id = w.grant(w.template(), 2)
    refused = client.delete(f"/game/items/v1/player/{item_id}", headers={**w.player, "Prefer": "code=403"})
    assert refused.status_code == 403 and [i["id"] for i in w.items()] == [item_id]
