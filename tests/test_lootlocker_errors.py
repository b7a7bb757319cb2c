"""LootLocker's behaviour for bad input: request_body_invalid / parameter_missing / parameter_invalid bodies,
Prefer: code=NNN, and no 500 for anything a client can send (strict mode: every answer fits the spec)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver.openapi import specs
from mockserver.resources import SCHEMAS_DIR

from .test_lootlocker_helpers import DOMAIN_KEY, GAME_KEY, error_of, guest, session_headers


def test_malformed_json_is_request_body_invalid(client: FlaskClient) -> None:
    response = client.post("/game/v2/session/guest", data='{"game_key": ', content_type="application/json")
    body = error_of(response, 400, "request_body_invalid")
    assert "JSON" in body["message"]


@pytest.mark.parametrize("raw", ["", "[]", '"text"', "null", "42"])
def test_a_body_that_is_not_an_object_is_request_body_invalid(client: FlaskClient, raw: str) -> None:
    response = client.post("/game/v2/session/guest", data=raw, content_type="application/json")
    error_of(response, 400, "request_body_invalid")


def test_a_wrong_content_type_is_request_body_invalid(client: FlaskClient) -> None:
    response = client.post("/game/v2/session/guest", data=json.dumps({"game_key": GAME_KEY}), content_type="text/plain")
    error_of(response, 400, "request_body_invalid")


def test_a_mistyped_parameter_is_parameter_invalid(client: FlaskClient) -> None:
    response = client.post("/game/v2/session/guest", json={"game_key": GAME_KEY, "player_identifier": 12})
    error_of(response, 400, "parameter_invalid", "player_identifier")
    response = client.post("/game/v2/session/guest", json={"game_key": GAME_KEY, "optionals": {"player_name": 1}})
    error_of(response, 400, "parameter_invalid", "optionals.player_name")
    error_of(client.post("/game/v2/session/guest", json={"game_key": 5}), 400, "parameter_invalid", "game_key")


def test_unknown_properties_are_ignored(client: FlaskClient) -> None:
    body = {"game_key": GAME_KEY, "development_mode": True, "get_requests": [], "anything": {"at": "all"}}
    assert client.post("/game/v2/session/guest", json=body).status_code == 200


def test_sdk_headers_are_accepted(client: FlaskClient) -> None:
    headers = {"LL-Version": "2021-03-01", "LL-SDK-Version": "6.0.0", "LL-Request-Id": "r", "LL-Retry-Attempt": "0"}
    assert client.post("/game/v2/session/guest", json={"game_key": GAME_KEY}, headers=headers).status_code == 200


def test_a_bad_query_parameter_is_parameter_invalid(client: FlaskClient) -> None:
    headers = session_headers(guest(client))
    error_of(client.get("/game/v1/player/storage?key=", headers=headers), 400, "parameter_invalid", "key")


# -- Prefer: code=NNN ----------------------------------------------------------------------------
def test_prefer_forces_a_documented_error_with_lootlockers_body(client: FlaskClient) -> None:
    response = client.get("/game/v1/connected-accounts", headers={"Prefer": "code=500"})
    body = error_of(response, 500, "internal_server_error")
    assert "Prefer" in body["message"]
    error_of(client.get("/game/v1/connected-accounts", headers={"Prefer": "code=401"}), 401, "unauthorized")


@pytest.mark.parametrize("status", [429, 503])
def test_prefer_429_and_503_carry_retry_after(client: FlaskClient, status: int) -> None:
    response = client.put("/game/v1/connected-accounts/twitch", headers={"Prefer": f"code={status}"})
    assert response.status_code == status and response.headers["Retry-After"] == "1"
    assert response.get_json()["code"] in ("too_many_requests", "service_unavailable")


def test_prefer_403_on_a_sign_in_is_a_banned_player(client: FlaskClient) -> None:
    response = client.post("/game/v2/session/guest", json={"game_key": GAME_KEY}, headers={"Prefer": "code=403"})
    body = error_of(response, 403, "player_banned")
    assert set(body["ban"]) == {"ban_reason", "banned_on", "banned_until", "permanent"}


def test_prefer_a_success_status_runs_the_real_behaviour(client: FlaskClient) -> None:
    session = guest(client)
    headers = {**session_headers(session), "Prefer": "code=200"}
    response = client.put(
        "/game/v1/connected-accounts/twitch", json={"authorization_code": "twitch-code-richard"}, headers=headers
    )
    assert response.status_code == 200
    other = {**session_headers(guest(client)), "Prefer": "code=200"}
    conflict = client.put(
        "/game/v1/connected-accounts/twitch", json={"authorization_code": "twitch-code-richard"}, headers=other
    )
    body = error_of(conflict, 400, "bad_request")
    assert "gives 409" in body["message"]


def test_prefer_an_undocumented_status_is_refused(client: FlaskClient) -> None:
    response = client.get("/game/ping", headers={"Prefer": "code=418"})
    body = error_of(response, 400, "bad_request")
    assert "418" in body["message"]


# -- never a 500 ---------------------------------------------------------------------------------
def _property_names(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        found.update(node.get("properties", {}))
        for child in node.values():
            _property_names(child, found)
    elif isinstance(node, list):
        for child in node:
            _property_names(child, found)
    return found


# Every property any LootLocker schema names (requests and responses alike).
FIELDS = sorted(
    set().union(
        *(_property_names(json.loads(p.read_text()), set()) for p in (SCHEMAS_DIR / "lootlocker").glob("*.json"))
    )
)
ODD_VALUES: list[Any] = [123, "", "zzz", [], {}, None, True, [{"key": 1}], GAME_KEY]
RAW_BODIES = ["", "{", "[]", "null", '"x"', "{}", '{"a": {"b": [1, {"c": null}]}}']


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "twitch", path)


def test_no_request_gets_a_500(client: FlaskClient) -> None:
    """Every operation, with and without credentials, with raw junk and with every field of odd types: always
    a 2xx/4xx that fits the spec (strict mode would turn a misfit into a 500)."""
    session = guest(client)
    credentials = {**session_headers(session), "domain-key": DOMAIN_KEY}
    bodies: list[tuple[str, str]] = [(raw, "application/json") for raw in RAW_BODIES]
    bodies += [(json.dumps(dict.fromkeys(FIELDS, value)), "application/json") for value in ODD_VALUES]
    bodies.append(('{"game_key": "x"}', "text/plain"))
    checked = 0
    for operation in specs().lootlocker.operations.values():
        if operation.operation_id == "endSession":
            continue  # would end the session the other calls use; covered in test_lootlocker_sessions
        for headers in ({}, credentials):
            for raw, content_type in bodies:
                response = client.open(
                    _url(operation.path), method=operation.method, data=raw, content_type=content_type, headers=headers
                )
                assert response.status_code < 500, (operation.operation_id, raw, response.get_data(as_text=True))
                checked += 1
    assert checked > 1000


def test_routing_errors_use_lootlockers_error_body(client) -> None:  # type: ignore[no-untyped-def]
    unknown = client.get("/game/v1/no-such-thing")
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "not_found"
    wrong_method = client.delete("/game/ping")
    assert wrong_method.status_code == 405 and wrong_method.get_json()["code"] == "method_not_allowed"
    too_big = client.post(
        "/game/v2/session/guest", data="x" * (1024 * 1024 + 10), headers={"Content-Type": "application/json"}
    )
    assert too_big.status_code == 413 and too_big.get_json()["code"] == "request_body_invalid"
