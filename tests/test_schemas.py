"""The OpenAPI documents are valid, and the seed's examples fit them."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from mockserver.openapi import specs
from mockserver.resources import SCHEMAS_DIR

from .conftest import load


@pytest.mark.parametrize("name", ["fusionauth.openapi.yaml", "mock.openapi.yaml"])
def test_openapi_document_is_valid(name: str) -> None:
    spec, base_uri = read_from_filename(str(SCHEMAS_DIR / name))
    validate(spec, base_uri=base_uri)  # follows the $refs into schemas/*/*.json


def test_seed_request_example_is_valid() -> None:
    check = specs().fusionauth.operations["createIdentityProvider"].bodies["application/json"]
    assert check.issues(load("seed_twitch_request.json")) == []


def test_seed_response_example_is_valid() -> None:
    check = specs().fusionauth.operations["retrieveIdentityProvider"].responses[200]
    assert check is not None
    assert check.issues(load("seed_twitch_response.json")) == []


def test_response_schema_rejects_a_wrong_field_type() -> None:
    body = load("seed_twitch_response.json")
    body["identityProvider"]["insertInstant"] = "2020-07-21T19:52:22Z"  # must be epoch milliseconds
    check = specs().fusionauth.operations["retrieveIdentityProvider"].responses[200]
    assert check is not None
    assert [i.path for i in check.issues(body)] == [("identityProvider", "insertInstant")]


def test_every_operation_declares_its_statuses() -> None:
    ops = specs().fusionauth.operations
    assert ops["retrieveIdentityProvider"].statuses == [200, 400, 401, 404, 500]
    assert ops["deleteIdentityProvider"].responses[200] is None  # 200 with no body
    assert ops["patchIdentityProvider"].bodies.keys() == {
        "application/json",
        "application/merge-patch+json",
        "application/json-patch+json",
    }
    managed = [op for name, op in ops.items() if "IdentityProvider" in name and name != "identityProviderLogin"]
    assert managed and all(not op.anonymous for op in managed)
    assert ops["identityProviderLogin"].anonymous


def test_errors_field_errors_is_a_map() -> None:
    check = specs().schema("fusionauth/Errors.json")
    assert check.is_valid({"fieldErrors": {"identityProvider.name": [{"code": "[blank]x", "message": "m"}]}})
    assert not check.is_valid({"fieldErrors": [{"code": "[blank]x", "message": "m"}]})


def test_every_schema_of_every_operation_compiles() -> None:
    # Schemas are compiled on first use (openapi.SchemaCheck): this is where a broken one still shows.
    compiled = 0
    for spec in (specs().fusionauth, specs().lootlocker, specs().mock):
        for operation in spec.operations.values():
            checks = [p.validator for p in operation.parameters]
            checks += list(operation.bodies.values()) + [c for c in operation.responses.values() if c is not None]
            for check in checks:
                assert check.validator is not None, (operation.operation_id, check.uri)
                compiled += 1
    assert compiled > 500
