"""Time in the units the vendors use."""

from __future__ import annotations

import time


def now_ms() -> int:
    """Epoch milliseconds: FusionAuth's *Instant fields."""
    return time.time_ns() // 1_000_000


def now_s() -> int:
    """Epoch seconds: JWT claims."""
    return int(time.time())
