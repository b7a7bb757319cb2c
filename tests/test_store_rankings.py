"""store.Rankings: the order-statistic count tree beside the documents (ranks, pages, sizes), kept in step
by put / delete / delete_where / replace_all / rewrite."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mockserver.store import RANK_KEY_BITS, Store

pytest_plugins = ("tests.pg",)  # pg_url, state_location: each test runs on SQLite and on PostgreSQL

KIND = "scores"


def _place(doc: dict) -> tuple[str, int] | None:
    return (f"b:{doc['board']}", doc["key"]) if doc.get("key") is not None else None


@pytest.fixture
def store(state_location: str) -> Store:
    return Store(state_location, ranked={KIND: _place})


def _put(store: Store, id: str, board: str, key: int | None) -> None:
    with store.write() as tx:
        tx.put(KIND, id, {"id": id, "board": board, "key": key})


def _order(store: Store, board: str) -> list[str]:
    tx = store.read()
    return [d["id"] for d in tx.rank_page(KIND, f"b:{board}", 0, 10_000)]


def test_rank_before_counts_lower_keys_across_the_whole_key_range(store: Store) -> None:
    rng = random.Random(7)
    keys = sorted({rng.randrange(2**RANK_KEY_BITS) for _ in range(300)} | {0, 1, 15, 16, 2**RANK_KEY_BITS - 1})
    shuffled = keys[:]
    rng.shuffle(shuffled)
    for i, key in enumerate(shuffled):
        _put(store, f"m{i}", "x", key)
    tx = store.read()
    assert tx.rank_size("b:x") == len(keys)
    for position, key in enumerate(keys):
        assert tx.rank_before("b:x", key) == position
    assert tx.rank_before("b:x", 2**RANK_KEY_BITS + 5) == len(keys)  # clamped, not an error
    assert [tx.rank_key(KIND, d["id"]) for d in tx.rank_page(KIND, "b:x", 0, 1000)] == keys


def test_pages_start_anywhere_without_reading_what_comes_before(store: Store) -> None:
    for i in range(100):
        _put(store, f"m{i:03}", "x", (i * 7919) % 100 * 1000)
    full = _order(store, "x")
    tx = store.read()
    for offset in (0, 1, 15, 16, 17, 50, 99):
        assert [d["id"] for d in tx.rank_page(KIND, "b:x", offset, 7)] == full[offset : offset + 7]
    assert tx.rank_page(KIND, "b:x", 100, 5) == []
    assert tx.rank_page(KIND, "b:x", 0, 0) == []


def test_moves_and_deletes_keep_the_counts(store: Store) -> None:
    _put(store, "a", "x", 10)
    _put(store, "b", "x", 20)
    _put(store, "c", "x", 30)
    _put(store, "a", "x", 40)  # moved behind the others
    assert _order(store, "x") == ["b", "c", "a"]
    _put(store, "b", "y", 5)  # moved to another board
    assert _order(store, "x") == ["c", "a"] and _order(store, "y") == ["b"]
    _put(store, "c", "x", None)  # no longer ranked
    assert _order(store, "x") == ["a"]
    with store.write() as tx:
        tx.delete(KIND, "a")
    assert store.read().rank_size("b:x") == 0
    assert store.read().execute("SELECT COUNT(*) FROM rank_counts WHERE board = 'b:x'").fetchone()[0] == 0
    with store.write() as tx:
        tx.put(KIND, "d", {"id": "d", "board": "y", "key": 1})
        assert tx.delete_where(KIND, board="y") == 2
    assert store.read().rank_size("b:y") == 0


def test_replace_all_and_rewrite_rebuild_the_tree(store: Store) -> None:
    _put(store, "old", "x", 1)
    state = {KIND: {f"m{i}": {"id": f"m{i}", "board": "x", "key": 100 - i} for i in range(50)}}
    with store.write() as tx:
        tx.replace_all(state)
    tx = store.read()
    assert tx.rank_size("b:x") == 50
    assert tx.rank_before("b:x", 100 - 10) == 39
    assert _order(store, "x")[:3] == ["m49", "m48", "m47"]
    with store.write() as tx:
        tx.rewrite()
    assert store.read().rank_size("b:x") == 50 and _order(store, "x")[0] == "m49"


def test_a_rolled_back_write_leaves_the_tree_as_it_was(store: Store) -> None:
    _put(store, "a", "x", 10)
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.put(KIND, "b", {"id": "b", "board": "x", "key": 5})
        raise RuntimeError
    assert store.read().rank_size("b:x") == 1 and _order(store, "x") == ["a"]


def test_a_key_outside_the_range_is_refused(store: Store) -> None:
    with pytest.raises(ValueError), store.write() as tx:
        tx.put(KIND, "a", {"id": "a", "board": "x", "key": 2**RANK_KEY_BITS})


def test_delete_where_takes_many_documents_off_their_boards_at_once(store: Store) -> None:
    for i in range(40):
        _put(store, f"a{i}", "x", i * 3)
        _put(store, f"b{i}", "y", i * 5)
    with store.write() as tx:
        tx.put(KIND, "keep", {"id": "keep", "board": "x", "key": 1000, "group": "keep"})
        assert tx.delete_where(KIND, group=None) == 80
    tx = store.read()
    assert tx.rank_size("b:x") == 1 and tx.rank_size("b:y") == 0
    assert tx.rank_before("b:x", 1001) == 1 and _order(store, "x") == ["keep"]
    assert tx.execute("SELECT COUNT(*) FROM rank_counts WHERE board = 'b:y'").fetchone()[0] == 0


def test_many_rank_changes_in_one_transaction_are_read_back_inside_it_and_kept(store: Store) -> None:
    """Count changes wait in the transaction (summed per tree node) until a rank is read or the commit: reads inside
    see every change before them, moves and deletes included, and the tree ends as large as the board."""
    rng = random.Random(11)
    keys = rng.sample(range(2**40), 400)
    with store.write() as tx:
        for i, key in enumerate(keys[:200]):
            tx.put(KIND, f"m{i}", {"id": f"m{i}", "board": "x", "key": key})
        assert tx.rank_size("b:x") == 200
        assert tx.rank_before("b:x", sorted(keys[:200])[50]) == 50
        for i, key in enumerate(keys[200:]):
            tx.put(KIND, f"m{i}", {"id": f"m{i}", "board": "x", "key": key})  # every member moves
        for i in range(150, 200):
            tx.delete(KIND, f"m{i}")
        tx.put(KIND, "n", {"id": "n", "board": "y", "key": 5})
        moved = sorted(keys[200:350])
        assert [tx.rank_key(KIND, d["id"]) for d in tx.rank_page(KIND, "b:x", 0, 1000)] == moved
        tx.delete(KIND, "n")
    tx = store.read()
    assert tx.rank_size("b:x") == 150 and tx.rank_size("b:y") == 0
    assert [tx.rank_before("b:x", key) for key in moved] == list(range(150))
    # No node of an emptied subtree is left behind (the tree is as large as the board).
    nodes = store.execute("SELECT COUNT(*) FROM rank_counts WHERE n <= 0 OR board = 'b:y'").fetchone()[0]
    assert nodes == 0


_STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("put"),
            st.sampled_from("abcd"),
            st.sampled_from(["x", "y"]),
            st.one_of(st.none(), st.integers(0, 40)),
        ),
        st.tuples(st.just("delete"), st.sampled_from("abcd"), st.just(""), st.none()),
        st.tuples(st.just("rank"), st.just(""), st.sampled_from(["x", "y"]), st.integers(0, 41)),
    ),
    min_size=2,
    max_size=12,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 40)), max_size=2), steps=_STEPS)
@example(before=[("a", 5)], steps=[("put", "a", "x", 9), ("rank", "", "x", 7), ("delete", "a", "", None)])
def test_ranks_read_inside_a_transaction_see_its_waiting_documents(
    tmp_path: Path, before: list[tuple[str, int]], steps: list[tuple[str, str, str, int | None]]
) -> None:
    """A ranked kind's puts wait in a write transaction like the others and are ranked in bulk when written: every rank
    read inside the transaction (size, position, page, key) answers what it answers when each step was committed."""
    waiting, committed = (Store(str(tmp_path / f"{uuid.uuid4().hex}.sqlite3"), ranked={KIND: _place}) for _ in range(2))
    for store in (waiting, committed):
        for id, key in before:
            _put(store, id, "x", key)
    with waiting.write() as tx:
        for action, id, board, key in steps:
            if action == "put":
                tx.put(KIND, id, {"id": id, "board": board, "key": key})
                _put(committed, id, board, key)
            elif action == "delete":
                tx.delete(KIND, id)
                with committed.write() as other:
                    other.delete(KIND, id)
            else:
                assert key is not None
                read = committed.read()
                assert [tx.rank_key(KIND, i) for i in "abcd"] == [read.rank_key(KIND, i) for i in "abcd"]
                assert tx.rank_size(f"b:{board}") == read.rank_size(f"b:{board}")
                assert tx.rank_before(f"b:{board}", key) == read.rank_before(f"b:{board}", key)
                assert tx.rank_page(KIND, f"b:{board}", 1, 3) == read.rank_page(KIND, f"b:{board}", 1, 3)
    assert _order(waiting, "x") == _order(committed, "x") and _order(waiting, "y") == _order(committed, "y")
