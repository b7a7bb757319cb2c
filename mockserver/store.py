"""The state store: JSON documents in an embedded SQLite database shared by every worker process.

Each document lives in a collection ("fusionauth.identityProviders", ...) under its id. Writes run in
`BEGIN IMMEDIATE` transactions, so a read-modify-write is atomic across threads and processes; WAL mode
lets readers run beside a writer. With synchronous=NORMAL a committed write survives the process being
killed (it is in the WAL, which the OS holds), which is what "acknowledged" means for this mock.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

Document = dict[str, Any]
State = dict[str, dict[str, Document]]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""


def _conditions(kind: str, equals: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """SQL for "kind matches and each top-level field equals its value" (None: field missing or null)."""
    where = ["kind = ?"]
    params: list[Any] = [kind]
    for name, value in equals.items():
        if not name.isidentifier():
            raise ValueError(f"not a field name: {name!r}")
        if value is None:
            where.append(f"json_extract(body, '$.{name}') IS NULL")
        elif isinstance(value, int) and not -(2**63) <= value < 2**63:
            where.append("0")  # beyond SQLite's integers: no stored document can hold it
        else:
            where.append(f"json_extract(body, '$.{name}') = ?")
            params.append(value)
    return " AND ".join(where), params


class Tx:
    """Document operations inside one transaction (or one autocommit read)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, kind: str, id: str) -> Document | None:
        row = self._conn.execute("SELECT body FROM docs WHERE kind = ? AND id = ?", (kind, id)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, kind: str) -> list[Document]:
        """Every document of a collection, ordered by id (deterministic across workers)."""
        rows = self._conn.execute("SELECT body FROM docs WHERE kind = ? ORDER BY id", (kind,))
        return [json.loads(r[0]) for r in rows]

    def find(self, kind: str, **equals: Any) -> list[Document]:
        """Documents whose top-level fields equal the given values (None matches a missing field)."""
        where, params = _conditions(kind, equals)
        sql = f"SELECT body FROM docs WHERE {where} ORDER BY id"
        return [json.loads(r[0]) for r in self._conn.execute(sql, params)]

    def put(self, kind: str, id: str, doc: Document) -> None:
        self._conn.execute(
            "INSERT INTO docs (kind, id, body) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
            (kind, id, json.dumps(doc, separators=(",", ":"))),
        )

    def delete(self, kind: str, id: str) -> bool:
        return self._conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, id)).rowcount > 0

    def delete_where(self, kind: str, **equals: Any) -> int:
        where, params = _conditions(kind, equals)
        return self._conn.execute(f"DELETE FROM docs WHERE {where}", params).rowcount

    def dump(self) -> State:
        state: State = {}
        for kind, id, body in self._conn.execute("SELECT kind, id, body FROM docs ORDER BY kind, id"):
            state.setdefault(kind, {})[id] = json.loads(body)
        return state

    def replace_all(self, state: Mapping[str, Mapping[str, Document]]) -> None:
        self._conn.execute("DELETE FROM docs")
        self._conn.executemany(
            "INSERT INTO docs (kind, id, body) VALUES (?, ?, ?)",
            [
                (kind, id, json.dumps(doc, separators=(",", ":")))
                for kind, docs in state.items()
                for id, doc in docs.items()
            ],
        )

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Raw SQL in this transaction, for modules that keep sibling tables (journal, faults)."""
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        return self._conn.executemany(sql, rows)


class Store:
    """One database file; a connection per (process, thread)."""

    def __init__(self, path: str, synchronous: str = "NORMAL") -> None:
        self.path = path
        # NORMAL: a commit survives the process being killed. OFF (only for data that may be lost with the
        # machine, like the request journal): checkpoints skip fsync too.
        self.synchronous = synchronous
        self._local = threading.local()
        self._conn()  # creates the tables

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        # A connection must never cross a fork: key it by process id as well as by thread.
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.executescript(_SCHEMA)
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def read(self) -> Tx:
        """Autocommit reads: each statement sees the latest committed state."""
        return Tx(self._conn())

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A serialized read-modify-write transaction; rolled back if the block raises."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield Tx(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

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
