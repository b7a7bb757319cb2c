"""The Players section beyond info, names and storage: name lookups by any id kind (repeatable query
parameters, as the SDKs send them), first-party platform ids, public/private profile, player deletion, and XP
with the game's level thresholds (legacy Submit XP / Get XP; a fixture's game may declare `levels:
[{level, xp_threshold}]`, none by default)."""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, files
from .collections import (
    ACCOUNTS,
    NOTIFICATIONS,
    PLAYER_PROGRESSIONS,
    PLAYERS,
    REFRESH_TOKENS,
    SESSIONS,
    STORAGE,
    TRIGGER_CLAIMS,
)
from .connected_accounts import account_id
from .players import Player, Players
from .providers import GENERIC_PLATFORMS

# A session's platform → the connected-account provider it signs in with.
PLATFORM_PROVIDERS = {**GENERIC_PLATFORMS, "white_label_login": "credentials"}

# Lookup query parameter → the connected-account provider whose subject it names (None: a player field).
LOOKUP_PROVIDERS = {
    "player_guest_login_id": "guest",
    "steam_id": "steam",
    "psn_id": "playstation",
    "xbox_id": "xbox",
    "epic_games_id": "epic_games",
    "google_play_games_id": "google_play_games",
}
LOOKUP_FIELDS = {"player_id": "legacy", "player_public_uid": "public_uid", "player_ulid": "ulid"}
MAX_LOOKUPS = 500  # ids per lookup request (LootLocker does not document its limit)


def levels(game: dict[str, Any]) -> list[dict[str, int]]:
    """The game's level thresholds, `levels: [{level, xp_threshold}]` in its fixture (none by default)."""
    return sorted(game.get("levels") or [], key=lambda lv: lv["xp_threshold"])


def level_of(game: dict[str, Any], xp: int) -> dict[str, Any]:
    """`level` and `level_thresholds` for an XP total: the highest level whose threshold is reached."""
    reached = [lv for lv in levels(game) if lv["xp_threshold"] <= xp]
    ahead = [lv for lv in levels(game) if lv["xp_threshold"] > xp]
    return {
        "level": reached[-1]["level"] if reached else 0,
        "level_thresholds": {
            "current": reached[-1]["xp_threshold"] if reached else 0,
            "current_is_prestige": False,
            "next": ahead[0]["xp_threshold"] if ahead else None,
            "next_is_prestige": False,
        },
    }


def _subject(tx: Tx, player: Player, provider: str) -> str | None:
    for account in tx.find(ACCOUNTS, player_id=player["id"]):
        if account["provider"] == provider:
            return str(account["subject"])
    return None


def _digits(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() and len(value) <= 19 else None


def _values(call: Call, name: str) -> list[str]:
    request = call.request
    values = request.args.getlist(name) if request is not None else []
    return [v for v in values if v != ""]


def lookup_names(store: Store, game_id: str, call: Call) -> list[dict[str, Any]]:
    """Players named by any of the lookup parameters (repeatable), each once, in request order."""
    tx = store.read()
    found: dict[str, tuple[Player, str | None]] = {}
    names = {*LOOKUP_FIELDS, "player_name", *LOOKUP_PROVIDERS}
    pairs = call.request.args.items(multi=True) if call.request is not None else []
    wanted = [(name, value) for name, value in pairs if name in names and value != ""]  # in request order
    if len(wanted) > MAX_LOOKUPS:
        raise errors.invalid("player_id", f"at most {MAX_LOOKUPS} ids per lookup")
    for name, value in wanted:
        players: list[Player] = []
        platform_id: str | None = None
        if name in LOOKUP_FIELDS:
            one = Players.find(tx, game_id, value, LOOKUP_FIELDS[name])
            players = [one] if one is not None else []
        elif name == "player_name":
            players = tx.find(PLAYERS, game_id=game_id, name=value)
        else:
            account = tx.get(ACCOUNTS, account_id(game_id, LOOKUP_PROVIDERS[name], value))
            owner = tx.get(PLAYERS, account["player_id"]) if account is not None else None
            players, platform_id = ([owner], value) if owner is not None else ([], None)
        for player in players:
            found.setdefault(player["id"], (player, platform_id))
    answer = []
    for player, platform_id in found.values():
        platform = player.get("last_active_platform") or ""
        if platform_id is None:
            platform_id = _subject(tx, player, PLATFORM_PROVIDERS.get(platform, platform)) or ""
        answer.append(
            {
                "player_id": player["legacy_id"],
                "player_public_uid": player["public_uid"],
                "ulid": player["id"],
                "name": player["name"] or "",
                "last_active_platform": platform,
                "platform_player_id": platform_id,
            }
        )
    return answer


def lookup_ids(store: Store, game_id: str, call: Call) -> list[dict[str, Any]]:
    """Players by legacy id or public UID with their first-party platform ids (steam, xbox, psn)."""
    tx = store.read()
    found: dict[str, Player] = {}
    wanted = [
        *((v, "legacy") for v in _values(call, "player_id")),
        *((v, "public_uid") for v in _values(call, "player_public_uid")),
    ]
    if len(wanted) > MAX_LOOKUPS:
        raise errors.invalid("player_id", f"at most {MAX_LOOKUPS} ids per lookup")
    for value, kind in wanted:
        player = Players.find(tx, game_id, value, kind)
        if player is not None:
            found.setdefault(player["id"], player)
    return [
        {
            "player_id": p["legacy_id"],
            "player_public_uid": p["public_uid"],
            "name": p["name"] or "",
            "last_active_platform": p.get("last_active_platform") or "",
            "platform_ids": {
                "steam_id": _digits(_subject(tx, p, "steam")),
                "xbox_id": _subject(tx, p, "xbox"),
                "psn_id": _digits(_subject(tx, p, "playstation")),
            },
        }
        for p in found.values()
    ]


def _feature_forgetters() -> tuple[Any, ...]:
    """Each feature's forget_player(tx, game_id, player_id), in the order deletion needs: progressions of instances
    and characters before the inventory forgets the instances. Imported here: the features import this module's
    neighbours, and deletion is rare."""
    from . import characters, collectables, instance_progressions, messages, metadata, missions, ugc
    from .economy import inventory, items, legacy_purchases, purchases, wallets

    return (
        instance_progressions,
        characters,
        inventory,
        items,
        purchases,
        legacy_purchases,
        wallets,
        ugc,
        collectables,
        missions,
        messages,
        metadata,
    )


def delete_player(store: Store, player_id: str) -> None:
    """The player and everything of theirs: sessions and refresh tokens (their token stops working), connected
    accounts (the same guest identifier then signs in as a new player), storage, files, notifications,
    progressions, trigger invocations, and what each feature keeps (characters, inventory, items, wallets,
    entitlements, UGC, collectables, missions, message reads, own metadata). Leaderboard entries stay (LootLocker
    keeps scores until a reset; a documented choice)."""
    with store.write() as tx:
        player = tx.get(PLAYERS, player_id)
        if player is not None:
            for feature in _feature_forgetters():
                feature.forget_player(tx, player["game_id"], player_id)
        for kind in (SESSIONS, REFRESH_TOKENS, ACCOUNTS, STORAGE, NOTIFICATIONS, PLAYER_PROGRESSIONS, TRIGGER_CLAIMS):
            tx.delete_where(kind, player_id=player_id)
        files.delete_all(tx, player_id)
        tx.delete(PLAYERS, player_id)


def submit_xp(store: Store, game: dict[str, Any], player_id: str, points: int) -> dict[str, Any]:
    """Legacy Submit XP: adds points; answers the XP before and after and the levels reached on the way."""
    with store.write() as tx:
        player = Players.get(tx, player_id)
        previous = int(player.get("xp") or 0)
        current = previous + points
        player["xp"] = current
        tx.put(PLAYERS, player_id, player)
    gained = [lv for lv in levels(game) if previous < lv["xp_threshold"] <= current]
    return {"xp": {"previous": previous, "current": current}, "levels": gained, "check_grant_notifications": False}


def handlers(store: Store) -> dict[str, Handler]:
    def game(call: Call) -> dict[str, Any]:
        return dict(call.context["game"])

    def player_id(call: Call) -> str:
        return str(call.context["player_id"])

    def set_profile(public: bool) -> Handler:
        def handler(call: Call) -> Reply:
            with store.write() as tx:
                player = Players.get(tx, player_id(call))
                player["profile_public"] = public
                tx.put(PLAYERS, player["id"], player)
            return Reply(204)

        return handler

    def delete(call: Call) -> Reply:
        delete_player(store, player_id(call))
        return Reply(204)

    def xp_of(call: Call) -> Reply:
        other = Players.find(store.read(), game(call)["id"], call.path["player_id"])
        if other is None:
            raise errors.not_found(f"No player '{call.path['player_id']}' in this game.")
        xp = int(other.get("xp") or 0)
        return Reply(200, {"xp": xp, "level": level_of(game(call), xp)["level"]})

    return {
        "lookupPlayerNames": lambda call: Reply(200, {"players": lookup_names(store, game(call)["id"], call)}),
        "lookupPlayerPlatformIds": lambda call: Reply(200, {"players": lookup_ids(store, game(call)["id"], call)}),
        "setProfilePublic": set_profile(True),
        "setProfilePrivate": set_profile(False),
        "deletePlayer": delete,
        "submitXp": lambda call: Reply(200, submit_xp(store, game(call), player_id(call), call.body["points"])),
        "getPlayerXp": xp_of,
    }
