"""Platforms of a game environment. Enabling one adds its identity provider to the game's `providers` (what the
Game API's sign-ins check: a disabled platform → 403 forbidden); its settings are kept as given."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Store
from .. import errors, ids
from ..collections import GAMES
from ..games import Game

if TYPE_CHECKING:
    from .routes import Admin

# The Admin API's platform names and the Game API provider each enables (providers.PROVIDERS).
PLATFORMS = {
    "guest": "guest",
    "white_label_login": "credentials",
    "steam": "steam",
    "psn": "playstation",
    "xbox": "xbox",
    "nintendo_switch": "nintendo",
    "apple": "apple",
    "apple_game_center": "apple_game_center",
    "google": "google",
    "google_play_games": "google_play_games",
    "epic": "epic_games",
    "meta": "meta",
    "discord": "discord",
    "twitch": "twitch",
    "android": "android",
    "ios": "ios",
    "amazon_luna": "amazon_luna",
}


def view(game: Game, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "enabled": PLATFORMS[name] in game.get("providers", []),
        "settings": dict(game.get("platforms", {}).get(name, {})),
    }


def update(store: Store, game: Game, name: str, body: dict[str, Any]) -> dict[str, Any]:
    provider = PLATFORMS[name]
    with store.write() as tx:
        current = tx.get(GAMES, game["id"])
        if current is None:
            raise errors.not_found("The game no longer exists.")
        providers = [p for p in current.get("providers", []) if p != provider]
        if body["enabled"]:
            providers.append(provider)
        current["providers"] = providers
        if body.get("settings") is not None:
            current.setdefault("platforms", {})[name] = body["settings"]
        current["updated_at"] = ids.iso_now()
        tx.put(GAMES, current["id"], current)
        return view(current, name)


def handlers(admin: Admin) -> dict[str, Handler]:
    def list_platforms(call: Call) -> Reply:
        game = admin.game(call)
        return Reply(200, {"platforms": [view(game, name) for name in PLATFORMS]})

    def update_platform(call: Call) -> Reply:
        return Reply(200, update(admin.store, admin.game(call), call.path["platform"], call.body))

    return {"adminListPlatforms": list_platforms, "adminUpdatePlatform": update_platform}
