"""LootLocker characters over HTTP: a game's classes (the default one a game starts with, classes set up with the
Admin API), a player's characters (the default character, create/update/delete and the default flag), loadouts (a
class's default loadout granted and equipped; equip by instance or by asset, one asset per context, an instance on
one character at a time, unequip; instances leaving the inventory leave the loadout), other players' loadouts,
equippable contexts, character progressions, isolation between players and games, bad input and `Prefer` forcing."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from mockserver.lootlocker import characters
from mockserver.lootlocker.collections import CHARACTERS, PLAYER_PROGRESSIONS

from .ll_admin_helpers import TestGame, create_game, guest_session
from .test_lootlocker_helpers import error_of

CHARACTER = "/game/v1/player/character"


class Player:
    def __init__(self, client: FlaskClient, game: TestGame, identifier: str) -> None:
        response = guest_session(client, game, identifier)
        assert response.status_code == 200, response.get_json()
        session = response.get_json()
        self.client = client
        self.identifier = identifier
        self.ulid: str = session["player_ulid"]
        self.legacy_id: int = session["player_id"]
        self.public_uid: str = session["public_uid"]
        self.headers = {"x-session-token": session["session_token"]}

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = self.client.open(path, method=method, json=body, headers=self.headers)
        assert response.status_code == status, (path, response.get_json())
        return response.get_json()

    def characters(self) -> list[dict[str, Any]]:
        return list(self.call("GET", f"{CHARACTER}/list")["items"])

    def loadouts(self) -> dict[str, list[dict[str, Any]]]:
        """character name → the asset ids of its loadout"""
        answer = self.call("GET", f"{CHARACTER}/loadout")
        assert answer["success"] is True
        return {
            entry["character"]["name"]: [e["asset"]["id"] for e in entry["loadout"]] for entry in answer["loadouts"]
        }

    def grant(self, asset_id: int) -> int:
        return int(self.call("POST", "/game/player/inventory/grant", {"asset_id": asset_id})["id"])


def admin(client: FlaskClient, game: TestGame, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = client.open(game.dev(path), method=method, json=body, headers=game.headers)
    assert response.status_code == status, (path, response.get_json())
    return response.get_json()


def new_class(client: FlaskClient, game: TestGame, name: str, **fields: Any) -> int:
    return int(admin(client, game, "POST", "character-classes", {"name": name, **fields})["character_class"]["id"])


def new_asset(client: FlaskClient, game: TestGame, name: str) -> int:
    """An active asset in the game's default context (the Admin API of economy/assets)."""
    base = f"/admin/v1/game/{game.development_id}"
    contexts = client.get(f"{base}/assets/contexts", headers=game.headers).get_json()["contexts"]
    created = client.post(f"{base}/asset", json={"context_id": contexts[0]["id"], "name": name}, headers=game.headers)
    assert created.status_code == 200, created.get_json()
    asset_id = int(created.get_json()["asset"]["id"])
    activated = client.post(f"{base}/asset/{asset_id}/activate", json={}, headers=game.headers)
    assert activated.status_code in (200, 204), activated.get_json()
    return asset_id


def test_a_game_starts_with_a_default_class_and_a_player_with_a_default_character(client: FlaskClient) -> None:
    game = create_game(client)
    player = Player(client, game, "chars-default")
    types = player.call("GET", f"{CHARACTER}/types")
    assert types["success"] is True
    [kind] = types["character_types"]
    assert (kind["name"], kind["is_default"], kind["storage"], kind["default_loadout"]) == ("Default", True, [], [])
    [character] = player.characters()
    assert character["type"] == "Default" and character["name"] == "Default" and character["is_default"] is True
    assert isinstance(character["id"], int) and len(character["ulid"]) == 26
    assert player.loadouts() == {"Default": []}
    assert player.call("GET", "/game/v1/player/loadout") == {"success": True, "loadout": []}
    assert len(player.characters()) == 1  # made once


def test_create_update_delete_and_the_default_flag(client: FlaskClient) -> None:
    game = create_game(client)
    warrior = new_class(client, game, "Warrior", storage=[{"key": "hp", "value": "100"}])
    player = Player(client, game, "chars-crud")
    # The Unity SDK sends the class id as a string.
    created = player.call("POST", CHARACTER, {"character_type_id": str(warrior), "name": "Bob", "is_default": True})
    assert created["success"] is True
    by_name = {e["character"]["name"]: e["character"] for e in created["loadouts"]}
    assert by_name["Bob"]["type"] == "Warrior" and by_name["Bob"]["is_default"] is True
    # The game's first class is its default class: the player's first character is of it, named after it.
    assert by_name["Warrior"]["type"] == "Warrior" and by_name["Warrior"]["is_default"] is False
    types = {t["name"]: t for t in player.call("GET", f"{CHARACTER}/types")["character_types"]}
    assert [(p["key"], p["value"]) for p in types["Warrior"]["storage"]] == [("hp", "100")]
    bob = by_name["Bob"]["id"]
    renamed = player.call("PUT", f"{CHARACTER}/{bob}", {"name": "Robert", "is_default": False})
    names = {e["character"]["name"]: e["character"]["is_default"] for e in renamed["loadouts"]}
    assert names == {"Warrior": False, "Robert": True}  # is_default false leaves the player its default
    default_id = next(c["id"] for c in player.characters() if c["name"] == "Warrior")
    player.call("PUT", f"{CHARACTER}/{default_id}", {"is_default": True})
    assert {c["name"]: c["is_default"] for c in player.characters()} == {"Warrior": True, "Robert": False}
    assert player.call("DELETE", f"{CHARACTER}/{default_id}", status=204) is None
    [left] = player.characters()
    assert left["name"] == "Robert" and left["is_default"] is True  # the oldest remaining one becomes the default
    error_of(player.client.delete(f"{CHARACTER}/{default_id}", headers=player.headers), 404, "not_found")
    # Another player's character is as unknown.
    other = Player(client, game, "chars-crud-other")
    error_of(client.put(f"{CHARACTER}/{bob}", json={"name": "x"}, headers=other.headers), 404, "not_found")
    error_of(client.delete(f"{CHARACTER}/{bob}", headers=other.headers), 404, "not_found")
    # Bad input.
    response = client.post(CHARACTER, json={"name": "x"}, headers=player.headers)
    error_of(response, 400, "parameter_missing", "character_type_id")
    error_of(client.post(CHARACTER, json={"character_type_id": 999999}, headers=player.headers), 404, "not_found")
    response = client.post(CHARACTER, json={"character_type_id": "abc"}, headers=player.headers)
    error_of(response, 400, "parameter_invalid", "character_type_id")
    error_of(client.put(f"{CHARACTER}/nope", json={}, headers=player.headers), 404, "not_found")
    assert client.get(f"{CHARACTER}/list").status_code == 401


def test_a_classes_default_loadout_is_granted_and_equipped(client: FlaskClient) -> None:
    game = create_game(client)
    sword = new_asset(client, game, "Sword")
    mage = new_class(client, game, "Mage", default_loadout=[{"asset_id": sword}])
    player = Player(client, game, "chars-default-loadout")
    [kind] = [t for t in player.call("GET", f"{CHARACTER}/types")["character_types"] if t["name"] == "Mage"]
    assert [(d["asset_id"], d["asset"]["name"]) for d in kind["default_loadout"]] == [(sword, "Sword")]
    created = player.call("POST", CHARACTER, {"character_type_id": mage, "name": "Merlin", "is_default": False})
    [merlin] = [e for e in created["loadouts"] if e["character"]["name"] == "Merlin"]
    [entry] = merlin["loadout"]
    assert entry["asset"]["id"] == sword and entry["variation_id"] == 0 and entry["rental"]["is_rental"] is False
    assert entry["mounted_at"]
    inventory = player.call("GET", "/game/v1/player/inventory/list")["inventory"]
    [held] = [i for i in inventory if i["instance_id"] == entry["instance_id"]]
    assert held["acquisition_source"] == "grant_character"


def test_equip_and_unequip(client: FlaskClient) -> None:
    game = create_game(client)
    helmet, hat = new_asset(client, game, "Helmet"), new_asset(client, game, "Hat")
    player = Player(client, game, "chars-equip")
    assert [c["name"] for c in player.characters()] == ["Default"]  # the game's first class: "Default"
    rogue = new_class(client, game, "Rogue")
    helmet_1, hat_1 = player.grant(helmet), player.grant(hat)
    equipped = player.call("POST", "/game/v1/player/equip", {"instance_id": helmet_1})
    assert equipped["success"] is True and equipped["character"]["name"] == "Default"
    assert [e["instance_id"] for e in equipped["loadout"]] == [helmet_1]
    # One asset per context (max_equip_count 1): the hat, by asset id, takes the helmet's place.
    equipped = player.call("POST", "/game/v1/player/equip", {"asset_id": hat, "asset_variation_id": 0})
    assert [e["instance_id"] for e in equipped["loadout"]] == [hat_1]
    assert [e["instance_id"] for e in player.call("GET", "/game/v1/player/loadout")["loadout"]] == [hat_1]
    # An instance is on one character at a time: equipping it on another character moves it.
    created = player.call("POST", CHARACTER, {"character_type_id": rogue, "name": "Rogue One", "is_default": False})
    rogue_id = next(e["character"]["id"] for e in created["loadouts"] if e["character"]["name"] == "Rogue One")
    moved = player.call("POST", f"{CHARACTER}/{rogue_id}/equip", {"instance_id": hat_1})
    assert moved["character"]["id"] == rogue_id and [e["instance_id"] for e in moved["loadout"]] == [hat_1]
    assert player.loadouts() == {"Default": [], "Rogue One": [hat]}
    # Equipping by asset id prefers an instance that is equipped nowhere.
    hat_2 = player.grant(hat)
    on_default = player.call("POST", "/game/v1/player/equip", {"asset_id": hat})
    assert [e["instance_id"] for e in on_default["loadout"]] == [hat_2]
    assert player.loadouts() == {"Default": [hat], "Rogue One": [hat]}
    # Unequip.
    off = player.call("DELETE", f"{CHARACTER}/{rogue_id}/equip/{hat_1}")
    assert off["loadout"] == [] and off["character"]["id"] == rogue_id
    error_of(client.delete(f"{CHARACTER}/{rogue_id}/equip/{hat_1}", headers=player.headers), 404, "not_found")
    assert player.call("DELETE", f"/game/v1/player/equip/{hat_2}")["loadout"] == []
    error_of(client.delete(f"/game/v1/player/equip/{hat_2}", headers=player.headers), 404, "not_found")
    # What is not in the player's inventory cannot be equipped.
    other = Player(client, game, "chars-equip-other")
    theirs = other.grant(helmet)
    response = client.post("/game/v1/player/equip", json={"instance_id": theirs}, headers=player.headers)
    error_of(response, 404, "not_found")
    error_of(client.post("/game/v1/player/equip", json={"asset_id": 987654}, headers=player.headers), 404, "not_found")
    error_of(
        client.post("/game/v1/player/equip", json={}, headers=player.headers), 400, "parameter_missing", "instance_id"
    )
    error_of(
        client.post(f"{CHARACTER}/{rogue_id}/equip", json={"instance_id": helmet_1}, headers=other.headers),
        404,
        "not_found",
    )
    # An instance deleted from the inventory leaves the loadout.
    player.call("POST", "/game/v1/player/equip", {"instance_id": helmet_1})
    assert player.call("DELETE", f"/game/player/inventory/{helmet_1}", status=204) is None
    assert player.call("GET", "/game/v1/player/loadout")["loadout"] == []


def test_other_players_loadouts(client: FlaskClient) -> None:
    game = create_game(client)
    cape = new_asset(client, game, "Cape")
    owner, viewer = Player(client, game, "chars-owner"), Player(client, game, "chars-viewer")
    owner.call("POST", "/game/v1/player/equip", {"instance_id": owner.grant(cape)})
    expected = owner.call("GET", f"{CHARACTER}/loadout")["loadouts"]
    for path in (
        f"{CHARACTER}/loadout/puid/{owner.public_uid}",
        f"{CHARACTER}/loadout/{owner.legacy_id}",
        f"{CHARACTER}/loadout/{owner.ulid}",
        f"{CHARACTER}/loadout/{owner.identifier}?platform=guest",  # the platform's id: a guest's identifier
    ):
        assert viewer.call("GET", path)["loadouts"] == expected, path
    default = viewer.call("GET", f"/game/v1/player/loadout/{owner.identifier}?platform=guest")["loadout"]
    assert [e["asset"]["id"] for e in default] == [cape]
    error_of(client.get(f"{CHARACTER}/loadout/puid/NOSUCHUID", headers=viewer.headers), 404, "not_found")
    error_of(client.get("/game/v1/player/loadout/nobody?platform=steam", headers=viewer.headers), 404, "not_found")
    # Players of another game are unknown.
    elsewhere = Player(client, create_game(client, name="other game"), "chars-elsewhere")
    error_of(client.get(f"{CHARACTER}/loadout/{owner.ulid}", headers=elsewhere.headers), 404, "not_found")


def test_equippable_contexts(client: FlaskClient) -> None:
    game = create_game(client)
    player = Player(client, game, "chars-contexts")
    contexts = player.call("GET", f"{CHARACTER}/contexts")["contexts"]
    assert [c["name"] for c in contexts] == ["Default"] and contexts[0]["max_equip_count"] == 1
    default_id = player.characters()[0]["id"]
    assert player.call("GET", f"{CHARACTER}/{default_id}/contexts")["contexts"] == contexts
    # A class may only list the game's contexts.
    response = client.post(
        game.dev("character-classes"), json={"name": "X", "contexts": [999999]}, headers=game.headers
    )
    error_of(response, 400, "parameter_invalid", "contexts.0")
    limited = new_class(client, game, "Limited", contexts=[contexts[0]["id"]])
    made = player.call("POST", CHARACTER, {"character_type_id": limited, "name": "L"})
    limited_id = next(e["character"]["id"] for e in made["loadouts"] if e["character"]["name"] == "L")
    assert player.call("GET", f"{CHARACTER}/{limited_id}/contexts")["contexts"] == contexts


def test_character_progressions(client: FlaskClient) -> None:
    game = create_game(client)
    tiers = [{"step": 1, "points_threshold": 0}, {"step": 2, "points_threshold": 50}]
    admin(client, game, "POST", "progressions", {"key": "level", "name": "Level", "tiers": tiers})
    player = Player(client, game, "chars-progressions")
    character = player.characters()[0]["id"]
    base = f"/game/player/characters/{character}/progressions"
    added = player.call("POST", f"{base}/level/points/add", {"amount": 60})
    assert added["points"] == 60 and added["step"] == 2 and [t["step"] for t in added["awarded_tiers"]] == [2]
    assert [p["progression_key"] for p in player.call("GET", base)["items"]] == ["level"]
    assert player.call("GET", f"{base}/level")["points"] == 60
    # The character's progress is its own: the player's progressions do not have it.
    assert player.call("GET", "/game/player/progressions")["items"] == []
    assert player.call("POST", f"{base}/level/points/subtract", {"amount": 20})["points"] == 40
    assert player.call("POST", f"{base}/level/reset", {})["points"] == 0
    assert player.call("DELETE", f"{base}/level", status=204) is None
    error_of(client.get(f"{base}/level", headers=player.headers), 404, "not_found")
    other = Player(client, game, "chars-progressions-other")
    error_of(client.get(base, headers=other.headers), 404, "not_found")
    error_of(client.post(f"{base}/nokey/points/add", json={"amount": 1}, headers=player.headers), 404, "not_found")


def test_admin_classes_and_isolation_between_games(client: FlaskClient) -> None:
    game, other_game = create_game(client), create_game(client, name="other")
    first = new_class(client, game, "First")
    second = new_class(client, game, "Second", is_default=True)
    classes = {c["name"]: c for c in admin(client, game, "GET", "character-classes")["character_classes"]}
    assert classes["First"]["is_default"] is False and classes["Second"]["is_default"] is True
    updated = admin(client, game, "PUT", f"character-classes/{first}", {"name": "Premier", "is_default": True})
    assert updated["character_class"]["name"] == "Premier" and updated["character_class"]["is_default"] is True
    player = Player(client, game, "chars-admin")
    [character] = player.characters()
    assert character["type"] == "Premier"  # the game's default class
    response = client.delete(game.dev(f"character-classes/{first}"), headers=game.headers)
    error_of(response, 409, "conflict")  # a player's character is of it
    assert admin(client, game, "DELETE", f"character-classes/{second}", status=204) is None
    # Another game's class is unknown to this game's players and admin calls.
    stranger = Player(client, other_game, "chars-admin-stranger")
    response = client.post(CHARACTER, json={"character_type_id": first}, headers=stranger.headers)
    error_of(response, 404, "not_found")
    response = client.put(other_game.dev(f"character-classes/{first}"), json={}, headers=other_game.headers)
    error_of(response, 404, "not_found")
    response = client.post(
        game.dev("character-classes"),
        json={"name": "Bad", "default_loadout": [{"asset_id": 424242}]},
        headers=game.headers,
    )
    error_of(response, 400, "parameter_invalid", "default_loadout.0.asset_id")


def test_prefer_forcing(client: FlaskClient) -> None:
    game = create_game(client)
    player = Player(client, game, "chars-prefer")
    forced = client.get(f"{CHARACTER}/list", headers={**player.headers, "Prefer": "code=503"})
    error_of(forced, 503, "service_unavailable")
    assert forced.headers["Retry-After"]
    # A success status runs the real behaviour; one the state cannot give is refused.
    ok = client.get(f"{CHARACTER}/list", headers={**player.headers, "Prefer": "code=200"})
    assert ok.status_code == 200 and ok.get_json()["items"]
    refused = client.delete(f"{CHARACTER}/424242", headers={**player.headers, "Prefer": "code=204"})
    assert refused.status_code == 400


def test_concurrent_first_calls_make_one_default_character_and_equips_stay_consistent(app: Flask) -> None:
    client = app.test_client()
    game = create_game(client)
    boots = new_asset(client, game, "Boots")
    player = Player(client, game, "chars-concurrent")
    counts: list[int] = []

    def first_call() -> None:
        own = app.test_client()
        answer = own.get(f"{CHARACTER}/list", headers=player.headers).get_json()
        counts.append(len(answer["items"]))

    threads = [threading.Thread(target=first_call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts == [1] * 6 and len(player.characters()) == 1
    # Several characters equipping the same instance at once: it ends up on exactly one of them.
    kind = player.call("GET", f"{CHARACTER}/types")["character_types"][0]["id"]
    ids = []
    for i in range(4):
        made = player.call("POST", CHARACTER, {"character_type_id": kind, "name": f"C{i}"})
        ids.append(next(e["character"]["id"] for e in made["loadouts"] if e["character"]["name"] == f"C{i}"))
    instance = player.grant(boots)

    def equip(character_id: int) -> None:
        app.test_client().post(
            f"{CHARACTER}/{character_id}/equip", json={"instance_id": instance}, headers=player.headers
        )

    threads = [threading.Thread(target=equip, args=(c,)) for c in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    holders = [name for name, assets in player.loadouts().items() if assets]
    assert len(holders) == 1 and player.loadouts()[holders[0]] == [boots]


def test_forget_player_removes_that_players_characters_and_their_progressions_only(client: FlaskClient) -> None:
    game = create_game(client)
    tiers = [{"step": 1, "points_threshold": 0}, {"step": 2, "points_threshold": 50}]
    admin(client, game, "POST", "progressions", {"key": "level", "name": "Level", "tiers": tiers})
    gone, stays = Player(client, game, "chars-forget-gone"), Player(client, game, "chars-forget-stays")
    for player in (gone, stays):
        character = player.characters()[0]["id"]
        player.call("POST", f"/game/player/characters/{character}/progressions/level/points/add", {"amount": 5})
    store = client.application.extensions["mockserver.store"]
    gone_ulid = next(c["ulid"] for c in gone.characters())
    with store.write() as tx:
        characters.forget_player(tx, str(game.development_id), gone.ulid)
    tx = store.read()
    assert tx.find(CHARACTERS, player_id=gone.ulid) == [] and tx.find(PLAYER_PROGRESSIONS, player_id=gone_ulid) == []
    [kept] = tx.find(CHARACTERS, player_id=stays.ulid)
    assert len(tx.find(PLAYER_PROGRESSIONS, player_id=kept["ulid"])) == 1
