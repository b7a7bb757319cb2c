"""Identifiers and timestamps in LootLocker's formats.

Session tokens are 40 lower-case hex characters, ULIDs 26 Crockford base32 characters, public UIDs and
lease codes 8 upper-case characters, timestamps ISO-8601 with an explicit offset ("2022-05-30T07:56:01+00:00").
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from datetime import UTC, datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Upper-case letters and digits without the look-alikes 0/O and 1/I/L (codes are typed by people).
HUMAN = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# Every 10-bit value as its two Crockford characters: a ULID is 13 lookups, not 26 shifts.
_PAIRS = [a + b for a in CROCKFORD for b in CROCKFORD]


_last_ulid = 0
_ulid_lock = threading.Lock()


def ulid() -> str:
    """48 bits of milliseconds then 80 random bits, in Crockford base32; monotonic within a process (as ULID's
    monotonic mode): one made in the same millisecond as the last, with a lower random part, is the last plus one, so
    that lists ordered by id (items, notifications, a player's assets) keep creation order."""
    global _last_ulid
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    with _ulid_lock:
        if value <= _last_ulid:
            value = _last_ulid + 1
        _last_ulid = value
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in range(120, -1, -10)])


def session_token() -> str:
    return secrets.token_hex(20)


def human_code(length: int = 8) -> str:
    """A public UID or a lease code, e.g. "TSEYDXD8"."""
    value = secrets.randbelow(len(HUMAN) ** length)  # one draw, every code equally likely
    code = []
    for _ in range(length):
        value, digit = divmod(value, len(HUMAN))
        code.append(HUMAN[digit])
    return "".join(code)


def request_id() -> str:
    return str(uuid.uuid4())


def trace_id() -> str:
    return secrets.token_hex(16)


_last_second: tuple[int, str] = (-1, "")  # a second and its text: a busy server formats each second once


def iso_now() -> str:
    global _last_second
    second, text = _last_second
    now = int(time.time())
    if now != second:
        text = datetime.fromtimestamp(now, UTC).isoformat()
        _last_second = (now, text)
    return text


def epoch_now() -> float:
    return time.time()
