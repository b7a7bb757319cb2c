"""Proof that the harness can fail: it runs against small deliberately broken apps and reports each defect."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from mockserver.contract import suites, test_behaviour
from mockserver.contract.apis import DEFAULT_API_KEY
from mockserver.contract.suites import Target, build_schema

SEED = json.loads((Path(__file__).parent.parent / "tests" / "data" / "seed_twitch_response.json").read_text())
ONE = "/api/identity-provider/{identityProviderId}"
TENANT = "e872a880-b14f-6d62-c312-cb40f22af465"


def broken_app(defect: str) -> Flask:
    """Serves the identity provider operations, correctly except for one defect."""
    app = Flask(f"broken-{defect}")
    written: dict[str, Any] = {}

    def reply(body: Any, status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    @app.before_request
    def authenticate() -> Response | None:
        if request.headers.get("Authorization") != DEFAULT_API_KEY:
            return Response(b"", status=401)
        if request.headers.get("X-FusionAuth-TenantId", TENANT) != TENANT:
            return reply({"generalErrors": [{"code": "[InvalidTenantIdException]", "message": "unknown"}]}, 400)
        return None

    @app.get("/api/identity-provider/<provider_id>")
    def retrieve(provider_id: str) -> Response:
        if defect == "server-error":
            return Response(b"", status=500)
        if defect == "undeclared-status":
            return reply(SEED, 418)
        body = copy.deepcopy(written.get(provider_id, SEED))
        if defect == "wrong-field-type":
            body["identityProvider"]["insertInstant"] = "2020-07-21T19:52:22Z"  # must be epoch milliseconds
        if defect == "lost-write" and provider_id in written:
            body["identityProvider"]["buttonText"] = "something else"  # the write was not kept
        return reply(body)

    @app.post("/api/identity-provider")
    def create() -> Response:
        given_body = request.get_json(silent=True)
        provider = given_body.get("identityProvider") if isinstance(given_body, dict) else None
        valid = isinstance(provider, dict) and all(
            isinstance(provider.get(k), str) and provider[k].strip()
            for k in ("buttonText", "client_id", "client_secret")
        )
        if not valid and defect != "accepts-invalid":
            return reply({"generalErrors": [{"code": "[invalid]", "message": "invalid"}]}, 400)
        created = copy.deepcopy(SEED)
        if isinstance(provider, dict):
            created["identityProvider"].update({k: v for k, v in provider.items() if k in created["identityProvider"]})
        created["identityProvider"]["id"] = provider_id = f"00000000-0000-4000-8000-{len(written):012d}"
        written[provider_id] = created
        return reply(created)

    @app.delete("/api/identity-provider/<provider_id>")
    def delete(provider_id: str) -> Response:
        written.pop(provider_id, None)
        return Response(b"", status=200)

    return app


def failures_of(app: Flask, path: str, method: str, mode: GenerationMode) -> str:
    """The report of a schemathesis run on one operation ("" when it passes)."""
    schema = build_schema("fusionauth", Target(app=app))
    strategy = schema[path][method].as_strategy(generation_mode=mode)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def run(case: Any) -> None:
        case.call_and_validate()

    try:
        run()
    except BaseExceptionGroup as group:  # schemathesis reports its failures as a group
        return str(group)
    return ""


@pytest.mark.parametrize(
    "defect,path,method,mode,reported",
    [
        ("wrong-field-type", ONE, "GET", GenerationMode.POSITIVE, "ST108 Response violates schema"),
        ("server-error", ONE, "GET", GenerationMode.POSITIVE, "ST101 Server error"),
        ("undeclared-status", ONE, "GET", GenerationMode.POSITIVE, "ST103 Undocumented status code"),
        (
            "accepts-invalid",
            "/api/identity-provider",
            "POST",
            GenerationMode.NEGATIVE,
            "ST201 Schema-violating request accepted",
        ),
    ],
)
def test_the_harness_reports_each_defect(
    defect: str, path: str, method: str, mode: GenerationMode, reported: str
) -> None:
    report = failures_of(broken_app(defect), path, method, mode)
    assert reported in report, report[:2000]


def test_the_same_app_without_the_defect_passes() -> None:
    assert failures_of(broken_app("none"), ONE, "GET", GenerationMode.POSITIVE) == ""


def test_the_behavioural_properties_report_a_lost_write(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suites, "ACTIVE", Target(app=broken_app("lost-write")))
    property_test: Callable[[], None] = test_behaviour.test_a_retrieved_provider_equals_what_was_written
    with pytest.raises(AssertionError):
        property_test()
