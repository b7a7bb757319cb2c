"""Notifications, game side, over HTTP: list with filters and page pagination, mark some or all read; one player
never sees nor marks another's. Notifications are created as the Admin API and triggers do, through
notifications.create inside a store transaction."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver.lootlocker import notifications
from mockserver.lootlocker.collections import NOTIFICATIONS, PLAYERS

from .test_lootlocker_helpers import error_of, guest, session_headers

LIST = "/game/notifications/v1"


def send(app: Flask, session: dict[str, Any], count: int = 1, **fields: Any) -> list[dict[str, Any]]:
    """`count` notifications to the session's player, as the Admin API sends them."""
    store = app.extensions["mockserver.store"]
    sent = []
    with store.write() as tx:
        player = tx.get(PLAYERS, session["player_ulid"])
        for i in range(count):
            given = {"notification_type": f"test.{i}", "priority": "high", "content": {"n": i}, **fields}
            sent.append(notifications.create(tx, player["game_id"], player, given))
    return sent


def listed(client: FlaskClient, session: dict[str, Any], query: str = "") -> dict[str, Any]:
    response = client.get(f"{LIST}{query}", headers=session_headers(session))
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def test_create_stores_the_admin_shape(app: Flask, client: FlaskClient) -> None:
    session = guest(client)
    properties = [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}, {"key": "a", "value": "3"}]
    [created] = send(app, session, content="aTestString", properties=properties)
    assert created["source"] == "lootlocker.admin_api" and created["priority"] == "high"
    context = [{"key": "a", "value": "3"}, {"key": "b", "value": "2"}]  # unique keys: the later value wins
    assert created["content"] == {"context": context, "body": "aTestString"}
    assert created["player_id"] == session["player_ulid"] and created["read"] is False and "read_at" not in created
    [shown] = listed(client, session)["notifications"]
    assert shown == created


def test_create_refuses_a_bad_priority_and_another_games_player(app: Flask, client: FlaskClient) -> None:
    session = guest(client)
    store = app.extensions["mockserver.store"]
    with store.write() as tx:
        player = tx.get(PLAYERS, session["player_ulid"])
        with pytest.raises(notifications.errors.LootLockerError) as bad:
            notifications.create(tx, player["game_id"], player, {"notification_type": "t", "priority": "urgent"})
        assert bad.value.status == 400 and bad.value.param == "priority"
        with pytest.raises(notifications.errors.LootLockerError) as other:
            notifications.create(tx, "another-game", player, {"notification_type": "t", "priority": "low"})
        assert other.value.status == 404
    assert store.read().all(NOTIFICATIONS) == []


def test_pages_are_one_based_and_do_not_overlap(app: Flask, client: FlaskClient) -> None:
    session = guest(client)
    send(app, session, 19)
    third = listed(client, session, "?read=false&page=3&per_page=5&")
    assert len(third["notifications"]) == 5
    assert third["pagination"] == {
        "total": 19,
        "offset": 10,
        "per_page": 5,
        "last_page": 4,
        "current_page": 3,
        "next_page": 4,
        "prev_page": 2,
    }
    last = listed(client, session, "?read=false&page=4&per_page=5&")
    assert len(last["notifications"]) == 4 and last["pagination"]["next_page"] is None
    assert not {n["id"] for n in third["notifications"]} & {n["id"] for n in last["notifications"]}
    everything = listed(client, session)
    assert len(everything["notifications"]) == 19 and everything["pagination"]["per_page"] == 50
    ids = [n["id"] for n in everything["notifications"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    beyond = listed(client, session, "?page=9&per_page=5")
    assert beyond["notifications"] == [] and beyond["pagination"]["total"] == 19


def test_filters(app: Flask, client: FlaskClient) -> None:
    session = guest(client)
    send(app, session, 2, priority="low", source="triggers", notification_type="pull.reward.acquired")
    send(app, session, 3)
    assert len(listed(client, session, "?priority=low&")["notifications"]) == 2
    assert len(listed(client, session, "?source=lootlocker.admin_api&per_page=25&")["notifications"]) == 3
    assert len(listed(client, session, "?notification_type=pull.reward.acquired&")["notifications"]) == 2
    assert len(listed(client, session, "?priority=&notification_type=&source=&")["notifications"]) == 5
    headers = session_headers(session)
    error_of(client.get(f"{LIST}?priority=urgent", headers=headers), 400, "parameter_invalid", "priority")
    error_of(client.get(f"{LIST}?per_page=x", headers=headers), 400, "parameter_invalid", "per_page")
    error_of(client.get(LIST), 401, "unauthorized")


def test_mark_some_then_all_read(app: Flask, client: FlaskClient) -> None:
    session = guest(client)
    headers = session_headers(session)
    sent = send(app, session, 4)
    chosen = [sent[0]["id"], sent[1]["id"]]
    unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    response = client.put(f"{LIST}/read", json={"notifications": [*chosen, unknown]}, headers=headers)
    assert response.status_code == 204 and response.data == b""
    read = listed(client, session, "?read=true&per_page=100&page=0&")["notifications"]
    assert sorted(n["id"] for n in read) == sorted(chosen)
    assert all(n["read"] and n["read_at"] for n in read)
    assert len(listed(client, session, "?read=false&")["notifications"]) == 2
    assert client.put(f"{LIST}/read/all", json={}, headers=headers).status_code == 204
    assert listed(client, session, "?read=false&")["notifications"] == []
    assert len(listed(client, session, "?read=true&")["notifications"]) == 4
    error_of(client.put(f"{LIST}/read", json={}, headers=headers), 400, "parameter_missing", "notifications")


def test_a_player_never_sees_or_marks_anothers(app: Flask, client: FlaskClient) -> None:
    alice, bob = guest(client), guest(client)
    [for_alice] = send(app, alice)
    assert listed(client, bob)["notifications"] == []
    client.put(f"{LIST}/read", json={"notifications": [for_alice["id"]]}, headers=session_headers(bob))
    client.put(f"{LIST}/read/all", json={}, headers=session_headers(bob))
    [still] = listed(client, alice)["notifications"]
    assert still["read"] is False
