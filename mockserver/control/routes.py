"""/_mock/: health, reset and a state dump (schemas/mock.openapi.yaml)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from ..openapi import Issue, Operation, Specs
from ..routing import Call, Reply, Router
from ..store import State, Store


def control_error(status: int, error: str, detail: object = None) -> Reply:
    body: dict[str, object] = {"error": error}
    if detail is not None:
        body["detail"] = detail
    return Reply(status, body)


class ControlVendor:
    """The control plane answers in its own small format: {"error", "detail"}."""

    def authenticate(self, call: Call) -> None:
        return None

    def empty_body(self, operation: Operation) -> object:
        return {}

    def malformed_json(self, detail: str) -> Reply:
        return control_error(400, "malformed JSON", detail)

    def invalid_content_type(self, value: str | None, allowed: list[str]) -> Reply:
        return control_error(415, f"unsupported Content-Type {value!r}", {"supported": allowed})

    def invalid_parameter(self, operation: Operation, location: str, name: str, value: str | None) -> Reply:
        return control_error(400, f"invalid {location} parameter {name}", value)

    def invalid_body(self, operation: Operation, issues: list[Issue]) -> Reply:
        return control_error(
            400, "invalid body", [{"path": "/".join(map(str, i.path)), "message": i.message} for i in issues]
        )

    def translate(self, error: Exception) -> Reply | None:
        return None


def register(app: Flask, specs: Specs, store: Store, fixtures: Callable[[], State]) -> None:
    def health(call: Call) -> Reply:
        return Reply(200, {"status": "ok"})

    def reset(call: Call) -> Reply:
        state = fixtures()
        with store.write() as tx:
            tx.replace_all(state)
        return Reply(200, {"status": "reset"})

    def state(call: Call) -> Reply:
        return Reply(200, store.read().dump())

    Router(specs.mock, ControlVendor()).register(app, {"mockHealth": health, "mockReset": reset, "mockState": state})
