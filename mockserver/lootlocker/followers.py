"""Followers: a player of a game follows another (both named by public UID on the wire); each player's followers
and the players it follows are listed with LootLocker's cursor pagination, oldest follow first.

A follow is one document `{follower, followed, game_id, created_at, order}` with the id "<follower>:<followed>" (ULIDs),
indexed on both ends. The cursor is the position of the page's first entry as a decimal string (an opaque string
to the SDKs). Players of other games are unknown (404).
"""

from __future__ import annotations

import time
from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import FOLLOWS, PLAYERS
from .players import Player, Players

DEFAULT_PER_PAGE = 50  # the SDKs' default is not documented; as the other lists of the mock
MAX_PER_PAGE = 100


def _player(tx: Tx, game_id: str, public_uid: str) -> Player:
    player = Players.find(tx, game_id, public_uid, "public_uid")
    if player is None:
        raise errors.not_found("No player with that public UID in this game.")
    return player


def follow(tx: Tx, game_id: str, me: str, public_uid: str) -> None:
    followed = _player(tx, game_id, public_uid)["id"]
    if followed == me:
        raise errors.invalid("public_uid", "a player cannot follow themselves")
    if tx.get(FOLLOWS, f"{me}:{followed}") is not None:
        raise errors.conflict("The player already follows that player.")
    # `order` (nanoseconds) keeps follows of the same second in the order they happened.
    doc = {
        "follower": me,
        "followed": followed,
        "game_id": game_id,
        "created_at": ids.iso_now(),
        "order": time.time_ns(),
    }
    tx.put(FOLLOWS, f"{me}:{followed}", doc)


def unfollow(tx: Tx, game_id: str, me: str, public_uid: str) -> None:
    followed = _player(tx, game_id, public_uid)["id"]
    if not tx.delete(FOLLOWS, f"{me}:{followed}"):
        raise errors.not_found("The player does not follow that player.")


def _entry(player: Player, created_at: str) -> dict[str, Any]:
    # Unity and Unreal read `publicuid`/`createdat`, the Web SDK `public_uid`: every spelling is sent.
    name = player.get("name") or ""
    uid = player["public_uid"]
    return {
        "player_id": player["id"],
        "player_name": name,
        "name": name,
        "public_uid": uid,
        "publicuid": uid,
        "created_at": created_at,
        "createdat": created_at,
    }


def list_page(store: Store, game_id: str, public_uid: str, side: str, query: dict[str, str]) -> dict[str, Any]:
    """`side` "followed": the player's followers; "follower": the players it follows."""
    tx = store.read()
    player = _player(tx, game_id, public_uid)
    other = "follower" if side == "followed" else "followed"
    found = [(f, tx.get(PLAYERS, f[other])) for f in tx.find(FOLLOWS, **{side: player["id"]})]
    rows = sorted(((f["order"], f, p) for f, p in found if p is not None), key=lambda r: (r[0], r[1][other]))
    cursor = query.get("cursor") or "0"
    if not cursor.isdigit():
        raise errors.invalid("cursor", "not a cursor of this list")
    start = int(cursor)
    per_page = min(int(query.get("per_page") or 0) or DEFAULT_PER_PAGE, MAX_PER_PAGE)
    end = start + per_page
    return {
        "followers": [_entry(p, f["created_at"]) for _, f, p in rows[start:end]],
        "pagination": {
            "total": len(rows),
            "next_cursor": str(end) if end < len(rows) else None,
            "previous_cursor": str(max(0, start - per_page)) if start > 0 else None,
        },
    }


def handlers(store: Store) -> dict[str, Handler]:
    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def lister(side: str) -> Handler:
        return lambda call: Reply(200, list_page(store, game_id(call), call.path["public_uid"], side, call.query))

    def change(action: Any) -> Handler:
        def handler(call: Call) -> Reply:
            with store.write() as tx:
                action(tx, game_id(call), str(call.context["player_id"]), call.path["public_uid"])
            return Reply(204)

        return handler

    return {
        "listFollowers": lister("followed"),
        "listFollowing": lister("follower"),
        "followPlayer": change(follow),
        "unfollowPlayer": change(unfollow),
    }
