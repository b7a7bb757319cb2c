"""PUT /_mock/state: checks on a whole-state document beyond its JSON Schema (schemas/mock/StateImport.json).

The collections that fixtures seed must still be what the fixture schemas allow (the code reads them without
further checks), and a document that has an `id` must be stored under it (identities under provider:id).
"""

from __future__ import annotations

from typing import Any

from .. import identities
from ..openapi import Specs


def problems(state: dict[str, dict[str, dict[str, Any]]], specs: Specs) -> list[dict[str, str]]:
    """Every reason the state cannot be imported, as {"path", "message"} (empty: it can)."""
    found: list[dict[str, str]] = []
    for kind, documents in state.items():
        api, _, name = kind.partition(".")
        uri = (specs.schemas_dir / "fixtures" / api / f"{name}.json").resolve().as_uri()
        if uri in specs.resources.docs:
            ids = list(documents)
            check = specs.schema(f"fixtures/{api}/{name}.json")
            for issue in check.issues(list(documents.values())):
                where = [kind, ids[int(issue.path[0])], *map(str, issue.path[1:])] if issue.path else [kind]
                found.append({"path": "/".join(where), "message": issue.message})
        for key, document in documents.items():
            if kind == identities.IDENTITIES:
                provider, subject = document.get("provider"), document.get("id")
                expected = identities.key(provider, subject) if isinstance(provider, str) and subject else None
            else:
                expected = document.get("id")
            if expected is not None and expected != key:
                message = f"stored under {key!r} but its id gives {expected!r}"
                found.append({"path": f"{kind}/{key}", "message": message})
    return found
