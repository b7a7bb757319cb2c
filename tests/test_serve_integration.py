"""`mockserver serve` as users run it, driven by the official FusionAuth Python client."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import requests
from fusionauth.fusionauth_client import FusionAuthClient

from mockserver.resources import DEFAULT_FIXTURES_DIR

from .conftest import API_KEY, TENANT_ID, TWITCH_ID, LiveServer, load


def test_identity_provider_life_cycle_with_the_official_client(live_clean: LiveServer) -> None:
    client = FusionAuthClient(API_KEY, live_clean.url)

    created = client.create_identity_provider(load("seed_twitch_request.json"))
    assert created.status == 200, created.error_response
    provider = created.success_response["identityProvider"]
    assert provider["id"] == TWITCH_ID and provider["name"] == "Twitch"

    assert client.retrieve_identity_provider(TWITCH_ID).success_response == {"identityProvider": provider}
    assert client.retrieve_identity_provider_by_type("Twitch").success_response == {"identityProviders": [provider]}
    assert client.retrieve_identity_providers().success_response == {"identityProviders": [provider]}

    body = load("seed_twitch_request.json")
    body["identityProvider"]["buttonText"] = "Sign in with Twitch"
    updated = client.update_identity_provider(TWITCH_ID, body).success_response["identityProvider"]
    assert updated["buttonText"] == "Sign in with Twitch"
    assert updated["insertInstant"] == provider["insertInstant"]

    patched = client.patch_identity_provider(TWITCH_ID, {"identityProvider": {"debug": True, "scope": None}})
    assert patched.status == 200
    assert patched.success_response["identityProvider"]["debug"] is True
    assert "scope" not in patched.success_response["identityProvider"]

    deleted = client.delete_identity_provider(TWITCH_ID)
    assert deleted.status == 200 and deleted.success_response is None
    missing = client.retrieve_identity_provider(TWITCH_ID)
    assert missing.status == 404 and missing.error_response is None


def test_errors_through_the_official_client(live_clean: LiveServer) -> None:
    client = FusionAuthClient(API_KEY, live_clean.url)
    assert client.create_identity_provider(load("seed_twitch_request.json")).status == 200

    duplicate = client.create_identity_provider(load("seed_twitch_request.json"))
    assert duplicate.status == 400
    assert duplicate.error_response["fieldErrors"]["identityProviderId"][0]["code"] == "[duplicate]identityProviderId"

    blank = load("seed_twitch_request.json")
    blank["identityProvider"]["client_id"] = ""
    blank["identityProvider"]["name"] = "Another"
    response = client.create_identity_provider(blank)
    assert response.status == 400
    assert list(response.error_response["fieldErrors"]) == ["identityProvider.client_id"]

    assert FusionAuthClient("not-the-key", live_clean.url).retrieve_identity_providers().status == 401

    client.set_tenant_id("00000000-0000-0000-0000-0000000000cc")
    unknown_tenant = client.retrieve_identity_providers()
    assert unknown_tenant.status == 400
    assert unknown_tenant.error_response["generalErrors"][0]["code"] == "[InvalidTenantIdException]"
    client.set_tenant_id(TENANT_ID)
    assert client.retrieve_identity_providers().status == 200


def test_serve_prints_url_and_api_key() -> None:
    server = LiveServer().start()
    output = server.stop()
    assert f"http://127.0.0.1:{server.port}" in output
    assert API_KEY in output


def test_workers_share_one_consistent_state() -> None:
    server = LiveServer("--workers", "3").start()
    try:
        session = requests.Session()
        auth = {"Authorization": API_KEY}
        ids = []
        for i in range(12):
            body = load("seed_twitch_request.json")
            body["identityProvider"]["name"] = f"Twitch {i}"
            # A new connection per request spreads them over the workers.
            response = requests.post(f"{server.url}/api/identity-provider", json=body, headers=auth, timeout=5)
            assert response.status_code == 200
            ids.append(response.json()["identityProvider"]["id"])
        for _ in range(6):
            listed = requests.get(f"{server.url}/api/identity-provider", headers=auth, timeout=5).json()
            assert sorted(p["id"] for p in listed["identityProviders"]) == sorted(ids)
        session.close()
    finally:
        server.stop()


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = str(tmp_path / "mock.sqlite3")
    first = LiveServer("--state", state).start()
    try:
        response = requests.post(
            f"{first.url}/api/identity-provider",
            json=load("seed_twitch_request.json"),
            headers={"Authorization": API_KEY},
            timeout=5,
        )
        assert response.status_code == 200
    finally:
        first.stop()
    second = LiveServer("--state", state).start()
    try:
        again = requests.get(
            f"{second.url}/api/identity-provider/{TWITCH_ID}", headers={"Authorization": API_KEY}, timeout=5
        )
        assert again.status_code == 200
        assert again.json() == {"identityProvider": response.json()["identityProvider"]}
    finally:
        second.stop()


def test_a_broken_fixture_stops_the_server(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures"
    shutil.copytree(DEFAULT_FIXTURES_DIR, folder)
    (folder / "fusionauth" / "tenants.json").write_text(json.dumps([{"id": "nope", "name": "Bad"}]))
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "serve", "--port", "0", "--fixtures", str(folder)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "tenants.json" in result.stderr and "0/id" in result.stderr


def test_the_process_environment_is_not_read_as_request_headers() -> None:
    # granian starts every WSGI environ as a copy of the worker's os.environ: HTTP_PROXY, a common
    # variable, would read as a "Proxy" header the client never sent (the "httpoxy" confusion).
    server = LiveServer(env={"HTTP_PROXY": "http://proxy.invalid:3128", "HTTP_X_FROM_ENV": "env"}).start()
    try:
        auth = {"Authorization": API_KEY}
        assert requests.get(f"{server.url}/api/identity-provider", headers=auth, timeout=5).status_code == 200
        sent = {"X-From-Env": "sent by the client", **auth}
        assert requests.get(f"{server.url}/api/identity-provider", headers=sent, timeout=5).status_code == 200
        newest, oldest = requests.get(f"{server.url}/_mock/requests", timeout=5).json()["requests"][:2]
        assert "Proxy" not in oldest["request"]["headers"] and "X-From-Env" not in oldest["request"]["headers"]
        assert "PATH" not in oldest["request"]["headers"]
        assert newest["request"]["headers"]["X-From-Env"] == "sent by the client"
        assert "Proxy" not in newest["request"]["headers"]
    finally:
        server.stop()
