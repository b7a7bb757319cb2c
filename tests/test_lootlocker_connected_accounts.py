"""Connected accounts over HTTP: list, connect (the seed's Twitch example exactly), conflicts, unlink on both
paths, transfer between two sessions (all or nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .conftest import load
from .test_lootlocker_helpers import GAME_KEY, SEED_CODE, connected, error_of, guest, register, session_headers


def connect(client: FlaskClient, session: dict[str, Any], path: str, body: dict[str, Any]) -> Any:
    return client.put(f"/game/v1/connected-accounts/{path}", json=body, headers=session_headers(session))


def test_connect_twitch_with_the_seed_example_gives_the_seed_response(client: FlaskClient) -> None:
    # The seed's code belongs to a Twitch account registered through the control plane (single use).
    assert client.post("/_mock/identities", json=load("lootlocker_seed_twitch_identity.json")).status_code == 201
    session = guest(client)
    response = connect(client, session, "twitch", load("lootlocker_seed_twitch_request.json"))
    assert response.status_code == 200
    assert response.get_json() == load("lootlocker_seed_twitch_response.json")
    assert connected(client, session) == ["guest", "twitch"]


def test_the_seed_code_is_single_use_like_twitch(client: FlaskClient) -> None:
    register(client, "twitch", "141981764", code=SEED_CODE)
    session = guest(client)
    assert connect(client, session, "twitch", {"authorization_code": SEED_CODE}).status_code == 200
    other = guest(client)
    response = connect(client, other, "twitch", {"authorization_code": SEED_CODE})
    error_of(response, 400, "parameter_invalid", "authorization_code")


# (path, body, LootLocker provider, provider_name) with the fixture identities of fixtures/mock/identities.json
CONNECTS = [
    ("google", {"id_token": "google-id-token-gina", "platform": "web"}, "google", "Google"),
    ("apple-rest", {"authorization_code": "apple-code-anna"}, "apple", "Apple"),
    ("twitch", {"authorization_code": "twitch-code-richard"}, "twitch", "Twitch"),
    ("epic", {"token": "epic-token-eddie"}, "epic_games", "Epic Games"),
    ("playstation", {"environment": "prod", "code": "psn-code-pat"}, "playstation", "PlayStation"),
    ("discord", {"token": "discord-token-dora"}, "discord", "Discord"),
]


@pytest.mark.parametrize(("path", "body", "provider", "name"), CONNECTS)
def test_connect_each_provider(client: FlaskClient, path: str, body: dict[str, Any], provider: str, name: str) -> None:
    session = guest(client)
    response = connect(client, session, path, body)
    assert response.status_code == 200
    assert response.get_json() == {"connected_account": {"provider": provider, "provider_name": name}}
    assert provider in connected(client, session)
    assert connect(client, session, path, body).status_code == 200  # connecting it again changes nothing
    # The connected account now signs in as this player where LootLocker has a session for the provider.
    sign_ins = {
        "google": ("/game/session/google", {"id_token": "google-id-token-gina"}),
        "apple": ("/game/session/apple", {"apple_authorization_code": "apple-code-anna"}),
        "epic_games": ("/game/session/epic", {"id_token": "epic-token-eddie"}),
        "playstation": ("/game/session/psn-v3/v1/login", {"auth_code": "psn-code-pat"}),
        "discord": ("/game/session/discord", {"access_token": "discord-token-dora"}),
    }
    if provider in sign_ins:
        url, credentials = sign_ins[provider]
        signed_in = client.post(url, json={"game_key": GAME_KEY, **credentials}).get_json()
        assert signed_in["player_ulid"] == session["player_ulid"] and signed_in["seen_before"] is True


@pytest.mark.parametrize(("path", "body", "provider", "name"), CONNECTS)
def test_connect_with_an_unknown_credential_is_a_400(
    client: FlaskClient, path: str, body: dict[str, Any], provider: str, name: str
) -> None:
    session = guest(client)
    field = next(k for k in body if k not in ("platform", "environment"))
    response = connect(client, session, path, {**body, field: "not-a-known-credential"})
    error_of(response, 400, "parameter_invalid", field)
    assert connected(client, session) == ["guest"]


@pytest.mark.parametrize(("path", "body", "provider", "name"), CONNECTS)
def test_connect_without_the_credential_is_parameter_missing(
    client: FlaskClient, path: str, body: dict[str, Any], provider: str, name: str
) -> None:
    field = next(k for k in body if k not in ("platform", "environment"))
    error_of(connect(client, guest(client), path, {}), 400, "parameter_missing", field)


def test_an_account_connected_to_another_player_is_a_conflict(client: FlaskClient) -> None:
    first, second = guest(client), guest(client)
    body = {"authorization_code": "twitch-code-richard"}
    assert connect(client, first, "twitch", body).status_code == 200
    error_of(connect(client, second, "twitch", body), 409, "conflict")
    assert connected(client, second) == ["guest"]


def test_a_second_account_of_the_same_provider_is_a_conflict(client: FlaskClient) -> None:
    session = guest(client)
    assert connect(client, session, "twitch", {"authorization_code": "twitch-code-richard"}).status_code == 200
    error_of(connect(client, session, "twitch", {"authorization_code": "twitch-code-nomail"}), 409, "conflict")


def test_an_unknown_provider_is_a_404(client: FlaskClient) -> None:
    session = guest(client)
    error_of(connect(client, session, "myspace", {"token": "x"}), 404, "not_found")
    error_of(client.delete("/game/player/providers/myspace", headers=session_headers(session)), 404, "not_found")
    error_of(client.delete("/game/v1/connected-accounts/myspace", headers=session_headers(session)), 404, "not_found")


@pytest.mark.parametrize("prefix", ["/game/player/providers", "/game/v1/connected-accounts"])
def test_unlink_on_both_paths(client: FlaskClient, prefix: str) -> None:
    session = guest(client)
    assert connect(client, session, "epic", {"token": "epic-token-eddie"}).status_code == 200
    response = client.delete(f"{prefix}/epic", headers=session_headers(session))  # alias of epic_games
    assert response.status_code == 200
    assert response.get_json() == {"connected_account": {"provider": "epic_games", "provider_name": "Epic Games"}}
    assert connected(client, session) == ["guest"]
    error_of(client.delete(f"{prefix}/epic_games", headers=session_headers(session)), 404, "not_found")
    other = guest(client)  # the account is free again
    assert connect(client, other, "epic", {"token": "epic-token-eddie"}).status_code == 200


def test_connected_accounts_need_a_session(client: FlaskClient) -> None:
    error_of(client.put("/game/v1/connected-accounts/twitch", json={"authorization_code": "x"}), 401, "unauthorized")
    error_of(client.delete("/game/player/providers/twitch"), 401, "unauthorized")


# -- transfer ------------------------------------------------------------------------------------
def transfer(
    client: FlaskClient, caller: dict[str, Any], source: dict[str, Any], target: dict[str, Any], names: list[str]
) -> Any:
    body = {
        "source_token": source["session_token"],
        "target_token": target["session_token"],
        "identity_providers": names,
    }
    return client.put("/game/v1/connected-accounts/transfer-providers", json=body, headers=session_headers(caller))


def test_transfer_moves_providers_to_the_target(client: FlaskClient) -> None:
    source, target = guest(client), guest(client)
    assert connect(client, source, "twitch", {"authorization_code": "twitch-code-richard"}).status_code == 200
    assert connect(client, source, "google", {"id_token": "google-id-token-gina"}).status_code == 200
    response = transfer(client, source, source, target, ["twitch", "google"])
    assert response.status_code == 200
    names = [a["provider"] for a in response.get_json()["connected_accounts"]]
    assert names == ["google", "guest", "twitch"]
    assert connected(client, source) == ["guest"]
    signed_in = client.post("/game/session/google", json={"game_key": GAME_KEY, "id_token": "google-id-token-gina"})
    assert signed_in.get_json()["player_ulid"] == target["player_ulid"]


def test_transfer_is_all_or_nothing(client: FlaskClient) -> None:
    source, target = guest(client), guest(client)
    assert connect(client, source, "twitch", {"authorization_code": "twitch-code-richard"}).status_code == 200
    # The source lacks discord: nothing moves, not even twitch.
    error_of(
        transfer(client, source, source, target, ["twitch", "discord"]), 400, "parameter_invalid", "identity_providers"
    )
    assert connected(client, source) == ["guest", "twitch"] and connected(client, target) == ["guest"]
    # The target already has a guest account.
    error_of(transfer(client, source, source, target, ["twitch", "guest"]), 409, "conflict")
    assert connected(client, source) == ["guest", "twitch"]


def test_transfer_rejects_bad_tokens_and_strangers(client: FlaskClient) -> None:
    source, target, stranger = guest(client), guest(client), guest(client)
    assert connect(client, source, "twitch", {"authorization_code": "twitch-code-richard"}).status_code == 200
    error_of(transfer(client, stranger, source, target, ["twitch"]), 403, "forbidden")
    error_of(transfer(client, source, source, source, ["twitch"]), 400, "parameter_invalid", "target_token")
    dead = {"session_token": "0" * 40}
    error_of(transfer(client, source, dead, target, ["twitch"]), 400, "parameter_invalid", "source_token")
    error_of(transfer(client, source, source, dead, ["twitch"]), 400, "parameter_invalid", "target_token")
    error_of(transfer(client, source, source, target, []), 400, "parameter_invalid", "identity_providers")
    error_of(transfer(client, source, source, target, ["myspace"]), 400, "parameter_invalid", "identity_providers.0")
    assert connected(client, source) == ["guest", "twitch"]


def test_the_target_may_ask_for_the_transfer(client: FlaskClient) -> None:
    source, target = guest(client), guest(client)
    assert connect(client, source, "playstation", {"code": "psn-code-pat"}).status_code == 200
    response = transfer(client, target, source, target, ["psn"])
    assert response.status_code == 200 and "playstation" in connected(client, target)
