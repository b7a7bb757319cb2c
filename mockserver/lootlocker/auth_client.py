"""LootLocker's auth client v3 (schemas/lootlocker/paths/auth_client.yaml): what a browser account page calls
without a session token — the game's identity providers, a link lease for the game, and the browser's side of a
lease (claim → verify → authorize), which is the one state machine of leases.py that the mock's remote sign-in
page and the control plane drive too. The account page then attaches the lease with its player's session."""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store
from . import errors
from .games import Game, Games, provider_enabled
from .leases import Leases, SignIn, base_url
from .providers import PROVIDERS, for_registry, resolve


def client_id(game: Game) -> str:
    """The game API key a browser names the game by: the fixtures' game_key, else its first game key."""
    keys = [game.get("game_key"), *(k["api_key"] for k in game.get("api_keys", []) if k.get("api_type") == "game")]
    return next((str(k) for k in keys if k), "")


def environment(game: Game) -> str:
    if game.get("environment") in ("development", "production"):
        return str(game["environment"])
    return "development" if client_id(game).startswith("dev_") else "production"


def identity_providers(game: Game) -> list[dict[str, str]]:
    """The providers a player can link through a lease: enabled, with upstream accounts, or White Label."""
    linkable = [p for p in PROVIDERS.values() if p.registry is not None or p.name == "credentials"]
    return [{"id": p.name, "name": p.display} for p in linkable if provider_enabled(game, p.name)]


def registry_name(provider: str | None) -> str | None:
    """The identity registry's name of a provider named the LootLocker way (steam, epic_games, psn) or the
    registry's way (epic)."""
    if provider is None:
        return None
    found = resolve(provider) or for_registry(provider)
    return found.registry if found is not None and found.registry is not None else provider


def handlers(store: Store) -> dict[str, Handler]:
    leases = Leases(store)
    games = Games(store)

    def ok(body: Any) -> Reply:
        return Reply(200, body)

    def config(call: Call) -> Reply:
        title_id, environment_id = call.query["title_id"], call.query["environment_id"]
        try:
            game = games.by_title(title_id, environment_id)
        except errors.LootLockerError:
            raise errors.not_found(f"No game has title {title_id} and environment {environment_id}.") from None
        return ok({"identity_providers": identity_providers(game)})

    def begin(call: Call) -> Reply:
        body = call.body
        if body.get("client_id"):
            game = games.by_key(str(body["client_id"]))
        elif body.get("title_id") or body.get("environment_id"):
            game = leases.game_of(body)
        else:
            raise errors.missing("client_id")
        lease = leases.begin(game, "link", None, base_url(call))
        return ok({**lease, "redirect_uri": lease["redirect_url"]})

    def step(view: dict[str, Any]) -> dict[str, Any]:
        return {k: view[k] for k in ("code", "nonce", "status", "intent")}

    def claim(call: Call) -> Reply:
        view = leases.advance(call.body["code"], "claim")
        lease = leases.find(view["code"])
        game = games.get(lease["game_id"]) if lease is not None else {}
        return ok(
            {
                **step(view),
                "client_id": client_id(game),
                "environment": environment(game),
                "title_id": view["title_id"],
                "environment_id": view["environment_id"],
            }
        )

    def verify(call: Call) -> Reply:
        return ok(step(leases.advance(call.body["code"], "verify", call.body["nonce"])))

    def authorize(call: Call) -> Reply:
        body = call.body
        sign_in = SignIn(
            provider=registry_name(body.get("provider")),
            identity_id=body.get("identity_id"),
            email=body.get("email"),
            password=body.get("password"),
        )
        return ok(step(leases.authorize(body["code"], sign_in, body["nonce"])))

    return {
        "getExternalAuthenticationConfig": config,
        "beginClientLease": begin,
        "claimClientLease": claim,
        "verifyClientLease": verify,
        "authorizeClientLease": authorize,
    }
