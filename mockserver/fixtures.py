"""Seed data: every `<api>/<collection>.json` file of a fixtures folder, validated against
`schemas/fixtures/<api>/<collection>.json` when loaded. A broken file stops the server with a message
that names the file and the field. A collection whose file a folder lacks comes from the default fixtures
(an empty list `[]` in the folder empties it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import identities
from .openapi import Specs
from .resources import DEFAULT_FIXTURES_DIR
from .store import State


class FixtureError(Exception):
    """A fixture file that cannot be used; the message names the file and the field."""


def load(directory: str | Path, specs: Specs) -> State:
    root = Path(directory)
    if not root.is_dir():
        raise FixtureError(f"fixtures folder {root} does not exist")
    state: State = {}
    files = {(p.parent.name, p.stem): p for p in sorted(Path(DEFAULT_FIXTURES_DIR).glob("*/*.json"))}
    files.update({(p.parent.name, p.stem): p for p in sorted(root.glob("*/*.json"))})
    for (api, collection), path in sorted(files.items()):
        schema = specs.resources.docs.get(
            (specs.schemas_dir / "fixtures" / api / f"{collection}.json").resolve().as_uri()
        )
        if schema is None:
            raise FixtureError(f"{path}: unknown fixture file (no schema schemas/fixtures/{api}/{collection}.json)")
        try:
            documents: Any = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise FixtureError(f"{path}: not valid JSON: {error}") from error
        check = specs.schema(f"fixtures/{api}/{collection}.json")
        issues = check.issues(documents)
        if issues:
            first = issues[0]
            field = "/".join(str(p) for p in first.path) or "(top level)"
            if first.property:
                field = f"{field}/{first.property}" if first.path else first.property
            raise FixtureError(f"{path}: field {field}: {first.message}")
        kind = f"{api}.{collection}"
        docs = state.setdefault(kind, {})
        for document in documents:
            if kind == identities.IDENTITIES:  # keyed by provider and provider user id
                document = identities.complete(document)
                key = identities.key(document["provider"], document["id"])
            else:
                key = document["id"]
            if key in docs:
                raise FixtureError(f"{path}: field id: duplicate id {key}")
            docs[key] = document
    return state
