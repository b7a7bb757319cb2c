"""Admin users: sign-up creates a user with an organisation of its own; login answers a new auth_token.

Passwords are kept salted and hashed. The user view lists the organisations with their games (production id,
and the development environment), as LootLocker's login answer does.

Fixtures may declare admin users (fixtures/lootlocker/admin-users.json: id, email, name, a plain `password`,
`organisations` [{id, name}]); a fixture game with one of those organisation ids is theirs to manage. Sign-ups
take the next user and organisation ids that no fixture uses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import TYPE_CHECKING, Any

from ...routing import Call, Handler, Reply
from ...store import Store, Tx
from .. import errors, ids
from ..collections import ADMIN_TOKENS, ADMIN_USERS, GAMES, ORGANISATIONS
from ..sequences import next_value

if TYPE_CHECKING:
    from .routes import Admin

User = dict[str, Any]


def _hash(password: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


def normal(user: User) -> User:
    """A stored user, or a fixture's (plain password, organisations listed), in the stored shape."""
    if "user_id" in user:
        return user
    organisations = user.get("organisations", [])
    return {
        **user,
        "user_id": int(user["id"]),
        "signed_up": int(user.get("signed_up", 0)),
        "organisation_ids": [int(o["id"]) for o in organisations],
        "organisation_names": {str(o["id"]): o["name"] for o in organisations},
    }


def _password_ok(user: User, password: str) -> bool:
    if "password_hash" in user:
        return hmac.compare_digest(user["password_hash"], _hash(password, user["salt"]))
    return hmac.compare_digest(str(user.get("password", "")).encode(), password.encode())


def authenticate(store: Store, token: str | None) -> User:
    """The admin user of an x-auth-token; 401 when missing or unknown."""
    if not token:
        raise errors.unauthorized("The x-auth-token header is missing.")
    tx = store.read()
    found = tx.get(ADMIN_TOKENS, token.strip())
    user = tx.get(ADMIN_USERS, found["user_id"]) if found else None
    if user is None:
        raise errors.unauthorized("The auth token is invalid.")
    return normal(user)


def _environment(game: dict[str, Any]) -> dict[str, Any]:
    return {"id": game["game_id"], "name": game["name"], "domain_key": game["domain_key"]}


def view(tx: Tx, user: User) -> dict[str, Any]:
    user = normal(user)
    # Production environments, and fixture games (one environment, no `environment`).
    games = [g for g in tx.all(GAMES) if g.get("environment", "production") == "production"]
    organisations = []
    for org_id in user["organisation_ids"]:
        org = tx.get(ORGANISATIONS, str(org_id))
        name = org["name"] if org else user.get("organisation_names", {}).get(str(org_id))
        if name is None:
            continue
        summaries = []
        for game in sorted((g for g in games if g.get("organisation_id") == org_id), key=lambda g: g["game_id"]):
            development = tx.get(GAMES, str(game["development_id"])) if "development_id" in game else None
            summary = _environment(game)
            summary["development"] = _environment(development or game)
            summaries.append(summary)
        organisations.append({"id": org_id, "name": name, "games": summaries})
    return {
        "id": user["user_id"],
        "name": user["name"],
        "email": user["email"],
        "signed_up": user["signed_up"],
        "is_verified": True,
        "organisations": organisations,
    }


def _login_answer(tx: Tx, user: User) -> dict[str, Any]:
    token = ids.session_token()
    tx.put(ADMIN_TOKENS, token, {"id": token, "user_id": user["id"]})
    return {"auth_token": token, "user": view(tx, user)}


def sign_up(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    email = str(body["email"]).strip().lower()
    with store.write() as tx:
        if tx.find(ADMIN_USERS, email=email):
            raise errors.conflict("A user with this email has already signed up.")
        taken = {o for u in tx.all(ADMIN_USERS) for o in normal(u)["organisation_ids"]}
        org_id = next_value(tx, "admin.organisations")
        while org_id in taken or tx.get(ORGANISATIONS, str(org_id)) is not None:
            org_id = next_value(tx, "admin.organisations")
        tx.put(ORGANISATIONS, str(org_id), {"id": str(org_id), "org_id": org_id, "name": str(body["organisation"])})
        user_id = next_value(tx, "admin.users")
        while tx.get(ADMIN_USERS, str(user_id)) is not None:
            user_id = next_value(tx, "admin.users")
        salt = secrets.token_hex(8)
        user = {
            "id": str(user_id),
            "user_id": user_id,
            "email": email,
            "name": str(body["name"]),
            "salt": salt,
            "password_hash": _hash(str(body["password"]), salt),
            "signed_up": int(time.time()),
            "organisation_ids": [org_id],
        }
        tx.put(ADMIN_USERS, user["id"], user)
        return _login_answer(tx, user)


def login(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    email = str(body["email"]).strip().lower()
    with store.write() as tx:
        found = tx.find(ADMIN_USERS, email=email)
        user = found[0] if found else None
        if user is None or not _password_ok(user, str(body["password"])):
            raise errors.unauthorized("The email or the password is wrong.")
        return _login_answer(tx, user)


def handlers(admin: Admin) -> dict[str, Handler]:
    def ok(body: Any) -> Reply:
        return Reply(200, body)

    def do_login(call: Call) -> Reply:
        return ok(login(admin.store, call.body))

    def do_sign_up(call: Call) -> Reply:
        return ok(sign_up(admin.store, call.body))

    def me(call: Call) -> Reply:
        return ok({"user": view(admin.store.read(), admin.user(call))})

    return {"adminLogin": do_login, "adminSignup": do_sign_up, "adminGetUser": me}
