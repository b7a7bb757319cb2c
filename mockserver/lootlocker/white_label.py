"""White Label login: email + password accounts of a game (found by its domain key), their WL session tokens,
verification and password-reset requests. A WL session token then starts a game session
(/game/v2/session/white-label), which signs in as the player connected to the `credentials` account."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from ..store import Store
from . import errors, ids
from .collections import WL_SESSIONS, WL_USERS
from .games import Game
from .sequences import next_value


def _hash(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


def _view(game: Game, user: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": user["user_id"],
        "game_id": game["game_id"],
        "email": user["email"],
        "created_at": user["created_at"],
        "updated_at": user["updated_at"],
        "deleted_at": user["deleted_at"],
        "validated_at": user["validated_at"],
    }


class WhiteLabel:
    def __init__(self, store: Store) -> None:
        self.store = store

    def sign_up(self, game: Game, email: str, password: str) -> dict[str, Any]:
        email = email.strip().lower()
        with self.store.write() as tx:
            key = f"{game['id']}:{email}"
            if tx.get(WL_USERS, key) is not None:
                raise errors.conflict("A user with this email already exists.")
            salt = secrets.token_hex(8)
            now = ids.iso_now()
            user = {
                "id": key,
                "user_id": next_value(tx, f"{game['id']}:wl-users"),
                "game_id": game["id"],
                "email": email,
                "salt": salt,
                "password_hash": _hash(salt, password),
                "created_at": now,
                "updated_at": now,
                "deleted_at": None,
                "validated_at": None,
            }
            tx.put(WL_USERS, key, user)
        return _view(game, user)

    def _user(self, game: Game, email: str) -> dict[str, Any] | None:
        return self.store.read().get(WL_USERS, f"{game['id']}:{email.strip().lower()}")

    def login(self, game: Game, email: str, password: str, remember: bool) -> dict[str, Any]:
        user = self._user(game, email)
        if user is None or not hmac.compare_digest(user["password_hash"], _hash(user["salt"], password)):
            raise errors.unauthorized("wrong email/password")
        token = ids.session_token()
        with self.store.write() as tx:
            tx.put(
                WL_SESSIONS,
                token,
                {
                    "id": token,
                    "game_id": game["id"],
                    "email": user["email"],
                    "user_id": user["user_id"],
                    "remember": remember,
                    "created_at": ids.iso_now(),
                },
            )
        return {**_view(game, user), "session_token": token}

    def verify_session(self, game: Game, email: str, token: str) -> dict[str, Any]:
        session = self.store.read().get(WL_SESSIONS, token)
        if session is None or session["game_id"] != game["id"] or session["email"] != email.strip().lower():
            raise errors.unauthorized("The White Label session is invalid for this email.")
        return {"email": session["email"], "token": token}

    def request_verification(self, game: Game, email: str | None, user_id: int | None) -> None:
        """LootLocker e-mails a link; the mock has no mailbox, so it marks the account verified at once.
        Unknown accounts are accepted silently (the answer must not reveal which emails exist)."""
        with self.store.write() as tx:
            users = (
                tx.find(WL_USERS, game_id=game["id"], email=email.strip().lower())
                if email
                else tx.find(WL_USERS, game_id=game["id"], user_id=user_id)
            )
            for user in users:
                if user["validated_at"] is None:
                    user["validated_at"] = user["updated_at"] = ids.iso_now()
                    tx.put(WL_USERS, user["id"], user)

    def request_password_reset(self, game: Game, email: str) -> None:
        """Nothing to send; accepted for known and unknown emails alike."""
        self._user(game, email)
