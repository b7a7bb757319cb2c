"""FusionAuth's API Key API, and the rules an API key is held to on every request.

Only a key manager (`keyManager: true`) may call the API Key API; it cannot make another key manager (that is
the admin UI's and Kickstart's privilege), nor a key with more authority than its own; it reads, changes and
deletes only keys of equal or lesser authority, and a tenant-locked manager only keys of its tenant.

A key's `permissions.endpoints` ({endpoint: [methods]}, empty = every endpoint) is matched against the
endpoint FusionAuth routes the request to: the operation's path up to its first path parameter
(`/api/user/{userId}` → `/api/user`, `/api/user/registration/{userId}` → `/api/user/registration`).

Stored keys are the API's objects (+ the secret value, `key`). The fixtures' older shape (`description`
at the top, no `keyManager`) still works: such a key is a key manager, like the first Kickstart key, and its
description is answered as `metaData.attributes.description`.
"""

from __future__ import annotations

import copy
import secrets
import uuid
from typing import Any

from ..clock import now_ms
from ..openapi import Operation
from ..routing import Call, Handler, Reply
from ..store import Tx
from . import patching
from .collections import API_KEYS, TENANTS
from .errors import Errors, FusionAuthError, from_issues, must_specify
from .features import Feature


def endpoint_of(operation: Operation) -> str:
    return operation.path.split("/{", 1)[0]


def is_key_manager(key: dict[str, Any]) -> bool:
    # Keys of the fixtures' older shape have no keyManager: they are the installation's managing key.
    return bool(key.get("keyManager", True))


def endpoints_of(key: dict[str, Any]) -> dict[str, list[str]]:
    return (key.get("permissions") or {}).get("endpoints") or {}


def permits(key: dict[str, Any], operation: Operation) -> bool:
    """Whether the key may call this operation now: not expired, and its endpoints (if any) allow it."""
    expiration = key.get("expirationInstant")
    if isinstance(expiration, int) and expiration <= now_ms():
        return False
    endpoints = endpoints_of(key)
    if not endpoints:
        return True  # no endpoint listed: a super key
    methods = endpoints.get(endpoint_of(operation))
    return methods is not None and operation.method.upper() in {m.upper() for m in methods}


def covers(caller: dict[str, Any], endpoints: dict[str, list[str]]) -> bool:
    """Whether the caller's authority is equal to or greater than these endpoint permissions."""
    mine = endpoints_of(caller)
    if not mine:
        return True
    if not endpoints:
        return False  # a super key is more than any limited key
    return all(
        {m.upper() for m in methods} <= {m.upper() for m in mine.get(path, [])} for path, methods in endpoints.items()
    )


def view(key: dict[str, Any], with_value: bool = False) -> dict[str, Any]:
    """The key as the API answers it; the value only while retrievable (and once, on creation)."""
    out: dict[str, Any] = {"id": key["id"]}
    for field in ("expirationInstant", "insertInstant", "ipAccessControlListId", "lastUpdateInstant", "name"):
        if key.get(field) is not None:
            out[field] = key[field]
    retrievable = key.get("retrievable", True)
    if retrievable or with_value:
        out["key"] = key["key"]
    out["keyManager"] = is_key_manager(key)
    meta = copy.deepcopy(key.get("metaData")) or {}
    if "description" in key:  # the fixtures' older shape
        meta.setdefault("attributes", {})["description"] = key["description"]
    if meta:
        out["metaData"] = meta
    out["permissions"] = {"endpoints": copy.deepcopy(endpoints_of(key))}
    out["retrievable"] = retrievable
    if key.get("tenantId"):
        out["tenantId"] = key["tenantId"]
    return out


def _bad(path: str, rule: str, message: str) -> FusionAuthError:
    return FusionAuthError(400, Errors().field(path, f"[{rule}]{path}", message).body())


def _check(tx: Tx, key: dict[str, Any], errors: Errors) -> None:
    """The rules of a key about to be stored (new or updated)."""
    if not key.get("retrievable", True) and not (key.get("name") or "").strip():
        errors.field("apiKey.name", "[blank]apiKey.name", must_specify("apiKey.name"))
    if not key["key"].strip():
        errors.field("apiKey.key", "[blank]apiKey.key", must_specify("apiKey.key"))
    tenant_id = key.get("tenantId")
    if tenant_id is not None and tx.get(TENANTS, tenant_id) is None:
        errors.field("apiKey.tenantId", "[invalid]apiKey.tenantId", f"The tenant Id [{tenant_id}] is invalid.")
    for other in tx.all(API_KEYS):
        if other["id"] == key["id"]:
            continue
        if other.get("key") == key["key"]:
            errors.field("apiKey.key", "[duplicate]apiKey.key", "An API key with that value already exists.")
        if key.get("name") and other.get("name") == key["name"]:
            errors.field(
                "apiKey.name", "[duplicate]apiKey.name", f"An API key with name [{key['name']}] already exists."
            )
    errors.raise_if_any()


def _fields(request: dict[str, Any]) -> dict[str, Any]:
    """The writable fields of an apiKey request object."""
    out: dict[str, Any] = {}
    for field in ("expirationInstant", "ipAccessControlListId", "metaData", "name"):
        if request.get(field) is not None:
            out[field] = copy.deepcopy(request[field])
    out["permissions"] = {"endpoints": copy.deepcopy(endpoints_of(request))}
    return out


def create(
    tx: Tx,
    body: dict[str, Any],
    key_id: str | None,
    caller: dict[str, Any] | None,
    key_manager: bool = False,
) -> dict[str, Any]:
    """A new API key. `caller` None (Kickstart) skips the authority rules and may make a key manager."""
    request = body.get("apiKey") or {}
    source_id = body.get("sourceKeyId")
    if source_id is not None:
        source = tx.get(API_KEYS, source_id.lower())
        if source is None or is_key_manager(source):
            raise _bad("sourceKeyId", "invalid", f"The source API key Id [{source_id}] is invalid.")
        # A copy has the source's authority; only its name comes from the request.
        request = {**{k: v for k, v in source.items() if k in ("permissions", "tenantId", "retrievable")}, **request}
    elif "apiKey" not in body:
        raise _bad("apiKey", "missing", must_specify("apiKey"))
    key_id = (key_id or str(uuid.uuid4())).lower()
    if tx.get(API_KEYS, key_id) is not None:
        raise _bad("apiKeyId", "duplicate", f"An API key with Id [{key_id}] already exists.")
    now = now_ms()
    key: dict[str, Any] = {
        "id": key_id,
        # FusionAuth's generated values are long random URL-safe strings.
        "key": request.get("key") if request.get("key") is not None else secrets.token_urlsafe(48),
        "keyManager": key_manager,
        "retrievable": request.get("retrievable", True),
        **_fields(request),
        "insertInstant": now,
        "lastUpdateInstant": now,
    }
    tenant_id = request.get("tenantId")
    if caller is not None and caller.get("tenantId"):
        if tenant_id is not None and tenant_id.lower() != caller["tenantId"]:
            raise _bad("apiKey.tenantId", "invalid", "A tenant-scoped API key can only create keys for its own tenant.")
        tenant_id = caller["tenantId"]
    if tenant_id is not None:
        key["tenantId"] = tenant_id.lower()
    if caller is not None and not covers(caller, endpoints_of(key)):
        raise FusionAuthError(401)  # an API key can only create keys of equal or lesser authority
    _check(tx, key, Errors())
    tx.put(API_KEYS, key_id, key)
    return key


def _visible(tx: Tx, key_id: str, caller: dict[str, Any]) -> dict[str, Any]:
    """The key, if the caller may manage it: another tenant's key is invisible (404) to a tenant-locked caller,
    a key of greater authority is refused (401)."""
    key = tx.get(API_KEYS, key_id.lower())
    if key is None or (caller.get("tenantId") and key.get("tenantId") != caller["tenantId"]):
        raise FusionAuthError(404)
    if not covers(caller, endpoints_of(key)) or (is_key_manager(key) and endpoints_of(caller)):
        raise FusionAuthError(401)
    return key


def update(tx: Tx, key_id: str, body: dict[str, Any], caller: dict[str, Any]) -> dict[str, Any]:
    current = _visible(tx, key_id, caller)
    request = body.get("apiKey")
    if request is None:
        raise _bad("apiKey", "missing", must_specify("apiKey"))
    key = {
        "id": current["id"],
        "key": current["key"],
        # read-only once created; a key of the fixtures' older shape keeps being a key manager
        "keyManager": is_key_manager(current),
        **({"tenantId": current["tenantId"]} if current.get("tenantId") else {}),
        "retrievable": current.get("retrievable", True),
        **_fields(request),  # a PUT replaces: an omitted expirationInstant is cleared
        "insertInstant": current.get("insertInstant", now_ms()),
        "lastUpdateInstant": now_ms(),
    }
    if not covers(caller, endpoints_of(key)):
        raise FusionAuthError(401)
    _check(tx, key, Errors())
    tx.put(API_KEYS, key["id"], key)
    return key


def delete(tx: Tx, key_id: str, caller: dict[str, Any]) -> None:
    key = _visible(tx, key_id, caller)
    if key["id"] == caller["id"]:
        # "Deletion is possible only with another API key" (FusionAuth's documentation).
        raise _bad("apiKeyId", "invalid", "An API key cannot delete itself; use another API key.")
    tx.delete(API_KEYS, key["id"])


def handlers(feature: Feature) -> dict[str, Handler]:
    store = feature.store
    request_schema = feature.schema("fusionauth/ApiKeyRequest.json")

    def manager(call: Call) -> dict[str, Any]:
        caller = call.context.get("api_key")
        if caller is None or not is_key_manager(caller):
            raise FusionAuthError(401)  # FusionAuth: a non-manager key always gets 401 here
        return caller

    def create_key(call: Call) -> Reply:
        caller = manager(call)
        with store.write() as tx:
            key = create(tx, call.body, call.path.get("keyId"), caller)
        return Reply(200, {"apiKey": view(key, with_value=True)})

    def retrieve(call: Call) -> Reply:
        caller = manager(call)
        return Reply(200, {"apiKey": view(_visible(store.read(), call.path["keyId"], caller))})

    def update_key(call: Call) -> Reply:
        caller = manager(call)
        with store.write() as tx:
            key = update(tx, call.path["keyId"], call.body, caller)
        return Reply(200, {"apiKey": view(key)})

    def patch_key(call: Call) -> Reply:
        caller = manager(call)
        assert call.content_type is not None
        with store.write() as tx:
            current = _visible(tx, call.path["keyId"], caller)
            merged = patching.apply(call.content_type, {"apiKey": view(current, with_value=True)}, call.body)
            issues = request_schema.issues(merged)
            if issues:
                raise from_issues(issues)
            key = update(tx, call.path["keyId"], merged, caller)
        return Reply(200, {"apiKey": view(key)})

    def delete_key(call: Call) -> Reply:
        caller = manager(call)
        with store.write() as tx:
            delete(tx, call.path["keyId"], caller)
        return Reply(200)

    return {
        "createAPIKey": create_key,
        "createAPIKeyWithId": create_key,
        "retrieveAPIKey": retrieve,
        "updateAPIKey": update_key,
        "patchAPIKey": patch_key,
        "deleteAPIKey": delete_key,
    }
