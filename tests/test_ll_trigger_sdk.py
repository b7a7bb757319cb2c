"""LootLocker's Unity SDK PlayMode TriggerTests replayed over HTTP (lootlocker/unity-sdk @ 43bef472,
Tests/LootLockerTests/PlayMode/TriggerTests.cs).

Set-up as the C# Setup does: LootLockerTestGame.CreateGame (admin login or sign-up, a game, a `prod` and a `stage`
key), SwitchToStageEnvironment (the admin calls name the development environment), EnableGuestLogin, a guest
session. CreateTriggerWithReward sends the Admin API calls of the SDK's test utilities: GET
`/admin/v1/game/{g}/assets/contexts`, POST `/admin/v1/game/{g}/asset {context_id, name}` (TriggerTests do not
activate it), POST `/admin/game/{g}/reward {entity_id: <asset ULID>, entity_kind: "asset"}`, POST
`/admin/game/{g}/triggers/cozy-crusader/v1 {trigger: {key, name, limit, reward_id}, segments: []}`. Then
InvokeTriggersByKey: POST `/game/triggers/cozy-crusader/v1 {keys}`; `success` is a 2xx status. Every assertion of the
C# tests is about the server's answer; none is SDK-local.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session

INVOKE = "/game/triggers/cozy-crusader/v1"
COLORS = ("Green", "Blue", "Red", "Black", "Yellow", "Orange", "Purple", "Indigo", "Clear", "White", "Magenta")
ITEMS = ("Rod", "House", "Wand", "Staff", "Car", "Sword", "Shield", "Gun", "Shovel", "Boomstick", "Rifle", "Hut")
_counter = 0


class TriggerTest:
    """One C# test's world: the game under test and the guest session the SDK started."""

    def __init__(self, client: FlaskClient, identifier: str | None = None) -> None:
        global _counter
        _counter += 1
        self.client = client
        self.game: TestGame = create_game(client, name=f"TriggerTests{_counter} ")
        session = guest_session(client, self.game, identifier)
        assert session.status_code == 200, "Setup did not succeed"
        self.headers = {"x-session-token": session.get_json()["session_token"]}

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.open(path, method=method, json=body, headers=self.game.headers)
        assert 200 <= response.status_code < 300, (path, response.status_code, response.get_json())
        return response.get_json()

    def create_trigger_with_reward(self, key: str, name: str, limit: int, activate: bool = False) -> dict[str, Any]:
        g = self.game.development_id
        contexts = self.admin("GET", f"/admin/v1/game/{g}/assets/contexts")["contexts"]
        assert len(contexts) > 0, "No asset contexts found"
        asset_name = f"{random.choice(COLORS)} {random.choice(ITEMS)}"
        asset = self.admin("POST", f"/admin/v1/game/{g}/asset", {"context_id": contexts[0]["id"], "name": asset_name})
        if activate:  # NotificationTests' version of the helper activates the asset (TriggerTests' does not)
            self.admin("POST", f"/admin/v1/game/{g}/asset/{asset['asset']['id']}/activate", {"live_and_dev": True})
        reward = self.admin(
            "POST", f"/admin/game/{g}/reward", {"entity_id": asset["asset"]["ulid"], "entity_kind": "asset"}
        )
        assert reward["id"], "Failed to create reward"
        trigger = {"key": key, "name": name, "limit": limit, "reward_id": reward["id"]}
        self.admin("POST", f"/admin/game/{g}/triggers/cozy-crusader/v1", {"trigger": trigger, "segments": []})
        return trigger  # what LootLockerTestGame.CreateTrigger hands back

    def invoke(self, keys: list[str]) -> Any:
        response = self.client.post(INVOKE, json={"keys": keys}, headers=self.headers)
        assert 200 <= response.status_code < 300, "Trigger invocation failed"
        return response.get_json()


def test_triggers_invoke_trigger_without_limit_succeeds(client: FlaskClient) -> None:
    t = TriggerTest(client)
    created = t.create_trigger_with_reward("test_trigger_no_limit", "Test Trigger No Limit", 0)
    answer = t.invoke(["test_trigger_no_limit"])
    assert len(answer["successful_keys"]) == 1, "Successful Keys was not of expected length"
    assert len(answer["failed_keys"]) == 0, "Failed Keys was not of expected length"
    assert answer["successful_keys"][0]["key"] == created["key"], "The right key was not successfully executed"


def test_triggers_invoke_trigger_under_limit_succeeds(client: FlaskClient) -> None:
    t = TriggerTest(client)
    created = t.create_trigger_with_reward("test_trigger_under_limit", "Test Trigger Under Limit", 2)
    answer = t.invoke(["test_trigger_under_limit"])
    assert len(answer["successful_keys"]) == 1
    assert len(answer["failed_keys"]) == 0
    assert answer["successful_keys"][0]["key"] == created["key"]


def test_triggers_multiple_triggers_without_limit_called_in_same_call_succeeds(client: FlaskClient) -> None:
    t = TriggerTest(client)
    t.create_trigger_with_reward("test_trigger_no_limit_1", "Test Trigger No Limit 1", 0)
    t.create_trigger_with_reward("test_trigger_no_limit_2", "Test Trigger No Limit 2", 0)
    answer = t.invoke(["test_trigger_no_limit_1", "test_trigger_no_limit_2"])
    assert len(answer["successful_keys"]) == 2, "Successful Keys were not of expected length"
    assert len(answer["failed_keys"]) == 0, "Failed Keys were not of expected length"


def test_triggers_invoke_non_existent_trigger_fails(client: FlaskClient) -> None:
    t = TriggerTest(client)
    answer = t.invoke(["non_existent_trigger"])  # still a success: the failure is inside the 200
    assert len(answer["successful_keys"]) == 0, "Successful Keys should be empty"
    assert len(answer["failed_keys"]) == 1, "Failed Keys should have one entry"
    assert answer["failed_keys"][0]["key"] == "non_existent_trigger", "Failed key was not as expected"


def test_triggers_invoke_trigger_over_limit_fails(client: FlaskClient) -> None:
    t = TriggerTest(client)
    created = t.create_trigger_with_reward("test_trigger_over_limit", "Test Trigger Over Limit", 1)
    t.invoke(["test_trigger_over_limit"])  # once, within the limit
    answer = t.invoke(["test_trigger_over_limit"])
    assert len(answer["successful_keys"]) == 0, "Successful Keys should be empty"
    assert len(answer["failed_keys"]) == 1, "Failed Keys should have one entry"
    assert answer["failed_keys"][0]["key"] == created["key"], "Failed key was not as expected"


def test_triggers_invoke_same_trigger_twice_in_same_call_invokes_only_once(client: FlaskClient) -> None:
    t = TriggerTest(client)
    created = t.create_trigger_with_reward("test_trigger_single_invocation", "Test Trigger Single Invocation", 0)
    answer = t.invoke(["test_trigger_single_invocation", "test_trigger_single_invocation"])
    assert len(answer["successful_keys"]) == 1, "Successful Keys should contain only one entry"
    assert len(answer["failed_keys"]) == 0, "Failed Keys should be empty"
    assert answer["successful_keys"][0]["key"] == created["key"], "The right key was not successfully executed"


# -- NotificationTests' set-up, through real triggers ---------------------------------------------------------------
# tests/test_ll_players_sdk.py replays NotificationTests with a stand-in for the trigger invocations of its set-up;
# here the set-up runs as the C# does it (its CreateTriggerWithReward also activates the asset, and the guest session
# names a fresh GUID) and the two tests that read the trigger notifications are replayed on what the server made.
DEFAULT_TRIGGERS_TO_CREATE = 4


def notification_setup(client: FlaskClient) -> tuple[TriggerTest, list[str]]:
    t = TriggerTest(client, str(uuid.uuid4()))  # StartGuestSession(GUID.Generate().ToString())
    keys = []
    for i in range(DEFAULT_TRIGGERS_TO_CREATE):
        keys.append(
            t.create_trigger_with_reward(f"test_trigger_no_limit_{i}", f"Test Trigger No Limit{i}", 0, True)["key"]
        )
    answer = t.invoke(keys)
    assert len(answer["successful_keys"]) == len(keys), "Setup did not succeed"
    return t, keys


def list_notifications(t: TriggerTest, per_page: int, page: int) -> Any:
    """ListNotifications(false, null, "", "", PerPage, Page): the SDK's hand-built query."""
    response = t.client.get(f"/game/notifications/v1?read=false&page={page}&per_page={per_page}&", headers=t.headers)
    assert response.status_code == 200, "Listing notifications with pagination failed"
    return response.get_json()


def test_notifications_list_with_default_parameters_returns_the_trigger_notifications(client: FlaskClient) -> None:
    t, keys = notification_setup(client)
    response = client.get("/game/notifications/v1", headers=t.headers)
    assert response.status_code == 200, "Failed to list notifications"
    listed = response.get_json()["notifications"]
    assert len(listed) == len(keys), "Notifications list is not of expected length"
    for notification in listed:
        assert notification["notification_type"] == "pull.reward.acquired", "Type was not as expected"
        assert notification["source"] == "triggers", "Source was not as expected"
        assert notification["priority"] == "medium", "Priority was not as expected"
        body = notification["content"]["body"]  # TryGetContentBodyAsRewardNotification
        assert body["kind"] == "asset"
        assert body["asset"]["asset_ulid"], "No ulid parsed for asset"
        assert body["asset"]["details"]["name"], "No name was parsed for asset"
        assert body["asset"]["asset_instance_ids"], "Asset_instance_ids was empty"
        context = {entry["key"]: entry["value"] for entry in notification["content"]["context"]}
        assert context["trigger_key"] and context["trigger_id"] and context["trigger_limit"]
        assert int(context["trigger_limit"]) == 0, "Notification trigger limit was not 0"


def test_notifications_list_with_pagination_parameters_returns_correct_page(client: FlaskClient) -> None:
    t, keys = notification_setup(client)
    more = [f"test_trigger_no_limit_{i}" for i in range(DEFAULT_TRIGGERS_TO_CREATE, DEFAULT_TRIGGERS_TO_CREATE + 15)]
    for key in more:
        t.create_trigger_with_reward(key, key.replace("test_trigger_no_limit_", "Test Trigger No Limit"), 0, True)
    answer = t.invoke(more)
    assert len(answer["successful_keys"]) == len(more), "Trigger invocation did not succeed"
    created = keys + more
    first = list_notifications(t, 5, 3)
    last = list_notifications(t, 5, first["pagination"]["last_page"])
    assert len(first["notifications"]) == 5, "The number of notifications returned is not as expected"
    assert len(last["notifications"]) == len(created) % 5, "The number of notifications returned is not as expected"
    first_ids = {n["id"] for n in first["notifications"]}
    assert not first_ids & {n["id"] for n in last["notifications"]}
