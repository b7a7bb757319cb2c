"""Heroes: a game's heroes (templates set up with the Admin API: a name, a character class, optionally an asset) and
the heroes players make of them, with their inventories and loadouts.

A hero is `{id, hero_id, game_id, name, type_id, asset_id}` (integer ids from a global sequence). A player hero is a
character (characters.py) with the hero's `hero_id`: its `id` is the character's id, its loadout is the character's
loadout (the same equip rules), and `is_default` is the character's default flag (a default hero is the player's
default character). Choices where LootLocker says no more:
- A player has each hero at most once (409); creating one grants the hero's asset to the player's inventory
  (acquisition source `grant_hero`; `instance_id` 0 and `asset` null for a hero without an asset).
- `hero_name` is the name the player gives its hero (what an update changes, as the Unreal SDK's test reads it);
  `character_name` is the name of the hero's character class.
- A hero's inventory lists the hero's own asset instance and the instances equipped on it.
- `DELETE .../loadout/{instance}` takes the hero id first and the instance id second (the Unreal SDK's order; the
  Unity SDK passes them the other way round).
- Other players: by Steam id (the player's Steam connected account, else a legacy id, ULID or public UID); a
  hero's loadout by the player hero's id, for any player of the game.
"""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import characters, errors, sequences
from .characters import Character
from .collections import CHARACTERS, HEROES
from .economy import assets, inventory

Hero = dict[str, Any]


def new(tx: Tx, game_id: str, name: str, type_id: Any, asset_id: Any = None) -> Hero:
    """A hero of the game (inside the caller's write transaction)."""
    kind = characters.find_type(tx, game_id, type_id)
    if kind is None:
        raise errors.invalid("character_class_id", f"no character class {type_id} in this game")
    asset = None
    if asset_id is not None:
        asset = assets.get(tx, game_id, asset_id)
        if asset is None:
            raise errors.invalid("asset_id", f"no asset {asset_id} in this game")
    number = sequences.next_value(tx, "heroes")
    hero: Hero = {
        "id": str(number),
        "hero_id": number,
        "game_id": str(game_id),
        "name": name,
        "type_id": kind["type_id"],
        "asset_id": asset["asset_id"] if asset is not None else None,
    }
    tx.put(HEROES, hero["id"], hero)
    return hero


def of_game(tx: Tx, game_id: str) -> list[Hero]:
    return sorted(tx.find(HEROES, game_id=str(game_id)), key=lambda h: h["hero_id"])


def find(tx: Tx, game_id: str, hero_id: Any) -> Hero | None:
    text = str(hero_id).strip()
    hero = tx.get(HEROES, str(int(text))) if text.isdigit() else None
    return hero if hero is not None and hero["game_id"] == str(game_id) else None


def _asset(tx: Tx, hero: Hero | None) -> dict[str, Any] | None:
    if hero is None or hero.get("asset_id") is None:
        return None
    asset = assets.get(tx, hero["game_id"], hero["asset_id"])
    return assets.common(tx, asset) if asset is not None else None


def _type_name(tx: Tx, game_id: str, type_id: Any) -> str:
    kind = characters.find_type(tx, game_id, type_id)
    return kind["name"] if kind is not None else characters.DEFAULT_CLASS


def game_view(tx: Tx, hero: Hero, player_id: str) -> dict[str, Any]:
    return {
        "hero_id": hero["hero_id"],
        "character_type_id": hero["type_id"],
        "character_type_name": _type_name(tx, hero["game_id"], hero["type_id"]),
        "name": hero["name"],
        "player_has_hero": any(c.get("hero_id") == hero["hero_id"] for c in characters.of_player(tx, player_id)),
        "asset": _asset(tx, hero),
    }


def player_heroes(tx: Tx, player_id: str) -> list[Character]:
    return [c for c in characters.of_player(tx, player_id) if c.get("hero_id") is not None]


def player_view(tx: Tx, character: Character) -> dict[str, Any]:
    hero = find(tx, character["game_id"], character["hero_id"])
    return {
        "id": character["character_id"],
        "hero_id": character["hero_id"],
        "instance_id": character.get("instance_id") or 0,
        "hero_name": character["name"],
        "character_name": _type_name(tx, character["game_id"], character["type_id"]),
        "is_default": character["is_default"],
        "asset": _asset(tx, hero),
    }


def owned(tx: Tx, player_id: str, hero_id: Any) -> Character:
    """One of the player's heroes by its id (a character of another player, or no hero: 404)."""
    try:
        character = characters.owned(tx, player_id, hero_id)
    except errors.LootLockerError:
        character = None
    if character is None or character.get("hero_id") is None:
        raise errors.not_found(f"Hero {hero_id} not found.")
    return character


def any_players(tx: Tx, game_id: str, hero_id: Any) -> Character:
    """A player hero of the game by its id, whoever's it is."""
    text = str(hero_id).strip()
    character = tx.get(CHARACTERS, str(int(text))) if text.isdigit() else None
    if character is None or character.get("hero_id") is None or character["game_id"] != str(game_id):
        raise errors.not_found(f"Hero {hero_id} not found.")
    return character


def create(tx: Tx, game_id: str, player_id: str, body: dict[str, Any]) -> Character:
    hero = find(tx, game_id, body["hero_id"])
    if hero is None:
        raise errors.not_found(f"No hero {body['hero_id']} in this game.")
    if any(c.get("hero_id") == hero["hero_id"] for c in characters.of_player(tx, player_id)):
        raise errors.conflict(f"The player already has the hero {hero['hero_id']}.")
    kind = characters.find_type(tx, game_id, hero["type_id"]) or characters.default_type(tx, game_id)
    instance_id = None
    if hero.get("asset_id") is not None and assets.get(tx, game_id, hero["asset_id"]) is not None:
        variation = body.get("asset_variation_id")
        granted = inventory.grant(tx, game_id, player_id, hero["asset_id"], "hero", variation_id=variation)
        instance_id = granted["instance_id"]
    name = body.get("name") or hero["name"]
    default = body.get("is_default") is True
    return characters.create(tx, game_id, player_id, kind, name, default, hero["hero_id"], instance_id)


def hero_inventory(tx: Tx, character: Character) -> list[dict[str, Any]]:
    wanted = [character.get("instance_id"), *(m["instance_id"] for m in character["loadout"])]
    shown = []
    for instance_id in dict.fromkeys(i for i in wanted if i):
        instance = characters.held_instance(tx, character, int(instance_id))
        if instance is not None:
            shown.append(inventory.entry(tx, instance))
    return shown


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def me(call: Call) -> str:
        characters.ensure(store, game_id(call), str(call.context["player_id"]))
        return str(call.context["player_id"])

    def ok(body: dict[str, Any]) -> Reply:
        return Reply(200, {"success": True, **body})

    def game_heroes(call: Call) -> Reply:
        tx, player = store.read(), me(call)
        return ok({"game_heroes": [game_view(tx, h, player) for h in of_game(tx, game_id(call))]})

    def list_heroes(call: Call) -> Reply:
        tx = store.read()
        return ok({"heroes": [player_view(tx, c) for c in player_heroes(tx, me(call))]})

    def create_hero(call: Call) -> Reply:
        player = me(call)
        with store.write() as tx:
            made = create(tx, game_id(call), player, call.body)
            return ok({"hero": player_view(tx, made)})

    def get_hero(call: Call) -> Reply:
        tx = store.read()
        return ok({"hero": player_view(tx, owned(tx, me(call), call.path["hero_id"]))})

    def update_hero(call: Call) -> Reply:
        player = me(call)
        with store.write() as tx:
            character = owned(tx, player, call.path["hero_id"])
            characters.update(tx, character, call.body or {})
            return ok({"hero": player_view(tx, character)})

    def delete_hero(call: Call) -> Reply:
        player = me(call)
        with store.write() as tx:
            characters.delete(tx, owned(tx, player, call.path["hero_id"]))
        return Reply(204)

    def inventory_of(call: Call) -> Reply:
        tx = store.read()
        return ok({"inventory": hero_inventory(tx, owned(tx, me(call), call.path["hero_id"]))})

    def loadout_of(call: Call) -> Reply:
        tx = store.read()
        return ok({"loadout": characters.loadout(tx, owned(tx, me(call), call.path["hero_id"]))})

    def add_to_loadout(call: Call) -> Reply:
        player, body = me(call), call.body or {}
        with store.write() as tx:
            character = owned(tx, player, call.path["hero_id"])
            instance = body.get("asset_instance_id", body.get("instance_id"))
            characters.equip(
                tx, game_id(call), character, instance, body.get("asset_id"), body.get("asset_variation_id")
            )
            return ok({"loadout": characters.loadout(tx, character)})

    def remove_from_loadout(call: Call) -> Reply:
        player = me(call)
        with store.write() as tx:
            character = owned(tx, player, call.path["hero_id"])
            characters.unequip(tx, character, call.path["instance_id"])
            return ok({"loadout": characters.loadout(tx, character)})

    def others_loadout(call: Call) -> Reply:
        tx = store.read()
        return ok({"loadout": characters.loadout(tx, any_players(tx, game_id(call), call.path["hero_id"]))})

    def others_heroes(call: Call) -> Reply:
        tx = store.read()
        other = characters.other_player(tx, game_id(call), call.path["steam_id64"], "steam")
        return ok({"heroes": [player_view(tx, c) for c in player_heroes(tx, other["id"])]})

    def others_default_hero(call: Call) -> Reply:
        tx = store.read()
        other = characters.other_player(tx, game_id(call), call.path["steam_id64"], "steam")
        found = next((c for c in player_heroes(tx, other["id"]) if c["is_default"]), None)
        if found is None:
            raise errors.not_found("That player's default character is no hero.")
        return ok({"hero": player_view(tx, found)})

    return {
        "listGameHeroes": game_heroes,
        "listPlayerHeroes": list_heroes,
        "createPlayerHero": create_hero,
        "createPlayerHeroWithSlash": create_hero,
        "getPlayerHero": get_hero,
        "updatePlayerHero": update_hero,
        "deletePlayerHero": delete_hero,
        "listPlayerHeroInventory": inventory_of,
        "getPlayerHeroLoadout": loadout_of,
        "addAssetToHeroLoadout": add_to_loadout,
        "removeAssetFromHeroLoadout": remove_from_loadout,
        "getOtherPlayerHeroLoadout": others_loadout,
        "listOtherPlayerHeroesBySteamId": others_heroes,
        "getOtherPlayerDefaultHeroBySteamId": others_default_hero,
    }
