"""Game sessions: guest, generic, White Label and platform sign-ins, refresh tokens, end session.

A sign-in names an upstream account (a guest identifier, a platform user, a White Label user); the player
it is connected to gets a new session token (40 hex characters), created with the account on first sign-in.
Platforms that LootLocker gives refresh tokens to (Apple, Game Center, Epic, Google, Google Play Games,
Meta, Discord, remote sessions) get one here too; it signs in again on the same endpoint for as long as the
account it came from is still connected (after a transfer: as the player that now holds it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from ..identities import Identities
from ..store import Store, Tx
from . import bans, errors, ids, white_label
from .collections import PLAYERS, REFRESH_TOKENS, SESSIONS
from .connected_accounts import ConnectedAccounts, require_enabled, upstream_identity
from .games import Game, Games
from .players import Player, Players
from .profile import level_of
from .providers import GENERIC_PLATFORMS, PROVIDERS, Provider

NAME_MAX = 255
# Guest identifiers refused: LootLocker answers "Each player must have a unique identifier assigned" for the
# literal "player" (the Unity SDK's GuestSessionTest); where LootLocker is silent, only that one (any case).
RESERVED_GUEST_IDENTIFIERS = frozenset({"player"})


@dataclass(frozen=True)
class Credential:
    field: str
    kind: str  # "code" (single use unless reusable), "token" (reusable), "pair" (id_field + token)
    id_field: str | None = None


@dataclass(frozen=True)
class PlatformLogin:
    provider: str  # connected-account provider (and session platform)
    credential: Credential
    refresh: bool  # LootLocker returns a refresh_token and accepts it on the same endpoint


# operationId → how the platform sign-in identifies its upstream account
PLATFORM_LOGINS = {
    "steamSession": PlatformLogin("steam", Credential("steam_ticket", "token"), refresh=False),
    "epicSession": PlatformLogin("epic_games", Credential("id_token", "token"), refresh=True),
    "appleSession": PlatformLogin("apple", Credential("apple_authorization_code", "code"), refresh=True),
    "appleGameCenterSession": PlatformLogin(
        "apple_game_center", Credential("signature", "pair", "player_id"), refresh=True
    ),
    "googleSession": PlatformLogin("google", Credential("id_token", "token"), refresh=True),
    "googlePlayGamesSession": PlatformLogin("google_play_games", Credential("auth_code", "code"), refresh=True),
    "nintendoSwitchSession": PlatformLogin("nintendo", Credential("nsa_id_token", "token"), refresh=False),
    "xboxSession": PlatformLogin("xbox", Credential("xbox_user_token", "token"), refresh=False),
    "metaSession": PlatformLogin("meta", Credential("nonce", "pair", "user_id"), refresh=True),
    "discordSession": PlatformLogin("discord", Credential("access_token", "token"), refresh=True),
    "psnSession": PlatformLogin("playstation", Credential("auth_code", "code"), refresh=False),
}


def _text(body: dict[str, Any], field: str) -> str | None:
    value = body.get(field)
    return str(value) if value not in (None, "") else None


class Sessions:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.games = Games(store)
        self.accounts = ConnectedAccounts(store)
        self.registry = Identities(store)

    # -- authentication of later calls -------------------------------------------------------------
    def authenticate(self, token: str | None) -> dict[str, Any]:
        """The live session of an x-session-token; 401 when missing, unknown or ended."""
        if not token:
            raise errors.unauthorized("The x-session-token header is missing.")
        session = self.store.read().get(SESSIONS, token.strip())
        if session is None:
            raise errors.unauthorized("The session token is invalid or the session has ended.")
        return session

    def end(self, token: str) -> None:
        with self.store.write() as tx:
            tx.delete(SESSIONS, token)

    # -- sign-ins ----------------------------------------------------------------------------------
    def guest(self, body: dict[str, Any]) -> dict[str, Any]:
        identifier = _text(body, "player_identifier") or str(uuid.uuid4())
        if identifier.strip().lower() in RESERVED_GUEST_IDENTIFIERS:
            # LootLocker refuses an identifier every guest could share (the Unity SDK's GuestSessionTest).
            raise errors.invalid("player_identifier", "Each player must have a unique identifier assigned.")
        return self._sign_in(body, PROVIDERS["guest"], identifier, "guest")

    def generic(self, body: dict[str, Any]) -> dict[str, Any]:
        platform = str(body["platform"])  # the schema requires both and enumerates the platforms
        return self._sign_in(body, PROVIDERS[GENERIC_PLATFORMS[platform]], str(body["player_identifier"]), platform)

    def white_label(self, body: dict[str, Any]) -> dict[str, Any]:
        game = self.games.for_request(body)
        email, token = _text(body, "email"), _text(body, "token")
        if email is None:
            raise errors.missing("email")
        if token is None:
            raise errors.missing("token")
        # 401 for an unknown or expired White Label session; 403 for an unverified account the game blocks.
        user_id = white_label.session_user(self.store.read(), game, email, token)
        return self._sign_in(body, PROVIDERS["credentials"], user_id, "white_label_login", game)

    def platform(self, operation_id: str, body: dict[str, Any]) -> dict[str, Any]:
        login = PLATFORM_LOGINS[operation_id]
        provider = PROVIDERS[login.provider]
        game = self.games.for_request(body)
        refresh_token = _text(body, "refresh_token") if login.refresh else None
        if refresh_token is not None:
            return self.refresh(game, login.provider, refresh_token)
        credential = login.credential
        if credential.id_field is not None and _text(body, credential.id_field) is None:
            raise errors.missing(credential.id_field)
        value = _text(body, credential.field)
        if value is None:
            raise errors.missing(credential.field)
        require_enabled(game, provider)
        if credential.kind == "pair":
            assert credential.id_field is not None and provider.registry is not None
            identity = self.registry.get(provider.registry, str(body[credential.id_field]))
            if identity is None or identity["token"] != value:
                raise errors.invalid(credential.field, f"the {provider.display} credential does not verify")
        else:
            identity = upstream_identity(self.registry, provider, credential.kind, value, credential.field)
        return self._sign_in(body, provider, identity["id"], login.provider, game, refresh=login.refresh)

    def refresh(self, game: Game, family: str, token: str) -> dict[str, Any]:
        """A new session from a refresh token of this sign-in family ("remote" or a provider)."""
        with self.store.write() as tx:
            stored = tx.get(REFRESH_TOKENS, token)
            if stored is None or stored["game_id"] != game["id"] or stored["family"] != family:
                raise errors.unauthorized("The refresh token is invalid or has expired.")
            if stored.get("subject") is not None:
                account = self.accounts.owner(tx, game["id"], stored["family"], stored["subject"])
                if account is None:
                    raise errors.unauthorized("The account of this refresh token is no longer connected.")
                player = Players.get(tx, account["player_id"])
                identifier = stored["subject"]
            else:
                player = Players.get(tx, stored["player_id"])
                identifier = player["identifier"]
            response = self.start(tx, game, player, False, family, identifier)
            response["refresh_token"] = token
            return response

    def _sign_in(
        self,
        body: dict[str, Any],
        provider: Provider,
        subject: str,
        platform: str,
        game: Game | None = None,
        refresh: bool = False,
    ) -> dict[str, Any]:
        game = game or self.games.for_request(body)
        require_enabled(game, provider)
        with self.store.write() as tx:
            player, created = self.accounts.player_for(tx, game, provider, subject)
            response = self.start(tx, game, player, created, platform, subject, body.get("optionals"))
            if refresh:
                response["refresh_token"] = self.new_refresh_token(tx, game, player, provider.name, subject)
            return response

    # -- building blocks (inside a write transaction) ----------------------------------------------
    @staticmethod
    def new_refresh_token(tx: Tx, game: Game, player: Player, family: str, subject: str | None) -> str:
        token = ids.session_token()
        tx.put(
            REFRESH_TOKENS,
            token,
            {"id": token, "game_id": game["id"], "family": family, "player_id": player["id"], "subject": subject},
        )
        return token

    @staticmethod
    def start(
        tx: Tx,
        game: Game,
        player: Player,
        created: bool,
        platform: str,
        identifier: str,
        optionals: Any = None,
    ) -> dict[str, Any]:
        """A new session for the player; the full session response (without refresh_token). A banned player
        gets none: 403 player_banned with the ban."""
        bans.check(tx, player)
        problems: list[str] = []
        name = optionals.get("player_name") if isinstance(optionals, dict) else None
        if isinstance(name, str) and name.strip():
            if len(name) > NAME_MAX:
                problems.append(f"optionals.player_name: longer than {NAME_MAX} characters, not set")
            else:
                player["name"] = name
        last_seen = player["last_seen"]
        player["last_seen"] = ids.iso_now()
        player["last_active_platform"] = platform  # player lookups answer it
        tx.put(PLAYERS, player["id"], player)
        token = ids.session_token()
        tx.put(
            SESSIONS,
            token,
            {
                "id": token,
                "game_id": game["id"],
                "player_id": player["id"],
                "platform": platform,
                "started_at": ids.iso_now(),
            },
        )
        return {
            "success": True,
            "session_token": token,
            "player_id": player["legacy_id"],
            "player_ulid": player["id"],
            "player_identifier": identifier,
            "public_uid": player["public_uid"],
            "player_name": player["name"] or "",  # "" for an unnamed player, as the SDKs expect
            "player_created_at": player["created_at"],
            "seen_before": not created,
            "last_seen": last_seen,
            "check_grant_notifications": False,
            "check_deactivation_notifications": False,
            "check_dlcs": [],
            "wallet_id": player["wallet_id"],
            "xp": int(player.get("xp") or 0),
            **level_of(game, int(player.get("xp") or 0)),  # level and level_thresholds from the game's levels
            "account_balance": 0,
            "errors": problems,
        }
