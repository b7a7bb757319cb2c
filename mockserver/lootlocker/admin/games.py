"""Games of the Admin API: a game is two documents of lootlocker.games, its production and its development
environment (two integer ids sharing a title_id and a domain_key), owned by an organisation. API keys belong
to one environment: `dev_` + 32 hex for development, `prod_` for production; `game` keys sign in through the
Game API (games.Games indexes them)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids
from ..collections import BANS, GAMES, PLAYERS, SESSIONS, TITLE_CONFIG
from ..games import Game
from ..sequences import next_value

if TYPE_CHECKING:
    from .routes import Admin

DOMAIN_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
# What a fresh LootLocker game has (GET /admin/v1/game/{id} fields the editor extension reads).
DEFAULTS: dict[str, Any] = {
    "active": True,
    "block_purchases": False,
    "player_progression": True,
    "soft_currency": False,
    "soft_currency_name": None,
    "unique_player_names": False,
    "max_player_message_title_length": 255,
    "max_player_message_summary_length": 255,
    "logo_url": None,
    "badge_url": None,
}


def _new_id(tx: Tx) -> int:
    """The next game id: above every game of the state (fixtures' ids included)."""
    highest = max((int(g.get("game_id", 0)) for g in tx.all(GAMES)), default=0)
    value = next_value(tx, "admin.games")
    while value <= highest:
        value = next_value(tx, "admin.games")
    return value


def _domain_key(tx: Tx) -> str:
    taken = {g.get("domain_key") for g in tx.all(GAMES)}
    while True:
        key = "".join(secrets.choice(DOMAIN_CHARACTERS) for _ in range(8))
        if key not in taken:
            return key


def create(store: Store, user: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    organisation_id = int(body["organisation_id"])
    if organisation_id not in user["organisation_ids"]:
        raise errors.not_found(f"No organisation {organisation_id} in your organisations.")
    now = ids.iso_now()
    with store.write() as tx:
        production_id = _new_id(tx)
        development_id = _new_id(tx)
        common = {
            "name": str(body["name"]),
            "title_id": ids.ulid(),
            "domain_key": _domain_key(tx),
            "providers": [],
            "organisation_id": organisation_id,
            "production_id": production_id,
            "development_id": development_id,
            "genre": body.get("genre"),
            # Kept in `settings` (Game.json): what the Game API does not read.
            "settings": {"sandbox_mode": bool(body.get("sandbox_mode")), "is_demo": bool(body.get("demo"))},
            "api_keys": [],
            "platforms": {},
            "created_at": now,
            "updated_at": now,
        }
        if common["genre"] is None:
            del common["genre"]
        for game_id, environment in ((production_id, "production"), (development_id, "development")):
            doc = {"id": str(game_id), "game_id": game_id, "environment": environment, "environment_id": ids.ulid()}
            tx.put(GAMES, doc["id"], {**doc, **common})
        return {"game": view(tx, tx.get(GAMES, str(production_id)))}


def view(tx: Tx, game: Game) -> dict[str, Any]:
    development = None
    if game.get("environment") == "production":
        other = tx.get(GAMES, str(game["development_id"]))
        development = view(tx, other) if other else None
    return {
        "id": game["game_id"],
        "name": game["name"],
        "title_id": game["title_id"],
        "environment_id": game["environment_id"],
        "environment": game.get("environment", "development"),
        "domain_key": game["domain_key"],
        "organisation_id": game["organisation_id"],
        **DEFAULTS,
        "sandbox_mode": False,
        "is_demo": False,
        **game.get("settings", {}),
        "genre": game.get("genre"),
        "created_at": game.get("created_at", ids.iso_now()),
        "updated_at": game.get("updated_at", ids.iso_now()),
        "development": development,
    }


def update(store: Store, game: Game, body: dict[str, Any]) -> dict[str, Any]:
    """Change settings: name and genre on both environments (they are the game's), the rest on this one."""
    environments = [game["production_id"], game["development_id"]] if "production_id" in game else [game["game_id"]]
    now = ids.iso_now()
    with store.write() as tx:
        for environment in environments:
            current = tx.get(GAMES, str(environment))
            if current is None:
                continue
            for field in ("name", "genre"):
                if field in body:
                    current[field] = body[field]
            if current["id"] == game["id"]:
                settings = {k: v for k, v in body.items() if k in DEFAULTS or k == "sandbox_mode"}
                current["settings"] = {**current.get("settings", {}), **settings}
            current["updated_at"] = now
            tx.put(GAMES, current["id"], current)
        updated = tx.get(GAMES, game["id"])
        if updated is None:
            raise errors.not_found("The game no longer exists.")
        return {"game": view(tx, updated)}


def delete(store: Store, game: Game) -> None:
    """Both environments, with their sessions, players, bans and title configuration (the rest of a deleted
    game's data is unreachable: nothing names its environments any more)."""
    environments = [game["production_id"], game["development_id"]] if "production_id" in game else [game["game_id"]]
    with store.write() as tx:
        for environment in environments:
            key = str(environment)
            tx.delete(GAMES, key)
            for kind in (SESSIONS, PLAYERS, BANS, TITLE_CONFIG):
                tx.delete_where(kind, game_id=key)


def create_api_key(store: Store, game: Game, body: dict[str, Any]) -> dict[str, Any]:
    prefix = "dev" if game.get("environment", "development") == "development" else "prod"
    now = ids.iso_now()
    with store.write() as tx:
        current = tx.get(GAMES, game["id"])
        if current is None:
            raise errors.not_found("The game no longer exists.")
        key = {
            "id": next_value(tx, "admin.api-keys"),
            "api_key": f"{prefix}_{secrets.token_hex(16)}",
            "api_type": body.get("api_type") or "game",
            "name": str(body["name"]),
            "created_at": now,
            "updated_at": now,
        }
        current.setdefault("api_keys", []).append(key)
        tx.put(GAMES, current["id"], current)
        return key_view(current, key)


def key_view(game: Game, key: dict[str, Any]) -> dict[str, Any]:
    return {"game_id": game["game_id"], **key}


def handlers(admin: Admin) -> dict[str, Handler]:
    def create_game(call: Call) -> Reply:
        return Reply(200, create(admin.store, admin.user(call), call.body))

    def get_game(call: Call) -> Reply:
        return Reply(200, {"game": view(admin.store.read(), admin.game(call))})

    def delete_game(call: Call) -> Reply:
        delete(admin.store, admin.game(call))
        return Reply(204)

    def list_keys(call: Call) -> Reply:
        game = admin.game(call)
        return Reply(200, {"api_keys": [key_view(game, k) for k in game.get("api_keys", [])]})

    return {
        "adminCreateGame": create_game,
        "adminGetGame": get_game,
        "adminUpdateGame": lambda call: Reply(200, update(admin.store, admin.game(call), call.body)),
        "adminDeleteGame": delete_game,
        "adminCreateApiKey": lambda call: Reply(200, create_api_key(admin.store, admin.game(call), call.body)),
        "adminListApiKeys": list_keys,
    }
