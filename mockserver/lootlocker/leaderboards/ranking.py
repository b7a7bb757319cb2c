"""A score's place on its board as one integer sort key (lower ranks first), for the store's count tree.

Scores are 32-bit signed integers, as the SDKs send them (Unity `int`, Unreal `int32`). Ties: the member who
reached the score first ranks first (LootLocker does not document its tie rule; ranks stay consecutive, 1..n).
The key is the score turned so that better is lower (31 bits + 1), then a per-board write sequence:
`((MAX - score) if descending else (score - MIN)) << 31 | sequence`.
"""

from __future__ import annotations

SCORE_MIN = -(2**31)
SCORE_MAX = 2**31 - 1
SEQUENCE_BITS = 31
SEQUENCE_MAX = 2**SEQUENCE_BITS - 1


def _turned(score: int, descending: bool) -> int:
    return SCORE_MAX - score if descending else score - SCORE_MIN


def sort_key(score: int, sequence: int, descending: bool) -> int:
    return _turned(score, descending) << SEQUENCE_BITS | sequence


def after_ties(score: int, descending: bool) -> int:
    """A key just after every stored key with this score: where a score queried now would land."""
    return (_turned(score, descending) + 1) << SEQUENCE_BITS


def better(score: int, than: int, descending: bool) -> bool:
    return score > than if descending else score < than


def in_range(score: int) -> bool:
    return SCORE_MIN <= score <= SCORE_MAX
