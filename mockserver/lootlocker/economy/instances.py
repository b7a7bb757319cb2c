"""Key-value storage of a player's asset instances: `[{id, key, value}]` on the instance (mockserver/lootlocker/
economy/inventory.py), pair ids from a global sequence. Keys are unique per instance: creating or updating by key
replaces that key's value. Every change answers the instance's whole storage, as LootLocker does.
"""

from __future__ import annotations

from typing import Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, sequences
from ..collections import ASSET_INSTANCES
from .inventory import Instance, of_player, owned


def _pair(instance: Instance, pair_id: str) -> dict[str, Any]:
    for pair in instance["storage"]:
        if str(pair["id"]) == pair_id.strip():
            return dict(pair)
    raise errors.not_found(f"No storage pair {pair_id} on asset instance {instance['instance_id']}.")


def _set(tx: Tx, instance: Instance, key: str, value: Any) -> None:
    text = "" if value is None else str(value)
    for pair in instance["storage"]:
        if pair["key"] == key:
            pair["value"] = text
            return
    instance["storage"].append({"id": sequences.next_value(tx, "instance-storage"), "key": key, "value": text})


def _change(store: Store, player: str, instance_id: str, change: Any) -> list[dict[str, Any]]:
    with store.write() as tx:
        instance = owned(tx, player, instance_id)
        change(tx, instance)
        tx.put(ASSET_INSTANCES, instance["id"], instance)
        return [dict(p) for p in instance["storage"]]


def handlers(store: Store) -> dict[str, Handler]:
    def player(call: Call) -> str:
        return str(call.context["player_id"])

    def all_pairs(call: Call) -> Reply:
        keypairs = [
            {"instance_id": i["instance_id"], "storage": dict(p)}
            for i in of_player(store.read(), player(call))
            for p in i["storage"]
        ]
        return Reply(200, {"keypairs": keypairs})

    def list_pairs(call: Call) -> Reply:
        instance = owned(store.read(), player(call), call.path["instance_id"])
        return Reply(200, {"storage": [dict(p) for p in instance["storage"]]})

    def get_pair(call: Call) -> Reply:
        instance = owned(store.read(), player(call), call.path["instance_id"])
        pair = _pair(instance, call.path["pair_id"])
        return Reply(200, {"keypair": {"instance_id": instance["instance_id"], "storage": pair}})

    def create(call: Call) -> Reply:
        body = call.body
        storage = _change(
            store, player(call), call.path["instance_id"], lambda tx, i: _set(tx, i, body["key"], body["value"])
        )
        return Reply(200, {"storage": storage})

    def update_many(call: Call) -> Reply:
        def change(tx: Tx, instance: Instance) -> None:
            for pair in call.body["storage"]:
                _set(tx, instance, pair["key"], pair.get("value"))

        return Reply(200, {"storage": _change(store, player(call), call.path["instance_id"], change)})

    def update_one(call: Call) -> Reply:
        def change(tx: Tx, instance: Instance) -> None:
            pair_id = _pair(instance, call.path["pair_id"])["id"]
            key = call.body.get("key")
            clash = key is not None and any(p["key"] == key and p["id"] != pair_id for p in instance["storage"])
            if clash:
                raise errors.conflict(f"Another storage pair of this instance has the key '{key}'.")
            for pair in instance["storage"]:
                if pair["id"] == pair_id:
                    pair["key"] = str(key) if key is not None else pair["key"]
                    pair["value"] = "" if call.body.get("value") is None else str(call.body["value"])

        return Reply(200, {"storage": _change(store, player(call), call.path["instance_id"], change)})

    def delete_one(call: Call) -> Reply:
        def change(tx: Tx, instance: Instance) -> None:
            pair_id = _pair(instance, call.path["pair_id"])["id"]
            instance["storage"] = [p for p in instance["storage"] if p["id"] != pair_id]

        return Reply(200, {"storage": _change(store, player(call), call.path["instance_id"], change)})

    return {
        "listAllInstanceStorage": all_pairs,
        "listInstanceStorage": list_pairs,
        "getInstanceStoragePair": get_pair,
        "createInstanceStoragePair": create,
        "updateInstanceStorage": update_many,
        "updateInstanceStoragePair": update_one,
        "deleteInstanceStoragePair": delete_one,
    }
