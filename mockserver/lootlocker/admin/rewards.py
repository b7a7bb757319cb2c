"""Rewards of a game environment through the Admin API: single rewards (`POST /admin/game/{g}/reward`, as the SDK's
LootLockerTestAssets.CreateReward sends them) and reward groups (`POST .../reward/group`, LootLockerTestGroup);
the rules are in mockserver/lootlocker/economy/rewards.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...routing import Call, Handler, Reply
from .. import errors
from ..economy import rewards

if TYPE_CHECKING:
    from .routes import Admin


def handlers(admin: Admin) -> dict[str, Handler]:
    game_id = admin.game_id

    def create(call: Call) -> Reply:
        with admin.store.write() as tx:
            reward = rewards.create(tx, game_id(call), call.body)
        return Reply(200, rewards.view(reward))

    def create_group(call: Call) -> Reply:
        with admin.store.write() as tx:
            reward = rewards.create_group(tx, game_id(call), call.body)
        return Reply(200, rewards.view(reward))

    def get(call: Call) -> Reply:
        reward = rewards.get(admin.store.read(), game_id(call), call.path["reward_id"])
        if reward is None:
            raise errors.not_found(f"No reward '{call.path['reward_id']}' in this game.")
        return Reply(200, rewards.view(reward))

    return {"adminCreateReward": create, "adminCreateRewardGroup": create_group, "adminGetReward": get}
