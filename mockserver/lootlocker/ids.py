"""Identifiers and timestamps in LootLocker's formats.

Session tokens are 40 lower-case hex characters, ULIDs 26 Crockford base32 characters, public UIDs and
lease codes 8 upper-case characters, timestamps ISO-8601 with an explicit offset ("2022-05-30T07:56:01+00:00").
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from datetime import UTC, datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Upper-case letters and digits without the look-alikes 0/O and 1/I/L (codes are typed by people).
HUMAN = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# RFC 4648 base32 (the C encoder in base64) re-lettered as Crockford's: a ULID without a Python loop per character.
_AS_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD.encode())


def ulid() -> str:
    """48 bits of milliseconds then 80 random bits, in Crockford base32."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    # 20 bytes are 32 base32 characters; the value fills the last 128 bits, so the last 26 characters are the ULID.
    return base64.b32encode(value.to_bytes(20, "big")).translate(_AS_CROCKFORD)[6:].decode()


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


def iso_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def epoch_now() -> float:
    return time.time()
