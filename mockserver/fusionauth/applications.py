"""The Application API (applications, their roles, their OAuth configuration) on the store, without HTTP.

`new_application` builds an application document with FusionAuth's defaults (for the API, Kickstart and a fresh
install alike); `complete` gives a stored document the same shape on read, so that an application seeded by a
fixture without, say, an `oauthConfiguration` is returned as FusionAuth would return it.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import secrets
import uuid
from typing import Any

from ..clock import now_ms
from ..openapi import SchemaCheck
from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import patching
from .collections import APPLICATIONS, KEYS, LAMBDAS, REFRESH_TOKENS, TENANTS, USERS
from .errors import Errors, FusionAuthError, from_issues, must_specify, not_found
from .features import Feature
from .themes import theme_exists
from .users import resolve_tenant

FUSIONAUTH_APPLICATION_ID = "3c219e58-ed0e-4b18-ad48-f4f92793ae32"
_ENABLED_NOT_REQUIRED = {"enabled": False, "required": False}
# What FusionAuth stores for an application created with only a name (1.6x).
DEFAULTS: dict[str, Any] = {
    "accessControlConfiguration": {},
    "active": True,
    "authenticationTokenConfiguration": {"enabled": False},
    "data": {},
    "externalIdentifierConfiguration": {},
    "formConfiguration": {"selfServiceFormConfiguration": {"requireCurrentPasswordOnPasswordChange": False}},
    "jwtConfiguration": {
        "enabled": False,
        "refreshTokenExpirationPolicy": "Fixed",
        "refreshTokenOneTimeUseConfiguration": {"gracePeriodInSeconds": 0},
        "refreshTokenSlidingWindowConfiguration": {"maximumTimeToLiveInMinutes": 43200},
        "refreshTokenTimeToLiveInMinutes": 43200,
        "refreshTokenUsagePolicy": "Reusable",
        "timeToLiveInSeconds": 3600,
    },
    "lambdaConfiguration": {},
    "loginConfiguration": {"allowTokenRefresh": False, "generateRefreshTokens": False, "requireAuthentication": True},
    "multiFactorConfiguration": {"email": {}, "sms": {}},
    "oauthConfiguration": {
        "authorizedOriginURLs": [],
        "authorizedRedirectURLs": [],
        "authorizedURLValidationPolicy": "ExactMatch",
        "clientAuthenticationPolicy": "Required",
        "consentMode": "AlwaysPrompt",
        "debug": False,
        "enabledGrants": ["authorization_code", "refresh_token"],
        "generateRefreshTokens": True,
        "logoutBehavior": "AllApplications",
        "proofKeyForCodeExchangePolicy": "NotRequired",
        "providedScopePolicy": {
            scope: {"enabled": True, "required": False} for scope in ("address", "email", "phone", "profile")
        },
        "relationship": "FirstParty",
        "requireClientAuthentication": True,
        "requireRegistration": False,
        "scopeHandlingPolicy": "Strict",
        "unknownScopePolicy": "Reject",
    },
    "passwordlessConfiguration": {"enabled": False},
    "registrationConfiguration": {
        "birthDate": _ENABLED_NOT_REQUIRED,
        "confirmPassword": False,
        "enabled": False,
        "firstName": _ENABLED_NOT_REQUIRED,
        "fullName": _ENABLED_NOT_REQUIRED,
        "lastName": _ENABLED_NOT_REQUIRED,
        "loginIdType": "email",
        "middleName": _ENABLED_NOT_REQUIRED,
        "mobilePhone": _ENABLED_NOT_REQUIRED,
        "preferredLanguages": _ENABLED_NOT_REQUIRED,
        "type": "basic",
    },
    "registrationDeletePolicy": {"unverified": {"enabled": False, "numberOfDaysToRetain": 120}},
    "roles": [],
    "samlv2Configuration": {
        "debug": False,
        "enabled": False,
        "initiatedLogin": {"enabled": False, "nameIdFormat": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"},
        "loginHintConfiguration": {"enabled": True, "parameterName": "login_hint"},
        "logout": {
            "behavior": "AllParticipants",
            "requireSignedRequests": False,
            "singleLogout": {"enabled": False, "xmlSignatureC14nMethod": "exclusive_with_comments"},
            "xmlSignatureC14nMethod": "exclusive_with_comments",
        },
        "requireSignedRequests": False,
        "xmlSignatureC14nMethod": "exclusive_with_comments",
        "xmlSignatureLocation": "Assertion",
    },
    "scopes": [],
    "state": "Active",
    "universalConfiguration": {"universal": False},
    "unverified": {"behavior": "Allow"},
    "verificationStrategy": "ClickableLink",
    "verifyRegistration": False,
    "webAuthnConfiguration": {
        "bootstrapWorkflow": {"enabled": False},
        "enabled": False,
        "reauthenticationWorkflow": {"enabled": False},
    },
}
_READ_ONLY = ("id", "insertInstant", "lastUpdateInstant")


def fill(document: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """`document` with every default it lacks, recursively (given values always win)."""
    for key, value in defaults.items():
        if key not in document:
            document[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(document[key], dict):
            fill(document[key], value)
    return document


def generate_secret() -> str:
    return secrets.token_urlsafe(32)  # 43 characters, the shape of the secrets FusionAuth generates


def _derived_secret(application_id: str) -> str:
    # A seeded application without a secret gets a stable one: every worker and every read must agree.
    digest = hashlib.sha256(f"mockserver client secret {application_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _role(given: dict[str, Any] | str, now: int) -> dict[str, Any]:
    role = {"name": given} if isinstance(given, str) else copy.deepcopy(given)
    role.setdefault("id", str(uuid.uuid4()))
    role.setdefault("isDefault", False)
    role.setdefault("isSuperRole", False)
    role.setdefault("insertInstant", now)
    role.setdefault("lastUpdateInstant", now)
    return role


# login.py reads the registration verification strategy under this stored name (FusionAuth's is
# `verificationStrategy`): documents keep both, the API shows FusionAuth's only.
STORED_STRATEGY = "registrationVerificationStrategy"


def stored(application: dict[str, Any]) -> dict[str, Any]:
    """The document to store for an API view of an application."""
    return {**application, STORED_STRATEGY: application["verificationStrategy"]}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """A stored application as the API returns it: FusionAuth's defaults filled in (fixture documents and those
    written before this module existed lack some), clientId = id, roles as full objects sorted by name."""
    application = copy.deepcopy(document)
    legacy = application.pop(STORED_STRATEGY, None)
    if legacy is not None:
        application.setdefault("verificationStrategy", legacy)
    fill(application, DEFAULTS)
    for instant in ("insertInstant", "lastUpdateInstant"):  # a fixture may leave them out: the epoch then
        application.setdefault(instant, 0)
    oauth = application["oauthConfiguration"]
    oauth.setdefault("clientId", application["id"])
    if not oauth.get("clientSecret"):
        oauth["clientSecret"] = _derived_secret(application["id"])
    application["state"] = "Active" if application["active"] else "Inactive"
    application["roles"] = sorted(
        (_role(r, application["insertInstant"]) for r in application["roles"]), key=lambda r: r["name"]
    )
    return application


def new_application(
    fields: dict[str, Any], tenant: dict[str, Any], application_id: str | None = None, now: int | None = None
) -> dict[str, Any]:
    """A new application document with FusionAuth's defaults (not validated, not stored)."""
    now = now if now is not None else now_ms()
    application = {k: copy.deepcopy(v) for k, v in fields.items() if k not in _READ_ONLY}
    application.update(
        {
            "id": application_id or str(uuid.uuid4()),
            "tenantId": tenant["id"],
            "insertInstant": now,
            "lastUpdateInstant": now,
        }
    )
    fill(application, DEFAULTS)
    oauth = application["oauthConfiguration"]
    oauth["clientId"] = application["id"]
    if not oauth.get("clientSecret"):
        oauth["clientSecret"] = generate_secret()
    application["roles"] = sorted((_role(r, now) for r in application["roles"]), key=lambda r: r["name"])
    application["state"] = "Active" if application["active"] else "Inactive"
    return application


def visible(application: dict[str, Any], tenant_id: str | None) -> bool:
    return tenant_id is None or application.get("tenantId") == tenant_id


class Applications:
    def __init__(self, store: Store, request_check: SchemaCheck) -> None:
        self.store = store
        self.request_check = request_check  # a patched request must pass the PUT schema too

    # -- reads -------------------------------------------------------------------------------------
    def _get(self, tx: Tx, application_id: str, tenant_id: str | None) -> dict[str, Any]:
        found = tx.get(APPLICATIONS, application_id)
        if found is None or not visible(found, tenant_id):
            raise not_found()
        return complete(found)

    def retrieve(self, application_id: str, tenant_id: str | None) -> dict[str, Any]:
        return self._get(self.store.read(), application_id, tenant_id)

    def list(self, tenant_id: str | None, inactive: bool) -> list[dict[str, Any]]:
        found = (complete(a) for a in self.store.read().all(APPLICATIONS) if visible(a, tenant_id))
        return [a for a in found if a["active"] is not inactive]

    def oauth_configuration(self, application_id: str, tenant_id: str | None, with_secret: bool) -> dict[str, Any]:
        tx = self.store.read()
        application = self._get(tx, application_id, tenant_id)
        oauth = application["oauthConfiguration"]
        if not with_secret:
            oauth.pop("clientSecret", None)
        tenant = resolve_tenant(tx, application["tenantId"])
        body: dict[str, Any] = {
            "httpSessionMaxInactiveInterval": tenant.get("httpSessionMaxInactiveInterval", 3600),
            "oauthConfiguration": oauth,
        }
        if tenant.get("logoutURL"):
            body["logoutURL"] = tenant["logoutURL"]
        return body

    # -- writes ------------------------------------------------------------------------------------
    def create(self, request: dict[str, Any], url_id: str | None, tenant_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            given = _required(request, "application")
            source_id = request.get("sourceApplicationId")
            if source_id is not None:
                given = self._copy_of(tx, source_id, given, tenant_id)
            if tenant_id is not None and given.get("tenantId") not in (None, tenant_id):
                raise FusionAuthError(
                    400,
                    Errors()
                    .field(
                        "application.tenantId",
                        "[invalid]application.tenantId",
                        "The [application.tenantId] does not match the X-FusionAuth-TenantId header.",
                    )
                    .body(),
                )
            tenant = self._tenant(tx, tenant_id or given.get("tenantId"))
            application = new_application(given, tenant, url_id)
            errors = Errors()
            if tx.get(APPLICATIONS, application["id"]) is not None:
                errors.field(
                    "applicationId",
                    "[duplicate]applicationId",
                    f"An Application with Id [{application['id']}] already exists.",
                )
            self._validate(tx, application, given, errors)
            errors.raise_if_any()
            tx.put(APPLICATIONS, application["id"], stored(application))
            return application

    def update(self, application_id: str, request: dict[str, Any], tenant_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            return self._update(tx, application_id, _required(request, "application"), tenant_id)

    def reactivate(self, application_id: str, tenant_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            application = self._get(tx, application_id, tenant_id)
            application.update(active=True, state="Active", lastUpdateInstant=_later(application))
            tx.put(APPLICATIONS, application_id, stored(application))
            return application

    def patch(self, application_id: str, content_type: str, patch: Any, tenant_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            current = self._get(tx, application_id, tenant_id)
            named_in_patch(content_type, patch, "application")
            patched = patching.apply(content_type, {"application": current}, patch)
            if not self.request_check.is_valid(patched):
                raise from_issues(self.request_check.issues(patched))
            # As PUT, PATCH leaves the roles alone: the role operations change them.
            return self._update(tx, application_id, _required(patched, "application"), tenant_id)

    def delete(self, application_id: str, hard: bool, tenant_id: str | None) -> None:
        with self.store.write() as tx:
            application = self._get(tx, application_id, tenant_id)
            if hard:
                delete_application(tx, application_id)
            else:  # a soft delete deactivates; reactivate undoes it
                application.update(active=False, state="Inactive", lastUpdateInstant=_later(application))
                tx.put(APPLICATIONS, application_id, stored(application))

    # -- roles -------------------------------------------------------------------------------------
    def create_role(
        self, application_id: str, role_id: str | None, request: dict[str, Any], tenant_id: str | None
    ) -> dict[str, Any]:
        with self.store.write() as tx:
            application = self._get(tx, application_id, tenant_id)
            given = _required(request, "role")
            now = now_ms()
            role = _role({k: v for k, v in given.items() if k not in _READ_ONLY}, now)
            role["id"] = role_id or str(uuid.uuid4())
            errors = Errors()
            if any(r["id"] == role["id"] for r in application["roles"]):
                errors.field("roleId", "[duplicate]roleId", f"A Role with Id [{role['id']}] already exists.")
            self._role_errors(application, role, errors)
            errors.raise_if_any()
            application["roles"] = sorted([*application["roles"], role], key=lambda r: r["name"])
            application["lastUpdateInstant"] = _later(application)
            tx.put(APPLICATIONS, application_id, stored(application))
            return role

    def update_role(
        self, application_id: str, role_id: str, request: dict[str, Any], tenant_id: str | None
    ) -> dict[str, Any]:
        with self.store.write() as tx:
            return self._update_role(tx, application_id, role_id, _required(request, "role"), tenant_id)

    def patch_role(
        self, application_id: str, role_id: str, content_type: str, patch: Any, tenant_id: str | None
    ) -> dict[str, Any]:
        with self.store.write() as tx:
            application = self._get(tx, application_id, tenant_id)
            current = next((r for r in application["roles"] if r["id"] == role_id), None)
            if current is None:
                raise not_found()
            named_in_patch(content_type, patch, "role")
            patched = patching.apply(content_type, {"role": current}, patch)
            if not self.request_check.is_valid(patched):
                raise from_issues(self.request_check.issues(patched))
            return self._update_role(tx, application_id, role_id, _required(patched, "role"), tenant_id)

    def delete_role(self, application_id: str, role_id: str | None, name: str | None, tenant_id: str | None) -> None:
        with self.store.write() as tx:
            application = self._get(tx, application_id, tenant_id)
            role = next((r for r in application["roles"] if r["id"] == role_id or (name and r["name"] == name)), None)
            if role is None:
                raise not_found()
            application["roles"] = [r for r in application["roles"] if r["id"] != role["id"]]
            application["lastUpdateInstant"] = _later(application)
            tx.put(APPLICATIONS, application_id, stored(application))
            # Registrations lose the deleted role.
            for user in tx.all(USERS):
                changed = False
                for registration in user.get("registrations", []):
                    if registration.get("applicationId") == application_id and role["name"] in registration.get(
                        "roles", []
                    ):
                        registration["roles"] = [r for r in registration["roles"] if r != role["name"]]
                        changed = True
                if changed:
                    tx.put(USERS, user["id"], user)

    # -- rules -------------------------------------------------------------------------------------
    @staticmethod
    def _tenant(tx: Tx, tenant_id: str | None) -> dict[str, Any]:
        if tenant_id is not None and tx.get(TENANTS, tenant_id) is None:
            raise FusionAuthError(
                400,
                Errors()
                .field(
                    "application.tenantId",
                    "[invalid]application.tenantId",
                    f"The [application.tenantId] [{tenant_id}] does not exist.",
                )
                .body(),
            )
        return resolve_tenant(tx, tenant_id)

    def _copy_of(self, tx: Tx, source_id: str, given: dict[str, Any], tenant_id: str | None) -> dict[str, Any]:
        source = tx.get(APPLICATIONS, source_id)
        if source is None or not visible(source, tenant_id):
            raise FusionAuthError(
                400,
                Errors()
                .field(
                    "sourceApplicationId",
                    "[invalid]sourceApplicationId",
                    f"The [sourceApplicationId] [{source_id}] does not exist.",
                )
                .body(),
            )
        # The copy gets a new client secret and new role ids; everything else comes from the source.
        copied = {k: v for k, v in complete(source).items() if k not in (*_READ_ONLY, "name")}
        copied["oauthConfiguration"].pop("clientSecret", None)
        copied["oauthConfiguration"].pop("clientId", None)
        copied["roles"] = [{k: v for k, v in r.items() if k not in _READ_ONLY} for r in copied["roles"]]
        copied["name"] = given["name"]
        return copied

    def _update(
        self,
        tx: Tx,
        application_id: str,
        given: dict[str, Any],
        tenant_id: str | None,
    ) -> dict[str, Any]:
        current = self._get(tx, application_id, tenant_id)
        tenant = resolve_tenant(tx, current["tenantId"])
        now = max(now_ms(), current["lastUpdateInstant"])
        fields = {k: v for k, v in given.items() if k not in ("roles", "tenantId")}
        fields["roles"] = current["roles"]  # FusionAuth's update never changes roles
        application = new_application(fields, tenant, application_id, now)
        application["insertInstant"] = current["insertInstant"]
        # PUT keeps the secret unless a new one is given (FusionAuth regenerates it only on request).
        if not given.get("oauthConfiguration", {}).get("clientSecret"):
            application["oauthConfiguration"]["clientSecret"] = current["oauthConfiguration"]["clientSecret"]
        errors = Errors()
        self._validate(tx, application, given, errors)
        errors.raise_if_any()
        tx.put(APPLICATIONS, application_id, stored(application))
        return application

    def _update_role(
        self, tx: Tx, application_id: str, role_id: str, given: dict[str, Any], tenant_id: str | None
    ) -> dict[str, Any]:
        application = self._get(tx, application_id, tenant_id)
        current = next((r for r in application["roles"] if r["id"] == role_id), None)
        if current is None:
            raise not_found()
        role = _role({k: v for k, v in given.items() if k not in _READ_ONLY}, current["insertInstant"])
        role.update(id=role_id, insertInstant=current["insertInstant"], lastUpdateInstant=_later(current))
        errors = Errors()
        self._role_errors(application, role, errors)
        errors.raise_if_any()
        others = [r for r in application["roles"] if r["id"] != role_id]
        application["roles"] = sorted([*others, role], key=lambda r: r["name"])
        application["lastUpdateInstant"] = _later(application)
        tx.put(APPLICATIONS, application_id, stored(application))
        if role["name"] != current["name"]:  # registrations name their roles: follow the rename
            for user in tx.all(USERS):
                changed = False
                for registration in user.get("registrations", []):
                    if registration.get("applicationId") == application_id and current["name"] in registration.get(
                        "roles", []
                    ):
                        registration["roles"] = sorted(
                            {role["name"] if r == current["name"] else r for r in registration["roles"]}
                        )
                        changed = True
                if changed:
                    tx.put(USERS, user["id"], user)
        return role

    @staticmethod
    def _role_errors(application: dict[str, Any], role: dict[str, Any], errors: Errors) -> None:
        if not role.get("name", "").strip():
            errors.field("role.name", "[blank]role.name", must_specify("role.name"))
        elif any(r["name"] == role["name"] and r["id"] != role["id"] for r in application["roles"]):
            errors.field("role.name", "[duplicate]role.name", f"A Role with name [{role['name']}] already exists.")

    @staticmethod
    def _validate(tx: Tx, application: dict[str, Any], given: dict[str, Any], errors: Errors) -> None:
        name = application.get("name", "")
        if not name.strip():
            errors.field("application.name", "[blank]application.name", must_specify("application.name"))
        elif any(
            a["name"] == name and a["id"] != application["id"] and a.get("tenantId") == application["tenantId"]
            for a in tx.all(APPLICATIONS)
        ):
            errors.field(
                "application.name",
                "[duplicate]application.name",
                f"An Application with name [{name}] already exists.",
            )
        names = [r["name"] for r in application["roles"]]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            errors.field(
                "application.roles",
                "[duplicate]application.roles",
                f"The role names {duplicated} are used by more than one role.",
            )
        if any(not n.strip() for n in names):
            errors.field("application.roles", "[blank]application.roles.name", must_specify("application.roles.name"))
        for field in ("accessTokenKeyId", "idTokenKeyId"):
            key_id = given.get("jwtConfiguration", {}).get(field)
            if key_id is not None and tx.get(KEYS, key_id) is None:
                path = f"application.jwtConfiguration.{field}"
                errors.field(path, f"[invalid]{path}", f"The [{path}] [{key_id}] is not a key that exists.")
        for field, lambda_id in given.get("lambdaConfiguration", {}).items():
            if tx.get(LAMBDAS, lambda_id) is None:
                path = f"application.lambdaConfiguration.{field}"
                errors.field(path, f"[invalid]{path}", f"The [{path}] [{lambda_id}] is not a lambda that exists.")
        theme_id = given.get("themeId")
        if theme_id is not None and not theme_exists(tx, theme_id):
            errors.field(
                "application.themeId", "[invalid]application.themeId", f"The theme [{theme_id}] does not exist."
            )


def delete_application(tx: Tx, application_id: str) -> None:
    """A hard delete: the application, its users' registrations for it and its refresh tokens."""
    tx.delete(APPLICATIONS, application_id)
    for user in tx.all(USERS):
        registrations = user.get("registrations", [])
        kept = [r for r in registrations if r.get("applicationId") != application_id]
        if len(kept) != len(registrations):
            user["registrations"] = kept
            tx.put(USERS, user["id"], user)
    tx.delete_where(REFRESH_TOKENS, applicationId=application_id)


def _later(document: dict[str, Any]) -> int:
    return max(now_ms(), document.get("lastUpdateInstant", 0))


def named_in_patch(content_type: str, patch: Any, name: str) -> None:
    """An (empty) JSON or merge patch that does not name the object changes nothing: FusionAuth's 400."""
    if content_type != patching.JSON_PATCH and name not in patch:
        raise FusionAuthError(400, Errors().field(name, f"[missing]{name}", must_specify(name)).body())


def _required(request: dict[str, Any], name: str) -> dict[str, Any]:
    value = request.get(name)
    if not isinstance(value, dict):
        raise FusionAuthError(400, Errors().field(name, f"[missing]{name}", must_specify(name)).body())
    return value


# -- HTTP ----------------------------------------------------------------------------------------------
def handlers(feature: Feature) -> dict[str, Handler]:
    service = Applications(feature.store, feature.schema("fusionauth/ApplicationRequest.json"))
    tenant = feature.tenant

    def one(application: dict[str, Any]) -> Reply:
        return Reply(200, {"application": application})

    def role_reply(role: dict[str, Any]) -> Reply:
        return Reply(200, {"role": role})

    def flag(call: Call, name: str) -> bool:
        return call.query.get(name, "").lower() == "true"

    def create(call: Call) -> Reply:
        return one(service.create(call.body, call.path.get("applicationId"), tenant(call)))

    def retrieve_all(call: Call) -> Reply:
        return Reply(200, {"applications": service.list(tenant(call), flag(call, "inactive"))})

    def retrieve(call: Call) -> Reply:
        return one(service.retrieve(call.path["applicationId"], tenant(call)))

    def update(call: Call) -> Reply:
        if flag(call, "reactivate"):
            return one(service.reactivate(call.path["applicationId"], tenant(call)))
        return one(service.update(call.path["applicationId"], call.body, tenant(call)))

    def patch(call: Call) -> Reply:
        assert call.content_type is not None
        return one(service.patch(call.path["applicationId"], call.content_type, call.body, tenant(call)))

    def delete(call: Call) -> Reply:
        service.delete(call.path["applicationId"], flag(call, "hardDelete"), tenant(call))
        return Reply(200)

    def create_role(call: Call) -> Reply:
        p = call.path
        return role_reply(service.create_role(p["applicationId"], p.get("roleId"), call.body, tenant(call)))

    def update_role(call: Call) -> Reply:
        p = call.path
        return role_reply(service.update_role(p["applicationId"], p["roleId"], call.body, tenant(call)))

    def patch_role(call: Call) -> Reply:
        p = call.path
        assert call.content_type is not None
        return role_reply(
            service.patch_role(p["applicationId"], p["roleId"], call.content_type, call.body, tenant(call))
        )

    def delete_role(call: Call) -> Reply:
        service.delete_role(call.path["applicationId"], call.path["roleId"], None, tenant(call))
        return Reply(200)

    def delete_role_by_name(call: Call) -> Reply:
        name = call.query.get("name")
        if not name:
            raise FusionAuthError(400, Errors().field("name", "[missing]name", "You must specify the [name].").body())
        service.delete_role(call.path["applicationId"], None, name, tenant(call))
        return Reply(200)

    def oauth_configuration(call: Call) -> Reply:
        with_secret = feature.vendor.has_valid_key(call)
        return Reply(200, service.oauth_configuration(call.path["applicationId"], tenant(call), with_secret))

    return {
        "createApplication": create,
        "createApplicationWithId": create,
        "retrieveApplications": retrieve_all,
        "retrieveApplication": retrieve,
        "updateApplication": update,
        "patchApplication": patch,
        "deleteApplication": delete,
        "createApplicationRole": create_role,
        "createApplicationRoleWithId": create_role,
        "updateApplicationRole": update_role,
        "patchApplicationRole": patch_role,
        "deleteApplicationRole": delete_role,
        "deleteApplicationRoleByName": delete_role_by_name,
        "retrieveOauthConfiguration": oauth_configuration,
    }
