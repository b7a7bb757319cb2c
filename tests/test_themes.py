"""Theme API over HTTP (strict client): stored only; the default theme exists and is read-only."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from fusionauth.fusionauth_client import FusionAuthClient

from mockserver.testing import LiveServer

from .conftest import API_KEY

DEFAULT_THEME_ID = "75a068fd-e94b-451a-9aeb-3ddb9a3b5987"
NEW_ID = "8c2e3f4a-1111-4b6c-9d0e-000000000001"


def field_codes(response: Any) -> dict[str, list[str]]:
    return {k: [e["code"] for e in v] for k, v in response.get_json().get("fieldErrors", {}).items()}


def test_default_theme_exists_and_is_read_only(client: FlaskClient, auth: dict[str, str]) -> None:
    r = client.get(f"/api/theme/{DEFAULT_THEME_ID}", headers=auth)
    assert r.status_code == 200 and r.get_json()["theme"]["name"] == "FusionAuth"
    assert [t["id"] for t in client.get("/api/theme", headers=auth).get_json()["themes"]] == [DEFAULT_THEME_ID]
    for response in (
        client.put(f"/api/theme/{DEFAULT_THEME_ID}", json={"theme": {"name": "Mine"}}, headers=auth),
        client.patch(f"/api/theme/{DEFAULT_THEME_ID}", json={"theme": {"stylesheet": "x"}}, headers=auth),
        client.delete(f"/api/theme/{DEFAULT_THEME_ID}", headers=auth),
    ):
        assert field_codes(response) == {"themeId": ["[readOnly]themeId"]}


def test_create_retrieve_update_delete(client: FlaskClient, auth: dict[str, str]) -> None:
    body = {
        "theme": {
            "name": "Mine",
            "stylesheet": "body { color: red; }",
            "defaultMessages": "greeting=Hi",
            "localizedMessages": {"fr": "greeting=Salut"},
            "templates": {"oauth2Authorize": "<html></html>"},
        }
    }
    r = client.post(f"/api/theme/{NEW_ID}", json=body, headers=auth)
    assert r.status_code == 200
    theme = r.get_json()["theme"]
    assert theme["id"] == NEW_ID and theme["templates"]["oauth2Authorize"] == "<html></html>"
    assert client.get(f"/api/theme/{NEW_ID}", headers=auth).get_json()["theme"] == theme
    r = client.put(f"/api/theme/{NEW_ID}", json={"theme": {"name": "Mine 2"}}, headers=auth)
    assert r.get_json()["theme"]["name"] == "Mine 2" and "stylesheet" not in r.get_json()["theme"]
    assert client.delete(f"/api/theme/{NEW_ID}", headers=auth).status_code == 200
    assert client.get(f"/api/theme/{NEW_ID}", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("content_type", "patch"),
    [
        ("application/json", {"theme": {"stylesheet": "a{}"}}),
        ("application/merge-patch+json", {"theme": {"stylesheet": "a{}"}}),
        ("application/json-patch+json", [{"op": "add", "path": "/theme/stylesheet", "value": "a{}"}]),
    ],
)
def test_patch_in_the_three_modes(client: FlaskClient, auth: dict[str, str], content_type: str, patch: Any) -> None:
    client.post(f"/api/theme/{NEW_ID}", json={"theme": {"name": "Mine"}}, headers=auth)
    r = client.patch(f"/api/theme/{NEW_ID}", json=patch, headers={**auth, "Content-Type": content_type})
    assert r.status_code == 200 and r.get_json()["theme"]["stylesheet"] == "a{}"
    assert r.get_json()["theme"]["name"] == "Mine"


def test_copy_and_validation(client: FlaskClient, auth: dict[str, str]) -> None:
    r = client.post("/api/theme", json={"sourceThemeId": DEFAULT_THEME_ID, "theme": {"name": "Copy"}}, headers=auth)
    assert r.status_code == 200 and r.get_json()["theme"]["name"] == "Copy"
    assert field_codes(client.post("/api/theme", json={"theme": {"name": "Copy"}}, headers=auth)) == {
        "theme.name": ["[duplicate]theme.name"]
    }
    assert field_codes(client.post("/api/theme", json={"theme": {}}, headers=auth)) == {
        "theme.name": ["[blank]theme.name"]
    }
    r = client.post("/api/theme", json={"sourceThemeId": NEW_ID, "theme": {"name": "X"}}, headers=auth)
    assert field_codes(r) == {"sourceThemeId": ["[invalid]sourceThemeId"]}
    r = client.post("/api/theme", json={"theme": {"name": "X", "templates": {"nope": "x"}}}, headers=auth)
    assert r.status_code == 400 and r.get_json()["generalErrors"][0]["code"] == "[invalidJSON]"
    r = client.post(f"/api/theme/{DEFAULT_THEME_ID}", json={"theme": {"name": "Y"}}, headers=auth)
    assert field_codes(r) == {"themeId": ["[duplicate]themeId"]}


def test_tenant_accepts_a_created_theme(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post(f"/api/theme/{NEW_ID}", json={"theme": {"name": "Mine"}}, headers=auth)
    r = client.post("/api/tenant", json={"tenant": {"name": "Themed", "themeId": NEW_ID}}, headers=auth)
    assert r.status_code == 200 and r.get_json()["tenant"]["themeId"] == NEW_ID


def test_official_client_story(live_clean: LiveServer) -> None:
    client = FusionAuthClient(API_KEY, live_clean.url)
    created = client.create_theme({"sourceThemeId": DEFAULT_THEME_ID, "theme": {"name": "Client theme"}}, NEW_ID)
    assert created.was_successful(), created.error_response
    patched = client.patch_theme(NEW_ID, {"theme": {"stylesheet": "h1{}"}})
    assert patched.success_response["theme"]["stylesheet"] == "h1{}"
    assert len(client.retrieve_themes().success_response["themes"]) == 2
    assert client.delete_theme(NEW_ID).was_successful()
    assert client.retrieve_theme(NEW_ID).status == 404
