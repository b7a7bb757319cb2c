"""Contract suites: in-process against the mock by default, or against any deployment with --base-url.

The options are read once, when pytest starts, because schemathesis generates the test cases when it
collects the test modules.
"""

from __future__ import annotations

import os

import pytest

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.contract.apis import Credentials
from mockserver.contract.suites import ACTIVE

TARGET = ACTIVE  # shared with the behavioural properties (mockserver.contract.test_behaviour)
MAX_EXAMPLES: int | None = None
SEED: int = 0
# CI profile: bounded examples (override with --max-examples or MOCKSERVER_CONTRACT_MAX_EXAMPLES).
CI_MAX_EXAMPLES = 10
CI_SEED = 5


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver contract")
    group.addoption("--base-url", default=None, help="Deployment to check (default: the mock, in-process)")
    group.addoption("--api-key", default=None, help="FusionAuth API key")
    group.addoption("--tenant-id", default=None, help="FusionAuth tenant id (X-FusionAuth-TenantId)")
    group.addoption("--game-key", default=None, help="LootLocker game API key")
    group.addoption("--max-examples", type=int, default=None, help="Examples per operation and phase")
    group.addoption("--contract-seed", type=int, default=None, help="Seed of the schemathesis runs (printed)")


def pytest_configure(config: pytest.Config) -> None:
    global MAX_EXAMPLES, SEED
    # CI uses a fixed seed so that a run is reproducible; --contract-seed explores others.
    SEED = config.getoption("--contract-seed", default=None) or CI_SEED
    creds = Credentials()
    for option, attr in (("--api-key", "api_key"), ("--tenant-id", "tenant_id"), ("--game-key", "game_key")):
        value = config.getoption(option, default=None)
        if value:
            setattr(creds, attr, value)
    TARGET.credentials = creds
    TARGET.base_url = config.getoption("--base-url", default=None)
    if TARGET.base_url is None:
        # Strict: a response that drifts from the mock's own contract becomes a 500 the checks report.
        TARGET.app = create_app(Config(strict=True))
    MAX_EXAMPLES = config.getoption("--max-examples", default=None) or int(
        os.environ.get("MOCKSERVER_CONTRACT_MAX_EXAMPLES", CI_MAX_EXAMPLES)
    )


def pytest_report_header(config: pytest.Config) -> str:
    where = TARGET.base_url or "the mock, in-process (strict)"
    return (
        f"mockserver contract: {where}; max-examples {MAX_EXAMPLES}; seed {SEED} "
        f"(reproduce with --contract-seed {SEED} --hypothesis-seed {SEED})"
    )
