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
