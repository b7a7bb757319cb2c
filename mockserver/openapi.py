"""The OpenAPI documents under schemas/: loaded once, every validator compiled once at start.

An `Operation` knows its method, path, security, parameters, request-body validators per content type
and response validators per status. Routes are registered from these operations (see `routing.py`),
so the mock cannot serve a path, method or status its document does not declare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jsonschema_rs
import yaml

from .resources import SCHEMAS_DIR

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# libyaml parses the OpenAPI documents ~10x faster than the pure-Python loader (the bulk of cold start).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Issue:
    """One reason a document does not fit its schema, in terms a vendor error formatter can use."""

    kind: str  # jsonschema keyword: required, type, enum, format, pattern, minLength, additionalProperties, ...
    path: tuple[str | int, ...]  # instance path of the failing value (for `required`: of the parent object)
    message: str
    property: str | None = None  # the missing / unexpected property, when there is one
    expected_type: str | None = None  # for `required`: the JSON type the missing property would have had
    expected_format: str | None = None


@dataclass
class Parameter:
    name: str
    location: str  # path, query, header
    required: bool
    schema: dict[str, Any]
    validator: SchemaCheck


@dataclass
class Operation:
    operation_id: str
    method: str
    path: str
    anonymous: bool
    deprecated: bool
    parameters: list[Parameter]
    body_required: bool
    bodies: dict[str, SchemaCheck]  # content type → validator
    responses: dict[int, SchemaCheck | None]  # status → JSON body validator (None: no JSON body)
    default_response: bool = False
    # status → the non-JSON media types it declares (text/html pages): strict mode checks only the type
    media: dict[int, frozenset[str]] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)
    # The names of the security schemes the operation requires (any of its requirements), e.g. {"domainKey"}.
    security_schemes: frozenset[str] = frozenset()

    @property
    def statuses(self) -> list[int]:
        return sorted(self.responses)

    @cached_property
    def parameter_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.parameters)


class SchemaCheck:
    """A JSON Schema, compiled when first used, plus enough of the raw schema to explain `required` failures.

    Compiling all ~580 schemas of the three documents took ~0.11 s of every start (before the first request
    could be served); compiled one by one, a schema costs ~0.2 ms on its first use in a process.
    tests/test_schemas.py compiles every one of them, so a broken schema still fails the tests.
    """

    def __init__(self, resources: _Resources, uri: str) -> None:
        self.uri = uri
        self._resources = resources

    @cached_property
    def validator(self) -> jsonschema_rs.Validator:
        return jsonschema_rs.validator_for({"$ref": self.uri}, registry=self._resources.registry, validate_formats=True)

    def is_valid(self, instance: Any) -> bool:
        return self.validator.is_valid(instance)

    def issues(self, instance: Any) -> list[Issue]:
        found: list[Issue] = []
        try:
            errors = list(self.validator.iter_errors(instance))
        except ValueError as problem:  # jsonschema-rs validates any depth but cannot report on values nested >255 deep
            return [Issue("nesting", (), f"the document is nested too deeply: {problem}")]
        for error in errors:
            kind = type(error.kind).__name__
            keyword = _KEYWORDS.get(kind, kind[:1].lower() + kind[1:])
            path = tuple(error.instance_path)
            prop = getattr(error.kind, "property", None)
            expected_type = expected_format = None
            if keyword == "required" and prop is not None:
                sub = self._resources.schema_at(self.uri, (*path, prop))
                expected_type, expected_format = _type_of(sub)
            elif keyword == "additionalProperties":
                unexpected = getattr(error.kind, "unexpected", None)
                prop = unexpected[0] if unexpected else None
            found.append(Issue(keyword, path, error.message, prop, expected_type, expected_format))
        return found


_KEYWORDS = {
    "AdditionalProperties": "additionalProperties",
    "MinLength": "minLength",
    "MaxLength": "maxLength",
    "Required": "required",
    "Type": "type",
    "Enum": "enum",
    "Constant": "const",
    "Format": "format",
    "Pattern": "pattern",
}


def _type_of(schema: dict[str, Any] | None) -> tuple[str | None, str | None]:
    if not isinstance(schema, dict):
        return None, None
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if t is None and "const" in schema:
        t = type(schema["const"]).__name__.replace("str", "string")
    if t is None and "enum" in schema:
        t = "string" if all(isinstance(v, str) for v in schema["enum"]) else None
    return t, schema.get("format")


class _Resources:
    """Every schema file (JSON and the OpenAPI YAML documents) keyed by its file URI."""

    def __init__(self, root: Path) -> None:
        self.docs: dict[str, Any] = {}
        for path in sorted(root.rglob("*")):
            if path.suffix == ".json":
                self.docs[path.resolve().as_uri()] = json.loads(path.read_text())
            elif path.suffix in {".yaml", ".yml"}:
                self.docs[path.resolve().as_uri()] = yaml.load(path.read_text(), Loader=_YAML_LOADER)
        self.registry = jsonschema_rs.Registry(list(self.docs.items()))

    def resolve(self, uri: str) -> Any:
        """The node at an absolute URI with an optional (percent-encoded) JSON pointer fragment."""
        base, _, pointer = uri.partition("#")
        node = self.docs[base]
        for token in (t for t in unquote(pointer).split("/") if t):
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def follow(self, uri: str) -> tuple[str, Any]:
        """(URI, node) after following any chain of $refs starting at `uri`."""
        node = self.resolve(uri)
        while isinstance(node, dict) and "$ref" in node:
            uri = _join(uri.partition("#")[0], node["$ref"])
            node = self.resolve(uri)
        return uri, node

    def schema_at(self, uri: str, path: tuple[str | int, ...]) -> dict[str, Any] | None:
        """The subschema that governs the value at an instance path (properties/items/$ref only)."""
        uri, node = self.follow(uri)
        for step in path:
            if not isinstance(node, dict):
                return None
            if isinstance(step, int):
                key = "items"
            else:
                key = f"properties/{step}" if step in node.get("properties", {}) else "additionalProperties"
            if not isinstance(_child(node, key), dict):
                return None
            uri, node = self.follow(_extend(uri, *key.split("/")))
        return node if isinstance(node, dict) else None


def _child(node: dict[str, Any], key: str) -> Any:
    for part in key.split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _extend(uri: str, *tokens: str) -> str:
    """`uri` with JSON-pointer tokens appended to its fragment (escaped and percent-encoded)."""
    base, _, pointer = uri.partition("#")
    escaped = "/".join(quote(t.replace("~", "~0").replace("/", "~1"), safe="~") for t in tokens)
    return f"{base}#{pointer}/{escaped}"


def _join(base: str, ref: str) -> str:
    if ref.startswith("#"):
        return base + ref
    if "://" in ref:
        return ref
    head, _, fragment = ref.partition("#")
    target = (Path(base.removeprefix("file://")).parent / head).resolve().as_uri()
    return f"{target}#{fragment}" if fragment else target


class Spec:
    """One OpenAPI document with its operations compiled."""

    def __init__(self, resources: _Resources, filename: str) -> None:
        self.uri = (SCHEMAS_DIR / filename).resolve().as_uri()
        self.document: dict[str, Any] = resources.docs[self.uri]
        self.operations: dict[str, Operation] = {}
        self._resources = resources
        global_security = self.document.get("security", [])
        for path in self.document.get("paths", {}):
            # A path item may be a $ref into a feature's own file (schemas/fusionauth/paths/<feature>.yaml):
            # its operations' relative $refs then resolve from that file.
            item_uri, item = resources.follow(_extend(self.uri + "#", "paths", path))
            shared = [_extend(item_uri, "parameters", str(i)) for i in range(len(item.get("parameters", [])))]
            for method in HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                op_uri = _extend(item_uri, method)
                own = [_extend(op_uri, "parameters", str(i)) for i in range(len(op.get("parameters", [])))]
                body_required, bodies = self._bodies(op_uri, op)
                responses: dict[int, SchemaCheck | None] = {}
                media: dict[int, frozenset[str]] = {}
                for status in op.get("responses", {}):
                    if status == "default":
                        continue
                    resp_uri, resp = resources.follow(_extend(op_uri, "responses", status))
                    content = resp.get("content", {})
                    has_body = "schema" in content.get("application/json", {})
                    schema_uri = _extend(resp_uri, "content", "application/json", "schema")
                    responses[int(status)] = SchemaCheck(resources, schema_uri) if has_body else None
                    other = frozenset(m.lower() for m in content if m != "application/json")
                    if other:
                        media[int(status)] = other
                security = op.get("security", global_security)
                self.operations[op["operationId"]] = Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    anonymous=not security or all(not req for req in security),
                    deprecated=bool(op.get("deprecated")),
                    parameters=self._parameters(shared + own),
                    body_required=body_required,
                    bodies=bodies,
                    responses=responses,
                    default_response="default" in op.get("responses", {}),
                    media=media,
                    extensions={k: v for k, v in op.items() if k.startswith("x-")},
                    security_schemes=frozenset(name for req in security for name in req),
                )

    def _parameters(self, uris: list[str]) -> list[Parameter]:
        params: dict[tuple[str, str], Parameter] = {}
        for uri in uris:
            param_uri, param = self._resources.follow(uri)
            schema_uri = _extend(param_uri, "schema")
            _, schema = self._resources.follow(schema_uri)
            params[(param["in"], param["name"])] = Parameter(
                name=param["name"],
                location=param["in"],
                required=bool(param.get("required")),
                schema=schema,
                validator=SchemaCheck(self._resources, schema_uri),
            )
        return list(params.values())

    def _bodies(self, op_uri: str, op: dict[str, Any]) -> tuple[bool, dict[str, SchemaCheck]]:
        if "requestBody" not in op:
            return False, {}
        body_uri, body = self._resources.follow(_extend(op_uri, "requestBody"))
        checks = {
            media: SchemaCheck(self._resources, _extend(body_uri, "content", media, "schema"))
            for media in body.get("content", {})
        }
        return bool(body.get("required")), checks


class Specs:
    """All of mockserver's OpenAPI documents, compiled once per process."""

    def __init__(self) -> None:
        self.schemas_dir = SCHEMAS_DIR
        self.resources = _Resources(SCHEMAS_DIR)
        self.fusionauth = Spec(self.resources, "fusionauth.openapi.yaml")
        self.lootlocker = Spec(self.resources, "lootlocker.openapi.yaml")
        self.mock = Spec(self.resources, "mock.openapi.yaml")

    def schema(self, relative: str) -> SchemaCheck:
        """A validator for a schema file (or file#pointer) relative to schemas/."""
        head, _, fragment = relative.partition("#")
        uri = (SCHEMAS_DIR / head).resolve().as_uri()
        return SchemaCheck(self.resources, f"{uri}#{fragment}" if fragment else uri)


@cache
def specs() -> Specs:
    return Specs()
