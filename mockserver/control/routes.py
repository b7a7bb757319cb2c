"""/_mock/: health, reset, state export/import, identities, messages (schemas/mock.openapi.yaml); the journal
and faults bring their own handlers (journal.py, faults.py) through `extra`."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from .. import faults, outbox
from ..identities import Identities, IdentityConflict, with_profile
from ..openapi import Issue, Operation, Specs
from ..routing import Call, Handler, Reply, Router
from ..store import State, Store
from . import twitch
from .state import problems


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

    def mock_error(self, status: int, message: str) -> Reply:
        return control_error(status, message)

    def forced(self, call: Call, status: int, handler: Handler) -> Reply:
        return control_error(400, "Prefer: code= is not supported on the control plane")


def register(
    app: Flask,
    specs: Specs,
    store: Store,
    fixtures: Callable[[], State],
    extra: dict[str, Handler] | None = None,
    on_reset: Callable[[], object] | None = None,
) -> None:
    """Serve schemas/mock.openapi.yaml; `extra` holds the handlers other packages own (by operationId);
    `on_reset` also runs on POST /_mock/reset (it empties the request journal)."""

    def health(call: Call) -> Reply:
        return Reply(200, {"status": "ok"})

    def reset(call: Call) -> Reply:
        state = fixtures()
        with store.write() as tx:
            tx.replace_all(state)
            faults.clear(tx)
        if on_reset is not None:
            on_reset()
        return Reply(200, {"status": "reset"})

    def state(call: Call) -> Reply:
        return Reply(200, store.read().dump())

    def import_state(call: Call) -> Reply:
        found = problems(call.body, specs)
        if found:
            return control_error(400, "invalid state", found)
        with store.write() as tx:
            tx.replace_all(call.body)
        documents = sum(len(docs) for docs in call.body.values())
        return Reply(200, {"status": "imported", "collections": len(call.body), "documents": documents})

    registry = Identities(store)

    def register_identity(call: Call) -> Reply:
        try:
            return Reply(201, registry.register(with_profile(call.body)))
        except IdentityConflict as conflict:
            return control_error(409, str(conflict))

    def list_identities(call: Call) -> Reply:
        return Reply(200, {"identities": registry.list(call.query.get("provider"))})

    Router(specs.mock, ControlVendor()).register(
        app,
        {
            "mockHealth": health,
            "mockReset": reset,
            "mockState": state,
            "mockImportState": import_state,
            "mockRegisterIdentity": register_identity,
            "mockListIdentities": list_identities,
            "mockListMessages": lambda call: Reply(200, {"messages": outbox.read(store, call.query.get("to"))}),
            "mockClearMessages": lambda call: Reply(200, {"deleted": outbox.clear(store)}),
            **twitch.handlers(store),
            **(extra or {}),
        },
    )
