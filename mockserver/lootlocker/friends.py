"""Friends: friend requests between players of one game (by ULID), friendships, and blocked players.

Every relation is stored once per side, as `{owner, other, relation, game_id, ...}` with the id
"<relation>:<owner>:<other>", so each list is one indexed lookup of the owner's documents: a request is an
"outgoing" document of the sender and an "incoming" one of the recipient; a friendship is a "friend" document on
each side; a block is one "blocked" document of the blocker (the blocked player does not see it). Both sides always
change in one transaction.
"""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import FRIENDS, PLAYERS
from .pagination import page_of
from .players import Players

Relation = dict[str, Any]

DEFAULT_PER_PAGE = 50  # as the notifications list (LootLocker's default is not documented)
MAX_PER_PAGE = 100


def _key(kind: str, owner: str, other: str) -> str:
    return f"{kind}:{owner}:{other}"


def _get(tx: Tx, kind: str, owner: str, other: str) -> Relation | None:
    return tx.get(FRIENDS, _key(kind, owner, other))


def _put(tx: Tx, game_id: str, kind: str, owner: str, other: str, **fields: Any) -> None:
    doc = {"owner": owner, "other": other, "relation": kind, "game_id": game_id, **fields}
    tx.put(FRIENDS, _key(kind, owner, other), doc)


def _drop(tx: Tx, kind: str, owner: str, other: str) -> None:
    tx.delete(FRIENDS, _key(kind, owner, other))


def _other(tx: Tx, game_id: str, me: str, reference: str) -> str:
    """The ULID of the named player of the same game (a player of another game is unknown: 404)."""
    player = Players.find(tx, game_id, reference, "ulid")
    if player is None:
        raise errors.not_found("No player with that id in this game.")
    if player["id"] == me:
        raise errors.invalid("player_id", "a player cannot be their own friend")
    return str(player["id"])


def _befriend(tx: Tx, game_id: str, a: str, b: str, requested_at: str) -> None:
    """`b` accepts the request of `a` (or the two requests crossed): both sides become friends."""
    for owner, other in ((a, b), (b, a)):
        _drop(tx, "outgoing", owner, other)
        _drop(tx, "incoming", owner, other)
    accepted_at = ids.iso_now()
    _put(tx, game_id, "friend", a, b, created_at=requested_at, accepted_at=accepted_at)
    _put(tx, game_id, "friend", b, a, created_at=requested_at, accepted_at=accepted_at)


def send(tx: Tx, game_id: str, me: str, reference: str) -> None:
    other = _other(tx, game_id, me, reference)
    if _get(tx, "blocked", other, me) or _get(tx, "blocked", me, other):
        raise errors.forbidden("A blocked player cannot be sent a friend request, nor send one.")
    if _get(tx, "friend", me, other):
        raise errors.conflict("The players are already friends.")
    if _get(tx, "outgoing", me, other):
        raise errors.conflict("A friend request to this player is already pending.")
    crossed = _get(tx, "incoming", me, other)
    if crossed is not None:  # they asked first: sending back accepts (what the Web SDK relies on)
        _befriend(tx, game_id, other, me, crossed["created_at"])
        return
    now = ids.iso_now()
    _put(tx, game_id, "outgoing", me, other, created_at=now)
    _put(tx, game_id, "incoming", other, me, created_at=now)


def accept(tx: Tx, game_id: str, me: str, reference: str) -> None:
    other = _other(tx, game_id, me, reference)
    request = _get(tx, "incoming", me, other)
    if request is None:
        raise errors.not_found("No friend request from this player.")
    _befriend(tx, game_id, other, me, request["created_at"])


def _withdraw(tx: Tx, game_id: str, me: str, reference: str, kind: str) -> None:
    """Decline (kind "incoming") or cancel ("outgoing") a pending request, on both sides."""
    other = _other(tx, game_id, me, reference)
    if _get(tx, kind, me, other) is None:
        raise errors.not_found("No such pending friend request.")
    mirror = "outgoing" if kind == "incoming" else "incoming"
    _drop(tx, kind, me, other)
    _drop(tx, mirror, other, me)


def unfriend(tx: Tx, game_id: str, me: str, reference: str) -> None:
    other = _other(tx, game_id, me, reference)
    if _get(tx, "friend", me, other) is None:
        raise errors.not_found("This player is not a friend.")
    _drop(tx, "friend", me, other)
    _drop(tx, "friend", other, me)


def block(tx: Tx, game_id: str, me: str, reference: str) -> None:
    other = _other(tx, game_id, me, reference)
    if _get(tx, "blocked", me, other):
        raise errors.conflict("This player is already blocked.")
    for kind in ("outgoing", "incoming", "friend"):  # blocking ends every tie, on both sides
        _drop(tx, kind, me, other)
        _drop(tx, kind, other, me)
    _put(tx, game_id, "blocked", me, other, blocked_at=ids.iso_now())


def unblock(tx: Tx, game_id: str, me: str, reference: str) -> None:
    other = _other(tx, game_id, me, reference)
    if _get(tx, "blocked", me, other) is None:
        raise errors.not_found("This player is not blocked.")
    _drop(tx, "blocked", me, other)


def _entry(tx: Tx, relation: Relation) -> dict[str, Any]:
    player = tx.get(PLAYERS, relation["other"]) or {}
    name = player.get("name") or ""
    # Unity and the Web SDK read `name`, Unreal reads `player_name`: both carry the same value.
    shown = {"player_id": relation["other"], "name": name, "player_name": name}
    shown["public_uid"] = player.get("public_uid", "")
    for field in ("created_at", "accepted_at", "blocked_at"):
        if field in relation:
            shown[field] = relation[field]
    return shown


def _int(value: str | None, default: int) -> int:
    return int(value) if value else default  # the schema has checked it is an integer


def list_page(store: Store, me: str, kind: str, key: str, query: dict[str, str]) -> dict[str, Any]:
    """One page of the player's relations of one kind, oldest first, under the SDK's response key."""
    tx = store.read()
    found = [r for r in tx.find(FRIENDS, owner=me, relation=kind) if tx.get(PLAYERS, r["other"]) is not None]
    found.sort(key=lambda r: (r.get("accepted_at") or r.get("blocked_at") or r.get("created_at", ""), r["other"]))
    per_page = min(_int(query.get("per_page"), DEFAULT_PER_PAGE) or DEFAULT_PER_PAGE, MAX_PER_PAGE)
    page = _int(query.get("page"), 1) or 1
    shown, pagination = page_of(found, page, per_page)
    return {key: [_entry(tx, r) for r in shown], "pagination": pagination}


def handlers(store: Store) -> dict[str, Handler]:
    def me(call: Call) -> str:
        return str(call.context["player_id"])

    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def lister(kind: str, key: str) -> Handler:
        return lambda call: Reply(200, list_page(store, me(call), kind, key, call.query))

    def change(action: Any) -> Handler:
        def handler(call: Call) -> Reply:
            with store.write() as tx:
                action(tx, game_id(call), me(call), call.path["player_ulid"])
            return Reply(204)

        return handler

    def get_friend(call: Call) -> Reply:
        tx = store.read()
        other = _other(tx, game_id(call), me(call), call.path["player_ulid"])
        relation = _get(tx, "friend", me(call), other)
        if relation is None:
            raise errors.not_found("This player is not a friend.")
        return Reply(200, _entry(tx, relation))

    return {
        "listFriends": lister("friend", "friends"),
        "listIncomingFriendRequests": lister("incoming", "incoming"),
        "listOutgoingFriendRequests": lister("outgoing", "outgoing"),
        "listBlockedPlayers": lister("blocked", "blocked"),
        "getFriend": get_friend,
        "sendFriendRequest": change(send),
        "acceptFriendRequest": change(accept),
        "declineFriendRequest": change(lambda tx, g, m, r: _withdraw(tx, g, m, r, "incoming")),
        "cancelFriendRequest": change(lambda tx, g, m, r: _withdraw(tx, g, m, r, "outgoing")),
        "deleteFriend": change(unfriend),
        "blockPlayer": change(block),
        "unblockPlayer": change(unblock),
    }
