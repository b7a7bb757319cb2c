"""The LootLocker Admin API over HTTP: `x-auth-token` authentication, LootLocker's error bodies (the Game
API's), and the feature modules of FEATURES.

A feature module exposes `handlers(admin: Admin) -> dict[operationId, Handler]` for the operations of its path
file (schemas/lootlocker-admin/paths/<feature>.yaml). Authentication leaves in `call.context`:
- "user": the admin user of the token (mockserver/lootlocker/admin/users.py);
- "game": for a path with `{game_id}`, the environment it names (a document of lootlocker.games: the
  production or the development environment of a game), once checked to belong to one of the user's
  organisations. An unknown game or one of another organisation → 404, before the handler runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask

from ...openapi import Spec, Specs
from ...routing import Call, Reply, Router
from ...store import Store
from .. import errors
from ..games import Game, Games
from ..routes import LootLockerVendor
from . import assets as admin_assets
from . import catalogs as admin_catalogs
from . import characters as admin_characters
from . import (
    collectables,
    config,
    feedback,
    games,
    leaderboards,
    maps,
    messages,
    metadata,
    missions,
    platforms,
    players,
    progressions,
    reports,
    users,
)
from . import currencies as admin_currencies
from . import items as admin_items
from . import rewards as admin_rewards
from . import triggers as admin_triggers

AUTH_TOKEN = "x-auth-token"
FEATURES = (users, games, platforms, players, config, leaderboards, progressions)
FEATURES += (metadata, messages, feedback, reports, maps, collectables, missions)  # content set-up

# The economy's admin set-up.
FEATURES += (admin_currencies, admin_catalogs)
FEATURES += (admin_rewards, admin_triggers)  # rewards, reward groups, triggers
FEATURES += (admin_assets, admin_items)  # assets, contexts, data entities, filters, inventory grants; items
FEATURES += (admin_characters,)  # character classes and heroes


@cache
def admin_spec(specs: Specs) -> Spec:
    """schemas/lootlocker-admin.openapi.yaml, compiled once per process (with the other documents' resources)."""
    return Spec(specs.resources, "lootlocker-admin.openapi.yaml")


@dataclass
class Admin:
    """What feature handlers share: the store and the games."""

    store: Store
    games: Games

    @staticmethod
    def user(call: Call) -> dict[str, Any]:
        return dict(call.context["user"])

    @staticmethod
    def game(call: Call) -> Game:
        """The environment named by the path's {game_id} (already checked against the user's organisations)."""
        return dict(call.context["game"])

    @staticmethod
    def game_id(call: Call) -> str:
        """The id of that environment, as feature documents store it."""
        return str(call.context["game"]["id"])


def ok(body: Any) -> Reply:
    return Reply(200, body)


class AdminVendor(LootLockerVendor):
    """As the Game API's vendor, but authenticated by an admin's x-auth-token."""

    def __init__(self, spec: Spec, store: Store) -> None:  # no super(): the Game API's sessions are not needed
        self.store = store
        self.games = Games(store)

    def authenticate(self, call: Call) -> None:
        if call.operation.anonymous:  # login and sign-up
            return
        user = users.authenticate(self.store, call.headers.get(AUTH_TOKEN))
        call.context["user"] = user
        if "game_id" in call.path:
            call.context["game"] = self.game_of(user, call.path["game_id"])

    def game_of(self, user: dict[str, Any], game_id: str) -> Game:
        game = self.games.by_id(game_id.strip())
        if game is None or game.get("organisation_id") not in user["organisation_ids"]:
            raise errors.not_found(f"No game '{game_id}' in your organisations.")
        return game


def register(app: Flask, specs: Specs, store: Store) -> None:
    spec = admin_spec(specs)
    admin = Admin(store, Games(store))
    handlers = {}
    for feature in FEATURES:
        handlers.update(feature.handlers(admin))
    Router(spec, AdminVendor(spec, store)).register(app, handlers)
