"""Games (fixtures/lootlocker/games.json): found by game API key, by title + environment, or by the White
Label domain key; each lists the identity providers enabled for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..store import Cached, Store, version_key
from . import errors
from .collections import GAMES

Game = dict[str, Any]


def game_key_of(body: dict[str, Any]) -> str:
    """The game API key of a request: LootLocker accepts `game_key` (older SDKs) and `game_api_key`."""
    for name in ("game_api_key", "game_key"):
        value = body.get(name)
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


@dataclass(frozen=True)
class _Index:
    by_id: dict[str, Game] = field(default_factory=dict)
    by_key: dict[str, Game] = field(default_factory=dict)
    by_domain_key: dict[str, Game] = field(default_factory=dict)
    by_title: dict[tuple[str, str], Game] = field(default_factory=dict)


class Games:
    """Every session request looks its game up: each worker keeps the games in memory (store.Cached; they
    change only with the whole state) and hands out the same documents, which callers only read."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._index = Cached(store, version_key(GAMES), self._load, _Index())

    def _load(self) -> _Index:
        index = _Index()
        for id, game in self.store.read().items(GAMES):  # ordered by id: the first of duplicates wins
            index.by_id[id] = game
            for value, found in ((game.get("game_key"), index.by_key), (game.get("domain_key"), index.by_domain_key)):
                if isinstance(value, str):
                    found.setdefault(value, game)
            index.by_title.setdefault((str(game.get("title_id")), str(game.get("environment_id"))), game)
        return index

    def get(self, game_id: str) -> Game:
        game = self._index.get().by_id.get(game_id)
        if game is None:  # the game of a live session or lease disappeared (a reset with other fixtures)
            raise errors.unauthorized("The game of this session no longer exists.")
        return game

    def by_key(self, key: str) -> Game:
        game = self._index.get().by_key.get(key)
        if game is None:
            raise errors.invalid_game_key()
        return game

    def for_request(self, body: dict[str, Any]) -> Game:
        """The game named by a session request's `game_key` / `game_api_key`."""
        return self.by_key(game_key_of(body))

    def by_domain_key(self, key: str) -> Game | None:
        return self._index.get().by_domain_key.get(key)

    def by_title(self, title_id: str, environment_id: str) -> Game:
        game = self._index.get().by_title.get((title_id, environment_id))
        if game is None:
            raise errors.invalid("title_id", "no game has this title_id and environment_id")
        return game
