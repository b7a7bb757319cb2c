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
    "text",
    [
        '{"big":123456789012345678901234567890,"small":-12345678901234567890123}',  # beyond 64 bits: exact
        '{"at":9223372036854775807,"pi":3.141592653589793,"e":1e-7}',
        '{"lone surrogate":"\\ud800","ok":"\\u00e9"}',  # orjson refuses: read by json
        '{"nested":{"list":[1,2.5,null,true,"x"]}}',
    ],
)
def test_loads_reads_what_json_reads(text: str) -> None:
    value = jsontext.loads(text)
    assert value == json.loads(text)
    assert [type(v) for v in _leaves(value)] == [type(v) for v in _leaves(json.loads(text))]  # ints stay ints


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]
