"""Coverage of LootLocker's Game API: our own lists of its endpoints (tests/data/ll_unity_endpoints.txt, the Unity
SDK's endpoint table; tests/data/ll_navigation_endpoints.txt, the reference navigation's operations) are well formed,
and every endpoint the mock serves is routed to an operation of the OpenAPI documents and answers a valid request
with a status that operation documents (tools/ll_coverage.py does the routing and the requests).

Every endpoint of both lists is served (the presence websocket aside, which neither list holds):
`python tools/ll_coverage.py` reports the figures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ll_coverage", ROOT / "tools" / "ll_coverage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ll_coverage"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ll_coverage = _tool()
NAVIGATION, UNITY, Entry = ll_coverage.NAVIGATION, ll_coverage.UNITY, ll_coverage.Entry
coverage, exercise, load, problem_of, route_of = (
    ll_coverage.coverage,
    ll_coverage.exercise,
    ll_coverage.load,
    ll_coverage.problem_of,
    ll_coverage.route_of,
)

UNITY_ENDPOINTS = 216  # LootLockerEndPoints.cs: 222 definitions, less the presence websocket and 5 repeats
# The endpoints of the characters and heroes feature (mockserver/lootlocker/characters.py, heroes.py): all served.
CHARACTER_PREFIXES = ("/game/v1/player/character", "/game/v1/player/equip", "/game/v1/player/loadout",
                      "/game/v1/heroes", "/game/v1/player/heroes", "/game/player/characters/")  # fmt: skip


def test_the_lists_are_well_formed(tmp_path: Path) -> None:
    unity = load(UNITY)
    assert len(unity) == UNITY_ENDPOINTS
    assert len({(e.method, e.template) for e in unity}) == len(unity)  # one line per method and path
    names = [name for e in unity for name in e.label.split(",")]
    assert len(names) == len(set(names)) == 221 and all(name.isidentifier() for name in names)
    navigation = load(NAVIGATION)
    assert len({(e.method, e.template, e.label) for e in navigation}) == len(navigation)
    lines = (ROOT / "tools" / "lootlocker_navigation.txt").read_text().splitlines()
    listed = {line for line in lines if line and not line.startswith("#") and line != "Websockets / Presence"}
    assert {ll_coverage.entry_name(e) for e in navigation} == listed  # every navigation entry, nothing else
    for entry in unity + navigation:
        assert entry.template.startswith(("/game/", "/white-label-login/")), entry
        assert "//" not in entry.template and " " not in entry.template, entry
    bad = tmp_path / "bad.txt"
    bad.write_text("FETCH /game/ping  ping\n")
    with pytest.raises(ValueError, match="not 'METHOD /path  label'"):
        load(bad)


def test_every_served_endpoint_answers_a_valid_request_with_a_documented_status(app: Flask) -> None:
    client = app.test_client()
    checked = 0
    problems = []
    for path in (UNITY, NAVIGATION):
        served, missing = coverage(app, load(path))
        assert missing == [], [f"{e.method} {e.template}" for e in missing]  # 100 %: 216 Unity, 230 navigation
        for entry, route in served:
            # The SDK's query parameters are ones the operation reads.
            declared = {p.name for p in route.operation.parameters if p.location == "query"}
            if set(entry.query) - declared:
                problems.append(f"{entry.method} {entry.template}: query {set(entry.query) - declared} not declared")
            outcome = exercise(client, route, entry)
            checked += 1
            if outcome.problem is not None:
                problems.append(f"{entry.method} {entry.template} → {outcome.operation_id}: {outcome.problem}")
    assert checked == UNITY_ENDPOINTS + len(load(NAVIGATION))
    assert problems == []


def test_characters_and_heroes_are_all_served(app: Flask) -> None:
    for path in (UNITY, NAVIGATION):
        mine = [e for e in load(path) if e.template.startswith(CHARACTER_PREFIXES)]
        assert len(mine) >= 35
        _, missing = coverage(app, mine)
        assert missing == []


def test_the_checks_can_fail(app: Flask) -> None:
    """Routing refuses what the documents do not declare; an answer's problems are found."""
    assert route_of(app, Entry("GET", "/game/v1/no/such/endpoint", "x", 0)) is None
    assert route_of(app, Entry("PATCH", "/game/v1/player/heroes", "x", 0)) is None  # a method it lacks: 405
    route = route_of(app, Entry("GET", "/game/v1/heroes", "x", 0))
    assert route is not None and route.operation.operation_id == "listGameHeroes"
    operation = route.operation
    assert problem_of(operation, 200, {"success": True, "game_heroes": []}) is None
    assert problem_of(operation, 404, {}) is None  # documented
    assert "not documented" in str(problem_of(operation, 418, {}))
    assert "server error" in str(problem_of(operation, 500, {}))
    assert "contract violation" in str(problem_of(operation, 500, {"mockserverContractViolation": "x"}))


def test_the_navigation_map_names_the_operations_serving_each_entry(app: Flask) -> None:
    found = ll_coverage.navigation_map(app)
    assert found["Characters & Heroes / Heroes / Create Player Hero"] == ["createPlayerHero"]
    assert found["Players / Files"] == [
        "listPlayerFiles",
        "uploadPlayerFile",
        "getPlayerFile",
        "updatePlayerFile",
        "deletePlayerFile",
        "listPublicPlayerFiles",
    ]
    operations = {route.operation.operation_id for route in ll_coverage.routes_by_operation(app).values()}
    assert all(set(ids) <= operations for ids in found.values())
