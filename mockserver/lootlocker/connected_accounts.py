"""Connected accounts: which upstream account (provider + subject) signs in as which player.

An account is one document per (game, provider, subject), so one upstream account belongs to at most one
player of a game; a player has at most one account per provider. Connecting an account that another player
holds is a 409, as is connecting a second account of a provider the player already has.
"""

from __future__ import annotations

from typing import Any

from ..identities import Identities
from ..store import Store, Tx
from . import errors, ids
from .collections import ACCOUNTS, SESSIONS
from .games import Game, provider_enabled
from .players import Player, Players
from .providers import PROVIDERS, Provider, resolve, view

Account = dict[str, Any]


def account_id(game_id: str, provider: str, subject: str) -> str:
    return f"{game_id}:{provider}:{subject}"


def require_enabled(game: Game, provider: Provider) -> None:
    if not provider_enabled(game, provider.name):
        raise errors.forbidden(f"The {provider.display} identity provider is not enabled for this game.")


def upstream_identity(registry: Identities, provider: Provider, kind: str, value: str, param: str) -> dict[str, Any]:
    """The shared registry's account behind a provider credential: `kind` "code" (exchanged once, unless
    the identity is reusable) or "token" (reusable). An unknown or used credential → 400."""
    assert provider.registry is not None
    if kind == "code":
        exchanged = registry.exchange_code(provider.registry, value)
        identity = exchanged[0] if exchanged else None
    else:
        identity = registry.by_token(provider.registry, value)
    if identity is None:
        raise errors.invalid(param, f"the {provider.display} credential is unknown, expired or already used")
    return identity


class ConnectedAccounts:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.registry = Identities(store)

    # -- inside a caller's write transaction -------------------------------------------------------
    @staticmethod
    def owner(tx: Tx, game_id: str, provider: str, subject: str) -> Account | None:
        return tx.get(ACCOUNTS, account_id(game_id, provider, subject))

    @staticmethod
    def of_player(tx: Tx, player_id: str) -> list[Account]:
        return tx.find(ACCOUNTS, player_id=player_id)

    def attach(self, tx: Tx, player: Player, provider: Provider, subject: str) -> Account:
        current = self.owner(tx, player["game_id"], provider.name, subject)
        if current is not None:
            if current["player_id"] != player["id"]:
                raise errors.conflict(f"This {provider.display} account is already connected to another player.")
            return current
        if any(a["provider"] == provider.name for a in self.of_player(tx, player["id"])):
            raise errors.conflict(f"The player already has another {provider.display} account connected.")
        account = {
            "id": account_id(player["game_id"], provider.name, subject),
            "game_id": player["game_id"],
            "player_id": player["id"],
            "provider": provider.name,
            "subject": subject,
            "connected_at": ids.iso_now(),
        }
        tx.put(ACCOUNTS, account["id"], account)
        return account

    def player_for(self, tx: Tx, game: Game, provider: Provider, subject: str) -> tuple[Player, bool]:
        """The player an upstream account signs in as, created (with the account) on first sign-in;
        (player, created)."""
        account = self.owner(tx, game["id"], provider.name, subject)
        if account is not None:
            return Players.get(tx, account["player_id"]), False
        player = Players.create(tx, game["id"], subject)
        self.attach(tx, player, provider, subject)
        return player, True

    # -- own transactions --------------------------------------------------------------------------
    def list(self, player_id: str) -> list[dict[str, str]]:
        accounts = self.of_player(self.store.read(), player_id)
        return [view(PROVIDERS[a["provider"]]) for a in sorted(accounts, key=lambda a: a["provider"])]

    def connect(self, player_id: str, game: Game, provider_name: str, kind: str, value: str, param: str) -> Any:
        """Connect the upstream account behind a code or token to the player."""
        provider = PROVIDERS[provider_name]
        require_enabled(game, provider)
        identity = upstream_identity(self.registry, provider, kind, value, param)
        with self.store.write() as tx:
            self.attach(tx, Players.get(tx, player_id), provider, identity["id"])
        return view(provider)

    def unlink(self, player_id: str, provider_name: str) -> dict[str, str]:
        provider = resolve(provider_name)
        if provider is None:
            raise errors.not_found(f"Unknown identity provider '{provider_name}'.")
        with self.store.write() as tx:
            accounts = [a for a in self.of_player(tx, player_id) if a["provider"] == provider.name]
            if not accounts:
                raise errors.not_found(f"The player has no {provider.display} account connected.")
            for account in accounts:
                tx.delete(ACCOUNTS, account["id"])
        return view(provider)

    def transfer(
        self, caller_id: str, game: Game, source_token: str, target_token: str, names: list[str]
    ) -> list[dict[str, str]]:
        """Move providers from the source session's player to the target's: all of them or none.

        Fails when a provider is not enabled for the game (403), the source lacks one (400) or the target
        already has one (409). The request's own session must be the source's or the target's player."""
        with self.store.write() as tx:
            source = tx.get(SESSIONS, source_token)
            if source is None or source["game_id"] != game["id"]:
                raise errors.invalid("source_token", "not a live session token of this game")
            target = tx.get(SESSIONS, target_token)
            if target is None or target["game_id"] != game["id"]:
                raise errors.invalid("target_token", "not a live session token of this game")
            if caller_id not in (source["player_id"], target["player_id"]):
                raise errors.forbidden("The request's session must belong to the source or the target player.")
            if source["player_id"] == target["player_id"]:
                raise errors.invalid("target_token", "the source and the target are the same player")
            chosen: list[Provider] = []
            for name in names:
                provider = resolve(name)
                if provider is None:
                    raise errors.invalid("identity_providers", f"unknown identity provider '{name}'")
                if provider not in chosen:
                    chosen.append(provider)
            for provider in chosen:
                require_enabled(game, provider)
            source_accounts = {a["provider"]: a for a in self.of_player(tx, source["player_id"])}
            target_providers = {a["provider"] for a in self.of_player(tx, target["player_id"])}
            for provider in chosen:
                if provider.name not in source_accounts:
                    raise errors.invalid("identity_providers", f"the source player has no {provider.display} account")
            for provider in chosen:
                if provider.name in target_providers:
                    raise errors.conflict(f"The target player already has a {provider.display} account.")
            for provider in chosen:
                account = source_accounts[provider.name]
                account["player_id"] = target["player_id"]
                tx.put(ACCOUNTS, account["id"], account)
        return self.list(target["player_id"])
