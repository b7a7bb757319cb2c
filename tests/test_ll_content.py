"""Messages, feedback, legacy reports, removed UGC, error reports and maps over HTTP, each set up through the Admin
API as a game would be, with their error statuses and isolation between games."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from .ll_admin_helpers import TestGame, create_game, guest_session
from .test_ll_ugc import made_asset
from .test_lootlocker_helpers import error_of, session_headers


def admin(client: FlaskClient, game: TestGame, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = client.open(game.dev(path), method=method, json=body, headers=game.headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def player(client: FlaskClient, game: TestGame, identifier: str) -> dict[str, Any]:
    response = guest_session(client, game, identifier)
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def test_messages_published_newest_first_new_once(client: FlaskClient) -> None:
    game = create_game(client)
    admin(client, game, "POST", "messages", {"title": "Old", "published_at": "2026-01-01T00:00:00Z"})
    second = admin(client, game, "POST", "messages", {"title": "Sale", "summary": "50% off", "alert": True})
    admin(client, game, "POST", "messages", {"title": "Later", "published_at": "2999-01-01T00:00:00Z"})
    me = player(client, game, "msg-reader")
    first = client.get("/game/v1/messages", headers=session_headers(me)).get_json()["messages"]
    assert [m["title"] for m in first] == ["Sale", "Old"]  # the scheduled one is not published yet
    assert first[0] == {
        "title": "Sale",
        "published_at": second["published_at"],
        "body": "",
        "summary": "50% off",
        "category": "",
        "alert": True,
        "new": True,
        "action": "",
        "image": "",
    }
    again = client.get("/game/v1/messages", headers=session_headers(me)).get_json()["messages"]
    assert [m["new"] for m in again] == [False, False]
    assert [
        m["new"]
        for m in client.get("/game/v1/messages", headers=session_headers(player(client, game, "x"))).get_json()[
            "messages"
        ]
    ] == [True, True]
    admin(client, game, "DELETE", f"messages/{second['id']}", status=204)
    assert [
        m["title"] for m in client.get("/game/v1/messages", headers=session_headers(me)).get_json()["messages"]
    ] == ["Old"]
    error_of(client.delete(game.dev(f"messages/{second['id']}"), headers=game.headers), 404, "not_found")
    stranger = player(client, create_game(client, name="other"), "msg-stranger")
    assert client.get("/game/v1/messages", headers=session_headers(stranger)).get_json() == {"messages": []}


def test_feedback_categories_and_sending(client: FlaskClient) -> None:
    game = create_game(client)
    bug = admin(client, game, "POST", "feedback/categories", {"entity": "game", "name": "Bug", "description": "Broken"})
    toxic = admin(client, game, "POST", "feedback/categories", {"entity": "player", "name": "Toxic"})
    ugc_cat = admin(client, game, "POST", "feedback/categories", {"entity": "ugc", "name": "Ugly"})
    me, them = player(client, game, "fb-me"), player(client, game, "fb-them")
    headers = session_headers(me)
    listed = client.get("/game/feedback/category/entity/game", headers=headers).get_json()
    assert listed == {"categories": [{"id": bug["id"], "entity": "game", "name": "Bug", "description": "Broken"}]}
    assert [
        c["id"] for c in client.get("/game/feedback/category/entity/player", headers=headers).get_json()["categories"]
    ] == [toxic["id"]]

    def send(body: dict[str, Any]) -> Any:
        return client.post("/game/feedback", json=body, headers=headers)

    assert (
        send({"entity": "game", "entity_id": "", "category_id": bug["id"], "description": "crash"}).status_code == 204
    )
    body = {"entity": "player", "entity_id": them["player_ulid"], "category_id": toxic["id"], "description": "rude"}
    assert send(body).status_code == 204
    asset = made_asset(client, them)
    ugc_body = {"entity": "ugc", "entity_id": str(asset["asset_id"]), "category_id": ugc_cat["id"], "description": ""}
    assert send(ugc_body).status_code == 204
    received = admin(client, game, "GET", "feedback")["feedback"]
    assert [(f["entity"], f["entity_id"], f["sender"]) for f in received] == [
        ("game", "", me["player_ulid"]),
        ("player", them["player_ulid"], me["player_ulid"]),
        ("ugc", str(asset["asset_id"]), me["player_ulid"]),
    ]
    error_of(send({**body, "category_id": bug["id"]}), 400, "parameter_invalid", "category_id")
    error_of(send({**body, "entity_id": me["player_ulid"]}), 400, "parameter_invalid", "entity_id")
    error_of(send({**body, "entity_id": "01NOSUCHPLAYER000000000000"}), 404, "not_found")
    error_of(send({**body, "category_id": "nope"}), 404, "not_found")
    error_of(send({**body, "entity": "guild"}), 400, "parameter_invalid", "entity")
    error_of(client.get("/game/feedback/category/entity/guild", headers=headers), 404, "not_found")
    stranger = player(client, create_game(client, name="other"), "fb-stranger")
    assert client.get("/game/feedback/category/entity/game", headers=session_headers(stranger)).get_json() == {
        "categories": []
    }


def test_reports_removed_ugc_and_error_reports(client: FlaskClient) -> None:
    game = create_game(client)
    me, author = player(client, game, "rep-me"), player(client, game, "rep-author")
    headers = session_headers(me)
    types = client.get("/game/reports/types", headers=headers).get_json()["types"]
    assert types[0] == {"id": 1, "text": "Cheating"} and len(types) == 6
    body = {"report_types": [2, 1, 2], "message": "spawn camping", "player_id": author["player_id"]}
    report = client.post("/game/reports/player", json=body, headers=headers)
    assert report.status_code == 200, report.get_json()
    made = report.get_json()
    assert (
        made["player_id"] == author["player_id"] and made["report_types"] == [1, 2] and made["text"] == "spawn camping"
    )
    assert made["report_date"] and isinstance(made["id"], int)
    error_of(
        client.post("/game/reports/player", json={**body, "report_types": [99]}, headers=headers),
        400,
        "parameter_invalid",
        "report_types",
    )
    error_of(
        client.post("/game/reports/player", json={**body, "player_id": me["player_id"]}, headers=headers),
        400,
        "parameter_invalid",
        "player_id",
    )
    error_of(
        client.post("/game/reports/player", json={**body, "player_id": 99999999}, headers=headers), 404, "not_found"
    )

    asset = made_asset(client, author, "Rude statue")
    asset_report = client.post(
        "/game/reports/asset", json={"report_types": [4], "asset_id": asset["asset_id"]}, headers=headers
    ).get_json()
    assert asset_report["asset_id"] == asset["asset_id"] and asset_report["text"] == ""
    kinds = [(r["kind"], r["player_id"], r["asset_id"]) for r in admin(client, game, "GET", "reports")["reports"]]
    assert kinds == [("player", author["player_id"], None), ("asset", None, asset["asset_id"])]

    removed = admin(client, game, "POST", "reports/removed-ugc", {"asset_id": asset["asset_id"], "report_types": [4]})
    listed = client.get("/game/player/ugc/removed", headers=session_headers(author)).get_json()["assets"]
    assert listed == [removed] and removed["name"] == "Rude statue" and removed["report_types"] == [4]
    assert client.get("/game/player/ugc/removed", headers=headers).get_json() == {"assets": []}
    later = client.get(f"/game/player/ugc/removed?after={removed['id']}&count=5", headers=session_headers(author))
    assert later.get_json() == {"assets": []}
    since = client.get("/game/player/ugc/removed?since=2999-01-01", headers=session_headers(author))
    assert since.get_json() == {"assets": []}
    # The removed asset is withdrawn: it can no longer be reported or removed again.
    error_of(
        client.post("/game/reports/asset", json={"report_types": [4], "asset_id": asset["asset_id"]}, headers=headers),
        404,
        "not_found",
    )
    plain = made_asset(client, author, "Second")
    admin(client, game, "POST", "reports/removed-ugc", {"asset_id": plain["asset_id"], "report_types": [5]})
    error_of(client.get("/game/player/ugc/removed?after=x", headers=headers), 400, "parameter_invalid", "after")

    error_report = {
        "user_description": "it broke",
        "status_code": 500,
        "endpoint": "/game/ping",
        "http_method": "GET",
        "request_headers": ["a: b"],
        "request_duration_seconds": 0.5,
    }
    assert client.post("/game/error-report", json=error_report, headers=headers).status_code == 204
    [kept] = admin(client, game, "GET", "error-reports")["error_reports"]
    assert kept["player_id"] == me["player_ulid"] and kept["report"] == error_report


def test_report_types_changed_through_the_admin_api(client: FlaskClient) -> None:
    game = create_game(client)
    me, them = player(client, game, "types-me"), player(client, game, "types-them")
    added = admin(client, game, "POST", "reports/types", {"text": "Griefing"})
    assert added == {"id": 7, "text": "Griefing"}
    error_of(client.post(game.dev("reports/types"), json={"text": "Spam"}, headers=game.headers), 409, "conflict")
    admin(client, game, "DELETE", "reports/types/1", status=204)
    listed = client.get("/game/reports/types", headers=session_headers(me)).get_json()["types"]
    assert [t["id"] for t in listed] == [2, 3, 4, 5, 6, 7] and listed == admin(client, game, "GET", "reports/types")[
        "types"
    ]
    body = {"report_types": [7], "player_id": them["player_id"]}
    assert client.post("/game/reports/player", json=body, headers=session_headers(me)).get_json()["report_types"] == [7]
    gone = client.post("/game/reports/player", json={**body, "report_types": [1]}, headers=session_headers(me))
    error_of(gone, 400, "parameter_invalid", "report_types")
    error_of(client.delete(game.dev("reports/types/1"), headers=game.headers), 404, "not_found")
    # Another game keeps the defaults; a deleted id is not given again.
    other = player(client, create_game(client, name="other"), "types-other")
    assert len(client.get("/game/reports/types", headers=session_headers(other)).get_json()["types"]) == 6
    assert admin(client, game, "POST", "reports/types", {"text": "AFK"})["id"] == 8


def test_maps_with_spawn_points(client: FlaskClient) -> None:
    game = create_game(client)
    me = player(client, game, "map-me")
    level, spawn = made_asset(client, me, "Level"), made_asset(client, me, "Spawn")
    body = {
        "asset_id": level["asset_id"],
        "spawn_points": [
            {
                "asset_id": spawn["asset_id"],
                "position": "1,2,3",
                "rotation": "0,90,0",
                "cameras": [{"position": "0,10,0", "rotation": "90,0,0"}],
            }
        ],
    }
    made = admin(client, game, "POST", "maps", body)
    listed = client.get("/game/v1/maps", headers=session_headers(me)).get_json()["maps"]
    assert listed == [made] == admin(client, game, "GET", "maps")["maps"]
    assert made["asset_id"] == level["asset_id"] and made["player_access"] is True
    assert made["spawn_points"][0]["cameras"] == [{"position": "0,10,0", "rotation": "90,0,0"}]
    error_of(client.post(game.dev("maps"), json={"asset_id": 99999999}, headers=game.headers), 404, "not_found")
    stranger = player(client, create_game(client, name="other"), "map-stranger")
    assert client.get("/game/v1/maps", headers=session_headers(stranger)).get_json() == {"maps": []}
    forced = client.get("/game/v1/maps", headers={**session_headers(me), "Prefer": "code=429"})
    error_of(forced, 429, "too_many_requests")


GAME_OPERATIONS = (
    "listMetadata",
    "multisourceMetadata",
    "setMetadata",
    "listMessages",
    "listFeedbackCategories",
    "sendFeedback",
    "listReportTypes",
    "reportPlayer",
    "reportAsset",
    "listRemovedUgc",
    "sendErrorReport",
    "listMaps",
    "listAssetCandidates",
    "createAssetCandidate",
    "getAssetCandidate",
    "updateAssetCandidate",
    "deleteAssetCandidate",
    "addAssetCandidateFile",
    "removeAssetCandidateFile",
    "listCollectables",
    "collectItem",
    "listMissions",
    "getMission",
    "startMission",
    "finishMission",
)
ADMIN_OPERATIONS = (
    "adminSetMetadata",
    "adminCreateMessage",
    "adminListMessages",
    "adminDeleteMessage",
    "adminCreateFeedbackCategory",
    "adminListFeedbackCategories",
    "adminListFeedback",
    "adminListReports",
    "adminRemoveUgc",
    "adminListErrorReports",
    "adminListReportTypes",
    "adminAddReportType",
    "adminDeleteReportType",
    "adminCreateMap",
    "adminListMaps",
    "adminCreateCollectable",
    "adminListCollectables",
    "adminCreateMission",
)


def test_every_content_operation_answers_forced_errors(client: FlaskClient) -> None:
    """`Prefer: code=NNN` gives LootLocker's error body of that status on each operation (Retry-After on 503)."""
    from mockserver.lootlocker.admin.routes import admin_spec
    from mockserver.openapi import specs

    documents = specs()
    game = create_game(client)
    me = player(client, game, "prefer-me")
    operations = [(documents.lootlocker.operations[o], session_headers(me)) for o in GAME_OPERATIONS]
    admin_operations = admin_spec(documents).operations
    operations += [(admin_operations[o], game.headers) for o in ADMIN_OPERATIONS]
    for operation, headers in operations:
        assert {400, 429, 500, 503} <= set(operation.statuses), operation.operation_id
        path = operation.path.replace("{game_id}", str(game.development_id))
        for name in ("{source}", "{entity}"):
            path = path.replace(name, "self" if name == "{source}" else "game")
        path = "".join(part if not part.startswith("{") else "1" for part in path.replace("}", "}\0").split("\0"))
        for status in (500, 503):
            response = client.open(path, method=operation.method, headers={**headers, "Prefer": f"code={status}"})
            error_of(response, status, "internal_server_error" if status == 500 else "service_unavailable")
            assert ("Retry-After" in response.headers) == (status == 503), operation.operation_id


def test_forced_success_follows_the_state(client: FlaskClient) -> None:
    game = create_game(client)
    me = player(client, game, "prefer-ok")
    forced = client.get("/game/v1/messages", headers={**session_headers(me), "Prefer": "code=200"})
    assert forced.status_code == 200 and forced.get_json() == {"messages": []}
    # A feedback to an unknown category is a 404 in this state, not the 204 asked for.
    body = {"entity": "game", "entity_id": "", "category_id": "nope"}
    refused = client.post("/game/feedback", json=body, headers={**session_headers(me), "Prefer": "code=204"})
    assert refused.status_code == 400 and "cannot answer 204" in refused.get_json()["message"]
