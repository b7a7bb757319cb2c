"""The Tenant API on the store, without HTTP.

`new_tenant` builds a tenant document with FusionAuth's defaults (for the API, Kickstart and a fresh install
alike); `complete` gives a stored tenant (a fixture's, say) the same shape on read.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ..clock import now_ms
from ..openapi import SchemaCheck
from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import patching
from .applications import delete_application, fill, named_in_patch
from .collections import (
    API_KEYS,
    APPLICATIONS,
    IDENTITY_PROVIDERS,
    KEYS,
    LINKS,
    REFRESH_TOKENS,
    TENANTS,
    USERS,
)
from .errors import Errors, FusionAuthError, from_issues, must_specify, not_found
from .features import Feature
from .themes import DEFAULT_THEME_ID, theme_exists

FUSIONAUTH_CONNECTOR_ID = "e3306678-a53a-4964-9040-1c96f36dda72"
_LIMIT = {"enabled": False, "limit": 5, "timePeriodInSeconds": 60}
_GENERATOR = {"length": 32, "type": "randomBytes"}
_CODE = {"length": 6, "type": "randomAlphaNumeric"}
# What FusionAuth stores for a tenant created with only a name (1.6x); instance-specific template and form
# ids are left out.
DEFAULTS: dict[str, Any] = {
    "accessControlConfiguration": {},
    "captchaConfiguration": {"captchaMethod": "GoogleRecaptchaV3", "enabled": False, "threshold": 0.5},
    "configured": False,
    "connectorPolicies": [{"connectorId": FUSIONAUTH_CONNECTOR_ID, "domains": ["*"], "migrate": False}],
    "data": {},
    "emailConfiguration": {
        "additionalHeaders": [],
        "debug": False,
        "defaultFromEmail": "change-me@example.com",
        "defaultFromName": "FusionAuth",
        "host": "localhost",
        "implicitEmailVerificationAllowed": True,
        "port": 25,
        "security": "NONE",
        "unverified": {"allowEmailChangeWhenGated": False, "behavior": "Allow"},
        "verificationStrategy": "ClickableLink",
        "verifyEmail": False,
        "verifyEmailWhenChanged": False,
    },
    "eventConfiguration": {"events": {}},
    "externalIdentifierConfiguration": {
        "authorizationGrantIdTimeToLiveInSeconds": 30,
        "changePasswordIdGenerator": _GENERATOR,
        "changePasswordIdTimeToLiveInSeconds": 600,
        "deviceCodeTimeToLiveInSeconds": 300,
        "deviceUserCodeIdGenerator": _CODE,
        "emailVerificationIdGenerator": _GENERATOR,
        "emailVerificationIdTimeToLiveInSeconds": 86400,
        "emailVerificationOneTimeCodeGenerator": _CODE,
        "externalAuthenticationIdTimeToLiveInSeconds": 300,
        "loginIntentTimeToLiveInSeconds": 1800,
        "oneTimePasswordTimeToLiveInSeconds": 60,
        "passwordlessLoginGenerator": _GENERATOR,
        "passwordlessLoginOneTimeCodeGenerator": {"length": 6, "type": "randomDigits"},
        "passwordlessLoginTimeToLiveInSeconds": 180,
        "pendingAccountLinkTimeToLiveInSeconds": 3600,
        "phoneVerificationIdGenerator": _GENERATOR,
        "phoneVerificationIdTimeToLiveInSeconds": 86400,
        "phoneVerificationOneTimeCodeGenerator": _CODE,
        "registrationVerificationIdGenerator": _GENERATOR,
        "registrationVerificationIdTimeToLiveInSeconds": 86400,
        "registrationVerificationOneTimeCodeGenerator": _CODE,
        "rememberOAuthScopeConsentChoiceTimeToLiveInSeconds": 2592000,
        "samlv2AuthNRequestIdTimeToLiveInSeconds": 300,
        "setupPasswordIdGenerator": _GENERATOR,
        "setupPasswordIdTimeToLiveInSeconds": 86400,
        "trustTokenTimeToLiveInSeconds": 180,
        "twoFactorIdTimeToLiveInSeconds": 300,
        "twoFactorOneTimeCodeIdGenerator": {"length": 6, "type": "randomDigits"},
        "twoFactorOneTimeCodeIdTimeToLiveInSeconds": 60,
        "twoFactorTrustIdTimeToLiveInSeconds": 2592000,
        "webAuthnAuthenticationChallengeTimeToLiveInSeconds": 180,
        "webAuthnRegistrationChallengeTimeToLiveInSeconds": 180,
    },
    "failedAuthenticationConfiguration": {
        "actionCancelPolicy": {"onPasswordReset": False},
        "actionDuration": 3,
        "actionDurationUnit": "MINUTES",
        "emailUser": False,
        "resetCountInSeconds": 60,
        "tooManyAttempts": 5,
    },
    "familyConfiguration": {
        "allowChildRegistrations": True,
        "deleteOrphanedAccounts": False,
        "deleteOrphanedAccountsDays": 30,
        "enabled": False,
        "maximumChildAge": 12,
        "minimumOwnerAge": 21,
        "parentEmailRequired": False,
    },
    "formConfiguration": {},
    "httpSessionMaxInactiveInterval": 3600,
    "issuer": "acme.com",
    "jwtConfiguration": {
        "enabled": True,
        "refreshTokenExpirationPolicy": "Fixed",
        "refreshTokenOneTimeUseConfiguration": {"gracePeriodInSeconds": 0},
        "refreshTokenRevocationPolicy": {
            "onLoginPrevented": True,
            "onMultiFactorEnable": False,
            "onOneTimeTokenReuse": False,
            "onPasswordChanged": True,
        },
        "refreshTokenSlidingWindowConfiguration": {"maximumTimeToLiveInMinutes": 43200},
        "refreshTokenTimeToLiveInMinutes": 43200,
        "refreshTokenUsagePolicy": "Reusable",
        "timeToLiveInSeconds": 3600,
    },
    "lambdaConfiguration": {},
    "loginConfiguration": {"requireAuthentication": True},
    "maximumPasswordAge": {"days": 180, "enabled": False},
    "minimumPasswordAge": {"enabled": False, "seconds": 30},
    "multiFactorConfiguration": {
        "authenticator": {"algorithm": "HmacSHA1", "codeLength": 6, "enabled": True, "timeStep": 30},
        "email": {"enabled": False},
        "loginPolicy": "Enabled",
        "sms": {"enabled": False},
    },
    "oauthConfiguration": {},
    "passwordEncryptionConfiguration": {
        "encryptionScheme": "salted-pbkdf2-hmac-sha256",
        "encryptionSchemeFactor": 24000,
        "modifyEncryptionSchemeOnLogin": False,
    },
    "passwordValidationRules": {
        "breachDetection": {"enabled": False, "matchMode": "High", "onLogin": "Off"},
        "maxLength": 256,
        "minLength": 8,
        "rememberPreviousPasswords": {"count": 1, "enabled": False},
        "requireMixedCase": False,
        "requireNonAlpha": False,
        "requireNumber": False,
        "validateOnLogin": False,
    },
    "phoneConfiguration": {
        "implicitPhoneVerificationAllowed": True,
        "unverified": {"allowPhoneNumberChangeWhenGated": False, "behavior": "Allow"},
        "verificationStrategy": "ClickableLink",
        "verifyPhoneNumber": False,
    },
    "rateLimitConfiguration": {
        name: _LIMIT
        for name in (
            "failedLogin",
            "forgotPassword",
            "sendEmailVerification",
            "sendPasswordless",
            "sendPasswordlessPhone",
            "sendPhoneVerification",
            "sendRegistrationVerification",
            "sendTwoFactor",
        )
    },
    "registrationConfiguration": {"blockedDomains": []},
    "scimServerConfiguration": {"enabled": False},
    "ssoConfiguration": {"allowAccessTokenBootstrap": False, "deviceTrustTimeToLiveInSeconds": 31536000},
    "state": "Active",
    "themeId": DEFAULT_THEME_ID,
    "userDeletePolicy": {"unverified": {"enabled": False, "numberOfDaysToRetain": 120}},
    "usernameConfiguration": {
        "unique": {"enabled": False, "numberOfDigits": 5, "separator": "#", "strategy": "OnCollision"}
    },
    "webAuthnConfiguration": {
        "bootstrapWorkflow": {
            "authenticatorAttachmentPreference": "any",
            "enabled": False,
            "userVerificationRequirement": "required",
        },
        "debug": False,
        "enabled": False,
        "reauthenticationWorkflow": {
            "authenticatorAttachmentPreference": "platform",
            "enabled": False,
            "userVerificationRequirement": "required",
        },
    },
}
_READ_ONLY = ("id", "insertInstant", "lastUpdateInstant")


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """A stored tenant as the API returns it: FusionAuth's defaults filled in where a document lacks them."""
    tenant = fill(copy.deepcopy(document), DEFAULTS)
    for instant in ("insertInstant", "lastUpdateInstant"):  # a fixture may leave them out: the epoch then
        tenant.setdefault(instant, 0)
    return tenant


def new_tenant(
    fields: dict[str, Any],
    tenant_id: str | None = None,
    now: int | None = None,
    signing_keys: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A new tenant document with FusionAuth's defaults (not validated, not stored). `signing_keys`: the
    jwtConfiguration key ids to use when `fields` names none (accessTokenKeyId, idTokenKeyId)."""
    now = now if now is not None else now_ms()
    tenant = {k: copy.deepcopy(v) for k, v in fields.items() if k not in _READ_ONLY}
    tenant.update(id=tenant_id or str(uuid.uuid4()), insertInstant=now, lastUpdateInstant=now)
    fill(tenant, DEFAULTS)
    for name, key_id in (signing_keys or {}).items():
        tenant["jwtConfiguration"].setdefault(name, key_id)
    return tenant


def visible(tenant: dict[str, Any], tenant_id: str | None) -> bool:
    return tenant_id is None or tenant["id"] == tenant_id


def delete_tenant(tx: Tx, tenant_id: str) -> None:
    """The tenant and everything in it: applications (with their registrations), users, their links and
    refresh tokens, its identity providers and tenant-locked API keys."""
    for application in tx.find(APPLICATIONS, tenantId=tenant_id):
        delete_application(tx, application["id"])
    for user in tx.find(USERS, tenantId=tenant_id):
        tx.delete(USERS, user["id"])
        tx.delete_where(LINKS, userId=user["id"])
        tx.delete_where(REFRESH_TOKENS, userId=user["id"])
    tx.delete_where(IDENTITY_PROVIDERS, tenantId=tenant_id)
    tx.delete_where(API_KEYS, tenantId=tenant_id)
    tx.delete(TENANTS, tenant_id)


class Tenants:
    def __init__(self, store: Store, request_check: SchemaCheck) -> None:
        self.store = store
        self.request_check = request_check

    def _get(self, tx: Tx, tenant_id: str, scope: str | None) -> dict[str, Any]:
        found = tx.get(TENANTS, tenant_id)
        if found is None or not visible(found, scope):
            raise not_found()
        return complete(found)

    def retrieve(self, tenant_id: str, scope: str | None) -> dict[str, Any]:
        return self._get(self.store.read(), tenant_id, scope)

    def list(self, scope: str | None) -> list[dict[str, Any]]:
        return [complete(t) for t in self.store.read().all(TENANTS) if visible(t, scope)]

    def create(self, request: dict[str, Any], url_id: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            given = _required(request, "tenant")
            source_id = request.get("sourceTenantId")
            if source_id is not None:
                source = tx.get(TENANTS, source_id)
                if source is None:
                    raise FusionAuthError(
                        400,
                        Errors()
                        .field(
                            "sourceTenantId",
                            "[invalid]sourceTenantId",
                            f"The [sourceTenantId] [{source_id}] does not exist.",
                        )
                        .body(),
                    )
                # The copy takes everything from the source but the given values and the identity.
                base = {k: v for k, v in complete(source).items() if k not in _READ_ONLY}
                given = patching.fusionauth_merge(base, given)
            tenant = new_tenant(given, url_id, signing_keys=_default_keys(tx))
            errors = Errors()
            if tx.get(TENANTS, tenant["id"]) is not None:
                errors.field("tenantId", "[duplicate]tenantId", f"A Tenant with Id [{tenant['id']}] already exists.")
            _validate(tx, tenant, errors)
            errors.raise_if_any()
            tx.put(TENANTS, tenant["id"], tenant)
            return tenant

    def update(self, tenant_id: str, request: dict[str, Any], scope: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            return self._update(tx, tenant_id, _required(request, "tenant"), scope)

    def patch(self, tenant_id: str, content_type: str, patch: Any, scope: str | None) -> dict[str, Any]:
        with self.store.write() as tx:
            current = self._get(tx, tenant_id, scope)
            named_in_patch(content_type, patch, "tenant")
            patched = patching.apply(content_type, {"tenant": current}, patch)
            if not self.request_check.is_valid(patched):
                raise from_issues(self.request_check.issues(patched))
            return self._update(tx, tenant_id, _required(patched, "tenant"), scope)

    def delete(self, tenant_id: str, scope: str | None) -> None:
        with self.store.write() as tx:
            self._get(tx, tenant_id, scope)
            delete_tenant(tx, tenant_id)

    def _update(self, tx: Tx, tenant_id: str, given: dict[str, Any], scope: str | None) -> dict[str, Any]:
        current = self._get(tx, tenant_id, scope)
        now = max(now_ms(), current["lastUpdateInstant"])
        keys = {
            k: current["jwtConfiguration"][k]
            for k in ("accessTokenKeyId", "idTokenKeyId")
            if k in current["jwtConfiguration"]
        }
        tenant = new_tenant(given, tenant_id, now, signing_keys=keys)
        tenant["insertInstant"] = current["insertInstant"]
        errors = Errors()
        _validate(tx, tenant, errors)
        errors.raise_if_any()
        tx.put(TENANTS, tenant_id, tenant)
        return tenant


def _default_keys(tx: Tx) -> dict[str, str]:
    """The signing keys of the Default tenant (else of the first tenant naming any): a new tenant signs with them."""
    tenants = sorted(tx.all(TENANTS), key=lambda t: t.get("name") != "Default")
    for tenant in tenants:
        jwt = tenant.get("jwtConfiguration", {})
        keys = {k: jwt[k] for k in ("accessTokenKeyId", "idTokenKeyId") if k in jwt}
        if keys:
            return keys
    return {}


def _validate(tx: Tx, tenant: dict[str, Any], errors: Errors) -> None:
    name = tenant.get("name", "")
    if not name.strip():
        errors.field("tenant.name", "[blank]tenant.name", must_specify("tenant.name"))
    elif any(t["name"] == name and t["id"] != tenant["id"] for t in tx.all(TENANTS)):
        errors.field("tenant.name", "[duplicate]tenant.name", f"A Tenant with name [{name}] already exists.")
    if not str(tenant.get("issuer", "")).strip():
        errors.field("tenant.issuer", "[blank]tenant.issuer", must_specify("tenant.issuer"))
    for field in ("accessTokenKeyId", "idTokenKeyId"):
        key_id = tenant["jwtConfiguration"].get(field)
        if key_id is not None and tx.get(KEYS, key_id) is None:
            path = f"tenant.jwtConfiguration.{field}"
            errors.field(path, f"[invalid]{path}", f"The [{path}] [{key_id}] is not a key that exists.")
    if not theme_exists(tx, tenant["themeId"]):
        errors.field("tenant.themeId", "[invalid]tenant.themeId", f"The theme [{tenant['themeId']}] does not exist.")
    rules = tenant["passwordValidationRules"]
    if rules["minLength"] < 1 or rules["maxLength"] < rules["minLength"]:
        errors.field(
            "tenant.passwordValidationRules.maxLength",
            "[invalid]tenant.passwordValidationRules.maxLength",
            "The maximum length must be greater than or equal to the minimum length.",
        )


def _required(request: dict[str, Any], name: str) -> dict[str, Any]:
    value = request.get(name)
    if not isinstance(value, dict):
        raise FusionAuthError(400, Errors().field(name, f"[missing]{name}", must_specify(name)).body())
    return value


def issuer_for(tx: Tx, tenant_id: str | None) -> str:
    """The issuer of a tenant (the Default tenant's, else the first tenant's, when none is named)."""
    tenant = tx.get(TENANTS, tenant_id) if tenant_id else None
    if tenant is None:
        tenants = sorted(tx.all(TENANTS), key=lambda t: t.get("name") != "Default")
        tenant = tenants[0] if tenants else {}
    return str(tenant.get("issuer", DEFAULTS["issuer"]))


# -- HTTP ----------------------------------------------------------------------------------------------
def handlers(feature: Feature) -> dict[str, Handler]:
    service = Tenants(feature.store, feature.schema("fusionauth/TenantRequest.json"))
    scope = feature.tenant

    def one(tenant: dict[str, Any]) -> Reply:
        return Reply(200, {"tenant": tenant})

    def create(call: Call) -> Reply:
        return one(service.create(call.body, call.path.get("tenantId")))

    def retrieve_all(call: Call) -> Reply:
        return Reply(200, {"tenants": service.list(scope(call))})

    def retrieve(call: Call) -> Reply:
        return one(service.retrieve(call.path["tenantId"], scope(call)))

    def update(call: Call) -> Reply:
        return one(service.update(call.path["tenantId"], call.body, scope(call)))

    def patch(call: Call) -> Reply:
        assert call.content_type is not None
        return one(service.patch(call.path["tenantId"], call.content_type, call.body, scope(call)))

    def delete(call: Call) -> Reply:
        # ?async=true (or {"async": true}) would delete in the background; the mock deletes at once either way.
        service.delete(call.path["tenantId"], scope(call))
        return Reply(200)

    return {
        "createTenant": create,
        "createTenantWithId": create,
        "retrieveTenants": retrieve_all,
        "retrieveTenant": retrieve,
        "updateTenant": update,
        "patchTenant": patch,
        "deleteTenant": delete,
    }
