"""Compact JSON encoding for the hot paths (stored documents, response bodies).

orjson encodes ~10x faster than the standard library; what it refuses (integers beyond 64 bits, which a
client may send in free-form data, or non-string keys) falls back to `json`, which writes the same text.
Decoding stays with `json`: orjson would turn those large integers into floats.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, separators=(",", ":")).encode()


def dumps(value: Any) -> str:
    return dumps_bytes(value).decode()
