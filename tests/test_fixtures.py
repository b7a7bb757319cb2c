"""Fixtures: validated at load, replaceable with --fixtures, API key overridable; tenant isolation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mockserver import fixtures
from mockserver.app import create_app
from mockserver.config import Config
from mockserver.openapi import specs
from mockserver.resources import DEFAULT_FIXTURES_DIR

from .conftest import API_KEY, EMAIL_APP_ID, EMAIL_TENANT_ID, TENANT_ID, load

OTHER_TENANT = "5b2d1a64-1b7e-4a0e-9a55-0f6c3e1d2a11"


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(DEFAULT_FIXTURES_DIR, target)
    return target


def test_default_fixtures_hold_the_seed_ids() -> None:
    state = fixtures.load(DEFAULT_FIXTURES_DIR, specs())
    assert set(state["fusionauth.tenants"]) == {TENANT_ID, EMAIL_TENANT_ID}
    tenants = state["fusionauth.tenants"]
    # The Default tenant behaves as a fresh install's (no email verification); the demo tenant verifies (212).
    assert tenants[TENANT_ID]["emailConfiguration"]["verifyEmail"] is False
    assert tenants[EMAIL_TENANT_ID]["emailConfiguration"]["verifyEmail"] is True
    assert set(state["fusionauth.applications"]) == {
        "9418c942-b625-4902-81d5-dbbe4012f311",
        "10000000-0000-0002-0000-000000000001",
        "0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80",  # registration verification on (reproduces 213)
        EMAIL_APP_ID,  # in the tenant that verifies emails (reproduces 212)
    }
    assert state["fusionauth.applications"][EMAIL_APP_ID]["tenantId"] == EMAIL_TENANT_ID
    for application in state["fusionauth.applications"].values():
        assert "user" in {r["name"] for r in application["roles"]}
        assert application["loginConfiguration"]["generateRefreshTokens"] is True


def test_a_broken_fixture_names_the_file_and_the_field(fixture_dir: Path) -> None:
    path = fixture_dir / "fusionauth" / "applications.json"
    apps = json.loads(path.read_text())
    apps[1]["tenantId"] = 42
    path.write_text(json.dumps(apps))
    with pytest.raises(fixtures.FixtureError) as error:
        create_app(Config(fixtures_dir=str(fixture_dir)))
    assert "applications.json" in str(error.value) and "1/tenantId" in str(error.value)


def test_a_missing_required_field_is_named(fixture_dir: Path) -> None:
    path = fixture_dir / "fusionauth" / "tenants.json"
    path.write_text(json.dumps([{"id": TENANT_ID}]))
    with pytest.raises(fixtures.FixtureError, match=r"tenants\.json: field 0/name"):
        fixtures.load(fixture_dir, specs())


def test_unparseable_and_unknown_fixture_files(fixture_dir: Path) -> None:
    (fixture_dir / "fusionauth" / "tenants.json").write_text("[{")
    with pytest.raises(fixtures.FixtureError, match=r"tenants\.json: not valid JSON"):
        fixtures.load(fixture_dir, specs())
    (fixture_dir / "fusionauth" / "tenants.json").write_text("[]")
    (fixture_dir / "fusionauth" / "widgets.json").write_text("[]")
    with pytest.raises(fixtures.FixtureError, match=r"widgets\.json: unknown fixture file"):
        fixtures.load(fixture_dir, specs())


def test_api_key_override() -> None:
    client = create_app(Config(fusionauth_api_key="my-own-key-123456")).test_client()
    assert client.get("/api/identity-provider", headers={"Authorization": API_KEY}).status_code == 401
    assert client.get("/api/identity-provider", headers={"Authorization": "my-own-key-123456"}).status_code == 200


def test_api_key_override_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKSERVER_FUSIONAUTH_API_KEY", "env-key-abcdefghijkl")
    client = create_app(Config.from_env()).test_client()
    assert client.get("/api/identity-provider", headers={"Authorization": "env-key-abcdefghijkl"}).status_code == 200


def test_tenants_cannot_see_each_others_providers(fixture_dir: Path) -> None:
    path = fixture_dir / "fusionauth" / "tenants.json"
    path.write_text(json.dumps([*json.loads(path.read_text()), {"id": OTHER_TENANT, "name": "Other"}]))
    client = create_app(Config(fixtures_dir=str(fixture_dir), strict=True)).test_client()
    auth = {"Authorization": API_KEY}
    body = load("seed_twitch_request.json")
    body["identityProvider"]["name"] = "Default tenant Twitch"
    created = client.post("/api/identity-provider", json=body, headers={**auth, "X-FusionAuth-TenantId": TENANT_ID})
    provider_id = created.get_json()["identityProvider"]["id"]
    other = {**auth, "X-FusionAuth-TenantId": OTHER_TENANT}
    assert client.get(f"/api/identity-provider/{provider_id}", headers=other).status_code == 404
    assert client.get("/api/identity-provider", headers=other).get_json() == {"identityProviders": []}
    assert client.delete(f"/api/identity-provider/{provider_id}", headers=other).status_code == 404
    assert client.get(f"/api/identity-provider/{provider_id}", headers=auth).status_code == 200


def test_tenant_locked_key(fixture_dir: Path) -> None:
    keys = fixture_dir / "fusionauth" / "api-keys.json"
    tenants = fixture_dir / "fusionauth" / "tenants.json"
    tenants.write_text(json.dumps([*json.loads(tenants.read_text()), {"id": OTHER_TENANT, "name": "Other"}]))
    keys.write_text(
        json.dumps(
            [
                *json.loads(keys.read_text()),
                {
                    "id": "0b8a3f0e-2b1c-4d5e-8f90-123456789abc",
                    "key": "locked-to-the-other-tenant",
                    "tenantId": OTHER_TENANT,
                },
            ]
        )
    )
    client = create_app(Config(fixtures_dir=str(fixture_dir), strict=True)).test_client()
    locked = {"Authorization": "locked-to-the-other-tenant"}
    body = load("seed_twitch_request.json")
    body["identityProvider"]["name"] = "Other Twitch"
    provider = client.post("/api/identity-provider", json=body, headers=locked).get_json()["identityProvider"]
    assert provider["tenantId"] == OTHER_TENANT
    wrong = client.get("/api/identity-provider", headers={**locked, "X-FusionAuth-TenantId": TENANT_ID})
    assert (wrong.status_code, wrong.data) == (401, b"")


def test_a_fixtures_folder_with_some_files_takes_the_others_from_the_defaults(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures" / "lootlocker"
    folder.mkdir(parents=True)
    games = json.loads((DEFAULT_FIXTURES_DIR / "lootlocker" / "games.json").read_text())
    games[0]["name"] = "my own game"
    (folder / "games.json").write_text(json.dumps(games))
    state = fixtures.load(tmp_path / "fixtures", specs())
    assert next(iter(state["lootlocker.games"].values()))["name"] == "my own game"
    assert TENANT_ID in state["fusionauth.tenants"]  # not in the folder: the default file
    assert state["fusionauth.api-keys"]  # so the server has an API key to print
