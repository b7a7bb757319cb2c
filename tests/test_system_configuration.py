"""System Configuration API over HTTP (strict client): FusionAuth's defaults, PUT, PATCH in three modes."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from fusionauth.fusionauth_client import FusionAuthClient

from mockserver.testing import LiveServer

from .conftest import API_KEY

CORS = {"enabled": True, "allowedOrigins": ["http://localhost:3000"], "allowedMethods": ["GET", "POST"]}


def test_defaults(client: FlaskClient, auth: dict[str, str]) -> None:
    r = client.get("/api/system-configuration", headers=auth)
    assert r.status_code == 200
    configuration = r.get_json()["systemConfiguration"]
    assert configuration["corsConfiguration"]["enabled"] is False
    assert configuration["reportTimezone"] == "America/Denver"
    assert configuration["eventLogConfiguration"] == {"numberToRetain": 10000}
    assert configuration["auditLogConfiguration"]["delete"] == {"enabled": False, "numberOfDaysToRetain": 365}
    assert client.get("/api/system-configuration").status_code == 401


@pytest.mark.parametrize(
    ("content_type", "patch"),
    [
        ("application/json", {"systemConfiguration": {"corsConfiguration": CORS}}),
        ("application/merge-patch+json", {"systemConfiguration": {"corsConfiguration": CORS}}),
        (
            "application/json-patch+json",
            [{"op": "add", "path": "/systemConfiguration/corsConfiguration", "value": CORS}],
        ),
    ],
)
def test_patch_merges(client: FlaskClient, auth: dict[str, str], content_type: str, patch: Any) -> None:
    r = client.patch("/api/system-configuration", json=patch, headers={**auth, "Content-Type": content_type})
    assert r.status_code == 200, r.get_json()
    cors = r.get_json()["systemConfiguration"]["corsConfiguration"]
    assert cors["enabled"] is True and cors["allowedOrigins"] == ["http://localhost:3000"]
    assert r.get_json()["systemConfiguration"]["reportTimezone"] == "America/Denver"
    again = client.get("/api/system-configuration", headers=auth).get_json()["systemConfiguration"]
    assert again == r.get_json()["systemConfiguration"]


def test_put_replaces_with_defaults_for_the_rest(client: FlaskClient, auth: dict[str, str]) -> None:
    client.patch("/api/system-configuration", json={"systemConfiguration": {"corsConfiguration": CORS}}, headers=auth)
    r = client.put(
        "/api/system-configuration", json={"systemConfiguration": {"reportTimezone": "Europe/Paris"}}, headers=auth
    )
    configuration = r.get_json()["systemConfiguration"]
    assert configuration["reportTimezone"] == "Europe/Paris" and configuration["corsConfiguration"]["enabled"] is False


def test_validation(client: FlaskClient, auth: dict[str, str]) -> None:
    r = client.put("/api/system-configuration", json={}, headers=auth)
    assert r.status_code == 400 and "systemConfiguration" in r.get_json()["fieldErrors"]
    r = client.patch(
        "/api/system-configuration",
        json={"systemConfiguration": {"corsConfiguration": {"allowedMethods": ["FETCH"]}}},
        headers=auth,
    )
    assert r.status_code == 400
    r = client.put("/api/system-configuration", json={"systemConfiguration": {"unknown": 1}}, headers=auth)
    assert r.status_code == 400 and r.get_json()["generalErrors"][0]["code"] == "[invalidJSON]"


def test_official_client_story(live_clean: LiveServer) -> None:
    client = FusionAuthClient(API_KEY, live_clean.url)
    patched = client.patch_system_configuration({"systemConfiguration": {"corsConfiguration": CORS}})
    assert patched.was_successful(), patched.error_response
    retrieved = client.retrieve_system_configuration().success_response["systemConfiguration"]
    assert retrieved["corsConfiguration"]["allowedOrigins"] == ["http://localhost:3000"]


def test_an_empty_patch_is_rejected(client: FlaskClient, auth: dict[str, str]) -> None:
    for content_type in ("application/json", "application/merge-patch+json"):
        r = client.patch("/api/system-configuration", headers={**auth, "Content-Type": content_type})
        assert r.status_code == 400 and "systemConfiguration" in r.get_json()["fieldErrors"]
