"""CORS on the LootLocker routes (mockserver/cors.py): preflights per route family, the CORS headers on every
answer to a request with an Origin (successes, 401, unknown paths' 404, 405), none without an Origin,
FusionAuth's routes untouched, and an empty x-session-token ignored where no session is needed."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mockserver.cors import with_cors

from .conftest import API_KEY, LiveServer
from .ll_admin_helpers import admin_headers, sign_in
from .test_lootlocker_files import download, upload
from .test_lootlocker_helpers import DOMAIN_KEY, GAME_KEY, error_of, guest, session_headers

ORIGIN = "https://play.example.test"
REQUESTED = "content-type, x-session-token, x-auth-token, domain-key, is-development, LL-Version, LL-Request-Id"
CORS_HEADERS = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods")


def preflight(client: FlaskClient, path: str, method: str = "POST", headers: str = REQUESTED) -> Any:
    return client.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


def assert_cors(response: Any) -> None:
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in [v.strip() for v in response.headers["Vary"].split(",")]


def assert_no_cors(response: Any) -> None:
    assert not [name for name, _ in response.headers if name.lower().startswith("access-control-")]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/game/v2/session/guest", "POST"),  # Game API, no session
        ("/game/v1/connected-accounts", "GET"),  # Game API, session
        ("/white-label-login/sign-up", "POST"),  # White Label
        ("/admin/v1/session", "POST"),  # Admin API
        ("/admin/v1/game/1", "DELETE"),  # Admin API with a path parameter
        ("/_files/lootlocker/1/01ABC", "GET"),  # file downloads
    ],
)
def test_a_preflight_is_answered_for_every_route_family(client: FlaskClient, path: str, method: str) -> None:
    response = preflight(client, path, method)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_cors(response)
    assert method in [m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")]
    assert response.headers["Access-Control-Allow-Headers"] == REQUESTED  # reflected
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Request-Headers" in response.headers["Vary"]


def test_a_preflight_reflects_whatever_headers_are_requested(client: FlaskClient) -> None:
    asked = "x-session-token, LL-Retry-Attempt, LL-SDK-Version, x-custom"
    response = preflight(client, "/game/v1/player/name", "PATCH", asked)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Headers"] == asked
    # Without Access-Control-Request-Headers, the headers LootLocker's clients send are allowed.
    bare = client.options("/game/ping", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}).headers[
        "Access-Control-Allow-Headers"
    ]
    for name in ("content-type", "x-session-token", "x-auth-token", "domain-key", "is-development"):
        assert name in bare.lower()


def test_a_success_carries_the_cors_headers(client: FlaskClient) -> None:
    body = {"game_key": GAME_KEY, "game_version": "1.0.0"}
    response = client.post("/game/v2/session/guest", json=body, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert_cors(response)
    session = response.get_json()
    listed = client.get("/game/v1/connected-accounts", headers={"Origin": ORIGIN, **session_headers(session)})
    assert listed.status_code == 200  # the dispatcher's direct path
    assert_cors(listed)


def test_errors_carry_the_cors_headers(client: FlaskClient) -> None:
    unauthorized = client.get("/game/v1/connected-accounts", headers={"Origin": ORIGIN})
    error_of(unauthorized, 401, "unauthorized")
    assert_cors(unauthorized)

    unknown = client.get("/game/v1/no-such-thing", headers={"Origin": ORIGIN})
    assert unknown.status_code == 404
    assert unknown.get_json()["code"] == "not_found"  # still LootLocker's body
    assert_cors(unknown)

    not_allowed = client.put("/game/ping", headers={"Origin": ORIGIN})
    assert not_allowed.status_code == 405
    assert "GET" in not_allowed.headers["Allow"]
    assert_cors(not_allowed)

    admin = client.get("/admin/v1/user/all", headers={"Origin": ORIGIN})
    assert admin.status_code == 401
    assert_cors(admin)

    bad_body = client.post(
        "/game/v2/session/guest", data=b"{", content_type="application/json", headers={"Origin": ORIGIN}
    )
    assert bad_body.status_code == 400
    assert_cors(bad_body)


def test_admin_and_white_label_answers_carry_the_cors_headers(client: FlaskClient) -> None:
    login = sign_in(client)
    games = client.get("/admin/v1/user/all", headers={"Origin": ORIGIN, **admin_headers(login["auth_token"])})
    assert games.status_code == 200
    assert_cors(games)
    wl = client.post(
        "/white-label-login/login",
        json={"email": "nobody@example.test", "password": "wrong-password"},
        headers={"Origin": ORIGIN, "domain-key": DOMAIN_KEY, "is-development": "true"},
    )
    assert wl.status_code == 401
    assert_cors(wl)


def test_file_downloads_carry_the_cors_headers(client: FlaskClient) -> None:
    session = guest(client)
    file = upload(client, session).get_json()
    url = file["url"].removeprefix("http://localhost")
    got = client.get(url, headers={"Origin": ORIGIN})
    assert got.status_code == 200 and got.data == b"First added line\n"
    assert_cors(got)
    missing = client.get("/_files/lootlocker/0/none?expires=1&signature=x", headers={"Origin": ORIGIN})
    assert missing.status_code == 404
    assert_cors(missing)
    assert_no_cors(download(client, file["url"]))  # no Origin


def test_a_route_s_own_vary_and_cors_headers_are_merged_not_doubled() -> None:
    merged = with_cors([("Vary", "Accept-Encoding"), ("Access-Control-Allow-Origin", "*"), ("X-A", "1")], ORIGIN)
    assert [v for n, v in merged if n == "Vary"] == ["Accept-Encoding, Origin"]
    assert [v for n, v in merged if n == "Access-Control-Allow-Origin"] == [ORIGIN]
    assert ("X-A", "1") in merged
    assert [v for n, v in with_cors([("Vary", "origin")], ORIGIN) if n == "Vary"] == ["origin"]


def test_no_cors_headers_without_an_origin(client: FlaskClient) -> None:
    body = {"game_key": GAME_KEY, "game_version": "1.0.0"}
    assert_no_cors(client.post("/game/v2/session/guest", json=body))
    assert_no_cors(client.get("/game/v1/connected-accounts"))
    assert_no_cors(client.get("/game/v1/no-such-thing"))
    # An OPTIONS without an Origin is no preflight: routing answers it as before.
    plain = client.options("/game/ping")
    assert plain.status_code != 204 or "Access-Control-Allow-Origin" not in plain.headers
    assert_no_cors(plain)


def test_fusionauth_routes_are_unaffected(client: FlaskClient) -> None:
    status = client.get("/api/status", headers={"Origin": ORIGIN})
    assert status.status_code == 200
    assert_no_cors(status)
    users = client.get("/api/user/search?queryString=*", headers={"Origin": ORIGIN, "Authorization": API_KEY})
    assert_no_cors(users)
    assert "Origin" not in users.headers.get("Vary", "")
    flight = preflight(client, "/api/user/search", "GET")
    assert flight.status_code != 204
    assert_no_cors(flight)
    # Nor the control plane.
    assert_no_cors(client.get("/_mock/requests", headers={"Origin": ORIGIN}))


def test_an_empty_session_token_is_ignored_where_no_session_is_needed(client: FlaskClient) -> None:
    empty = {"Origin": ORIGIN, "x-session-token": ""}
    body = {"game_key": GAME_KEY, "game_version": "1.0.0"}
    started = client.post("/game/v2/session/guest", json=body, headers=empty)
    assert started.status_code == 200, started.get_json()
    assert_cors(started)
    signed_up = client.post(
        "/white-label-login/sign-up",
        json={"email": "cors@example.test", "password": "a-long-password"},
        headers={**empty, "domain-key": DOMAIN_KEY, "is-development": "true"},
    )
    assert signed_up.status_code == 200, signed_up.get_json()
    # Where a session is needed, an empty token is no session.
    error_of(client.get("/game/v1/connected-accounts", headers=empty), 401, "unauthorized")


def test_a_browser_s_exchange_over_a_real_server(live_clean: LiveServer) -> None:
    """granian's WSGI path (wsgi.buffered) with the same headers: preflight, then the request it cleared."""
    url = f"{live_clean.url}/game/v2/session/guest"
    flight = requests.options(
        url,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": REQUESTED,
        },
        timeout=10,
    )
    assert flight.status_code == 204 and flight.content == b""
    assert_cors(flight)
    assert flight.headers["Access-Control-Allow-Headers"] == REQUESTED
    body = {"game_key": GAME_KEY, "game_version": "1.0.0"}
    started = requests.post(url, json=body, headers={"Origin": ORIGIN, "x-session-token": ""}, timeout=10)
    assert started.status_code == 200, started.text
    assert_cors(started)
    unknown = requests.get(f"{live_clean.url}/game/nothing/here", headers={"Origin": ORIGIN}, timeout=10)
    assert unknown.status_code == 404
    assert_cors(unknown)
    plain = requests.post(url, json=body, timeout=10)
    assert plain.status_code == 200
    assert "Access-Control-Allow-Origin" not in plain.headers


def test_the_journal_records_the_answer_with_its_cors_headers(client: FlaskClient) -> None:
    body = {"game_key": GAME_KEY, "game_version": "1.0.0"}
    client.post("/game/v2/session/guest", json=body, headers={"Origin": ORIGIN})  # the direct path
    client.get("/game/v1/no-such-thing", headers={"Origin": ORIGIN})  # through Flask
    client.post("/game/v2/session/guest", json=body)
    entries = client.get("/_mock/requests").get_json()["requests"]
    plain, unknown, started = entries[:3]
    for entry in (unknown, started):
        assert entry["request"]["headers"]["Origin"] == ORIGIN
        assert entry["response"]["headers"]["Access-Control-Allow-Origin"] == ORIGIN
        assert entry["response"]["headers"]["Vary"] == "Origin"
    assert unknown["response"]["status"] == 404
    assert "Access-Control-Allow-Origin" not in plain["response"]["headers"]
