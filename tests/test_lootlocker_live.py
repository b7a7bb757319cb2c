"""A game client's whole story against a live `mockserver serve`, over plain HTTP."""

from __future__ import annotations

from typing import Any

import requests

from .conftest import LiveServer
from .test_lootlocker_helpers import ENVIRONMENT_ID, GAME_KEY, TITLE_ID


class GameClient:
    """What a game's LootLocker SDK does, with requests."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.token: str | None = None

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        headers = {"LL-Version": "2021-03-01"}
        if self.token:
            headers["x-session-token"] = self.token
        response = requests.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=10)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def guest_login(self, identifier: str | None = None) -> dict[str, Any]:
        session = self.call("POST", "/game/v2/session/guest", {"game_key": GAME_KEY, "player_identifier": identifier})
        self.token = session["session_token"]
        return dict(session)

    def providers(self) -> list[str]:
        return [a["provider"] for a in self.call("GET", "/game/v1/connected-accounts")["connected_accounts"]]


def control(live: LiveServer, path: str, body: Any = None) -> Any:
    response = requests.post(f"{live.url}/_mock{path}", json=body, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_a_game_clients_story(live_clean: LiveServer) -> None:
    alice, bob = GameClient(live_clean.url), GameClient(live_clean.url)
    alice_session = alice.guest_login("alice-device")
    bob_session = bob.guest_login("bob-device")

    # Connect Twitch with a code registered through the control plane.
    identity = control(live_clean, "/identities", {"provider": "twitch", "id": "777", "username": "alice_tv"})
    connected = alice.call("PUT", "/game/v1/connected-accounts/twitch", {"authorization_code": identity["code"]})
    assert connected == {"connected_account": {"provider": "twitch", "provider_name": "Twitch"}}
    assert alice.providers() == ["guest", "twitch"]

    # The same Twitch account from a second player: conflict.
    again = control(live_clean, "/identities", {"provider": "twitch", "id": "777", "username": "alice_tv"})
    conflict = bob.call("PUT", "/game/v1/connected-accounts/twitch", {"authorization_code": again["code"]}, expect=409)
    assert conflict["code"] == "conflict" and conflict["doc_url"].endswith("#conflict")

    # Unlink.
    alice.call("DELETE", "/game/player/providers/twitch")
    assert alice.providers() == ["guest"]

    # A link lease, authorized on the "other device" through the control plane, then attached.
    info = alice.call("POST", "/game/info/v1", {"api_key": GAME_KEY})["info"]
    assert (info["title_id"], info["environment_id"]) == (TITLE_ID, ENVIRONMENT_ID)
    lease = alice.call("POST", "/game/session/remote/link/lease", {**info, "game_version": "1.0.0"})
    poll = {"game_key": GAME_KEY, "lease_code": lease["code"], "nonce": lease["nonce"]}
    for step, status in (("claim", "CLAIMED"), ("verify", "VERIFIED")):
        control(live_clean, f"/lootlocker/leases/{lease['code']}/{step}")
        assert alice.call("POST", "/game/session/remote", poll)["lease_status"] == status
    control(
        live_clean,
        f"/lootlocker/leases/{lease['code']}/authorize",
        {"provider": "google", "identity_id": "108234567890123456789"},
    )
    assert alice.call("POST", "/game/session/remote", poll) == {"lease_status": "AUTHORIZED", "intent": "link"}
    attached = alice.call("PUT", "/game/v1/connected-accounts/attach", {"code": lease["code"], "nonce": lease["nonce"]})
    assert attached["connected_account"]["provider"] == "google"
    assert alice.providers() == ["google", "guest"]

    # Transfer Google from Alice's player to Bob's, both sessions live.
    moved = bob.call(
        "PUT",
        "/game/v1/connected-accounts/transfer-providers",
        {"source_token": alice.token, "target_token": bob.token, "identity_providers": ["google"]},
    )
    assert [a["provider"] for a in moved["connected_accounts"]] == ["google", "guest"]
    assert alice.providers() == ["guest"]
    google = requests.post(
        f"{live_clean.url}/game/session/google",
        json={"game_key": GAME_KEY, "id_token": "google-id-token-gina"},
        timeout=10,
    ).json()
    assert google["player_ulid"] == bob_session["player_ulid"]

    # Storage: private and public items; Bob sees only Alice's public ones.
    alice.call(
        "POST",
        "/game/v1/player/storage",
        {"payload": [{"key": "clan", "value": "red", "is_public": True}, {"key": "secret", "value": "42"}]},
    )
    assert [i["key"] for i in alice.call("GET", "/game/v1/player/storage")["payload"]] == ["clan", "secret"]
    public = bob.call("GET", f"/game/v1/player/{alice_session['player_id']}/storage")["payload"]
    assert public == [{"key": "clan", "value": "red", "order": 1, "is_public": True}]

    # End the session: the token is dead.
    alice.call("DELETE", "/game/v1/session", expect=204)
    assert alice.call("GET", "/game/ping", expect=401)["code"] == "unauthorized"


def test_serve_prints_the_game_key_and_honours_its_override() -> None:
    server = LiveServer(env={"MOCKSERVER_LOOTLOCKER_GAME_KEY": "dev_key_from_the_environment"}).start()
    try:
        url = f"{server.url}/game/v2/session/guest"
        assert requests.post(url, json={"game_key": "dev_key_from_the_environment"}, timeout=10).status_code == 200
        assert requests.post(url, json={"game_key": GAME_KEY}, timeout=10).status_code == 401
    finally:
        output = server.stop()
    assert "LootLocker game key: dev_key_from_the_environment" in output
