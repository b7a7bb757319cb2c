"""The leaderboard rules, in store transactions.

A leaderboard is `{id (int), ulid, game_id, key, name, type: player|generic, direction_method:
ascending|descending, enable_game_api_writes, overwrite_score_on_submit, has_metadata, schedule, rewards,
created_at, updated_at}`; keys are unique per game (per environment). A score is one document per member
(`<leaderboard id>:<member id>`) ranked by the store (collections.RANKED) under its `sort_key` (ranking.py).

Members: on a player board the member is a player and `member_id` is the player's legacy id as a string (the
SDK samples send `player_id.ToString()`); a lookup also takes the ULID or public UID. On a generic board the
member id is the game's own string.
"""

from __future__ import annotations

import json
from typing import Any

from ...store import Store, Tx
from .. import errors, ids
from ..collections import LEADERBOARD_ARCHIVES, LEADERBOARDS, PLAYERS, SCORES
from ..players import Players
from ..sequences import next_value
from . import cron, ranking

Board = dict[str, Any]
Score = dict[str, Any]

TYPES = ("player", "generic")
DIRECTIONS = ("ascending", "descending")
DEFAULT_COUNT = 50  # scores or boards per page when `count` is left out (a documented choice)
UPCOMING_RUNS = 3  # the schedule's next runs listed in `schedule.schedule`


def board_name(board: Board) -> str:
    """The store's ranking board of a leaderboard (collections._score_place writes the same)."""
    return f"lb:{board['id']}"


def _descending(board: Board) -> bool:
    return board["direction_method"] == "descending"


# -- views ------------------------------------------------------------------------------------------
def _schedule(board: Board) -> dict[str, Any] | None:
    schedule = board.get("schedule")
    if not schedule:
        return None
    runs = cron.next_runs(schedule["cron_expression"], UPCOMING_RUNS)
    return {
        "cron_expression": schedule["cron_expression"],
        "next_run": runs[0] if runs else None,
        "last_run": schedule.get("last_run"),
        "schedule": runs,
    }


def _reward(reward: dict[str, Any]) -> dict[str, Any]:
    kind = reward["reward_kind"]
    return {
        "reward_kind": kind,
        "predicates": reward["predicates"],
        kind: {
            "reward_id": reward["reward_id"],
            "created_at": reward["created_at"],
            "updated_at": reward["created_at"],
        },
    }


def board_view(board: Board) -> dict[str, Any]:
    return {
        "id": board["id"],
        "ulid": board["ulid"],
        "key": board["key"],
        "name": board["name"],
        "type": board["type"],
        "direction_method": board["direction_method"],
        "overwrite_score_on_submit": board["overwrite_score_on_submit"],
        "has_metadata": board["has_metadata"],
        "created_at": board["created_at"],
        "updated_at": board["updated_at"],
        "schedule": _schedule(board),
        "rewards": [_reward(r) for r in board.get("rewards", [])],
    }


def details_view(board: Board) -> dict[str, Any]:
    view = board_view(board)
    schedule = view["schedule"]
    resets = []
    if schedule and schedule["next_run"]:
        resets = [{"id": 1, "name": f"{board['name']} reset", "scheduled_for": schedule["next_run"]}]
    return {**view, "upcoming_resets": resets}


def admin_view(board: Board) -> dict[str, Any]:
    """The Admin API's leaderboard (LootLockerTestLeaderboard): the settings the admin sent."""
    return {
        "id": board["id"],
        "ulid": board["ulid"],
        "key": board["key"],
        "name": board["name"],
        "type": board["type"],
        "direction_method": board["direction_method"],
        "enable_game_api_writes": board["enable_game_api_writes"],
        "overwrite_score_on_submit": board["overwrite_score_on_submit"],
        "has_metadata": board["has_metadata"],
        "created_at": board["created_at"],
        "updated_at": board["updated_at"],
        "schedule": _schedule(board),
        "rewards": [_reward(r) for r in board.get("rewards", [])],
    }


def _player_view(player: dict[str, Any] | None) -> dict[str, Any] | None:
    if player is None:
        return None
    return {
        "id": player["legacy_id"],
        "public_uid": player["public_uid"],
        "name": player.get("name") or "",
        "ulid": player["id"],
    }


def _entry(tx: Tx, board: Board, score: Score, rank: int) -> dict[str, Any]:
    player = tx.get(PLAYERS, score["player_id"]) if score.get("player_id") else None
    return {
        "member_id": score["member_id"],
        "rank": rank,
        "score": score["score"],
        "player": _player_view(player),
        "metadata": score["metadata"] if board["has_metadata"] else "",
    }


def _rank(tx: Tx, board: Board, score: Score) -> int:
    return tx.rank_before(board_name(board), int(score["sort_key"])) + 1


def _cursor_page(total: int, after: int, count: int, shown: int) -> dict[str, Any]:
    """LootLocker's cursor pagination: `after` is how many come before the page (0 = the first page)."""
    return {
        "total": total,
        "next_cursor": after + shown if after + shown < total else None,
        "previous_cursor": max(after - count, 0) if after > 0 else None,
    }


# -- admin-side changes (inside the Admin API's transactions) -----------------------------------------
def _check_settings(fields: dict[str, Any]) -> None:
    if "type" in fields and fields["type"] not in TYPES:
        raise errors.invalid("type", f"must be one of {', '.join(TYPES)}")
    if "direction_method" in fields and fields["direction_method"] not in DIRECTIONS:
        raise errors.invalid("direction_method", f"must be one of {', '.join(DIRECTIONS)}")
    if "key" in fields and not str(fields["key"]).strip():
        raise errors.missing("key")


def _key_taken(tx: Tx, game_id: str, key: str, board_id: int | None = None) -> None:
    for other in tx.find(LEADERBOARDS, game_id=game_id):
        if other["key"] == key and other["id"] != board_id:
            raise errors.conflict(f"The game already has a leaderboard with the key '{key}'.")


def create(tx: Tx, game_id: str, fields: dict[str, Any]) -> Board:
    for name in ("name", "key", "type", "direction_method"):
        if fields.get(name) in (None, ""):
            raise errors.missing(name)
    _check_settings(fields)
    _key_taken(tx, game_id, str(fields["key"]))
    now = ids.iso_now()
    board = {
        "id": next_value(tx, "leaderboards"),
        "ulid": ids.ulid(),
        "game_id": game_id,
        "key": str(fields["key"]),
        "name": str(fields["name"]),
        "type": fields["type"],
        "direction_method": fields["direction_method"],
        "enable_game_api_writes": bool(fields.get("enable_game_api_writes", True)),
        "overwrite_score_on_submit": bool(fields.get("overwrite_score_on_submit", False)),
        "has_metadata": bool(fields.get("has_metadata", False)),
        "schedule": None,
        "rewards": [],
        "created_at": now,
        "updated_at": now,
    }
    tx.put(LEADERBOARDS, str(board["id"]), board)
    return board


def by_id(tx: Tx, game_id: str, board_id: int | str) -> Board:
    board = tx.get(LEADERBOARDS, str(board_id))
    if board is None or board["game_id"] != game_id:
        raise errors.not_found(f"No leaderboard with id '{board_id}' in this game.")
    return board


def update(tx: Tx, game_id: str, board_id: int | str, fields: dict[str, Any]) -> Board:
    """Change a board's settings. A new direction re-sorts its scores (each keeps its write sequence); a
    type change on a board with scores is refused (their member ids would mean something else)."""
    board = by_id(tx, game_id, board_id)
    _check_settings(fields)
    if fields.get("key") is not None:
        _key_taken(tx, game_id, str(fields["key"]), board["id"])
    if fields.get("type") not in (None, board["type"]) and tx.rank_size(board_name(board)):
        raise errors.conflict("The type of a leaderboard with scores cannot change.")
    turned = fields.get("direction_method") not in (None, board["direction_method"])
    for name in ("name", "key", "type", "direction_method"):
        if fields.get(name) is not None:
            board[name] = str(fields[name])
    for name in ("enable_game_api_writes", "overwrite_score_on_submit", "has_metadata"):
        if fields.get(name) is not None:
            board[name] = bool(fields[name])
    board["updated_at"] = ids.iso_now()
    tx.put(LEADERBOARDS, str(board["id"]), board)
    if turned:
        for score in tx.find(SCORES, leaderboard_id=board["id"]):
            score["sort_key"] = ranking.sort_key(score["score"], score["sequence"], _descending(board))
            tx.put(SCORES, score["id"], score)
    return board


def set_schedule(tx: Tx, game_id: str, board_id: int | str, expression: str) -> Board:
    board = by_id(tx, game_id, board_id)
    try:
        cron.parse(expression)
    except cron.CronError as error:
        raise errors.invalid("cron_expression", str(error)) from None
    board["schedule"] = {"cron_expression": expression, "last_run": (board.get("schedule") or {}).get("last_run")}
    board["updated_at"] = ids.iso_now()
    tx.put(LEADERBOARDS, str(board["id"]), board)
    return board


def add_reward(tx: Tx, game_id: str, board_id: int | str, fields: dict[str, Any]) -> Board:
    board = by_id(tx, game_id, board_id)
    predicates = [
        {"id": ids.ulid(), "type": p["type"], "args": dict(p.get("args") or {})} for p in fields["predicates"]
    ]
    board.setdefault("rewards", []).append(
        {
            "reward_id": str(fields["reward_id"]),
            "reward_kind": fields["reward_kind"],
            "predicates": predicates,
            "created_at": ids.iso_now(),
        }
    )
    board["updated_at"] = ids.iso_now()
    tx.put(LEADERBOARDS, str(board["id"]), board)
    return board


def reset(tx: Tx, board_id: int | str) -> dict[str, Any]:
    """A scheduled reset, run now: the board's scores become an archive (the Game API's historical data) and
    the board starts empty. Rewards are not granted (the mock has no economy to grant them from)."""
    board = tx.get(LEADERBOARDS, str(board_id))
    if board is None:
        raise errors.not_found(f"No leaderboard with id '{board_id}'.")
    name = board_name(board)
    items = []
    for rank, doc in enumerate(tx.rank_page(SCORES, name, 0, tx.rank_size(name)), start=1):
        player = tx.get(PLAYERS, doc["player_id"]) if doc.get("player_id") else None
        items.append(
            {
                "player": None
                if player is None
                else {
                    "name": player.get("name") or "",
                    "public_uid": player["public_uid"],
                    "id": player["legacy_id"],
                    "player_ulid": player["id"],
                },
                "metadata": doc["metadata"] if board["has_metadata"] else "",
                "member_id": doc["member_id"],
                "rank": rank,
                "score": doc["score"],
            }
        )
    now = ids.iso_now()
    archive = {
        "id": f"{board['ulid']}/{ids.ulid()}.json",
        "leaderboard_id": board["id"],
        "game_id": board["game_id"],
        "last_modified": now,
        "content_type": "application/json",
        "content_length": len(json.dumps(items, separators=(",", ":")).encode()),
        "items": items,
    }
    tx.put(LEADERBOARD_ARCHIVES, archive["id"], archive)
    tx.delete_where(SCORES, leaderboard_id=board["id"])
    if board.get("schedule"):
        board["schedule"]["last_run"] = now
        tx.put(LEADERBOARDS, str(board["id"]), board)
    return {"archive": archive_view(archive), "leaderboard_id": board["id"], "cleared": len(items)}


def archive_view(archive: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": archive["id"],
        "last_modified": archive["last_modified"],
        "content_type": archive["content_type"],
        "content_length": archive["content_length"],
    }


def delete_game_boards(tx: Tx, game_id: str) -> None:
    """Remove a game's boards, scores and archives (when the Admin API deletes the game)."""
    for board in tx.find(LEADERBOARDS, game_id=game_id):
        tx.delete_where(SCORES, leaderboard_id=board["id"])
        tx.delete_where(LEADERBOARD_ARCHIVES, leaderboard_id=board["id"])
        tx.delete(LEADERBOARDS, str(board["id"]))


# -- the Game API ---------------------------------------------------------------------------------------
class Leaderboards:
    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _board(tx: Tx, game_id: str, reference: str) -> Board:
        """A board of the game by key, or by id (LootLocker takes either in the path)."""
        boards = tx.find(LEADERBOARDS, game_id=game_id)
        for board in boards:
            if board["key"] == reference:
                return board
        if reference.isdigit():
            for board in boards:
                if board["id"] == int(reference):
                    return board
        raise errors.not_found(f"No leaderboard '{reference}' in this game.")

    board = _board  # public: `mockserver populate` names a board the same way

    def record(self, tx: Tx, board: Board, player: dict[str, Any], score: int) -> Score:
        """A player's score on a board found with board(), written inside the caller's transaction (`mockserver
        populate`'s batches: the board looked up once for all of them)."""
        return self._write(tx, board, str(player["legacy_id"]), player["id"], score, "")

    @staticmethod
    def _member(tx: Tx, board: Board, game_id: str, reference: str) -> tuple[str, str | None]:
        """(member id, player ULID) named by a reference: on a player board any of the player's ids."""
        if board["type"] == "generic":
            return reference, None
        player = Players.find(tx, game_id, reference)
        if player is None:
            return reference, None
        return str(player["legacy_id"]), str(player["id"])

    def _writer(self, tx: Tx, board: Board, game_id: str, player_id: str, member_id: str | None) -> tuple[str, Any]:
        if not board["enable_game_api_writes"]:
            raise errors.forbidden("Game API writes are disabled for this leaderboard.")
        if board["type"] == "generic":
            if not member_id:
                raise errors.missing("member_id")
            return member_id, None
        caller = Players.get(tx, player_id)
        if member_id:
            named = Players.find(tx, game_id, member_id)
            if named is None or named["id"] != caller["id"]:
                raise errors.forbidden("On a player leaderboard a player submits only their own score.")
        return str(caller["legacy_id"]), caller["id"]

    def _write(self, tx: Tx, board: Board, member: str, player_ulid: str | None, score: int, metadata: Any) -> Score:
        """Store a member's new score (a changed score takes the board's next write sequence: ties rank the
        member who reached the score first)."""
        doc_id = f"{board['id']}:{member}"
        current = tx.get(SCORES, doc_id)
        now = ids.iso_now()
        if current is None or current["score"] != score:
            sequence = next_value(tx, f"leaderboard:{board['id']}")
            if sequence > ranking.SEQUENCE_MAX:
                raise errors.conflict("This leaderboard has taken all the score writes it can rank.")
        else:
            sequence = current["sequence"]
        doc = {
            "id": doc_id,
            "leaderboard_id": board["id"],
            "member_id": member,
            "player_id": player_ulid,
            "score": score,
            "metadata": metadata if board["has_metadata"] else "",
            "sequence": sequence,
            "sort_key": ranking.sort_key(score, sequence, _descending(board)),
            "created_at": current["created_at"] if current else now,
            "updated_at": now,
        }
        tx.put(SCORES, doc_id, doc)
        return doc

    @staticmethod
    def _answer(tx: Tx, board: Board, doc: Score) -> dict[str, Any]:
        return {
            "member_id": doc["member_id"],
            "rank": _rank(tx, board, doc),
            "score": doc["score"],
            "metadata": doc["metadata"] if board["has_metadata"] else "",
        }

    def submit(
        self, game_id: str, player_id: str, key: str, member_id: str | None, score: int, metadata: str | None
    ) -> dict[str, Any]:
        """Without overwrite_score_on_submit a score that is not better is ignored: the answer is the kept
        score and its metadata. With it, the latest score replaces the member's."""
        with self.store.write() as tx:
            board = self._board(tx, game_id, key)
            member, player_ulid = self._writer(tx, board, game_id, player_id, member_id)
            current = tx.get(SCORES, f"{board['id']}:{member}")
            keep = (
                current is not None
                and not board["overwrite_score_on_submit"]
                and not ranking.better(score, current["score"], _descending(board))
            )
            doc = (
                current
                if keep and current is not None
                else self._write(tx, board, member, player_ulid, score, metadata or "")
            )
            return self._answer(tx, board, doc)

    def increment(self, game_id: str, player_id: str, key: str, member_id: str | None, amount: int) -> dict[str, Any]:
        """Add `amount` to the member's score (0 when it has none), whatever the direction or overwrite rule;
        the metadata stays."""
        with self.store.write() as tx:
            board = self._board(tx, game_id, key)
            member, player_ulid = self._writer(tx, board, game_id, player_id, member_id)
            current = tx.get(SCORES, f"{board['id']}:{member}")
            score = (current["score"] if current else 0) + amount
            if not ranking.in_range(score):
                raise errors.invalid("amount", "the score would leave the 32-bit integer range")
            metadata = current["metadata"] if current else ""
            doc = self._write(tx, board, member, player_ulid, score, metadata)
            return self._answer(tx, board, doc)

    def query(self, game_id: str, player_id: str, key: str, score: int) -> dict[str, Any]:
        """The rank a score would get now, after every member with an equal or better score; nothing is
        stored. `member_id` is the caller's on a player board, "" on a generic one."""
        tx = self.store.read()
        board = self._board(tx, game_id, key)
        before = tx.rank_before(board_name(board), ranking.after_ties(score, _descending(board)))
        member = ""
        if board["type"] == "player":
            member = str(Players.get(tx, player_id)["legacy_id"])
        return {"member_id": member, "rank": before + 1, "score": score, "metadata": ""}

    def scores(self, game_id: str, key: str, count: int | None, after: int | None) -> dict[str, Any]:
        tx = self.store.read()
        board = self._board(tx, game_id, key)
        count = count or DEFAULT_COUNT
        after = after or 0
        name = board_name(board)
        total = tx.rank_size(name)
        page = tx.rank_page(SCORES, name, after, count)
        items = [_entry(tx, board, doc, after + i + 1) for i, doc in enumerate(page)]
        return {"pagination": _cursor_page(total, after, count, len(items)), "items": items}

    def member(self, game_id: str, key: str, reference: str) -> dict[str, Any]:
        """A member's entry; a member without a score answers rank 0 and score 0 (the SDK samples test
        `rank == 0`)."""
        tx = self.store.read()
        board = self._board(tx, game_id, key)
        member, player_ulid = self._member(tx, board, game_id, reference)
        doc = tx.get(SCORES, f"{board['id']}:{member}")
        if doc is None:
            player = tx.get(PLAYERS, player_ulid) if player_ulid else None
            return {"member_id": member, "rank": 0, "score": 0, "player": _player_view(player), "metadata": ""}
        return _entry(tx, board, doc, _rank(tx, board, doc))

    def members(self, game_id: str, key: str, references: list[str]) -> dict[str, Any]:
        """The entries of the named members that have a score, in request order, each once."""
        tx = self.store.read()
        board = self._board(tx, game_id, key)
        found: dict[str, dict[str, Any]] = {}
        for reference in references:
            member, _ = self._member(tx, board, game_id, str(reference))
            doc = tx.get(SCORES, f"{board['id']}:{member}")
            if doc is not None and member not in found:
                found[member] = _entry(tx, board, doc, _rank(tx, board, doc))
        return {"members": list(found.values())}

    def member_ranks(self, game_id: str, reference: str, count: int | None, after: int | None) -> dict[str, Any]:
        """A player's place on every player board of the game (by board id; `rank` null where the player has
        no score), paged by `count` / `after` like a score list."""
        tx = self.store.read()
        player = Players.find(tx, game_id, reference)
        if player is None:
            raise errors.not_found(f"No player '{reference}' in this game.")
        boards = sorted(
            (b for b in tx.find(LEADERBOARDS, game_id=game_id) if b["type"] == "player"), key=lambda b: b["id"]
        )
        count = count or DEFAULT_COUNT
        after = after or 0
        shown = boards[after : after + count]
        member = str(player["legacy_id"])
        items = []
        for board in shown:
            doc = tx.get(SCORES, f"{board['id']}:{member}")
            items.append(
                {
                    "rank": _entry(tx, board, doc, _rank(tx, board, doc)) if doc else None,
                    "leaderboard_id": board["id"],
                    "leaderboard_key": board["key"],
                    "ulid": board["ulid"],
                }
            )
        return {"leaderboards": items, "pagination": _cursor_page(len(boards), after, count, len(items))}

    def list_boards(self, game_id: str, count: int | None, after: int | None) -> dict[str, Any]:
        boards = sorted(self.store.read().find(LEADERBOARDS, game_id=game_id), key=lambda b: b["id"])
        count = count or DEFAULT_COUNT
        after = after or 0
        shown = boards[after : after + count]
        return {
            "pagination": _cursor_page(len(boards), after, count, len(shown)),
            "items": [board_view(b) for b in shown],
        }

    def details(self, game_id: str, key: str) -> dict[str, Any]:
        return details_view(self._board(self.store.read(), game_id, key))

    def archives(self, game_id: str, key: str) -> dict[str, Any]:
        """The board's archives (one per reset), newest first."""
        tx = self.store.read()
        board = self._board(tx, game_id, key)
        found = tx.find(LEADERBOARD_ARCHIVES, leaderboard_id=board["id"])
        found.sort(key=lambda a: a["id"], reverse=True)  # ULID names: creation order
        return {"archives": [archive_view(a) for a in found]}

    def archive(self, game_id: str, key: str, count: int | None, after: str | None) -> dict[str, Any]:
        """One page of an archive; the cursors are strings (LootLockerPaginationResponse<string>)."""
        archive = self.store.read().get(LEADERBOARD_ARCHIVES, key)
        if archive is None or archive["game_id"] != game_id:
            raise errors.not_found(f"No leaderboard archive '{key}' in this game.")
        if after and not after.isdigit():
            raise errors.invalid("after", "not a cursor of this archive")
        start = int(after) if after else 0
        count = count or DEFAULT_COUNT
        items = archive["items"][start : start + count]
        page = _cursor_page(len(archive["items"]), start, count, len(items))
        cursors = {k: None if page[k] is None else str(page[k]) for k in ("next_cursor", "previous_cursor")}
        return {"pagination": {"total": page["total"], **cursors}, "items": items}
