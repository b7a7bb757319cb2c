"""What a login hands the client an id to continue with: two-factor completion (242), change password
(203), email verification (212) and registration verification (213)."""

from __future__ import annotations

import secrets
from typing import Any

import pyotp

from .. import outbox
from ..clock import now_ms
from ..store import Store, Tx
from .collections import APPLICATIONS, CHANGE_PASSWORDS, TENANTS, TWO_FACTOR_LOGINS, USERS, VERIFICATIONS
from .errors import Errors, FusionAuthError, bad_request, not_found
from .login import Login, Outcome
from .users import hash_password, password_errors, registration_for
from .verifications import verification_id

TWO_FACTOR_CODE_TTL_MS = 5 * 60 * 1000
ONE_TIME_PASSWORD_TTL_MS = 5 * 60 * 1000


def _code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _live_two_factor(tx: Tx, two_factor_id: str) -> dict[str, Any]:
    pending = tx.get(TWO_FACTOR_LOGINS, two_factor_id)
    if pending is None or pending["expiry"] < now_ms():
        raise not_found()
    return pending


def send_two_factor_code(store: Store, two_factor_id: str, request: dict[str, Any]) -> None:
    """POST /api/two-factor/send/{twoFactorId}: "send" a code to an email or sms method (the outbox)."""
    with store.write() as tx:
        pending = _live_two_factor(tx, two_factor_id)
        method_id = request.get("methodId")
        # Without a methodId (the deprecated form, no body) the first email or sms method gets the code.
        method = next(
            (
                m
                for m in pending["methods"]
                if m["id"] == method_id or (not method_id and m["method"] in ("email", "sms"))
            ),
            None,
        )
        if method is None or method["method"] not in ("email", "sms"):
            raise bad_request(
                "[invalid]methodId", "The [methodId] is not an email or sms method of this user.", field="methodId"
            )
        code = _code()
        pending.setdefault("codes", []).append({"code": code, "expiry": now_ms() + TWO_FACTOR_CODE_TTL_MS})
        tx.put(TWO_FACTOR_LOGINS, two_factor_id, pending)
        if method["method"] == "email":
            outbox.send(
                tx,
                "email",
                method["email"],
                "Your verification code",
                f"Your code is {code}",
                code=code,
                template="TwoFactorAuthentication",
            )
        else:
            outbox.send(tx, "sms", method["mobilePhone"], "", f"Your code is {code}", code=code)


def _code_is_valid(tx: Tx, pending: dict[str, Any], code: str) -> bool:
    user = tx.get(USERS, pending["userId"]) or {}
    for method in pending["methods"]:
        secret = user.get("_twoFactorSecrets", {}).get(method["id"])
        if method["method"] == "authenticator" and secret and pyotp.TOTP(secret).verify(code, valid_window=1):
            return True
    return any(c["code"] == code and c["expiry"] >= now_ms() for c in pending.get("codes", []))


def two_factor_login(store: Store, login: Login, request: dict[str, Any]) -> Outcome:
    """POST /api/two-factor/login: the code of a 242 → the login's success response."""
    with store.write() as tx:
        pending = _live_two_factor(tx, request["twoFactorId"])
        if not _code_is_valid(tx, pending, request["code"]):
            raise FusionAuthError(421)  # the code is wrong; the twoFactorId stays usable
        user = tx.get(USERS, pending["userId"])
        if user is None:
            raise not_found()
        tenant = tx.get(TENANTS, pending["tenantId"]) or {}
        application_id = request.get("applicationId") or pending["applicationId"]
        # A Login API login may name no application: its token then has no audience.
        application = tx.get(APPLICATIONS, application_id) if application_id else {"id": None}
        if application is None:
            raise bad_request("[invalid]applicationId", "The Application Id is invalid.", field="applicationId")
        tx.delete(TWO_FACTOR_LOGINS, pending["id"])
        original = pending["request"]
        ip = request.get("ipAddress") or pending.get("ipAddress")
        outcome = login.complete(tx, tenant, application, user, pending["authenticationType"], original, ip)
        if request.get("trustComputer") and outcome.body is not None:
            # The Login API's twoFactorTrustId then skips the two-factor step for this user.
            trust_id = secrets.token_urlsafe(32)
            user["_twoFactorTrustIds"] = [*user.get("_twoFactorTrustIds", []), trust_id]
            tx.put(USERS, user["id"], user)
            outcome.body["twoFactorTrustId"] = trust_id
    return outcome.signed()


def change_password(store: Store, change_password_id: str, request: dict[str, Any]) -> dict[str, Any]:
    """POST /api/user/change-password/{changePasswordId}: the 203's id, used once."""
    with store.write() as tx:
        record = tx.get(CHANGE_PASSWORDS, change_password_id)
        user = tx.get(USERS, record["userId"]) if record else None
        if record is None or user is None:
            raise not_found()
        tenant = tx.get(TENANTS, user["tenantId"]) or {}
        errors = Errors()
        password_errors(errors, tenant, request["password"], field="password")
        errors.raise_if_any()
        user["_password"] = hash_password(request["password"])
        user["passwordChangeRequired"] = False
        user.pop("passwordChangeReason", None)
        user["passwordLastUpdateInstant"] = user["lastUpdateInstant"] = now_ms()
        tx.put(USERS, user["id"], user)
        tx.delete(CHANGE_PASSWORDS, change_password_id)
        if user.get("email"):
            outbox.send(
                tx,
                "email",
                user["email"],
                "Your password was changed",
                "The password of your account was changed.",
                template="PasswordUpdate",
            )
        # The one-time password logs the user in once (POST /api/login with oneTimePassword).
        one_time = secrets.token_urlsafe(32)
        user["_oneTimePassword"], user["_oneTimePasswordExpiry"] = one_time, now_ms() + ONE_TIME_PASSWORD_TTL_MS
        tx.put(USERS, user["id"], user)
        return {"oneTimePassword": one_time}


def _verification(tx: Tx, kind: str, request: dict[str, Any]) -> dict[str, Any]:
    record = tx.get(VERIFICATIONS, request["verificationId"])
    if record is None or record["type"] != kind:
        raise not_found()
    if "oneTimeCode" in request and request["oneTimeCode"] != record["oneTimeCode"]:
        raise bad_request("[invalid]oneTimeCode", "The [oneTimeCode] is not valid.", field="oneTimeCode")
    return record


def verify_email(store: Store, request: dict[str, Any]) -> None:
    with store.write() as tx:
        record = _verification(tx, "email", request)
        user = tx.get(USERS, record["userId"])
        if user is None:
            raise not_found()
        user["verified"] = True
        user.setdefault("verifiedInstant", now_ms())  # immutable: the first verification
        tx.put(USERS, user["id"], user)
        tx.delete(VERIFICATIONS, record["id"])


def resend_email_verification(store: Store, email: str, tenant_id: str | None) -> dict[str, Any]:
    from .users import Users, resolve_tenant

    with store.write() as tx:
        tenant = resolve_tenant(tx, tenant_id)
        user = Users.by_email(tx, tenant["id"], email)
        if user is None:
            raise not_found()
        if user.get("verified"):
            raise bad_request("[alreadyVerified]email", "The email address is already verified.", field="email")
        return {"verificationId": verification_id(tx, "email", user, None)}


def verify_registration(store: Store, request: dict[str, Any]) -> None:
    with store.write() as tx:
        record = _verification(tx, "registration", request)
        user = tx.get(USERS, record["userId"])
        registration = registration_for(user, record["applicationId"]) if user else None
        if user is None or registration is None:
            raise not_found()
        registration["verified"] = True
        registration.setdefault("verifiedInstant", now_ms())
        tx.put(USERS, user["id"], user)
        tx.delete(VERIFICATIONS, record["id"])
