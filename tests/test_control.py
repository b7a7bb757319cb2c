"""The /_mock control plane."""

from __future__ import annotations

from flask.testing import FlaskClient

from .conftest import TENANT_ID, TWITCH_ID, load


def test_health(client: FlaskClient) -> None:
    response = client.get("/_mock/health")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_state_dump_holds_the_fixtures(client: FlaskClient) -> None:
    state = client.get("/_mock/state").get_json()
    assert TENANT_ID in state["fusionauth.tenants"]
    assert "fusionauth.identityProviders" not in state


def test_reset_returns_to_the_fixtures(client: FlaskClient, auth: dict[str, str]) -> None:
    client.post("/api/identity-provider", json=load("seed_twitch_request.json"), headers=auth)
    assert TWITCH_ID in client.get("/_mock/state").get_json()["fusionauth.identityProviders"]
    assert client.post("/_mock/reset").get_json() == {"status": "reset"}
    assert "fusionauth.identityProviders" not in client.get("/_mock/state").get_json()
    assert client.get(f"/api/identity-provider/{TWITCH_ID}", headers=auth).status_code == 404


def test_control_plane_errors_are_json(client: FlaskClient) -> None:
    response = client.get("/_mock/nothing-here")
    assert response.status_code == 404 and response.get_json() == {"error": "Not Found"}
