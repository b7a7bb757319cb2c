"""LootLocker's Unity SDK PlayMode tests replayed over HTTP (lootlocker/unity-sdk @ 43bef472,
Tests/LootLockerTests/PlayMode): PlayerStorageTest, PlayerFilesTest, PlayerInfoTest and NotificationTests.

Each test sends the requests the C# test and its Admin API set-up send (LootLockerTestGame.CreateGame: admin
login or sign-up, a game, a `prod` and a `stage` key, the guest platform; the SDK under test uses the stage
key) and asserts what the C# test asserts of the server's answers.

NotificationTests' set-up creates 4 (or 19) triggers with asset rewards through the Admin API (asset contexts,
assets, rewards, triggers) and invokes them through the Game API; triggers, assets and rewards are not part of
this mock yet. The replay stands in for each successful invocation with the notification LootLocker adds for
it (notifications.create with the trigger's shape: `pull.reward.acquired`, source `triggers`, priority
medium, the trigger_key / trigger_id / trigger_limit context and the asset reward body), then replays every
Game API request and assertion of the tests. The custom-notification test uses the Admin API as the C# does.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from mockserver.lootlocker import ids, notifications
from mockserver.lootlocker.collections import PLAYERS

from .ll_admin_helpers import TestGame, create_game, guest_session

# C# tests whose every assertion is about the SDK's local state (nothing the server answers).
SDK_LOCAL = {
    "NotificationTests": [
        # Builds a fake LootLockerListNotificationsResponse in memory and checks the SDK's lookup table.
        "Notifications_ConvenienceLookupTable_CanLookUpAllNotificationTypes",
    ],
}
DEFAULT_TRIGGERS_TO_CREATE = 4
NOTIFICATIONS = "/game/notifications/v1"


def headers(session: dict[str, Any]) -> dict[str, str]:
    return {"x-session-token": session["session_token"]}


def started(client: FlaskClient, game: TestGame, identifier: str | None = None) -> dict[str, Any]:
    response = guest_session(client, game, identifier if identifier is not None else str(uuid.uuid4()))
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


# -- PlayerStorageTest -----------------------------------------------------------------------------------
TEMPLATE = [
    {"key": "ClanID", "value": "674219761", "order": 0, "is_public": True},
    {"key": "Referral", "value": "gamer123321", "order": 0, "is_public": False},
    {"key": "NumberOfIceCreamStolen", "value": "too many", "order": 0, "is_public": True},
]


def update_storage(client: FlaskClient, session: dict[str, Any], payload: list[dict[str, Any]]) -> Any:
    response = client.post("/game/v1/player/storage", json={"payload": payload}, headers=headers(session))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_player_storage_create_payload_succeeds_and_returns_storage(client: FlaskClient) -> None:
    session = started(client, create_game(client))
    response = update_storage(client, session, TEMPLATE)
    assert len(response["payload"]) == len(TEMPLATE)
    actual = {item["key"]: item for item in response["payload"]}
    for expected in TEMPLATE:
        assert actual[expected["key"]]["value"] == expected["value"]
        assert actual[expected["key"]]["is_public"] == expected["is_public"]


def test_player_storage_update_payload_succeeds(client: FlaskClient) -> None:
    session = started(client, create_game(client))
    initial = update_storage(client, session, TEMPLATE)
    assert len(initial["payload"]) == len(TEMPLATE)
    update = [
        dict(item, is_public=not item["is_public"], value=str(abs(hash(item["value"])))) for item in initial["payload"]
    ]
    update_storage(client, session, update)
    everything = client.get("/game/v1/player/storage", headers=headers(session))
    assert everything.status_code == 200
    actual = {item["key"]: item for item in everything.get_json()["payload"]}
    assert len(actual) == len(TEMPLATE)
    updated = {item["key"]: item for item in update}
    for expected in TEMPLATE:
        got = actual[expected["key"]]
        assert got["is_public"] != expected["is_public"] and got["value"] != expected["value"]
        assert got["value"] == updated[expected["key"]]["value"]


def test_player_storage_get_other_players_storage_gets_only_public_values(client: FlaskClient) -> None:
    game = create_game(client)
    first = started(client, game, "")  # StartGuestSession() with no stored identifier: a new player
    assert first["player_identifier"]
    assert update_storage(client, first, TEMPLATE)["payload"]
    assert client.delete("/game/v1/session", headers=headers(first)).status_code == 204  # EndSession
    second = started(client, game)
    response = client.get(f"/game/v1/player/{first['player_id']}/storage", headers=headers(second))
    assert response.status_code == 200
    payload = {item["key"]: item["value"] for item in response.get_json()["payload"]}
    public = {item["key"]: item["value"] for item in TEMPLATE if item["is_public"]}
    assert payload == public


# -- PlayerFilesTest -------------------------------------------------------------------------------------
def test_player_files_upload_simple_public_file_succeeds(client: FlaskClient) -> None:
    session = started(client, create_game(client))
    content = b"First added line\n"  # StreamWriter.WriteLine
    form = {
        "purpose": "test",
        "public": "true",
        "file": (io.BytesIO(content), "PlayerFileCanBeCreatedWithPathUpdatedAndThenDeleted-creation.txt"),
    }
    response = client.post(
        "/game/player/files", data=form, content_type="multipart/form-data", headers=headers(session)
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["size"] > 0
    assert response.get_json()["public"] is True


# -- PlayerInfoTest --------------------------------------------------------------------------------------
def test_player_info_get_current_player_info_succeeds(client: FlaskClient) -> None:
    session = started(client, create_game(client), "")
    response = client.get("/game/player/hazy-hammock/v1/info", headers=headers(session))
    assert response.status_code == 200
    info = response.get_json()["info"]
    assert info["created_at"] == session["player_created_at"]
    assert info["id"] == session["player_ulid"]
    assert info["public_uid"] == session["public_uid"]
    assert info["legacy_id"] == session["player_id"]


def test_player_info_list_player_info_for_multiple_players_using_different_ids_succeeds(client: FlaskClient) -> None:
    game = create_game(client)
    players_to_create = 15
    created: list[dict[str, Any]] = []
    for _ in range(players_to_create):
        session = started(client, game)
        named = client.patch("/game/player/name", json={"name": session["public_uid"]}, headers=headers(session))
        assert named.status_code == 200, named.get_json()
        created.append(
            {
                "created_at": session["player_created_at"],
                "id": session["player_ulid"],
                "name": named.get_json()["name"],
                "legacy_id": session["player_id"],
                "public_uid": session["public_uid"],
            }
        )
    asker = started(client, game)
    third = players_to_create // 3
    ids_to_look_up = [p["id"] for p in created[:third]]
    public_uids = [p["public_uid"] for p in created[: third * 2]]
    legacy_ids = [p["legacy_id"] for p in created[third * 2 :]]
    body = {"player_id": ids_to_look_up, "player_legacy_id": legacy_ids, "player_public_uid": public_uids}
    response = client.post("/game/player/hazy-hammock/v1/info", json=body, headers=headers(asker))
    assert response.status_code == 200
    info = response.get_json()["info"]
    assert len(info) == players_to_create
    expected = {p["id"]: p for p in created}
    for actual in info:
        assert (
            actual["legacy_id"] in legacy_ids or actual["id"] in ids_to_look_up or actual["public_uid"] in public_uids
        )
        wanted = expected[actual["id"]]
        assert actual["created_at"] == wanted["created_at"]  # within ±5 minutes in the C# test
        for field in ("name", "id", "public_uid", "legacy_id"):
            assert actual[field] == wanted[field]


# -- NotificationTests -----------------------------------------------------------------------------------
def invoke_triggers(app: Flask, session: dict[str, Any], keys: list[str]) -> None:
    """Stand-in for InvokeTriggersByKey with unlimited triggers rewarding an activated asset: one
    `pull.reward.acquired` notification per key, as LootLocker adds them."""
    store = app.extensions["mockserver.store"]
    with store.write() as tx:
        player = tx.get(PLAYERS, session["player_ulid"])
        for number, key in enumerate(keys, start=1):
            asset = {
                "asset_ulid": ids.ulid(),
                "asset_id": number,
                "reward_id": ids.ulid(),
                "details": {"name": f"Asset of {key}", "id": number, "legacy_id": number},
                "asset_instance_ids": [1000 + number],
                "created_at": ids.iso_now(),
                "updated_at": ids.iso_now(),
            }
            fields = {
                "notification_type": "pull.reward.acquired",
                "priority": "medium",
                "source": "triggers",
                "content": {"kind": "asset", "asset": asset},
                "properties": [
                    {"key": "trigger_key", "value": key},
                    {"key": "trigger_id", "value": ids.ulid()},
                    {"key": "trigger_limit", "value": "0"},
                ],
            }
            notifications.create(tx, player["game_id"], player, fields)


def notification_setup(app: Flask, client: FlaskClient) -> tuple[TestGame, dict[str, Any], list[str]]:
    game = create_game(client)
    session = started(client, game)
    keys = [f"test_trigger_no_limit_{i}" for i in range(DEFAULT_TRIGGERS_TO_CREATE)]
    invoke_triggers(app, session, keys)
    return game, session, keys


def list_notifications(
    client: FlaskClient,
    session: dict[str, Any],
    show_read: bool,
    per_page: int,
    page: int,
    source: str = "",
) -> dict[str, Any]:
    """LootLockerSDKManager.ListNotifications(ShowRead, null, "", source, PerPage, Page): its hand-built query."""
    query = f"read={'true' if show_read else 'false'}&"
    if page > 0:
        query += f"page={page}&"
    if per_page > 0:
        query += f"per_page={per_page}&"
    if source:
        query += f"source={source}&"
    response = client.get(f"{NOTIFICATIONS}?{query}", headers=headers(session))
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def context(notification: dict[str, Any]) -> dict[str, str]:
    return {entry["key"]: entry["value"] for entry in notification["content"]["context"]}


def test_notifications_list_with_default_parameters_when_less_than_default_page_size_returns_all(
    app: Flask, client: FlaskClient
) -> None:
    _, session, keys = notification_setup(app, client)
    response = client.get(NOTIFICATIONS, headers=headers(session))  # ListNotificationsWithDefaultParameters
    assert response.status_code == 200
    listed = response.get_json()["notifications"]
    assert len(listed) == len(keys)
    for notification in listed:
        assert notification["notification_type"] == "pull.reward.acquired"
        assert notification["source"] == "triggers"
        assert notification["priority"] == "medium"
        body = notification["content"]["body"]
        assert body["kind"] == "asset"
        assert body["asset"]["asset_ulid"] and body["asset"]["details"]["name"]
        assert body["asset"]["asset_instance_ids"]
        found = context(notification)
        assert found["trigger_key"] and found["trigger_id"] and found["trigger_limit"]
        assert int(found["trigger_limit"]) == 0


def test_notifications_list_notifications_with_pagination_parameters_returns_correct_page(
    app: Flask, client: FlaskClient
) -> None:
    _, session, keys = notification_setup(app, client)
    local = [f"test_trigger_no_limit_{i}" for i in range(DEFAULT_TRIGGERS_TO_CREATE, DEFAULT_TRIGGERS_TO_CREATE + 15)]
    invoke_triggers(app, session, local)
    created = keys + local
    first = list_notifications(client, session, False, 5, 3)
    second = list_notifications(client, session, False, 5, first["pagination"]["last_page"])
    assert len(first["notifications"]) == 5
    assert len(second["notifications"]) == len(created) % 5
    assert not {n["id"] for n in first["notifications"]} & {n["id"] for n in second["notifications"]}


def test_notifications_mark_all_notifications_as_read_all_notifications_marked_as_read(
    app: Flask, client: FlaskClient
) -> None:
    _, session, keys = notification_setup(app, client)
    initial = list_notifications(client, session, False, 100, 0)["notifications"]
    assert len(initial) == len(keys) and not any(n["read"] for n in initial)
    marked = client.put(f"{NOTIFICATIONS}/read/all", json={}, headers=headers(session))
    assert 200 <= marked.status_code < 300
    after = list_notifications(client, session, True, 100, 0)["notifications"]
    assert len(after) == len(keys) and all(n["read"] for n in after)


def test_notifications_mark_specific_notifications_as_read_specified_notifications_marked_as_read(
    app: Flask, client: FlaskClient
) -> None:
    _, session, keys = notification_setup(app, client)
    listed = list_notifications(client, session, False, 100, 0)["notifications"]
    assert len(listed) == len(keys)
    chosen = [n["id"] for n in listed[:2]]
    client.put(f"{NOTIFICATIONS}/read", json={"notifications": chosen}, headers=headers(session))
    read = list_notifications(client, session, True, 100, 0)["notifications"]
    unread = list_notifications(client, session, False, 100, 0)["notifications"]
    marked_found = 0
    for notification in read:
        should_be_read = notification["id"] in chosen
        marked_found += should_be_read
        assert notification["read"] == should_be_read
    assert marked_found == len(chosen)
    assert len(unread) == len(listed) - len(chosen)


def test_notifications_mark_specific_notifications_as_read_using_convenience_method(
    app: Flask, client: FlaskClient
) -> None:
    _, session, keys = notification_setup(app, client)
    listed = list_notifications(client, session, False, 100, 0)["notifications"]
    assert len(listed) == len(keys)
    first_id = listed[0]["id"]
    # MarkThisNotificationAsRead: PUT read with this one id.
    marked = client.put(f"{NOTIFICATIONS}/read", json={"notifications": [first_id]}, headers=headers(session))
    assert 200 <= marked.status_code < 300
    read = list_notifications(client, session, True, 100, 0)["notifications"]
    unread = list_notifications(client, session, False, 100, 0)["notifications"]
    assert [n["id"] for n in read] == [first_id]
    assert len(unread) == len(listed) - 1


def test_notifications_mark_all_notifications_as_read_using_convenience_method(app: Flask, client: FlaskClient) -> None:
    _, session, keys = notification_setup(app, client)
    listed = list_notifications(client, session, False, len(keys) - 1, 0)["notifications"]
    assert len(listed) == len(keys) - 1
    chosen = [n["id"] for n in listed]
    # MarkUnreadNotificationsAsRead: PUT read with the ids of the listed unread notifications.
    marked = client.put(f"{NOTIFICATIONS}/read", json={"notifications": chosen}, headers=headers(session))
    assert 200 <= marked.status_code < 300
    read = list_notifications(client, session, True, 100, 0)["notifications"]
    unread = list_notifications(client, session, False, 100, 0)["notifications"]
    assert len(read) == len(chosen)
    assert all(n["id"] in chosen and n["read"] for n in read)
    assert len(unread) == len(keys) - len(chosen)


def test_notifications_send_custom_notifications_from_console_and_list_notifications(
    app: Flask, client: FlaskClient
) -> None:
    game, session, _ = notification_setup(app, client)
    currency = {
        "code": "aCode",
        "created_at": "12/1/2026 10:00:00 PM",
        "game_api_writes_enabled": False,
        "id": "anID",
        "name": "aName",
        "published_at": "12/1/2026 10:00:00 PM",
    }
    for notification_type, content in (
        ("ll.test.notification_object", currency),
        ("ll.test.notification_string", "aTestString"),
        ("ll.test.notification_doublearray", [0.1, 2.222]),
    ):
        body = {
            "notification_type": notification_type,
            "priority": "high",
            "recipient": session["player_ulid"],
            "content": content,
        }
        sent = client.post(game.dev("notifications/v1"), json=body, headers=game.headers)
        assert sent.status_code == 200, sent.get_json()
    response = list_notifications(client, session, False, 25, 0, source="lootlocker.admin_api")
    listed = response["notifications"]
    assert len(listed) == 3 and response["pagination"]["total"] == 3
    for notification in listed:
        assert "ll.test.notification_" in notification["notification_type"]
        assert notification["source"] == "lootlocker.admin_api"
        assert notification["priority"] == "high"
        body = notification["content"]["body"]
        if "object" in notification["notification_type"]:
            assert body["id"] == currency["id"] and body["created_at"] == currency["created_at"]
        elif "string" in notification["notification_type"]:
            assert body == "aTestString"
        else:
            assert body == [0.1, 2.222]
            same_type = [n for n in listed if n["notification_type"] == "ll.test.notification_doublearray"]
            assert [n["id"] for n in same_type] == [notification["id"]]
