"""deploy/: the Dockerfile and the docker-compose fleet README points to. Docker itself is not run by the suite; these
tests check what the files hand to mockserver (its CLI, its state URL) and that the image gets what the build needs."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.cli import serve
from mockserver.config import Config
from mockserver.store import is_url

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def dockerfile() -> list[tuple[str, str]]:
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
    return [tuple(line.split(" ", 1)) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def test_the_fleet_is_a_database_and_two_nodes_that_share_its_state(monkeypatch: pytest.MonkeyPatch) -> None:
    services = compose()["services"]
    db = services.pop("db")
    assert db["image"].startswith("postgres:")
    # Over TCP: on a first start the image sets the database up behind a server that listens on its socket only, and
    # a probe through the socket would call it healthy before the nodes can connect.
    probe = db["healthcheck"]["test"]
    assert probe[:2] == ["CMD", "pg_isready"] and probe[probe.index("-h") + 1] == "127.0.0.1"
    user, password, name = (db["environment"][k] for k in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"))
    assert len(services) == 2
    published = set()
    for node in services.values():
        state = node["environment"]["MOCKSERVER_STATE"]
        assert state == f"postgresql://{user}:{password}@db:5432/{name}" and is_url(state)
        assert node["depends_on"] == {"db": {"condition": "service_healthy"}}
        host, container = node["ports"][0].split(":")
        assert container == "9011"
        published.add(host)
        # The image's entrypoint plus the node's command is a `mockserver serve` the CLI accepts, on every interface.
        entrypoint = dict(dockerfile())["ENTRYPOINT"]
        args = yaml.safe_load(entrypoint)[2:] + node["command"]
        context = serve.make_context("serve", list(args))
        assert context.params["host"] == "0.0.0.0" and context.params["port"] == 9011
        monkeypatch.setenv("MOCKSERVER_STATE", state)
        assert Config.from_env().state_path == state
    assert len(published) == 2  # each node on its own port of the host


def test_the_image_gets_every_file_the_build_needs() -> None:
    build = compose()["services"]["node1"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    copied = {part for op, rest in dockerfile() if op == "COPY" for part in rest.split()[:-1]}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", project["project"]["readme"], *wheel["packages"], *wheel["force-include"]}
    assert needed <= copied, f"the Dockerfile does not copy {needed - copied}"
    assert ("RUN", "pip install --no-cache-dir .") in dockerfile()
