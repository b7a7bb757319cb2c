"""Users and their registrations (User and Registration APIs), on the store, without HTTP.

A user document holds its registrations (as FusionAuth returns them) and private fields whose names
start with "_" (password, two-factor secrets) that are never sent.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import uuid
from typing import Any

from .. import jsontext, outbox
from ..clock import now_ms
from ..openapi import SchemaCheck
from ..store import Store, Tx
from . import patching
from .collections import APPLICATIONS, CHANGE_PASSWORDS, LINKS, TENANTS, USERS, VERIFICATIONS
from .errors import Errors, FusionAuthError, bad_request, from_issues, must_specify, not_found
from .verifications import verification_id

_CROCKFORD = "ABCDEFGHJKLMNPQRSTVWXYZ23456789"
DEFAULT_LOGIN_ID_TYPES = ["email", "username"]  # loginIdTypes when none is given, in priority order
LOGIN_ID_TYPES = ("email", "phoneNumber", "username")
# Accepted on a user (FusionAuth takes them from imports) but never stored or returned.
_IMPORT_ONLY = ("salt", "encryptionScheme", "factor")


def public(user: dict[str, Any]) -> dict[str, Any]:
    """The user as FusionAuth sends it: no private fields, no nulls."""
    return jsontext.clone({k: v for k, v in user.items() if not k.startswith("_") and v is not None})


def _copied(value: Any) -> Any:
    """A copy of a request value that a stored document may keep (strings, numbers: themselves)."""
    return value if isinstance(value, str | int | float | None) else copy.deepcopy(value)


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + password).encode()).hexdigest()}"


def check_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    salt = stored.split("$", 1)[0]
    return secrets.compare_digest(stored, hash_password(password, salt))


def method_id() -> str:
    return "".join(secrets.choice(_CROCKFORD) for _ in range(4))


def resolve_tenant(tx: Tx, tenant_id: str | None) -> dict[str, Any]:
    """The request's tenant: the header's, or the only tenant there is."""
    if tenant_id is not None:
        tenant = tx.get(TENANTS, tenant_id)
        if tenant is not None:
            return tenant
    tenants = tx.all(TENANTS)
    if len(tenants) == 1:
        return tenants[0]
    raise bad_request(
        "[TenantIdRequired]",
        "A Tenant Id is required to complete this request. To complete this request, you may assign a Tenant "
        "to your API key, or add the X-FusionAuth-TenantId HTTP request header with the Tenant Id.",
    )


def registration_for(user: dict[str, Any], application_id: str) -> dict[str, Any] | None:
    return next((r for r in user.get("registrations", []) if r["applicationId"] == application_id), None)


def password_errors(errors: Errors, tenant: dict[str, Any], password: str, field: str = "user.password") -> None:
    rules = tenant.get("passwordValidationRules", {})
    if len(password) < rules.get("minLength", 8):
        errors.field(
            field,
            f"[tooShort]{field}",
            f"The [{field}] property is shorter than the minimum of [{rules.get('minLength', 8)}] characters.",
        )
    elif len(password) > rules.get("maxLength", 256):
        errors.field(
            field,
            f"[tooLong]{field}",
            f"The [{field}] property is longer than the maximum of [{rules.get('maxLength', 256)}] characters.",
        )


class Users:
    def __init__(self, store: Store, request_check: SchemaCheck) -> None:
        self.store = store
        self.request_check = request_check  # the PUT schema, for patched users

    # -- lookups ----------------------------------------------------------------------------------
    @staticmethod
    def by_email(tx: Tx, tenant_id: str, email: str) -> dict[str, Any] | None:
        return next(iter(tx.find(USERS, tenantId=tenant_id, _emailKey=email.lower())), None)

    @staticmethod
    def by_username(tx: Tx, tenant_id: str, username: str) -> dict[str, Any] | None:
        return next(iter(tx.find(USERS, tenantId=tenant_id, _usernameKey=username.lower())), None)

    def retrieve(self, user_id: str, tenant_id: str | None) -> dict[str, Any]:
        user = self.store.read().get(USERS, user_id)
        if user is None or (tenant_id is not None and user["tenantId"] != tenant_id):
            raise not_found()
        return public(user)

    def retrieve_by(
        self, query: dict[str, str], login_id_types: list[str] | None, tenant_id: str | None
    ) -> dict[str, Any]:
        """GET /api/user?email= | username= | loginId=[&loginIdTypes=…] | verificationId= | changePasswordId=."""
        tx = self.store.read()
        tenant = resolve_tenant(tx, tenant_id)
        user: dict[str, Any] | None
        if query.get("email"):
            user = self.by_email(tx, tenant["id"], query["email"])
        elif query.get("username"):
            user = self.by_username(tx, tenant["id"], query["username"])
        elif query.get("loginId"):
            user = self.by_login_id(tx, tenant["id"], query["loginId"], login_id_types or DEFAULT_LOGIN_ID_TYPES)
        elif query.get("verificationId"):
            record = tx.get(VERIFICATIONS, query["verificationId"])
            user = tx.get(USERS, record["userId"]) if record else None
        elif query.get("changePasswordId"):
            record = tx.get(CHANGE_PASSWORDS, query["changePasswordId"])
            user = tx.get(USERS, record["userId"]) if record else None
        else:
            raise bad_request(
                "[missing]email", "You must specify either the [email] or [username] parameter.", field="email"
            )
        if user is None or user["tenantId"] != tenant["id"]:
            raise not_found()
        return public(user)

    @classmethod
    def by_login_id(cls, tx: Tx, tenant_id: str, login_id: str, types: list[str]) -> dict[str, Any] | None:
        """The user whose identity of one of `types` (in that priority order) is `login_id`."""
        for kind in types:
            if kind == "email":
                user = cls.by_email(tx, tenant_id, login_id)
            elif kind == "username":
                user = cls.by_username(tx, tenant_id, login_id)
            else:  # phoneNumber, compared as given
                user = next(iter(tx.find(USERS, tenantId=tenant_id, phoneNumber=login_id)), None)
            if user is not None:
                return user
        return None

    # -- writes -----------------------------------------------------------------------------------
    def create(self, request: dict[str, Any], user_id: str | None, tenant_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            tenant = resolve_tenant(tx, tenant_id or request["user"].get("tenantId"))
            user = self.new_user(
                tx,
                tenant,
                request["user"],
                user_id,
                skip_verification=request.get("skipVerification", False),
                require_password=not request.get("sendSetPasswordEmail", False),
            )
            self._after_create(tx, user, request)
            tx.put(USERS, user["id"], user)
            return public(user)

    def new_user(
        self,
        tx: Tx,
        tenant: dict[str, Any],
        given: dict[str, Any],
        user_id: str | None,
        skip_verification: bool,
        require_password: bool,
        anonymous: bool = False,
    ) -> dict[str, Any]:
        """A validated user document (not stored yet): raises FusionAuth's 400 on invalid input.

        `anonymous`: a user an identity provider creates (LinkAnonymously) needs no email or username."""
        errors = Errors()
        user_id = user_id or str(uuid.uuid4())
        if tx.get(USERS, user_id) is not None:
            errors.field("userId", "[duplicate]userId", f"A User with Id [{user_id}] already exists.")
        self._identity_errors(tx, errors, tenant, given, user_id, anonymous)
        if "password" in given:
            password_errors(errors, tenant, given["password"])
        elif require_password:
            errors.field("user.password", "[blank]user.password", must_specify("user.password"))
        errors.raise_if_any()
        now = now_ms()
        verify = tenant.get("emailConfiguration", {}).get("verifyEmail", False) and not skip_verification
        user = {
            k: _copied(v)
            for k, v in given.items()
            if k
            not in (
                *_IMPORT_ONLY,
                "password",
                "twoFactor",
                "registrations",
                "id",
                "insertInstant",
                "lastUpdateInstant",
                "lastLoginInstant",
                "verified",
                "verifiedInstant",
                "passwordLastUpdateInstant",
            )
        }
        user.update(
            {
                "id": user_id,
                "tenantId": tenant["id"],
                "active": given.get("active", True),
                "verified": not verify or "email" not in given,
                "insertInstant": now,
                "lastUpdateInstant": now,
                "passwordChangeRequired": given.get("passwordChangeRequired", False),
                "usernameStatus": "ACTIVE",
                "registrations": [],
            }
        )
        if user["verified"] and "email" in given:
            user["verifiedInstant"] = now
        if "password" in given:
            user["_password"] = hash_password(given["password"])
            user["passwordLastUpdateInstant"] = now
        self._set_two_factor(user, given.get("twoFactor"))
        return user

    def update(self, user_id: str, request: dict[str, Any], tenant_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            return self._update(tx, user_id, request, tenant_id)

    def patch(self, user_id: str, content_type: str, patch: Any, tenant_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            current = tx.get(USERS, user_id)
            if current is None or (tenant_id is not None and current["tenantId"] != tenant_id):
                raise not_found()
            view = public(current)
            view.pop("registrations", None)
            patched = patching.apply(content_type, {"user": view}, patch)
            if not self.request_check.is_valid(patched):
                raise from_issues(self.request_check.issues(patched))
            return self._update(tx, user_id, patched, tenant_id, patch=True)

    def delete(self, user_id: str, hard: bool, tenant_id: str | None) -> None:
        with self.store.write() as tx:
            user = tx.get(USERS, user_id)
            if user is None or (tenant_id is not None and user["tenantId"] != tenant_id):
                raise not_found()
            if hard:
                tx.delete(USERS, user_id)
                tx.delete_where(LINKS, userId=user_id)
            else:  # FusionAuth's soft delete deactivates the user
                user["active"] = False
                user["lastUpdateInstant"] = now_ms()
                tx.put(USERS, user_id, user)

    def register(self, request: dict[str, Any], user_id: str | None, tenant_id: str | None) -> dict[str, Any]:
        """Registration API: with a `user`, create it (with the URL's id when given) and its registration
        together; without one, register the existing user of the URL's id."""
        with self.store.write() as tx:
            response: dict[str, Any] = {}
            created = "user" in request
            if created:
                tenant = resolve_tenant(tx, tenant_id or request["user"].get("tenantId"))
                user = self.new_user(
                    tx,
                    tenant,
                    request["user"],
                    user_id,
                    skip_verification=request.get("skipVerification", False),
                    require_password=not request.get("sendSetPasswordEmail", False),
                )
            elif user_id is None:
                raise FusionAuthError(400, Errors().field("user", "[missing]user", must_specify("user")).body())
            else:
                found = tx.get(USERS, user_id)
                if found is None or (tenant_id is not None and found["tenantId"] != tenant_id):
                    raise FusionAuthError(
                        400,
                        Errors().field("userId", "[invalid]userId", f"No User exists for the Id [{user_id}].").body(),
                    )
                user = found
            registration = self.add_registration(
                tx,
                user,
                request["registration"],
                skip_verification=request.get("skipRegistrationVerification", False),
                authentication_token=request.get("generateAuthenticationToken", False),
            )
            if created:
                self._after_create(tx, user, request)
            tx.put(USERS, user["id"], user)
            response["registration"] = registration
            if created:
                response["user"] = public(user)
            return response

    @staticmethod
    def _after_create(tx: Tx, user: dict[str, Any], request: dict[str, Any]) -> None:
        """The mail FusionAuth sends for a new user: the email verification, and the set-password email
        (sendSetPasswordEmail) whose changePasswordId works with POST /api/user/change-password/{id}."""
        if not user["verified"]:
            verification_id(tx, "email", user, None)
        if request.get("sendSetPasswordEmail") and user.get("email"):
            change_id = secrets.token_urlsafe(32)
            tx.put(CHANGE_PASSWORDS, change_id, {"id": change_id, "userId": user["id"], "insertInstant": now_ms()})
            outbox.send(
                tx,
                "email",
                user["email"],
                "Set up your password",
                f"Set your password with the change password id {change_id}",
                changePasswordId=change_id,
                template="SetupPassword",
            )

    def add_registration(
        self,
        tx: Tx,
        user: dict[str, Any],
        given: dict[str, Any],
        skip_verification: bool = False,
        authentication_token: bool = False,
    ) -> dict[str, Any]:
        application = tx.get(APPLICATIONS, given["applicationId"])
        errors = Errors()
        if application is None or application["tenantId"] != user["tenantId"]:
            errors.field(
                "registration.applicationId",
                "[invalid]registration.applicationId",
                f"The Application Id [{given['applicationId']}] is invalid.",
            )
        elif registration_for(user, application["id"]) is not None:
            errors.field(
                "registration.applicationId",
                "[duplicate]registration.applicationId",
                "The user is already registered for this application.",
            )
        errors.raise_if_any()
        assert application is not None
        known = {r["name"] for r in application.get("roles", [])}
        roles = given.get("roles")
        if roles is None:
            roles = [r["name"] for r in application.get("roles", []) if r.get("isDefault")]
        unknown = [r for r in roles if r not in known]
        if unknown:
            raise FusionAuthError(
                400,
                Errors()
                .field("registration.roles", "[invalid]registration.roles", f"The roles {unknown} do not exist.")
                .body(),
            )
        now = now_ms()
        verified = not application.get("verifyRegistration", False) or skip_verification
        managed = ("id", "verified", "verifiedInstant", "insertInstant", "lastUpdateInstant", "lastLoginInstant")
        registration = {
            k: _copied(v) for k, v in given.items() if k not in (*managed, "authenticationToken", "cleanSpeakId")
        }
        registration.update(
            {
                "id": str(uuid.uuid4()),
                "roles": sorted(set(roles)),
                "insertInstant": now,
                "lastUpdateInstant": now,
                "verified": verified,
                "usernameStatus": "ACTIVE",
            }
        )
        if verified:
            registration["verifiedInstant"] = now
        if authentication_token:  # generateAuthenticationToken: an Application Authentication Token
            registration["authenticationToken"] = secrets.token_urlsafe(32)
        user.setdefault("registrations", []).append(registration)
        return registration

    # -- rules ------------------------------------------------------------------------------------
    def _update(
        self, tx: Tx, user_id: str, request: dict[str, Any], tenant_id: str | None, patch: bool = False
    ) -> dict[str, Any]:
        current = tx.get(USERS, user_id)
        if current is None or (tenant_id is not None and current["tenantId"] != tenant_id):
            raise not_found()
        given = request["user"]
        tenant = tx.get(TENANTS, current["tenantId"]) or {}
        errors = Errors()
        self._identity_errors(tx, errors, tenant, given, user_id)
        if "password" in given:
            password_errors(errors, tenant, given["password"])
        errors.raise_if_any()
        user = {
            k: _copied(v)
            for k, v in given.items()
            if k
            not in (
                *_IMPORT_ONLY,
                "password",
                "twoFactor",
                "registrations",
                "id",
                "insertInstant",
                "tenantId",
                "lastLoginInstant",
                "verified",
                "verifiedInstant",
                "passwordLastUpdateInstant",
                "lastUpdateInstant",
                "usernameStatus",
            )
        }
        for kept in (
            "id",
            "tenantId",
            "insertInstant",
            "lastLoginInstant",
            "verified",
            "verifiedInstant",
            "registrations",
            "_password",
            "passwordLastUpdateInstant",
            "_twoFactorSecrets",
            "_twoFactorTrustIds",
            "_twoFactorRecoveryCodes",
            "_oneTimePassword",
            "_oneTimePasswordExpiry",
            "usernameStatus",
        ):
            if kept in current:
                user[kept] = current[kept]
        user.setdefault("active", current["active"])
        user.setdefault("passwordChangeRequired", False)
        if user.get("email", "").lower() != current.get("email", "").lower() and "email" in user:
            verify = tenant.get("emailConfiguration", {}).get("verifyEmail", False)
            user["verified"] = not verify
        if "password" in given:
            user["_password"] = hash_password(given["password"])
            user["passwordLastUpdateInstant"] = now_ms()
        # PUT leaves two-factor methods alone (FusionAuth manages them with its Two Factor API); a PATCH
        # works on the whole user, so a method it drops is removed.
        two_factor = given.get("twoFactor") if patch else given.get("twoFactor", current.get("twoFactor"))
        self._set_two_factor(user, two_factor, current)
        user["lastUpdateInstant"] = max(now_ms(), current["lastUpdateInstant"])
        tx.put(USERS, user_id, user)
        return public(user)

    def _identity_errors(
        self,
        tx: Tx,
        errors: Errors,
        tenant: dict[str, Any],
        given: dict[str, Any],
        user_id: str,
        anonymous: bool = False,
    ) -> None:
        email, username = given.get("email"), given.get("username")
        if not anonymous and not (email or "").strip() and not (username or "").strip():
            errors.field(
                "user.email",
                "[blank]user.email",
                "You must specify either the [user.email] or [user.username] property. If you are emailing "
                "the user you must specify the [user.email].",
            )
        if email:
            if "@" not in email:
                errors.field("user.email", "[invalid]user.email", "The [user.email] property is not a valid email.")
            other = self.by_email(tx, tenant["id"], email)
            if other is not None and other["id"] != user_id:
                errors.field(
                    "user.email", "[duplicate]user.email", "A User with email address [" + email + "] already exists."
                )
        if username:
            other = self.by_username(tx, tenant["id"], username)
            if other is not None and other["id"] != user_id:
                errors.field(
                    "user.username",
                    "[duplicate]user.username",
                    "A User with username [" + username + "] already exists.",
                )

    @staticmethod
    def _set_two_factor(
        user: dict[str, Any], two_factor: dict[str, Any] | None, current: dict[str, Any] | None = None
    ) -> None:
        secrets_by_id: dict[str, str] = dict((current or {}).get("_twoFactorSecrets", {}))
        methods = []
        for given in (two_factor or {}).get("methods", []):
            method = {k: v for k, v in given.items() if k != "secret"}
            method.setdefault("id", method_id())
            if method["method"] == "authenticator":
                method["authenticator"] = {"algorithm": "HmacSHA1", "codeLength": 6, "timeStep": 30}
                if "secret" in given:
                    secrets_by_id[method["id"]] = given["secret"]
            methods.append(method)
        user.pop("twoFactor", None)
        if methods:
            user["twoFactor"] = {"methods": methods}
        user["_twoFactorSecrets"] = {m["id"]: secrets_by_id[m["id"]] for m in methods if m["id"] in secrets_by_id}
