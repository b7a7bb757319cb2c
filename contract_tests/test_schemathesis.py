"""Schemathesis property-based runs over every operation of both contracts, with all of its checks."""

from __future__ import annotations

import schemathesis

from mockserver.contract.suites import build_schema

from . import conftest

fusionauth = build_schema("fusionauth", conftest.TARGET, conftest.MAX_EXAMPLES)
lootlocker = build_schema("lootlocker", conftest.TARGET, conftest.MAX_EXAMPLES)


@fusionauth.parametrize()
def test_fusionauth(case: schemathesis.Case) -> None:
    case.call_and_validate()


@lootlocker.parametrize()
def test_lootlocker(case: schemathesis.Case) -> None:
    case.call_and_validate()
