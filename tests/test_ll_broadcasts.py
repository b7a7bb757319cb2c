"""Broadcasts over HTTP: the Unity SDK's BroadcastTests replayed (its fixture set up through the control plane, then
listed as ListBroadcasts does and converted as the SDK converts it), Accept-Language, limit and pagination, the
publication windows, order, isolation between games, the set-up's errors, Prefer."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from .ll_admin_helpers import create_game, guest_session
from .test_lootlocker_helpers import error_of, guest, session_headers

# BroadcastTests' fixture (Broadcasts_DeserializingBroadcasts_PopulatesConvenienceResponseObject).
EN = [
    ("ll.headline", "Broadcast Title"),
    ("ll.image_url", "https://google.com"),
    ("ll.action", 'window.open("/some/page")'),
    ("ll.action_name", "Play Now"),
    ("ll.body", "Broadcast content"),
    ("extra-key", "extra-value"),
    ("final-toll", "troll toll"),
    ("what are the requirements here?", '{ "i-dont-know": true }'),
]
SV = [
    ("ll.headline", "Meddelandetitel"),
    ("ll.image_url", "https://feet.com"),
    ("ll.action", 'window.open("/some/page")'),
    ("ll.action_name", "Spela nu"),
    ("ll.body", "Lite innehåll"),
    ("🤩🤩 Hello 🤩🤩", "kjhasdkjah"),
]
PAST, FUTURE = "2025-09-09T11:12:00Z", "2099-09-11T15:15:00Z"


def language(code: str, entries: list[tuple[str, str]]) -> dict[str, Any]:
    return {"language_code": code, "localizations": [{"key": k, "value": v} for k, v in entries]}


def publish(client: FlaskClient, name: str = "Broadcast no 5", game_ids: tuple[int, ...] = (1,), **extra: Any) -> Any:
    body = {"name": name, "game_ids": list(game_ids), "languages": [language("en", EN), language("sv", SV)], **extra}
    response = client.post("/_mock/lootlocker/broadcasts", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def listed(client: FlaskClient, session: dict[str, Any], query: str = "", **headers: str) -> Any:
    response = client.get(f"/game/broadcasts/v1{query}", headers={**session_headers(session), **headers})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def convenience(response: dict[str, Any]) -> list[dict[str, Any]]:
    """LootLockerListBroadcastsResponse(internalResponse) of the Unity SDK (BroadcastRequest.cs), in Python."""
    broadcasts = []
    for internal in response.get("broadcasts") or []:
        languages, codes = {}, []
        for lang in internal.get("languages") or []:
            if not lang.get("language_code"):
                continue
            entries = lang.get("localizations") or []
            localizations = {e["key"]: e["value"] for e in entries}
            reserved = {k[3:]: localizations.get(k) for k in ("ll.headline", "ll.body", "ll.image_url", "ll.action")}
            reserved["action_name"] = localizations.get("ll.action_name")
            codes.append(lang["language_code"])
            languages[lang["language_code"]] = {
                "language_code": lang["language_code"],
                **reserved,
                "localizations": localizations,
                "localization_keys": [e["key"] for e in entries],
            }
        broadcasts.append({**internal, "language_codes": codes, "languages": languages})
    return broadcasts


# -- BroadcastTests, replayed ---------------------------------------------------------------------------------------
def test_broadcast_tests_deserializing_broadcasts_populates_convenience_response_object(client: FlaskClient) -> None:
    """The SDK test parses a recorded answer; here the same broadcast is published (its window kept open: the
    recorded one ended in 2025) and ListBroadcasts(["en", "sv"], 10) reads it from the mock."""
    made = publish(client, publication_settings=[{"start": PAST, "end": FUTURE, "tz": "UTC"}])
    response = listed(client, guest(client), "?limit=10", **{"Accept-Language": "en,sv"})
    assert response["pagination"] == {
        "errors": None,
        "per_page": 10,
        "offset": 0,
        "total": 1,
        "last_page": 1,
        "current_page": 1,
        "next_page": None,
        "prev_page": None,
    }
    broadcasts = convenience(response)
    assert len(broadcasts) == 1
    broadcast = broadcasts[0]
    assert broadcast["id"] == made["broadcast_id"] and broadcast["name"] == "Broadcast no 5"
    assert broadcast["game_name"] == "mockserver game" and broadcast["games"] == [{"id": 1, "name": "mockserver game"}]
    [setting] = broadcast["publication_settings"]
    assert (setting["start"], setting["end"], setting["tz"]) == (PAST, FUTURE, "UTC") and isinstance(setting["id"], int)
    assert broadcast["language_codes"] == ["en", "sv"] and len(broadcast["languages"]) == 2
    en = broadcast["languages"]["en"]
    assert (
        en["language_code"] == "en" and en["headline"] == "Broadcast Title" and en["image_url"] == "https://google.com"
    )
    assert en["action"] == 'window.open("/some/page")' and en["action_name"] == "Play Now"
    assert en["body"] == "Broadcast content"
    assert len(en["localizations"]) == 8 and len(en["localization_keys"]) == 8
    assert en["localization_keys"][5:] == ["extra-key", "final-toll", "what are the requirements here?"]
    assert en["localizations"]["extra-key"] == "extra-value" and en["localizations"]["final-toll"] == "troll toll"
    assert en["localizations"]["what are the requirements here?"] == '{ "i-dont-know": true }'
    sv = broadcast["languages"]["sv"]
    assert sv["language_code"] == "sv" and sv["headline"] == "Meddelandetitel" and sv["image_url"] == "https://feet.com"
    assert sv["action"] == 'window.open("/some/page")' and sv["action_name"] == "Spela nu"
    assert sv["body"] == "Lite innehåll"
    assert len(sv["localizations"]) == 6 and len(sv["localization_keys"]) == 6
    assert sv["localization_keys"][5] == "🤩🤩 Hello 🤩🤩" and sv["localizations"]["🤩🤩 Hello 🤩🤩"] == "kjhasdkjah"


# -- languages, limit, windows, order ----------------------------------------------------------------------------------
def test_accept_language_keeps_the_languages_asked_for(client: FlaskClient) -> None:
    publish(client, "both")
    publish(client, "english only", languages=[language("en-US", [("ll.headline", "Hi")])])
    session = guest(client)
    everything = listed(client, session)["broadcasts"]
    assert [b["name"] for b in everything] == ["english only", "both"]
    assert [lang["language_code"] for lang in everything[1]["languages"]] == ["en", "sv"]
    swedish = listed(client, session, **{"Accept-Language": "SV;q=0.9"})["broadcasts"]
    assert [b["name"] for b in swedish] == ["both"]
    assert [lang["language_code"] for lang in swedish[0]["languages"]] == ["sv"]
    american = listed(client, session, **{"Accept-Language": "en-us, de"})["broadcasts"]
    assert [b["name"] for b in american] == ["english only"]
    assert listed(client, session, **{"Accept-Language": "de"}) == {
        "broadcasts": [],
        "pagination": {
            "errors": None,
            "total": 0,
            "offset": 0,
            "per_page": 10,
            "last_page": 1,
            "current_page": 1,
            "next_page": None,
            "prev_page": None,
        },
    }


def test_limit_pages_newest_publication_first(client: FlaskClient) -> None:
    for day in (1, 3, 2):
        publish(client, f"day {day}", publication_settings=[{"start": f"2026-01-0{day}T10:00:00+02:00"}])
    for n in range(10):
        publish(client, f"now {n}")  # published from now on: the newest
    session = guest(client)
    first = listed(client, session)
    assert len(first["broadcasts"]) == 10 and first["pagination"]["total"] == 13
    assert first["pagination"]["next_page"] == 2 and first["pagination"]["last_page"] == 2
    assert [b["name"] for b in first["broadcasts"]][:2] == ["now 9", "now 8"]
    two = listed(client, session, "?limit=13")["broadcasts"]
    assert [b["name"] for b in two][10:] == ["day 3", "day 2", "day 1"]
    assert two[10]["publication_settings"][0]["start"] == "2026-01-03T08:00:00Z"  # answered in UTC
    assert two[10]["publication_settings"][0]["tz"] == "UTC" and "end" not in two[10]["publication_settings"][0]
    error_of(
        client.get("/game/broadcasts/v1?limit=0", headers=session_headers(session)), 400, "parameter_invalid", "limit"
    )
    response = client.get("/game/broadcasts/v1?limit=101", headers=session_headers(session))
    error_of(response, 400, "parameter_invalid", "limit")


def test_only_broadcasts_published_now_are_listed(client: FlaskClient) -> None:
    publish(client, "ended", publication_settings=[{"start": PAST, "end": "2025-09-11T15:15:00Z", "tz": "UTC"}])
    publish(client, "upcoming", publication_settings=[{"start": FUTURE}])
    publish(client, "again", publication_settings=[{"start": PAST, "end": "2025-10-01T00:00:00Z"}, {"start": PAST}])
    assert [b["name"] for b in listed(client, guest(client))["broadcasts"]] == ["again"]


# -- games, isolation, set-up ------------------------------------------------------------------------------------------
def test_a_broadcast_shows_in_the_games_it_names_only(client: FlaskClient) -> None:
    game = create_game(client, name="Other game")
    other = guest_session(client, game).get_json()
    publish(client, "fixture game only")
    shared = publish(client, "both games", game_ids=(1, game.development_id))
    assert shared["games"] == [{"id": 1, "name": "mockserver game"}, {"id": game.development_id, "name": "Other game"}]
    assert [b["name"] for b in listed(client, guest(client))["broadcasts"]] == ["both games", "fixture game only"]
    seen = listed(client, other)["broadcasts"]
    assert [b["name"] for b in seen] == ["both games"] and seen[0]["game_name"] == "Other game"
    assert client.delete(f"/_mock/lootlocker/broadcasts/{shared['broadcast_id']}").status_code == 204
    assert listed(client, other)["broadcasts"] == []
    assert [b["name"] for b in listed(client, guest(client))["broadcasts"]] == ["fixture game only"]
    assert client.delete(f"/_mock/lootlocker/broadcasts/{shared['broadcast_id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"name": "x", "game_ids": [999]}, "no game has the game_id 999"),
        ({"name": "x", "game_ids": [1], "publication_settings": [{"start": FUTURE, "end": PAST}]}, "ends before"),
        ({"name": "x", "game_ids": []}, "invalid body"),
        ({"name": "x", "game_ids": [1], "publication_settings": [{"start": "yesterday"}]}, "invalid body"),
    ],
)
def test_the_set_up_refuses_what_cannot_be_published(client: FlaskClient, body: dict[str, Any], error: str) -> None:
    response = client.post("/_mock/lootlocker/broadcasts", json=body)
    assert response.status_code == 400 and error in response.get_json()["error"]
    assert listed(client, guest(client))["broadcasts"] == []


def test_a_session_is_required_and_prefer_forces_a_documented_status(client: FlaskClient) -> None:
    error_of(client.get("/game/broadcasts/v1"), 401, "unauthorized")
    session = guest(client)
    response = client.get("/game/broadcasts/v1", headers={**session_headers(session), "Prefer": "code=429"})
    error_of(response, 429, "too_many_requests")
    assert response.headers["Retry-After"] == "1"
    publish(client)
    forced = client.get("/game/broadcasts/v1", headers={**session_headers(session), "Prefer": "code=200"})
    assert forced.status_code == 200 and len(forced.get_json()["broadcasts"]) == 1
