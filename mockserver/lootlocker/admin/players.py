"""Players of a game environment through the Admin API: bans (mockserver/lootlocker/bans.py), custom
notifications (notifications.create, what the player then lists), player lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Tx
from .. import bans, errors, notifications
from ..collections import ACCOUNTS, PLAYERS
from ..players import Player, Players

if TYPE_CHECKING:
    from .routes import Admin


def _player(tx: Tx, game_id: str, ulid: str, param: str) -> Player:
    player = Players.find(tx, game_id, ulid, "ulid")
    if player is None:
        raise errors.not_found(f"No player '{ulid}' in this game ({param}).")
    return player


def lookup_view(tx: Tx, player: Player) -> dict[str, Any]:
    return {
        "id": player["legacy_id"],
        "ulid": player["id"],
        "public_uid": player["public_uid"],
        "name": player.get("name"),
        "created_at": player["created_at"],
        "last_seen": player.get("last_seen"),
        "platforms": sorted({a["provider"] for a in tx.find(ACCOUNTS, player_id=player["id"])}),
        "banned": bans.active(tx, player) is not None,
    }


def handlers(admin: Admin) -> dict[str, Handler]:
    def ban(call: Call) -> Reply:
        game = admin.game(call)
        body = call.body or {}
        with admin.store.write() as tx:
            player = _player(tx, game["id"], call.path["player_id"], "player_id")
            made = bans.ban(tx, player, body.get("reason"), body.get("banned_until"))
        return Reply(200, {"player_id": player["id"], "ban": bans.view(made)})

    def unban(call: Call) -> Reply:
        game = admin.game(call)
        with admin.store.write() as tx:
            bans.lift(tx, _player(tx, game["id"], call.path["player_id"], "player_id"))
        return Reply(204)

    def notify(call: Call) -> Reply:
        game = admin.game(call)
        with admin.store.write() as tx:
            player = _player(tx, game["id"], str(call.body["recipient"]), "recipient")
            sent = notifications.create(tx, game["id"], player, call.body)
        return Reply(200, {"id": sent["id"], "recipient": player["id"]})

    def lookup(call: Call) -> Reply:
        game = admin.game(call)
        request = call.request
        args = request.args if request is not None else None
        tx = admin.store.read()
        found: dict[str, Player] = {}
        for reference in args.getlist("player_id") if args else []:
            player = Players.find(tx, game["id"], reference, "any")
            if player is not None:
                found.setdefault(player["id"], player)
        for uid in args.getlist("public_uid") if args else []:
            player = Players.find(tx, game["id"], uid, "public_uid")
            if player is not None:
                found.setdefault(player["id"], player)
        names = {n.casefold() for n in (args.getlist("name") if args else [])}
        if names:
            for player in tx.find(PLAYERS, game_id=game["id"]):
                if (player.get("name") or "").casefold() in names:
                    found.setdefault(player["id"], player)
        return Reply(200, {"players": [lookup_view(tx, p) for p in found.values()]})

    return {
        "adminBanPlayer": ban,
        "adminUnbanPlayer": unban,
        "adminSendNotification": notify,
        "adminLookupPlayers": lookup,
    }
