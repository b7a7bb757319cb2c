"""Schemathesis property-based runs over every operation of both contracts, with all of its checks."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from mockserver.contract.suites import build_schema

from . import conftest

fusionauth = build_schema("fusionauth", conftest.TARGET, conftest.MAX_EXAMPLES, conftest.SEED)
lootlocker = build_schema("lootlocker", conftest.TARGET, conftest.MAX_EXAMPLES, conftest.SEED)
lootlocker_admin = build_schema("lootlocker-admin", conftest.TARGET, conftest.MAX_EXAMPLES, conftest.SEED)


@fusionauth.parametrize()
def test_fusionauth(case: schemathesis.Case) -> None:
    case.call_and_validate()


@lootlocker.parametrize()
def test_lootlocker(case: schemathesis.Case) -> None:
    case.call_and_validate()


@lootlocker_admin.parametrize()
def test_lootlocker_admin(case: schemathesis.Case) -> None:
    case.call_and_validate()


# Stateful sequences over the OpenAPI links (create → retrieve / update / patch → delete; users likewise).
FusionAuthStateMachine = fusionauth.as_state_machine()
TestFusionAuthStateful = FusionAuthStateMachine.TestCase
TestFusionAuthStateful.settings = settings(
    max_examples=conftest.MAX_EXAMPLES, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck)
)
