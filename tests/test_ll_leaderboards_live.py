"""Leaderboards on a live `mockserver serve` with several worker processes: concurrent submits from many players
keep the count tree exact (ranks 1..n, consecutive, in score order), and a reset of the mock's state empties
the board's rankings with its documents."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from mockserver.testing import LiveServer

from .ll_admin_helpers import EMAIL, PASSWORD


@pytest.fixture(scope="module")
def workers() -> Iterator[LiveServer]:
    server = LiveServer("--workers", "2").start()
    yield server
    server.stop()


def _call(url: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    response = requests.request(method, f"{url}{path}", json=body, headers=headers or {}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _set_up(url: str) -> tuple[str, dict[str, str]]:
    """Admin sign-up, a game with its stage key and guest platform, a descending player board."""
    signup = {"organisation": "o", "name": "n", "email": EMAIL, "password": PASSWORD}
    login = _call(url, "POST", "/admin/v1/signup", signup)
    admin = {"x-auth-token": login["auth_token"]}
    organisation = login["user"]["organisations"][0]["id"]
    created = {"name": "live", "genre": 1, "organisation_id": organisation}
    game = _call(url, "POST", "/admin/v1/game", created, admin)["game"]
    dev = game["development"]["id"]
    key = _call(url, "POST", f"/admin/game/{dev}/api_keys", {"name": "stage", "api_type": "game"}, admin)["api_key"]
    _call(url, "PUT", f"/admin/game/{dev}/platforms/guest", {"enabled": True, "settings": {}}, admin)
    board = {"name": "Live", "key": "live", "direction_method": "descending", "type": "player"}
    _call(url, "POST", f"/admin/game/{dev}/leaderboards", {**board, "overwrite_score_on_submit": True}, admin)
    return key, admin


def test_concurrent_submits_on_several_workers_keep_ranks_exact(workers: LiveServer) -> None:
    requests.post(f"{workers.url}/_mock/reset", timeout=5).raise_for_status()
    key, _ = _set_up(workers.url)
    rng = random.Random(16)

    def play(i: int) -> tuple[int, int]:
        session = _call(workers.url, "POST", "/game/v2/session/guest", {"game_key": key, "player_identifier": f"p{i}"})
        headers = {"x-session-token": session["session_token"]}
        last = 0
        for _ in range(5):  # overwrite on: every submit moves the player
            last = rng.randrange(1000)
            _call(workers.url, "POST", "/game/leaderboards/live/submit", {"score": last}, headers)
        return session["player_id"], last

    with ThreadPoolExecutor(8) as pool:
        final = dict(pool.map(play, range(40)))
    session = _call(workers.url, "POST", "/game/v2/session/guest", {"game_key": key, "player_identifier": "reader"})
    headers = {"x-session-token": session["session_token"]}
    listed = _call(workers.url, "GET", "/game/leaderboards/live/list?count=100&after=0", headers=headers)
    items = listed["items"]
    assert listed["pagination"]["total"] == 40 and len(items) == 40
    assert [i["rank"] for i in items] == list(range(1, 41))
    assert {int(i["member_id"]): i["score"] for i in items} == final
    assert [i["score"] for i in items] == sorted(final.values(), reverse=True)
    for item in items[::7]:  # each member's own rank agrees with the list
        member = _call(workers.url, "GET", f"/game/leaderboards/live/member/{item['member_id']}", headers=headers)
        assert member["rank"] == item["rank"]

    requests.post(f"{workers.url}/_mock/reset", timeout=5).raise_for_status()
    key, _ = _set_up(workers.url)  # the same board key again, in a fresh world
    session = _call(workers.url, "POST", "/game/v2/session/guest", {"game_key": key, "player_identifier": "again"})
    headers = {"x-session-token": session["session_token"]}
    fresh = _call(workers.url, "GET", "/game/leaderboards/live/list?count=100&after=0", headers=headers)
    assert fresh == {"pagination": {"total": 0, "next_cursor": None, "previous_cursor": None}, "items": []}
