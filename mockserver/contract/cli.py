"""`mockserver contract`: check a deployment (the mock, or a real FusionAuth / LootLocker) against the contracts."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import click

from .apis import APIS, DEFAULT_API_KEY, DEFAULT_GAME_KEY, Credentials

BEHAVIOUR = Path(__file__).with_name("test_behaviour.py")
# Against a real service these operations would leave resources behind that the harness cannot find again
# (FusionAuth has no user listing without its search engine), so they are only fuzzed against the mock.
UNTRACEABLE_WRITES = ["createUser", "createUserWithId", "registerUserAndRegistration", "register", "actionUser"]


@click.command()
@click.option("--base-url", required=True, help="The deployment to check, e.g. http://127.0.0.1:9011")
@click.option(
    "--api",
    "api_name",
    type=click.Choice(["fusionauth", "lootlocker", "lootlocker-admin", "all"]),
    default="all",
    show_default=True,
)
@click.option("--api-key", default=DEFAULT_API_KEY, show_default=True, help="FusionAuth API key")
@click.option("--tenant-id", default=None, help="FusionAuth tenant id (X-FusionAuth-TenantId)")
@click.option("--game-key", default=DEFAULT_GAME_KEY, show_default=True, help="LootLocker game API key")
@click.option(
    "--max-examples",
    type=click.IntRange(1, 10_000),
    default=50,
    show_default=True,
    help="Examples per operation and phase",
)
@click.option("--seed", type=int, default=None, help="Seed for reproduction (printed when omitted)")
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False),
    default="contract-report",
    show_default=True,
    help="Where the JUnit XML reports go",
)
def contract(
    base_url: str,
    api_name: str,
    api_key: str,
    tenant_id: str | None,
    game_key: str,
    max_examples: int,
    seed: int | None,
    report_dir: str,
) -> None:
    """Run the contract suites; exit 0 when the deployment honours the contract, 1 when it does not."""
    from . import suites  # schemathesis loads slowly: only for this command, never for `serve`
    from .suites import Target

    seed = seed if seed is not None else random.randrange(2**31)
    click.echo(f"mockserver contract: {base_url}  api={api_name}  max-examples={max_examples}  seed={seed}")
    target = Target(
        base_url=base_url.rstrip("/"), credentials=Credentials(api_key=api_key, tenant_id=tenant_id, game_key=game_key)
    )
    is_mock = target.has_control_plane()
    reports = Path(report_dir)
    reports.mkdir(parents=True, exist_ok=True)
    results: dict[str, int] = {}
    # The Admin API is checked on the mock (its harness admin signs up there); elsewhere ask for it by name.
    everything = ["fusionauth", "lootlocker", *(["lootlocker-admin"] if is_mock else [])]
    for name in everything if api_name == "all" else [api_name]:
        api = APIS[name]
        try:
            headers = target.headers(name)
        except RuntimeError as error:
            raise click.ClickException(str(error)) from error
        command = [
            sys.executable,
            "-c",
            "from schemathesis.cli import schemathesis; schemathesis()",
            "--config-file",
            str(api.config),
            "run",
            str(api.spec),
            "--url",
            target.base_url or "",
            "--max-examples",
            str(max_examples),
            "--seed",
            str(seed),
            "--report",
            "junit",
            "--report-dir",
            str(reports / name),
        ]
        for header, value in headers.items():
            command += ["-H", f"{header}: {value}"]
        if not is_mock:
            for operation_id in UNTRACEABLE_WRITES if name == "fusionauth" else []:
                command += ["--exclude-operation-id", operation_id]
        click.echo(f"\n== {name}: schemathesis (examples, coverage, fuzzing, stateful) ==")
        results[f"{name} schemathesis"] = subprocess.call(command)

    click.echo("\n== behavioural properties ==")
    suites.ACTIVE.app, suites.ACTIVE.base_url, suites.ACTIVE.credentials = None, target.base_url, target.credentials
    import pytest

    results["behaviour"] = pytest.main(
        [
            str(BEHAVIOUR),
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={reports / 'behaviour.xml'}",
            f"--hypothesis-seed={seed}",
            *([] if api_name == "all" else ["-k", _behaviour_filter(api_name)]),
        ]
    )
    click.echo("\n== summary ==")
    for part, code in results.items():
        click.echo(f"  {'PASS' if code == 0 else 'FAIL'}  {part}")
    click.echo(f"  seed {seed}; JUnit reports in {reports}/")
    sys.exit(0 if all(code == 0 for code in results.values()) else 1)


def _behaviour_filter(api_name: str) -> str:
    lootlocker = "ConnectedAccounts or transfer"
    return lootlocker if api_name in ("lootlocker", "lootlocker-admin") else f"not ({lootlocker})"
