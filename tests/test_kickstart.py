"""Kickstart: a fresh FusionAuth install plus a Kickstart file, applied through the mock's own API, once per state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from fusionauth.fusionauth_client import FusionAuthClient

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.fusionauth.fresh_install import DEFAULT_HMAC_KEY_ID, FUSIONAUTH_APPLICATION_ID
from mockserver.fusionauth.kickstart import KickstartError

from .conftest import LiveServer

KEY = "kickstart-test-key-0123456789"
DEFAULT_TENANT = "30663132-6464-6665-3032-326466613934"
APP = "85a03867-dccf-4882-adde-1a79aeec50df"


def write(folder: Path, document: dict[str, Any], name: str = "kickstart.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document, indent=2))
    return path


def every_feature(folder: Path) -> Path:
    """A Kickstart file that uses each feature FusionAuth documents."""
    (folder / "css").mkdir()
    (folder / "css" / "styles.css").write_text('body { color: "#{color}"; }\n/* second line */\n')
    (folder / "bodies").mkdir()
    write(folder / "bodies", {"registration": {"applicationId": "#{appId}", "roles": ["ceo"]}}, "register.json")
    write(
        folder / "bodies",
        {"method": "PATCH", "url": "/api/tenant/#{FUSIONAUTH_TENANT_ID}", "body": {"tenant": {"issuer": "#{issuer}"}}},
        "patch-tenant.json",
    )
    return write(
        folder,
        {
            "variables": {
                "defaultTenantId": DEFAULT_TENANT,
                "appId": APP,
                "themeId": "#{UUID()}",
                "password": "#{ENV.KICKSTART_TEST_PASSWORD}",
                "color": "red",
                "issuer": "https://auth.example.com",
            },
            "apiKeys": [
                {"key": KEY, "description": "unrestricted: the requests run with it"},
                {"key": "second-key-0123456789", "description": "another one"},
            ],
            "requests": [
                {
                    "method": "POST",
                    "url": "/api/application/#{appId}",
                    "tenantId": "#{FUSIONAUTH_TENANT_ID}",
                    "body": {
                        "application": {
                            "name": "Pied Piper",
                            "roles": [{"name": "dev"}, "ceo", {"name": "intern", "isDefault": True}],
                            "loginConfiguration": {"generateRefreshTokens": True},
                            "data": {"literal": "\\#{not a variable}", "manager": "#{TENANT_MANAGER_ID}"},
                        }
                    },
                },
                {
                    # No leading slash: FusionAuth's examples write URLs both ways.
                    "method": "POST",
                    "url": "api/user/registration/00000000-0000-0000-0000-000000000001",
                    "body": {
                        "user": {"email": "admin@example.com", "password": "#{password}"},
                        "registration": {"applicationId": "#{FUSIONAUTH_APPLICATION_ID}", "roles": ["admin"]},
                    },
                },
                {
                    "method": "POST",
                    "url": "/api/user/registration/00000000-0000-0000-0000-000000000001",
                    "body": "&{bodies/register.json}",
                },
                "&{bodies/patch-tenant.json}",
                {
                    "method": "PATCH",
                    "url": "/api/application/#{appId}",
                    "contentType": "application/merge-patch+json",
                    "body": {"application": {"data": {"patched": True}}},
                },
                {
                    "method": "POST",
                    "url": "/api/theme/#{themeId}",
                    "body": {"theme": {"name": "Kickstarted", "stylesheet": "@{css/styles.css}"}},
                },
            ],
        },
    )


@pytest.fixture
def kickstarted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("KICKSTART_TEST_PASSWORD", "password-from-env")
    path = every_feature(tmp_path)
    app = create_app(Config(strict=True, kickstart=str(path), state_path=str(tmp_path / "state.sqlite3")))
    return app.test_client()


AUTH = {"Authorization": KEY}


def test_the_fresh_install_has_fusionauths_defaults_and_no_demo_data(kickstarted: Any) -> None:
    tenants = kickstarted.get("/api/tenant", headers=AUTH).get_json()["tenants"]
    assert [(t["id"], t["name"]) for t in tenants] == [(DEFAULT_TENANT, "Default")]  # defaultTenantId
    assert tenants[0]["emailConfiguration"]["verifyEmail"] is False
    applications = {a["id"]: a for a in kickstarted.get("/api/application", headers=AUTH).get_json()["applications"]}
    names = sorted(a["name"] for a in applications.values())
    assert names == ["FusionAuth", "Pied Piper", "Tenant Manager"]
    assert "admin" in {r["name"] for r in applications[FUSIONAUTH_APPLICATION_ID]["roles"]}
    assert kickstarted.get("/api/identity-provider", headers=AUTH).get_json()["identityProviders"] == []
    keys = kickstarted.get("/_mock/state").get_json()["fusionauth.keys"]
    assert DEFAULT_HMAC_KEY_ID in keys and any(k["algorithm"] == "RS256" for k in keys.values())
    jwks = kickstarted.get("/.well-known/jwks.json").get_json()["keys"]
    assert [k["kty"] for k in jwks] == ["RSA"]  # the HMAC key is never published
    # The demo fixtures' API key is gone: the file's keys are the only ones.
    assert (
        kickstarted.get(
            "/api/tenant", headers={"Authorization": "mockserver-dev-api-key-not-for-production"}
        ).status_code
        == 401
    )
    assert kickstarted.get("/api/tenant", headers={"Authorization": "second-key-0123456789"}).status_code == 200


def test_every_kickstart_feature_is_applied(kickstarted: Any) -> None:
    application = kickstarted.get(f"/api/application/{APP}", headers=AUTH).get_json()["application"]
    assert application["tenantId"] == DEFAULT_TENANT
    assert {r["name"] for r in application["roles"]} == {"dev", "ceo", "intern"}  # objects and strings
    assert application["data"]["literal"] == "#{not a variable}"  # escaped
    assert application["data"]["patched"] is True  # the merge-patch content type
    manager = next(
        a
        for a in kickstarted.get("/api/application", headers=AUTH).get_json()["applications"]
        if a["name"] == "Tenant Manager"
    )
    assert application["data"]["manager"] == manager["id"]  # a built-in variable
    user = kickstarted.get("/api/user/00000000-0000-0000-0000-000000000001", headers=AUTH).get_json()["user"]
    roles = {r["applicationId"]: r["roles"] for r in user["registrations"]}
    assert roles == {FUSIONAUTH_APPLICATION_ID: ["admin"], APP: ["ceo"]}  # &{} body
    login = kickstarted.post(
        "/api/login",
        headers=AUTH,
        json={"loginId": "admin@example.com", "password": "password-from-env", "applicationId": APP},
    )
    assert login.status_code == 200, login.data  # #{ENV.…}
    tenant = kickstarted.get(f"/api/tenant/{DEFAULT_TENANT}", headers=AUTH).get_json()["tenant"]
    assert tenant["issuer"] == "https://auth.example.com"  # a whole request from &{}
    themes = kickstarted.get("/api/theme", headers=AUTH).get_json()["themes"]
    theme = next(t for t in themes if t["name"] == "Kickstarted")
    assert theme["stylesheet"] == 'body { color: "red"; }\n/* second line */\n'  # @{} text, variables expanded
    assert len(theme["id"]) == 36  # #{UUID()}


def test_the_kickstarted_state_exports_and_imports(kickstarted: Any) -> None:
    state = kickstarted.get("/_mock/state").get_json()
    imported = kickstarted.put("/_mock/state", json=state)
    assert imported.status_code == 200, imported.data
    assert kickstarted.get("/_mock/state").get_json() == state


def test_reset_returns_to_the_kickstarted_state(kickstarted: Any) -> None:
    assert kickstarted.delete(f"/api/application/{APP}?hardDelete=true", headers=AUTH).status_code == 200
    assert kickstarted.post("/_mock/reset").status_code == 200
    assert kickstarted.get(f"/api/application/{APP}", headers=AUTH).status_code == 200


def test_a_kickstart_runs_once_per_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KICKSTART_TEST_PASSWORD", "password-from-env")
    path = every_feature(tmp_path)
    config = Config(strict=True, kickstart=str(path), state_path=str(tmp_path / "state.sqlite3"))
    create_app(config).test_client().post(
        "/api/user/00000000-0000-0000-0000-000000000009",
        headers=AUTH,
        json={"user": {"email": "later@example.com", "password": "password-123"}},
    )
    # A restart on the same state: the file's requests would fail now (the application exists): they do not run.
    again = create_app(config).test_client()
    assert again.get("/api/user/00000000-0000-0000-0000-000000000009", headers=AUTH).status_code == 200


def test_a_failing_request_stops_the_start_and_names_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "apiKeys": [{"key": KEY}],
            "requests": [
                {"method": "POST", "url": "/api/application", "body": {"application": {"name": "ok"}}},
                {"method": "POST", "url": "/api/application", "body": {"application": {"name": ""}}},
                {"method": "POST", "url": "/api/application", "body": {"application": {"name": "never"}}},
            ],
        },
    )
    state = tmp_path / "state.sqlite3"
    with pytest.raises(KickstartError) as error:
        create_app(Config(kickstart=str(path), state_path=str(state)))
    message = str(error.value)
    assert str(path) in message and "request 1 [POST /api/application]" in message
    assert "status 400" in message and "[blank]application.name" in message
    # Nothing half-applied is kept: the fixed file runs in full on the next start.
    fixed = json.loads(path.read_text())
    fixed["requests"][1]["body"]["application"]["name"] = "fixed"
    path.write_text(json.dumps(fixed))
    client = create_app(Config(kickstart=str(path), state_path=str(state))).test_client()
    names = sorted(a["name"] for a in client.get("/api/application", headers=AUTH).get_json()["applications"])
    assert names == ["FusionAuth", "Tenant Manager", "fixed", "never", "ok"]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"requests": [{"url": "/api/x", "body": {"a": "#{nope}"}}]}, "unknown variable #{nope}"),
        ({"requests": [{"url": "/api/x", "body": "&{missing.json}"}]}, "cannot read"),
        ({"requests": [{"url": "/api/x", "body": {"a": "#{ENV.MOCKSERVER_SURELY_UNSET}"}}]}, "MOCKSERVER_SURELY_UNSET"),
        ({"requests": {"url": "/api/x"}}, "requests must be a list"),
    ],
)
def test_a_broken_file_is_reported(tmp_path: Path, document: dict[str, Any], expected: str) -> None:
    path = write(tmp_path, document)
    with pytest.raises(KickstartError, match=expected.replace("{", r"\{").replace("}", r"\}")):
        create_app(Config(kickstart=str(path), state_path=str(tmp_path / "state.sqlite3")))


def test_serve_with_fusionauths_variable_and_the_official_client(tmp_path: Path) -> None:
    """As FusionAuth's own client suite runs: FUSIONAUTH_APP_KICKSTART_FILE, then the official client."""
    path = write(
        tmp_path,
        {
            "variables": {"appId": APP},
            "apiKeys": [{"key": KEY}],
            "requests": [
                {
                    "method": "POST",
                    "url": "/api/application/#{appId}",
                    "body": {
                        "application": {"name": "Pied Piper", "loginConfiguration": {"generateRefreshTokens": True}}
                    },
                },
                {
                    "method": "POST",
                    "url": "/api/user/registration/00000000-0000-0000-0000-000000000001",
                    "body": {
                        "user": {"email": "admin@example.com", "password": "password"},
                        "registration": {"applicationId": "#{appId}"},
                    },
                },
            ],
        },
    )
    server = LiveServer(env={"FUSIONAUTH_APP_KICKSTART_FILE": str(path)}).start()
    try:
        client = FusionAuthClient(KEY, server.url)
        assert len(client.retrieve_applications().success_response["applications"]) == 3
        login = client.login({"loginId": "admin@example.com", "password": "password", "applicationId": APP})
        assert login.status == 200, login.error_response
        logout = FusionAuthClient("", server.url).logout(True, login.success_response["refreshToken"])
        assert logout.status == 200
        assert "Kickstart applied" in server.output()
    finally:
        server.stop()


def test_serve_stops_on_a_failing_kickstart(tmp_path: Path) -> None:
    path = write(tmp_path, {"apiKeys": [{"key": KEY}], "requests": [{"method": "POST", "url": "/api/nowhere"}]})
    done = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "serve", "--port", "0", "--kickstart", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "request 0 [POST /api/nowhere] failed with status 404" in done.stderr


def test_a_second_server_on_a_busy_port_exits_at_once(live: LiveServer) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "serve", "--port", str(live.port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "address already in use" in done.stderr
    assert requests.get(f"{live.url}/_mock/health", timeout=5).status_code == 200  # the first one is unharmed
