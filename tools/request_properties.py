"""Which request properties of FusionAuth's official OpenAPI document our schemas declare.

    python tools/request_properties.py PATH/TO/fusionauth-openapi.yaml [--write] [--quiet]

For every operation we serve (mockserver.openapi.specs().fusionauth) that takes a JSON body, the official
operation with the same method and path template (parameter names normalised) is looked up, its request schema
is walked into property paths (`user.memberships[].groupId`, `registration.tokens{}` for a map's values,
`eventInfo.location.city`), and each path is looked up in our request schema, walked with the same rules.
Prints declared/total per operation with the missing paths, then the grand total. `--write` stores the paths with
their JSON type/format/enum in tests/data/fusionauth_request_properties.json, which tests/test_request_properties.py
sends one by one. The official document is an argument on purpose: nothing in the project reads it by itself.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mockserver.openapi import _join, specs  # noqa: E402

OUTPUT = ROOT / "tests" / "data" / "fusionauth_request_properties.json"

# Where we type a property differently from the official document on purpose: (path suffix, our type, why).
# Sub-paths of such a property are dropped.
DELIBERATE = (
    (
        "identities[].type",
        "string",
        "the document models IdentityType as an object {name}; FusionAuth's JSON carries the bare name ('email')",
    ),
)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A schema node together with what is needed to resolve its $refs and to stop at cycles.
Node = tuple[Any, str, frozenset[str]]  # (schema, base URI, $ref targets already on this branch)
Deref = Callable[[str, str], tuple[str, Any]]  # (base, $ref) → (target URI, target node)


@dataclass
class Prop:
    path: str
    type: str | None
    format: str | None = None
    enum: list[Any] | None = None

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "type": self.type}
        if self.format:
            out["format"] = self.format
        if self.enum:
            out["enum"] = self.enum
        return out


@dataclass
class _Summary:
    types: set[str] = field(default_factory=set)
    format: str | None = None
    enum: list[Any] | None = None
    properties: dict[str, list[Node]] = field(default_factory=dict)
    items: list[Node] = field(default_factory=list)
    values: list[Node] = field(default_factory=list)  # additionalProperties schemas (a map's values)
    open: bool = False  # additionalProperties true / absent / a bare object: anything goes below


class Walker:
    """Walks a request schema into property paths. `choose` narrows a discriminated oneOf to the variants served."""

    def __init__(self, deref: Deref, choose: Callable[[str, dict[str, Any]], set[str] | None] | None = None) -> None:
        self.deref = deref
        self.choose = choose

    def flatten(self, node: Node, path: str) -> Iterator[Node]:
        """The node and every schema it combines with ($ref, allOf, anyOf, oneOf), cycles cut."""
        schema, base, seen = node
        if not isinstance(schema, dict):
            return
        yield node
        if isinstance(schema.get("$ref"), str):
            uri, target = self.deref(base, schema["$ref"])
            if uri not in seen:
                yield from self.flatten((target, uri.partition("#")[0], seen | {uri}), path)
        for keyword in ("allOf", "anyOf", "oneOf"):
            subs = schema.get(keyword) or []
            wanted = None
            disc = schema.get("discriminator")
            if keyword == "oneOf" and isinstance(disc, dict) and self.choose is not None:
                wanted = self.choose(path, disc)
            for sub in subs:
                if wanted is not None and isinstance(sub, dict) and "$ref" in sub:
                    values = {k for k, ref in disc.get("mapping", {}).items() if ref == sub["$ref"]}
                    if not values & wanted:
                        continue
                yield from self.flatten((sub, base, seen), path)

    def summarise(self, nodes: list[Node], path: str) -> _Summary:
        out = _Summary()
        parts = [p for n in nodes for p in self.flatten(n, path)]
        declares_object = False
        closed = False
        for schema, base, seen in parts:
            t = schema.get("type")
            for one in t if isinstance(t, list) else [t] if t else []:
                if one != "null":
                    out.types.add(one)
            if "const" in schema:
                out.enum = [schema["const"]]
                if not t:
                    out.types.add(_json_type(schema["const"]))
            if "enum" in schema:
                values = [v for v in schema["enum"] if v is not None]
                out.enum = values
                if not t and values:
                    out.types.update(_json_type(v) for v in values)
            out.format = out.format or schema.get("format")
            for name, sub in (schema.get("properties") or {}).items():
                out.properties.setdefault(name, []).append((sub, base, seen))
                declares_object = True
            if isinstance(schema.get("items"), dict) and _constrains(schema["items"]):
                out.items.append((schema["items"], base, seen))
            extra = schema.get("additionalProperties", schema.get("unevaluatedProperties"))
            if extra is False:
                closed = True
            elif isinstance(extra, dict) and _constrains(extra) and not _bare_object(extra):
                out.values.append((extra, base, seen))
                declares_object = True
        if "object" in out.types and not declares_object and not closed:
            out.open = True
        if out.format:
            out.format = out.format.lower()
        return out

    def walk(self, root: Node) -> tuple[dict[str, Prop], set[str]]:
        """({path: Prop}, paths of open objects: anything below them is accepted untyped)."""
        props: dict[str, Prop] = {}
        open_paths: set[str] = set()

        def visit(nodes: list[Node], path: str) -> None:
            s = self.summarise(nodes, path)
            if path:
                kind = _pick_type(s.types)
                props[path] = Prop(path, kind, s.format if kind in {"string", "integer", "number"} else None, s.enum)
            if s.open:
                open_paths.add(path)
                return
            for name, subs in s.properties.items():
                visit(subs, f"{path}.{name}" if path else name)
            if s.items:
                visit(s.items, f"{path}[]")
            if s.values:
                visit(s.values, f"{path}{{}}")

        visit([root], "")
        return props, open_paths


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _pick_type(types: set[str]) -> str | None:
    if not types:
        return None
    if types == {"integer", "number"}:
        return "number"
    return sorted(types)[0] if len(types) > 1 else next(iter(types))


def _constrains(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in ("type", "$ref", "properties", "items", "enum", "const", "allOf", "oneOf", "anyOf"))


def _bare_object(schema: dict[str, Any]) -> bool:
    """`{"type": "object"}` with nothing else: a free-form value (FusionAuth's `data` maps)."""
    return schema.get("type") == "object" and not any(
        k in schema for k in ("properties", "additionalProperties", "items", "$ref", "allOf", "oneOf", "anyOf")
    )


def template(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/"))


def official_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for path, item in document["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                out[(method.upper(), template(path))] = op
    return out


def json_body(op: dict[str, Any]) -> Any:
    return (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")


def compare(official_path: Path) -> tuple[dict[str, list[Prop]], list[str]]:
    document = yaml.load(official_path.read_text(), Loader=_LOADER)
    theirs = official_operations(document)
    ours = specs()
    resources = ours.resources

    def deref_ours(base: str, ref: str) -> tuple[str, Any]:
        uri = _join(base, ref)
        return resources.follow(uri) if "#" in uri else (uri, resources.resolve(uri))

    def deref_official(base: str, ref: str) -> tuple[str, Any]:
        node: Any = document
        for token in ref.lstrip("#/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return ref, node

    wanted: dict[str, list[Prop]] = {}
    lines: list[str] = []
    declared_total = grand_total = 0
    for op_id, op in sorted(ours.fusionauth.operations.items(), key=lambda kv: (kv[1].path, kv[1].method)):
        body = op.bodies.get("application/json")
        official = theirs.get((op.method, template(op.path)))
        if body is None:
            if official is not None and json_body(official) is not None:
                lines.append(f"-- {op_id} {op.method} {op.path}: FusionAuth takes a JSON body here, we take none")
            continue
        official_schema = json_body(official) if official else None
        if official_schema is None:
            lines.append(f"-- {op_id} {op.method} {op.path}: FusionAuth documents no JSON body for it")
            continue
        our_props, our_open = Walker(deref_ours).walk(({"$ref": body.uri}, "", frozenset()))
        put = next((o for o in ours.fusionauth.operations.values() if o.method == "PUT" and o.path == op.path), None)
        if op.method == "PATCH" and put is not None and "application/json" in put.bodies:
            # Our PATCH schemas keep the objects open: the merged request is validated as for PUT, so what
            # lies below an open object is declared by the PUT schema.
            put_props, _ = Walker(deref_ours).walk(({"$ref": put.bodies["application/json"].uri}, "", frozenset()))
            our_props |= {path: p for path, p in put_props.items() if _under(path, our_open)}
            our_open = set()

        def served(path: str, disc: dict[str, Any], our_props: dict[str, Prop] = our_props) -> set[str] | None:
            mine = our_props.get(f"{path}.{disc['propertyName']}" if path else disc["propertyName"])
            return set(mine.enum) if mine and mine.enum else None

        their_props, _ = Walker(deref_official, served).walk((official_schema, "", frozenset()))
        props, deliberate = _apply_deliberate(list(their_props.values()))
        missing = [p for p in props if p.path not in our_props]
        untyped = [p for p in missing if _under(p.path, our_open)]
        mismatched = [
            (p, our_props[p.path].type)
            for p in props
            if p.path in our_props and not _same_type(p.type, our_props[p.path].type)
        ]
        declared = len(props) - len(missing)
        declared_total += declared
        grand_total += len(props)
        wanted[op_id] = props
        lines.append(f"{op_id} {op.method} {op.path} ({official['operationId']}): {declared} of {len(props)} declared")
        lines.extend(f"    deliberate {path}: ours {kind}, because {why}" for path, kind, why in deliberate)
        for p in missing:
            note = " (accepted untyped: under an open object)" if p in untyped else ""
            lines.append(f"    missing {p.path}: {_describe(p)}{note}")
        for p, our_type in mismatched:
            lines.append(f"    type {p.path}: FusionAuth {_describe(p)}, ours {our_type}")
        for p in props:
            mine = our_props.get(p.path)
            if mine is None or p.path in {q.path for q, _ in mismatched}:
                continue
            if p.format == "uuid" and mine.format != "uuid":
                lines.append(f"    looser {p.path}: FusionAuth uuid, ours any string")
            if p.enum and not mine.enum:
                lines.append(f"    looser {p.path}: FusionAuth {p.enum}, ours any {mine.type}")
            if mine.enum and not p.enum and p.type == "string":
                # Not an error: FusionAuth's field is a plain string, so another value is its validator's
                # [invalid] error, where our enum answers [invalidJSON].
                lines.append(f"    stricter {p.path}: FusionAuth any string, ours {mine.enum}")
    lines.append(f"{declared_total} of {grand_total} declared")
    return wanted, lines


def _apply_deliberate(props: list[Prop]) -> tuple[list[Prop], list[tuple[str, str, str]]]:
    """The official properties with DELIBERATE's types (parents come before their sub-paths in walk order)."""
    out: list[Prop] = []
    applied: list[tuple[str, str, str]] = []
    for p in props:
        if any(p.path.startswith(path + ".") for path, _, _ in applied):
            continue
        rule = next((r for r in DELIBERATE if p.path == r[0] or p.path.endswith("." + r[0])), None)
        if rule is None:
            out.append(p)
        else:
            out.append(Prop(p.path, rule[1]))
            applied.append((p.path, rule[1], rule[2]))
    return out, applied


def _under(path: str, open_paths: set[str]) -> bool:
    return any(o == "" or path.startswith((o + ".", o + "[", o + "{")) for o in open_paths)


def _same_type(theirs: str | None, ours: str | None) -> bool:
    # An untyped side (a cycle cut, `items: {}`) or an integer accepted as a number is no conflict.
    return theirs is None or ours is None or theirs == ours or (theirs, ours) == ("integer", "number")


def _describe(p: Prop) -> str:
    text = p.type or "any"
    if p.format:
        text += f" ({p.format})"
    if p.enum:
        text += f" {p.enum}"
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("official", type=Path, help="FusionAuth's OpenAPI document (fusionauth-openapi-*.yaml)")
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.relative_to(ROOT)}")
    parser.add_argument("--quiet", action="store_true", help="only the per-operation counts and the total")
    args = parser.parse_args(argv)
    wanted, lines = compare(args.official)
    for line in lines:
        if not (args.quiet and line.startswith("    ")):
            print(line)
    if args.write:
        # One property a line: the file stays diffable when FusionAuth's document or our serving changes.
        blocks = [
            f"{json.dumps(op_id)}: [\n" + ",\n".join("  " + json.dumps(p.record()) for p in props) + "\n]"
            for op_id, props in sorted(wanted.items())
        ]
        OUTPUT.write_text("{\n" + ",\n".join(blocks) + "\n}\n")
        print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
