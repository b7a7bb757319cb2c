"""Shared helpers of the LootLocker tests (no tests here): the fixture game's keys and small request wrappers
for the strict Flask test client."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

GAME_KEY = "dev_mockserver_game_key_0000000000000"
DOMAIN_KEY = "mockserverdev"
TITLE_ID = "01HV5Z3XK8T1TQ0J4M9D2G6B7A"
ENVIRONMENT_ID = "01HV5Z3XK8W7R2N5Q1E6F9C3PB"
SEED_CODE = "cf75849d9759f445d8ef04d009db381ca.0.srrqt.V4YO0PLg-qflXJAv9JvTFw"


def session_headers(session: dict[str, Any]) -> dict[str, str]:
    return {"x-session-token": session["session_token"]}


def guest(client: FlaskClient, identifier: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"game_key": GAME_KEY, "game_version": "1.0.0", **extra}
    if identifier is not None:
        body["player_identifier"] = identifier
    response = client.post("/game/v2/session/guest", json=body)
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def register(client: FlaskClient, provider: str, user_id: str, **fields: Any) -> dict[str, Any]:
    """An upstream account in the shared identity registry (as tests and QA tools add them)."""
    response = client.post("/_mock/identities", json={"provider": provider, "id": user_id, **fields})
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def error_of(response: Any, status: int, code: str, param: str | None = None) -> dict[str, Any]:
    """The LootLocker error body of a response, after checking status, code and param."""
    body = response.get_json()
    assert response.status_code == status, body
    assert body["code"] == code, body
    assert body["doc_url"] == f"https://docs.lootlocker.com/reference/error-codes#{code}"
    assert body["request_id"] and body["trace_id"] and body["message"]
    assert body.get("param") == param, body
    return dict(body)


def connected(client: FlaskClient, session: dict[str, Any]) -> list[str]:
    response = client.get("/game/v1/connected-accounts", headers=session_headers(session))
    assert response.status_code == 200
    return [a["provider"] for a in response.get_json()["connected_accounts"]]


def test_a_ulid_is_26_crockford_characters_that_begin_with_its_millisecond() -> None:
    import time

    from mockserver.lootlocker import ids

    before = time.time_ns() // 1_000_000
    made = [ids.ulid() for _ in range(200)]
    after = time.time_ns() // 1_000_000
    for value in made:
        assert len(value) == 26 and set(value) <= set(ids.CROCKFORD)
        number = 0
        for char in value:
            number = number * 32 + ids.CROCKFORD.index(char)
        assert before <= number >> 80 <= after  # 48 bits of milliseconds first, then 80 random bits
    assert len(set(made)) == 200
    assert made == sorted(made)  # creation order, within a millisecond too (lists ordered by id rely on it)


def test_a_human_code_uses_every_letter_of_its_alphabet_and_no_look_alike() -> None:
    from mockserver.lootlocker import ids

    codes = [ids.human_code() for _ in range(400)]
    assert all(len(code) == 8 for code in codes)
    assert set("".join(codes)) == set(ids.HUMAN)  # 3,200 draws over 31 letters: each one appears
    assert not set("".join(codes)) & set("01IOL")
    assert len(ids.human_code(4)) == 4
