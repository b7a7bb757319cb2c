"""Player bans: set and lifted with the Admin API (admin/bans.py), checked at every sign-in (a banned player's
sign-in → 403 `player_banned` with the ban) and reported by the Game API's `POST /game/session/ban-status`.

A ban is one document per player (id: the player's ULID). Without `banned_until` it is permanent; a ban whose
`banned_until` has passed no longer counts (LootLocker lifts temporary bans by themselves)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..routing import Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import BANS
from .games import Games, game_key_of
from .players import Player, Players

Ban = dict[str, Any]
DEFAULT_REASON = "Banned by an administrator"


def active(tx: Tx, player: Player) -> Ban | None:
    """The player's ban while it lasts."""
    ban = tx.get(BANS, player["id"])
    if ban is None or ban.get("game_id") != player["game_id"]:
        return None
    until = ban.get("banned_until")
    if until is not None and datetime.fromisoformat(until) <= datetime.now(UTC):
        return None
    return ban


def view(ban: Ban) -> dict[str, Any]:
    return {
        "ban_reason": ban["ban_reason"],
        "banned_on": ban["banned_on"],
        "banned_until": ban.get("banned_until"),
        "permanent": ban.get("banned_until") is None,
    }


def check(tx: Tx, player: Player) -> None:
    """Raise 403 player_banned (with the ban) when the player is banned: called by every sign-in."""
    ban = active(tx, player)
    if ban is not None:
        raise errors.player_banned(view(ban))


def ban(tx: Tx, player: Player, reason: str | None, until: str | None) -> Ban:
    doc = {
        "id": player["id"],
        "game_id": player["game_id"],
        "ban_reason": reason or DEFAULT_REASON,
        "banned_on": ids.iso_now(),
        "banned_until": until,
    }
    tx.put(BANS, player["id"], doc)
    return doc


def lift(tx: Tx, player: Player) -> None:
    tx.delete(BANS, player["id"])


def status(store: Store, games: Games, body: dict[str, Any]) -> dict[str, Any]:
    game = games.by_key(game_key_of(body))
    tx = store.read()
    player = Players.find(tx, game["id"], str(body["player_id"]), "ulid")
    if player is None:
        raise errors.not_found(f"No player '{body['player_id']}' in this game.")
    found = active(tx, player)
    return {"is_banned": found is not None, "ban": view(found) if found else None}


def handlers(store: Store) -> dict[str, Handler]:
    games = Games(store)
    return {"banStatus": lambda call: Reply(200, status(store, games, call.body))}
