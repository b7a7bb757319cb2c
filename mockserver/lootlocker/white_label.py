"""White Label login: email + password accounts of a game (found by its domain key), their White Label session
tokens, account verification and password resets by mail. A White Label session token then starts a game session
(/game/v2/session/white-label, sessions.py), which signs in as the player connected to the `credentials` account.

What LootLocker documents, and the mock does: passwords of at least 8 characters; a White Label session lasts 24
hours, or with `remember` the game's "Remember Me Session Length" (30 days unless set); with "Enable Account
Verification" a sign-up mails a verification link, and with "Block Unverified Players" an unverified account
starts no game session. These are the settings of the game's `white_label_login` platform (Admin API
`PUT /admin/game/{id}/platforms/white_label_login` `{enabled, settings}`) under the names of SETTINGS below.

The mails land in the messages outbox (GET /_mock/messages) with their token and a link to the page that uses it
(web/white_label.py): the verification link marks the account verified, the reset link shows a form to choose a
new password. Tokens are single-use and expire (VERIFY_TOKEN_SECONDS, RESET_TOKEN_SECONDS); a new request
replaces the open token of its kind; a password reset ends the account's White Label sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from .. import outbox
from ..clock import now_s
from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import errors, ids
from .collections import GAMES, WL_SESSIONS, WL_TOKENS, WL_USERS
from .games import Game
from .sequences import next_value

PASSWORD_MIN, PASSWORD_MAX = 8, 255  # LootLocker: "at least 8 characters"; the upper bound is the mock's
SESSION_SECONDS = 24 * 3600  # LootLocker: a White Label session is valid for 24 hours ...
REMEMBER_DAYS = 30  # ... or, with remember, for the game's Remember Me Session Length (default 30 days)
VERIFY_TOKEN_SECONDS = 24 * 3600  # LootLocker does not say; the mock's choice
RESET_TOKEN_SECONDS = 3600  # idem
PAGES = "/_mock/lootlocker/white-label"  # where the mails' links lead (web/white_label.py)
# The settings of the game's white_label_login platform the mock reads (the web console's options, snake_case).
SETTINGS = {
    "verification": "enable_account_verification",
    "block": "block_unverified_players",
    "remember_days": "remember_me_session_length",
}


def _hash(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


def password_problem(password: str) -> str | None:
    """What is wrong with a new password (LootLocker's rule), or None."""
    if len(password) < PASSWORD_MIN:
        return f"The password must be at least {PASSWORD_MIN} characters long."
    if len(password) > PASSWORD_MAX:
        return f"The password must be at most {PASSWORD_MAX} characters long."
    return None


def settings(game: Game) -> dict[str, Any]:
    value = game.get("platforms", {}).get("white_label_login")
    return value if isinstance(value, dict) else {}


def _remember_seconds(game: Game) -> int:
    days = settings(game).get(SETTINGS["remember_days"])
    valid = isinstance(days, int | float) and not isinstance(days, bool) and days > 0
    return int((days if valid else REMEMBER_DAYS) * 86400)


def _user_key(game: Game, email: str) -> str:
    return f"{game['id']}:{email.strip().lower()}"


def view(game: Game, user: dict[str, Any]) -> dict[str, Any]:
    # Unity reads `verified_at`, Unreal and Godot `validated_at`: both are sent, always equal.
    return {
        "id": user["user_id"],
        "game_id": game["game_id"],
        "email": user["email"],
        "created_at": user["created_at"],
        "updated_at": user["updated_at"],
        "deleted_at": user["deleted_at"],
        "validated_at": user["validated_at"],
        "verified_at": user["validated_at"],
    }


def _mail(tx: Tx, game: Game, user: dict[str, Any], kind: str, base_url: str) -> None:
    """A new single-use token of that kind (replacing the open one) and the mail carrying its link."""
    tx.delete_where(WL_TOKENS, user_key=user["id"], purpose=kind)
    token = secrets.token_urlsafe(24)
    lifetime = VERIFY_TOKEN_SECONDS if kind == "verify" else RESET_TOKEN_SECONDS
    tx.put(
        WL_TOKENS,
        token,
        {"id": token, "purpose": kind, "user_key": user["id"], "game_id": game["id"], "expires_at": now_s() + lifetime},
    )
    page = "verify" if kind == "verify" else "reset-password"
    link = f"{base_url.rstrip('/')}{PAGES}/{page}?token={token}"
    if kind == "verify":
        subject = f"Verify your {game['name']} account"
        body = f"Confirm your email address for {game['name']}: {link}"
    else:
        subject = f"Reset your {game['name']} password"
        body = f"Choose a new password for your {game['name']} account: {link} (valid for one hour)"
    template = "WhiteLabelVerification" if kind == "verify" else "WhiteLabelResetPassword"
    outbox.send(tx, "email", user["email"], subject, body, token=token, link=link, template=template)


class WhiteLabel:
    def __init__(self, store: Store) -> None:
        self.store = store

    def sign_up(self, game: Game, email: str, password: str, base_url: str = "") -> dict[str, Any]:
        problem = password_problem(password)
        if problem:
            raise errors.invalid("password", problem)
        email = email.strip().lower()
        with self.store.write() as tx:
            key = _user_key(game, email)
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
            if settings(game).get(SETTINGS["verification"]) is True:
                _mail(tx, game, user, "verify", base_url)
        return view(game, user)

    def _user(self, game: Game, email: str) -> dict[str, Any] | None:
        return self.store.read().get(WL_USERS, _user_key(game, email))

    def login(self, game: Game, email: str, password: str, remember: bool) -> dict[str, Any]:
        user = self._user(game, email)
        if user is None or not hmac.compare_digest(user["password_hash"], _hash(user["salt"], password)):
            raise errors.unauthorized("wrong email/password")
        token = ids.session_token()
        lifetime = _remember_seconds(game) if remember else SESSION_SECONDS
        with self.store.write() as tx:
            tx.put(
                WL_SESSIONS,
                token,
                {
                    "id": token,
                    "game_id": game["id"],
                    "email": user["email"],
                    "user_id": user["user_id"],
                    "user_key": user["id"],
                    "remember": remember,
                    "created_at": ids.iso_now(),
                    "expires_at": now_s() + lifetime,
                },
            )
        return {**view(game, user), "session_token": token}

    def verify_session(self, game: Game, email: str, token: str) -> dict[str, Any]:
        session = session_of(self.store.read(), game, email, token)
        return {"email": session["email"], "token": token, "game_id": game["game_id"], "user_id": session["user_id"]}

    def request(self, game: Game, kind: str, email: str | None, user_id: int | None, base_url: str) -> None:
        """Mail a verification or reset link to the account named by email or user id. Unknown accounts are
        accepted silently (the answer does not reveal which exist); a verified account gets no verification mail."""
        with self.store.write() as tx:
            if email:
                user = tx.get(WL_USERS, _user_key(game, email))
                users = [user] if user is not None else []
            else:
                users = tx.find(WL_USERS, game_id=game["id"], user_id=user_id)
            for user in users:
                if kind == "verify" and user["validated_at"] is not None:
                    continue
                _mail(tx, game, user, kind, base_url)


def session_of(tx: Tx, game: Game, email: str, token: str) -> dict[str, Any]:
    """The live White Label session of that token, game and email; 401 when unknown, another's or expired."""
    session = tx.get(WL_SESSIONS, token)
    if session is None or session["game_id"] != game["id"] or session["email"] != email.strip().lower():
        raise errors.unauthorized("The White Label session token is invalid for this email.")
    if session.get("expires_at", now_s() + 1) <= now_s():
        raise errors.unauthorized("The White Label session has expired: log in again.")
    return session


def session_user(tx: Tx, game: Game, email: str, token: str) -> str:
    """The White Label user id a game session starts for (the `credentials` subject). An unverified account
    of a game that blocks unverified players starts none: 403."""
    session = session_of(tx, game, email, token)
    game_settings = settings(game)
    if game_settings.get(SETTINGS["verification"]) is True and game_settings.get(SETTINGS["block"]) is True:
        user = tx.get(WL_USERS, session.get("user_key") or _user_key(game, email))
        if user is None or user["validated_at"] is None:
            raise errors.forbidden("The White Label account is not verified: open the link of the verification mail.")
    return str(session["user_id"])


# -- the pages' side (web/white_label.py): a token from a mail ------------------------------------------
class TokenProblem(Exception):
    """A mail's token that cannot be used (unknown, used, expired): the page says why."""


def _live_token(tx: Tx, token: str, kind: str) -> dict[str, Any]:
    found = tx.get(WL_TOKENS, token) if token else None
    if found is None or found["purpose"] != kind:
        raise TokenProblem("This link is not valid, or it has already been used.")
    if found["expires_at"] <= now_s():
        raise TokenProblem("This link has expired: ask for a new one.")
    return found


def token_account(store: Store, token: str, kind: str) -> tuple[Game, dict[str, Any]]:
    """(game, user) of a live token, without using it."""
    tx = store.read()
    found = _live_token(tx, token, kind)
    user, game = tx.get(WL_USERS, found["user_key"]), tx.get(GAMES, found["game_id"])
    if user is None or game is None:
        raise TokenProblem("The account of this link no longer exists.")
    return game, user


def verify_email(store: Store, token: str) -> tuple[Game, dict[str, Any]]:
    """Use a verification token: the account is verified (once; a second use of the link is refused)."""
    with store.write() as tx:
        found = _live_token(tx, token, "verify")
        tx.delete(WL_TOKENS, token)
        user, game = tx.get(WL_USERS, found["user_key"]), tx.get(GAMES, found["game_id"])
        if user is None or game is None:
            raise TokenProblem("The account of this link no longer exists.")
        if user["validated_at"] is None:
            user["validated_at"] = user["updated_at"] = ids.iso_now()
            tx.put(WL_USERS, user["id"], user)
        return game, user


def reset_password(store: Store, token: str, password: str) -> tuple[Game, dict[str, Any]]:
    """Use a reset token: the new password replaces the old one and the account's White Label sessions end.
    A password breaking the rules raises ValueError (the token stays usable)."""
    problem = password_problem(password)
    with store.write() as tx:
        found = _live_token(tx, token, "reset")
        if problem:
            raise ValueError(problem)
        tx.delete(WL_TOKENS, token)
        user, game = tx.get(WL_USERS, found["user_key"]), tx.get(GAMES, found["game_id"])
        if user is None or game is None:
            raise TokenProblem("The account of this link no longer exists.")
        user["salt"] = secrets.token_hex(8)
        user["password_hash"] = _hash(user["salt"], password)
        user["updated_at"] = ids.iso_now()
        tx.put(WL_USERS, user["id"], user)
        tx.delete_where(WL_SESSIONS, user_key=user["id"])
        return game, user


# -- the Game API's White Label routes (schemas/lootlocker/paths/white_label.yaml) ------------------------
def handlers(store: Store) -> dict[str, Handler]:
    white_label = WhiteLabel(store)

    def game(call: Call) -> Game:
        return dict(call.context["game"])

    def base_url(call: Call) -> str:
        return call.request.host_url if call.request is not None else "http://localhost/"

    def user_id_of(call: Call) -> int | None:
        value = call.body.get("user_id")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def requested(kind: str) -> Handler:
        def handler(call: Call) -> Reply:
            email, user_id = call.body.get("email"), user_id_of(call)
            if not email and user_id is None:
                raise errors.missing("email")
            white_label.request(game(call), kind, email or None, user_id, base_url(call))
            return Reply(204)

        return handler

    return {
        "whiteLabelSignUp": lambda call: Reply(
            200, white_label.sign_up(game(call), call.body["email"], call.body["password"], base_url(call))
        ),
        "whiteLabelLogin": lambda call: Reply(
            200,
            white_label.login(game(call), call.body["email"], call.body["password"], bool(call.body.get("remember"))),
        ),
        "whiteLabelVerifySession": lambda call: Reply(
            200, white_label.verify_session(game(call), call.body["email"], call.body["token"])
        ),
        "whiteLabelRequestVerification": requested("verify"),
        "whiteLabelRequestResetPassword": requested("reset"),
    }
