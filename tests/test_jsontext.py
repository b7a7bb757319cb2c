"""The fast JSON encoder falls back to the standard library for what orjson refuses, losing nothing."""

from __future__ import annotations

import json

import pytest

from mockserver import jsontext


@pytest.mark.parametrize(
    "value",
    [
        {"big": 2**80, "negative": -(2**70)},  # beyond 64 bits: orjson refuses
        {"lone surrogate": "\ud800"},  # not UTF-8 encodable: orjson refuses
        {1: "non-string key"},
        {"plain": [1, 2.5, None, True, "é"]},
    ],
)
def test_every_value_round_trips(value: object) -> None:
    text = jsontext.dumps(value)
    assert json.loads(text) == json.loads(json.dumps(value))
    assert ", " not in text and '": ' not in text  # compact, like separators=(",", ":")


@pytest.mark.parametrize(
    "value",
    [
        {"big": 123456789012345678901234567890, "small": -12345678901234567890123},  # beyond 64 bits: exact
        {"at": 9223372036854775807, "pi": 3.141592653589793, "e": 1e-7},
        {"lone surrogate": "\ud800", "ok": "é"},  # orjson refuses to write it
        {"nested": {"list": [1, 2.5, None, True, "x"]}},
    ],
)
def test_stored_documents_read_back_exactly(value: dict[str, object]) -> None:
    text = jsontext.dumps_document(value)
    read = jsontext.loads_document(text)
    assert read == value
    assert [type(v) for v in _leaves(read)] == [type(v) for v in _leaves(value)]  # ints stay ints
    assert json.loads(text) == value  # and any JSON reader (SQLite's json_extract) reads the same text


def test_only_what_orjson_cannot_write_is_marked_for_the_standard_library() -> None:
    assert not jsontext.dumps_document({"at": 2**63 - 1}).startswith(jsontext.STDLIB_MARK)
    assert jsontext.dumps_document({"big": 2**64}).startswith(jsontext.STDLIB_MARK)


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_clone_is_a_deep_copy_and_exact() -> None:
    user = {"id": "u", "registrations": [{"roles": ["admin"]}], "data": {"big": 2**80, "s": "\ud800"}}
    copy = jsontext.clone(user)
    assert copy == user and copy["data"]["big"] == 2**80
    copy["registrations"][0]["roles"].append("player")
    copy["data"]["big"] = 0
    assert user["registrations"][0]["roles"] == ["admin"] and user["data"]["big"] == 2**80
