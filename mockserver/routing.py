"""Turns OpenAPI operations into Flask routes and runs the request pipeline every vendor shares.

Pipeline: authenticate → parse the body (size, Content-Type, JSON) → validate parameters and body
against the operation → call the handler → (strict mode) validate the response against the operation.
What differs per vendor — error formats, authentication — comes from a `Vendor` object. Flask routes
every request to the operation's view; in production dispatch.py runs the vendor operations itself (the
same `Router.respond`) and leaves the rest to Flask.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.datastructures import Headers
from werkzeug.http import dump_cookie
from werkzeug.routing import BaseConverter
from werkzeug.wrappers import Request

from . import jsontext
from .openapi import Issue, Operation, Spec

if TYPE_CHECKING:
    from .faults import Faults

NO_BODY = object()
FAULTS = "mockserver.faults"  # app.extensions key of the fault injector (see faults.py)
MAX_COOKIE_SIZE = 4093  # werkzeug's and Flask's default: a larger cookie is sent with a warning
FORM = "application/x-www-form-urlencoded"  # OAuth's request bodies: parsed into a dict of strings
# File uploads: the text fields as strings and each file part as its file name (the handler reads the bytes
# from call.request.files). An operation's `x-mockserver-max-body-bytes` raises the body limit for it.
MULTIPART = "multipart/form-data"
MAX_BODY_EXTENSION = "x-mockserver-max-body-bytes"
ROUTES = "mockserver.routes"  # app.extensions key: the vendor operations registered, for dispatch.py
log = logging.getLogger("mockserver")  # Flask's app.logger for an app named "mockserver"


@dataclass
class Call:
    """One parsed, validated request as a handler sees it."""

    operation: Operation
    path: dict[str, str]
    query: dict[str, str]
    headers: Headers
    body: Any
    content_type: str | None
    context: dict[str, Any] = field(default_factory=dict)  # what authentication established
    request: Request | None = None  # the HTTP request, for the rare handler that reads cookies or the host


Handler = Callable[["Call"], "Reply"]
PREFER_CODE = re.compile(r"(?:^|[,;\s])code\s*=\s*\"?(\d{3})\"?")


def preferred_status(header: str | None) -> int | None:
    """The status asked for with Prism's `Prefer: code=NNN` convention."""
    match = PREFER_CODE.search(header or "")
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Route:
    """One vendor operation as registered: what dispatch.py needs to run it without Flask's routing."""

    rule: str  # the werkzeug rule, e.g. /api/user/<uuid_segment:userId>
    operation: Operation
    handler: Handler
    router: Router


_TEXT = (str, bytes)


@dataclass
class Reply:
    """What a handler answers. `body` is a JSON value, or NO_BODY (a redirect: 302 with a Location header), or
    a str/bytes page sent as is when `headers` has its Content-Type (e.g. "text/html; charset=UTF-8")."""

    status: int = 200
    body: Any = NO_BODY
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


class VendorError(Exception):
    """Raised by a vendor's code to answer with an error; `reply` is already in the vendor's format."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


class Vendor(Protocol):
    """What differs between the APIs served: how they authenticate and how they word errors."""

    def authenticate(self, call: Call) -> None: ...
    def mock_error(self, status: int, message: str) -> Reply: ...
    def forced(self, call: Call, status: int, handler: Handler) -> Reply: ...
    def empty_body(self, operation: Operation) -> Any: ...
    def malformed_json(self, detail: str) -> Reply: ...
    def invalid_content_type(self, value: str | None, allowed: list[str]) -> Reply: ...
    def invalid_parameter(self, operation: Operation, location: str, name: str, value: str | None) -> Reply: ...
    def invalid_body(self, operation: Operation, issues: list[Issue]) -> Reply: ...
    def translate(self, error: Exception) -> Reply | None: ...


@dataclass
class Answer:
    """A finished response as WSGI sends it. dispatch.py writes it as is; Flask gets it as a Response."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _set(headers: list[tuple[str, str]], name: str, value: str) -> None:
    # As werkzeug's Headers.set: replace the first header of that name in place, drop the others.
    lower = name.lower()
    at = next((i for i, (key, _) in enumerate(headers) if key.lower() == lower), None)
    if at is None:
        headers.append((name, value))
        return
    headers[at] = (name, value)
    headers[at + 1 :] = [h for h in headers[at + 1 :] if h[0].lower() != lower]


def encode(reply: Reply) -> Answer:
    """The reply's status, headers and body: those a werkzeug Response would send (tests/test_dispatch.py
    holds them to it), built in a fraction of the time."""
    if reply.body is NO_BODY:
        body = b""
        headers = [("Content-Length", "0")]
    elif type(reply.body) in _TEXT and "Content-Type" in reply.headers:
        # A page (text/html): sent as is, with the Content-Type the handler gives (see `Reply`).
        raw = reply.body
        body = raw.encode() if isinstance(raw, str) else raw
        headers = [("Content-Type", reply.headers["Content-Type"]), ("Content-Length", str(len(body)))]
    else:
        body = jsontext.dumps_bytes(reply.body)
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    for name, value in reply.headers.items():
        _set(headers, name, value)
    for name, value, options in reply.cookies:
        headers.append(("Set-Cookie", dump_cookie(name, value, max_size=MAX_COOKIE_SIZE, **options)))
    return Answer(reply.status, headers, body)


def response_of(answer: Answer) -> Response:
    response = Response(answer.body, status=answer.status, headers=answer.headers)
    if not any(key.lower() == "content-type" for key, _ in answer.headers):
        response.headers.pop("Content-Type", None)  # not werkzeug's text/html default
    return response


def render(reply: Reply) -> Response:
    return response_of(encode(reply))


class UUIDSegment(BaseConverter):
    """A path segment shaped like a UUID. Declared-UUID parameters use it so that a literal sibling path
    (`/api/user/verify-email`) is never taken for an id: a method it lacks then gets 405, not a 400."""

    regex = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


def _flask_rule(operation: Operation) -> str:
    uuids = {p.name for p in operation.parameters if p.location == "path" and p.schema.get("format") == "uuid"}

    def segment(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<uuid_segment:{name}>" if name in uuids else f"<{name}>"

    return re.sub(r"\{([^}]+)\}", segment, operation.path)


def _coerce(raw: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    return raw


_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
# Deeper request bodies are malformed (as past Jackson's nesting limit): the code that walks documents
# recursively (merges, validators' error reports) stays far from Python's recursion limit.
MAX_JSON_DEPTH = 128


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")  # Python's json accepts NaN and Infinity; JSON does not


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _media_type(value: str | None) -> str | None:
    return value.split(";", 1)[0].strip().lower() if value else None


class Router:
    """Registers the operations of one OpenAPI document with their handlers."""

    def __init__(self, spec: Spec, vendor: Vendor) -> None:
        self.spec = spec
        self.vendor = vendor

    def register(self, target: Flask | Blueprint, handlers: dict[str, Handler]) -> None:
        missing = set(self.spec.operations) - set(handlers)
        unknown = set(handlers) - set(self.spec.operations)
        if missing or unknown:
            raise RuntimeError(f"handlers and {self.spec.uri} disagree: missing {missing}, unknown {unknown}")
        if isinstance(target, Flask):
            target.url_map.converters.setdefault("uuid_segment", UUIDSegment)
        for operation_id, handler in handlers.items():
            operation = self.spec.operations[operation_id]
            rule = _flask_rule(operation)
            if isinstance(target, Flask):
                target.extensions.setdefault(ROUTES, []).append(Route(rule, operation, handler, self))
            target.add_url_rule(
                rule,
                endpoint=operation_id,
                view_func=self._view(operation, handler),
                methods=[operation.method],
                provide_automatic_options=False,
            )

    def _view(self, operation: Operation, handler: Handler) -> Callable[..., Response]:
        def respond(path: dict[str, str]) -> Response:
            req = request._get_current_object()  # type: ignore[attr-defined]
            return self.respond(operation, handler, path, req, current_app.config.get("MOCKSERVER_STRICT", False))

        def view(**path: str) -> Response:
            faults: Faults | None = current_app.extensions.get(FAULTS)
            applied = faults.match() if faults is not None else None  # None unless a fault is defined
            if applied is not None:
                return applied.respond(self.vendor, operation, handler, path, lambda: respond(path))
            return respond(path)

        view.__name__ = operation.operation_id
        return view

    def respond(
        self, operation: Operation, handler: Handler, path: dict[str, str], req: Request, strict: bool
    ) -> Response:
        return response_of(self.answer(operation, handler, path, req, strict))

    def answer(
        self, operation: Operation, handler: Handler, path: dict[str, str], req: Request, strict: bool
    ) -> Answer:
        answer = encode(self.handle(operation, handler, path, req))
        if strict:
            problem = response_problem(operation, answer.status, answer.body, _content_type(answer.headers))
            if problem is not None:
                answer = _violation(operation, problem)
        return answer

    def handle(self, operation: Operation, handler: Handler, path: dict[str, str], req: Request) -> Reply:
        vendor = self.vendor
        headers = req.headers
        call = Call(operation, path, req.args.to_dict(), headers, None, None, request=req)
        forced = preferred_status(headers.get("Prefer"))
        if forced is not None and forced not in operation.responses:
            return vendor.mock_error(
                400,
                f"mockserver: Prefer: code={forced} is not a documented status of {operation.operation_id}; "
                f"documented: {', '.join(map(str, operation.statuses))}",
            )
        try:
            if forced is not None and forced >= 400:
                # An error on demand: no need for the request to be authenticated or valid.
                return vendor.forced(call, forced, handler)
            vendor.authenticate(call)
            for param in operation.parameters:
                raw = self._raw_parameter(req, param.location, param.name, path)
                if raw is None:
                    if param.required:
                        return vendor.invalid_parameter(operation, param.location, param.name, None)
                    continue
                if not param.validator.is_valid(_coerce(raw, param.schema)):
                    return vendor.invalid_parameter(operation, param.location, param.name, raw)
            if operation.bodies:
                parsed = self._body(operation, req)
                if isinstance(parsed, Reply):
                    return parsed
                call.body, call.content_type = parsed
                check = operation.bodies[call.content_type]
                if not check.is_valid(call.body):
                    return vendor.invalid_body(operation, check.issues(call.body))
            if forced is not None:
                return vendor.forced(call, forced, handler)
            return handler(call)
        except VendorError as error:
            return error.reply
        except Exception as error:
            translated = vendor.translate(error)
            if translated is None:
                raise
            return translated

    @staticmethod
    def _raw_parameter(req: Request, location: str, name: str, path: dict[str, str]) -> str | None:
        if location == "path":
            return path.get(name)
        if location == "query":
            return req.args.get(name)
        if location == "header":
            return req.headers.get(name)
        return req.cookies.get(name)

    def _body(self, operation: Operation, req: Request) -> tuple[Any, str] | Reply:
        larger = operation.extensions.get(MAX_BODY_EXTENSION)
        if isinstance(larger, int) and larger > (req.max_content_length or 0):
            req.max_content_length = larger  # an upload's own limit, above the JSON one
        raw = req.get_data(cache=True)  # raises 413 past max_content_length
        media = _media_type(req.headers.get("Content-Type"))
        allowed = list(operation.bodies)
        if not raw.strip():
            chosen = media if media in allowed else allowed[0]
            return ({} if chosen == FORM else self.vendor.empty_body(operation)), chosen
        if media not in allowed:
            return self.vendor.invalid_content_type(req.headers.get("Content-Type"), allowed)
        if media == FORM:
            return _form(raw), media
        if media == MULTIPART:
            return _multipart(req), media
        try:
            parsed = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
            if _ESCAPED_SURROGATE.search(raw):
                # Valid JSON grammar, but a lone surrogate is no Unicode text (the validators cannot encode it).
                json.dumps(parsed, ensure_ascii=False).encode()
            if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _depth(parsed) > MAX_JSON_DEPTH:
                return self.vendor.malformed_json(f"the document is nested deeper than {MAX_JSON_DEPTH} levels")
            return parsed, media
        except (ValueError, RecursionError) as error:  # UnicodeError is a ValueError
            return self.vendor.malformed_json(str(error))


def _form(raw: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as a dict of strings; the first of repeated names wins (as
    werkzeug's MultiDict.to_dict); bytes that are no UTF-8 become U+FFFD rather than a 500."""
    form: dict[str, str] = {}
    for name, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
        form.setdefault(name, value)
    return form


def _multipart(req: Request) -> dict[str, str]:
    """A multipart/form-data body: text fields as strings, file parts as their file names (first of repeats)."""
    fields = req.form.to_dict()
    for name, part in req.files.items():
        fields.setdefault(name, part.filename or "")
    return fields


def _content_type(headers: list[tuple[str, str]]) -> str | None:
    return next((_media_type(value) for key, value in headers if key.lower() == "content-type"), None)


def _violation(operation: Operation, problem: str) -> Answer:
    """Strict mode: a response that its own operation does not allow becomes a 500 that says why."""
    log.error("contract violation in %s: %s", operation.operation_id, problem)
    return encode(Reply(500, {"mockserverContractViolation": problem, "operationId": operation.operation_id}))


def response_problem(
    operation: Operation, status: int, data: bytes, content_type: str | None = "application/json"
) -> str | None:
    if status not in operation.responses:
        return f"status {status} is not declared (declared: {operation.statuses})"
    if data and content_type != "application/json" and content_type is not None:
        # A page: its media type must be one the status declares; its text has no schema to check.
        declared = operation.media.get(status, frozenset())
        if content_type in declared:
            return None
        return f"status {status} declares no {content_type} body (declared: {sorted(declared) or 'JSON or none'})"
    check = operation.responses[status]
    if check is None:
        return None if not data else f"status {status} must have no body, got {data[:200]!r}"
    try:
        body = json.loads(data)
    except ValueError:
        return f"status {status} body is not JSON: {data[:200]!r}"
    issues = check.issues(body)
    if issues:
        return f"status {status} body does not match its schema: " + "; ".join(
            f"{'/'.join(map(str, i.path)) or '(root)'}: {i.message}" for i in issues[:5]
        )
    return None
