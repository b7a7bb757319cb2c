"""LootLocker's auth client v3 over HTTP (strict test client): the game's identity providers, a link lease as a
browser account page begins it (client_id, redirect_uri), claim → verify → authorize, then attach by the
player's session; errors, isolation, Prefer forcing and the CORS preflight of /client/v3/..."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .test_ll_remote import PAGE, qr_text
from .test_lootlocker_helpers import (
    DOMAIN_KEY,
    ENVIRONMENT_ID,
    GAME_KEY,
    TITLE_ID,
    connected,
    error_of,
    guest,
    register,
    session_headers,
)
from .test_lootlocker_leases import begin_link, poll

CONFIG = "/client/v3/config/external-authentication"
ORIGIN = "https://account.example.test"
PASSWORD = "correct horse battery 9"


def begin(client: FlaskClient, **body: Any) -> dict[str, Any]:
    response = client.post("/client/v3/remote/lease", json=body or {"client_id": GAME_KEY})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def to_verified(client: FlaskClient, lease: dict[str, Any]) -> None:
    claimed = client.post("/client/v3/remote/claim", json={"code": lease["code"]})
    assert claimed.status_code == 200, claimed.get_json()
    verified = client.post("/client/v3/remote/verify", json={"code": lease["code"], "nonce": lease["nonce"]})
    assert verified.status_code == 200 and verified.get_json()["status"] == "VERIFIED"


def authorize(client: FlaskClient, lease: dict[str, Any], **account: str) -> Any:
    return client.post("/client/v3/remote/authorize", json={"code": lease["code"], "nonce": lease["nonce"], **account})


def attach(client: FlaskClient, player: dict[str, Any], lease: dict[str, Any]) -> Any:
    body = {"code": lease["code"], "nonce": lease["nonce"]}
    return client.put("/game/v1/connected-accounts/attach", json=body, headers=session_headers(player))


def test_the_game_s_identity_providers(client: FlaskClient) -> None:
    response = client.get(CONFIG, query_string={"title_id": TITLE_ID, "environment_id": ENVIRONMENT_ID})
    providers = response.get_json()["identity_providers"]
    assert response.status_code == 200
    assert {"id": "steam", "name": "Steam"} in providers and {"id": "credentials", "name": "White Label"} in providers
    assert {"id": "epic_games", "name": "Epic Games"} in providers
    assert not {"guest", "android", "ios", "amazon_luna"} & {p["id"] for p in providers}  # nothing to link
    error_of(client.get(CONFIG, query_string={"title_id": TITLE_ID}), 400, "parameter_missing", "environment_id")
    unknown = client.get(CONFIG, query_string={"title_id": TITLE_ID, "environment_id": TITLE_ID})
    error_of(unknown, 404, "not_found")


def test_account_page_links_a_provider_through_a_lease(client: FlaskClient) -> None:
    register(client, "epic", "epic-77", username="laurie")
    lease = client.post("/client/v3/remote/lease", json={"client_id": GAME_KEY}, base_url="http://acc.test:9000")
    lease = lease.get_json()
    assert lease["status"] == "CREATED" and lease["intent"] == "link"
    assert (
        lease["redirect_uri"]
        == lease["redirect_url"]
        == f"http://acc.test:9000{PAGE}?code={lease['code']}&nonce={lease['nonce']}"
    )
    assert qr_text(lease["redirect_url_qr_base64"]) == lease["redirect_url"]
    claimed = client.post("/client/v3/remote/claim", json={"code": lease["code"].lower()}).get_json()
    assert claimed == {
        "code": lease["code"],
        "nonce": lease["nonce"],
        "status": "CLAIMED",
        "intent": "link",
        "client_id": GAME_KEY,
        "environment": "development",
        "title_id": TITLE_ID,
        "environment_id": ENVIRONMENT_ID,
    }
    verified = client.post("/client/v3/remote/verify", json={"code": lease["code"], "nonce": lease["nonce"]})
    assert verified.get_json() == {
        "code": lease["code"],
        "nonce": lease["nonce"],
        "status": "VERIFIED",
        "intent": "link",
    }
    # The game polls the lease as the SDKs do.
    assert poll(client, lease).get_json() == {"lease_status": "VERIFIED", "intent": "link"}
    done = authorize(client, lease, provider="epic_games", identity_id="epic-77")  # LootLocker's provider name
    assert done.status_code == 200 and done.get_json()["status"] == "AUTHORIZED"
    # Any player of the game who holds code and nonce attaches it (the lease was begun without a session).
    player = guest(client)
    attached = attach(client, player, lease)
    assert attached.status_code == 200 and attached.get_json()["connected_account"]["provider"] == "epic_games"
    assert connected(client, player) == ["epic_games", "guest"]
    error_of(attach(client, player, lease), 400, "parameter_invalid", "code")  # spent


def test_white_label_account_through_the_auth_client(client: FlaskClient) -> None:
    headers = {"domain-key": DOMAIN_KEY, "is-development": "true"}
    email = "jian@yang.test"
    assert (
        client.post(
            "/white-label-login/sign-up", json={"email": email, "password": PASSWORD}, headers=headers
        ).status_code
        == 200
    )
    lease = begin(client, title_id=TITLE_ID, environment_id=ENVIRONMENT_ID)  # the game by title + environment
    to_verified(client, lease)
    error_of(authorize(client, lease, email=email, password="wrong password 42"), 401, "unauthorized")
    error_of(authorize(client, lease, email=email), 400, "parameter_missing", "password")
    assert authorize(client, lease, email=email, password=PASSWORD).status_code == 200
    player = guest(client)
    assert attach(client, player, lease).get_json()["connected_account"]["provider"] == "credentials"


def test_steps_out_of_order_and_bad_input(client: FlaskClient) -> None:
    register(client, "steam", "7656", username="erlich")
    lease = begin(client)
    error_of(client.post("/client/v3/remote/claim", json={"code": "NOPE1234"}), 404, "not_found")
    error_of(client.post("/client/v3/remote/claim", json={"code": "../\u0000"}), 404, "not_found")
    error_of(client.post("/client/v3/remote/claim", json={}), 400, "parameter_missing", "code")
    wrong = {"code": lease["code"], "nonce": "01HZZZZZZZZZZZZZZZZZZZZZZZ"}
    error_of(
        client.post("/client/v3/remote/verify", json={"code": lease["code"], "nonce": lease["nonce"]}), 409, "conflict"
    )
    assert client.post("/client/v3/remote/claim", json={"code": lease["code"]}).status_code == 200
    error_of(client.post("/client/v3/remote/claim", json={"code": lease["code"]}), 409, "conflict")  # claimed
    error_of(client.post("/client/v3/remote/verify", json=wrong), 400, "parameter_invalid", "nonce")
    error_of(authorize(client, lease, provider="steam", identity_id="7656"), 409, "conflict")  # not verified
    assert (
        client.post("/client/v3/remote/verify", json={"code": lease["code"], "nonce": lease["nonce"]}).status_code
        == 200
    )
    error_of(authorize(client, lease), 400, "parameter_invalid", "provider")  # a link lease needs an account
    error_of(authorize(client, lease, provider="steam"), 400, "parameter_invalid", "provider")
    error_of(authorize(client, lease, provider="steam", identity_id="nobody"), 404, "not_found")
    error_of(client.post("/client/v3/remote/lease", json={"client_id": "nope"}), 401, "unauthorized")
    error_of(client.post("/client/v3/remote/lease", json={}), 400, "parameter_missing", "client_id")


def test_a_lease_begun_by_a_player_is_attached_only_by_that_player(client: FlaskClient) -> None:
    register(client, "steam", "7657", username="dinesh")
    owner, other = guest(client), guest(client)
    lease = begin_link(client, owner)
    to_verified(client, lease)  # the auth client drives Game API leases too
    assert authorize(client, lease, provider="steam", identity_id="7657").status_code == 200
    error_of(attach(client, other, lease), 403, "forbidden")
    assert attach(client, owner, lease).status_code == 200


@pytest.mark.parametrize("status", [409, 429, 503])
def test_prefer_forces_a_documented_status(client: FlaskClient, status: int) -> None:
    lease = begin(client)
    forced = client.post("/client/v3/remote/claim", json={"code": lease["code"]}, headers={"Prefer": f"code={status}"})
    assert forced.status_code == status and "forced with Prefer" in forced.get_json()["message"]
    assert poll(client, lease).get_json()["lease_status"] == "CREATED"  # nothing changed


def test_prefer_200_runs_the_real_step_and_an_impossible_one_is_refused(client: FlaskClient) -> None:
    lease = begin(client)
    ok = client.post("/client/v3/remote/claim", json={"code": lease["code"]}, headers={"Prefer": "code=200"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "CLAIMED"
    again = client.post("/client/v3/remote/claim", json={"code": lease["code"]}, headers={"Prefer": "code=200"})
    assert again.status_code == 400 and "current state gives 409" in again.get_json()["message"]
    undocumented = client.get(
        CONFIG, query_string={"title_id": TITLE_ID, "environment_id": ENVIRONMENT_ID}, headers={"Prefer": "code=403"}
    )
    assert undocumented.status_code == 400


@pytest.mark.parametrize(
    ("path", "method"),
    [
        (CONFIG, "GET"),
        ("/client/v3/remote/lease", "POST"),
        ("/client/v3/remote/claim", "POST"),
        ("/client/v3/remote/verify", "POST"),
        ("/client/v3/remote/authorize", "POST"),
    ],
)
def test_browsers_preflight_the_auth_client(client: FlaskClient, path: str, method: str) -> None:
    requested = "content-type, x-session-token"
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": requested}
    flight = client.options(path, headers=headers)
    assert flight.status_code == 204
    assert flight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert flight.headers["Access-Control-Allow-Credentials"] == "true"
    assert method in flight.headers["Access-Control-Allow-Methods"]
    assert flight.headers["Access-Control-Allow-Headers"] == requested
    # The answer itself, an error included, carries the CORS headers; an empty session token is ignored.
    answer = client.open(
        path, method=method, json={} if method == "POST" else None, headers={"Origin": ORIGIN, "x-session-token": ""}
    )
    assert answer.status_code == 400 and answer.headers["Access-Control-Allow-Origin"] == ORIGIN
