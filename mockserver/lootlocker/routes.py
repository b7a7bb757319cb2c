"""The LootLocker Game API over HTTP: authentication (x-session-token, domain-key), LootLocker's error
bodies for the shared pipeline, and thin handlers over the models."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..identities import Identities
from ..openapi import Issue, Operation, Spec, Specs
from ..routing import Call, Handler, Reply, Router
from ..store import Store
from . import auth_client as client_v3
from . import (
    bans,
    collectables,
    errors,
    feedback,
    files,
    followers,
    forcing,
    friends,
    ids,
    maps,
    messages,
    metadata,
    missions,
    notifications,
    profile,
    progressions,
    reports,
    ugc,
)
from . import broadcasts as ll_broadcasts
from . import characters as ll_characters
from . import heroes as ll_heroes
from . import instance_progressions as ll_instance_progressions
from . import legacy_xp as ll_legacy_xp
from . import white_label as wl_login
from .connected_accounts import ConnectedAccounts, require_enabled
from .economy import assets as economy_assets
from .economy import catalogs, currencies, entitlements, legacy_purchases, purchases, stores, wallets
from .economy import instances as economy_instances
from .economy import inventory as economy_inventory
from .economy import items_game as economy_items
from .economy import loot_boxes as economy_loot_boxes
from .economy import triggers as economy_triggers
from .errors import LootLockerError
from .games import Games, info
from .leaderboards import game as leaderboards
from .leases import Leases, base_url
from .players import Players
from .providers import PROVIDERS
from .sessions import PLATFORM_LOGINS, Sessions
from .storage import PlayerStorage

# Feature modules: each exposes `handlers(store: Store) -> {operationId: handler}` for the operations of its
# path file (schemas/lootlocker/paths/<feature>.yaml); handlers read call.context["player_id"] / ["game"].
FEATURES = (notifications, files, bans, leaderboards, profile, progressions, friends, followers, wl_login)
FEATURES += (metadata, messages, feedback, reports, maps, ugc, collectables, missions)  # content (LL-CONTENT)
# The economy (mockserver/lootlocker/economy/), one feature module per path file.
FEATURES += (currencies, wallets, catalogs, purchases, entitlements, stores, legacy_purchases)
FEATURES += (economy_triggers,)  # triggers (economy/triggers.py)
FEATURES += (economy_assets, economy_instances, economy_inventory, economy_loot_boxes)  # assets, inventory
FEATURES += (ll_broadcasts,)  # broadcasts (broadcasts.py)
FEATURES += (client_v3,)  # LootLocker's auth client v3 (/client/v3/...)
FEATURES += (ll_characters, ll_heroes)  # characters (classes, loadouts, progressions) and heroes
FEATURES += (ll_instance_progressions,)  # asset instance progressions
FEATURES += (ll_legacy_xp,)  # legacy player info and XP of several players
FEATURES += (economy_items,)  # items ("Assets 2.0"), game side: [inferred] paths (economy/items_game.py)

SESSION_TOKEN = "x-session-token"
DOMAIN_KEY = "domain-key"


def security_schemes(spec: Spec) -> dict[str, set[str]]:
    """operationId → the names of the security schemes it requires (from the OpenAPI documents)."""
    return {operation_id: set(operation.security_schemes) for operation_id, operation in spec.operations.items()}


class LootLockerVendor:
    """What the shared request pipeline needs to answer the way LootLocker does."""

    def __init__(self, spec: Spec, store: Store) -> None:
        self.schemes = security_schemes(spec)
        self.sessions = Sessions(store)
        self.games = Games(store)

    def authenticate(self, call: Call) -> None:
        schemes = self.schemes[call.operation.operation_id]
        if "sessionToken" in schemes:
            session = self.sessions.authenticate(call.headers.get(SESSION_TOKEN))
            call.context.update(
                session=session, player_id=session["player_id"], game=self.games.get(session["game_id"])
            )
        elif "domainKey" in schemes:
            key = (call.headers.get(DOMAIN_KEY) or "").strip()
            development = (call.headers.get("is-development") or "").strip().lower() == "true"
            game = self.games.by_domain_key(key, development) if key else None
            if game is None:
                raise errors.unauthorized("The domain-key header is missing or names no game.")
            call.context["game"] = game

    def empty_body(self, operation: Operation) -> Any:
        # An empty required body is "not a JSON object" (request_body_invalid); an optional one is {}.
        return None if operation.body_required else {}

    def malformed_json(self, detail: str) -> Reply:
        return errors.body_invalid(f"it is not valid JSON ({detail})").reply()

    def invalid_content_type(self, value: str | None, allowed: list[str]) -> Reply:
        return errors.body_invalid(f"Content-Type must be {' or '.join(allowed)}, not {value or 'missing'}").reply()

    def invalid_parameter(self, operation: Operation, location: str, name: str, value: str | None) -> Reply:
        if location == "path":  # a thing named in the URL that does not exist
            return errors.not_found(f"Unknown {name} '{value}'.").reply()
        if value is None:
            return errors.missing(name).reply()
        return errors.invalid(name, f"'{value}' is not a valid value").reply()

    def invalid_body(self, operation: Operation, issues: list[Issue]) -> Reply:
        return errors.from_issues(issues).reply()

    def translate(self, error: Exception) -> Reply | None:
        return error.reply() if isinstance(error, LootLockerError) else None

    def mock_error(self, status: int, message: str) -> Reply:
        return LootLockerError(status, "bad_request", message).reply()

    def forced(self, call: Call, status: int, handler: Handler) -> Reply:
        return forcing.forced(self, call, status, handler)


def register(app: Flask, specs: Specs, store: Store) -> None:
    vendor = LootLockerVendor(specs.lootlocker, store)
    sessions, games = vendor.sessions, vendor.games
    accounts = ConnectedAccounts(store)
    leases = Leases(store)
    players = Players(store)
    storage = PlayerStorage(store)
    registry = Identities(store)

    def ok(body: Any) -> Reply:
        return Reply(200, body)

    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def game(call: Call) -> dict[str, Any]:
        return dict(call.context["game"])

    # -- sessions ----------------------------------------------------------------------------------
    def platform(operation_id: str) -> Handler:
        return lambda call: ok(sessions.platform(operation_id, call.body))

    def verify_player(call: Call) -> Reply:
        the_game = games.by_key(call.body["key"])
        provider = PROVIDERS["steam" if call.body["platform"] == "steam" else "playstation"]
        require_enabled(the_game, provider)
        assert provider.registry is not None
        if registry.by_token(provider.registry, call.body["token"]) is None:
            raise errors.invalid("token", f"not a valid {provider.display} token")
        return ok({"success": True})

    def end_session(call: Call) -> Reply:
        sessions.end(call.context["session"]["id"])
        return Reply(204)

    # -- connected accounts ------------------------------------------------------------------------
    def connect(provider: str, field: str, kind: str) -> Handler:
        def handler(call: Call) -> Reply:
            connected = accounts.connect(player(call), game(call), provider, kind, str(call.body[field]), field)
            return ok({"connected_account": connected})

        return handler

    def attach(call: Call) -> Reply:
        attached = leases.attach(player(call), game(call), call.body["code"], call.body["nonce"])
        return ok({"connected_account": attached})

    def transfer(call: Call) -> Reply:
        body = call.body
        moved = accounts.transfer(
            player(call), game(call), body["source_token"], body["target_token"], body["identity_providers"]
        )
        return ok({"connected_accounts": moved})

    def unsupported(call: Call) -> Reply:
        raise errors.not_found(f"Connecting '{call.path['provider']}' accounts is not supported.")

    def unlink(call: Call) -> Reply:
        return ok({"connected_account": accounts.unlink(player(call), call.path["provider"])})

    # -- remote sessions ---------------------------------------------------------------------------
    def begin_link_lease(call: Call) -> Reply:
        own = game(call)
        if call.body and any(call.body.get(k) for k in ("title_id", "environment_id", "game_key", "game_api_key")):
            named = leases.game_of(call.body)
            if named["id"] != own["id"]:
                raise errors.invalid("title_id", "not the game of this session")
        return ok(leases.begin(own, "link", player(call), base_url(call)))

    def remote_session(call: Call) -> Reply:
        body = call.body
        the_game = games.for_request(body)
        if body.get("refresh_token"):
            return ok(sessions.refresh(the_game, "remote", str(body["refresh_token"])))
        if not body.get("lease_code"):
            raise errors.missing("lease_code")
        if not body.get("nonce"):
            raise errors.missing("nonce")
        return ok(leases.poll(the_game, str(body["lease_code"]), str(body["nonce"])))

    # -- players -----------------------------------------------------------------------------------
    def list_player_info(call: Call) -> Reply:
        body = call.body
        found = players.list_info(
            game(call)["id"],
            body.get("player_id") or [],
            body.get("player_legacy_id") or [],
            body.get("player_public_uid") or [],
        )
        return ok({"info": found})

    def get_storage(call: Call) -> Reply:
        key = call.query.get("key")
        if key is not None:
            return ok({"payload": storage.one(player(call), key)})
        return ok({"payload": storage.all(player(call))})

    def public_storage(call: Call) -> Reply:
        other = Players.find(store.read(), game(call)["id"], call.path["player_id"])
        if other is None:
            raise errors.not_found(f"No player '{call.path['player_id']}' in this game.")
        return ok({"payload": storage.public(other["id"])})

    handlers: dict[str, Handler] = {
        "guestSession": lambda call: ok(sessions.guest(call.body)),
        "genericSession": lambda call: ok(sessions.generic(call.body)),
        "whiteLabelSession": lambda call: ok(sessions.white_label(call.body)),
        **{operation_id: platform(operation_id) for operation_id in PLATFORM_LOGINS},
        "verifyPlayer": verify_player,
        "endSession": end_session,
        "listConnectedAccounts": lambda call: ok({"connected_accounts": accounts.list(player(call))}),
        "connectGoogle": connect("google", "id_token", "token"),
        "connectApple": connect("apple", "authorization_code", "code"),
        "connectTwitch": connect("twitch", "authorization_code", "code"),
        "connectEpic": connect("epic_games", "token", "token"),
        "connectPlaystation": connect("playstation", "code", "code"),
        "connectDiscord": connect("discord", "token", "token"),
        "attachProvider": attach,
        "transferProviders": transfer,
        "connectUnsupportedProvider": unsupported,
        "unlinkProvider": unlink,
        "unlinkProviderLegacy": unlink,
        "beginLoginLease": lambda call: ok(leases.begin(leases.game_of(call.body), "login", None, base_url(call))),
        "beginLinkLease": begin_link_lease,
        "remoteSession": remote_session,
        "ping": lambda call: ok({"date": ids.iso_now()}),
        "gameInfo": lambda call: ok({"info": info(games.by_key(call.body["api_key"]))}),
        "getPlayerInfo": lambda call: ok({"info": players.info(player(call))}),
        "listPlayerInfo": list_player_info,
        "getPlayerName": lambda call: ok({"name": players.get_name(player(call))}),
        "setPlayerName": lambda call: ok({"name": players.set_name(player(call), call.body["name"])}),
        "getPlayerStorage": get_storage,
        "updatePlayerStorage": lambda call: ok({"payload": storage.update(player(call), call.body["payload"])}),
        "deletePlayerStorageItem": lambda call: ok({"payload": storage.delete(player(call), call.query["key"])}),
        "getPublicPlayerStorage": public_storage,
    }
    for feature in FEATURES:
        handlers.update(feature.handlers(store))
    Router(specs.lootlocker, vendor).register(app, handlers)
    files.register_downloads(app, store)
