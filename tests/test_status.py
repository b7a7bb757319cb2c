"""GET /api/status: anonymous health check; a valid API key also gets the version."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_status_is_anonymous(client: FlaskClient) -> None:
    response = client.get("/api/status")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_status_with_an_api_key_has_the_version(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.get("/api/status", headers=auth).get_json() == {"status": "ok", "version": "1.69.0"}


def test_status_with_a_wrong_key_stays_anonymous(client: FlaskClient) -> None:
    # Anonymous operation: a wrong key is not a 401, it just gets the short answer.
    assert client.get("/api/status", headers={"Authorization": "nope"}).get_json() == {"status": "ok"}
