"""The document store on both backends (SQLite file, PostgreSQL database): operations, atomic transactions,
sharing between processes; then what is particular to each."""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mockserver.store import Store

pytest_plugins = ("tests.pg",)  # pg_url, state_location: each test runs on SQLite and on PostgreSQL


@pytest.fixture
def store(state_location: str) -> Store:
    return Store(state_location)


def test_put_get_find_delete(store: Store) -> None:
    with store.write() as tx:
        tx.put("users", "b", {"id": "b", "email": "b@x.io", "tenant": "t1"})
        tx.put("users", "a", {"id": "a", "email": "a@x.io"})
    tx = store.read()
    assert tx.get("users", "a") == {"id": "a", "email": "a@x.io"}
    assert [d["id"] for d in tx.all("users")] == ["a", "b"]
    assert [id for id, _ in tx.items("users")] == ["a", "b"] and tx.items("users")[0][1] == tx.get("users", "a")
    assert [d["id"] for d in tx.find("users", email="b@x.io")] == ["b"]
    assert [d["id"] for d in tx.find("users", tenant=None)] == ["a"]
    with store.write() as tx:
        assert tx.delete("users", "a") is True
        assert tx.delete("users", "a") is False
    assert store.read().get("users", "a") is None


def test_a_transaction_reads_its_own_waiting_writes_in_every_way(store: Store) -> None:
    """Puts wait in the transaction and reach the database in batches: every read inside it sees them all the same
    (by id, find, list, count, newest, an autocommit read on the same thread), a delete removes a waiting one, a
    second put replaces it, and nothing of them is left after a rollback."""
    with store.write() as tx:
        tx.put("users", "a", {"id": "a", "email": "a@x.io"})
        tx.put("users", "a", {"id": "a", "email": "a2@x.io"})  # replaces the waiting one
        tx.put("users", "b", {"id": "b", "email": "b@x.io"})
        assert tx.get("users", "a") == {"id": "a", "email": "a2@x.io"}
        assert store.read().get("users", "b") == {"id": "b", "email": "b@x.io"}
        tx.put("users", "c", {"id": "c", "email": "c@x.io"})
        assert [d["id"] for d in store.read().find("users", email="c@x.io")] == ["c"]
        assert [d["id"] for d in tx.find("users", email="a@x.io")] == []
        tx.put("users", "d", {"id": "d"})
        assert tx.count("users") == 4 and [d["id"] for d in tx.newest("users", 1)] == ["d"]
        tx.put("users", "e", {"id": "e"})
        assert tx.delete("users", "e") is True and tx.get("users", "e") is None
        tx.put("users", "f", {"id": "f"})
        assert [d["id"] for d in tx.all("users")] == ["a", "b", "c", "d", "f"]
        tx.put("users", "g", {"id": "g"})
        assert tx.dump()["users"].keys() == {"a", "b", "c", "d", "f", "g"}
        tx.put("users", "h", {"id": "h"})  # still waiting at the end: written before the commit
    assert [d["id"] for d in store.read().all("users")] == ["a", "b", "c", "d", "f", "g", "h"]
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.put("users", "x", {"id": "x"})
        assert tx.get("users", "x") == {"id": "x"}
        raise RuntimeError("rolled back")
    assert store.read().get("users", "x") is None
    with store.write() as tx:
        assert tx.get("users", "x") is None  # nothing waiting was carried into the next transaction


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.put("users", "a", {"id": "a"})
        raise RuntimeError("half-way")
    assert store.read().all("users") == []


def test_dump_and_replace_all(store: Store) -> None:
    with store.write() as tx:
        tx.put("x", "1", {"id": "1"})
        tx.replace_all({"y": {"2": {"id": "2"}}})
    assert store.read().dump() == {"y": {"2": {"id": "2"}}}


def test_state_survives_reopening_the_file(state_location: str) -> None:
    path = state_location
    with Store(path).write() as tx:
        tx.put("x", "1", {"id": "1", "v": 1})
    assert Store(path).read().get("x", "1") == {"id": "1", "v": 1}


def _increment(path: str, times: int, go: Any) -> None:
    store = Store(path)
    store.read().get("counters", "c")  # connect before the start signal so that all run together
    go.wait()
    for _ in range(times):
        with store.write() as tx:
            doc = tx.get("counters", "c") or {"id": "c", "n": 0}
            doc["n"] += 1
            tx.put("counters", "c", doc)


def test_read_modify_write_is_atomic_across_processes(store: Store) -> None:
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    workers = [context.Process(target=_increment, args=(store.path, 400, go)) for _ in range(4)]
    for w in workers:
        w.start()
    time.sleep(1.0)
    go.set()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert store.read().get("counters", "c") == {"id": "c", "n": 1600}  # no lost update


def _open_new(path: str, go: Any) -> None:
    go.wait()
    Store(path, indexes={"things": ("name",)}).read().get("things", "1")


def test_workers_opening_a_new_file_at_once_all_succeed(tmp_path: Path) -> None:
    # Forked workers start together; switching a new file to WAL can fail "database is locked" at once.
    context = multiprocessing.get_context("fork")
    for attempt in range(30):
        go = context.Event()
        path = str(tmp_path / f"new-{attempt}.sqlite3")
        workers = [context.Process(target=_open_new, args=(path, go)) for _ in range(8)]
        for w in workers:
            w.start()
        go.set()
        for w in workers:
            w.join(60)
        assert [w.exitcode for w in workers] == [0] * 8


def test_find_uses_the_declared_indexes(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "i.sqlite3"), indexes={"players": ("public_uid",)})
    with store.write() as tx:
        for n in range(200):
            tx.put("players", str(n), {"id": str(n), "game": "g", "public_uid": f"P{n}"})
        tx.put("other", "x", {"id": "x", "public_uid": "P7"})
    assert store.read().find("players", game="g", public_uid="P7") == [{"id": "7", "game": "g", "public_uid": "P7"}]
    # The statement find() runs: the kind's own table, searched through the field's index.
    plan = store.execute(
        "EXPLAIN QUERY PLAN SELECT body FROM \"kind:players\" WHERE 1 AND json_extract(body, '$.game') = ? "
        "AND json_extract(body, '$.public_uid') = ? ORDER BY id",
        ("g", "P7"),
    ).fetchall()
    assert "kind:players:public_uid" in str(plan)
    # The shared table has no index besides its primary key: an insert of another kind checks none of this kind's.
    indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'docs' AND sql IS NOT NULL"
    assert store.execute(indexes).fetchall() == []  # (the primary key's own index has no SQL)


def test_a_file_of_the_shared_table_layout_is_moved_to_tables_per_kind_once(tmp_path: Path) -> None:
    """A state file written before indexed kinds had tables of their own (one `docs` table with a partial index per
    kind and field): opened, its documents move to their kinds' tables, the old indexes go, and nothing is lost."""
    import sqlite3

    path = str(tmp_path / "old.sqlite3")
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(
        "CREATE TABLE docs (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id)) "
        "WITHOUT ROWID; CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID; "
        "CREATE INDEX \"docs:players:public_uid\" ON docs (json_extract(body, '$.public_uid')) "
        "WHERE kind = 'players';"
    )
    rows = [("players", str(n), f'{{"id":"{n}","public_uid":"P{n}"}}') for n in range(50)]
    old.executemany("INSERT INTO docs VALUES (?, ?, ?)", [*rows, ("games", "g", '{"id":"g"}')])
    old.close()

    store = Store(path, indexes={"players": ("public_uid",)})
    assert store.read().find("players", public_uid="P42") == [{"id": "42", "public_uid": "P42"}]
    assert store.read().count("players") == 50
    assert store.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == 1  # only the unindexed kind stays
    assert store.execute("SELECT name FROM sqlite_master WHERE name = 'docs:players:public_uid'").fetchall() == []
    assert set(store.read().dump()) == {"players", "games"} and len(store.read().dump()["players"]) == 50
    # Whoever opens the file later, declaring the kind or not, reads the kind where it now is.
    assert Store(path).read().get("players", "7") == {"id": "7", "public_uid": "P7"}
    assert Store(path, indexes={"players": ("public_uid",)}).read().count("players") == 50


def test_derived_fields_are_kept_up_to_date(state_location: str) -> None:
    def lower_email(doc: dict[str, Any]) -> None:
        doc["_email"] = doc["email"].lower()

    store = Store(state_location, indexes={"users": ("_email",)}, derive={"users": lower_email})
    with store.write() as tx:
        tx.put("users", "1", {"id": "1", "email": "Ann@Example.COM"})
    assert [u["id"] for u in store.read().find("users", _email="ann@example.com")] == ["1"]
    with store.write() as tx:
        tx.replace_all({"users": {"2": {"id": "2", "email": "ÉLODIE@example.com"}}})
    assert [u["id"] for u in store.read().find("users", _email="élodie@example.com")] == ["2"]
    assert store.read().find("users", _email="ann@example.com") == []


def test_the_meta_generation_is_shared_without_a_query(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite3")
    writer, reader = Store(path), Store(path)  # two processes' views of one file
    before = reader.generation()
    with writer.write() as tx:
        tx.put("things", "1", {"id": "1"})  # documents do not move it
    assert reader.generation() == before
    with writer.write() as tx:
        tx.set_meta("some.version", "7")
    queries: list[str] = []
    reader._conn().set_trace_callback(queries.append)
    assert reader.generation() == before + 1
    assert queries == []  # read from the shared map
    assert reader.confirmed(before + 1)


def test_a_generation_ahead_of_the_committed_table_is_not_confirmed(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite3")
    store = Store(path)
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.set_meta("some.version", "1")  # the map moves at once, the table only with the commit
        raise RuntimeError("rolled back")
    assert not store.confirmed(store.generation())
    with store.write() as tx:
        tx.set_meta("some.version", "1")
    assert store.confirmed(store.generation())


def _soon(cached: Any, expected: Any) -> bool:
    """Whether a Cached value shows `expected`: at once on SQLite (one machine's shared map); on PostgreSQL once the
    commit's notification has reached this node, which on a loaded test machine can take a few milliseconds."""
    deadline = time.monotonic() + (0 if cached._store.backend == "sqlite" else 2)
    while cached.get() != expected and time.monotonic() < deadline:
        time.sleep(0.0005)
    return bool(cached.get() == expected)


def test_a_watched_collection_is_reloaded_after_any_change_and_queried_not_meanwhile(state_location: str) -> None:
    from mockserver.store import Cached, version_key

    path = state_location
    mine, other = Store(path, watched=["keys"]), Store(path, watched=["keys"])  # two worker processes
    loads: list[int] = []

    def load() -> list[str]:
        loads.append(1)
        return [d["id"] for d in mine.read().all("keys")]

    keys = Cached(mine, version_key("keys"), load, [])
    assert keys.get() == [] and len(loads) == 1
    queries: list[str] = []
    if mine.backend == "sqlite":
        mine._conn().set_trace_callback(queries.append)
    assert keys.get() == []
    assert queries == [] and len(loads) == 1  # nothing changed: no query, no load
    with other.write() as tx:
        tx.put("things", "1", {"id": "1"})  # not watched: nothing to reload
    assert keys.get() == [] and len(loads) == 1
    with other.write() as tx:
        tx.put("keys", "a", {"id": "a"})
    assert _soon(keys, ["a"])
    with other.write() as tx:
        tx.replace_all({"keys": {"b": {"id": "b"}}})
    assert _soon(keys, ["b"])
    with other.write() as tx:
        tx.delete("keys", "b")
    assert _soon(keys, [])
    with pytest.raises(RuntimeError, match="watched"):
        other.read().put("keys", "c", {"id": "c"})  # its version would not count: refused


def test_a_cached_value_read_inside_a_write_is_not_kept(state_location: str) -> None:
    from mockserver.store import Cached, version_key

    store = Store(state_location, watched=["keys"])
    keys = Cached(store, version_key("keys"), lambda: [d["id"] for d in store.read().all("keys")], [])
    assert keys.get() == []
    with pytest.raises(RuntimeError, match="rolled back"), store.write() as tx:
        tx.put("keys", "a", {"id": "a"})
        assert keys.get() == ["a"]  # the transaction sees its own change
        raise RuntimeError("rolled back")
    assert keys.get() == []  # and the rolled-back change was not kept


def test_private_collections_are_kept_out_of_the_state(store: Store) -> None:
    with store.write() as tx:
        tx.put("_mock.faults", "f", {"id": "f"})
        tx.put("x", "1", {"id": "1"})
    assert store.read().dump() == {"x": {"1": {"id": "1"}}}
    with store.write() as tx:
        tx.replace_all({"y": {"2": {"id": "2"}}})  # a reset or an import: bookkeeping stays
    assert store.read().get("_mock.faults", "f") == {"id": "f"} and store.read().dump() == {"y": {"2": {"id": "2"}}}


def test_a_log_is_appended_in_batches_read_newest_first_and_trimmed(store: Store) -> None:
    with store.write() as tx:
        tx.put_many("log", [(f"{n:04d}", {"n": n}) for n in range(10)])
        tx.put_many("log", [])
    tx = store.read()
    assert tx.count("log") == 10 and [d["n"] for d in tx.newest("log", 3)] == [9, 8, 7]
    with store.write() as tx:
        assert tx.trim("log", 4) == 6
        assert tx.trim("log", 4) == 0
    assert [d["n"] for d in store.read().all("log")] == [6, 7, 8, 9]
    with store.write() as tx:
        assert tx.trim("log", 0) == 4
    assert store.read().count("log") == 0


def test_find_matches_types_and_missing_fields_alike_on_both_backends(store: Store) -> None:
    with store.write() as tx:
        tx.put("t", "1", {"id": "1", "n": 5, "s": "5", "big": 2**70, "nested": {"a": 1}})
        tx.put("t", "2", {"id": "2", "n": None, "s": "\u0000 é"})
    tx = store.read()
    assert [d["id"] for d in tx.find("t", n=5)] == ["1"] and [d["id"] for d in tx.find("t", s="5")] == ["1"]
    assert [d["id"] for d in tx.find("t", n=None)] == ["2"] and tx.find("t", n="5") == []
    assert tx.find("t", big=2**70) == [] and tx.get("t", "2") == {"id": "2", "n": None, "s": "\u0000 é"}
    assert tx.get("t", "1") == {"id": "1", "n": 5, "s": "5", "big": 2**70, "nested": {"a": 1}}


def test_a_document_postgresql_json_refuses_is_stored_and_read_back(state_location: str) -> None:
    store = Store(state_location, indexes={"users": ("email",)})
    odd = {"id": "1", "email": "nul\x00@x.io", "name": "lone \ud800 surrogate"}
    with store.write() as tx:
        tx.put("users", "1", odd)
        tx.put("users", "2", {"id": "2", "email": "b@x.io"})
    assert store.read().get("users", "1") == odd
    assert [d["id"] for d in store.read().find("users", email="b@x.io")] == ["2"]


def _open_database(url: str, go: Any) -> None:
    go.wait()
    Store(url, indexes={"things": ("name",)}, watched=["things"]).read().get("things", "1")


def test_nodes_starting_together_on_a_new_database_all_succeed(pg_url: str) -> None:
    context = multiprocessing.get_context("fork")
    go = context.Event()
    workers = [context.Process(target=_open_database, args=(pg_url, go)) for _ in range(8)]
    for w in workers:
        w.start()
    go.set()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0] * 8
    store = Store(pg_url)
    assert store.read().get_meta("store.schema") == "2"
    assert store.read().get_meta("store.kinds") == '["things"]'  # the indexed kind got its table once


def test_find_uses_the_declared_indexes_on_postgresql(pg_url: str) -> None:
    store = Store(pg_url, indexes={"players": ("public_uid",)})
    with store.write() as tx:
        for n in range(200):
            tx.put("players", str(n), {"id": str(n), "game": "g", "public_uid": f"P{n}"})
        tx.put("other", "x", {"id": "x", "public_uid": "P7"})
    assert store.read().find("players", game="g", public_uid="P7") == [{"id": "7", "game": "g", "public_uid": "P7"}]
    store.execute("SET enable_seqscan TO off")  # 200 rows: make the planner show the index it can use
    plan = store.execute(
        "EXPLAIN SELECT body FROM \"kind:players\" WHERE kind = 'players' "
        "AND mockserver_field(body, 'public_uid') = ?::jsonb",
        ('"P7"',),
    ).fetchall()
    assert "k_players_public_uid" in str(plan)
    # The shared table keeps its primary key alone: an insert of any kind checks no partial index (~45 µs each).
    shared = store.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'docs'").fetchall()
    assert shared == [("docs_pkey",)]
    assert store.read().get("other", "x") == {"id": "x", "public_uid": "P7"}


def test_lookups_keep_to_their_index_on_a_table_the_planner_believes_empty(pg_url: str) -> None:
    """After a reset the statistics may say a table is empty (VACUUM ANALYZE of the emptied table) while a load test
    fills it: a lookup must still go through its field's index, not scan the table (the guest sign-in ran at 130 a
    second instead of 650 that way, bench/fleet_http.py)."""
    store = Store(pg_url, indexes={"players": ("public_uid",)})
    with store.write() as tx:
        tx.put("players", "x", {"id": "x", "public_uid": "X"})
    with store.write() as tx:
        tx.delete("players", "x")
    store.execute('VACUUM ANALYZE "kind:players"')
    with store.write() as tx:
        tx.put_many("players", [(f"p{n:04}", {"id": f"p{n:04}", "public_uid": f"U{n}"}) for n in range(3000)])
    assert store.read().find("players", public_uid="U7") == [{"id": "p0007", "public_uid": "U7"}]
    sql, params = store.read().find_sql("players", {"public_uid": "U7"})  # type: ignore[attr-defined]
    plan = str(store.execute(f"EXPLAIN {sql}".replace("%s", "?"), params).fetchall())
    assert "k_players_public_uid" in plan and "Seq Scan" not in plan and "pkey" not in plan


def test_a_database_of_the_shared_table_layout_is_moved_to_tables_per_kind_once(pg_url: str) -> None:
    """A database written by schema 1 (one `docs` table with a partial index per kind and field): opened, its indexed
    kinds' documents move to their own tables, the partial indexes go, and nothing is lost or changed."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute('CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL)')
        conn.execute(
            'CREATE TABLE docs (kind TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, body TEXT NOT NULL, '
            "PRIMARY KEY (kind, id))"
        )
        conn.execute(
            'CREATE TABLE ranked (kind TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, '
            'board TEXT COLLATE "C" NOT NULL, key BIGINT NOT NULL, PRIMARY KEY (kind, id))'
        )
        conn.execute(
            'CREATE TABLE rank_counts (board TEXT COLLATE "C" NOT NULL, level INTEGER NOT NULL, '
            "prefix BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (board, level, prefix))"
        )
        conn.execute(
            "CREATE FUNCTION mockserver_field(body text, name text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE "
            "PARALLEL UNSAFE AS $$ BEGIN RETURN body::jsonb -> name; EXCEPTION WHEN others THEN RETURN NULL; END $$"
        )
        conn.execute(
            "CREATE INDEX docs_players_public_uid_old ON docs (mockserver_field(body, 'public_uid')) "
            "WHERE kind = 'players'"
        )
        conn.execute("INSERT INTO meta VALUES ('store.schema', '1')")
        for n in range(30):
            conn.execute(
                "INSERT INTO docs VALUES ('players', %s, %s)", (f"p{n:02}", f'{{"id":"p{n:02}","public_uid":"U{n}"}}')
            )
        conn.execute("INSERT INTO docs VALUES ('sessions', 's1', '{\"id\":\"s1\"}')")
    store = Store(pg_url, indexes={"players": ("public_uid",)})
    tx = store.read()
    assert tx.get_meta("store.schema") == "2" and tx.count("players") == 30
    assert tx.find("players", public_uid="U7") == [{"id": "p07", "public_uid": "U7"}]
    assert tx.get("sessions", "s1") == {"id": "s1"} and len(tx.dump()["players"]) == 30
    assert store.execute("SELECT COUNT(*) FROM docs WHERE kind = 'players'").fetchone()[0] == 0
    assert store.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'docs'").fetchall() == [("docs_pkey",)]
    again = Store(pg_url, indexes={"players": ("public_uid",)})  # a second start moves nothing twice
    assert again.read().count("players") == 30


def test_a_change_through_one_node_is_seen_by_the_next_read_on_another(pg_url: str) -> None:
    from mockserver.store import Cached, version_key

    mine, other = Store(pg_url, watched=["keys"]), Store(pg_url, watched=["keys"])  # two nodes
    keys = Cached(mine, version_key("keys"), lambda: [d["id"] for d in mine.read().all("keys")], [])
    assert keys.get() == []
    for n in range(50):
        with other.write() as tx:
            tx.put("keys", str(n), {"id": str(n)})
        # The write returned once its notification came back to its own listener; PostgreSQL signals every
        # listener at that commit, so the other's arrives within microseconds (no query meanwhile).
        deadline = time.monotonic() + 1
        while str(n) not in keys.get() and time.monotonic() < deadline:
            time.sleep(0.0001)
        assert str(n) in keys.get()
    generation = mine.generation()
    assert mine.generation() == generation  # nothing changed: no notification, no query


def test_fleets_in_one_database_keep_apart_with_a_schema_each(pg_url: str) -> None:
    from urllib.parse import quote

    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA fleet_a")
        conn.execute("CREATE SCHEMA fleet_b")
    for schema in ("fleet_a", "fleet_b"):
        store = Store(f"{pg_url}?options={quote('-csearch_path=' + schema)}", indexes={"users": ("email",)})
        with store.write() as tx:
            tx.put("users", schema, {"id": schema, "email": f"{schema}@x.io"})
        assert [d["id"] for d in store.read().find("users", email=f"{schema}@x.io")] == [schema]
        assert store.read().dump() == {"users": {schema: {"id": schema, "email": f"{schema}@x.io"}}}


def test_an_id_with_a_nul_character_is_simply_not_found(store: Store) -> None:
    with store.write() as tx:
        assert tx.get("users", "a\x00b") is None and tx.delete("users", "a\x00b") is False


def test_a_node_started_before_its_database_waits_for_it() -> None:
    """docker-compose starts the nodes and PostgreSQL together: a store opened while the database is not up yet waits
    for it (START_TIMEOUT_S) instead of failing the node's start."""
    import threading

    from tests.pg import Cluster, binaries

    bin = binaries()
    if bin is None:
        pytest.skip("no PostgreSQL binaries")
    cluster = Cluster(bin)  # its port is chosen, nothing listens on it yet
    starter = threading.Timer(1.5, cluster.start)
    began = time.monotonic()
    starter.start()
    try:
        store = Store(cluster.admin_url, indexes={"things": ("name",)})
        assert time.monotonic() - began >= 1.5
        with store.write() as tx:
            tx.put("things", "1", {"id": "1", "name": "late"})
        assert store.read().find("things", name="late") == [{"id": "1", "name": "late"}]
        store.close()
    finally:
        starter.join()
        cluster.stop()


def test_the_field_function_never_runs_in_a_parallel_query(pg_url: str) -> None:
    """mockserver_field() catches jsonb's refusals in a subtransaction, which parallel workers cannot start: it is
    PARALLEL UNSAFE, and a database set up by a version that declared it SAFE is corrected at start."""

    def parallel(store: Store) -> str:
        sql = "SELECT proparallel FROM pg_proc WHERE oid = to_regprocedure('mockserver_field(text, text)')"
        return str(store.execute(sql).fetchone()[0])

    store = Store(pg_url)
    assert parallel(store) == "u"
    store.execute("ALTER FUNCTION mockserver_field(text, text) PARALLEL SAFE")  # as the first version created it
    assert parallel(Store(pg_url)) == "u"


def test_a_node_frozen_inside_a_write_does_not_hold_the_fleet_s_writes(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL ends a session idle inside its transaction (IDLE_IN_TRANSACTION_S): the write lock goes with it, the
    frozen write is rolled back (it was never acknowledged), and the other nodes write on."""
    import psycopg

    from mockserver import store_pg

    monkeypatch.setattr(store_pg, "IDLE_IN_TRANSACTION_S", 1)
    frozen, other = Store(pg_url), Store(pg_url)
    writing = frozen.write()
    tx = writing.__enter__()
    tx.put("things", "frozen", {"id": "frozen"})
    began = time.monotonic()
    with other.write() as tx2:  # waits for the lock until PostgreSQL ends the frozen session
        tx2.put("things", "other", {"id": "other"})
    assert time.monotonic() - began < 8
    with pytest.raises(psycopg.Error):
        writing.__exit__(None, None, None)  # its commit finds the session ended
    assert other.read().get("things", "other") == {"id": "other"}
    assert other.read().get("things", "frozen") is None


def test_the_first_statements_after_the_database_restarted_succeed(pg_cluster: Any, pg_url: str) -> None:
    """A restart ends every session; a process's connections learn it from their sockets before their next statement,
    so the first read and the first write after PostgreSQL is back are served (not a 500 per thread)."""
    store = Store(pg_url)
    with store.write() as tx:
        tx.put("things", "1", {"id": "1"})
    assert store.read().get("things", "1") == {"id": "1"}
    pg_cluster.pg_ctl("restart", "-m", "fast")
    assert store.read().get("things", "1") == {"id": "1"}
    pg_cluster.pg_ctl("restart", "-m", "fast")
    with store.write() as tx:
        tx.put("things", "2", {"id": "2"})
    assert store.read().get("things", "2") == {"id": "2"}


def test_a_write_tells_what_it_changed_and_many_documents_go_in_and_out_at_once(state_location: str) -> None:
    """written (what a populate worker hands over), get_many, put_many in bulk: an id given twice keeps its last
    document, a second bulk put in one transaction does not bring back the first one's documents, ranked kinds too."""
    ranked = {"scores": lambda doc: ("b", doc["key"])}
    store = Store(state_location, ranked=ranked)
    many = [(f"u{n:04}", {"id": f"u{n:04}", "n": n}) for n in range(450)]  # beyond PostgreSQL's COPY threshold
    with store.write() as tx:
        tx.put_many("users", [*many, ("u0000", {"id": "u0000", "n": -1})])
        tx.put("users", "u0001", {"id": "u0001", "n": "changed"})
        tx.put_many("users", [(f"v{n:04}", {"id": f"v{n:04}"}) for n in range(300)])
        tx.put_many("scores", [(f"s{n}", {"id": f"s{n}", "key": 1000 - n}) for n in range(250)])
        tx.delete("users", "u0002")
        written = tx.written()
        tx.delete_where("logs", level="debug")
        with pytest.raises(ValueError, match="changed wholesale"):
            tx.written()
    assert written["users"]["u0000"] == '{"id":"u0000","n":-1}' and written["users"]["u0002"] is None
    assert written["users"]["u0001"] == '{"id":"u0001","n":"changed"}' and written["scores"]["s7"] is not None
    assert [len(written[kind]) for kind in ("users", "scores")] == [450 + 300, 250]
    read = store.read()
    got = read.get_many("users", ["u0000", "u0001", "u0002", "u0449", "nope"])
    assert got == {"u0000": {"id": "u0000", "n": -1}, "u0001": {"id": "u0001", "n": "changed"}, "u0449": many[449][1]}
    assert read.count("users") == 449 + 300
    assert read.rank_size("b") == 250 and [d["id"] for d in read.rank_page("scores", "b", 0, 3)] == [
        "s249",
        "s248",
        "s247",
    ]
    with store.write() as tx:
        tx.put_many("scores", [(f"s{n}", {"id": f"s{n}", "key": n}) for n in range(250)])  # every place changes
    assert [d["id"] for d in store.read().rank_page("scores", "b", 0, 2)] == ["s0", "s1"]
    assert store.read().rank_before("b", 100) == 100 and store.read().written() == {}


def test_a_held_write_lock_makes_other_writers_wait_not_its_own(state_location: str) -> None:
    """populate holds it across its batches: other nodes (PostgreSQL) or processes and threads (SQLite) wait."""
    holder, other = Store(state_location), Store(state_location)
    done = threading.Event()

    def write_elsewhere() -> None:
        with other.write() as tx:
            tx.put("users", "b", {"id": "b"})
        done.set()

    with holder.hold_writes():
        with holder.write() as tx:
            tx.put("users", "a", {"id": "a"})
        thread = threading.Thread(target=write_elsewhere)
        thread.start()
        assert not done.wait(0.5)  # queued behind the held lock
        with holder.write() as tx:
            tx.put("users", "a2", {"id": "a2"})
    assert done.wait(5)
    thread.join()
    assert sorted(d["id"] for d in holder.read().all("users")) == ["a", "a2", "b"]
    other.close()


def test_a_trial_is_rolled_back_and_lists_the_bodies_it_would_have_written(tmp_path: Path, state_location: str) -> None:
    """populate's workers: a trial's changes (waiting puts, puts a find sent to the table, a changed and a deleted
    document, a ranked one) are listed as bodies and never committed; put_bodies writes them as they are elsewhere."""
    ranked = {"scores": lambda doc: ("b", doc["key"])}
    replica = Store(str(tmp_path / "replica.sqlite3"), indexes={"users": ("email",)}, ranked=ranked)
    with replica.write() as tx:
        tx.put("users", "old", {"id": "old", "email": "old@x.io"})
        tx.put("users", "gone", {"id": "gone", "email": "gone@x.io"})
    with replica.trial() as tx:
        tx.put("users", "a", {"id": "a", "email": "a@x.io"})
        assert [d["id"] for d in tx.find("users", email="a@x.io")] == ["a"]  # "a" goes to the table
        tx.put("users", "b", {"id": "b", "email": "b@x.io"})  # waits in memory
        tx.put("users", "old", {"id": "old", "email": "new@x.io"})
        tx.delete("users", "gone")
        tx.put("scores", "s1", {"id": "s1", "key": 7})
        written = tx.written()
    assert written == {
        "scores": {"s1": '{"id":"s1","key":7}'},
        "users": {
            "a": '{"id":"a","email":"a@x.io"}',
            "b": '{"id":"b","email":"b@x.io"}',
            "gone": None,
            "old": '{"id":"old","email":"new@x.io"}',
        },
    }
    after = replica.read()
    assert sorted(d["id"] for d in after.all("users")) == ["gone", "old"] and after.get("scores", "s1") is None
    assert after.rank_size("b") == 0 and after.get("users", "old") == {"id": "old", "email": "old@x.io"}

    state = Store(state_location, indexes={"users": ("email",)}, ranked=ranked)
    with state.write() as tx:
        for kind, rows in written.items():
            tx.put_bodies(kind, {id: body for id, body in rows.items() if body is not None})
    read = state.read()
    assert read.get("users", "b") == {"id": "b", "email": "b@x.io"} and read.find("users", email="new@x.io")
    assert read.rank_size("b") == 1 and read.rank_page("scores", "b", 0, 5) == [{"id": "s1", "key": 7}]


def test_a_sqlite_state_copies_itself_whole(tmp_path: Path) -> None:
    ranked = {"scores": lambda doc: ("b", doc["key"])}
    store = Store(str(tmp_path / "s.sqlite3"), ranked=ranked)
    with store.write() as tx:
        tx.put("users", "a", {"id": "a"})
        tx.put("scores", "s", {"id": "s", "key": 3})
    store.copy_to(str(tmp_path / "copy.sqlite3"))
    copy = Store(str(tmp_path / "copy.sqlite3"), ranked=ranked)
    assert copy.read().dump() == store.read().dump() and copy.read().rank_size("b") == 1


_VALUES = st.sampled_from([None, True, 1, 1.0, 0, "a", "1", '["a"]'])  # the last: an array's JSON text
_DOC = st.fixed_dictionaries({}, optional={"f": st.one_of(_VALUES, st.just(["a"])), "g": _VALUES})
_ID = st.sampled_from(["x", "y", "z"])
_STEP = st.one_of(
    st.tuples(st.just("put"), _ID, _DOC),
    st.tuples(st.just("delete"), _ID, st.just({})),
    st.tuples(st.just("find"), st.just(""), st.fixed_dictionaries({"f": _VALUES}, optional={"g": _VALUES})),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(st.tuples(_ID, _DOC), max_size=3), steps=st.lists(_STEP, min_size=2, max_size=10))
@example(before=[], steps=[("put", "y", {"f": ["a"]}), ("find", "", {"f": '["a"]'})])  # an array: the table decides
@example(before=[("x", {"f": 1})], steps=[("put", "x", {"f": 1}), ("find", "", {"f": True})])  # waiting replaces
def test_a_find_among_waiting_puts_answers_what_the_table_would(
    tmp_path: Path, before: list[tuple[str, dict[str, Any]]], steps: list[tuple[str, str, dict[str, Any]]]
) -> None:
    """Inside a write transaction find() reads waiting puts without writing them first; it must answer exactly what
    the same find answers when every step was committed before it (SQLite's json_extract comparison: true is 1,
    None matches missing and null, arrays are left to the table)."""
    waiting, committed = (Store(str(tmp_path / f"{uuid.uuid4().hex}.sqlite3")) for _ in range(2))
    for store in (waiting, committed):
        with store.write() as tx:
            for id, doc in before:
                tx.put("things", id, {"id": id, **doc})
    with waiting.write() as tx:
        for action, id, detail in steps:
            if action == "put":
                tx.put("things", id, {"id": id, **detail})
                with committed.write() as other:
                    other.put("things", id, {"id": id, **detail})
            elif action == "delete":
                tx.delete("things", id)
                with committed.write() as other:
                    other.delete("things", id)
            else:
                assert tx.find("things", **detail) == committed.read().find("things", **detail), detail
