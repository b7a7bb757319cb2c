"""Per-game counters (legacy player ids, White Label user ids), kept in the store so that every worker
process draws from the same sequence and a reset starts them again."""

from __future__ import annotations

from ..store import Tx
from .collections import SEQUENCES


def next_value(tx: Tx, name: str) -> int:
    """The next value of a sequence (1, 2, ...); call inside a write transaction."""
    current = tx.get(SEQUENCES, name) or {"id": name, "value": 0}
    current["value"] += 1
    tx.put(SEQUENCES, name, current)
    return int(current["value"])


def last_value(tx: Tx, name: str) -> int:
    """The value the sequence gave last (0: none yet)."""
    current = tx.get(SEQUENCES, name)
    return int(current["value"]) if current else 0


def restart_after(tx: Tx, name: str, value: int) -> None:
    """Make the sequence give value + 1 next (populate's workers draw their batch's values this way)."""
    tx.put(SEQUENCES, name, {"id": name, "value": value})
