"""The Two Factor API: a secret for an authenticator app, codes sent by email or SMS (the messages outbox),
enabling and disabling a user's methods. The methods then make the next login answer 242 (login.py).

Codes are checked as FusionAuth does: an authenticator method by its TOTP secret (HmacSHA1, 6 digits, 30 s),
an email or SMS method by the last code sent to it (POST /api/two-factor/send), a disable also by a recovery
code (which removes every method). A wrong code is 421 with no body.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

import pyotp

from .. import outbox
from ..clock import now_ms
from ..routing import NO_BODY, Call, Handler, Reply
from ..store import Tx
from .collections import USERS
from .errors import Errors, FusionAuthError, bad_request, must_specify, not_found
from .features import Feature
from .users import method_id

CODE_TTL_MS = 5 * 60 * 1000
RECOVERY_CODES = 10
_AUTHENTICATOR = {"algorithm": "HmacSHA1", "codeLength": 6, "timeStep": 30}


def _six_digits() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _recovery_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def _user(tx: Tx, user_id: str | None, tenant_id: str | None) -> dict[str, Any]:
    user = tx.get(USERS, user_id) if user_id else None
    if user is None or (tenant_id is not None and user["tenantId"] != tenant_id):
        raise not_found()
    return user


def _base32(request: dict[str, Any]) -> str | None:
    """The TOTP secret as Base32: secretBase32Encoded, or secret (Base64 of the same bytes)."""
    if request.get("secretBase32Encoded"):
        return str(request["secretBase32Encoded"]).replace(" ", "").upper()
    if request.get("secret"):
        try:
            raw = base64.b64decode(request["secret"], validate=True)
        except ValueError:
            raise bad_request("[invalid]secret", "The [secret] is not Base64 encoded.", field="secret") from None
        return base64.b32encode(raw).decode().rstrip("=")
    return None


def _totp_ok(secret: str, code: str) -> bool:
    try:
        return pyotp.TOTP(secret).verify(code, valid_window=1)
    except (ValueError, TypeError):  # not Base32
        return False


def _sent_code_ok(user: dict[str, Any], code: str, destination: str | None) -> bool:
    """Whether `code` is a live code sent to `destination` (an email or phone), spending it."""
    codes = user.get("_twoFactorCodes", [])
    for entry in codes:
        if entry["code"] == code and entry["expiry"] >= now_ms() and entry.get("to") == destination:
            codes.remove(entry)
            return True
    return False


def _send(tx: Tx, user: dict[str, Any], method: str, to: str) -> None:
    code = _six_digits()
    user["_twoFactorCodes"] = [
        *[c for c in user.get("_twoFactorCodes", []) if c["expiry"] >= now_ms()],
        {"code": code, "to": to, "expiry": now_ms() + CODE_TTL_MS},
    ]
    if method == "email":
        outbox.send(
            tx,
            "email",
            to,
            "Your verification code",
            f"Your code is {code}",
            code=code,
            template="TwoFactorAuthentication",
        )
    else:
        outbox.send(tx, "sms", to, "", f"Your code is {code}", code=code)


def handlers(feature: Feature) -> dict[str, Handler]:
    store = feature.store

    def generate_secret(call: Call) -> Reply:
        # With an API key, or the user's own access token (Authorization: Bearer <jwt>).
        header = call.headers.get("Authorization", "")
        jwt_ok = header.lower().startswith("bearer ") and feature.tokens.validate(header[7:].strip()) is not None
        if not jwt_ok and feature.vendor.api_key(call) is None:
            raise FusionAuthError(401)
        raw = secrets.token_bytes(20)
        return Reply(
            200,
            {"secret": base64.b64encode(raw).decode(), "secretBase32Encoded": base64.b32encode(raw).decode()},
        )

    def send(call: Call) -> Reply:
        """POST /api/two-factor/send: a code for enabling (method + email/mobilePhone) or disabling (methodId)."""
        request: dict[str, Any] = call.body
        with store.write() as tx:
            if not request.get("userId"):
                raise bad_request("[blank]userId", must_specify("userId"), field="userId")
            user = _user(tx, request["userId"], feature.tenant(call))
            if request.get("methodId"):
                methods = user.get("twoFactor", {}).get("methods", [])
                found = next((m for m in methods if m["id"] == request["methodId"]), None)
                if found is None or found["method"] not in ("email", "sms"):
                    raise bad_request(
                        "[invalid]methodId", "The [methodId] is not an email or sms method of this user.", "methodId"
                    )
                method, to = found["method"], found.get("email") or found.get("mobilePhone")
            else:
                method = request.get("method") or ("email" if request.get("email") else "sms")
                to = request.get("email") if method == "email" else request.get("mobilePhone")
                if method not in ("email", "sms"):
                    raise bad_request("[invalid]method", "Codes are sent for email and sms methods.", "method")
                if not to:
                    name = "email" if method == "email" else "mobilePhone"
                    raise bad_request(f"[blank]{name}", must_specify(name), field=name)
            assert to is not None
            _send(tx, user, method, to)
            tx.put(USERS, user["id"], user)
        return Reply(200)

    def enable(call: Call) -> Reply:
        request: dict[str, Any] = call.body
        method = request.get("method") or "authenticator"
        errors = Errors()
        if not request.get("code"):
            errors.field("code", "[blank]code", must_specify("code"))
        secret = _base32(request) if method == "authenticator" else None
        if method == "authenticator" and not secret:
            errors.field("secret", "[blank]secret", must_specify("secret"))
        destination = request.get("email") if method == "email" else request.get("mobilePhone")
        if method in ("email", "sms") and not destination:
            name = "email" if method == "email" else "mobilePhone"
            errors.field(name, f"[blank]{name}", must_specify(name))
        errors.raise_if_any()
        with store.write() as tx:
            user = _user(tx, call.path["userId"], feature.tenant(call))
            valid = _totp_ok(secret, request["code"]) if secret else _sent_code_ok(user, request["code"], destination)
            if not valid:
                raise FusionAuthError(421)
            methods = list(user.get("twoFactor", {}).get("methods", []))
            entry: dict[str, Any] = {"id": method_id(), "method": method}
            if method == "authenticator":
                entry["authenticator"] = dict(_AUTHENTICATOR)
                user.setdefault("_twoFactorSecrets", {})[entry["id"]] = secret
            else:
                entry["email" if method == "email" else "mobilePhone"] = destination
            if request.get("name"):
                entry["name"] = request["name"]
            body: dict[str, Any] = {}
            if not methods:  # the first method: FusionAuth hands out the recovery codes, once
                codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
                user["_twoFactorRecoveryCodes"] = codes
                body["recoveryCodes"] = codes
            user["twoFactor"] = {"methods": [*methods, entry]}
            user["lastUpdateInstant"] = now_ms()
            tx.put(USERS, user["id"], user)
        return Reply(200, body)

    def disable(call: Call) -> Reply:
        request: dict[str, Any] = call.body or {}
        method_given = call.query.get("methodId") or request.get("methodId")
        code = call.query.get("code") or request.get("code")
        errors = Errors()
        if not method_given:
            errors.field("methodId", "[blank]methodId", must_specify("methodId"))
        if not code:
            errors.field("code", "[blank]code", must_specify("code"))
        errors.raise_if_any()
        assert code is not None
        with store.write() as tx:
            user = _user(tx, call.path["userId"], feature.tenant(call))
            methods = list(user.get("twoFactor", {}).get("methods", []))
            found = next((m for m in methods if m["id"] == method_given), None)
            if found is None:
                raise bad_request("[invalid]methodId", "The [methodId] is not a method of this user.", "methodId")
            recovery = user.get("_twoFactorRecoveryCodes", [])
            if code in recovery:
                remaining: list[dict[str, Any]] = []  # a recovery code turns two-factor off altogether
            else:
                secret = user.get("_twoFactorSecrets", {}).get(found["id"])
                destination = found.get("email") or found.get("mobilePhone")
                valid = _totp_ok(secret, code) if secret else _sent_code_ok(user, code, destination)
                if not valid:
                    raise FusionAuthError(421)
                remaining = [m for m in methods if m["id"] != found["id"]]
            user.get("_twoFactorSecrets", {}).pop(found["id"], None)
            if remaining:
                user["twoFactor"] = {"methods": remaining}
            else:
                user.pop("twoFactor", None)
                user["_twoFactorSecrets"] = {}
                user.pop("_twoFactorRecoveryCodes", None)
            user["lastUpdateInstant"] = now_ms()
            tx.put(USERS, user["id"], user)
        return Reply(200, NO_BODY)

    return {
        "generateTwoFactorSecret": generate_secret,
        "sendTwoFactorCode": send,
        "enableTwoFactor": enable,
        "disableTwoFactor": disable,
    }
