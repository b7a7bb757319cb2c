"""LootLocker heroes over HTTP: the game's heroes (set up with the Admin API), a player's heroes (create once, both
create paths, get, rename, default, delete), the hero's asset granted to the inventory, the hero's inventory and
loadout (add by instance or asset, remove), other players' heroes by Steam id and a hero's loadout by id, isolation
and bad input."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game
from .test_ll_characters import Player, admin, new_asset, new_class
from .test_lootlocker_helpers import error_of

HEROES = "/game/v1/player/heroes"
STEAM_ID = "76561197960287931"


def new_hero(client: FlaskClient, game: TestGame, name: str, class_id: int, asset_id: int | None = None) -> int:
    body: dict[str, Any] = {"name": name, "character_class_id": class_id}
    if asset_id is not None:
        body["asset_id"] = asset_id
    return int(admin(client, game, "POST", "heroes", body)["hero"]["id"])


def steam_player(client: FlaskClient, game: TestGame) -> Player:
    """A player signed in with Steam (the generic session with platform steam: its Steam id is the identifier)."""
    body = {"game_key": game.development_api_key, "platform": "steam", "player_identifier": STEAM_ID}
    response = client.post("/game/v2/session", json=body)
    assert response.status_code == 200, response.get_json()
    player = Player.__new__(Player)
    session = response.get_json()
    player.client, player.identifier, player.ulid = client, STEAM_ID, session["player_ulid"]
    player.legacy_id, player.public_uid = session["player_id"], session["public_uid"]
    player.headers = {"x-session-token": session["session_token"]}
    return player


def test_player_heroes_through_their_life(client: FlaskClient) -> None:
    game = create_game(client)
    mage_asset, staff = new_asset(client, game, "Mage Hero"), new_asset(client, game, "Staff")
    player = Player(client, game, "heroes-life")
    player.characters()  # the game's default class and the player's default character first
    wizard = new_class(client, game, "Wizard")
    mage = new_hero(client, game, "Mage", wizard, mage_asset)
    [listed] = player.call("GET", "/game/v1/heroes")["game_heroes"]
    assert listed == {
        "hero_id": mage,
        "character_type_id": wizard,
        "character_type_name": "Wizard",
        "name": "Mage",
        "player_has_hero": False,
        "asset": listed["asset"],
    }
    assert listed["asset"]["id"] == mage_asset
    # The Unity SDK posts to .../heroes/ (with a slash), the Unreal SDK to .../heroes.
    made = player.call("POST", f"{HEROES}/", {"hero_id": mage, "name": "Gandalf", "is_default": False})
    hero = made["hero"]
    assert made["success"] is True and hero["hero_id"] == mage and hero["hero_name"] == "Gandalf"
    assert hero["character_name"] == "Wizard" and hero["is_default"] is False and hero["asset"]["id"] == mage_asset
    inventory = player.call("GET", "/game/v1/player/inventory/list")["inventory"]
    [granted] = [i for i in inventory if i["instance_id"] == hero["instance_id"]]
    assert granted["asset"]["id"] == mage_asset and granted["acquisition_source"] == "grant_hero"
    assert player.call("GET", "/game/v1/heroes")["game_heroes"][0]["player_has_hero"] is True
    error_of(client.post(HEROES, json={"hero_id": mage}, headers=player.headers), 409, "conflict")
    error_of(client.post(HEROES, json={"hero_id": 987654}, headers=player.headers), 404, "not_found")
    error_of(client.post(HEROES, json={"name": "x"}, headers=player.headers), 400, "parameter_missing", "hero_id")
    # The hero is a character of the player.
    assert {c["name"]: c["type"] for c in player.characters()} == {"Default": "Default", "Gandalf": "Wizard"}
    assert [h["id"] for h in player.call("GET", HEROES)["heroes"]] == [hero["id"]]
    assert player.call("GET", f"{HEROES}/{hero['id']}")["hero"] == hero
    # Rename (what hero_name shows) and make it the default: equipping on the default character equips the hero.
    renamed = player.call("PUT", f"{HEROES}/{hero['id']}", {"name": "Gandalf the White", "is_default": True})
    assert renamed["hero"]["hero_name"] == "Gandalf the White" and renamed["hero"]["is_default"] is True
    staff_1 = player.grant(staff)
    player.call("POST", "/game/v1/player/equip", {"instance_id": staff_1})
    loadout = player.call("GET", f"{HEROES}/{hero['id']}/loadout")
    assert loadout["success"] is True and [e["instance_id"] for e in loadout["loadout"]] == [staff_1]
    # Delete.
    assert player.call("DELETE", f"{HEROES}/{hero['id']}", status=204) is None
    error_of(client.get(f"{HEROES}/{hero['id']}", headers=player.headers), 404, "not_found")
    assert player.call("GET", HEROES)["heroes"] == []
    assert [c["is_default"] for c in player.characters()] == [True]  # the other character is the default again


def test_hero_inventory_and_loadout(client: FlaskClient) -> None:
    game = create_game(client)
    ranger_asset, bow, arrow = (new_asset(client, game, n) for n in ("Ranger Hero", "Bow", "Arrow"))
    player = Player(client, game, "heroes-loadout")
    player.characters()
    ranger = new_hero(client, game, "Ranger", new_class(client, game, "Archer"), ranger_asset)
    hero = player.call("POST", HEROES, {"hero_id": ranger, "name": "Robin", "is_default": False})["hero"]
    base = f"{HEROES}/{hero['id']}"
    bow_1 = player.grant(bow)
    player.grant(arrow)
    added = player.call("POST", f"{base}/loadout", {"hero_id": hero["id"], "asset_instance_id": bow_1})
    assert [e["instance_id"] for e in added["loadout"]] == [bow_1]
    by_asset = player.call(
        "POST", f"{base}/loadout", {"hero_id": hero["id"], "asset_id": arrow, "asset_variation_id": 0}
    )
    # One asset per context: the arrow (same context) takes the bow's place.
    [arrow_entry] = by_asset["loadout"]
    assert arrow_entry["asset"]["id"] == arrow
    inventory = player.call("GET", f"{base}/inventory")["inventory"]
    assert [i["instance_id"] for i in inventory] == [hero["instance_id"], arrow_entry["instance_id"]]
    # Anyone of the game reads a hero's loadout by its id.
    viewer = Player(client, game, "heroes-viewer")
    assert viewer.call("GET", f"/game/v1/heroes/{hero['id']}/loadout")["loadout"] == by_asset["loadout"]
    removed = player.call("DELETE", f"{base}/loadout/{arrow_entry['instance_id']}")
    assert removed["loadout"] == []
    error_of(client.delete(f"{base}/loadout/{arrow_entry['instance_id']}", headers=player.headers), 404, "not_found")
    # Another player's hero is unknown to the player calls; an instance not held cannot be equipped.
    error_of(client.get(f"{base}/loadout", headers=viewer.headers), 404, "not_found")
    error_of(client.get(f"{base}/inventory", headers=viewer.headers), 404, "not_found")
    response = client.post(f"{base}/loadout", json={"asset_instance_id": viewer.grant(bow)}, headers=player.headers)
    error_of(response, 404, "not_found")
    response = client.post(f"{base}/loadout", json={"hero_id": hero["id"]}, headers=player.headers)
    error_of(response, 400, "parameter_missing", "instance_id")
    # A plain character is no hero.
    default_id = next(c["id"] for c in player.characters() if c["name"] == "Default")
    error_of(client.get(f"{HEROES}/{default_id}", headers=player.headers), 404, "not_found")
    error_of(client.get(f"/game/v1/heroes/{default_id}/loadout", headers=viewer.headers), 404, "not_found")


def test_other_players_heroes_by_steam_id(client: FlaskClient) -> None:
    game = create_game(client, platforms=("guest", "steam"))
    knight = new_hero(client, game, "Knight", new_class(client, game, "Fighter"))
    owner = steam_player(client, game)
    hero = owner.call("POST", HEROES, {"hero_id": knight, "name": "Lancelot", "is_default": True})["hero"]
    assert hero["instance_id"] == 0 and hero["asset"] is None  # a hero without an asset
    viewer = Player(client, game, "heroes-steam-viewer")
    assert viewer.call("GET", f"/game/v1/heroes/list/{STEAM_ID}")["heroes"] == [hero]
    assert viewer.call("GET", f"{HEROES}/default/{STEAM_ID}")["hero"] == hero
    assert viewer.call("GET", f"/game/v1/heroes/list/{owner.public_uid}")["heroes"] == [hero]  # other ids too
    error_of(client.get("/game/v1/heroes/list/76561190000000000", headers=viewer.headers), 404, "not_found")
    # A player whose default character is no hero has no default hero.
    error_of(client.get(f"{HEROES}/default/{viewer.public_uid}", headers=viewer.headers), 404, "not_found")


def test_admin_heroes_and_isolation(client: FlaskClient) -> None:
    game, other_game = create_game(client), create_game(client, name="elsewhere")
    fighter = new_class(client, game, "Fighter")
    knight = new_hero(client, game, "Knight", fighter)
    assert admin(client, game, "GET", "heroes")["heroes"] == [
        {"id": knight, "name": "Knight", "character_class_id": fighter, "asset_id": None}
    ]
    response = client.post(game.dev("heroes"), json={"name": "No class"}, headers=game.headers)
    error_of(response, 400, "parameter_missing", "character_class_id")
    response = client.post(game.dev("heroes"), json={"name": "x", "character_class_id": 987654}, headers=game.headers)
    error_of(response, 400, "parameter_invalid", "character_class_id")
    body = {"name": "x", "character_type_id": fighter, "asset_id": 987654}
    error_of(client.post(game.dev("heroes"), json=body, headers=game.headers), 400, "parameter_invalid", "asset_id")
    error_of(client.delete(game.dev(f"character-classes/{fighter}"), headers=game.headers), 409, "conflict")
    # Another game's players do not see the hero.
    stranger = Player(client, other_game, "heroes-stranger")
    assert stranger.call("GET", "/game/v1/heroes")["game_heroes"] == []
    error_of(client.post(HEROES, json={"hero_id": knight}, headers=stranger.headers), 404, "not_found")
    error_of(client.delete(other_game.dev(f"heroes/{knight}"), headers=other_game.headers), 404, "not_found")
    assert admin(client, game, "DELETE", f"heroes/{knight}", status=204) is None
    assert admin(client, game, "GET", "heroes")["heroes"] == []


def test_prefer_forcing(client: FlaskClient) -> None:
    game = create_game(client)
    player = Player(client, game, "heroes-prefer")
    forced = client.post(HEROES, json={"hero_id": 1}, headers={**player.headers, "Prefer": "code=409"})
    error_of(forced, 409, "conflict")
    assert player.call("GET", HEROES)["heroes"] == []  # nothing was made
    ok = client.get("/game/v1/heroes", headers={**player.headers, "Prefer": "code=200"})
    assert ok.status_code == 200 and ok.get_json() == {"success": True, "game_heroes": []}
