"""The Identity Provider API over HTTP (Flask test client, strict response checking)."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockserver.fusionauth.collections import LINKS

from .conftest import API_KEY, TENANT_ID, TWITCH_ID, load

GOOGLE_FIXED_ID = "82339786-3dff-42a6-aac6-1f1ceecb6c46"
BASE = "/api/identity-provider"


def twitch(**changes: Any) -> dict[str, Any]:
    body = load("seed_twitch_request.json")
    body["identityProvider"].update(changes)
    return body


def create(
    client: FlaskClient, auth: dict[str, str], body: dict[str, Any] | None = None, url: str = BASE, **headers: str
) -> Any:
    return client.post(url, json=body if body is not None else twitch(), headers={**auth, **headers})


def errors_of(response: Any) -> dict[str, list[str]]:
    """{field or "general": [codes]} of an Errors body."""
    body = response.get_json()
    found = {k: [e["code"] for e in v] for k, v in body.get("fieldErrors", {}).items()}
    if body.get("generalErrors"):
        found["general"] = [e["code"] for e in body["generalErrors"]]
    return found


# -- create --------------------------------------------------------------------------------------
def test_create_with_the_seed_request_gives_the_seed_response(client: FlaskClient, auth: dict[str, str]) -> None:
    before = time.time_ns() // 1_000_000
    response = create(client, auth)
    after = time.time_ns() // 1_000_000
    assert response.status_code == 200
    provider = response.get_json()["identityProvider"]
    expected = load("seed_twitch_response.json")["identityProvider"]
    for field in ("insertInstant", "lastUpdateInstant"):
        assert before <= provider.pop(field) <= after  # epoch milliseconds
        expected.pop(field)
    assert provider.pop("source") == "System"
    assert provider == expected  # fixed id, name "Twitch", linkingStrategy default


def test_a_second_create_without_name_is_a_duplicate_of_the_fixed_id(client: FlaskClient, auth: dict[str, str]) -> None:
    assert create(client, auth).status_code == 200
    response = create(client, auth)
    assert response.status_code == 400
    assert errors_of(response) == {"identityProviderId": ["[duplicate]identityProviderId"]}


def test_create_with_a_name_gets_a_random_id(client: FlaskClient, auth: dict[str, str]) -> None:
    response = create(client, auth, twitch(name="Twitch EU"))
    provider = response.get_json()["identityProvider"]
    assert provider["id"] != TWITCH_ID and provider["name"] == "Twitch EU"


def test_the_id_in_the_body_is_ignored(client: FlaskClient, auth: dict[str, str]) -> None:
    response = create(client, auth, twitch(id="11111111-1111-1111-1111-111111111111"))
    assert response.get_json()["identityProvider"]["id"] == TWITCH_ID


def test_create_with_url_id_needs_a_name(client: FlaskClient, auth: dict[str, str]) -> None:
    url = f"{BASE}/3f0c1d4e-93f2-4e3b-9d8c-6c1e2f3a4b5c"
    response = create(client, auth, url=url)
    assert errors_of(response) == {"identityProvider.name": ["[blank]identityProvider.name"]}
    response = create(client, auth, twitch(name="Second Twitch"), url=url)
    assert response.status_code == 200
    assert response.get_json()["identityProvider"]["id"] == url.rsplit("/", 1)[1]


def test_an_id_reserved_for_another_type_is_invalid(client: FlaskClient, auth: dict[str, str]) -> None:
    response = create(client, auth, twitch(name="Not Google"), url=f"{BASE}/{GOOGLE_FIXED_ID}")
    assert errors_of(response) == {"identityProviderId": ["[invalid]identityProviderId"]}


def test_names_are_unique_ignoring_case(client: FlaskClient, auth: dict[str, str]) -> None:
    assert create(client, auth).status_code == 200  # named "Twitch"
    response = create(client, auth, twitch(name="TWITCH"))
    assert errors_of(response) == {"identityProvider.name": ["[duplicate]identityProvider.name"]}


def test_defaults_are_filled(client: FlaskClient, auth: dict[str, str]) -> None:
    body = {
        "identityProvider": {
            "type": "Twitch",
            "buttonText": "b",
            "client_id": "c",
            "client_secret": "s",
            "applicationConfiguration": {"9418c942-b625-4902-81d5-dbbe4012f311": {}},
            "tenantConfiguration": {TENANT_ID: {}},
        }
    }
    provider = create(client, auth, body).get_json()["identityProvider"]
    assert (provider["enabled"], provider["debug"], provider["linkingStrategy"]) == (False, False, "CreatePendingLink")
    assert provider["applicationConfiguration"]["9418c942-b625-4902-81d5-dbbe4012f311"] == {
        "createRegistration": True,
        "enabled": False,
    }
    assert provider["tenantConfiguration"][TENANT_ID] == {"limitUserLinkCount": {"enabled": False, "maximumLinks": 42}}


# -- validation ----------------------------------------------------------------------------------
def test_missing_identity_provider(client: FlaskClient, auth: dict[str, str]) -> None:
    response = create(client, auth, {})
    assert response.status_code == 400
    assert errors_of(response) == {"identityProvider": ["[missing]identityProvider"]}


def test_blank_required_strings(client: FlaskClient, auth: dict[str, str]) -> None:
    body = twitch(client_id="   ")
    del body["identityProvider"]["client_secret"]
    response = create(client, auth, body)
    assert errors_of(response) == {
        "identityProvider.client_id": ["[blank]identityProvider.client_id"],
        "identityProvider.client_secret": ["[blank]identityProvider.client_secret"],
    }
    message = response.get_json()["fieldErrors"]["identityProvider.client_id"][0]["message"]
    assert message == "You must specify the [identityProvider.client_id] property."


def test_wrong_json_type_names_the_field(client: FlaskClient, auth: dict[str, str]) -> None:
    response = create(client, auth, twitch(enabled="yes"))
    assert response.status_code == 400
    assert errors_of(response) == {"identityProvider.enabled": ["[invalidJSON]"]}
    assert "Possible conversion error" in response.get_json()["fieldErrors"]["identityProvider.enabled"][0]["message"]


def test_unknown_linking_strategy_is_a_conversion_error(client: FlaskClient, auth: dict[str, str]) -> None:
    response = create(client, auth, twitch(linkingStrategy="LinkByMagic"))
    assert errors_of(response) == {"identityProvider.linkingStrategy": ["[invalidJSON]"]}


def test_unknown_property_is_rejected(client: FlaskClient, auth: dict[str, str]) -> None:
    response = create(client, auth, twitch(colour="purple"))
    assert errors_of(response) == {"general": ["[invalidJSON]"]}
    assert "Unrecognized property" in response.get_json()["generalErrors"][0]["message"]


def test_malformed_json(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post(BASE, data='{"identityProvider": {', headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert errors_of(response) == {"general": ["[invalidJSON]"]}


def test_unsupported_content_type(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post(BASE, data=json.dumps(twitch()), headers={**auth, "Content-Type": "text/plain"})
    assert response.status_code == 400
    assert errors_of(response) == {"general": ["[InvalidContentType]"]}
    response = client.post(BASE, data=json.dumps(twitch()), headers=auth)
    assert errors_of(response) == {"general": ["[MissingContentType]"]}


def test_body_over_the_size_limit_is_413(client: FlaskClient, auth: dict[str, str]) -> None:
    body = twitch(data={"blob": "x" * (1024 * 1024)})
    response = create(client, auth, body)
    assert response.status_code == 413
    assert response.data == b""


def test_unknown_tenant_in_body(client: FlaskClient, auth: dict[str, str]) -> None:
    response = create(client, auth, twitch(name="T", tenantId="00000000-0000-0000-0000-00000000000a"))
    assert errors_of(response) == {"identityProvider.tenantId": ["[invalid]identityProvider.tenantId"]}


def test_reconcile_lambda_rules(client: FlaskClient, auth: dict[str, str]) -> None:
    lambda_id = "7b1a9a5e-6d3e-4a9c-8a61-2f1d5f0b0c11"  # fixtures/fusionauth/lambdas.json
    field = "identityProvider.lambdaConfiguration.reconcileId"
    unknown = create(client, auth, twitch(lambdaConfiguration={"reconcileId": "00000000-0000-0000-0000-0000000000aa"}))
    assert errors_of(unknown) == {field: [f"[invalid]{field}"]}
    both = create(
        client,
        auth,
        twitch(lambdaConfiguration={"reconcileId": lambda_id}, attributeMappings={"user.username": "login"}),
    )
    assert errors_of(both) == {field: [f"[unsupported]{field}"]}
    assert create(client, auth, twitch(lambdaConfiguration={"reconcileId": lambda_id})).status_code == 200


# -- auth ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{}, {"Authorization": "wrong"}, {"Authorization": f"Bearer {API_KEY}"}])
def test_missing_or_wrong_api_key_is_401_with_empty_body(client: FlaskClient, headers: dict[str, str]) -> None:
    for response in (
        client.get(BASE, headers=headers),
        client.post(BASE, json=twitch(), headers=headers),
        client.delete(f"{BASE}/{TWITCH_ID}", headers=headers),
    ):
        assert response.status_code == 401
        assert response.data == b""


# -- retrieve ------------------------------------------------------------------------------------
def test_retrieve_single_and_list_envelopes(client: FlaskClient, auth: dict[str, str]) -> None:
    created = create(client, auth).get_json()["identityProvider"]
    assert client.get(f"{BASE}/{TWITCH_ID}", headers=auth).get_json() == {"identityProvider": created}
    assert client.get(BASE, headers=auth).get_json() == {"identityProviders": [created]}
    assert client.get(f"{BASE}?type=Twitch", headers=auth).get_json() == {"identityProviders": [created]}


def test_list_may_be_empty(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.get(f"{BASE}?type=Twitch", headers=auth).get_json() == {"identityProviders": []}


def test_unknown_id_is_404_with_empty_body(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.get(f"{BASE}/6b5a2c1d-0000-4000-8000-000000000001", headers=auth)
    assert (response.status_code, response.data) == (404, b"")


def test_malformed_id_in_url(client: FlaskClient, auth: dict[str, str]) -> None:
    # Not shaped like a UUID: no route (a sibling literal path such as /link must never be taken for an id).
    response = client.get(f"{BASE}/not-a-uuid", headers=auth)
    assert (response.status_code, response.data) == (404, b"")
    # UUID-shaped but not a UUID FusionAuth accepts (no dashes): the id cannot be converted.
    response = client.get(f"{BASE}/0123456789abcdef0123456789abcdef", headers=auth)
    assert errors_of(response) == {"identityProviderId": ["[couldNotConvert]identityProviderId"]}


def test_unknown_type_query(client: FlaskClient, auth: dict[str, str]) -> None:
    assert errors_of(client.get(f"{BASE}?type=Myspace", headers=auth)) == {"type": ["[couldNotConvert]type"]}


# -- update --------------------------------------------------------------------------------------
def test_put_replaces_and_keeps_insert_instant(client: FlaskClient, auth: dict[str, str]) -> None:
    created = create(client, auth).get_json()["identityProvider"]
    time.sleep(0.002)
    body = twitch(buttonText="Play with Twitch")
    del body["identityProvider"]["scope"]
    updated = client.put(f"{BASE}/{TWITCH_ID}", json=body, headers=auth).get_json()["identityProvider"]
    assert updated["buttonText"] == "Play with Twitch"
    assert "scope" not in updated  # no merge: what is not sent is gone
    assert updated["insertInstant"] == created["insertInstant"]
    assert updated["lastUpdateInstant"] > created["lastUpdateInstant"]
    assert updated["name"] == "Twitch"


def test_put_unknown_id_is_404(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.put(f"{BASE}/{TWITCH_ID}", json=twitch(), headers=auth)
    assert (response.status_code, response.data) == (404, b"")


def test_linking_strategy_cannot_change_while_enabled(client: FlaskClient, auth: dict[str, str]) -> None:
    create(client, auth)  # enabled, CreatePendingLink
    response = client.put(f"{BASE}/{TWITCH_ID}", json=twitch(linkingStrategy="LinkByEmail"), headers=auth)
    assert errors_of(response) == {"identityProvider.linkingStrategy": ["[restricted]identityProvider.linkingStrategy"]}
    ok = client.put(f"{BASE}/{TWITCH_ID}", json=twitch(linkingStrategy="LinkByEmail", enabled=False), headers=auth)
    assert ok.get_json()["identityProvider"]["linkingStrategy"] == "LinkByEmail"


def test_deprecated_type_forms_act_on_the_fixed_id(client: FlaskClient, auth: dict[str, str]) -> None:
    create(client, auth)
    updated = client.put(f"{BASE}?type=Twitch", json=twitch(buttonText="By type"), headers=auth)
    assert updated.get_json()["identityProvider"]["buttonText"] == "By type"
    assert client.delete(f"{BASE}?type=Twitch", headers=auth).status_code == 200
    assert client.get(f"{BASE}/{TWITCH_ID}", headers=auth).status_code == 404
    assert errors_of(client.delete(BASE, headers=auth)) == {"identityProviderId": ["[missing]identityProviderId"]}


# -- patch ---------------------------------------------------------------------------------------
def patch(client: FlaskClient, auth: dict[str, str], content_type: str, body: Any) -> Any:
    return client.patch(f"{BASE}/{TWITCH_ID}", data=json.dumps(body), headers={**auth, "Content-Type": content_type})


def test_patch_fusionauth_merge(client: FlaskClient, auth: dict[str, str]) -> None:
    create(client, auth, twitch(data={"tags": ["a"], "keep": 1}))
    response = patch(
        client, auth, "application/json", {"identityProvider": {"scope": None, "debug": True, "data": {"tags": ["b"]}}}
    )
    provider = response.get_json()["identityProvider"]
    assert "scope" not in provider  # null removes
    assert provider["debug"] is True
    assert provider["data"] == {"tags": ["a", "b"], "keep": 1}  # arrays append, objects merge


def test_patch_merge_patch_rfc7396(client: FlaskClient, auth: dict[str, str]) -> None:
    create(client, auth, twitch(data={"tags": ["a"], "keep": 1}))
    response = patch(
        client, auth, "application/merge-patch+json", {"identityProvider": {"scope": None, "data": {"tags": ["b"]}}}
    )
    provider = response.get_json()["identityProvider"]
    assert "scope" not in provider
    assert provider["data"] == {"tags": ["b"], "keep": 1}  # arrays replace


def test_patch_json_patch_rfc6902(client: FlaskClient, auth: dict[str, str]) -> None:
    create(client, auth)
    ops = [
        {"op": "test", "path": "/identityProvider/debug", "value": False},
        {"op": "replace", "path": "/identityProvider/buttonText", "value": "Patched"},
        {"op": "remove", "path": "/identityProvider/scope"},
    ]
    provider = patch(client, auth, "application/json-patch+json", ops).get_json()["identityProvider"]
    assert provider["buttonText"] == "Patched" and "scope" not in provider
    failed = patch(
        client, auth, "application/json-patch+json", [{"op": "test", "path": "/identityProvider/debug", "value": True}]
    )
    assert errors_of(failed) == {"general": ["[JSONPatchTestFailed]"]}


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("application/json", {"identityProvider": {"client_id": ""}}),
        ("application/merge-patch+json", {"identityProvider": {"client_id": None}}),
        ("application/json-patch+json", [{"op": "remove", "path": "/identityProvider/client_id"}]),
    ],
)
def test_patched_result_is_validated_as_for_put(
    client: FlaskClient, auth: dict[str, str], content_type: str, body: Any
) -> None:
    create(client, auth)
    response = patch(client, auth, content_type, body)
    assert errors_of(response) == {"identityProvider.client_id": ["[blank]identityProvider.client_id"]}
    stored = client.get(f"{BASE}/{TWITCH_ID}", headers=auth).get_json()["identityProvider"]
    assert stored["client_id"] == "ckpq645wx0008bn66ym5hwzjhckpq6"  # nothing half-applied


def test_patch_unknown_id_is_404(client: FlaskClient, auth: dict[str, str]) -> None:
    response = patch(client, auth, "application/json", {"identityProvider": {"debug": True}})
    assert (response.status_code, response.data) == (404, b"")


# -- delete --------------------------------------------------------------------------------------
def test_delete_is_200_without_body_and_removes_links(client: FlaskClient, auth: dict[str, str]) -> None:
    create(client, auth)
    store = client.application.extensions["mockserver.store"]
    with store.write() as tx:
        tx.put(LINKS, "l1", {"id": "l1", "identityProviderId": TWITCH_ID, "userId": "u"})
    response = client.delete(f"{BASE}/{TWITCH_ID}", headers=auth)
    assert (response.status_code, response.data) == (200, b"")
    assert store.read().all(LINKS) == []
    again = client.delete(f"{BASE}/{TWITCH_ID}", headers=auth)
    assert (again.status_code, again.data) == (404, b"")


# -- tenants -------------------------------------------------------------------------------------
def test_tenant_header_sets_tenant_and_requires_a_name(client: FlaskClient, auth: dict[str, str]) -> None:
    scoped = {**auth, "X-FusionAuth-TenantId": TENANT_ID}
    assert errors_of(create(client, auth, **scoped)) == {"identityProvider.name": ["[blank]identityProvider.name"]}
    provider = create(client, auth, twitch(name="Tenant Twitch"), **scoped).get_json()["identityProvider"]
    assert provider["tenantId"] == TENANT_ID


def test_unknown_tenant_header_is_400(client: FlaskClient, auth: dict[str, str]) -> None:
    for value in ("00000000-0000-0000-0000-00000000000b", "not-a-uuid"):
        response = client.get(BASE, headers={**auth, "X-FusionAuth-TenantId": value})
        assert errors_of(response) == {"general": ["[InvalidTenantIdException]"]}


def test_put_keeps_the_tenant(client: FlaskClient, auth: dict[str, str]) -> None:
    scoped = {**auth, "X-FusionAuth-TenantId": TENANT_ID}
    provider = create(client, auth, twitch(name="Tenant Twitch"), **scoped).get_json()["identityProvider"]
    body = copy.deepcopy(twitch(name="Tenant Twitch"))
    updated = client.put(f"{BASE}/{provider['id']}", json=body, headers=auth).get_json()["identityProvider"]
    assert updated["tenantId"] == TENANT_ID


# -- routing -------------------------------------------------------------------------------------
def test_undeclared_method_is_405_and_unknown_path_404(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.patch(BASE, json={}, headers=auth).status_code == 405
    response = client.get("/api/identity-providers", headers=auth)
    assert (response.status_code, response.data) == (404, b"")
