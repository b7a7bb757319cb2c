"""FusionAuth lambdas: the Lambda API, and running them during logins (lambda_runtime.py is the engine).

API: POST /api/lambda[/{lambdaId}], GET /api/lambda[?type=…], GET /api/lambda/{lambdaId}, GET and POST
/api/lambda/search, PUT/PATCH/DELETE /api/lambda/{lambdaId}. Lambdas are global (no tenant). A lambda
stored without a body (the fixtures' TwitchReconcile) has FusionAuth's default body for its type.

Invocations:
- Twitch Reconcile (identity provider `lambdaConfiguration.reconcileId`) on every Twitch login, once the
  user and the application's registration are known: `reconcile(user, registration, userInfo)`, userInfo
  being the claims Twitch's userinfo gives (sub, preferred_username, email, email_verified, and any extra
  claim in the mock identity's `data`). What it sets on user.data, names, birthDate, imageUrl,
  mobilePhone, preferredLanguages, timezone — and email/username on the login that creates the link — and
  on registration.roles/data/username/preferredLanguages/timezone is stored. A lambda that throws (or is
  stopped by its time or memory limit) fails the login with 512 [LambdaInvocationException], nothing of
  the login stored (as FusionAuth answered in FusionAuth/fusionauth-issues#2006).
- JWT Populate (application `lambdaConfiguration.accessTokenPopulateId`) on every access token:
  `populate(jwt, user, registration)`. Claims it adds, changes or sets to null (removed) go into the token,
  except the reserved amr, auth_time, cnf, gty, exp, iat, sub, tid, tty (exp may only be lowered). A
  populate lambda that throws leaves the token as it was and the login succeeds (FusionAuth's behaviour,
  fusionauth-issues#1933): only the Error event log tells.
Console output goes to the Event Log (event_logs.py): one entry per type and invocation, Debug entries
only when the lambda has `debug` on; the exception of a failed invocation is always an Error entry.
"""

from __future__ import annotations

import copy
import threading
import uuid
import weakref
from collections.abc import Callable
from typing import Any

from ..clock import now_ms
from ..openapi import SchemaCheck
from ..routing import Call, Handler, Reply
from ..store import Cached, Store, Tx, version_key
from . import event_logs, patching
from .collections import LAMBDAS
from .errors import Errors, FusionAuthError, from_issues, must_specify, not_found
from .event_logs import order
from .features import Feature
from .lambda_runtime import Result, Runtime, check_syntax

TYPES = (
    "JWTPopulate",
    "OpenIDReconcile",
    "SAMLv2Reconcile",
    "SAMLv2Populate",
    "AppleReconcile",
    "ExternalJWTReconcile",
    "FacebookReconcile",
    "GoogleReconcile",
    "HYPRReconcile",
    "TwitterReconcile",
    "LDAPConnectorReconcile",
    "LinkedInReconcile",
    "EpicGamesReconcile",
    "NintendoReconcile",
    "SonyPSNReconcile",
    "SteamReconcile",
    "TwitchReconcile",
    "XboxReconcile",
    "ClientCredentialsJWTPopulate",
    "SCIMServerGroupRequestConverter",
    "SCIMServerGroupResponseConverter",
    "SCIMServerUserRequestConverter",
    "SCIMServerUserResponseConverter",
    "SelfServiceRegistrationValidation",
    "UserInfoPopulate",
    "LoginValidation",
    "MFARequirement",
)
_READ_ONLY = ("id", "insertInstant", "lastUpdateInstant", "enabled")  # enabled: deprecated, unused, not kept
RESERVED_CLAIMS = ("amr", "auth_time", "cnf", "gty", "exp", "iat", "sub", "tid", "tty")
# What a reconcile lambda may change (email/username only on the login that links the user).
USER_FIELDS = (
    "data",
    "firstName",
    "middleName",
    "lastName",
    "fullName",
    "birthDate",
    "imageUrl",
    "mobilePhone",
    "preferredLanguages",
    "timezone",
)
LINK_FIELDS = ("email", "username")
REGISTRATION_FIELDS = ("data", "roles", "username", "preferredLanguages", "timezone")
FAILED = (
    "[LambdaInvocationException]",
    "A lambda threw an exception during execution. Consult the event log to determine the root cause.",
)
FAILED_STATUS = 512  # FusionAuth's answer to a login whose reconcile lambda threw (fusionauth-issues#2006)


def function_name(type_: str) -> str:
    """The function FusionAuth calls for a lambda type."""
    if type_.endswith("Reconcile"):
        return "reconcile"
    if type_.endswith("Populate"):
        return "populate"
    if type_.endswith("Converter"):
        return "convert"
    if type_ == "MFARequirement":
        return "checkRequired"
    return "validate"


_SIGNATURES = {
    "reconcile": "user, registration, userInfo",
    "populate": "jwt, user, registration",
    "convert": "user, options, scimUser",
    "checkRequired": "result, user, registration, context",
    "validate": "result, user, registration, context",
}


def default_body(type_: str) -> str:
    """What the FusionAuth admin UI fills a new lambda of the type with: an empty function."""
    name = function_name(type_)
    return f"// The {type_} lambda.\nfunction {name}({_SIGNATURES[name]}) {{\n  // Lambda code goes here\n}}\n"


def shaped(lambda_: dict[str, Any]) -> dict[str, Any]:
    """A stored lambda as the API returns it: FusionAuth's defaults filled in."""
    out = dict(lambda_)
    out.setdefault("body", default_body(out["type"]))
    out.setdefault("debug", False)
    out.setdefault("engineType", "GraalJS")
    out.setdefault("insertInstant", 0)
    out.setdefault("lastUpdateInstant", out["insertInstant"])
    return out


def _required(request: dict[str, Any]) -> dict[str, Any]:
    value = request.get("lambda")
    if not isinstance(value, dict):
        raise FusionAuthError(400, Errors().field("lambda", "[missing]lambda", must_specify("lambda")).body())
    return value


def _validate(tx: Tx, lambda_: dict[str, Any], errors: Errors) -> None:
    for name in ("body", "name"):
        if not str(lambda_.get(name) or "").strip():
            errors.field(f"lambda.{name}", f"[blank]lambda.{name}", must_specify(f"lambda.{name}"))
    if lambda_.get("type") is None:
        errors.field("lambda.type", "[missing]lambda.type", must_specify("lambda.type"))
    if str(lambda_.get("body") or "").strip():
        problem = check_syntax(lambda_["body"])
        if problem is not None:
            errors.field("lambda.body", "[invalid]lambda.body", f"The [lambda.body] is not valid JavaScript. {problem}")


def _pattern(value: str) -> str:
    return value.lower() if "*" in value else f"*{value.lower()}*"


class Lambdas:
    """The Lambda API on the store."""

    def __init__(self, store: Store, request_check: SchemaCheck) -> None:
        self.store = store
        self.request_check = request_check

    @staticmethod
    def _get(tx: Tx, lambda_id: str) -> dict[str, Any]:
        found = tx.get(LAMBDAS, lambda_id)
        if found is None:
            raise not_found()
        return found

    def retrieve(self, lambda_id: str) -> dict[str, Any]:
        return shaped(self._get(self.store.read(), lambda_id))

    def list(self, type_: str | None) -> list[dict[str, Any]]:
        found = [shaped(x) for x in self.store.read().all(LAMBDAS) if type_ is None or x["type"] == type_]
        return sorted(found, key=lambda x: x["name"].lower())

    def search(self, criteria: dict[str, Any]) -> dict[str, Any]:
        import fnmatch

        found = [shaped(x) for x in self.store.read().all(LAMBDAS)]
        for field in ("body", "name"):
            if criteria.get(field):
                pattern = _pattern(str(criteria[field]))
                found = [x for x in found if fnmatch.fnmatchcase(x[field].lower(), pattern)]
        if criteria.get("type"):
            found = [x for x in found if x["type"] == criteria["type"]]
        order_by = (criteria.get("orderBy") or "").strip() or None
        if order_by and order_by.split()[0] not in ("id", "insertInstant", "name", "engineType"):
            raise FusionAuthError(
                400,
                Errors().field("orderBy", "[invalid]orderBy", f"The [orderBy] value [{order_by}] is invalid.").body(),
            )
        found = order(found, order_by, "name ASC")
        first = int(criteria.get("startRow") or 0)
        count = criteria.get("numberOfResults")
        count = 25 if count in (None, "") else int(count)
        return {"lambdas": found[first : first + count], "total": len(found)}

    def create(self, request: dict[str, Any], url_id: str | None) -> dict[str, Any]:
        given = _required(request)
        with self.store.write() as tx:
            now = now_ms()
            lambda_ = {k: copy.deepcopy(v) for k, v in given.items() if k not in _READ_ONLY}
            lambda_.update(id=url_id or str(uuid.uuid4()), insertInstant=now, lastUpdateInstant=now)
            lambda_.setdefault("debug", False)
            lambda_.setdefault("engineType", "GraalJS")
            errors = Errors()
            if tx.get(LAMBDAS, lambda_["id"]) is not None:
                errors.field("lambdaId", "[duplicate]lambdaId", f"A Lambda with Id [{lambda_['id']}] already exists.")
            _validate(tx, lambda_, errors)
            errors.raise_if_any()
            tx.put(LAMBDAS, lambda_["id"], lambda_)
            return shaped(lambda_)

    def update(self, lambda_id: str, request: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as tx:
            return self._update(tx, lambda_id, _required(request))

    def patch(self, lambda_id: str, content_type: str, patch: Any) -> dict[str, Any]:
        with self.store.write() as tx:
            current = shaped(self._get(tx, lambda_id))
            if content_type != patching.JSON_PATCH and "lambda" not in patch:  # an empty patch: 400
                raise FusionAuthError(400, Errors().field("lambda", "[missing]lambda", must_specify("lambda")).body())
            patched = patching.apply(content_type, {"lambda": current}, patch)
            if not self.request_check.is_valid(patched):
                raise from_issues(self.request_check.issues(patched))
            return self._update(tx, lambda_id, _required(patched))

    def delete(self, lambda_id: str) -> None:
        with self.store.write() as tx:
            self._get(tx, lambda_id)
            tx.delete(LAMBDAS, lambda_id)

    def _update(self, tx: Tx, lambda_id: str, given: dict[str, Any]) -> dict[str, Any]:
        current = self._get(tx, lambda_id)
        lambda_ = {k: copy.deepcopy(v) for k, v in given.items() if k not in _READ_ONLY}
        lambda_["type"] = current["type"]  # "The lambda type may not be changed": the stored type stays
        lambda_.setdefault("debug", False)
        lambda_.setdefault("engineType", "GraalJS")
        lambda_.update(
            id=lambda_id,
            insertInstant=current.get("insertInstant", 0),
            lastUpdateInstant=max(now_ms(), current.get("lastUpdateInstant", 0) + 1),
        )
        errors = Errors()
        _validate(tx, lambda_, errors)
        errors.raise_if_any()
        tx.put(LAMBDAS, lambda_id, lambda_)
        return shaped(lambda_)


# -- running lambdas ---------------------------------------------------------------------------------------
def _for_lambda(document: dict[str, Any] | None) -> dict[str, Any] | None:
    """A user or registration as a lambda sees it: no private fields, no password hash, no nulls."""
    if document is None:
        return None
    # No copy: the runtime serialises the arguments at once and never changes them.
    return {k: v for k, v in document.items() if not k.startswith("_") and k != "password" and v is not None}


def user_info(identity: dict[str, Any]) -> dict[str, Any]:
    """The Twitch userinfo claims of a mock identity (the identity registry's record)."""
    claims: dict[str, Any] = {"sub": identity["id"]}
    if identity.get("username"):
        claims["preferred_username"] = identity["username"]
    for name in ("email", "email_verified"):
        if name in identity:
            claims[name] = identity[name]
    claims.update(copy.deepcopy(identity.get("data") or {}))  # the identity's extra claims (its `data`)
    return claims


def _same_type(old: Any, new: Any, kind: type | tuple[type, ...]) -> bool:
    return new is None or isinstance(new, kind)


_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "data": dict,
    "preferredLanguages": list,
    "roles": list,
}


class Invoker:
    """Runs the lambdas a login configures; one per store (see `invoker`)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.runtime = Runtime()
        # The lambdas by id, reloaded by each process after a change (LAMBDAS is a watched collection).
        self._lambdas = Cached(store, version_key(LAMBDAS), self._load, {})
        self._local = threading.local()

    def _load(self) -> dict[str, dict[str, Any]]:
        return {x["id"]: shaped(x) for x in self.store.read().all(LAMBDAS)}

    # -- event logs -------------------------------------------------------------------------------
    def _pending(self) -> list[tuple[str, str]]:
        pending: list[tuple[str, str]] | None = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = []
        return pending

    def _log(self, lambda_: dict[str, Any], result: Result) -> None:
        """Queue the invocation's event logs: one per type, Debug only with debug on, the failure as Error."""
        by_type: dict[str, list[str]] = {}
        for kind, message in result.lines:
            if kind == "Debug" and not lambda_.get("debug"):
                continue
            by_type.setdefault(kind, []).append(message)
        if result.error is not None:
            by_type.setdefault("Error", []).append(f"Exception: {result.error.strip()}")
        head = f"Lambda [{lambda_.get('name')}] with Id [{lambda_['id']}] of type [{lambda_['type']}]"
        for kind in event_logs.TYPES:
            if kind in by_type:
                self._pending().append((kind, "\n".join([head, *by_type[kind]])))

    def flush(self) -> None:
        """Write the queued event logs (outside any write transaction: a failed login's are kept too)."""
        pending = self._pending()
        if pending and not self.store.in_transaction():
            entries = list(pending)
            pending.clear()
            event_logs.write(self.store, entries)

    # -- Twitch Reconcile -------------------------------------------------------------------------
    def reconcile(
        self,
        tx: Tx,
        provider: dict[str, Any],
        user: dict[str, Any],
        registration: dict[str, Any] | None,
        identity: dict[str, Any],
        linking: bool,
    ) -> bool:
        """Run the provider's reconcile lambda on `user`/`registration` (changed in place); whether it ran.
        Raises FusionAuth's 512 when the lambda fails; the caller's transaction then rolls back."""
        lambda_id = (provider.get("lambdaConfiguration") or {}).get("reconcileId")
        if not lambda_id or provider.get("linkingStrategy") == "LinkAnonymously":
            return False  # FusionAuth runs no lambda for an anonymous link
        found = tx.get(LAMBDAS, lambda_id)
        if found is None:
            return False
        lambda_ = shaped(found)
        result = self.runtime.invoke(
            lambda_, "reconcile", [_for_lambda(user), _for_lambda(registration), user_info(identity)]
        )
        if result.error is None:
            new_user, new_registration = result.arguments[0], result.arguments[1]
            problem = self._apply(user, new_user, USER_FIELDS + (LINK_FIELDS if linking else ()))
            if problem is None and registration is not None and isinstance(new_registration, dict):
                problem = self._apply(registration, new_registration, REGISTRATION_FIELDS)
            if problem is not None:
                result.error = problem
        self._log(lambda_, result)
        if result.error is not None:
            raise FusionAuthError(FAILED_STATUS, Errors().general(*FAILED).body())
        return True

    @staticmethod
    def _apply(target: dict[str, Any], changed: Any, fields: tuple[str, ...]) -> str | None:
        """Copy the allowed fields the lambda changed; a problem's text when one has the wrong type."""
        if not isinstance(changed, dict):
            return "TypeError: the lambda replaced an argument object"
        updates: dict[str, Any] = {}
        for name in fields:
            old, new = target.get(name), changed.get(name)
            if new == old:
                continue
            kind = _FIELD_TYPES.get(name, str)
            if not _same_type(old, new, kind) or (name == "roles" and not all(isinstance(r, str) for r in new)):
                return f"TypeError: the lambda set [{name}] to a value of the wrong type"
            updates[name] = new
        for name, value in updates.items():
            if value is None:
                target.pop(name, None)
            else:
                target[name] = value
        return None

    # -- JWT Populate -----------------------------------------------------------------------------
    def populate_hook(
        self, application: dict[str, Any], user: dict[str, Any], registration: dict[str, Any] | None
    ) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
        """What Tokens.prepare attaches to an access token: runs the application's populate lambda when the
        token is signed (after the login's transaction, so that the lambda never holds the write lock)."""
        lambda_id = (application.get("lambdaConfiguration") or {}).get("accessTokenPopulateId")
        if not lambda_id:
            return None
        user_view, registration_view = _for_lambda(user), _for_lambda(registration)

        def populate(claims: dict[str, Any]) -> dict[str, Any]:
            lambda_ = self._lambdas.get().get(lambda_id)
            if lambda_ is None:
                return claims
            result = self.runtime.invoke(lambda_, "populate", [claims, user_view, registration_view])
            out = claims
            if result.error is None and isinstance(result.arguments[0], dict):
                out = _populated(claims, result.arguments[0])
            if result.lines or result.error is not None:
                self._log(lambda_, result)
                self.flush()
            return out

        return populate


def _populated(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The claims after a populate lambda: null removes a claim; reserved claims keep their value."""
    claims = {k: v for k, v in after.items() if v is not None}
    for name in RESERVED_CLAIMS:
        if name in before:
            claims[name] = before[name]
        else:
            claims.pop(name, None)
    exp = after.get("exp")
    if isinstance(exp, int) and not isinstance(exp, bool) and "exp" in before and exp < before["exp"]:
        claims["exp"] = exp  # a lambda may shorten the token's life, never lengthen it
    return claims


_INVOKERS: weakref.WeakKeyDictionary[Store, Invoker] = weakref.WeakKeyDictionary()
_INVOKERS_LOCK = threading.Lock()


def invoker(store: Store) -> Invoker:
    """The store's Invoker (one per store and process: it holds the compiled lambdas)."""
    with _INVOKERS_LOCK:
        found = _INVOKERS.get(store)
        if found is None:
            found = _INVOKERS[store] = Invoker(store)
        return found


# -- HTTP ----------------------------------------------------------------------------------------------
def handlers(feature: Feature) -> dict[str, Handler]:
    service = Lambdas(feature.store, feature.schema("fusionauth/Lambda.json#/$defs/Request"))

    def one(lambda_: dict[str, Any]) -> Reply:
        return Reply(200, {"lambda": lambda_})

    def create(call: Call) -> Reply:
        return one(service.create(call.body, call.path.get("lambdaId")))

    def retrieve_all(call: Call) -> Reply:
        return Reply(200, {"lambdas": service.list(call.query.get("type"))})

    def retrieve(call: Call) -> Reply:
        return one(service.retrieve(call.path["lambdaId"]))

    def search_get(call: Call) -> Reply:
        return Reply(200, service.search(dict(call.query)))

    def search_post(call: Call) -> Reply:
        return Reply(200, service.search(call.body.get("search") or {}))

    def update(call: Call) -> Reply:
        return one(service.update(call.path["lambdaId"], call.body))

    def patch(call: Call) -> Reply:
        assert call.content_type is not None
        return one(service.patch(call.path["lambdaId"], call.content_type, call.body))

    def delete(call: Call) -> Reply:
        service.delete(call.path["lambdaId"])
        return Reply(200)

    return {
        "createLambda": create,
        "createLambdaWithId": create,
        "retrieveLambdas": retrieve_all,
        "retrieveLambda": retrieve,
        "searchLambdas": search_post,
        "searchLambdasWithGet": search_get,
        "updateLambda": update,
        "patchLambda": patch,
        "deleteLambda": delete,
    }
