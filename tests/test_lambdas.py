"""Lambda API, Event Log API, and lambdas run at logins: Twitch Reconcile and JWT Populate (strict client)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient
from fusionauth.fusionauth_client import FusionAuthClient

from mockserver.fusionauth.collections import USERS

from .conftest import API_KEY, APP_ID, LiveServer
from .login_helpers import AUTH, LOGIN, login_body, make_provider, register_identity, state

FIXTURE_RECONCILE = "7b1a9a5e-6d3e-4a9c-8a61-2f1d5f0b0c11"
LAMBDA_ID = "5d0e4f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6"


def codes(response: Any) -> dict[str, list[str]]:
    body = response.get_json()
    found = {k: [e["code"] for e in v] for k, v in body.get("fieldErrors", {}).items()}
    if body.get("generalErrors"):
        found["general"] = [e["code"] for e in body["generalErrors"]]
    return found


def create_lambda(client: FlaskClient, body: str, type_: str = "JWTPopulate", **extra: Any) -> dict[str, Any]:
    response = client.post(
        "/api/lambda", json={"lambda": {"name": f"{type_} test", "type": type_, "body": body, **extra}}, headers=AUTH
    )
    assert response.status_code == 200, response.data
    return response.get_json()["lambda"]


def use_populate(client: FlaskClient, lambda_id: str) -> None:
    response = client.patch(
        f"/api/application/{APP_ID}",
        json={"application": {"lambdaConfiguration": {"accessTokenPopulateId": lambda_id}}},
        headers=AUTH,
    )
    assert response.status_code == 200, response.data


def claims(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.data
    return jwt.decode(response.get_json()["token"], options={"verify_signature": False})


def event_logs(client: FlaskClient, **criteria: Any) -> list[dict[str, Any]]:
    response = client.post("/api/system/event-log/search", json={"search": criteria}, headers=AUTH)
    assert response.status_code == 200, response.data
    return response.get_json()["eventLogs"]


# -- Lambda API --------------------------------------------------------------------------------------------
def test_create_retrieve_update_delete(client: FlaskClient) -> None:
    body = "function populate(jwt, user, registration) { jwt.color = 'blue'; }"
    response = client.post(
        f"/api/lambda/{LAMBDA_ID}",
        json={"lambda": {"name": "Colour", "type": "JWTPopulate", "body": body, "enabled": True}},
        headers=AUTH,
    )
    assert response.status_code == 200, response.data
    created = response.get_json()["lambda"]
    assert created["id"] == LAMBDA_ID
    assert (created["debug"], created["engineType"], created["body"]) == (False, "GraalJS", body)
    assert created["insertInstant"] == created["lastUpdateInstant"] > 0
    assert "enabled" not in created  # deprecated and unused: accepted, not kept
    assert client.get(f"/api/lambda/{LAMBDA_ID}", headers=AUTH).get_json() == {"lambda": created}

    again = client.post(
        f"/api/lambda/{LAMBDA_ID}", json={"lambda": {"name": "x", "type": "JWTPopulate", "body": body}}, headers=AUTH
    )
    assert codes(again) == {"lambdaId": ["[duplicate]lambdaId"]}

    # PUT replaces; the type stays as created.
    put = client.put(
        f"/api/lambda/{LAMBDA_ID}",
        json={"lambda": {"name": "Colour 2", "type": "TwitchReconcile", "body": body, "debug": True}},
        headers=AUTH,
    )
    updated = put.get_json()["lambda"]
    assert (updated["name"], updated["type"], updated["debug"]) == ("Colour 2", "JWTPopulate", True)
    assert (
        updated["insertInstant"] == created["insertInstant"] and updated["lastUpdateInstant"] > created["insertInstant"]
    )

    patched = client.patch(f"/api/lambda/{LAMBDA_ID}", json={"lambda": {"debug": False}}, headers=AUTH)
    assert patched.get_json()["lambda"]["debug"] is False and patched.get_json()["lambda"]["name"] == "Colour 2"
    merge = client.patch(
        f"/api/lambda/{LAMBDA_ID}",
        data='{"lambda": {"name": "Merged"}}',
        headers={**AUTH, "Content-Type": "application/merge-patch+json"},
    )
    assert merge.get_json()["lambda"]["name"] == "Merged"
    assert codes(client.patch(f"/api/lambda/{LAMBDA_ID}", json={}, headers=AUTH)) == {"lambda": ["[missing]lambda"]}

    deleted = client.delete(f"/api/lambda/{LAMBDA_ID}", headers=AUTH)
    assert (deleted.status_code, deleted.data) == (200, b"")
    missing = client.get(f"/api/lambda/{LAMBDA_ID}", headers=AUTH)
    assert (missing.status_code, missing.data) == (404, b"")
    assert client.delete(f"/api/lambda/{LAMBDA_ID}", headers=AUTH).status_code == 404


def test_validation_errors(client: FlaskClient) -> None:
    response = client.post("/api/lambda", json={"lambda": {"name": " ", "body": ""}}, headers=AUTH)
    assert codes(response) == {
        "lambda.body": ["[blank]lambda.body"],
        "lambda.name": ["[blank]lambda.name"],
        "lambda.type": ["[missing]lambda.type"],
    }
    assert codes(client.post("/api/lambda", json={}, headers=AUTH)) == {"lambda": ["[missing]lambda"]}
    bad_type = client.post("/api/lambda", json={"lambda": {"name": "n", "type": "Nope", "body": "x"}}, headers=AUTH)
    assert codes(bad_type) == {"lambda.type": ["[invalidJSON]"]}  # an unknown enum value: Jackson's error
    unknown = client.post("/api/lambda", json={"lambda": {"name": "n", "type": "JWTPopulate", "x": 1}}, headers=AUTH)
    assert codes(unknown) == {"general": ["[invalidJSON]"]}
    syntax = client.post(
        "/api/lambda",
        json={"lambda": {"name": "n", "type": "JWTPopulate", "body": "function populate( {"}},
        headers=AUTH,
    )
    assert codes(syntax) == {"lambda.body": ["[invalid]lambda.body"]}
    assert client.get("/api/lambda", headers={}).status_code == 401


def test_list_by_type_and_search(client: FlaskClient) -> None:
    create_lambda(client, "function populate(jwt) { jwt.a = 1; }")
    all_lambdas = client.get("/api/lambda", headers=AUTH).get_json()["lambdas"]
    assert {x["type"] for x in all_lambdas} == {"JWTPopulate", "TwitchReconcile"}
    fixture = next(x for x in all_lambdas if x["id"] == FIXTURE_RECONCILE)
    assert "function reconcile(user, registration, userInfo)" in fixture["body"]  # FusionAuth's default body
    by_type = client.get("/api/lambda?type=TwitchReconcile", headers=AUTH).get_json()["lambdas"]
    assert [x["id"] for x in by_type] == [FIXTURE_RECONCILE]
    assert codes(client.get("/api/lambda?type=Nope", headers=AUTH)) == {"type": ["[couldNotConvert]type"]}

    found = client.get("/api/lambda/search?body=JWT.A&type=JWTPopulate", headers=AUTH).get_json()
    assert found["total"] == 1 and found["lambdas"][0]["type"] == "JWTPopulate"
    assert client.get("/api/lambda/search?name=twitch*", headers=AUTH).get_json()["total"] == 1  # a wildcard anchors
    page = client.post(
        "/api/lambda/search", json={"search": {"numberOfResults": 1, "orderBy": "name DESC"}}, headers=AUTH
    ).get_json()
    assert page["total"] == 2 and [x["name"] for x in page["lambdas"]] == [
        "Twitch reconcile (mock: maps preferred_username to user.username)"
    ]


# -- Twitch Reconcile ----------------------------------------------------------------------------------------
RECONCILE = """
function reconcile(user, registration, userInfo) {
  user.data = user.data || {};
  user.data.twitchId = userInfo.sub;
  user.data.favoriteGame = userInfo.favorite_game;
  user.firstName = 'Richard';
  user.username = userInfo.preferred_username + '-from-lambda';
  user.id = 'not-changeable';
  registration.roles = ['streamer'];
  registration.data = {viewers: 42};
  console.info('reconciled ' + userInfo.preferred_username);
  console.debug('debug line');
}
"""


def test_reconcile_lambda_changes_are_stored(client: FlaskClient) -> None:
    lambda_ = create_lambda(client, RECONCILE, "TwitchReconcile", debug=True)
    make_provider(client, "LinkByEmail", lambdaConfiguration={"reconcileId": lambda_["id"]})
    register_identity(
        client, id="9090", username="gamer", email="gamer@example.com", code="c-9090", reusable=True,
        data={"favorite_game": "Chess"},
    )  # fmt: skip
    response = client.post(LOGIN, json=login_body("c-9090"))
    assert response.status_code == 200, response.data
    user = response.get_json()["user"]
    assert user["data"] == {"twitchId": "9090", "favoriteGame": "Chess"}
    assert (user["firstName"], user["username"]) == ("Richard", "gamer-from-lambda")  # username: on linking only
    stored = state(client, USERS)[user["id"]]
    assert stored["id"] == user["id"]  # read-only fields are not taken from the lambda
    registration = next(r for r in stored["registrations"] if r["applicationId"] == APP_ID)
    assert (registration["roles"], registration["data"]) == (["streamer"], {"viewers": 42})
    token = claims(response)
    assert token["roles"] == ["streamer"] and token["preferred_username"] == "gamer-from-lambda"

    logs = event_logs(client)
    assert {log["type"] for log in logs} == {"Information", "Debug"}
    info = next(log for log in logs if log["type"] == "Information")
    assert "reconciled gamer" in info["message"] and lambda_["id"] in info["message"]
    assert client.get(f"/api/system/event-log/{info['id']}", headers=AUTH).get_json() == {"eventLog": info}


def test_reconcile_on_a_later_login_keeps_username(client: FlaskClient) -> None:
    lambda_ = create_lambda(client, RECONCILE, "TwitchReconcile")
    make_provider(client, "LinkByEmail", lambdaConfiguration={"reconcileId": lambda_["id"]})
    first = client.post(LOGIN, json=login_body()).get_json()["user"]
    client.put(
        f"/api/lambda/{lambda_['id']}",
        json={
            "lambda": {"name": "v2", "body": "function reconcile(u, r, i) { u.username = 'other'; u.lastName = 'H'; }"}
        },
        headers=AUTH,
    )
    second = client.post(LOGIN, json=login_body()).get_json()["user"]
    assert second["id"] == first["id"] and second["lastName"] == "H"  # the changed lambda ran (cache refreshed)
    assert second["username"] == first["username"]  # email and username: only on the login that links
    assert not event_logs(client, type="Debug")  # debug off: no Debug entries


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("function reconcile(user) { console.log('before'); throw new Error('no entry'); }", "Error: no entry"),
        ("function reconcile(user) { while (true) {} }", "time limit"),
        ("function reconcile(user) { var a = []; while (true) { a.push(new Array(1e5).fill(1)); } }", "memory"),
    ],
    ids=["throws", "loops", "exhausts-memory"],
)
def test_failing_reconcile_fails_the_login(client: FlaskClient, body: str, expected: str) -> None:
    lambda_ = create_lambda(client, body, "TwitchReconcile")
    make_provider(client, "LinkByEmail", lambdaConfiguration={"reconcileId": lambda_["id"]})
    started = time.monotonic()
    response = client.post(LOGIN, json=login_body())
    assert time.monotonic() - started < 10
    assert response.status_code == 512
    assert codes(response) == {"general": ["[LambdaInvocationException]"]}
    assert state(client, USERS) == {} and state(client, "fusionauth.links") == {}  # nothing of the login kept
    errors = event_logs(client, type="Error")
    assert len(errors) == 1 and expected in errors[0]["message"]
    # The worker serves the next request, and the next login once the lambda is fixed.
    client.put(
        f"/api/lambda/{lambda_['id']}", json={"lambda": {"name": "ok", "body": "function reconcile(){}"}}, headers=AUTH
    )
    assert client.post(LOGIN, json=login_body()).status_code == 200


# -- JWT Populate -------------------------------------------------------------------------------------------
def test_populate_lambda_claims_are_in_the_token(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    lambda_ = create_lambda(
        client,
        """function populate(jwt, user, registration) {
             jwt.favoriteColor = 'green';
             jwt.userEmail = user.email;
             jwt.hasPassword = user.password !== undefined;
             jwt.registered = registration.applicationId;
             jwt.sub = 'someone-else';
             jwt.iat = 1;
             jwt.authenticationType = null;
             jwt.exp = jwt.exp - 60;
           }""",
    )
    use_populate(client, lambda_["id"])
    token = claims(client.post(LOGIN, json=login_body()))
    assert (token["favoriteColor"], token["userEmail"], token["registered"]) == ("green", "richard@example.com", APP_ID)
    assert token["hasPassword"] is False
    assert "authenticationType" not in token  # null removes a claim
    assert token["sub"] != "someone-else" and token["iat"] > 1  # reserved claims keep their value
    assert token["exp"] == token["iat"] + 3600 - 60  # exp may be lowered


def test_populate_lambda_cannot_lengthen_exp(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    lambda_ = create_lambda(
        client,
        "function populate(jwt, user, registration) { jwt.exp = jwt.exp + 1000; jwt.reg = typeof registration; }",
    )
    use_populate(client, lambda_["id"])
    token = claims(client.post(LOGIN, json=login_body()))
    assert token["exp"] == token["iat"] + 3600 and token["reg"] == "object"


def test_failing_populate_leaves_the_token_unchanged(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    lambda_ = create_lambda(client, "function populate(jwt) { jwt.partial = true; while (true) {} }")
    use_populate(client, lambda_["id"])
    response = client.post(LOGIN, json=login_body())
    token = claims(response)  # FusionAuth logs the failure and issues the token without the lambda's changes
    assert "partial" not in token
    errors = event_logs(client, type="Error")
    assert len(errors) == 1 and "time limit" in errors[0]["message"]
    client.put(
        f"/api/lambda/{lambda_['id']}",
        json={"lambda": {"name": "fixed", "body": "function populate(jwt) { jwt.fixed = 1; }"}},
        headers=AUTH,
    )
    assert claims(client.post(LOGIN, json=login_body()))["fixed"] == 1


def test_event_log_search_and_retrieve(client: FlaskClient) -> None:
    make_provider(client, "LinkByEmail")
    lambda_ = create_lambda(
        client, "function populate(jwt) { console.log('one'); console.error('two'); console.log('three'); }"
    )
    use_populate(client, lambda_["id"])
    claims(client.post(LOGIN, json=login_body()))
    logs = event_logs(client)
    assert [log["type"] for log in logs] in (["Error", "Information"], ["Information", "Error"])
    info = next(log for log in logs if log["type"] == "Information")
    assert info["message"].splitlines()[1:] == ["one", "three"]  # one entry per type and invocation
    found = client.get("/api/system/event-log/search?message=THREE&type=Information", headers=AUTH).get_json()
    assert found["total"] == 1 and found["eventLogs"][0]["id"] == info["id"]
    assert client.get("/api/system/event-log/search?message=nothing-like-it", headers=AUTH).get_json()["total"] == 0
    assert client.get("/api/system/event-log/999999", headers=AUTH).status_code == 404
    assert codes(client.get("/api/system/event-log/abc", headers=AUTH)) == {
        "eventLogId": ["[couldNotConvert]eventLogId"]
    }


# -- the official client against a running server -------------------------------------------------------------
def test_official_client_lambda_story(live_clean: LiveServer) -> None:
    client = FusionAuthClient(API_KEY, live_clean.url)
    created = client.create_lambda(
        {"lambda": {"name": "claims", "type": "JWTPopulate", "body": "function populate(jwt) { jwt.live = true; }"}}
    )
    assert created.was_successful(), created.error_response
    lambda_id = created.success_response["lambda"]["id"]
    assert client.retrieve_lambda(lambda_id).success_response["lambda"]["name"] == "claims"
    assert [x["id"] for x in client.retrieve_lambdas_by_type("JWTPopulate").success_response["lambdas"]] == [lambda_id]
    assert client.search_lambdas({"search": {"name": "claim"}}).success_response["total"] == 1
    assert client.patch_lambda(lambda_id, {"lambda": {"debug": True}}).success_response["lambda"]["debug"] is True
    assert client.search_event_logs({"search": {}}).success_response == {"eventLogs": [], "total": 0}
    assert client.delete_lambda(lambda_id).status == 200
    assert client.retrieve_lambda(lambda_id).status == 404
