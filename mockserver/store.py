"""The state store: JSON documents in an embedded SQLite database shared by every worker process, or in a
PostgreSQL database shared by a fleet of nodes (a `postgresql://` state: see store_pg.py, same API).

Each document lives in a collection ("fusionauth.identityProviders", ...) under its id. Writes run in
`BEGIN IMMEDIATE` transactions, so a read-modify-write is atomic across threads and processes; WAL mode
lets readers run beside a writer. With synchronous=NORMAL a committed write survives the process being
killed (it is in the WAL, which the OS holds), which is what "acknowledged" means for this mock.
"""

from __future__ import annotations

import fcntl
import functools
import json
import mmap
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from . import jsontext

Document = dict[str, Any]
State = dict[str, dict[str, Document]]
# kind → top-level fields looked up with find(): the kind gets a table of its own (KINDS_KEY) with an index on
# json_extract(body, '$.field') per field, so that a lookup costs the same with 10 or 100,000 documents of the kind;
# other kinds share the `docs` table. (Partial indexes on `docs`, one per kind and field, cost every insert of every
# kind the check of all of them: 18 µs an insert with 58, 3 µs without; bench/populate.py.)
Indexes = Mapping[str, Sequence[str]]
# kind → a function that adds private (`_`-prefixed) fields to a document before it is stored, for lookups
# that no raw field supports (FusionAuth's case-insensitive email and username).
Derivations = Mapping[str, Callable[[Document], None]]
# kind → a function giving the (board, sort key) under which a document is ranked, or None: the store keeps,
# beside the documents, an order-statistic count tree per board (see Tx.rank_before), so that a rank, a page
# and a write cost the same with 1,000 or 1,000,000 documents on the board. Lower keys rank first;
# keys are 0 <= key < 2**63.
Rankings = Mapping[str, Callable[[Document], tuple[str, int] | None]]
RANK_KEY_BITS = 63
# The count tree's levels: the top one splits on the 3 highest key bits, each next one on 4 more, so a rank
# sums at most 15 sibling counts per level over 16 levels, and a write updates one count per level.
_RANK_SHIFTS = tuple(range(RANK_KEY_BITS - 3, -1, -4))
_LEVELS = tuple(enumerate(_RANK_SHIFTS))
INIT_TIMEOUT_S = 30
BULK_CACHE_KIB = 128 * 1024  # page cache of a bulk writer's connection (Store.prefer_bulk)
GENERATION = "store.generation"  # meta key: counts the write transactions that changed the meta table
KINDS_KEY = "store.kinds"  # meta key: the kinds with a table of their own (JSON list); a property of the file
_GENERATION_SIZE = 8  # bytes of the shared copy of GENERATION at the start of `<state>.lock`
_KIND = re.compile(r"^[A-Za-z0-9_.:-]+$")
# Collections whose name starts with this are the mock's own bookkeeping (faults): not part of the state that
# dump() exports and replace_all() (reset, import) replaces.
PRIVATE = "_"
URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(state: str) -> bool:
    """Whether a --state value names a PostgreSQL database rather than an SQLite file."""
    return state.startswith(URL_SCHEMES)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ranked (
    kind  TEXT NOT NULL,
    id    TEXT NOT NULL,
    board TEXT NOT NULL,
    key   INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ranked_order ON ranked (board, key);
CREATE TABLE IF NOT EXISTS rank_counts (
    board  TEXT NOT NULL,
    level  INTEGER NOT NULL,
    prefix INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (board, level, prefix)
) WITHOUT ROWID;
"""
_ADD_COUNT = (
    "INSERT INTO rank_counts (board, level, prefix, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (board, level, prefix) DO UPDATE SET n = rank_counts.n + excluded.n"
)
# One range of sibling counts per level, summed in one statement (UNION ALL: portable to PostgreSQL).
_RANK_BEFORE = (
    "SELECT COALESCE(SUM(n), 0) FROM ("
    + " UNION ALL ".join(
        "SELECT n FROM rank_counts WHERE board = ? AND level = ? AND prefix BETWEEN ? AND ?" for _ in _RANK_SHIFTS
    )
    + ") AS siblings"
)
T = TypeVar("T")
_PUT = "INSERT INTO docs (kind, id, body) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body"
_SET_META = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"


def version_key(kind: str) -> str:
    """The meta key counting the changes of a watched collection (see Store's `watched`)."""
    return f"version:{kind}"


@functools.lru_cache(maxsize=1024)
def _where(shape: tuple[tuple[str, int], ...]) -> str:
    """The SQL of a find() by its fields and their classes (_NULL, _NEVER, _EQUAL), built once per shape."""
    where: list[str] = []
    for name, test in shape:
        if not name.isidentifier():
            raise ValueError(f"not a field name: {name!r}")
        if test == _NULL:
            where.append(f" AND json_extract(body, '$.{name}') IS NULL")
        elif test == _NEVER:
            where.append(" AND 0")  # beyond SQLite's integers: no stored document can hold it
        else:
            where.append(f" AND json_extract(body, '$.{name}') = ?")
    return "".join(where)


_NULL, _NEVER, _EQUAL = 0, 1, 2


@functools.lru_cache(maxsize=1024)
def _equal_where(names: tuple[str, ...]) -> str:
    return _where(tuple((name, _EQUAL) for name in names))


def _conditions(equals: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """SQL for "each top-level field equals its value" (None: field missing or null), after the kind's condition."""
    values = list(equals.values())
    for value in values:
        if type(value) is not str:
            break
    else:  # the usual lookup (ids, emails): no value needs a class
        return _equal_where(tuple(equals)), values
    shape = tuple(
        (
            name,
            _NULL if value is None else _NEVER if isinstance(value, int) and not -(2**63) <= value < 2**63 else _EQUAL,
        )
        for name, value in equals.items()
    )
    return _where(shape), [value for (_, test), value in zip(shape, equals.values(), strict=True) if test == _EQUAL]


_SCALARS = (str, int, float, bool, type(None))
_OTHER = object()  # the map key of a waiting document whose field holds an object or an array


def _scalar(value: Any) -> Any:
    return value if isinstance(value, _SCALARS) else _OTHER


def _matches(doc: Document, equals: Mapping[str, Any]) -> bool | None:
    """find()'s test on one document, as its SQL compares (json_extract(body, '$.name') = ?: true is 1, 1 is 1.0;
    None: missing or null); None when a field holds an object or an array (json_extract gives their JSON text)."""
    for name, value in equals.items():
        held = doc.get(name)
        if not isinstance(held, _SCALARS) or not isinstance(value, _SCALARS):
            return None
        if value is None:
            if held is not None:
                return False
        elif held is None or held != value or (isinstance(value, int) and not -(2**63) <= value < 2**63):
            return False
    return True


def _table(kind: str) -> str:
    """The table of a kind that has one (quoted: kinds hold dots)."""
    if not _KIND.match(kind):
        raise ValueError(f"not a collection name: {kind!r}")
    return f'"kind:{kind}"'


class _KindSql:
    """The statements of one kind, built once: on its own table, or on its rows of the shared `docs` table. Every
    statement takes `key` (the kind on `docs`, nothing on its own table) before its other parameters."""

    def __init__(self, kind: str, own: bool) -> None:
        table, where = (_table(kind), "1") if own else ("docs", "kind = ?")
        self.kind, self.own, self.table, self.where = kind, own, table, where
        self.key: tuple[str, ...] = () if own else (kind,)
        self.select = f"SELECT body FROM {table} WHERE {where}"
        self.select_id = f"SELECT id FROM {table} WHERE {where}"
        self.select_pair = f"SELECT id, body FROM {table} WHERE {where}"
        self.delete_where = f"DELETE FROM {table} WHERE {where}"
        self.get = f"SELECT body FROM {table} WHERE {where} AND id = ?"
        self.items = f"SELECT id, body FROM {table} WHERE {where} ORDER BY id"
        self.put = (
            f"INSERT INTO {table} (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body"
            if own
            else _PUT
        )
        self.delete = f"DELETE FROM {table} WHERE {where} AND id = ?"
        self.newest = f"SELECT body FROM {table} WHERE {where} ORDER BY id DESC LIMIT ?"
        self.count = f"SELECT COUNT(*) FROM {table} WHERE {where}"
        self.nth_newest = f"SELECT id FROM {table} WHERE {where} ORDER BY id DESC LIMIT 1 OFFSET ?"
        self.delete_below = f"DELETE FROM {table} WHERE {where} AND id < ?"
        self.rank_page = (
            f"SELECT d.body FROM ranked r JOIN {table} d ON d.id = r.id{'' if own else ' AND d.kind = r.kind'} "
            "WHERE r.board = ? AND r.kind = ? AND r.key >= ? ORDER BY r.key, r.id LIMIT ? OFFSET ?"
        )


class Waiting:
    """A write transaction's writes not sent to the database yet, shared by every Tx on its connection: puts of unranked
    kinds (kind → id → body) and the changes of the rank count tree ((board, level, prefix) → delta)."""

    __slots__ = ("counts", "docs", "fields", "places", "touched")

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, str]] = {}
        # kind → field → value → ids of waiting documents that had it when put: built by the first find() of the kind
        # by that field while its puts wait, kept up by later puts, dropped when they are written (Tx._find_waiting).
        self.fields: dict[str, dict[str, dict[Any, set[str]]]] = {}
        # kind → id → place of the waiting puts of ranked kinds: ranked in bulk when they are written (_flush).
        self.places: dict[str, dict[str, tuple[str, int] | None]] = {}
        self.counts: dict[tuple[str, int, int], int] = {}
        # (kind, id) of every document the transaction put or deleted; (kind, None): many at once (Tx.written).
        self.touched: set[tuple[str, str | None]] = set()


class Tx:
    """Document operations inside one transaction (or one autocommit read)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        derive: Derivations | None = None,
        on_meta: Callable[[Tx], None] | None = None,
        watched: frozenset[str] = frozenset(),
        ranked: Rankings | None = None,
        kinds: Callable[[str], _KindSql] | None = None,
        waiting: Waiting | None = None,
    ) -> None:
        self._conn = conn
        self._derive = derive or {}
        self._on_meta = on_meta
        self._watched = watched
        self._ranked = ranked or {}
        self._sql = kinds or (lambda kind: _KindSql(kind, own=False))
        # A write transaction's puts wait (kind → id → body) and go to the database in one executemany per kind:
        # before anything but a get or a find reads the kind, and before the commit; a ranked kind's places change then,
        # in bulk, and before a rank is read. So do the rank count changes (summed per tree node: a batch of scores
        # shares the upper nodes), until a rank is read.
        # Shared by every Tx on the transaction's connection: an autocommit read inside the transaction sees them.
        self._pending = waiting.docs if waiting is not None else None
        self._fields = waiting.fields if waiting is not None else None
        self._places = waiting.places if waiting is not None else None
        self._counts = waiting.counts if waiting is not None else None
        self._touched = waiting.touched if waiting is not None else None

    def _touch(self, kind: str, id: str | None) -> None:
        if self._touched is not None:
            self._touched.add((kind, id))

    def _flush(self, kind: str | None = None) -> None:
        """Write the waiting puts: of one kind, or of all kinds and then the rank counts (None)."""
        pending = self._pending
        if pending:
            for name in [kind] if kind is not None else list(pending):
                rows = pending.pop(name, None)
                if not rows:
                    continue
                self._fields.pop(name, None)  # type: ignore[union-attr]  # waiting puts come with their field maps
                self._write_rows(name, rows)
                places = self._places.pop(name, None) if self._places else None
                if places:
                    self._rerank_many(name, list(places.items()))
        if kind is None and self._counts:
            self._flush_counts()

    def _flush_counts(self) -> None:
        """Apply the rank count changes, after ranking the waiting documents of ranked kinds (a rank is about to be
        read)."""
        if self._places:
            for kind in list(self._places):
                self._flush(kind)
        counts = self._counts
        if counts:
            self._apply_counts(counts)
            counts.clear()

    def _apply_counts(self, counts: Mapping[tuple[str, int, int], int]) -> None:
        """Add count changes to the tree; nodes that reach 0 go (the table stays as large as the boards)."""
        self._conn.executemany(_ADD_COUNT, [(*node, delta) for node, delta in counts.items() if delta])
        emptied = [node for node, delta in counts.items() if delta < 0]
        if emptied:
            self._conn.executemany(
                "DELETE FROM rank_counts WHERE board = ? AND level = ? AND prefix = ? AND n <= 0", emptied
            )

    def _write_rows(self, kind: str, rows: dict[str, str]) -> None:
        q = self._sql(kind)
        if len(rows) == 1:  # a find right after one put: execute costs less than executemany
            ((id, body),) = rows.items()
            self._conn.execute(q.put, (*q.key, id, body))
        else:
            self._conn.executemany(q.put, [(*q.key, id, body) for id, body in rows.items()])

    def _changed(self, kind: str) -> None:
        if kind in self._watched:
            if self._on_meta is None:
                raise RuntimeError(f"{kind} is watched: change it in Store.write(), where its version is counted")
            self.count_up(version_key(kind))

    def _body(self, kind: str, doc: Document) -> str:
        derive = self._derive.get(kind)
        if derive is not None:
            derive(doc)
        return jsontext.dumps_document(doc)

    def get(self, kind: str, id: str) -> Document | None:
        if self._pending:
            waiting = self._pending.get(kind)
            if waiting is not None and id in waiting:
                return jsontext.loads_document(waiting[id])
        q = self._sql(kind)
        row = self._conn.execute(q.get, (*q.key, id)).fetchone()
        return jsontext.loads_document(row[0]) if row else None

    def all(self, kind: str) -> list[Document]:
        """Every document of a collection, ordered by id (deterministic across workers)."""
        return [doc for _, doc in self.items(kind)]

    def items(self, kind: str) -> list[tuple[str, Document]]:
        """(id, document) for every document of a collection, ordered by id."""
        self._flush(kind)
        q = self._sql(kind)
        rows = self._conn.execute(q.items, q.key)
        return [(id, jsontext.loads_document(body)) for id, body in rows]

    def find(self, kind: str, **equals: Any) -> list[Document]:
        """Documents whose top-level fields equal the given values (None matches a missing field)."""
        if equals and self._pending:
            waiting = self._pending.get(kind)
            if waiting:
                found = self._find_waiting(kind, waiting, equals)
                if found is not None:
                    return found
        self._flush(kind)
        q = self._sql(kind)
        where, params = _conditions(equals)
        rows = self._conn.execute(f"{q.select}{where} ORDER BY id", (*q.key, *params))
        return [jsontext.loads_document(r[0]) for r in rows]

    def _find_waiting(self, kind: str, waiting: dict[str, str], equals: dict[str, Any]) -> list[Document] | None:
        """find() while puts of the kind wait, without writing them first (a batch of sign-ups checks each email
        against the ones before it: a one-row insert per lookup otherwise): the table's matches less the documents
        waiting to replace them, and the waiting documents that match, by id. None: a case left to the table (a
        value that is not a scalar), after the waiting puts are written."""
        if not all(isinstance(value, _SCALARS) for value in equals.values()):
            return None
        maps = self._fields.setdefault(kind, {})  # type: ignore[union-attr]
        missing = [name for name in equals if name not in maps]
        if missing:  # the first lookups by these fields: map the documents waiting so far
            for name in missing:
                maps[name] = {}
            for id, body in waiting.items():
                doc = jsontext.loads_document(body)
                for name in missing:
                    maps[name].setdefault(_scalar(doc.get(name)), set()).add(id)
        # The candidates: the fewest that one field allows (a tenant id is every user's; an email, one user's).
        same: set[str] | None = None
        other: set[str] | None = None
        for name, value in equals.items():
            index = maps[name]
            ids, odd = index.get(value), index.get(_OTHER)
            if same is None or len(ids or ()) + len(odd or ()) < len(same) + len(other or ()):
                same, other = ids or set(), odd
        matched: list[tuple[str, Document]] = []
        for id in same | other if same and other else same or other or ():
            body = waiting.get(id)
            if body is None:  # deleted, or put again under another value since
                continue
            doc = jsontext.loads_document(body)
            verdict = _matches(doc, equals)
            if verdict is None:
                return None
            if verdict:
                matched.append((id, doc))
        q = self._sql(kind)
        where, params = _conditions(equals)
        rows = self._conn.execute(f"{q.select_pair}{where} ORDER BY id", (*q.key, *params))
        matched += [(id, jsontext.loads_document(body)) for id, body in rows if id not in waiting]
        matched.sort(key=lambda pair: pair[0])
        return [doc for _, doc in matched]

    def put(self, kind: str, id: str, doc: Document) -> None:
        self._touch(kind, id)
        rank_of = self._ranked.get(kind)
        if self._pending is not None and (rank_of is None or self._places is not None):
            if rank_of is not None:
                place = rank_of(doc)
                if place is not None and not 0 <= place[1] < 2**RANK_KEY_BITS:
                    raise ValueError(f"rank key out of range: {place[1]}")
                self._places.setdefault(kind, {})[id] = place  # type: ignore[union-attr]
            self._pending.setdefault(kind, {})[id] = self._body(kind, doc)
            maps = self._fields.get(kind) if self._fields else None  # type: ignore[union-attr]
            if maps:
                for name, index in maps.items():
                    index.setdefault(_scalar(doc.get(name)), set()).add(id)
        else:
            q = self._sql(kind)
            self._conn.execute(q.put, (*q.key, id, self._body(kind, doc)))
            if rank_of is not None:
                self._rerank(kind, id, rank_of(doc))
        self._changed(kind)

    def delete(self, kind: str, id: str) -> bool:
        self._changed(kind)
        self._touch(kind, id)
        waited = self._pending is not None and self._pending.get(kind, {}).pop(id, None) is not None
        if kind in self._ranked:
            if self._places:
                self._places.get(kind, {}).pop(id, None)
            self._rerank(kind, id, None)
        q = self._sql(kind)
        return self._conn.execute(q.delete, (*q.key, id)).rowcount > 0 or waited

    def delete_where(self, kind: str, **equals: Any) -> int:
        self._changed(kind)
        self._touch(kind, None)
        self._flush(kind)
        q = self._sql(kind)
        where, params = _conditions(equals)
        if kind in self._ranked:
            ids = [id for (id,) in self._conn.execute(q.select_id + where, (*q.key, *params))]
            self._unrank_many(kind, ids)
        return self._conn.execute(q.delete_where + where, (*q.key, *params)).rowcount

    def put_many(self, kind: str, items: Iterable[tuple[str, Document]]) -> None:
        """put() of many documents in one statement (a batch: journal entries, a population copied in)."""
        docs = dict(items)  # an id given twice: its last document
        self.put_bodies(kind, {id: self._body(kind, doc) for id, doc in docs.items()}, docs)

    def put_bodies(self, kind: str, bodies: Mapping[str, str], docs: Mapping[str, Document] | None = None) -> None:
        """Documents as a store of this version serialized them (Tx.written() of a trial): written as they are, not
        parsed and dumped again. A ranked kind's places change in bulk, read from `docs` when the caller has them
        parsed."""
        self._flush(kind)
        q = self._sql(kind)
        self._conn.executemany(q.put, [(*q.key, id, body) for id, body in bodies.items()])
        rank_of = self._ranked.get(kind)
        if rank_of is not None:
            parsed = docs if docs is not None else {id: jsontext.loads_document(body) for id, body in bodies.items()}
            self._rerank_many(kind, [(id, rank_of(parsed[id])) for id in bodies])
        for id in bodies:
            self._touch(kind, id)
        if bodies:
            self._changed(kind)

    def get_many(self, kind: str, ids: Iterable[str]) -> dict[str, Document]:
        """The documents of these ids that exist, by id (500 ids a statement)."""
        return {id: jsontext.loads_document(body) for id, body in self._bodies(kind, ids).items()}

    def _bodies(self, kind: str, ids: Iterable[str], *, flush: bool = True) -> dict[str, str]:
        if flush:
            self._flush(kind)
        q = self._sql(kind)
        wanted, found = list(ids), {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT id, body FROM {q.table} WHERE {q.where} AND id IN ({marks})", (*q.key, *chunk)
            )
            found.update(rows)
        return found

    def written(self) -> dict[str, dict[str, str | None]]:
        """What this write transaction changed, by kind: id → the body it would commit (None: deleted). The result
        of a trial (Store.trial), for put_bodies() on another store."""
        ids: dict[str, list[str]] = {}
        for kind, id in self._touched or ():
            if id is None:
                raise ValueError(f"the collection {kind} was changed wholesale: its changes are not listed")
            ids.setdefault(kind, []).append(id)
        changed: dict[str, dict[str, str | None]] = {}
        for kind, wanted in sorted(ids.items()):
            waiting = (self._pending or {}).get(kind, {})
            # The waiting ones from memory; the rest, written already, from the table (no flush of the waiting ones).
            found = self._bodies(kind, [id for id in wanted if id not in waiting], flush=False)
            changed[kind] = {id: waiting[id] if id in waiting else found.get(id) for id in sorted(wanted)}
        return changed

    def newest(self, kind: str, limit: int) -> list[Document]:
        """The documents with the highest ids, highest first (ids that sort by time: a log)."""
        self._flush(kind)
        q = self._sql(kind)
        rows = self._conn.execute(q.newest, (*q.key, limit))
        return [jsontext.loads_document(body) for (body,) in rows]

    def count(self, kind: str) -> int:
        self._flush(kind)
        q = self._sql(kind)
        return int(self._conn.execute(q.count, q.key).fetchone()[0])

    def trim(self, kind: str, keep: int) -> int:
        """Delete all but the `keep` documents with the highest ids; how many were deleted."""
        if kind in self._ranked:
            raise ValueError(f"{kind} is ranked: delete its documents with delete_where")
        self._changed(kind)
        self._touch(kind, None)
        self._flush(kind)
        q = self._sql(kind)
        if keep <= 0:
            return self._conn.execute(q.delete_where, q.key).rowcount
        row = self._conn.execute(q.nth_newest, (*q.key, keep - 1)).fetchone()
        if row is None:
            return 0
        return self._conn.execute(q.delete_below, (*q.key, row[0])).rowcount

    def _unrank_many(self, kind: str, ids: list[str]) -> None:
        """Take many documents off their boards at once: one count change per tree node, not per document."""
        self._flush_counts()
        counts: dict[tuple[str, int, int], int] = {}
        old = self._places_of(kind, ids)
        for board, key in old.values():
            for level, shift in _LEVELS:
                node = (board, level, key >> shift)
                counts[node] = counts.get(node, 0) - 1
        if old:
            self._drop_places(kind, list(old))
            self._apply_counts(counts)  # the nodes that reach 0 go

    # -- rankings: an order-statistic count tree per board (Store's `ranked`) ---------------------------
    # rank_counts holds, for each level, how many keys of the board share each prefix (key >> shift); the
    # number of keys below a key is the sum, over the levels, of the counts of its lower siblings (same
    # parent prefix). Nodes whose count drops to 0 are deleted, so the table is as large as the board.
    def _count(self, board: str, key: int, delta: int) -> None:
        counts = self._counts
        if counts is None:  # an autocommit Tx: at once
            self._apply_counts({(board, level, key >> shift): delta for level, shift in _LEVELS})
            return
        for level, shift in _LEVELS:
            node = (board, level, key >> shift)
            counts[node] = counts.get(node, 0) + delta

    def _rerank_many(self, kind: str, places: list[tuple[str, tuple[str, int] | None]]) -> None:
        """Move documents to their new places (None: off their board): their current places in one statement (a
        chunk), the rows that go and the rows that come in one each; count changes as _count() makes them."""
        for _, place in places:
            if place is not None and not 0 <= place[1] < 2**RANK_KEY_BITS:
                raise ValueError(f"rank key out of range: {place[1]}")
        old = self._places_of(kind, [id for id, _ in places])
        gone, come = [], []
        for id, place in places:
            before = old.get(id)
            if before == place:
                continue
            if before is not None:
                self._count(before[0], before[1], -1)
                gone.append(id)
            if place is not None:
                self._count(place[0], place[1], 1)
                come.append((kind, id, *place))
        if gone:
            self._drop_places(kind, gone)
        if come:
            self._rank_rows(come)

    def _rank_rows(self, rows: list[tuple[str, str, str, int]]) -> None:
        self._conn.executemany("INSERT INTO ranked (kind, id, board, key) VALUES (?, ?, ?, ?)", rows)

    def _places_of(self, kind: str, ids: list[str]) -> dict[str, tuple[str, int]]:
        places = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT id, board, key FROM ranked WHERE kind = ? AND id IN ({marks})", [kind, *chunk]
            )
            places.update((id, (board, int(key))) for id, board, key in rows)
        return places

    def _drop_places(self, kind: str, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            self._conn.execute(f"DELETE FROM ranked WHERE kind = ? AND id IN ({marks})", [kind, *chunk])

    def _rerank(self, kind: str, id: str, place: tuple[str, int] | None) -> None:
        self._rerank_many(kind, [(id, place)])

    def _rebuild_rankings(self) -> None:
        """Rank every document of the ranked kinds again, in bulk (one aggregate per level)."""
        self._flush()  # the waiting documents first: their places would otherwise come twice
        if self._counts:
            self._counts.clear()  # counted again from the ranked rows below
        self._conn.execute("DELETE FROM ranked")
        self._conn.execute("DELETE FROM rank_counts")
        for kind, rank_of in self._ranked.items():
            rows = []
            for id, doc in self.items(kind):
                place = rank_of(doc)
                if place is not None:
                    if not 0 <= place[1] < 2**RANK_KEY_BITS:
                        raise ValueError(f"rank key out of range: {place[1]}")
                    rows.append((kind, id, *place))
            self._conn.executemany("INSERT INTO ranked (kind, id, board, key) VALUES (?, ?, ?, ?)", rows)
        for level, shift in _LEVELS:
            self._conn.execute(
                "INSERT INTO rank_counts (board, level, prefix, n) "
                f"SELECT board, {level}, key >> {shift}, COUNT(*) FROM ranked GROUP BY board, key >> {shift}"
            )

    def rank_key(self, kind: str, id: str) -> int | None:
        """The sort key a ranked document is stored under (None: not ranked)."""
        self._flush(kind)
        row = self._conn.execute("SELECT key FROM ranked WHERE kind = ? AND id = ?", (kind, id)).fetchone()
        return int(row[0]) if row else None

    def rank_before(self, board: str, key: int) -> int:
        """How many documents of the board have a key lower than `key` (its 0-based position)."""
        self._flush_counts()
        if key <= 0:
            return 0
        if key >= 2**RANK_KEY_BITS:
            return self.rank_size(board)
        params: list[Any] = []
        for level, shift in _LEVELS:
            prefix = key >> shift
            first = 0 if level == 0 else (prefix >> 4) << 4  # the first sibling under the same parent
            params += (board, level, first, prefix - 1)
        return int(self._conn.execute(_RANK_BEFORE, params).fetchone()[0])

    def rank_size(self, board: str) -> int:
        self._flush_counts()
        row = self._conn.execute(
            "SELECT COALESCE(SUM(n), 0) FROM rank_counts WHERE board = ? AND level = 0", (board,)
        ).fetchone()
        return int(row[0])

    def rank_page(self, kind: str, board: str, offset: int, limit: int) -> list[Document]:
        """The documents at positions offset .. offset+limit-1 of the board (lowest key first). The count
        tree finds the key at `offset` without reading the documents before it."""
        self._flush_counts()
        if limit <= 0 or offset >= self.rank_size(board):
            return []
        start, skip = 0, offset
        if offset > 0:
            prefix = 0
            for level, _shift in _LEVELS:
                first, last = (0, 7) if level == 0 else (prefix << 4, (prefix << 4) + 15)
                rows = self._conn.execute(
                    "SELECT prefix, n FROM rank_counts WHERE board = ? AND level = ? AND prefix BETWEEN ? AND ? "
                    "ORDER BY prefix",
                    (board, level, first, last),
                ).fetchall()
                for child, n in rows:
                    if skip < n:
                        prefix = child
                        break
                    skip -= n
            start = prefix  # the last level's prefix is the key itself; `skip` counts equal keys before it
        rows = self._conn.execute(self._sql(kind).rank_page, (board, kind, start, limit, skip))
        return [jsontext.loads_document(body) for (body,) in rows]

    def _own_kinds(self) -> list[str]:
        """The kinds with a table of their own (the file's list: whoever opened it declared them)."""
        return json.loads(self.get_meta(KINDS_KEY) or "[]")

    def _rows(self, *, private: bool) -> list[tuple[str, str, str]]:
        """(kind, id, body) of every document, by kind and id; the PRIVATE kinds too when asked."""
        self._flush()
        sql = "SELECT kind, id, body FROM docs" + ("" if private else " WHERE substr(kind, 1, 1) <> ?")
        rows = self._conn.execute(sql, () if private else (PRIVATE,)).fetchall()
        for kind in self._own_kinds():
            if private or not kind.startswith(PRIVATE):
                rows += [(kind, id, body) for id, body in self._conn.execute(self._sql(kind).items)]
        return sorted(rows)

    def dump(self) -> State:
        state: State = {}
        for kind, id, body in self._rows(private=False):
            state.setdefault(kind, {})[id] = jsontext.loads_document(body)
        return state

    def replace_all(self, state: Mapping[str, Mapping[str, Document]]) -> None:
        self._flush()
        for kind in {*state, *self._own_kinds()}:
            self._touch(kind, None)
        self._conn.execute("DELETE FROM docs WHERE substr(kind, 1, 1) <> ?", (PRIVATE,))
        for kind in self._own_kinds():
            if not kind.startswith(PRIVATE):
                self._conn.execute(f"DELETE FROM {_table(kind)}")
        for kind, docs in state.items():
            q = self._sql(kind)
            self._conn.executemany(q.put, [(*q.key, id, self._body(kind, doc)) for id, doc in docs.items()])
        self._rebuild_rankings()
        for kind in sorted(self._watched):
            self._changed(kind)

    def rewrite(self) -> None:
        """Store every document again, as this version writes it (derived fields, jsontext's encoding)."""
        for kind, id, body in self._rows(private=True):
            self.put(kind, id, json.loads(body))  # the standard library reads what any version wrote exactly
        self._rebuild_rankings()

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute(_SET_META, (key, value))
        if self._on_meta is not None:
            self._on_meta(self)

    def delete_meta(self, *keys: str) -> None:
        for key in keys:
            self._conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        if self._on_meta is not None:
            self._on_meta(self)

    def count_up(self, key: str) -> None:
        """Add one to a meta counter (a version that tells other processes their cache is stale)."""
        self.set_meta(key, str(int(self.get_meta(key) or 0) + 1))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Raw SQL in this transaction, for modules that keep sibling tables (journal, faults)."""
        self._flush()
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        self._flush()
        return self._conn.executemany(sql, rows)


class Store:
    """One database file; a connection per (process, thread). `Store("postgresql://…")` gives a
    store_pg.PgStore: the same API on a PostgreSQL database."""

    backend = "sqlite"

    def __new__(cls, path: str, *args: Any, **kwargs: Any) -> Store:
        if cls is Store and is_url(path):
            from .store_pg import PgStore

            return super().__new__(PgStore)
        return super().__new__(cls)

    def __init__(
        self,
        path: str,
        synchronous: str = "NORMAL",
        indexes: Indexes | None = None,
        derive: Derivations | None = None,
        watched: Iterable[str] = (),
        ranked: Rankings | None = None,
    ) -> None:
        """`watched`: collections whose every change counts up their version (`version_key`) in the meta
        table, so that a process can keep them in memory (`Cached`) and reload only after a change.
        `ranked`: collections whose documents are ranked on boards (see Rankings)."""
        self.path = path
        self.derive = derive or {}
        self.ranked = dict(ranked or {})
        self.watched = frozenset(watched)
        self._declared = {kind: tuple(names) for kind, names in (indexes or {}).items()}
        for kind, names in self._declared.items():
            _table(kind)  # checks the name
            for name in names:
                if not name.isidentifier():
                    raise ValueError(f"not a field name: {name!r}")
        self._kinds: dict[str, _KindSql] = {}  # kind → its statements; filled from the file's list at set-up
        # NORMAL: a commit survives the process being killed. OFF (only for data that may be lost with the
        # machine, like the request journal): checkpoints skip fsync too.
        self.synchronous = synchronous
        self._local = threading.local()
        self._conn()  # creates the tables

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        # A connection must never cross a fork: key it by process id as well as by thread.
        if conn is None or self._local.pid != os.getpid():
            # 512 cached statements: an indexed kind's statements name its own table, so there are a few hundred.
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False, cached_statements=512
            )
            conn.execute("PRAGMA busy_timeout=30000")
            self._initialize(conn)
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def _initialize(self, conn: sqlite3.Connection) -> None:
        # Workers start at the same moment on a new file: switching it to WAL can fail with "database is
        # locked" without waiting for the busy timeout (SQLite does not wait where waiting could deadlock),
        # so the set-up is retried; so is a statement prepared while another worker created a table or an index
        # ("database schema has changed"). Each step is idempotent.
        deadline = time.monotonic() + INIT_TIMEOUT_S
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(f"PRAGMA synchronous={self.synchronous}")
                conn.executescript(_SCHEMA)
                self._own_tables(conn)
                return
            except sqlite3.OperationalError as error:
                transient = "locked" in str(error) or "schema has changed" in str(error)
                if not transient or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _own_tables(self, conn: sqlite3.Connection) -> None:
        """Give each declared kind its table (moving its documents out of `docs` once, under the write lock: a file
        written by an older version, or a kind declared since) and its field indexes; learn the file's list."""

        def recorded() -> list[str]:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (KINDS_KEY,)).fetchone()
            return json.loads(row[0]) if row else []

        stale = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'docs' AND name LIKE 'docs:%'"
        if not set(self._declared) <= set(recorded()) or conn.execute(stale).fetchone():
            lock = self._write_lock()
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    kinds = recorded()
                    for kind in sorted(set(self._declared) - set(kinds)):
                        table = _table(kind)
                        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
                        conn.execute(
                            f"INSERT INTO {table} (id, body) SELECT id, body FROM docs WHERE kind = ?", (kind,)
                        )
                        conn.execute("DELETE FROM docs WHERE kind = ?", (kind,))
                        kinds.append(kind)
                    for (name,) in conn.execute(stale).fetchall():  # the partial indexes of older versions
                        conn.execute(f'DROP INDEX "{name}"')
                    conn.execute(_SET_META, (KINDS_KEY, json.dumps(sorted(kinds))))
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        for kind, names in self._declared.items():
            for name in names:
                conn.execute(
                    f'CREATE INDEX IF NOT EXISTS "kind:{kind}:{name}" ON {_table(kind)} '
                    f"(json_extract(body, '$.{name}'))"
                )
        self._kinds = {kind: _KindSql(kind, own=True) for kind in recorded()}

    def _sql(self, kind: str) -> _KindSql:
        q = self._kinds.get(kind)
        if q is None:
            q = self._kinds[kind] = _KindSql(kind, own=False)
        return q

    def read(self) -> Tx:
        """Autocommit reads: each statement sees the latest committed state."""
        waiting = getattr(self._local, "waiting", None)  # inside this thread's write transaction: its waiting writes
        return Tx(self._conn(), self.derive, watched=self.watched, ranked=self.ranked, kinds=self._sql, waiting=waiting)

    def _write_lock(self) -> int:
        # One descriptor per (process, thread): flock() excludes other open files, so threads of one
        # worker exclude each other as well as other workers.
        fd: int | None = getattr(self._local, "lock_fd", None)
        if fd is None or self._local.lock_pid != os.getpid():
            fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            self._local.lock_fd, self._local.lock_pid = fd, os.getpid()
        return fd

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A serialized read-modify-write transaction; rolled back if the block raises.

        Writers queue on a file lock before BEGIN IMMEDIATE: the kernel wakes the next one the moment the
        lock is released, where SQLite's busy handler polls with sleeps growing to 100 ms (bench/run
        measured login p99 of 250-330 ms at 16 connections that way).
        """
        with self._transaction(commit=True) as tx:
            yield tx

    @contextmanager
    def trial(self) -> Iterator[Tx]:
        """A write transaction that is always rolled back: what it would change is read with Tx.written() before the
        block ends (populate's workers make their batches this way on a replica and hand the documents over)."""
        with self._transaction(commit=False) as tx:
            yield tx

    @contextmanager
    def _transaction(self, *, commit: bool) -> Iterator[Tx]:
        conn = self._conn()
        lock = self._write_lock()
        held = getattr(self._local, "holding", False)
        if not held:
            fcntl.flock(lock, fcntl.LOCK_EX)  # releases the GIL while it waits
        try:
            conn.execute("BEGIN IMMEDIATE")
            self._local.waiting = waiting = Waiting()
            try:
                tx = Tx(conn, self.derive, self._meta_changed, self.watched, self.ranked, self._sql, waiting)
                yield tx
                if commit:
                    tx._flush()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                self._local.waiting = None
            conn.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            if not held:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def hold_writes(self) -> Iterator[None]:
        """Hold the state's write lock across many write transactions of this thread (populate writing its batches):
        every other process's and thread's writes wait until the block ends; reads go on."""
        lock = self._write_lock()
        fcntl.flock(lock, fcntl.LOCK_EX)
        self._local.holding = True
        try:
            yield
        finally:
            self._local.holding = False
            fcntl.flock(lock, fcntl.LOCK_UN)

    def copy_to(self, path: str) -> None:
        """A consistent copy of the whole database into a new file (SQLite's online backup)."""
        target = sqlite3.connect(path)
        try:
            self._conn().backup(target)
        finally:
            target.close()

    # -- the meta generation: "has the meta table changed?" for every process, without a query ------------
    # A version kept in `meta` (faults.VERSION) tells a process that its cache is stale, but reading it is
    # a query per request (~10 µs). Every set_meta in a write transaction also counts GENERATION up, in the
    # table and in a shared memory map of the lock file, written while the write lock is held. A reader
    # compares the map with the generation it last confirmed; only when they differ does it query, and it
    # takes the new generation as seen once the table agrees with the map (the map is written before the
    # commit, so it can be ahead of what a reader sees: that reader just queries again next time).
    def _shared(self) -> mmap.mmap:
        shared: mmap.mmap | None = getattr(self._local, "shared", None)
        if shared is None or self._local.shared_pid != os.getpid():
            fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if os.fstat(fd).st_size < _GENERATION_SIZE:
                    os.pwrite(fd, bytes(_GENERATION_SIZE), 0)  # zeros: no generation yet
                shared = mmap.mmap(fd, _GENERATION_SIZE)
            finally:
                os.close(fd)  # the map keeps the file
            self._local.shared, self._local.shared_pid = shared, os.getpid()
        return shared

    def generation(self) -> int:
        """The meta generation as the shared map has it (no query)."""
        return int.from_bytes(self._shared()[:_GENERATION_SIZE], "little")

    def in_transaction(self) -> bool:
        """Whether this thread's connection is inside a write transaction (its reads see its own changes)."""
        return self._conn().in_transaction

    def confirmed(self, generation: int) -> bool:
        """Whether the committed meta table has reached `generation` (one query)."""
        return (self.read().get_meta(GENERATION) or "0") == str(generation)

    def _meta_changed(self, tx: Tx) -> None:
        generation = int(tx.get_meta(GENERATION) or 0) + 1
        tx._conn.execute(_SET_META, (GENERATION, str(generation)))  # not set_meta: that would call this again
        self._shared()[:_GENERATION_SIZE] = generation.to_bytes(_GENERATION_SIZE, "little")

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold a lock named `name` that every process on this state excludes each other with (one-time set-up
        such as the Kickstart); writes by others go on meanwhile."""
        with open(f"{self.path}.{name}", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def prefer_bulk(self) -> None:
        """This thread is about to write much (populate): let its connection keep 128 MiB of pages rather than
        SQLite's 2 MiB, so that the indexes of a large state are not read again for every batch."""
        self._conn().execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """One autocommit statement on this thread's connection (sibling tables: journal, faults)."""
        return self._conn().execute(sql, params)

    def executescript(self, sql: str) -> None:
        self._conn().executescript(sql)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        fd = getattr(self._local, "lock_fd", None)
        if fd is not None:
            os.close(fd)
            self._local.lock_fd = None
        shared = getattr(self._local, "shared", None)
        if shared is not None:
            shared.close()
            self._local.shared = None


def sibling_store(state: str, name: str, synchronous: str = "NORMAL") -> Store:
    """A store beside the state's, for data whose writes must not queue behind the state's (the request
    journal): the file `<state>.<name>` for SQLite; tables prefixed `<name>_` in the same PostgreSQL database."""
    if is_url(state):
        from .store_pg import PgStore

        return PgStore(state, synchronous=synchronous, namespace=name)
    return Store(f"{state}.{name}", synchronous=synchronous)


class Cached(Generic[T]):
    """A value derived from the store, kept by each process and loaded again only after the meta key
    `version` has changed. Usually no query at all: the shared meta generation (Store.generation) has not
    moved since this process last confirmed it."""

    def __init__(self, store: Store, version: str, load: Callable[[], T], empty: T) -> None:
        self._store, self._version, self._load = store, version, load
        self._cache: tuple[str | None, T] = ("", empty)  # (version it was loaded at, value); "" never is one
        self._seen = -1  # the meta generation this process last confirmed (none yet)

    def get(self) -> T:
        generation = self._store.generation()
        if generation == self._seen:
            return self._cache[1]
        if self._store.in_transaction():
            # Inside a write transaction the reads see its own, uncommitted changes: good for this caller,
            # but not to keep (a rollback would leave them cached under the version they did not commit).
            return self._load()
        confirmed = self._store.confirmed(generation)  # read before the version: never newer than it
        version = self._store.read().get_meta(self._version)
        cached, value = self._cache
        if version != cached:
            # The version is read before the value: a change in between is seen (and loaded) next time.
            value = self._load()
            self._cache = (version, value)
        if confirmed:
            self._seen = generation
        return value
