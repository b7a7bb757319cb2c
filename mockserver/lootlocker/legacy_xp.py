"""The legacy player info and XP reads that LootLocker's reference still lists (Players / Get Player Info, Get
Multiple Other Players XP And Level; called by older Unreal SDKs as `GET v1/player/info` and `POST v1/player/scores`).
They read the legacy XP that `POST /game/v1/player/score` adds (mockserver/lootlocker/profile.py) and the game's
levels. The legacy account balance reads 0 (LootLocker's old account credits; as the session's `account_balance`).
`player_ids` name players by platform id with `platform` (as the characters' lookups do), else by legacy id, ULID or
public UID; ids of no player of the game are left out of the answer.
"""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store
from . import errors
from .characters import other_player
from .players import Players
from .profile import level_of


def handlers(store: Store) -> dict[str, Handler]:
    def game(call: Call) -> dict[str, Any]:
        return dict(call.context["game"])

    def info(call: Call) -> Reply:
        player = Players.get(store.read(), str(call.context["player_id"]))
        xp = int(player.get("xp") or 0)
        return Reply(
            200, {"success": True, "account_balance": 0, "xp": xp, "ulid": player["id"], **level_of(game(call), xp)}
        )

    def scores(call: Call) -> Reply:
        tx, found = store.read(), []
        for reference in dict.fromkeys(str(i) for i in call.body["player_ids"]):
            try:
                player = other_player(tx, str(game(call)["id"]), reference, call.body.get("platform"))
            except errors.LootLockerError:
                continue
            xp = int(player.get("xp") or 0)
            found.append({"id": reference, "xp": xp, "level": level_of(game(call), xp)["level"]})
        return Reply(200, {"success": True, "players": found})

    return {"getLegacyPlayerInfo": info, "listPlayersXp": scores}
