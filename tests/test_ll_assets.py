"""Assets over HTTP: the Admin API set-up (contexts, create, get, update, activation, data entities, bulk filters)
and the Game API's asset lists (legacy count/after and filters, by ids, one asset, the simplified list's pages and
orders), favourites, isolation between games, LootLocker's error bodies and `Prefer` forcing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session


@dataclass
class World:
    client: FlaskClient
    game: TestGame
    context_id: int
    player: dict[str, str]

    def admin(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.client.open(
            f"/admin/v1/game/{self.game.development_id}/{path}", method=method, json=body, headers=self.game.headers
        )
        assert response.status_code == status, (path, response.status_code, response.get_json(silent=True))
        return response.get_json(silent=True)

    def asset(self, name: str, active: bool = True, **update: Any) -> dict[str, Any]:
        made = self.admin("POST", "asset", {"context_id": self.context_id, "name": name})["asset"]
        if active:
            self.admin("POST", f"asset/{made['id']}/activate", {"live_and_dev": True})
        if update:
            self.admin("PATCH", f"asset/{made['id']}", update)
        return dict(made)

    def game_api(self, method: str, path: str, body: Any = None, status: int = 200, **headers: str) -> Any:
        response = self.client.open(path, method=method, json=body, headers={**self.player, **headers})
        assert response.status_code == status, (path, response.status_code, response.get_json(silent=True))
        return response.get_json(silent=True)


def world(client: FlaskClient, name: str = "assets") -> World:
    game = create_game(client, name=name)
    contexts = client.get(f"/admin/v1/game/{game.development_id}/assets/contexts", headers=game.headers)
    session = guest_session(client, game, str(uuid.uuid4())).get_json()
    return World(client, game, contexts.get_json()["contexts"][0]["id"], {"x-session-token": session["session_token"]})


def test_a_fresh_game_has_a_context_and_the_player_sees_the_same(client: FlaskClient) -> None:
    w = world(client)
    contexts = w.game_api("GET", "/game/v1/contexts")["contexts"]
    assert [c["id"] for c in contexts] == [w.context_id]
    assert contexts[0]["name"] and contexts[0]["max_equip_count"] == 1


def test_admin_create_answers_compact_json_with_an_empty_storage_array(client: FlaskClient) -> None:
    w = world(client)
    response = client.post(
        f"/admin/v1/game/{w.game.development_id}/asset",
        json={"context_id": w.context_id, "name": "Red Rod"},
        headers=w.game.headers,
    )
    text = response.get_data(as_text=True)
    assert text.startswith('{"success":true,"asset":{"id":') and '"storage":[]' in text
    assert response.get_json()["asset"]["active"] is False


def test_admin_update_keeps_activation_and_sets_storage_filters_and_name(client: FlaskClient) -> None:
    w = world(client)
    made = w.asset("Blue Wand")
    sent = {
        **made,
        "name": "Blue Staff",
        "active": False,
        "storage": [{"key": "k", "value": "v"}, {"key": "k", "value": "w"}],
    }
    updated = w.admin("PATCH", f"asset/{made['id']}", {**sent, "filters": [{"key": "rarity", "value": "rare"}]})[
        "asset"
    ]
    assert updated["name"] == "Blue Staff" and updated["active"] is True
    assert updated["storage"] == [{"id": 1, "key": "k", "value": "w"}]
    assert updated["filters"] == [{"name": "rarity", "value": "rare"}]
    assert w.admin("GET", f"asset/{made['id']}")["asset"]["contexts"][0]["id"] == w.context_id


def test_admin_errors_unknown_context_asset_and_player(client: FlaskClient) -> None:
    w = world(client)
    bad = w.admin("POST", "asset", {"context_id": 999999, "name": "x"}, status=400)
    assert bad["code"] == "parameter_invalid" and bad["param"] == "context_id"
    assert w.admin("GET", "asset/999999", status=404)["code"] == "not_found"
    assert w.admin("POST", "asset", {"name": "no context"}, status=400)["code"] in (
        "parameter_missing",
        "request_body_invalid",
    )
    made = w.asset("Green Car")
    grant = client.post(
        f"/admin/game/{w.game.development_id}/player/999999/inventory/grant",
        json={"asset_id": made["id"]},
        headers=w.game.headers,
    )
    assert grant.status_code == 404


def test_another_games_assets_are_invisible_and_unchangeable(client: FlaskClient) -> None:
    mine, other = world(client, "mine"), world(client, "other")
    theirs = other.asset("Their Sword")
    assert mine.game_api("GET", "/game/v1/assets/list")["assets"] == []
    assert mine.game_api("GET", f"/game/v1/assets/by/id?asset_ids={theirs['id']}")["assets"] == []
    mine.game_api("GET", f"/game/v1/asset/{theirs['id']}", status=404)
    mine.game_api("POST", f"/game/v1/asset/{theirs['id']}/favourite", status=404)
    mine.admin("PATCH", f"asset/{theirs['id']}", {"name": "stolen"}, status=404)
    mine.admin("POST", "data", {"asset_id": theirs["id"], "name": "d", "data": "x"}, status=404)
    assert other.admin("GET", f"asset/{theirs['id']}")["asset"]["name"] == "Their Sword"


def test_inactive_assets_are_not_listed_to_players(client: FlaskClient) -> None:
    w = world(client)
    shown, hidden = w.asset("Shown"), w.asset("Hidden", active=False)
    assert [a["id"] for a in w.game_api("GET", "/game/v1/assets/list")["assets"]] == [shown["id"]]
    listed = w.game_api("POST", "/game/assets/artful-alpaca/v1", {})
    assert [a["asset_id"] for a in listed["assets"]] == [shown["id"]] and listed["pagination"]["total"] == 1
    w.game_api("GET", f"/game/v1/asset/{hidden['id']}", status=404)


def test_legacy_list_count_after_context_and_filters(client: FlaskClient) -> None:
    w = world(client)
    made = [w.asset(f"Asset {i}") for i in range(4)]
    w.admin("PATCH", f"asset/{made[1]['id']}", {"purchasable": True, "filters": [{"key": "kind", "value": "hat"}]})
    ids = [a["id"] for a in made]
    first = w.game_api("GET", "/game/v1/assets/list?count=2")["assets"]
    assert [a["id"] for a in first] == ids[:2]
    after = w.game_api("GET", f"/game/v1/assets/list?count=2&after={ids[1]}")["assets"]
    assert [a["id"] for a in after] == ids[2:]
    assert [a["id"] for a in w.game_api("GET", "/game/v1/assets/list?filter=purchasable")["assets"]] == [ids[1]]
    not_purchasable = w.game_api("GET", "/game/v1/assets/list?filter=!purchasable")["assets"]
    assert [a["id"] for a in not_purchasable] == [ids[0], *ids[2:]]
    by_filter = w.game_api("GET", "/game/v1/assets/list?asset_filters=kind=hat")["assets"]
    assert [a["id"] for a in by_filter] == [ids[1]]
    assert w.game_api("GET", f"/game/v1/assets/list?context_id={w.context_id + 1000}")["assets"] == []
    asset = first[0]
    assert asset["storage"] == [] and asset["data_entities"] == [] and asset["context"] == "Default"


def test_by_ids_keeps_the_order_asked_and_one_asset_answers_both_shapes(client: FlaskClient) -> None:
    w = world(client)
    a, b = w.asset("A"), w.asset("B")
    listed = w.game_api("GET", f"/game/v1/assets/by/id?asset_ids={b['id']},{a['id']},999999")["assets"]
    assert [x["id"] for x in listed] == [b["id"], a["id"]]
    one = w.game_api("GET", f"/game/v1/asset/{a['id']}")
    assert one["id"] == a["id"] and one["name"] == "A" and [x["id"] for x in one["assets"]] == [a["id"]]
    w.game_api("GET", "/game/v1/assets/by/id?asset_ids=abc", status=400)


def test_simplified_list_pages_orders_and_filters(client: FlaskClient) -> None:
    w = world(client)
    made = [w.asset(name) for name in ("beta", "Alpha", "gamma")]
    ids = [a["id"] for a in made]
    by_name = w.game_api("POST", "/game/assets/artful-alpaca/v1?order_by=name&order_direction=asc", {})
    assert [a["asset_name"] for a in by_name["assets"]] == ["Alpha", "beta", "gamma"]
    page = w.game_api("POST", "/game/assets/artful-alpaca/v1?per_page=2&page=2", {})
    assert [a["asset_id"] for a in page["assets"]] == ids[2:]
    assert page["pagination"] == {
        "total": 3,
        "offset": 2,
        "per_page": 2,
        "last_page": 2,
        "current_page": 2,
        "next_page": None,
        "prev_page": 1,
    }
    body = {"filters": {"context_ids": [w.context_id], "asset_ids": ids[:2]}}
    assert w.game_api("POST", "/game/assets/artful-alpaca/v1", body)["pagination"]["total"] == 2
    assert w.game_api("POST", "/game/assets/artful-alpaca/v1", {"filters": {"ugc_only": True}})["assets"] == []
    w.game_api("POST", "/game/assets/artful-alpaca/v1?order_by=price", {}, status=400)
    w.game_api("POST", "/game/assets/artful-alpaca/v1", {"filters": {"asset_ids": ["x"]}}, status=400)


def test_bulk_filter_edits_set_add_and_remove(client: FlaskClient) -> None:
    w = world(client)
    made = w.asset("Filtered")
    path = "assets/filters/bulk"
    w.admin("PATCH", path, [{"action": "set", "asset_ids": [made["id"]], "filters": [{"key": "a", "value": "1"}]}])
    w.admin("PATCH", path, [{"action": "add", "asset_ids": [made["id"]], "filters": [{"key": "b", "value": "2"}]}])
    assert w.admin("GET", f"asset/{made['id']}")["asset"]["filters"] == [
        {"name": "a", "value": "1"},
        {"name": "b", "value": "2"},
    ]
    w.admin("PATCH", path, [{"action": "remove", "asset_ids": [made["id"]], "filters": [{"key": "a", "value": ""}]}])
    assert w.admin("GET", f"asset/{made['id']}")["asset"]["filters"] == [{"name": "b", "value": "2"}]
    w.admin("PATCH", path, [{"action": "explode", "asset_ids": [made["id"]]}], status=400)
    w.admin("PATCH", path, [{"action": "set", "asset_ids": [999999], "filters": []}], status=404)


def test_data_entities_are_listed_only_when_included(client: FlaskClient) -> None:
    w = world(client)
    made = w.asset("Data")
    entity = w.admin("POST", "data", {"asset_id": made["id"], "name": "level", "data": '{"x":1}'})
    assert entity["name"] == "level" and entity["data"] == '{"x":1}' and entity["id"] == 1
    plain = w.game_api("POST", "/game/assets/artful-alpaca/v1", {})["assets"][0]
    assert plain["data_entities"] == [] and plain["metadata"] is None
    included = w.game_api("POST", "/game/assets/artful-alpaca/v1", {"includes": {"data_entities": True}})
    assert included["assets"][0]["data_entities"] == [{"name": "level", "data": '{"x":1}'}]


def test_favourites_add_list_remove_per_player(client: FlaskClient) -> None:
    w = world(client)
    a, b = w.asset("Fav A"), w.asset("Fav B")
    assert [x["id"] for x in w.game_api("POST", f"/game/v1/asset/{b['id']}/favourite")["assets"]] == [b["id"]]
    w.game_api("POST", f"/game/v1/asset/{a['id']}/favourite")
    w.game_api("POST", f"/game/v1/asset/{a['id']}/favourite")  # idempotent
    assert w.game_api("GET", "/game/v1/asset/favourites")["favourites"] == [a["id"], b["id"]]
    other = guest_session(client, w.game, "someone else").get_json()
    assert w.game_api("GET", "/game/v1/asset/favourites", **{"x-session-token": other["session_token"]}) == {
        "favourites": []
    }
    remaining = w.game_api("DELETE", f"/game/v1/asset/{a['id']}/favourite")["assets"]
    assert [x["id"] for x in remaining] == [b["id"]]
    assert w.game_api("GET", "/game/v1/asset/favourites")["favourites"] == [b["id"]]


def test_prefer_forces_documented_statuses_and_needs_a_session(client: FlaskClient) -> None:
    w = world(client)
    forced = w.game_api("GET", "/game/v1/assets/list", status=503, Prefer="code=503")
    assert forced["code"] == "service_unavailable"
    assert w.game_api("POST", "/game/assets/artful-alpaca/v1", {}, status=429, Prefer="code=429")["code"]
    response = client.get("/game/v1/contexts")
    assert response.status_code == 401 and response.get_json()["code"]
    admin = client.get(
        f"/admin/v1/game/{w.game.development_id}/assets/contexts", headers={**w.game.headers, "Prefer": "code=500"}
    )
    assert admin.status_code == 500


def test_players_ugc_assets_in_the_lists_with_their_author(client: FlaskClient) -> None:
    w = world(client)
    official = w.asset("Official")
    session = guest_session(client, w.game, "creator").get_json()
    creator = {"x-session-token": session["session_token"]}
    made = w.game_api(
        "POST",
        "/game/v1/player/assets/candidates",
        {"data": {"name": "Made by a player"}, "completed": True},
        **creator,
    )
    ugc_id = made["asset_candidate"]["asset_id"]
    assert [a["id"] for a in w.game_api("GET", "/game/v1/assets/list")["assets"]] == [official["id"]]
    with_ugc = w.game_api("GET", "/game/v1/assets/list?include_ugc=true")["assets"]
    assert [a["id"] for a in with_ugc] == [official["id"], ugc_id]
    assert with_ugc[1]["asset_candidate"] == {
        "created_by_player_id": session["player_id"],
        "created_by_player_uid": session["public_uid"],
    }
    by_creator = w.game_api("GET", f"/game/v1/assets/list?ugc_creator_player_id={session['player_id']}")["assets"]
    assert [a["id"] for a in by_creator] == [ugc_id]
    only = w.game_api("POST", "/game/assets/artful-alpaca/v1", {"filters": {"ugc_only": True}})["assets"]
    assert [a["asset_id"] for a in only] == [ugc_id]
    assert only[0]["author"]["player_ulid"] == session["player_ulid"]
    assert only[0]["author"]["player_id"] == session["player_id"]
    hidden = w.game_api(
        "POST", "/game/assets/artful-alpaca/v1", {"filters": {"ugc_only": True}, "excludes": {"authors": True}}
    )
    assert hidden["assets"][0]["author"] is None
