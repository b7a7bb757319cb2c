"""FusionAuth over HTTP: authentication, tenant scoping, error rendering and thin handlers."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..identities import Identities
from ..openapi import Issue, Operation, Specs
from ..routing import NO_BODY, Call, Handler, Reply, Router
from ..store import Cached, Store, version_key
from . import api_keys as api_keys_api
from . import applications as applications_api
from . import completion, errors, forcing
from . import event_logs as event_logs_api
from . import keys as keys_api
from . import lambdas as lambdas_api
from . import logout as logout_api
from . import password_login as password_login_api
from . import status as status_api
from . import system_configuration as system_configuration_api
from . import tenants as tenants_api
from . import themes as themes_api
from . import two_factor as two_factor_api
from .collections import API_KEYS, TENANTS
from .errors import FusionAuthError
from .features import Feature
from .identity_providers import FIXED_IDS, IdentityProviders, missing_id_error
from .links import Links
from .login import Login, Outcome, action_user
from .oauth import endpoints as oauth_api
from .tokens import Tokens, refresh
from .users import LOGIN_ID_TYPES, Users
from .web import pages as hosted_pages_api

TENANT_HEADER = "X-FusionAuth-TenantId"
# Feature modules (see features.py), in the order of their files in fusionauth.openapi.yaml.
FEATURES = (
    status_api,
    keys_api,
    applications_api,
    tenants_api,
    themes_api,
    system_configuration_api,
    api_keys_api,
    password_login_api,
    logout_api,
    two_factor_api,
    lambdas_api,
    event_logs_api,
    oauth_api,
    hosted_pages_api,
)


def _reply(error: FusionAuthError) -> Reply:
    return Reply(error.status, NO_BODY if error.body is None else error.body)


class FusionAuthVendor:
    """What the shared request pipeline needs to answer the way FusionAuth does."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._api_keys = Cached(store, version_key(API_KEYS), self._load_api_keys, {})

    def _load_api_keys(self) -> dict[str, dict[str, Any]]:
        keys: dict[str, dict[str, Any]] = {}
        for key in self.store.read().all(API_KEYS):  # ordered by id: the first of duplicates wins
            if isinstance(key.get("key"), str):
                keys.setdefault(key["key"], key)
        return keys

    def has_valid_key(self, call: Call) -> bool:
        """Whether the request carries a known API key (for anonymous operations that answer more to one)."""
        value = call.headers.get("Authorization", "")
        return bool(value) and value in self._api_keys.get()

    def api_key(self, call: Call) -> dict[str, Any] | None:
        """The known API key the request carries (for operations whose key is optional, as the Login API's)."""
        value = call.headers.get("Authorization", "")
        return self._api_keys.get().get(value) if value else None

    def authenticate(self, call: Call) -> None:
        key_tenant: str | None = None
        if not call.operation.anonymous:
            # The API key is the bare header value (no "Bearer"); missing or unknown → 401, empty body.
            value = call.headers.get("Authorization", "")
            key = self._api_keys.get().get(value) if value else None
            # An expired key, or one whose permissions.endpoints leave out this endpoint and method → 401.
            if key is None or not api_keys_api.permits(key, call.operation):
                raise FusionAuthError(401)
            key_tenant = key.get("tenantId")
            call.context["api_key"] = key
        # Only where the operation declares the header (the JWKS, JWT and OpenID endpoints do not).
        header = call.headers.get(TENANT_HEADER) if TENANT_HEADER in call.operation.parameter_names else None
        if header is not None:
            header = header.strip()
            if self.store.read().get(TENANTS, header) is None:
                raise errors.invalid_tenant(header)
            if key_tenant is not None and key_tenant != header:
                raise FusionAuthError(401)  # a tenant-locked key used for another tenant
        call.context["tenant_id"] = header or key_tenant

    def empty_body(self, operation: Operation) -> Any:
        return {}  # FusionAuth then reports the missing top-level object, e.g. [missing]identityProvider

    def malformed_json(self, detail: str) -> Reply:
        return _reply(errors.malformed_json(detail))

    def invalid_content_type(self, value: str | None, allowed: list[str]) -> Reply:
        return _reply(errors.invalid_content_type(value, allowed))

    def invalid_parameter(self, operation: Operation, location: str, name: str, value: str | None) -> Reply:
        if name == TENANT_HEADER:
            return _reply(errors.invalid_tenant(value or ""))
        if name == "type" and value is None:
            return _reply(missing_id_error())
        return _reply(errors.parameter_error(name, value or ""))

    def invalid_body(self, operation: Operation, issues: list[Issue]) -> Reply:
        return _reply(errors.from_issues(issues))

    def translate(self, error: Exception) -> Reply | None:
        return _reply(error) if isinstance(error, FusionAuthError) else None

    def mock_error(self, status: int, message: str) -> Reply:
        return Reply(status, errors.Errors().general("[mockserver]", message).body())

    def forced(self, call: Call, status: int, handler: Handler) -> Reply:
        return forcing.forced(self, call, status, handler)


def register(app: Flask, specs: Specs, store: Store) -> None:
    providers = IdentityProviders(store, specs.schema("fusionauth/IdentityProviderRequest.json"))

    def tenant(call: Call) -> str | None:
        return call.context.get("tenant_id")

    def one(provider: dict[str, Any]) -> Reply:
        return Reply(200, {"identityProvider": provider})

    def create(call: Call) -> Reply:
        return one(providers.create(call.body, call.path.get("identityProviderId"), tenant(call)))

    def retrieve_all(call: Call) -> Reply:
        return Reply(200, {"identityProviders": providers.list(tenant(call), call.query.get("type"))})

    def retrieve(call: Call) -> Reply:
        return one(providers.retrieve(call.path["identityProviderId"], tenant(call)))

    def update(call: Call) -> Reply:
        return one(providers.update(call.path["identityProviderId"], call.body, tenant(call)))

    def update_by_type(call: Call) -> Reply:
        return one(providers.update(FIXED_IDS[call.query["type"]], call.body, tenant(call)))

    def patch(call: Call) -> Reply:
        assert call.content_type is not None
        return one(providers.patch(call.path["identityProviderId"], call.content_type, call.body, tenant(call)))

    def delete(call: Call) -> Reply:
        providers.delete(call.path["identityProviderId"], tenant(call))
        return Reply(200)

    def delete_by_type(call: Call) -> Reply:
        providers.delete(FIXED_IDS[call.query["type"]], tenant(call))
        return Reply(200)

    users = Users(store, specs.schema("fusionauth/UserRequest.json"))
    tokens = Tokens(store)
    links = Links(store)
    login_service = Login(store, Identities(store), users, tokens)

    def login(call: Call, force: int | None = None) -> Reply:
        outcome = login_service.login(call.body, tenant(call), call.headers.get("X-Forwarded-For"), force)
        return Reply(outcome.status, NO_BODY if outcome.body is None else outcome.body, cookies=outcome.cookies)

    for status in (202, 203, 212, 213, 232, 242):
        forcing.BUILDERS[("identityProviderLogin", status)] = lambda call, s=status: login(call, force=s)
    forcing.BUILDERS[("identityProviderLogin", 204)] = lambda call: Reply(204)  # "login pending": empty
    forcing.BUILDERS[("identityProviderLogin", 409)] = lambda call: Reply(409, forcing.prevent_login_body(store))

    def user_reply(user: dict[str, Any]) -> Reply:
        return Reply(200, {"user": user})

    def create_user(call: Call) -> Reply:
        return user_reply(users.create(call.body, call.path.get("userId"), tenant(call)))

    def retrieve_user(call: Call) -> Reply:
        return user_reply(users.retrieve(call.path["userId"], tenant(call)))

    def retrieve_user_by(call: Call) -> Reply:
        # loginIdTypes is repeated (…&loginIdTypes=email&loginIdTypes=username): the router sees one value only.
        types = call.request.args.getlist("loginIdTypes") if call.request is not None else []
        for value in types:
            if value not in LOGIN_ID_TYPES:
                raise errors.parameter_error("loginIdTypes", value)
        return user_reply(users.retrieve_by(call.query, types, tenant(call)))

    def update_user(call: Call) -> Reply:
        return user_reply(users.update(call.path["userId"], call.body, tenant(call)))

    def patch_user(call: Call) -> Reply:
        assert call.content_type is not None
        return user_reply(users.patch(call.path["userId"], call.content_type, call.body, tenant(call)))

    def delete_user(call: Call) -> Reply:
        # The official clients' delete_user_with_request sends hardDelete in a JSON body instead of the query.
        hard = call.query.get("hardDelete", "").lower() == "true" or call.body.get("hardDelete") is True
        users.delete(call.path["userId"], hard, tenant(call))
        return Reply(200)

    def register_user(call: Call) -> Reply:
        return Reply(200, users.register(call.body, call.path.get("userId"), tenant(call)))

    def action(call: Call) -> Reply:
        return Reply(200, action_user(store, call.body))

    def create_link(call: Call) -> Reply:
        return Reply(200, {"identityProviderLink": links.create(call.body)})

    def retrieve_links(call: Call) -> Reply:
        q = call.query
        return Reply(200, links.retrieve(q.get("identityProviderId"), q.get("identityProviderUserId"), q.get("userId")))

    def pending_link(call: Call) -> Reply:
        return Reply(200, links.pending(call.path["pendingLinkId"], call.query.get("userId")))

    def delete_link(call: Call) -> Reply:
        q = call.query
        return Reply(200, links.delete(q["identityProviderId"], q["identityProviderUserId"], q["userId"]))

    def validate_jwt(call: Call) -> Reply:
        header = call.headers.get("Authorization", "")
        claims = tokens.validate(header[7:].strip()) if header.lower().startswith("bearer ") else None
        if claims is None:
            raise FusionAuthError(401)
        return Reply(200, {"jwt": claims})

    def refresh_jwt(call: Call) -> Reply:
        cookie = call.request.cookies.get("refresh_token") if call.request is not None else None
        refresh_token = call.body.get("refreshToken") or cookie
        if not refresh_token:
            raise errors.bad_request(
                "[missing]refreshToken", "You must specify the [refreshToken] property.", field="refreshToken"
            )
        return Reply(200, refresh(store, tokens, refresh_token, call.body.get("timeToLiveInSeconds")))

    def jwks(call: Call) -> Reply:
        return Reply(200, tokens.jwks())

    def outcome_reply(outcome: Outcome) -> Reply:
        return Reply(outcome.status, NO_BODY if outcome.body is None else outcome.body, cookies=outcome.cookies)

    def two_factor(call: Call) -> Reply:
        return outcome_reply(completion.two_factor_login(store, login_service, call.body))

    def send_two_factor(call: Call) -> Reply:
        completion.send_two_factor_code(store, call.path["twoFactorId"], call.body)
        return Reply(200)

    def change_password(call: Call) -> Reply:
        return Reply(200, completion.change_password(store, call.path["changePasswordId"], call.body))

    def verify_email(call: Call) -> Reply:
        completion.verify_email(store, call.body)
        return Reply(200)

    def resend_verification(call: Call) -> Reply:
        return Reply(200, completion.resend_email_verification(store, call.query["email"], tenant(call)))

    def verify_registration(call: Call) -> Reply:
        completion.verify_registration(store, call.body)
        return Reply(200)

    vendor = FusionAuthVendor(store)
    feature = Feature(store, specs, vendor, login_service.identities, users, tokens, links, login_service)
    # Features with their own module and OpenAPI file; each adds its operations' handlers.
    features: dict[str, Handler] = {}
    for module in FEATURES:
        features.update(module.handlers(feature))

    Router(specs.fusionauth, vendor).register(
        app,
        {
            **features,
            "twoFactorLogin": two_factor,
            "sendTwoFactorCodeForLogin": send_two_factor,
            "changePassword": change_password,
            "verifyEmail": verify_email,
            "resendEmailVerification": resend_verification,
            "verifyRegistration": verify_registration,
            "identityProviderLogin": login,
            "createUser": create_user,
            "createUserWithId": create_user,
            "retrieveUser": retrieve_user,
            "retrieveUserBy": retrieve_user_by,
            "updateUser": update_user,
            "patchUser": patch_user,
            "deleteUser": delete_user,
            "registerUserAndRegistration": register_user,
            "register": register_user,
            "actionUser": action,
            "createUserLink": create_link,
            "retrieveUserLinks": retrieve_links,
            "retrievePendingLink": pending_link,
            "deleteUserLink": delete_link,
            "validateJwt": validate_jwt,
            "exchangeRefreshTokenForJwt": refresh_jwt,
            "retrieveJsonWebKeySet": jwks,
            "createIdentityProvider": create,
            "createIdentityProviderWithId": create,
            "retrieveIdentityProviders": retrieve_all,
            "retrieveIdentityProvider": retrieve,
            "updateIdentityProvider": update,
            "updateIdentityProviderByType": update_by_type,
            "patchIdentityProvider": patch,
            "deleteIdentityProvider": delete,
            "deleteIdentityProviderByType": delete_by_type,
        },
    )
