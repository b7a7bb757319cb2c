"""Characters: a game's character classes (the Game API's "character types", set up with the Admin API:
mockserver/lootlocker/admin/characters.py) and each player's characters with their loadouts.

A class is `{id, type_id, game_id, name, is_default, storage: [{id, key, value}], default_loadout: [{asset_id,
asset_variation_id}], contexts: [context id]}`. A game's classes start with one default class named "Default" on
first use, as a LootLocker game comes with a default class (the Unreal SDK's test expects a fresh player to have a
loadout); a class created as default takes the flag from the others. A character is `{id, character_id, ulid,
game_id, player_id, type_id, name, is_default, hero_id, instance_id, created_at, loadout: [{instance_id,
variation_id, context_id, mounted_at}]}`; integer ids come from global sequences. A player hero (heroes.py) is a
character with a `hero_id`, so the character list shows the characters under a player's heroes too.

Rules where LootLocker says no more:
- A player always has one default character while it has characters: the first one created (on the player's first
  character call: one of the game's default class, named as the class) is the default; `is_default: true` on create
  or update moves the flag; `false` never leaves the player without one; deleting the default makes the oldest
  remaining character the default.
- A new character gets its class's default loadout: each asset is granted to the player's inventory
  (economy/inventory.py, acquisition source `grant_character`) and equipped.
- Equipping takes an instance of the player's inventory (`instance_id`, or `asset_id` [+ `asset_variation_id`]: an
  instance of that asset, preferring one not equipped elsewhere). An instance is equipped on one character at a time
  (equipping it elsewhere moves it). A context holds `max_equip_count` assets per character (the oldest one leaves
  when it is full). A class that lists contexts equips only assets of those contexts (400 otherwise).
- An instance that left the inventory (deleted) leaves every loadout.
- Other players' characters are found by platform id with `?platform=` (steam, psn, xbox_one, guest, ...: the
  platform's connected account), else by legacy id, ULID or public UID; unknown → 404.
"""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids, sequences
from .collections import ASSET_INSTANCES, CHARACTER_TYPES, CHARACTERS, PLAYER_PROGRESSIONS, PLAYERS
from .connected_accounts import ConnectedAccounts
from .economy import assets, inventory
from .players import Player, Players
from .progressions import PlayerProgressions

Character = dict[str, Any]
CharacterType = dict[str, Any]
DEFAULT_CLASS = "Default"
# ?platform= of the other-player lookups (the SDKs' platform strings) → the connected-account provider holding the id
PLATFORM_PROVIDERS = {
    "guest": "guest",
    "steam": "steam",
    "psn": "playstation",
    "playstation_network": "playstation",
    "playstation": "playstation",
    "xbox_one": "xbox",
    "xbox": "xbox",
    "nintendo_switch": "nintendo",
    "epic_games": "epic_games",
    "epic": "epic_games",
    "google": "google",
    "google_sign_in": "google",
    "google_play_games": "google_play_games",
    "android": "android",
    "amazon_luna": "amazon_luna",
    "apple": "apple",
    "apple_sign_in": "apple",
    "apple_game_center": "apple_game_center",
    "meta": "meta",
    "discord": "discord",
    "white_label_login": "credentials",
}


def _int_or_none(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


# -- character classes ------------------------------------------------------------------------------------------
def new_type(
    tx: Tx,
    game_id: str,
    name: str,
    is_default: bool = False,
    storage: Any = None,
    default_loadout: Any = None,
    contexts: Any = None,
) -> CharacterType:
    """A class of the game (inside the caller's write transaction); the first class is the default one."""
    existing = tx.find(CHARACTER_TYPES, game_id=str(game_id))
    number = sequences.next_value(tx, "character-types")
    doc: CharacterType = {
        "id": str(number),
        "type_id": number,
        "game_id": str(game_id),
        "name": name,
        "is_default": bool(is_default) or not existing,
        "storage": assets.storage_pairs(storage),
        "default_loadout": [],
        "contexts": [],
        "created_at": ids.iso_now(),
    }
    configure_type(tx, doc, default_loadout=default_loadout, contexts=contexts)
    if doc["is_default"]:
        _only_default_type(tx, doc)
    tx.put(CHARACTER_TYPES, doc["id"], doc)
    return doc


def configure_type(tx: Tx, doc: CharacterType, default_loadout: Any = None, contexts: Any = None) -> None:
    """Check and set a class's default loadout (assets of its game) and equippable contexts (contexts of its game)."""
    game_id = doc["game_id"]
    if default_loadout is not None:
        loadout = []
        for i, item in enumerate(default_loadout):
            asset = assets.get(tx, game_id, item.get("asset_id"))
            if asset is None:
                raise errors.invalid(f"default_loadout.{i}.asset_id", f"no asset {item.get('asset_id')} in this game")
            loadout.append({"asset_id": asset["asset_id"], "asset_variation_id": item.get("asset_variation_id")})
        doc["default_loadout"] = loadout
    if contexts is not None:
        chosen = []
        for i, context_id in enumerate(contexts):
            context = assets.find_context(tx, game_id, context_id)
            if context is None:
                raise errors.invalid(f"contexts.{i}", f"no context {context_id} in this game")
            chosen.append(int(context["id"]))
        doc["contexts"] = chosen


def _only_default_type(tx: Tx, chosen: CharacterType) -> None:
    for other in tx.find(CHARACTER_TYPES, game_id=chosen["game_id"]):
        if other["id"] != chosen["id"] and other["is_default"]:
            other["is_default"] = False
            tx.put(CHARACTER_TYPES, other["id"], other)


def types_of(tx: Tx, game_id: str) -> list[CharacterType]:
    return sorted(tx.find(CHARACTER_TYPES, game_id=str(game_id)), key=lambda t: t["type_id"])


def ensure_types(tx: Tx, game_id: str) -> list[CharacterType]:
    """The game's classes; the default class is created on first use (write transaction)."""
    return types_of(tx, game_id) or [new_type(tx, game_id, DEFAULT_CLASS, True)]


def default_type(tx: Tx, game_id: str) -> CharacterType:
    found = ensure_types(tx, game_id)
    return next((t for t in found if t["is_default"]), found[0])


def find_type(tx: Tx, game_id: str, type_id: Any) -> CharacterType | None:
    number = _int_or_none(type_id)
    doc = tx.get(CHARACTER_TYPES, str(number)) if number is not None else None
    return doc if doc is not None and doc["game_id"] == str(game_id) else None


def type_view(tx: Tx, doc: CharacterType) -> dict[str, Any]:
    loadout = []
    for item in doc["default_loadout"]:
        asset = assets.get(tx, doc["game_id"], item["asset_id"])
        loadout.append(
            {
                "asset_id": item["asset_id"],
                "asset_variation_id": item.get("asset_variation_id") or 0,
                "asset": assets.common(tx, asset) if asset is not None else None,
            }
        )
    return {
        "id": doc["type_id"],
        "is_default": doc["is_default"],
        "name": doc["name"],
        "storage": [dict(p) for p in doc["storage"]],
        "default_loadout": loadout,
    }


# -- characters -------------------------------------------------------------------------------------------------
def of_player(tx: Tx, player_id: str) -> list[Character]:
    return sorted(tx.find(CHARACTERS, player_id=player_id), key=lambda c: c["character_id"])


def create(
    tx: Tx,
    game_id: str,
    player_id: str,
    kind: CharacterType,
    name: str,
    is_default: bool = False,
    hero_id: int | None = None,
    instance_id: int | None = None,
) -> Character:
    """A new character of the player (inside the caller's write transaction), with its class's default loadout."""
    number = sequences.next_value(tx, "characters")
    first = not tx.find(CHARACTERS, player_id=player_id)
    character: Character = {
        "id": str(number),
        "character_id": number,
        "ulid": ids.ulid(),
        "game_id": str(game_id),
        "player_id": player_id,
        "type_id": kind["type_id"],
        "name": name,
        "is_default": bool(is_default) or first,
        "hero_id": hero_id,
        "instance_id": instance_id,
        "created_at": ids.iso_now(),
        "loadout": [],
    }
    if character["is_default"]:
        _only_default(tx, character)
    for item in kind["default_loadout"]:
        if assets.get(tx, game_id, item["asset_id"]) is None:
            continue  # the asset was deleted since the class was set up
        variation = item.get("asset_variation_id")
        granted = inventory.grant(tx, game_id, player_id, item["asset_id"], "character", variation_id=variation)
        _mount(tx, game_id, character, granted, variation)
    tx.put(CHARACTERS, character["id"], character)
    return character


def _only_default(tx: Tx, chosen: Character) -> None:
    for other in tx.find(CHARACTERS, player_id=chosen["player_id"]):
        if other["id"] != chosen["id"] and other["is_default"]:
            other["is_default"] = False
            tx.put(CHARACTERS, other["id"], other)


def ensure(store: Store, game_id: str, player_id: str) -> None:
    """Give the player its default character (of the game's default class) before its first character call."""
    if store.read().find(CHARACTERS, player_id=player_id):
        return
    with store.write() as tx:
        if not tx.find(CHARACTERS, player_id=player_id):
            kind = default_type(tx, game_id)
            create(tx, game_id, player_id, kind, kind["name"], True)


def owned(tx: Tx, player_id: str, character_id: Any) -> Character:
    """One of the player's characters by integer id (another player's is as unknown: 404)."""
    number = _int_or_none(character_id)
    character = tx.get(CHARACTERS, str(number)) if number is not None else None
    if character is None or character["player_id"] != player_id:
        raise errors.not_found(f"Character {character_id} not found.")
    return character


def default_of(tx: Tx, player_id: str) -> Character | None:
    return next((c for c in of_player(tx, player_id) if c["is_default"]), None)


def update(tx: Tx, character: Character, body: dict[str, Any]) -> None:
    if body.get("name") is not None:
        character["name"] = body["name"]
    if body.get("is_default") is True and not character["is_default"]:
        character["is_default"] = True
        _only_default(tx, character)
    tx.put(CHARACTERS, character["id"], character)


def delete(tx: Tx, character: Character) -> None:
    tx.delete(CHARACTERS, character["id"])
    if character["is_default"]:
        rest = of_player(tx, character["player_id"])
        if rest:
            rest[0]["is_default"] = True
            tx.put(CHARACTERS, rest[0]["id"], rest[0])


def view(tx: Tx, character: Character) -> dict[str, Any]:
    kind = tx.get(CHARACTER_TYPES, str(character["type_id"]))
    return {
        "id": character["character_id"],
        "ulid": character["ulid"],
        "type": kind["name"] if kind is not None else DEFAULT_CLASS,
        "name": character["name"],
        "is_default": character["is_default"],
    }


# -- loadouts ---------------------------------------------------------------------------------------------------
def held_instance(tx: Tx, character: Character, instance_id: int) -> dict[str, Any] | None:
    found = tx.get(ASSET_INSTANCES, str(instance_id))
    return found if found is not None and found["player_id"] == character["player_id"] else None


def loadout(tx: Tx, character: Character) -> list[dict[str, Any]]:
    """The equipped instances as LootLocker lists them (instances no longer in the inventory left out)."""
    shown = []
    for mount in character["loadout"]:
        found = held_instance(tx, character, mount["instance_id"])
        if found is None:
            continue
        entry = inventory.entry(tx, found)
        shown.append(
            {
                "variation_id": mount.get("variation_id") or 0,
                "instance_id": found["instance_id"],
                "mounted_at": mount["mounted_at"],
                "asset": entry["asset"],
                "rental": entry["rental"],
            }
        )
    return shown


def loadouts(tx: Tx, player_id: str) -> list[dict[str, Any]]:
    return [{"character": view(tx, c), "loadout": loadout(tx, c)} for c in of_player(tx, player_id)]


def _mount(tx: Tx, game_id: str, character: Character, instance: dict[str, Any], variation: Any) -> None:
    asset = assets.get(tx, game_id, instance["asset_id"])
    if asset is None:
        raise errors.not_found(f"The asset of instance {instance['instance_id']} no longer exists.")
    kind = tx.get(CHARACTER_TYPES, str(character["type_id"])) or {}
    allowed = kind.get("contexts") or []
    if allowed and int(asset["context_id"]) not in allowed:
        raise errors.invalid("instance_id", f"the asset's context cannot be equipped by the class '{kind['name']}'")
    # One character at a time: equipping an instance elsewhere takes it off the player's other characters.
    for other in tx.find(CHARACTERS, player_id=character["player_id"]):
        if other["id"] != character["id"] and any(
            m["instance_id"] == instance["instance_id"] for m in other["loadout"]
        ):
            other["loadout"] = [m for m in other["loadout"] if m["instance_id"] != instance["instance_id"]]
            tx.put(CHARACTERS, other["id"], other)
    if any(m["instance_id"] == instance["instance_id"] for m in character["loadout"]):
        return
    context = assets.find_context(tx, game_id, asset["context_id"])
    capacity = int(context.get("max_equip_count") or 0) if context is not None else 1
    same = [m for m in character["loadout"] if m.get("context_id") == asset["context_id"]]
    if capacity > 0 and len(same) >= capacity:
        leaving = {m["instance_id"] for m in same[: len(same) - capacity + 1]}  # the oldest ones
        character["loadout"] = [m for m in character["loadout"] if m["instance_id"] not in leaving]
    character["loadout"].append(
        {
            "instance_id": instance["instance_id"],
            "variation_id": _int_or_none(variation) if variation is not None else instance.get("variation_id"),
            "context_id": asset["context_id"],
            "mounted_at": ids.iso_now(),
        }
    )


def _instance_of_asset(tx: Tx, game_id: str, player_id: str, asset_id: Any) -> dict[str, Any]:
    asset = assets.get(tx, game_id, asset_id)
    mine = [i for i in inventory.of_player(tx, player_id) if asset is not None and i["asset_id"] == asset["asset_id"]]
    if not mine:
        raise errors.not_found(f"Asset {asset_id} is not in the player's inventory.")
    mounted = {m["instance_id"] for c in tx.find(CHARACTERS, player_id=player_id) for m in c["loadout"]}
    return next((i for i in mine if i["instance_id"] not in mounted), mine[0])


def equip(tx: Tx, game_id: str, character: Character, instance_id: Any, asset_id: Any, variation: Any) -> None:
    """Equip an instance of the player's inventory (by instance id, or by asset id) on the character."""
    player_id = character["player_id"]
    if instance_id is not None:
        instance = inventory.owned(tx, player_id, instance_id)
    elif asset_id is not None:
        instance = _instance_of_asset(tx, game_id, player_id, asset_id)
    else:
        raise errors.missing("instance_id")
    _mount(tx, game_id, character, instance, variation)
    tx.put(CHARACTERS, character["id"], character)


def unequip(tx: Tx, character: Character, instance_id: Any) -> None:
    number = _int_or_none(instance_id)
    kept = [m for m in character["loadout"] if m["instance_id"] != number]
    if len(kept) == len(character["loadout"]):
        raise errors.not_found(f"Asset instance {instance_id} is not equipped on this character.")
    character["loadout"] = kept
    tx.put(CHARACTERS, character["id"], character)


def contexts_for(store: Store, game_id: str, kind: CharacterType | None) -> list[dict[str, Any]]:
    """The contexts a class may equip (every context of the game when it lists none)."""
    allowed = (kind or {}).get("contexts") or []
    found = assets.contexts(store, game_id)
    return [assets.context_view(c) for c in found if not allowed or int(c["id"]) in allowed]


def forget_player(tx: Tx, game_id: str, player_id: str) -> None:
    """A deleted player's characters (heroes included) with their progressions (held by each character's ULID)."""
    for character in tx.find(CHARACTERS, player_id=player_id):
        tx.delete_where(PLAYER_PROGRESSIONS, player_id=character["ulid"])
    tx.delete_where(CHARACTERS, player_id=player_id)


# -- other players ----------------------------------------------------------------------------------------------
def other_player(tx: Tx, game_id: str, reference: str, platform: str | None = None) -> Player:
    provider = PLATFORM_PROVIDERS.get((platform or "").strip().lower())
    if provider is not None:
        account = ConnectedAccounts.owner(tx, game_id, provider, reference)
        if account is not None:
            player = tx.get(PLAYERS, account["player_id"])
            if player is not None and str(player["game_id"]) == str(game_id):
                return player
    player = Players.find(tx, game_id, reference)
    if player is None:
        raise errors.not_found(f"No player '{reference}' in this game.")
    return player


# -- the Game API -----------------------------------------------------------------------------------------------
def handlers(store: Store) -> dict[str, Handler]:
    progress = PlayerProgressions(store)

    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def me(call: Call) -> str:
        ensure(store, game_id(call), str(call.context["player_id"]))
        return str(call.context["player_id"])

    def ok(body: dict[str, Any]) -> Reply:
        return Reply(200, {"success": True, **body})

    def list_types(call: Call) -> Reply:
        tx = store.read()
        if not types_of(tx, game_id(call)):
            with store.write() as wtx:
                ensure_types(wtx, game_id(call))
        return ok({"character_types": [type_view(tx, t) for t in types_of(tx, game_id(call))]})

    def list_characters(call: Call) -> Reply:
        tx = store.read()
        return ok({"items": [view(tx, c) for c in of_player(tx, me(call))]})

    def create_character(call: Call) -> Reply:
        body = call.body
        player = me(call)
        with store.write() as tx:
            kind = find_type(tx, game_id(call), body["character_type_id"])
            if kind is None:
                raise errors.not_found(f"No character type {body['character_type_id']} in this game.")
            create(tx, game_id(call), player, kind, body.get("name") or kind["name"], body.get("is_default") is True)
            return ok({"loadouts": loadouts(tx, player)})

    def update_character(call: Call) -> Reply:
        player = me(call)
        with store.write() as tx:
            update(tx, owned(tx, player, call.path["character_id"]), call.body or {})
            return ok({"loadouts": loadouts(tx, player)})

    def delete_character(call: Call) -> Reply:
        player = me(call)
        with store.write() as tx:
            delete(tx, owned(tx, player, call.path["character_id"]))
        return Reply(204)

    def my_loadouts(call: Call) -> Reply:
        player = me(call)
        return ok({"loadouts": loadouts(store.read(), player)})

    def others_loadouts(call: Call, reference: str, platform: str | None) -> Reply:
        other = other_player(store.read(), game_id(call), reference, platform)
        ensure(store, game_id(call), other["id"])
        return ok({"loadouts": loadouts(store.read(), other["id"])})

    def equip_on(character_of: Any) -> Handler:
        def handler(call: Call) -> Reply:
            player, body = me(call), call.body or {}
            instance = body.get("instance_id")
            with store.write() as tx:
                character = character_of(tx, player, call)
                equip(tx, game_id(call), character, instance, body.get("asset_id"), body.get("asset_variation_id"))
                return ok({"character": view(tx, character), "loadout": loadout(tx, character)})

        return handler

    def unequip_from(character_of: Any) -> Handler:
        def handler(call: Call) -> Reply:
            player = me(call)
            with store.write() as tx:
                character = character_of(tx, player, call)
                unequip(tx, character, call.path["instance_id"])
                return ok({"character": view(tx, character), "loadout": loadout(tx, character)})

        return handler

    def the_default(tx: Tx, player: str, call: Call) -> Character:
        found = default_of(tx, player)
        if found is None:
            raise errors.not_found("The player has no default character.")
        return found

    def by_id(tx: Tx, player: str, call: Call) -> Character:
        return owned(tx, player, call.path["character_id"])

    def default_loadout(call: Call) -> Reply:
        player = me(call)
        tx = store.read()
        found = default_of(tx, player)
        return ok({"loadout": loadout(tx, found) if found is not None else []})

    def others_default_loadout(call: Call) -> Reply:
        other = other_player(store.read(), game_id(call), call.path["player_id"], call.query.get("platform"))
        ensure(store, game_id(call), other["id"])
        tx = store.read()
        found = default_of(tx, other["id"])
        return ok({"loadout": loadout(tx, found) if found is not None else []})

    def contexts_of(which: Any) -> Handler:
        def handler(call: Call) -> Reply:
            player = me(call)
            tx = store.read()
            character = which(tx, player, call)
            kind = tx.get(CHARACTER_TYPES, str(character["type_id"]))
            return ok({"contexts": contexts_for(store, game_id(call), kind)})

        return handler

    # Character progressions: the player progressions' rules, held by the character (its ULID).
    def holder(call: Call) -> str:
        return str(owned(store.read(), me(call), call.path["character_id"])["ulid"])

    def change(kind: str) -> Handler:
        def handler(call: Call) -> Reply:
            amount = int((call.body or {}).get("amount") or 0)
            game = dict(call.context["game"])
            return Reply(200, progress.change(game, holder(call), call.path["progression_key"], kind, amount))

        return handler

    def delete_progression(call: Call) -> Reply:
        progress.delete(dict(call.context["game"]), holder(call), call.path["progression_key"])
        return Reply(204)

    return {
        "listCharacterTypes": list_types,
        "listCharacters": list_characters,
        "createCharacter": create_character,
        "updateCharacter": update_character,
        "deleteCharacter": delete_character,
        "listCharacterLoadouts": my_loadouts,
        "listOtherPlayerCharacterLoadouts": lambda call: others_loadouts(
            call, call.path["player_id"], call.query.get("platform")
        ),
        "listCharacterLoadoutsByPublicUid": lambda call: others_loadouts(call, call.path["public_uid"], None),
        "equipToDefaultCharacter": equip_on(the_default),
        "equipToCharacter": equip_on(by_id),
        "unequipFromDefaultCharacter": unequip_from(the_default),
        "unequipFromCharacter": unequip_from(by_id),
        "getDefaultCharacterLoadout": default_loadout,
        "getOtherPlayerDefaultCharacterLoadout": others_default_loadout,
        "listDefaultCharacterContexts": contexts_of(the_default),
        "listCharacterContexts": contexts_of(by_id),
        "listCharacterProgressions": lambda call: Reply(
            200, progress.of(dict(call.context["game"]), holder(call), call.query)
        ),
        "getCharacterProgression": lambda call: Reply(
            200, progress.one(dict(call.context["game"]), holder(call), call.path["progression_key"])
        ),
        "addCharacterProgressionPoints": change("add"),
        "subtractCharacterProgressionPoints": change("subtract"),
        "resetCharacterProgression": change("reset"),
        "deleteCharacterProgression": delete_progression,
    }
