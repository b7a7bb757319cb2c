"""Games (fixtures/lootlocker/games.json): found by game API key, by title + environment, or by the White
Label domain key; each lists the identity providers enabled for it."""

from __future__ import annotations

from typing import Any

from ..store import Store, Tx
from . import errors
from .collections import GAMES

Game = dict[str, Any]


def game_key_of(body: dict[str, Any]) -> str:
    """The game API key of a request: LootLocker accepts `game_key` (older SDKs) and `game_api_key`."""
    for field in ("game_api_key", "game_key"):
        value = body.get(field)
        if value:
            return str(value)
    raise errors.missing("game_key")


def provider_enabled(game: Game, provider: str) -> bool:
    return provider in game.get("providers", [])


def info(game: Game) -> dict[str, Any]:
    return {
        "title_id": game["title_id"],
        "environment_id": game["environment_id"],
        "game_id": game["game_id"],
        "name": game["name"],
    }


class Games:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, game_id: str, tx: Tx | None = None) -> Game:
        game = (tx or self.store.read()).get(GAMES, game_id)
        if game is None:  # the game of a live session or lease disappeared (a reset with other fixtures)
            raise errors.unauthorized("The game of this session no longer exists.")
        return game

    def by_key(self, key: str, tx: Tx | None = None) -> Game:
        found = (tx or self.store.read()).find(GAMES, game_key=key)
        if not found:
            raise errors.invalid_game_key()
        return found[0]

    def for_request(self, body: dict[str, Any], tx: Tx | None = None) -> Game:
        """The game named by a session request's `game_key` / `game_api_key`."""
        return self.by_key(game_key_of(body), tx)

    def by_domain_key(self, key: str) -> Game | None:
        found = self.store.read().find(GAMES, domain_key=key)
        return found[0] if found else None

    def by_title(self, title_id: str, environment_id: str) -> Game:
        found = self.store.read().find(GAMES, title_id=title_id, environment_id=environment_id)
        if not found:
            raise errors.invalid("title_id", "no game has this title_id and environment_id")
        return found[0]
