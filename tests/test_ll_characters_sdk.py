"""Replays of the character and hero tests of LootLocker's SDKs over HTTP. The Unity SDK has none; the Unreal SDK's
`LootLockerSDK/Source/LootLockerSDK/Tests/Characters.cpp` and `Heroes.cpp` (lootlocker/unreal-sdk) are its only ones,
both disabled upstream as "outdated". They are replayed here with the requests the Unreal SDK sends (its bodies: the
Unreal structs' fields, `instance_id` for a hero loadout), after an Admin API set-up giving the game what LootLocker's
console would (a hero; the game's default class the mock makes). Asserts that depend on LootLocker's own data (the hero
id 24 of their test game) or on calls that cannot succeed as written (equipping asset instance 0) are left out and
replaced by the same call with data of this game."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import create_game
from .test_ll_characters import Player, admin, new_asset, new_class


def test_unreal_characters_spec(client: FlaskClient) -> None:
    """Characters.cpp, "When Working with Characters"."""
    game = create_game(client)
    player = Player(client, game, "unreal-characters")  # test_util::StartSession()
    # GetCharacterLoadout: success, loadouts.Num() > 0 right after the session started.
    loadouts = player.call("GET", "/game/v1/player/character/loadout")
    assert loadouts["success"] is True and len(loadouts["loadouts"]) > 0
    # ListCharacterTypes: success, character_types.Num() > 0; the first one's id is used to create a character.
    types = player.call("GET", "/game/v1/player/character/types")
    assert types["success"] is True and len(types["character_types"]) > 0
    character_type_id = types["character_types"][0]["id"]
    # CreateCharacter(IsDefault, "Test character", CharacterID): success.
    body = {"is_default": True, "name": "Test character", "character_type_id": character_type_id}
    created = player.call("POST", "/game/v1/player/character", body)
    assert created["success"] is True
    assert any(e["character"]["name"] == "Test character" for e in created["loadouts"])
    # (The spec then updates "NewPlayerHeroId" -1 as a hero: a call on no hero, answered 404 here and left out.)


def test_unreal_heroes_spec(client: FlaskClient) -> None:
    """Heroes.cpp, "When Working with Heroes"."""
    game = create_game(client)
    hero_asset, shield = new_asset(client, game, "Hero"), new_asset(client, game, "Shield")
    class_id = new_class(client, game, "Paladin")
    admin(
        client, game, "POST", "heroes", {"name": "Hero prefab", "character_class_id": class_id, "asset_id": hero_asset}
    )
    player = Player(client, game, "unreal-heroes")
    # GetGameHeroes: success, game_heroes.Num() > 0; the first one's hero_id.
    game_heroes = player.call("GET", "/game/v1/heroes")
    assert game_heroes["success"] is True and len(game_heroes["game_heroes"]) > 0
    game_hero_id = game_heroes["game_heroes"][0]["hero_id"]
    # ListPlayerHeroes: success; a hero of that kind is deleted first if the player has one (a fresh player has none).
    listed = player.call("GET", "/game/v1/player/heroes")
    assert listed["success"] is True and [h for h in listed["heroes"] if h["hero_id"] == game_hero_id] == []
    # CreateHero {hero_id, name, is_default}: success (the spec's `hero.hero_id == 24` is its own game's id).
    made = player.call(
        "POST", "/game/v1/player/heroes", {"hero_id": game_hero_id, "name": "Hero instance", "is_default": False}
    )
    assert made["success"] is True and made["hero"]["hero_id"] == game_hero_id
    hero_id = made["hero"]["id"]
    # UpdateHero {name: "new_hero_name", is_default: false}: success, hero.hero_name == the new name.
    updated = player.call("PUT", f"/game/v1/player/heroes/{hero_id}", {"name": "new_hero_name", "is_default": False})
    assert updated["success"] is True and updated["hero"]["hero_name"] == "new_hero_name"
    # GetHero, GetHeroInventory (twice in the spec): success.
    assert player.call("GET", f"/game/v1/player/heroes/{hero_id}")["success"] is True
    inventory: Any = player.call("GET", f"/game/v1/player/heroes/{hero_id}/inventory")
    assert inventory["success"] is True and [i["asset"]["id"] for i in inventory["inventory"]] == [hero_asset]
    # AddAssetToHeroLoadout(hero, instance) sends {"instance_id"}; the spec's instance 0 is replaced by one it holds.
    instance = player.grant(shield)
    added = player.call("POST", f"/game/v1/player/heroes/{hero_id}/loadout", {"instance_id": instance})
    assert added["success"] is True and [e["instance_id"] for e in added["loadout"]] == [instance]
    # RemoveAssetToHeroLoadout(hero, instance): success.
    removed = player.call("DELETE", f"/game/v1/player/heroes/{hero_id}/loadout/{instance}")
    assert removed["success"] is True and removed["loadout"] == []
    # DeleteHero: success (2xx).
    assert player.call("DELETE", f"/game/v1/player/heroes/{hero_id}", status=204) is None
