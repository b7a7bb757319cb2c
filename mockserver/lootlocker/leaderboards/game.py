"""The Game API handlers of leaderboards (schemas/lootlocker/paths/leaderboards.yaml)."""

from __future__ import annotations

from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store
from .model import Leaderboards


def _int(value: str | None) -> int | None:
    return int(value) if value else None  # the schema has checked it is an integer


def handlers(store: Store) -> dict[str, Handler]:
    boards = Leaderboards(store)

    def game_id(call: Call) -> str:
        return str(call.context["game"]["id"])

    def player_id(call: Call) -> str:
        return str(call.context["player_id"])

    def key(call: Call) -> str:
        return call.path["leaderboard_key"]

    def ok(body: Any) -> Reply:
        return Reply(200, body)

    def list_boards(call: Call) -> Reply:
        return ok(boards.list_boards(game_id(call), _int(call.query.get("count")), _int(call.query.get("after"))))

    def submit(call: Call) -> Reply:
        body = call.body
        member = body.get("member_id")
        return ok(
            boards.submit(
                game_id(call),
                player_id(call),
                key(call),
                str(member) if member else None,
                body["score"],
                body.get("metadata"),
            )
        )

    def increment(call: Call) -> Reply:
        member = call.body.get("member_id")
        return ok(
            boards.increment(
                game_id(call), player_id(call), key(call), str(member) if member else None, call.body["amount"]
            )
        )

    def score_list(call: Call) -> Reply:
        query = call.query
        return ok(boards.scores(game_id(call), key(call), _int(query.get("count")), _int(query.get("after"))))

    def member_ranks(call: Call) -> Reply:
        query = call.query
        return ok(
            boards.member_ranks(
                game_id(call), call.path["member_id"], _int(query.get("count")), _int(query.get("after"))
            )
        )

    def archive(call: Call) -> Reply:
        query = call.query
        return ok(boards.archive(game_id(call), query["key"], _int(query.get("count")), query.get("after") or None))

    return {
        "listLeaderboards": list_boards,
        "listLeaderboardArchives": lambda call: ok(boards.archives(game_id(call), key(call))),
        "getLeaderboardArchive": archive,
        "listLeaderboardsWithoutSlash": list_boards,
        "getLeaderboardDetails": lambda call: ok(boards.details(game_id(call), key(call))),
        "submitScore": submit,
        "incrementScore": increment,
        "queryScore": lambda call: ok(boards.query(game_id(call), player_id(call), key(call), call.body["score"])),
        "getScoreList": score_list,
        "getMemberRank": lambda call: ok(boards.member(game_id(call), key(call), call.path["member_id"])),
        "getByListOfMembers": lambda call: ok(
            boards.members(game_id(call), key(call), [str(m) for m in call.body["members"]])
        ),
        "getAllMemberRanks": member_ranks,
    }
