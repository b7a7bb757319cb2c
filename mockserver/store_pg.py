"""The state store on PostgreSQL: store.py's API for a fleet of nodes sharing one database (`--state postgresql://…`).

Transactions. Store.write() begins a transaction and first takes a transaction-scoped advisory lock, so write
transactions queue one after the other across every node, process and thread, as SQLite's BEGIN IMMEDIATE (behind a
file lock) makes them queue on one machine: a read-modify-write is atomic fleet-wide and callers need no retry loop.
(SERIALIZABLE with retries was not an option: `with store.write() as tx:` cannot run its block again.) Reads run in
autocommit, each statement seeing the latest committed state, as SQLite's autocommit reads do. A commit returns once
PostgreSQL has flushed it (synchronous_commit on), so an acknowledged write survives any node being killed.

Caches across nodes (store.Cached). A write transaction that changes the meta table (a watched collection's version,
the faults' version) also sends NOTIFY on the namespace's channel; PostgreSQL delivers it when the transaction
commits. Each process keeps one LISTEN connection and, whenever a Cached value is read, polls that socket without
waiting (poll() with a 0 s timeout): a notification moves the process's generation, and the Cached value then reads
its version row again. The notification leaves the database at the commit, before the writing node has answered its
client, so the request the client sends next to another node finds it waiting there. The writing process moves its own
generation at the commit. Where LISTEN is not available (lost connection, a database without it), every read of a
Cached value queries its version row instead: correct, one round trip dearer.

Schema. Created on first use in one transaction that holds an advisory lock (nodes starting together queue on it),
its version kept in the meta table (SCHEMA_KEY) so that a later version can migrate it. As in SQLite, each indexed kind
has a table of its own with its field indexes (schema 2; the list in KINDS_KEY), the other kinds share one table with
its primary key alone: PostgreSQL checks every partial index's condition on every insert into a table. Bodies are
stored as text, as written (jsontext), so that documents come back byte for byte; find() and the INDEXES read fields
through mockserver_field(), which gives NULL for the rare body PostgreSQL's jsonb refuses (a \\u0000 or a lone
surrogate) instead of failing the write. Text columns use the "C" collation: ids order as in SQLite (by code point).
"""

from __future__ import annotations

import json
import logging
import os
import re
import select
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import pq

from . import jsontext
from .store import (
    _KIND,
    _LEVELS,
    _RANK_SHIFTS,
    KINDS_KEY,
    PRIVATE,
    RANK_KEY_BITS,
    Derivations,
    Document,
    Indexes,
    Rankings,
    Store,
    Tx,
    Waiting,
)


def _readable(fd: int, timeout_s: float) -> bool:
    """Whether `fd` has input within the timeout. poll(), not select(): a process with more than 1,024 open files has
    descriptors select() refuses."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(max(0, int(timeout_s * 1000))))


SCHEMA_KEY = "store.schema"  # meta key: the version of the tables below
SCHEMA_VERSION = 2  # 2: indexed kinds in tables of their own
LOCK_CLASS = 0x6D6F636B  # "mock": the advisory lock space of the mock (first int4 of the lock key)
_INIT_LOCK = 0
CONNECT_TIMEOUT_S = 5
# A node started before its database (docker-compose, a fleet booting together) waits this long for it at start; once
# started, a request that cannot reach the database fails at once with the vendor's 500 (never a hang).
START_TIMEOUT_S = 60
# A node frozen inside a write transaction (a paused VM, SIGSTOP) would hold the fleet's write lock for ever: PostgreSQL
# ends a session idle that long inside a transaction, its lock goes, its uncommitted write is rolled back (never
# acknowledged). Far above any pause between two statements of one of the mock's transactions.
IDLE_IN_TRANSACTION_S = 10
COPY_ROWS = 200  # put_many copies this many rows or more through COPY (fewer: executemany)
ECHO_TIMEOUT_S = 1.0  # a write that notified waits this long at most for its notification to come back
LISTEN_RETRY_S = 1.0  # after a failed LISTEN connection, Cached values query their version rows for this long
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_]{0,20}$")
_JSONB_REFUSES = re.compile(r"\\u0000|\\u[dD][89abAB]|\\u[dD][c-fC-F]")

# Reads a top-level field of a stored body as jsonb; NULL where the body is not valid jsonb. IMMUTABLE: indexable.
# PARALLEL UNSAFE: its EXCEPTION block starts a subtransaction, which a parallel query refuses ("cannot start
# subtransactions during a parallel operation") once a table is large enough for the planner to scan it in parallel.
_FIELD_FUNCTION = """
CREATE OR REPLACE FUNCTION mockserver_field(body text, name text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE AS $$
BEGIN
    RETURN body::jsonb -> name;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$
"""


log = logging.getLogger(__name__)


def _lock_id(name: str) -> int:
    return 1 + zlib.crc32(name.encode()) % 0x7FFFFFFE


def _placeholders(sql: str) -> str:
    """SQLite's `?` placeholders as psycopg's `%s` (Tx.execute keeps the SQLite spelling for callers)."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Table:
    """The statements on one documents table: the shared one, or an indexed kind's own (same columns: every statement
    names the kind, so that one shape serves both)."""

    def __init__(self, name: str, ranked: str, incoming: str) -> None:
        self.name = name
        self.get = f"SELECT body FROM {name} WHERE kind = %s AND id = %s"
        self.items = f"SELECT id, body FROM {name} WHERE kind = %s ORDER BY id"
        self.put = (
            f"INSERT INTO {name} (kind, id, body) VALUES (%s, %s, %s) "
            "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body"
        )
        self.delete = f"DELETE FROM {name} WHERE kind = %s AND id = %s"
        self.newest = f"SELECT body FROM {name} WHERE kind = %s ORDER BY id DESC LIMIT %s"
        self.count = f"SELECT COUNT(*) FROM {name} WHERE kind = %s"
        self.nth_newest = f"SELECT id FROM {name} WHERE kind = %s ORDER BY id DESC LIMIT 1 OFFSET %s"
        self.delete_kind = f"DELETE FROM {name} WHERE kind = %s"
        self.delete_below = f"DELETE FROM {name} WHERE kind = %s AND id < %s"
        self.insert = f"INSERT INTO {name} (kind, id, body) VALUES (%s, %s, %s)"
        self.get_many = f"SELECT id, body FROM {name} WHERE kind = %s AND id = ANY(%s)"
        self.put_incoming = (  # empties the temporary table as it moves its rows
            f"WITH moved AS (DELETE FROM {incoming} RETURNING kind, id, body) "
            f"INSERT INTO {name} (kind, id, body) SELECT kind, id, body FROM moved "
            "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body"
        )
        self.rank_page = (
            f"SELECT d.body FROM {ranked} r JOIN {name} d ON d.kind = r.kind AND d.id = r.id "
            "WHERE r.board = %s AND r.kind = %s AND r.key >= %s ORDER BY r.key, r.id LIMIT %s OFFSET %s"
        )


class _Sql:
    """The statements of one namespace (table prefix), built once."""

    def __init__(self, namespace: str) -> None:
        p = f"{namespace}_" if namespace else ""
        self.docs, self.meta, self.ranked, self.counts = f"{p}docs", f"{p}meta", f"{p}ranked", f"{p}rank_counts"
        self.channel = f"mockserver_{namespace or 'state'}"
        self.schema = f"""
CREATE TABLE IF NOT EXISTS {self.docs} (
    kind TEXT COLLATE "C" NOT NULL,
    id   TEXT COLLATE "C" NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS {self.ranked} (
    kind  TEXT COLLATE "C" NOT NULL,
    id    TEXT COLLATE "C" NOT NULL,
    board TEXT COLLATE "C" NOT NULL,
    key   BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS {p}ranked_order ON {self.ranked} (board, key);
CREATE TABLE IF NOT EXISTS {self.counts} (
    board  TEXT COLLATE "C" NOT NULL,
    level  INTEGER NOT NULL,
    prefix BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (board, level, prefix)
);
"""
        self.meta_table = (
            f'CREATE TABLE IF NOT EXISTS {self.meta} (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL)'
        )
        self.clear = f"DELETE FROM {self.docs} WHERE substr(kind, 1, 1) <> %s"
        self.all_docs = f"SELECT kind, id, body FROM {self.docs}"
        self.get_meta = f"SELECT value FROM {self.meta} WHERE key = %s"
        self.set_meta = f"INSERT INTO {self.meta} (key, value) VALUES (%s, %s) " + (
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
        self.delete_meta = f"DELETE FROM {self.meta} WHERE key = %s"
        # Many count changes (or places) in one statement: arrays of their columns, one row each (a batch of scores
        # changes thousands of nodes; one statement each cost PostgreSQL ~6 µs a node).
        self.add_counts = (
            f"INSERT INTO {self.counts} (board, level, prefix, n) "
            "SELECT * FROM unnest(%s::text[], %s::int[], %s::bigint[], %s::bigint[]) "
            f"ON CONFLICT (board, level, prefix) DO UPDATE SET n = {self.counts}.n + excluded.n"
        )
        self.drop_emptied = (
            f"DELETE FROM {self.counts} c USING unnest(%s::text[], %s::int[], %s::bigint[]) AS e(board, level, prefix) "
            "WHERE c.board = e.board AND c.level = e.level AND c.prefix = e.prefix AND c.n <= 0"
        )
        self.rank_before = (
            "SELECT COALESCE(SUM(n), 0) FROM ("
            + " UNION ALL ".join(
                f"SELECT n FROM {self.counts} WHERE board = %s AND level = %s AND prefix BETWEEN %s AND %s"
                for _ in _RANK_SHIFTS
            )
            + ") AS siblings"
        )
        self.rank_size = f"SELECT COALESCE(SUM(n), 0) FROM {self.counts} WHERE board = %s AND level = 0"
        self.rank_children = (
            f"SELECT prefix, n FROM {self.counts} WHERE board = %s AND level = %s AND prefix BETWEEN %s AND %s "
            "ORDER BY prefix"
        )
        self.rank_key = f"SELECT key FROM {self.ranked} WHERE kind = %s AND id = %s"
        self.rank = f"INSERT INTO {self.ranked} (kind, id, board, key) VALUES (%s, %s, %s, %s)"
        self.rank_many = (
            f"INSERT INTO {self.ranked} (kind, id, board, key) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[])"
        )
        self.places_of = f"SELECT id, board, key FROM {self.ranked} WHERE kind = %s AND id = ANY(%s)"
        # put_many's bulk path: COPY into a session's temporary table (emptied at each commit), then one upsert.
        self.incoming = f"{p}mockserver_incoming"
        self.incoming_table = (
            f'CREATE TEMPORARY TABLE IF NOT EXISTS {self.incoming} (kind TEXT COLLATE "C", id TEXT COLLATE "C", '
            "body TEXT) ON COMMIT DELETE ROWS"
        )
        self.copy_incoming = f"COPY {self.incoming} (kind, id, body) FROM STDIN"
        self.unrank_many = f"DELETE FROM {self.ranked} WHERE kind = %s AND id = ANY(%s)"
        self.prefix = p
        self.shared = _Table(self.docs, self.ranked, self.incoming)
        self.tables: dict[str, _Table] = {}  # indexed kind → its own table (the database's list, learnt at start)

    def table(self, kind: str) -> _Table:
        """The table a kind's documents are in."""
        return self.tables.get(kind, self.shared)

    def own_table(self, kind: str) -> str:
        """The name of an indexed kind's own table (quoted: kinds hold dots; at most 63 bytes, PostgreSQL's limit)."""
        if not _KIND.match(kind):
            raise ValueError(f"not a collection name: {kind!r}")
        name = f"{self.prefix}kind:{kind}"
        if len(name) > 63:
            name = f"{name[:50]}:{zlib.crc32(kind.encode()):08x}"
        return f'"{name}"'

    def index(self, kind: str, name: str) -> tuple[str, str]:
        """(index name, CREATE INDEX) for a field looked up with find(): an expression index on the kind's table."""
        if not name.isidentifier():
            raise ValueError(f"not a field name: {name!r}")
        table = self.own_table(kind)
        readable = re.sub(r"[^a-z0-9_]", "_", f"{self.prefix}k_{kind}_{name}".lower())[:50]
        index = f"{readable}_{zlib.crc32(f'{kind}:{name}'.encode()):08x}"
        return index, f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({_field(name)})"


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows as one list per column: the parameters of an unnest() statement."""
    return [[row[n] for row in rows] for n in range(width)]


def _field(name: str) -> str:
    return f"mockserver_field(body, '{name}')"


class PgTx(Tx):
    """Tx on a PostgreSQL connection: the same operations, the same results."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        sql: _Sql,
        derive: Derivations | None = None,
        on_meta: Callable[[Tx], None] | None = None,
        watched: frozenset[str] = frozenset(),
        ranked: Rankings | None = None,
        waiting: Waiting | None = None,
    ) -> None:
        super().__init__(conn, derive, on_meta, watched, ranked, waiting=waiting)  # type: ignore[arg-type]
        self._pg = conn
        self._sql = sql
        self.notified = ""  # the payload of the NOTIFY this transaction sent (once is enough), if any

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        row = self._pg.execute(sql, params).fetchone()
        return row[0] if row else None

    def _write_rows(self, kind: str, rows: dict[str, str]) -> None:
        put = self._sql.table(kind).put
        if len(rows) == 1:
            ((id, body),) = rows.items()
            self._pg.execute(put, (kind, id, body))
        else:
            with self._pg.cursor() as cursor:  # psycopg sends the rows in one pipeline: one round trip
                cursor.executemany(put, [(kind, id, body) for id, body in rows.items()])

    def get(self, kind: str, id: str) -> Document | None:
        if "\x00" in id:
            return None  # PostgreSQL text cannot hold NUL: no document has such an id (SQLite answers the same)
        if self._pending:
            waiting = self._pending.get(kind)
            if waiting is not None and id in waiting:
                return jsontext.loads_document(waiting[id])
        body = self._one(self._sql.table(kind).get, (kind, id))
        return jsontext.loads_document(body) if body is not None else None

    def items(self, kind: str) -> list[tuple[str, Document]]:
        self._flush(kind)
        rows = self._pg.execute(self._sql.table(kind).items, (kind,))
        return [(id, jsontext.loads_document(body)) for id, body in rows]

    def _conditions(self, kind: str, equals: Mapping[str, Any]) -> tuple[str, list[Any]]:
        # On the shared table the kind is written into the SQL (its key's first column). On a kind's own table, which
        # holds that kind alone, only the fields are: its field indexes are then the only ones the planner can use.
        if not _KIND.match(kind):
            raise ValueError(f"not a collection name: {kind!r}")
        where = ["TRUE" if kind in self._sql.tables else f"kind = '{kind}'"]
        params: list[Any] = []
        for name, value in equals.items():
            if not name.isidentifier():
                raise ValueError(f"not a field name: {name!r}")
            if value is None:
                where.append(f"COALESCE({_field(name)}, 'null'::jsonb) = 'null'::jsonb")
                continue
            text = jsontext.dumps(value)
            if _JSONB_REFUSES.search(text) or (isinstance(value, int) and not -(2**63) <= value < 2**63):
                where.append("FALSE")  # as in SQLite: no stored field can equal it
            else:
                where.append(f"{_field(name)} = %s::jsonb")
                params.append(text)
        return " AND ".join(where), params

    def find(self, kind: str, **equals: Any) -> list[Document]:
        self._flush(kind)
        rows = self._pg.execute(*self.find_sql(kind, equals)).fetchall()
        rows.sort()  # by id, as SQLite's find
        return [jsontext.loads_document(body) for _, body in rows]

    def find_sql(self, kind: str, equals: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """find()'s statement. Ordered by the caller, not the database: an ORDER BY id would let the planner walk the
        primary key and filter every row (seen at ~3 ms a lookup on a table it believed empty, after a reset)."""
        where, params = self._conditions(kind, equals)
        return f"SELECT id, body FROM {self._sql.table(kind).name} WHERE {where}", params

    def put(self, kind: str, id: str, doc: Document) -> None:
        self._touch(kind, id)
        rank_of = self._ranked.get(kind)
        if rank_of is None and self._pending is not None and "\x00" not in id:
            self._pending.setdefault(kind, {})[id] = self._body(kind, doc)
        else:
            self._pg.execute(self._sql.table(kind).put, (kind, id, self._body(kind, doc)))
            if rank_of is not None:
                self._rerank(kind, id, rank_of(doc))
        self._changed(kind)

    def delete(self, kind: str, id: str) -> bool:
        self._changed(kind)
        if "\x00" in id:
            return False
        self._touch(kind, id)
        waited = self._pending is not None and self._pending.get(kind, {}).pop(id, None) is not None
        if kind in self._ranked:
            self._rerank(kind, id, None)
        return self._pg.execute(self._sql.table(kind).delete, (kind, id)).rowcount > 0 or waited

    def delete_where(self, kind: str, **equals: Any) -> int:
        self._changed(kind)
        self._touch(kind, None)
        self._flush(kind)
        where, params = self._conditions(kind, equals)
        table = self._sql.table(kind).name
        if kind in self._ranked:
            ids = [id for (id,) in self._pg.execute(f"SELECT id FROM {table} WHERE {where}", params)]
            self._unrank_many(kind, ids)
        return self._pg.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount

    def put_bodies(self, kind: str, bodies: Mapping[str, str], docs: Mapping[str, Document] | None = None) -> None:
        """Many documents at once: a few rows in one pipelined executemany; from COPY_ROWS on, COPY into a temporary
        table and one upsert from it (~2.5x the rows a second). A ranked kind's places change in bulk as well."""
        self._flush(kind)
        rows = [(kind, id, body) for id, body in bodies.items()]
        if not rows:
            return
        statements = self._sql.table(kind)
        if len(rows) < COPY_ROWS:
            with self._pg.cursor() as cursor:
                cursor.executemany(statements.put, rows)
        else:
            self._pg.execute(self._sql.incoming_table)
            with self._pg.cursor() as cursor, cursor.copy(self._sql.copy_incoming) as copy:
                for row in rows:
                    copy.write_row(row)
            self._pg.execute(statements.put_incoming)
        rank_of = self._ranked.get(kind)
        if rank_of is not None:
            parsed = docs if docs is not None else {id: jsontext.loads_document(body) for _, id, body in rows}
            self._rerank_many(kind, [(id, rank_of(parsed[id])) for _, id, _ in rows])
        for _, id, _ in rows:
            self._touch(kind, id)
        self._changed(kind)

    def _bodies(self, kind: str, ids: Iterable[str], *, flush: bool = True) -> dict[str, str]:
        if flush:
            self._flush(kind)
        wanted = [id for id in ids if "\x00" not in id]
        return dict(self._pg.execute(self._sql.table(kind).get_many, (kind, wanted)).fetchall())

    def newest(self, kind: str, limit: int) -> list[Document]:
        self._flush(kind)
        rows = self._pg.execute(self._sql.table(kind).newest, (kind, limit))
        return [jsontext.loads_document(body) for (body,) in rows]

    def count(self, kind: str) -> int:
        self._flush(kind)
        return int(self._one(self._sql.table(kind).count, (kind,)))

    def trim(self, kind: str, keep: int) -> int:
        if kind in self._ranked:
            raise ValueError(f"{kind} is ranked: delete its documents with delete_where")
        self._changed(kind)
        self._flush(kind)
        statements = self._sql.table(kind)
        if keep <= 0:
            return self._pg.execute(statements.delete_kind, (kind,)).rowcount
        last = self._one(statements.nth_newest, (kind, keep - 1))
        if last is None:
            return 0
        return self._pg.execute(statements.delete_below, (kind, last)).rowcount

    # -- rankings: the count tree of store.Tx, in PostgreSQL ----------------------------------------
    def _places_of(self, kind: str, ids: list[str]) -> dict[str, tuple[str, int]]:
        rows = self._pg.execute(self._sql.places_of, (kind, ids))
        return {id: (board, int(key)) for id, board, key in rows}

    def _drop_places(self, kind: str, ids: list[str]) -> None:
        self._pg.execute(self._sql.unrank_many, (kind, ids))

    def _rank_rows(self, rows: list[tuple[str, str, str, int]]) -> None:
        self._pg.execute(self._sql.rank_many, _columns(rows, 4))

    def _apply_counts(self, counts: Mapping[tuple[str, int, int], int]) -> None:
        changed = [(*node, delta) for node, delta in counts.items() if delta]
        if changed:
            self._pg.execute(self._sql.add_counts, _columns(changed, 4))
        emptied = [node for node, delta in counts.items() if delta < 0]
        if emptied:
            self._pg.execute(self._sql.drop_emptied, _columns(emptied, 3))

    def _rebuild_rankings(self) -> None:
        if self._counts:
            self._counts.clear()  # counted again from the ranked rows below
        self._pg.execute(f"DELETE FROM {self._sql.ranked}")
        self._pg.execute(f"DELETE FROM {self._sql.counts}")
        for kind, rank_of in self._ranked.items():
            rows = []
            for id, doc in self.items(kind):
                place = rank_of(doc)
                if place is not None:
                    if not 0 <= place[1] < 2**RANK_KEY_BITS:
                        raise ValueError(f"rank key out of range: {place[1]}")
                    rows.append((kind, id, *place))
            if rows:
                with self._pg.cursor() as cursor:
                    cursor.executemany(self._sql.rank, rows)
        for level, shift in _LEVELS:
            self._pg.execute(
                f"INSERT INTO {self._sql.counts} (board, level, prefix, n) "
                f"SELECT board, {level}, key >> {shift}, COUNT(*) "
                f"FROM {self._sql.ranked} GROUP BY board, key >> {shift}"
            )

    def rank_key(self, kind: str, id: str) -> int | None:
        key = self._one(self._sql.rank_key, (kind, id))
        return int(key) if key is not None else None

    def rank_before(self, board: str, key: int) -> int:
        self._flush_counts()
        if key <= 0:
            return 0
        if key >= 2**RANK_KEY_BITS:
            return self.rank_size(board)
        params: list[Any] = []
        for level, shift in _LEVELS:
            prefix = key >> shift
            first = 0 if level == 0 else (prefix >> 4) << 4
            params += (board, level, first, prefix - 1)
        return int(self._one(self._sql.rank_before, params))

    def rank_size(self, board: str) -> int:
        self._flush_counts()
        return int(self._one(self._sql.rank_size, (board,)))

    def rank_page(self, kind: str, board: str, offset: int, limit: int) -> list[Document]:
        self._flush_counts()
        if limit <= 0 or offset >= self.rank_size(board):
            return []
        start, skip = 0, offset
        if offset > 0:
            prefix = 0
            for level, _shift in _LEVELS:
                first, last = (0, 7) if level == 0 else (prefix << 4, (prefix << 4) + 15)
                for child, n in self._pg.execute(self._sql.rank_children, (board, level, first, last)).fetchall():
                    if skip < n:
                        prefix = child
                        break
                    skip -= n
            start = prefix
        rows = self._pg.execute(self._sql.table(kind).rank_page, (board, kind, start, limit, skip))
        return [jsontext.loads_document(body) for (body,) in rows]

    # -- the whole state ----------------------------------------------------------------------------
    def _rows(self, *, private: bool) -> list[tuple[str, str, str]]:
        """(kind, id, body) of every document, by kind and id, from every table (Tx.dump and Tx.rewrite read them)."""
        self._flush()
        sql = self._sql.all_docs + ("" if private else " WHERE substr(kind, 1, 1) <> %s")
        rows = self._pg.execute(sql, () if private else (PRIVATE,)).fetchall()  # type: ignore[arg-type]
        for kind, table in self._sql.tables.items():
            if private or not kind.startswith(PRIVATE):
                rows += self._pg.execute(f"SELECT kind, id, body FROM {table.name}").fetchall()  # type: ignore[arg-type]
        return sorted(rows)  # "C" collation in the database, code points here: the same order

    def replace_all(self, state: Mapping[str, Mapping[str, Document]]) -> None:
        self._flush()
        self._pg.execute(self._sql.clear, (PRIVATE,))
        for kind, table in self._sql.tables.items():
            if not kind.startswith(PRIVATE):
                self._pg.execute(f"DELETE FROM {table.name}")
        for kind, docs in state.items():
            rows = [(kind, id, self._body(kind, doc)) for id, doc in docs.items()]
            if rows:
                with self._pg.cursor() as cursor:
                    cursor.executemany(self._sql.table(kind).insert, rows)
        self._rebuild_rankings()
        for kind in sorted(self._watched):
            self._changed(kind)

    # -- meta ---------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        value = self._one(self._sql.get_meta, (key,))
        return str(value) if value is not None else None

    def set_meta(self, key: str, value: str) -> None:
        self._pg.execute(self._sql.set_meta, (key, value))
        if self._on_meta is not None:
            self._on_meta(self)

    def delete_meta(self, *keys: str) -> None:
        for key in keys:
            self._pg.execute(self._sql.delete_meta, (key,))
        if self._on_meta is not None:
            self._on_meta(self)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Raw SQL (SQLite's `?` placeholders accepted) in this transaction; a psycopg cursor."""
        self._flush()
        return self._pg.execute(_placeholders(sql), params)  # type: ignore[arg-type]

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        self._flush()
        cursor = self._pg.cursor()
        cursor.executemany(_placeholders(sql), rows)  # type: ignore[arg-type]
        return cursor


class PgStore(Store):
    """One PostgreSQL database (a libpq URL); a connection per (process, thread), plus one LISTEN connection per
    process. `namespace` prefixes the tables: a sibling store (store.sibling_store) in the same database."""

    backend = "postgresql"

    def __init__(
        self,
        path: str,
        synchronous: str = "NORMAL",
        indexes: Indexes | None = None,
        derive: Derivations | None = None,
        watched: Iterable[str] = (),
        ranked: Rankings | None = None,
        namespace: str = "",
    ) -> None:
        if namespace and not _NAMESPACE.match(namespace):
            raise ValueError(f"not a store namespace: {namespace!r}")
        self.path = path
        self.derive = derive or {}
        self.ranked = dict(ranked or {})
        self.watched = frozenset(watched)
        self.namespace = namespace
        # OFF (the request journal): a commit does not wait for the WAL flush (synchronous_commit off).
        self.synchronous = synchronous
        self._sql = _Sql(namespace)
        self._declared = {kind: tuple(names) for kind, names in (indexes or {}).items()}
        for kind, names in self._declared.items():
            for name in names:
                self._sql.index(kind, name)  # checks the names
        self._begin = f"BEGIN; SELECT pg_advisory_xact_lock({LOCK_CLASS}, {_lock_id(f'write:{namespace}')})"
        self._local = threading.local()
        # Process-wide: the LISTEN connection and the generation it counts (Cached's "has anything changed?").
        self._listen_guard = threading.Lock()
        self._listener: psycopg.Connection[Any] | None = None
        self._listener_pid = -1
        self._listen_retry = 0.0
        self._generation = 0
        self._token = uuid.uuid4().hex[:12]  # tells this store's notifications from others' (pids repeat across hosts)
        self._notifications = 0
        self._initialize()

    def _connect(self) -> psycopg.Connection[Any]:
        conn = psycopg.connect(self.path, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        # enable_seqscan off: every lookup of the mock has an index; a planner that believes a table empty (statistics
        # taken just after a reset) would otherwise scan it and run mockserver_field() on every row as the table grows.
        settings = f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_S * 1000}; SET enable_seqscan = off"
        if self.synchronous.upper() == "OFF":
            settings += "; SET synchronous_commit TO off"
        conn.execute(settings)  # type: ignore[arg-type]
        return conn

    def _conn(self) -> psycopg.Connection[Any]:  # type: ignore[override]
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        # A connection must never cross a fork; a broken one is replaced. So is one whose socket has something to read
        # while no statement is in flight: the server ended the session (a restart, an idle-in-transaction timeout),
        # which psycopg learns only when a statement fails; a request would get a 500 with the database back up.
        ours = conn is not None and self._local.pid == os.getpid()
        if conn is not None and ours and not (conn.closed or conn.broken) and _readable(conn.fileno(), 0):
            conn.close()
        if conn is None or self._local.pid != os.getpid() or conn.closed or conn.broken:
            conn = self._connect()
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def _first_connection(self) -> psycopg.Connection[Any]:
        deadline = time.monotonic() + START_TIMEOUT_S
        waiting = False
        while True:
            try:
                conn = self._conn()
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise
                if not waiting:
                    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                    log.warning("waiting up to %d s for PostgreSQL: %s", START_TIMEOUT_S, reason)
                    waiting = True
                time.sleep(0.25)
                continue
            if waiting:
                log.warning("PostgreSQL is reachable: starting")
            return conn

    def _initialize(self) -> None:
        conn = self._first_connection()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, _INIT_LOCK))
            conn.execute(self._sql.meta_table)
            row = conn.execute(self._sql.get_meta, (SCHEMA_KEY,)).fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self._sql.docs}: schema {version} is newer than this mockserver's")
            if version < 1:
                conn.execute(self._sql.schema)
            # Version 2: indexed kinds have tables of their own (below), the shared table no partial indexes.
            if version < 2:
                shared = conn.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = %s AND schemaname = current_schema() "
                    "AND indexname <> %s",
                    (self._sql.docs, f"{self._sql.docs}_pkey"),
                ).fetchall()
                for (name,) in shared:
                    conn.execute(f'DROP INDEX "{name}"')  # type: ignore[arg-type]
            if version != SCHEMA_VERSION:
                conn.execute(self._sql.set_meta, (SCHEMA_KEY, str(SCHEMA_VERSION)))
            # Looked up as the tables' names are (search_path): a schema per fleet in one database works.
            found = conn.execute(
                "SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('mockserver_field(text, text)')"
            ).fetchone()
            if found is None:
                conn.execute(_FIELD_FUNCTION)
            elif found[0] != "u":  # created PARALLEL SAFE by an earlier version
                conn.execute("ALTER FUNCTION mockserver_field(text, text) PARALLEL UNSAFE")
            self._own_tables(conn)

    def _own_tables(self, conn: psycopg.Connection[Any]) -> None:
        """Give each declared kind its table (moving its documents out of the shared table once: a database written
        by an older version, or a kind declared since) and its field indexes; learn the database's list, which every
        node follows (KINDS_KEY). Inside _initialize's locked transaction."""
        row = conn.execute(self._sql.get_meta, (KINDS_KEY,)).fetchone()
        kinds: list[str] = json.loads(row[0]) if row else []
        for kind in sorted(set(self._declared) - set(kinds)):
            table = self._sql.own_table(kind)
            conn.execute(  # type: ignore[arg-type]
                f'CREATE TABLE IF NOT EXISTS {table} (kind TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, '
                "body TEXT NOT NULL, PRIMARY KEY (kind, id))"
            )
            conn.execute(f"INSERT INTO {table} SELECT kind, id, body FROM {self._sql.docs} WHERE kind = %s", (kind,))  # type: ignore[arg-type]
            conn.execute(f"DELETE FROM {self._sql.docs} WHERE kind = %s", (kind,))  # type: ignore[arg-type]
            kinds.append(kind)
        if row is None or sorted(kinds) != json.loads(row[0]):
            conn.execute(self._sql.set_meta, (KINDS_KEY, json.dumps(sorted(kinds))))
        existing = {
            name
            for (name,) in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE %s",
                (f"{self._sql.prefix}k\\_%",),
            )
        }
        for kind, names in self._declared.items():
            for name in names:
                index, sql = self._sql.index(kind, name)
                if index not in existing:
                    conn.execute(sql)  # type: ignore[arg-type]
        self._sql.tables = {
            kind: _Table(self._sql.own_table(kind), self._sql.ranked, self._sql.incoming) for kind in kinds
        }

    def read(self) -> Tx:
        waiting = getattr(self._local, "waiting", None)  # inside this thread's write transaction: its waiting writes
        return PgTx(self._conn(), self._sql, self.derive, watched=self.watched, ranked=self.ranked, waiting=waiting)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A read-modify-write transaction serialized with every other node's; rolled back if the block raises."""
        conn = self._conn()
        holding = getattr(self._local, "holding", None)
        if holding is not None and holding is not conn:  # the session that held the lock ended (a restart)
            raise psycopg.OperationalError("the connection holding the fleet's write lock was lost")
        self._local.waiting = waiting = Waiting()
        tx = PgTx(conn, self._sql, self.derive, self._meta_changed, self.watched, self.ranked, waiting)
        try:
            conn.execute(self._begin)  # BEGIN and the lock in one round trip (the simple query protocol)
            try:
                yield tx
                # The waiting writes of every kind and the commit in one pipeline: one round trip inside the lock.
                with conn.pipeline():
                    tx._flush()
                    conn.execute("COMMIT")
            except BaseException:
                if not conn.closed and not conn.broken:
                    conn.execute("ROLLBACK")
                raise
        finally:
            self._local.waiting = None
        if tx.notified:
            self._echoed(tx.notified)

    def _echoed(self, payload: str) -> None:
        """After a commit that notified: this process sees its own change at once, and the write returns once its
        notification has come back to this process's LISTEN connection, so that the other nodes' listeners, signalled
        by the same commit, have it too by the time the client hears of the write."""
        deadline = time.monotonic() + ECHO_TIMEOUT_S
        with self._listen_guard:
            self._generation += 1
            listener = self._listening()
            while listener is not None:
                try:
                    pgconn = listener.pgconn
                    if self._drain(pgconn, payload):
                        return
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return
                    _readable(listener.fileno(), left)
                    pgconn.consume_input()
                except (OSError, psycopg.Error):
                    self._lost(listener)
                    return

    def _drain(self, pgconn: Any, payload: str | None = None) -> bool:
        """Count the notifications libpq holds; whether `payload` was among them."""
        if pgconn.status != pq.ConnStatus.OK:
            raise psycopg.OperationalError("the LISTEN connection is lost")
        seen = False
        while (notify := pgconn.notifies()) is not None:
            self._generation += 1
            seen = seen or (payload is not None and notify.extra.decode() == payload)
        return seen

    def _lost(self, listener: psycopg.Connection[Any]) -> None:
        listener.close()
        self._listener = None
        self._generation += 1

    def _meta_changed(self, tx: Tx) -> None:
        assert isinstance(tx, PgTx)
        if not tx.notified:
            self._notifications += 1
            payload = f"{self._token}:{os.getpid()}:{self._notifications}"
            tx._pg.execute("SELECT pg_notify(%s, %s)", (self._sql.channel, payload))
            tx.notified = payload
        with self._listen_guard:
            self._listening()  # before the commit: the echo _echoed() waits for must find it listening
            self._generation += 1  # Cached values read inside this transaction see its change (not kept)

    # -- the generation: "may a Cached value be stale?" ---------------------------------------------
    def _listening(self) -> psycopg.Connection[Any] | None:
        listener = self._listener
        if listener is not None and self._listener_pid == os.getpid() and not listener.closed:
            return listener
        self._listener = None
        if time.monotonic() < self._listen_retry:
            return None
        try:
            listener = self._connect()
            listener.execute(f"LISTEN {self._sql.channel}")
        except psycopg.Error:
            self._listen_retry = time.monotonic() + LISTEN_RETRY_S
            return None
        self._listener, self._listener_pid = listener, os.getpid()
        self._generation += 1  # changes made while nobody listened: every Cached value checks its version
        return listener

    def generation(self) -> int:
        with self._listen_guard:
            listener = self._listening()
            if listener is None:
                self._generation += 1  # not listening: every read of a Cached value checks its version row
                return self._generation
            try:
                if _readable(listener.fileno(), 0):
                    listener.pgconn.consume_input()
                    self._drain(listener.pgconn)
            except (OSError, psycopg.Error):
                self._lost(listener)
            return self._generation

    def in_transaction(self) -> bool:
        return self._conn().info.transaction_status != pq.TransactionStatus.IDLE

    def confirmed(self, generation: int) -> bool:
        # A notification is sent at the commit: what it announces is already visible to every new statement.
        return True

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        conn = self._connect()  # a session lock on a connection of its own, released when it closes
        try:
            conn.execute(
                "SELECT pg_advisory_lock(%s, %s)", (LOCK_CLASS, _lock_id(f"exclusive:{self.namespace}:{name}"))
            )
            yield
        finally:
            conn.close()

    @contextmanager
    def hold_writes(self) -> Iterator[None]:
        """Hold the fleet's write lock across many write transactions of this thread (populate copying a population
        in): every other node's writes wait until the block ends; reads go on. A session-level advisory lock on this
        thread's connection, which its own write transactions take again without waiting."""
        conn = self._conn()
        lock = (LOCK_CLASS, _lock_id(f"write:{self.namespace}"))
        conn.execute("SELECT pg_advisory_lock(%s, %s)", lock)
        self._local.holding = conn
        try:
            yield
        finally:
            self._local.holding = None
            if not conn.closed and not conn.broken:
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", lock)

    def prefer_bulk(self) -> None:
        """Nothing to tune: PostgreSQL's page cache is the server's."""

    def trial(self) -> Iterator[Tx]:  # type: ignore[override]
        raise NotImplementedError("trials run on an SQLite replica (populate's workers)")

    def copy_to(self, path: str) -> None:
        raise NotImplementedError("copy a PostgreSQL state with dump() into a new store")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn().execute(_placeholders(sql), params)  # type: ignore[arg-type]

    def executescript(self, sql: str) -> None:
        self._conn().execute(sql)  # type: ignore[arg-type]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        with self._listen_guard:
            if self._listener is not None and self._listener_pid == os.getpid():
                self._listener.close()
            self._listener = None
