"""A player's inventory over HTTP: grants (Game API, Admin API, `inventory.grant` as purchases and rewards call it),
the legacy and simplified lists, grant notifications told once, removal, instance key-value storage, loot boxes,
rentals and their deactivation, DLCs; another player's instances are invisible and unchangeable."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from mockserver.lootlocker import ids
from mockserver.lootlocker.collections import PLAYERS
from mockserver.lootlocker.economy import inventory

from .ll_admin_helpers import guest_session
from .test_ll_assets import World, world


def grant(w: World, asset_id: int, **more: Any) -> dict[str, Any]:
    return dict(w.game_api("POST", "/game/player/inventory/grant", {"asset_id": asset_id, **more}))


def test_game_api_grant_is_listed_and_notified_once(client: FlaskClient) -> None:
    w = world(client)
    made = w.asset("Hat")
    granted = grant(w, made["id"])
    assert granted["asset_id"] == made["id"] and granted["asset_ulid"] == made["ulid"]
    assert granted["acquisition_source"] == "grant_game_api" and granted["asset_variation_id"] is None
    listed = w.game_api("GET", "/game/v1/player/inventory/list")["inventory"]
    assert [i["instance_id"] for i in listed] == [granted["id"]]
    assert listed[0]["asset"]["id"] == made["id"] and listed[0]["rental"]["is_rental"] is False
    told = w.game_api("GET", "/game/v1/player/notification/assets")["objects"]
    assert [o["instance_id"] for o in told] == [granted["id"]] and told[0]["asset"]["name"] == "Hat"
    assert w.game_api("GET", "/game/v1/player/notification/assets")["objects"] == []


def test_game_api_grant_of_an_inactive_or_unknown_asset_is_404_and_bad_body_400(client: FlaskClient) -> None:
    w = world(client)
    hidden = w.asset("Hidden", active=False)
    w.game_api("POST", "/game/player/inventory/grant", {"asset_id": hidden["id"]}, status=404)
    w.game_api("POST", "/game/player/inventory/grant", {"asset_id": 999999}, status=404)
    bad = w.game_api("POST", "/game/player/inventory/grant", {"asset_id": "one"}, status=400)
    assert bad["code"] in ("parameter_invalid", "request_body_invalid")
    assert w.game_api("GET", "/game/v1/player/inventory/list")["inventory"] == []


def test_inventory_grant_function_takes_an_id_or_a_ulid_even_of_an_inactive_asset(client: FlaskClient) -> None:
    w = world(client)
    made = w.asset("Reward", active=False)  # TriggerTests reward assets they never activate
    store = client.application.extensions["mockserver.store"]
    session = guest_session(client, w.game, "rewarded").get_json()
    with store.write() as tx:
        player = tx.find(PLAYERS, game_id=str(w.game.development_id), legacy_id=session["player_id"])[0]
        by_ulid = inventory.grant(tx, str(w.game.development_id), player["id"], made["ulid"], "reward")
        by_id = inventory.grant(tx, str(w.game.development_id), player["id"], made["id"], "purchase")
    assert (by_ulid["acquisition_source"], by_id["acquisition_source"]) == ("grant_reward", "purchase_catalog")
    listed = w.game_api("GET", "/game/v1/player/inventory/list", **{"x-session-token": session["session_token"]})
    assert [i["instance_id"] for i in listed["inventory"]] == [by_ulid["instance_id"], by_id["instance_id"]]


def test_admin_grant_by_legacy_id(client: FlaskClient) -> None:
    w = world(client)
    made = w.asset("Granted")
    session = guest_session(client, w.game, "granted player").get_json()
    response = client.post(
        f"/admin/game/{w.game.development_id}/player/{session['player_id']}/inventory/grant",
        json={"asset_id": made["id"]},
        headers=w.game.headers,
    )
    assert response.status_code == 200 and response.get_json()["acquisition_source"] == "grant_admin"
    headers = {"x-session-token": session["session_token"]}
    assert len(w.game_api("GET", "/game/v1/player/inventory/list", **headers)["inventory"]) == 1
    assert w.game_api("GET", "/game/v1/player/inventory/list")["inventory"] == []  # the world's own player


def test_legacy_list_count_after_and_simplified_pages_and_filters(client: FlaskClient) -> None:
    w = world(client)
    a, b = w.asset("A"), w.asset("B")
    granted = [grant(w, a["id"])["id"], grant(w, b["id"])["id"], grant(w, a["id"])["id"]]
    first = w.game_api("GET", "/game/v1/player/inventory/list?count=2")["inventory"]
    assert [i["instance_id"] for i in first] == granted[:2]
    rest = w.game_api("GET", f"/game/v1/player/inventory/list?count=2&after={granted[1]}")["inventory"]
    assert [i["instance_id"] for i in rest] == granted[2:]
    page = w.game_api("POST", "/game/player/inventories/v1?per_page=2&page=2", {})
    assert [i["instance_id"] for i in page["items"]] == granted[2:] and page["pagination"]["total"] == 3
    only_a = w.game_api("POST", "/game/player/inventories/v1", {"filters": {"asset_ids": [a["id"]]}})
    assert [i["instance_id"] for i in only_a["items"]] == [granted[0], granted[2]]
    assert "metadata" not in only_a["items"][0]
    other_context = {"filters": {"context_ids": [w.context_id + 1000]}}
    assert w.game_api("POST", "/game/player/inventories/v1", other_context)["items"] == []


def test_simplified_list_metadata_keys(client: FlaskClient) -> None:
    w = world(client)
    made = w.asset("Meta")
    entries = [
        {"key": k, "type": "string", "value": k.upper(), "tags": [], "access": ["game_api.read"], "action": "upsert"}
        for k in ("one", "two")
    ]
    set_up = client.post(
        w.game.dev("metadata"),
        json={"source": "asset", "source_id": made["ulid"], "entries": entries},
        headers=w.game.headers,
    )
    assert set_up.status_code == 200
    grant(w, made["id"])
    body = {"includes": {"metadata": {"keys": ["two"], "all": False}}}
    item = w.game_api("POST", "/game/player/inventories/v1", body)["items"][0]
    assert [e["key"] for e in item["metadata"]] == ["two"]
    everything = w.game_api(
        "POST", "/game/player/inventories/v1", {"includes": {"metadata": {"keys": [], "all": True}}}
    )
    assert sorted(e["key"] for e in everything["items"][0]["metadata"]) == ["one", "two"]


def test_delete_and_isolation_between_players(client: FlaskClient) -> None:
    w = world(client)
    made = w.asset("Mine")
    instance = grant(w, made["id"])["id"]
    thief = {"x-session-token": guest_session(client, w.game, "thief").get_json()["session_token"]}
    w.game_api("DELETE", f"/game/player/inventory/{instance}", status=404, **thief)
    w.game_api("POST", f"/game/v1/asset/instance/{instance}/storage", {"key": "k", "value": "v"}, status=404, **thief)
    w.game_api("GET", f"/game/v1/asset/instance/{instance}/storage", status=404, **thief)
    assert w.game_api("GET", "/game/v1/asset/instance/storage", **thief)["keypairs"] == []
    assert len(w.game_api("GET", "/game/v1/player/inventory/list")["inventory"]) == 1
    w.game_api("POST", f"/game/player/inventory/{instance}", status=204)  # the Unreal SDK's POST
    assert w.game_api("GET", "/game/v1/player/inventory/list")["inventory"] == []
    w.game_api("DELETE", f"/game/player/inventory/{instance}", status=404)


def test_instance_storage_create_update_get_delete(client: FlaskClient) -> None:
    w = world(client)
    instance = grant(w, w.asset("Box")["id"])["id"]
    base = f"/game/v1/asset/instance/{instance}/storage"
    created = w.game_api("POST", base, {"key": "color", "value": "red"})["storage"]
    assert [(p["key"], p["value"]) for p in created] == [("color", "red")]
    pairs = w.game_api("PUT", base, {"storage": [{"key": "color", "value": "blue"}, {"key": "size", "value": "L"}]})
    assert [(p["key"], p["value"]) for p in pairs["storage"]] == [("color", "blue"), ("size", "L")]
    color, size = (p["id"] for p in pairs["storage"])
    one = w.game_api("GET", f"{base}/{size}")["keypair"]
    assert one == {"instance_id": instance, "storage": {"id": size, "key": "size", "value": "L"}}
    w.game_api("PUT", f"{base}/{size}", {"key": "color", "value": "x"}, status=409)
    changed = w.game_api("PUT", f"{base}/{size}", {"key": "size", "value": "XL"})["storage"]
    assert changed[1] == {"id": size, "key": "size", "value": "XL"}
    assert w.game_api("DELETE", f"{base}/{color}")["storage"] == [{"id": size, "key": "size", "value": "XL"}]
    w.game_api("GET", f"{base}/{color}", status=404)
    everything = w.game_api("GET", "/game/v1/asset/instance/storage")["keypairs"]
    assert everything == [{"instance_id": instance, "storage": {"id": size, "key": "size", "value": "XL"}}]
    w.game_api("POST", base, {"value": "no key"}, status=400)


def test_loot_box_inspect_and_open(client: FlaskClient) -> None:
    w = world(client)
    prize = w.asset("Prize")
    box = w.asset("Box", loot_box_contents=[{"asset_id": prize["id"], "weight": 3}])
    plain = grant(w, prize["id"])["id"]
    w.game_api("GET", f"/game/v1/asset/instance/{plain}/inspect", status=400)
    boxed = grant(w, box["id"])["id"]
    w.game_api("GET", "/game/v1/player/notification/assets")  # tell the grants so far
    contents = w.game_api("GET", f"/game/v1/asset/instance/{boxed}/inspect")["contents"]
    assert contents == [
        {"asset_id": prize["id"], "asset_variation_id": None, "asset_rental_option_id": None, "weight": 3}
    ]
    assert w.game_api("PUT", f"/game/v1/asset/instance/{boxed}/open") == {"check_grant_notifications": True}
    told = w.game_api("GET", "/game/v1/player/notification/assets")["objects"]
    assert [o["asset"]["id"] for o in told] == [prize["id"]] and told[0]["acquisition_source"] == "grant_loot_box"
    held = [i["asset"]["id"] for i in w.game_api("GET", "/game/v1/player/inventory/list")["inventory"]]
    assert held == [prize["id"], prize["id"]]  # the box is gone
    w.game_api("PUT", f"/game/v1/asset/instance/{boxed}/open", status=404)
    w.admin("PATCH", f"asset/{box['id']}", {"loot_box_contents": [{"asset_id": 999999, "weight": 1}]}, status=404)


def test_rental_activation_counts_down_and_runs_out(client: FlaskClient, monkeypatch: Any) -> None:
    w = world(client)
    rented = w.asset("Rental", rental_options=[{"name": "an hour", "duration": 3600, "price": 5}])
    option = w.admin("GET", f"asset/{rented['id']}")["asset"]["rental_options"][0]
    assert option["duration"] == 3600 and option["name"] == "an hour"
    w.game_api(
        "POST", "/game/player/inventory/grant", {"asset_id": rented["id"], "asset_rental_option_id": 99}, status=400
    )
    instance = grant(w, rented["id"], asset_rental_option_id=option["id"])["id"]
    listed = w.game_api("GET", "/game/v1/player/inventory/list")["inventory"][0]
    assert listed["rental"] == {"is_rental": True, "time_left": "3600", "duration": "3600", "is_active": "false"}
    assert listed["rental_option_id"] == str(option["id"])
    left = w.game_api("POST", f"/game/v1/asset/instance/{instance}/activate")["time_left"]
    assert 3595 <= left <= 3600
    assert w.game_api("GET", "/game/v1/player/notification/deactivations")["objects"] == []
    later = ids.epoch_now() + 4000
    monkeypatch.setattr(ids, "epoch_now", lambda: later)
    assert w.game_api("POST", f"/game/v1/asset/instance/{instance}/activate")["time_left"] == 0
    gone = w.game_api("GET", "/game/v1/player/notification/deactivations")["objects"]
    assert [o["instance_id"] for o in gone] == [instance]
    assert w.game_api("GET", "/game/v1/player/notification/deactivations")["objects"] == []
    not_rental = grant(w, w.asset("Plain")["id"])["id"]
    w.game_api("POST", f"/game/v1/asset/instance/{not_rental}/activate", status=400)


def test_dlcs_migrate_and_list(client: FlaskClient) -> None:
    w = world(client)
    w.game_api("POST", "/game/v1/player/dlcs", {}, status=204)
    assert w.game_api("GET", "/game/v1/player/dlcs") == {"dlcs": []}


def test_drop_table_compute_locks_and_pick_grants_and_uses_the_table_up(client: FlaskClient) -> None:
    w = world(client)
    sure, never, tagged = w.asset("Sure"), w.asset("Never"), w.asset("Tagged")
    drops = [
        {"asset_id": sure["id"]},
        {"asset_id": never["id"], "chance": 0},
        {"asset_id": tagged["id"], "chance": 100, "tag": "rare"},
    ]
    table = w.asset("Table", drop_table=drops)
    instance = grant(w, table["id"])["id"]
    computed = w.game_api("POST", f"/game/v1/player/droptables/{instance}/compute?asset_details=false")["items"]
    assert [d["asset_id"] for d in computed] == [sure["id"], tagged["id"]] and "asset" not in computed[0]
    again = w.game_api("POST", f"/game/v1/player/droptables/{instance}/compute?asset_details=true")["items"]
    assert [d["id"] for d in again] == [d["id"] for d in computed] and again[0]["asset"]["name"] == "Sure"
    w.game_api("POST", f"/game/v1/player/droptables/{instance}/pick", {"picks": [999999]}, status=400)
    picked = w.game_api("POST", f"/game/v1/player/droptables/{instance}/pick", {"picks": [computed[1]["id"]]})["items"]
    assert [p["asset"]["id"] for p in picked] == [tagged["id"]] and picked[0]["quantity"] == 1
    held = [i["asset"]["id"] for i in w.game_api("GET", "/game/v1/player/inventory/list")["inventory"]]
    assert held == [tagged["id"]]  # the table is used up
    assert (
        picked[0]["instance_id"] == w.game_api("GET", "/game/v1/player/inventory/list")["inventory"][0]["instance_id"]
    )
    w.game_api("POST", f"/game/v1/player/droptables/{instance}/compute", status=404)


def test_drop_table_tag_filter_pick_before_compute_and_not_a_table(client: FlaskClient) -> None:
    w = world(client)
    common, rare = w.asset("Common"), w.asset("Rare")
    table = w.asset("Table", drop_table=[{"asset_id": common["id"]}, {"asset_id": rare["id"], "tag": "rare"}])
    instance = grant(w, table["id"])["id"]
    w.game_api("POST", f"/game/v1/player/droptables/{instance}/pick", {"picks": []}, status=400)
    computed = w.game_api("POST", f"/game/v1/player/droptables/{instance}/compute?asset_details=false&tag=rare")
    assert [d["asset_id"] for d in computed["items"]] == [rare["id"]]
    plain = grant(w, common["id"])["id"]
    w.game_api("POST", f"/game/v1/player/droptables/{plain}/compute?asset_details=false", status=404)
    thief = {"x-session-token": guest_session(client, w.game, "thief").get_json()["session_token"]}
    w.game_api("POST", f"/game/v1/player/droptables/{instance}/compute", status=404, **thief)
    w.admin("PATCH", f"asset/{table['id']}", {"drop_table": [{"asset_id": 999999}]}, status=404)


def test_a_loot_box_of_weightless_contents_opens_empty(client: FlaskClient) -> None:
    w = world(client)
    prize = w.asset("Prize")
    box = w.asset("Box", loot_box_contents=[{"asset_id": prize["id"], "weight": 0}])
    boxed = grant(w, box["id"])["id"]
    assert w.game_api("GET", f"/game/v1/asset/instance/{boxed}/inspect")["contents"][0]["weight"] == 0
    assert w.game_api("PUT", f"/game/v1/asset/instance/{boxed}/open") == {"check_grant_notifications": False}
    assert w.game_api("GET", "/game/v1/player/inventory/list")["inventory"] == []


def test_forget_player_removes_instances_and_favourites_of_that_player_only(client: FlaskClient) -> None:
    w = world(client)
    made = w.asset("Kept")
    grant(w, made["id"])
    w.game_api("POST", f"/game/v1/asset/{made['id']}/favourite")
    other = guest_session(client, w.game, "stays").get_json()
    other_headers = {"x-session-token": other["session_token"]}
    w.game_api("POST", "/game/player/inventory/grant", {"asset_id": made["id"]}, **other_headers)
    store = client.application.extensions["mockserver.store"]
    game_id = str(w.game.development_id)
    with store.write() as tx:
        mine = next(p for p in tx.find(PLAYERS, game_id=game_id) if p["legacy_id"] != other["player_id"])
        inventory.forget_player(tx, game_id, mine["id"])
    assert w.game_api("GET", "/game/v1/player/inventory/list")["inventory"] == []
    assert w.game_api("GET", "/game/v1/asset/favourites")["favourites"] == []
    assert len(w.game_api("GET", "/game/v1/player/inventory/list", **other_headers)["inventory"]) == 1


def test_universal_assets_are_the_active_global_ones(client: FlaskClient) -> None:
    w = world(client)
    first, second = w.asset("Everyone's hat", **{"global": True}), w.asset("Everyone's cape", **{"global": True})
    w.asset("Ordinary")
    w.asset("Not yet", active=False, **{"global": True})
    assert w.admin("GET", f"asset/{first['id']}")["asset"]["global"] is True
    listed = w.game_api("GET", "/game/v1/player/inventory/universal?count=10")["global_assets"]
    assert [u["universal_id"] for u in listed] == [first["id"], second["id"]]
    assert listed[0]["asset"]["name"] == "Everyone's hat" and listed[0]["acquisition_source"] == "grant_universal"
    after = w.game_api("GET", f"/game/v1/player/inventory/universal?count=1&after={first['id']}")["global_assets"]
    assert [u["universal_id"] for u in after] == [second["id"]]
    assert w.game_api("GET", "/game/v1/player/inventory/list")["inventory"] == []  # not granted instances


def test_delete_of_the_literal_grant_path_is_an_unknown_instance(client: FlaskClient) -> None:
    w = world(client)
    assert w.game_api("DELETE", "/game/player/inventory/grant", status=404)["code"] == "not_found"
    w.game_api("DELETE", "/game/player/inventory/abc", status=404)
