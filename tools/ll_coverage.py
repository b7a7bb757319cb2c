"""Which of LootLocker's Game API endpoints the mock serves: our own lists of them (tests/data/ll_unity_endpoints.txt:
the Unity SDK's endpoint table; tests/data/ll_navigation_endpoints.txt: the operations of LootLocker's reference
navigation), each entry routed through the app's URL map to an operation of the OpenAPI documents.

    python tools/ll_coverage.py              # the coverage figures and every endpoint not served
    python tools/ll_coverage.py --exercise   # also send each served endpoint a request (as tests/test_ll_coverage.py)
    python tools/ll_coverage.py --navigation-map   # navigation entry → the operationIds serving it (Python dict)

An entry is "served" when its method and path (placeholders given a sample value) reach a vendor operation registered
from the OpenAPI documents; a redirect (a missing trailing slash), a 405 or Flask's 404 is "not served". To exercise
an operation, the tool sends it a request a client could send: a fresh guest session's token, the fixture game's
domain key, the query of the entry's template, and a body built from the operation's request schema (required
properties, enums, formats, minimum sizes; `examples` first when the schema gives them). The answer must have a
status the operation documents, never a 5xx and never a strict-mode contract violation.
"""

from __future__ import annotations

import io
import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from mockserver.openapi import Operation, SchemaCheck
from mockserver.routing import MULTIPART, ROUTES, Route

ROOT = Path(__file__).resolve().parent.parent
UNITY = ROOT / "tests" / "data" / "ll_unity_endpoints.txt"
NAVIGATION = ROOT / "tests" / "data" / "ll_navigation_endpoints.txt"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SAMPLE = "1"  # the value of a {0}/{1} placeholder: a valid integer id, and a string every path segment accepts
GAME_KEY = "dev_mockserver_game_key_0000000000000"  # the fixture game (fixtures/lootlocker/games.json)
DOMAIN_KEY = "mockserverdev"
_LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<template>/\S*)\s+(?P<label>\S.*)$")
_PLACEHOLDER = re.compile(r"\{\d+\}")


@dataclass(frozen=True)
class Entry:
    """One endpoint of a list: method, the path template (with `{0}`-style placeholders and maybe a query), and
    what names it (the SDK's endpoint names, or the navigation entry)."""

    method: str
    template: str
    label: str
    line: int

    @property
    def path(self) -> str:
        return _PLACEHOLDER.sub(SAMPLE, self.template.partition("?")[0])

    @property
    def query(self) -> dict[str, str]:
        raw = self.template.partition("?")[2]
        pairs = (part.partition("=") for part in raw.split("&") if part)
        return {name: _PLACEHOLDER.sub(SAMPLE, value) or SAMPLE for name, _, value in pairs}


def load(path: Path) -> list[Entry]:
    """The entries of a list file; raises ValueError on a line that is not `METHOD /path  label`."""
    entries = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None or match["method"] not in METHODS:
            raise ValueError(f"{path.name}:{number}: not 'METHOD /path  label': {line!r}")
        entries.append(Entry(match["method"], match["template"], match["label"].strip(), number))
    return entries


def routes_by_operation(app: Flask) -> dict[str, Route]:
    return {route.operation.operation_id: route for route in app.extensions.get(ROUTES, [])}


def route_of(app: Flask, entry: Entry) -> Route | None:
    """The vendor operation the entry's request reaches, or None (not served)."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(entry.path, method=entry.method)
    except (RequestRedirect, HTTPException):
        return None
    return routes_by_operation(app).get(str(endpoint))


# -- a request a client could send, from the operation's schemas ------------------------------------------------
def _sample(check: SchemaCheck, uri: str, depth: int = 0) -> Any:
    resources = check._resources  # the document set the operation was compiled from
    uri, node = resources.follow(uri)
    if not isinstance(node, dict) or depth > 12:
        return None
    if "const" in node:
        return node["const"]
    if node.get("enum"):
        return node["enum"][0]
    if node.get("examples"):
        return node["examples"][0]
    if "example" in node:
        return node["example"]
    base, _, pointer = uri.partition("#")

    def child(*tokens: str) -> str:
        return f"{base}#{pointer}/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens)

    if "allOf" in node:
        merged: dict[str, Any] = {}
        for i in range(len(node["allOf"])):
            part = _sample(check, child("allOf", str(i)), depth + 1)
            if isinstance(part, dict):
                merged.update(part)
        own = {k: v for k, v in node.items() if k != "allOf"}
        if own.get("properties") or own.get("required"):
            extra = _object(check, node, child, depth)
            merged.update(extra)
        return merged
    for key in ("oneOf", "anyOf"):
        if node.get(key):
            return _sample(check, child(key, "0"), depth + 1)
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None and ("properties" in node or "required" in node):
        kind = "object"
    if kind == "object":
        return _object(check, node, child, depth)
    if kind == "array":
        count = int(node.get("minItems", 0))
        return [_sample(check, child("items"), depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(node)
    if kind == "integer":
        return max(int(node.get("minimum", 1)), 1) if node.get("maximum", 1) >= 1 else int(node["maximum"])
    if kind == "number":
        return float(node.get("minimum", 1))
    if kind == "boolean":
        return True
    return None


def _object(check: SchemaCheck, node: dict[str, Any], child: Any, depth: int) -> dict[str, Any]:
    properties = node.get("properties", {})
    body: dict[str, Any] = {}
    for name in node.get("required", []):
        body[name] = _sample(check, child("properties", name), depth + 1) if name in properties else SAMPLE
    return body


def _string(node: dict[str, Any]) -> str:
    kind = node.get("format")
    if kind == "uuid":
        return str(uuid.uuid4())
    if kind == "email":
        return "player@example.com"
    if kind == "date-time":
        return "2026-01-01T00:00:00Z"
    if kind == "date":
        return "2026-01-01"
    if kind in ("uri", "url"):
        return "https://example.com/"
    if "@" in node.get("pattern", ""):  # an e-mail address by pattern rather than by format
        return "player@example.com"
    return SAMPLE.ljust(int(node.get("minLength", 1)), "1")


def request_body(operation: Operation) -> tuple[str | None, Any]:
    """(content type, body) for the operation: JSON, or multipart with a small file for each binary property."""
    if not operation.bodies:
        return None, None
    media = "application/json" if "application/json" in operation.bodies else next(iter(operation.bodies))
    check = operation.bodies[media]
    body = _sample(check, check.uri)
    if media == MULTIPART and isinstance(body, dict):
        _, schema = check._resources.follow(check.uri)
        properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
        form: dict[str, Any] = {}
        for name, value in body.items():
            prop = properties.get(name, {})
            binary = isinstance(prop, dict) and prop.get("format") == "binary"
            form[name] = (io.BytesIO(b"mockserver coverage"), "coverage.txt") if binary else str(value)
        return media, form
    return media, {} if body is None else body


@dataclass
class Outcome:
    entry: Entry
    operation_id: str
    status: int
    valid_request: bool
    problem: str | None


def problem_of(operation: Operation, status: int, body: Any) -> str | None:
    """Why an answer does not count as served well: a contract violation, a 5xx, an undocumented status."""
    if isinstance(body, dict) and "mockserverContractViolation" in body:
        return f"contract violation: {body['mockserverContractViolation']}"
    if status >= 500:
        return f"server error {status}"
    if status not in operation.responses:
        return f"status {status} is not documented ({operation.statuses})"
    return None


def guest_token(client: FlaskClient) -> str:
    response = client.post("/game/v2/session/guest", json={"game_key": GAME_KEY, "game_version": "1.0.0"})
    if response.status_code != 200:
        raise RuntimeError(f"no guest session: {response.status_code} {response.get_data(as_text=True)[:200]}")
    return str(response.get_json()["session_token"])


def exercise(client: FlaskClient, route: Route, entry: Entry) -> Outcome:
    """Send the entry's request (a fresh session each time: some operations end it or delete the player)."""
    operation = route.operation
    headers = {"x-session-token": guest_token(client), "domain-key": DOMAIN_KEY, "is-development": "true"}
    media, body = request_body(operation)
    valid = True
    if media == "application/json":
        valid = operation.bodies[media].is_valid(body)
    url = entry.path + (f"?{urlencode(entry.query)}" if entry.query else "")
    if media == MULTIPART:
        response = client.open(url, method=entry.method, headers=headers, data=body, content_type=MULTIPART)
    elif media is not None:
        response = client.open(url, method=entry.method, headers=headers, json=body)
    else:
        response = client.open(url, method=entry.method, headers=headers)
    answer = response.get_json(silent=True)
    return Outcome(
        entry, operation.operation_id, response.status_code, valid, problem_of(operation, response.status_code, answer)
    )


def coverage(app: Flask, entries: list[Entry]) -> tuple[list[tuple[Entry, Route]], list[Entry]]:
    served, missing = [], []
    for entry in entries:
        route = route_of(app, entry)
        if route is None:
            missing.append(entry)
        else:
            served.append((entry, route))
    return served, missing


def entry_name(entry: Entry) -> str:
    """The navigation entry a line serves (its label without the "[inferred]" mark)."""
    return entry.label.removesuffix("[inferred]").strip()


def entries_served(entries: list[Entry], missing: list[Entry]) -> tuple[int, int]:
    """(navigation entries all of whose lines are served, navigation entries)."""
    names = {entry_name(e) for e in entries}
    unserved = {entry_name(e) for e in missing}
    return len(names - unserved), len(names)


def _lists() -> Iterator[tuple[str, Path]]:
    yield "Unity SDK endpoint table", UNITY
    if NAVIGATION.exists():
        yield "reference navigation", NAVIGATION


def navigation_map(app: Flask) -> dict[str, list[str]]:
    """Each navigation entry with every line served → the operationIds serving it (tools/ll_operations.py's
    NAVIGATION can be written from this)."""
    entries = load(NAVIGATION)
    served, missing = coverage(app, entries)
    unserved = {entry_name(e) for e in missing}
    found: dict[str, list[str]] = {}
    for entry, route in served:
        name = entry_name(entry)
        if name not in unserved and route.operation.operation_id not in found.get(name, []):
            found.setdefault(name, []).append(route.operation.operation_id)
    return found


def main(argv: list[str]) -> int:
    from mockserver.app import create_app
    from mockserver.config import Config

    app = create_app(Config(strict=True))
    if "--navigation-map" in argv:
        for name, operation_ids in navigation_map(app).items():
            print(f"    {name!r}: {tuple(operation_ids)!r},")
        return 0
    failures = 0
    for title, path in _lists():
        entries = load(path)
        served, missing = coverage(app, entries)
        share = 100 * len(served) / len(entries) if entries else 0.0
        print(f"{title} ({path.relative_to(ROOT)}): {len(served)} of {len(entries)} served ({share:.1f}%)")
        if path == NAVIGATION:
            done, total = entries_served(entries, missing)
            print(f"  navigation entries with every operation served: {done} of {total}")
        for entry in missing:
            print(f"  not served: {entry.method} {entry.template}  ({entry.label})")
        if "--exercise" in argv:
            client = app.test_client()
            for entry, route in served:
                outcome = exercise(client, route, entry)
                if outcome.problem is not None:
                    failures += 1
                    print(f"  FAIL {entry.method} {entry.template} → {outcome.operation_id}: {outcome.problem}")
                elif not outcome.valid_request:
                    print(f"  (no valid sample body) {entry.method} {entry.template} → {outcome.status}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
