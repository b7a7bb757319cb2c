"""Character classes and heroes of a game environment through the Admin API: what the Game API's characters and heroes
(mockserver/lootlocker/characters.py, heroes.py) are made of.

LootLocker sets these up in its web console; its SDKs call no Admin API for them, so the paths and bodies here are
the mock's own, in the style of the other admin set-up calls: `/admin/game/{game_id}/character-classes[/{class_id}]`
and `/admin/game/{game_id}/heroes[/{hero_id}]`. A class in use (by a hero or a player's character) cannot be
deleted (409).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Tx
from .. import characters, errors, heroes
from ..collections import CHARACTER_TYPES, CHARACTERS, HEROES

if TYPE_CHECKING:
    from .routes import Admin


def class_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["type_id"],
        "name": doc["name"],
        "is_default": doc["is_default"],
        "storage": [{"key": p["key"], "value": p["value"]} for p in doc["storage"]],
        "default_loadout": [dict(item) for item in doc["default_loadout"]],
        "contexts": list(doc["contexts"]),
    }


def hero_view(hero: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": hero["hero_id"],
        "name": hero["name"],
        "character_class_id": hero["type_id"],
        "asset_id": hero["asset_id"],
    }


def _class(tx: Tx, game_id: str, class_id: Any) -> dict[str, Any]:
    found = characters.find_type(tx, game_id, class_id)
    if found is None:
        raise errors.not_found(f"No character class {class_id} in this game.")
    return found


def handlers(admin: Admin) -> dict[str, Handler]:
    store = admin.store

    game_id = admin.game_id

    def list_classes(call: Call) -> Reply:
        found = characters.types_of(store.read(), game_id(call))
        return Reply(200, {"character_classes": [class_view(t) for t in found]})

    def create_class(call: Call) -> Reply:
        body = call.body
        with store.write() as tx:
            made = characters.new_type(
                tx,
                game_id(call),
                body["name"],
                body.get("is_default") is True,
                body.get("storage"),
                body.get("default_loadout"),
                body.get("contexts"),
            )
        return Reply(200, {"character_class": class_view(made)})

    def update_class(call: Call) -> Reply:
        body = call.body or {}
        with store.write() as tx:
            doc = _class(tx, game_id(call), call.path["class_id"])
            if body.get("name") is not None:
                doc["name"] = body["name"]
            if body.get("storage") is not None:
                doc["storage"] = characters.assets.storage_pairs(body["storage"])
            characters.configure_type(tx, doc, body.get("default_loadout"), body.get("contexts"))
            if body.get("is_default") is True and not doc["is_default"]:
                doc["is_default"] = True
                for other in characters.types_of(tx, doc["game_id"]):
                    if other["id"] != doc["id"] and other["is_default"]:
                        other["is_default"] = False
                        tx.put(CHARACTER_TYPES, other["id"], other)
            tx.put(CHARACTER_TYPES, doc["id"], doc)
        return Reply(200, {"character_class": class_view(doc)})

    def delete_class(call: Call) -> Reply:
        with store.write() as tx:
            doc = _class(tx, game_id(call), call.path["class_id"])
            if any(h["type_id"] == doc["type_id"] for h in heroes.of_game(tx, doc["game_id"])):
                raise errors.conflict("A hero is of this class.")
            if tx.find(CHARACTERS, type_id=doc["type_id"]):
                raise errors.conflict("Players have characters of this class.")
            tx.delete(CHARACTER_TYPES, doc["id"])
            rest = characters.types_of(tx, doc["game_id"])
            if doc["is_default"] and rest:
                rest[0]["is_default"] = True
                tx.put(CHARACTER_TYPES, rest[0]["id"], rest[0])
        return Reply(204)

    def list_heroes(call: Call) -> Reply:
        return Reply(200, {"heroes": [hero_view(h) for h in heroes.of_game(store.read(), game_id(call))]})

    def create_hero(call: Call) -> Reply:
        body = call.body
        class_id = body.get("character_class_id", body.get("character_type_id"))
        if class_id is None:
            raise errors.missing("character_class_id")
        with store.write() as tx:
            made = heroes.new(tx, game_id(call), body["name"], class_id, body.get("asset_id"))
        return Reply(200, {"hero": hero_view(made)})

    def delete_hero(call: Call) -> Reply:
        with store.write() as tx:
            hero = heroes.find(tx, game_id(call), call.path["hero_id"])
            if hero is None:
                raise errors.not_found(f"No hero {call.path['hero_id']} in this game.")
            tx.delete(HEROES, hero["id"])
        return Reply(204)

    return {
        "adminListCharacterClasses": list_classes,
        "adminCreateCharacterClass": create_class,
        "adminUpdateCharacterClass": update_class,
        "adminDeleteCharacterClass": delete_class,
        "adminListHeroes": list_heroes,
        "adminCreateHero": create_hero,
        "adminDeleteHero": delete_hero,
    }
