"""Complete the Twitch login (POST /api/identity-provider/login): FusionAuth's decisions, one function each.

Order: request checks → upstream exchange (the identity registry plays Twitch) → link or linking
strategy → user state (410 expired, 409 prevent-login action) → registration → outcome precedence
pending link (232) → two-factor (242) → change password (203) → 202 → 213 → 212 → 200.
Everything after the upstream exchange runs in one transaction: a failed login leaves no user, link or
registration behind. (The code itself is spent at Twitch's end, as with the real service.)
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..clock import now_ms
from ..identities import Identities
from ..store import Store, Tx
from . import lambdas
from .collections import (
    ACTIONS,
    APPLICATIONS,
    CHANGE_PASSWORDS,
    IDENTITY_PROVIDERS,
    LINKS,
    LOGINS,
    TENANTS,
    TWO_FACTOR_LOGINS,
    USER_ACTIONS,
    USERS,
)
from .errors import Errors, FusionAuthError, bad_request
from .links import create_pending, link_key, new_link
from .tokens import Tokens, Unsigned
from .users import Users, public, registration_for
from .verifications import verification_id

UPSTREAM = {"Twitch": "twitch"}  # identity provider type → provider name in the identity registry
TWO_FACTOR_TTL_MS = 5 * 60 * 1000
_STRATEGIES_CREATING = {"LinkByEmail", "LinkByUsername", "LinkAnonymously"}


@dataclass
class Outcome:
    status: int
    body: dict[str, Any] | None = None
    cookies: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    unsigned: Unsigned | None = None  # the access token, to sign after the transaction (see tokens.Unsigned)

    def signed(self) -> Outcome:
        """The outcome with its access token signed into the body and the access_token cookie."""
        if self.unsigned is None or self.body is None:
            return self
        token = self.unsigned.sign()
        self.body["token"] = token
        self.cookies = [(n, token if n == "access_token" else v, o) for n, v, o in self.cookies]
        self.unsigned = None
        return self


@dataclass
class Attempt:
    """What the login knows as it goes."""

    request: dict[str, Any]
    tenant: dict[str, Any]
    application: dict[str, Any]
    provider: dict[str, Any]
    ip_address: str | None
    identity: dict[str, Any] = field(default_factory=dict)
    link_token: str | None = None
    linking: bool = False  # this login links the user: a reconcile lambda may set its email and username


def external_error(reason: str, message: str) -> FusionAuthError:
    return FusionAuthError(401, Errors().general(f"[ExternalAuthenticationException]{reason}", message).body())


class Login:
    def __init__(self, store: Store, identities: Identities, users: Users, tokens: Tokens) -> None:
        self.store = store
        self.identities = identities
        self.users = users
        self.tokens = tokens

    # -- entry point ------------------------------------------------------------------------------
    def login(
        self, request: dict[str, Any], tenant_id: str | None, forwarded_for: str | None, force: int | None = None
    ) -> Outcome:
        attempt = self.check_request(request, tenant_id, forwarded_for)
        self.exchange_upstream(attempt)
        try:
            with self.store.write() as tx:
                outcome = self.reconcile(tx, attempt, force)
        finally:
            lambdas.invoker(self.store).flush()  # the reconcile lambda's event logs, a failed login's too
        return outcome.signed()

    # -- 1. the request ---------------------------------------------------------------------------
    def check_request(self, request: dict[str, Any], tenant_id: str | None, forwarded_for: str | None) -> Attempt:
        tx = self.store.read()
        errors = Errors()
        application = tx.get(APPLICATIONS, request["applicationId"])
        if application is None or (tenant_id is not None and application["tenantId"] != tenant_id):
            errors.field(
                "applicationId",
                "[invalid]applicationId",
                f"The Application Id [{request['applicationId']}] is invalid.",
            )
        data = request.get("data", {})
        if data.get("code") and not data.get("redirect_uri"):
            errors.field("data.redirect_uri", "[missing]data.redirect_uri", "You must specify the [redirect_uri].")
        if not data.get("code") and not data.get("token"):
            for name in ("data.code", "data.token"):
                errors.field(
                    name,
                    "[missing]data.code_or_token",
                    "You must specify either the [data.code] or the [data.token] property.",
                )
        errors.raise_if_any()
        assert application is not None
        tenant = tx.get(TENANTS, application["tenantId"])
        provider = tx.get(IDENTITY_PROVIDERS, request["identityProviderId"])
        if (
            provider is None
            or not provider["enabled"]
            or provider["type"] not in UPSTREAM
            or provider.get("tenantId") not in (None, application["tenantId"])
            or tenant is None
        ):
            raise bad_request(
                "[InvalidIdentityProviderId]",
                "The requested identityProviderId is invalid. Unable to complete this login request.",
            )
        ip = request.get("ipAddress") or (forwarded_for.split(",")[0].strip() if forwarded_for else None)
        return Attempt(request, tenant, application, provider, ip)

    # -- 2. the upstream provider (Twitch) --------------------------------------------------------
    def exchange_upstream(self, attempt: Attempt) -> None:
        data = attempt.request.get("data", {})
        name = UPSTREAM[attempt.provider["type"]]
        if data.get("code"):
            exchanged = self.identities.exchange_code(name, data["code"])
            if exchanged is None:
                raise external_error(
                    f"{attempt.provider['type']}Token",
                    "A request to the Twitch Token API has failed. Unable to complete this login request.",
                )
            attempt.identity, attempt.link_token = exchanged  # FusionAuth keeps Twitch's refresh_token
        else:
            identity = self.identities.by_token(name, data["token"])
            if identity is None:
                raise external_error(
                    f"{attempt.provider['type']}UserInfo",
                    "A request to the Twitch UserInfo API has failed. Unable to complete this login request.",
                )
            attempt.identity, attempt.link_token = identity, data["token"]

    # -- 3. link or linking strategy ---------------------------------------------------------------
    def reconcile(self, tx: Tx, attempt: Attempt, force: int | None) -> Outcome:
        tenant_id = attempt.tenant["id"]
        identity = attempt.identity
        key = link_key(attempt.provider["id"], tenant_id, identity["id"])
        link = tx.get(LINKS, key)
        user = tx.get(USERS, link["userId"]) if link else None
        if user is None:
            if attempt.request.get("noLink"):
                raise FusionAuthError(404)
            strategy = attempt.provider["linkingStrategy"]
            if strategy == "CreatePendingLink" or force == 232:
                pending_id = create_pending(
                    tx, attempt.provider, tenant_id, attempt.application["id"], identity, attempt.link_token
                )
                return Outcome(232, {"pendingIdPLinkId": pending_id})
            user = self.user_for_strategy(tx, attempt, strategy)
            link = new_link(attempt.provider, user, identity["id"], identity.get("username"), attempt.link_token)
            attempt.linking = True
        elif force == 232:
            raise FusionAuthError(
                400,
                Errors()
                .general("[mockserver]", "mockserver: cannot answer 232: this identity is already linked")
                .body(),
            )
        # The link keeps the newest upstream token and display name.
        assert link is not None
        link["lastLoginInstant"] = now_ms()
        if attempt.link_token:
            link["token"] = attempt.link_token
        if identity.get("username"):
            link["displayName"] = identity["username"]
        tx.put(LINKS, key, link)
        return self.after_link(tx, attempt, user, force)

    def user_for_strategy(self, tx: Tx, attempt: Attempt, strategy: str) -> dict[str, Any]:
        identity, tenant = attempt.identity, attempt.tenant
        if strategy == "Disabled":
            raise FusionAuthError(404)
        if strategy == "LinkAnonymously":
            return self.create_user(tx, attempt, {})
        if strategy in ("LinkByEmail", "LinkByEmailForExistingUser"):
            if not identity.get("email"):
                raise external_error("MissingEmail", "The identity provider did not return an email address.")
            if not identity.get("email_verified", False):
                raise external_error("UnverifiedEmail", "The identity provider reports the email is not verified.")
            user = self.users.by_email(tx, tenant["id"], identity["email"])
            if user is None and strategy == "LinkByEmailForExistingUser":
                raise external_error("UserDoesNotExistByEmail", "No user exists with the email address.")
        else:  # LinkByUsername, LinkByUsernameForExistingUser
            if not identity.get("username"):
                raise external_error("MissingUsername", "The identity provider did not return a username.")
            user = self.users.by_username(tx, tenant["id"], identity["username"])
            if user is None and strategy == "LinkByUsernameForExistingUser":
                raise external_error("UserDoesNotExistByUsername", "No user exists with the username.")
        if user is None:
            fields = {k: identity[k] for k in ("email", "username") if identity.get(k)}
            return self.create_user(tx, attempt, fields)
        if tx.find(LINKS, userId=user["id"], identityProviderId=attempt.provider["id"]):
            raise external_error(
                "ExistingUserAlreadyLinked", "The user is already linked to another user of this identity provider."
            )
        return user

    def create_user(self, tx: Tx, attempt: Attempt, fields: dict[str, Any]) -> dict[str, Any]:
        # FusionAuth trusts the provider's verification of the email it returns.
        user = self.users.new_user(
            tx, attempt.tenant, fields, None, skip_verification=False, require_password=False, anonymous=True
        )
        if "email" in fields and attempt.identity.get("email_verified"):
            user["verified"], user["verifiedInstant"] = True, now_ms()
        if "username" in fields and self.users.by_username(tx, attempt.tenant["id"], fields["username"]):
            user.pop("username")
        tx.put(USERS, user["id"], user)
        return user

    # -- 4. user state and outcome ----------------------------------------------------------------
    def after_link(self, tx: Tx, attempt: Attempt, user: dict[str, Any], force: int | None) -> Outcome:
        if user.get("expiry") is not None and user["expiry"] < now_ms():
            raise FusionAuthError(410)
        actions = preventing_actions(tx, user["id"])
        if actions:
            raise FusionAuthError(409, {"actions": actions})
        application_id = attempt.application["id"]
        registration = registration_for(user, application_id)
        if registration is None and force != 202:
            config = attempt.provider.get("applicationConfiguration", {}).get(application_id, {})
            if config.get("createRegistration", True):
                registration = self.users.add_registration(tx, user, {"applicationId": application_id})
                tx.put(USERS, user["id"], user)
        # The provider's Twitch Reconcile lambda may change the user and the registration (lambdas.py).
        invoker = lambdas.invoker(self.store)
        if invoker.reconcile(tx, attempt.provider, user, registration, attempt.identity, attempt.linking):
            tx.put(USERS, user["id"], user)
        methods = user.get("twoFactor", {}).get("methods", [])
        if methods or force == 242:
            return self.two_factor(tx, attempt, user, methods)
        if user.get("passwordChangeRequired") or force == 203:
            change_id = secrets.token_urlsafe(32)
            tx.put(CHANGE_PASSWORDS, change_id, {"id": change_id, "userId": user["id"], "insertInstant": now_ms()})
            reason = user.get("passwordChangeReason", "Administrative")
            return Outcome(203, {"changePasswordId": change_id, "changePasswordReason": reason})
        return self.complete(
            tx,
            attempt.tenant,
            attempt.application,
            user,
            attempt.provider["type"],
            attempt.request,
            attempt.ip_address,
            force,
        )

    def two_factor(self, tx: Tx, attempt: Attempt, user: dict[str, Any], methods: list[dict[str, Any]]) -> Outcome:
        if not methods:  # forced 242 for a user without methods: offer the email method FusionAuth would
            methods = [{"id": "MOCK", "method": "email", "email": user.get("email", "user@example.com")}]
        pending = {
            "id": secrets.token_urlsafe(32),
            "userId": user["id"],
            "applicationId": attempt.application["id"],
            "tenantId": attempt.tenant["id"],
            "authenticationType": attempt.provider["type"],
            "request": attempt.request,
            "ipAddress": attempt.ip_address,
            "methods": methods,
            "insertInstant": now_ms(),
            "expiry": now_ms() + TWO_FACTOR_TTL_MS,
        }
        tx.put(TWO_FACTOR_LOGINS, pending["id"], pending)
        return Outcome(242, {"twoFactorId": pending["id"], "methods": methods})

    def complete(
        self,
        tx: Tx,
        tenant: dict[str, Any],
        application: dict[str, Any],
        user: dict[str, Any],
        authentication_type: str,
        request: dict[str, Any],
        ip_address: str | None,
        force: int | None = None,
    ) -> Outcome:
        """The successful end of a login (also used after two-factor): 200, 202, 212 or 213."""
        now = now_ms()
        application_id = application["id"]
        registration = registration_for(user, application_id)
        user["lastLoginInstant"] = now
        if registration is not None:
            registration["lastLoginInstant"] = now
        tx.put(USERS, user["id"], user)
        login_id = str(uuid.uuid4())
        tx.put(
            LOGINS,
            login_id,
            {
                "id": login_id,
                "userId": user["id"],
                "applicationId": application_id,
                "ipAddress": ip_address,
                "instant": now,
                "device": request.get("metaData", {}).get("device"),
            },
        )
        body: dict[str, Any] = {"user": public(user)}
        cookies: list[tuple[str, str, dict[str, Any]]] = []
        unsigned: Unsigned | None = None
        if not request.get("noJWT"):
            refresh_token_id = None
            if registration is not None and application.get("loginConfiguration", {}).get("generateRefreshTokens"):
                refresh_token, refresh_token_id = self.tokens.create_refresh_token(
                    tx, user, tenant, application, request.get("metaData")
                )
                body["refreshToken"], body["refreshTokenId"] = refresh_token, refresh_token_id
                cookies.append(("refresh_token", refresh_token, {"httponly": True, "max_age": 30 * 24 * 3600}))
            unsigned, expires = self.tokens.prepare(
                tx, user, tenant, application, registration, authentication_type, refresh_token_id
            )
            body["token"], body["tokenExpirationInstant"] = None, expires  # signed by Outcome.signed()
            cookies.insert(0, ("access_token", "", {"httponly": True}))
        status = 200
        # 202 = not registered for the application asked for (the Login API may name none).
        if (registration is None and application_id is not None) or force == 202:
            status = 202
        elif (not (registration or {}).get("verified", True) and application.get("verifyRegistration")) or force == 213:
            status = 213
            if application.get("registrationVerificationStrategy", "FormField") == "FormField" or force == 213:
                body["registrationVerificationId"] = verification_id(tx, "registration", user, application_id)
        elif (
            not user.get("verified", True) and tenant.get("emailConfiguration", {}).get("verifyEmail")
        ) or force == 212:
            status = 212
            if tenant.get("emailConfiguration", {}).get("verificationStrategy") == "FormField" or force == 212:
                body["emailVerificationId"] = verification_id(tx, "email", user, None)
        return Outcome(status, body, cookies, unsigned)


def preventing_actions(tx: Tx, user_id: str) -> list[dict[str, Any]]:
    """The active user actions that prevent login, in the 409 body's shape."""
    found = []
    for action in tx.find(ACTIONS, actioneeUserId=user_id):
        definition = tx.get(USER_ACTIONS, action["userActionId"]) or {}
        if not definition.get("preventLogin"):
            continue
        if action.get("expiry") is not None and action["expiry"] < now_ms():
            continue
        entry = {
            k: action[k] for k in ("actionerUserId", "expiry", "reason", "reasonCode", "localizedReason") if k in action
        }
        entry.update({"actionId": action["id"], "name": definition["name"], "localizedName": definition["name"]})
        found.append(entry)
    return found


def action_user(store: Store, request: dict[str, Any]) -> dict[str, Any]:
    """POST /api/user/action: take a user action (the fixtures hold "Prevent Login")."""
    given = request["action"]
    with store.write() as tx:
        errors = Errors()
        if tx.get(USERS, given["actioneeUserId"]) is None:
            errors.field("action.actioneeUserId", "[invalid]action.actioneeUserId", "The actionee does not exist.")
        definition = tx.get(USER_ACTIONS, given["userActionId"])
        if definition is None:
            errors.field("action.userActionId", "[invalid]action.userActionId", "The user action does not exist.")
        if given.get("actionerUserId") and tx.get(USERS, given["actionerUserId"]) is None:
            errors.field("action.actionerUserId", "[invalid]action.actionerUserId", "The actioner does not exist.")
        reason = None
        if given.get("reasonId"):
            reason = next((r for r in (definition or {}).get("reasons", []) if r["id"] == given["reasonId"]), None)
            if reason is None:
                errors.field("action.reasonId", "[invalid]action.reasonId", "The reason does not exist.")
        errors.raise_if_any()
        assert definition is not None
        action = {k: v for k, v in given.items() if k not in ("notifyUser", "emailUser")}
        action.update(
            {
                "id": str(uuid.uuid4()),
                "insertInstant": now_ms(),
                "name": definition["name"],
                "localizedName": definition["name"],
            }
        )
        if reason is not None:
            action.update(
                {
                    "reason": reason["localizedText"],
                    "localizedReason": reason["localizedText"],
                    "reasonCode": reason["code"],
                }
            )
        tx.put(ACTIONS, action["id"], action)
        return {"action": action}
