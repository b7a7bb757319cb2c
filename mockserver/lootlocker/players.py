"""Players: one per game and person, with three ids (a ULID, a legacy integer id from a per-game sequence,
an 8-character public UID), a name, and the times they were created and last seen."""

from __future__ import annotations

import uuid
from collections.abc import Container
from typing import Any

from ..store import Store, Tx
from . import errors, ids
from .collections import PLAYERS
from .sequences import next_value

Player = dict[str, Any]


def info(player: Player) -> dict[str, Any]:
    """What any player of the game may read about a player (hazy-hammock info)."""
    return {
        "id": player["id"],
        "legacy_id": player["legacy_id"],
        "public_uid": player["public_uid"],
        "name": player["name"],
        "created_at": player["created_at"],
        "last_seen": player["last_seen"],
    }


class Players:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- inside a caller's write transaction -------------------------------------------------------
    @staticmethod
    def create(tx: Tx, game_id: str, identifier: str | None = None) -> Player:
        public_uid = Players.new_public_uid(tx, game_id)
        player = {
            "id": ids.ulid(),
            "game_id": game_id,
            "legacy_id": next_value(tx, f"{game_id}:players"),
            "public_uid": public_uid,
            "identifier": identifier or str(uuid.uuid4()),
            "name": None,
            "created_at": ids.iso_now(),
            "last_seen": None,
            "wallet_id": ids.ulid(),
        }
        tx.put(PLAYERS, player["id"], player)
        return player

    @staticmethod
    def new_public_uid(tx: Tx, game_id: str, taken: Container[str] = ()) -> str:
        """A public UID no player of the game has (nor any of `taken`)."""
        public_uid = ids.human_code()
        while public_uid in taken or tx.find(PLAYERS, game_id=game_id, public_uid=public_uid):
            public_uid = ids.human_code()
        return public_uid

    @staticmethod
    def get(tx: Tx, player_id: str) -> Player:
        player = tx.get(PLAYERS, player_id)
        if player is None:
            raise errors.unauthorized("The player of this session no longer exists.")
        return player

    @staticmethod
    def find(tx: Tx, game_id: str, reference: str | int, kind: str = "any") -> Player | None:
        """A player of the game by ULID, legacy id or public UID (`kind` limits which)."""
        text = str(reference)
        if kind in ("any", "ulid"):
            by_ulid = tx.get(PLAYERS, text.upper())
            if by_ulid is not None and by_ulid["game_id"] == game_id:
                return by_ulid
        if kind in ("any", "legacy") and text.isdigit():
            found = tx.find(PLAYERS, game_id=game_id, legacy_id=int(text))
            if found:
                return found[0]
        if kind in ("any", "public_uid"):
            found = tx.find(PLAYERS, game_id=game_id, public_uid=text.upper())
            if found:
                return found[0]
        return None

    # -- own transactions --------------------------------------------------------------------------
    def get_name(self, player_id: str) -> str | None:
        return self.get(self.store.read(), player_id)["name"]

    def set_name(self, player_id: str, name: str) -> str:
        with self.store.write() as tx:
            player = self.get(tx, player_id)
            player["name"] = name
            tx.put(PLAYERS, player_id, player)
        return name

    def info(self, player_id: str) -> dict[str, Any]:
        return info(self.get(self.store.read(), player_id))

    def list_info(self, game_id: str, ulids: list[str], legacy_ids: list[int], public_uids: list[str]) -> list[Any]:
        """Info of the players named by any of the three id kinds, in request order, each once; ids of no
        player of this game are left out."""
        tx = self.store.read()
        found: dict[str, Player] = {}
        wanted = [
            *((u, "ulid") for u in ulids),
            *((str(i), "legacy") for i in legacy_ids),
            *((p, "public_uid") for p in public_uids),
        ]
        for reference, kind in wanted:
            player = self.find(tx, game_id, reference, kind)
            if player is not None:
                found.setdefault(player["id"], player)
        return [info(p) for p in found.values()]
