"""Metadata over HTTP: the Admin API sets entries of any source (as LootLockerTestConfigurationMetadata.cs does),
the Game API lists them with access rules, filters and pages, reads several sources at once, and a player writes
its own entries with per-entry errors."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session
from .test_lootlocker_helpers import error_of, session_headers


def admin_set(client: FlaskClient, game: TestGame, source: str, source_id: str, entries: list[dict[str, Any]]) -> Any:
    body = {"source": source, "source_id": source_id, "entries": entries}
    response = client.post(game.dev("metadata"), json=body, headers=game.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def entry(key: str, value: Any, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "type": kind,
        "value": value,
        "tags": [],
        "access": ["game_api.read"],
        "action": "upsert",
        **extra,
    }


def setup(client: FlaskClient) -> tuple[TestGame, dict[str, Any]]:
    game = create_game(client)
    session = guest_session(client, game, "meta-player").get_json()
    return game, session


def listed(client: FlaskClient, session: dict[str, Any], source: str, source_id: str, query: str = "") -> Any:
    response = client.get(f"/game/metadata/source/{source}/id/{source_id}{query}", headers=session_headers(session))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_admin_entries_listed_with_access_rules_filters_and_pages(client: FlaskClient) -> None:
    game, session = setup(client)
    answer = admin_set(
        client,
        game,
        "asset",
        "01ASSETULID",
        [
            entry("colour", "red", tags=["look"]),
            entry("power", 12.5, "number", tags=["stats", "look"]),
            entry("flags", {"a": [1, 2]}, "json"),
            entry("icon", {"content_type": "image/png", "content": "aGVsbG8="}, "base64"),
            entry("secret", "server only", access=[]),
        ],
    )
    assert answer == {"source": "asset", "source_id": "01ASSETULID", "errors": []}
    body = listed(client, session, "asset", "01ASSETULID")
    assert [e["key"] for e in body["entries"]] == ["colour", "flags", "icon", "power"]  # `secret` lacks game read
    assert body["pagination"]["total"] == 4 and body["pagination"]["current_page"] == 1
    power = next(e for e in body["entries"] if e["key"] == "power")
    assert power == {
        "key": "power",
        "value": 12.5,
        "type": "number",
        "tags": ["stats", "look"],
        "access": ["game_api.read"],
    }
    assert [e["key"] for e in listed(client, session, "asset", "01ASSETULID", "?key=colour")["entries"]] == ["colour"]
    tagged = listed(client, session, "asset", "01ASSETULID", "?tags=look&tags=stats")["entries"]
    assert [e["key"] for e in tagged] == ["power"]
    icon = listed(client, session, "asset", "01ASSETULID", "?key=icon&ignore_files=true")["entries"][0]
    assert icon["value"] == {"content_type": "application/x-redacted", "content": ""}
    page = listed(client, session, "asset", "01ASSETULID", "?page=2&per_page=3")
    assert [e["key"] for e in page["entries"]] == ["power"]
    assert page["pagination"]["prev_page"] == 1 and page["pagination"]["next_page"] is None
    assert listed(client, session, "asset", "unknown")["entries"] == []


def test_admin_update_delete_and_per_entry_errors(client: FlaskClient) -> None:
    game, _ = setup(client)
    admin_set(client, game, "catalog_item", "42", [entry("a", "1")])
    answer = admin_set(
        client,
        game,
        "catalog_item",
        "42",
        [
            {**entry("a", "2"), "action": "create"},  # exists
            {**entry("b", "x"), "action": "update"},  # missing
            {**entry("c", "not a number", "number")},
            {**entry("ll.mine", "x")},
            {**entry("d", True, "bool"), "action": "create"},
            {**entry("e", '{"nested": [1]}', "json"), "action": "create"},  # JSON text of an object
            {**entry("f", "not json", "json")},
            {**entry("a", "3"), "action": "update"},
        ],
    )
    assert [(e["action"], e["entry"]) for e in answer["errors"]] == [
        ("create", {"key": "a", "type": "string"}),
        ("update", {"key": "b", "type": "string"}),
        ("upsert", {"key": "c", "type": "number"}),
        ("upsert", {"key": "ll.mine", "type": "string"}),
        ("upsert", {"key": "f", "type": "json"}),
    ]
    assert all(e["error"] for e in answer["errors"])
    session = guest_session(client, game, "meta-reader").get_json()
    values = {e["key"]: e["value"] for e in listed(client, session, "catalog_item", "42")["entries"]}
    assert values == {"a": "3", "d": True, "e": {"nested": [1]}}
    admin_set(client, game, "catalog_item", "42", [{"key": "a", "action": "delete"}])
    assert [e["key"] for e in listed(client, session, "catalog_item", "42")["entries"]] == ["d", "e"]


def test_player_writes_its_own_entries_only(client: FlaskClient) -> None:
    game, session = setup(client)
    headers = session_headers(session)
    body = {"self": True, "entries": [{"key": "level", "type": "number", "value": 3, "action": "create"}]}
    response = client.post("/game/metadata", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"source": "self", "source_id": "self", "errors": []}
    mine = listed(client, session, "self", "self")["entries"]
    assert mine == [
        {"key": "level", "value": 3, "type": "number", "tags": [], "access": ["game_api.read", "game_api.write"]}
    ]
    # An admin entry on the player without game_api.write cannot be changed by the player.
    admin_set(client, game, "player", session["player_ulid"], [entry("rank", "gold")])
    update = {"self": True, "entries": [{"key": "rank", "type": "string", "value": "tin", "action": "update"}]}
    answer = client.post("/game/metadata", json=update, headers=headers).get_json()
    assert answer["errors"][0]["entry"] == {"key": "rank", "type": "string"}
    assert {e["key"]: e["value"] for e in listed(client, session, "self", "self")["entries"]}["rank"] == "gold"
    other = {"source": "asset", "source_id": "1", "entries": [entry("x", "y")]}
    error_of(client.post("/game/metadata", json=other, headers=headers), 403, "forbidden")
    error_of(client.post("/game/metadata", json={"self": True}, headers=headers), 400, "parameter_missing", "entries")
    bad = {"self": True, "entries": [{"key": "k", "action": "explode"}]}
    error_of(client.post("/game/metadata", json=bad, headers=headers), 400, "parameter_invalid", "entries.0.action")


def test_other_players_entries_need_player_read_and_multisource(client: FlaskClient) -> None:
    game, me = setup(client)
    them = guest_session(client, game, "meta-other").get_json()
    admin_set(
        client,
        game,
        "player",
        them["player_ulid"],
        [entry("public", "yes", access=["game_api.read", "player.read"]), entry("private", "no")],
    )
    assert [e["key"] for e in listed(client, me, "player", them["player_ulid"])["entries"]] == ["public"]
    assert [e["key"] for e in listed(client, them, "self", "self")["entries"]] == ["private", "public"]
    error_of(
        client.get("/game/metadata/source/player/id/01NOSUCHPLAYER0000000000000", headers=session_headers(me)),
        404,
        "not_found",
    )
    admin_set(client, game, "leaderboard", "board", [entry("map", "desert"), entry("mode", "duel")])
    body = {
        "sources": [
            {"source": "leaderboard", "id": "board", "keys": ["mode"]},
            {"source": "player", "id": them["player_ulid"], "keys": []},
            {"source": "self", "id": "self"},
        ]
    }
    response = client.post("/game/metadata/multisource?ignore_files=false", json=body, headers=session_headers(me))
    assert response.status_code == 200, response.get_json()
    metadata = response.get_json()["metadata"]
    assert [(m["source"], m["source_id"], [e["key"] for e in m["entries"]]) for m in metadata] == [
        ("leaderboard", "board", ["mode"]),
        ("player", them["player_ulid"], ["public"]),
        ("self", "self", []),
    ]


def test_games_do_not_share_metadata_and_prefer_forcing(client: FlaskClient) -> None:
    game, _ = setup(client)
    admin_set(client, game, "asset", "shared-id", [entry("k", "v")])
    elsewhere = create_game(client, name="other")
    stranger = guest_session(client, elsewhere, "meta-stranger").get_json()
    assert listed(client, stranger, "asset", "shared-id")["entries"] == []
    forced = client.get(
        "/game/metadata/source/asset/id/shared-id", headers={**session_headers(stranger), "Prefer": "code=404"}
    )
    error_of(forced, 404, "not_found")
    assert client.get("/game/metadata/source/asset/id/x").status_code == 401
