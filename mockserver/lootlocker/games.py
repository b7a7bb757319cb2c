"""Games (fixtures/lootlocker/games.json, and those the Admin API creates): found by game API key, by title +
environment, or by the White Label domain key; each lists the identity providers enabled for it.

A document is one environment of a game. The Admin API creates two per game, production and development,
sharing a title_id and a domain_key; their `api_keys` (besides the fixtures' single `game_key`) sign in to them.
The domain key alone names the production environment, unless the request says `is-development: true` (as the
Unity SDK does for `dev_` keys); a game of the fixtures (no `environment`) answers to its domain key either way."""

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
    by_domain_key: dict[tuple[str, bool], Game] = field(default_factory=dict)  # (domain key, development)
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
            # Server keys are for the Server API: they sign in to nothing here.
            keys = [game.get("game_key"), *(k["api_key"] for k in game.get("api_keys", []) if k["api_type"] == "game")]
            for key in keys:
                if isinstance(key, str):
                    index.by_key.setdefault(key, game)
            domain = game.get("domain_key")
            if isinstance(domain, str):
                environment = game.get("environment")
                for development in (False, True):
                    if environment is None or (environment == "development") == development:
                        index.by_domain_key.setdefault((domain, development), game)
            index.by_title.setdefault((str(game.get("title_id")), str(game.get("environment_id"))), game)
        return index

    def get(self, game_id: str) -> Game:
        game = self._index.get().by_id.get(game_id)
        if game is None:  # the game of a live session or lease disappeared (a reset with other fixtures)
            raise errors.unauthorized("The game of this session no longer exists.")
        return game

    def by_id(self, game_id: str) -> Game | None:
        return self._index.get().by_id.get(game_id)

    def by_key(self, key: str) -> Game:
        game = self._index.get().by_key.get(key)
        if game is None:
            raise errors.invalid_game_key()
        return game

    def for_request(self, body: dict[str, Any]) -> Game:
        """The game named by a session request's `game_key` / `game_api_key`."""
        return self.by_key(game_key_of(body))

    def by_domain_key(self, key: str, development: bool = False) -> Game | None:
        return self._index.get().by_domain_key.get((key, development))

    def by_title(self, title_id: str, environment_id: str) -> Game:
        game = self._index.get().by_title.get((title_id, environment_id))
        if game is None:
            raise errors.invalid("title_id", "no game has this title_id and environment_id")
        return game
