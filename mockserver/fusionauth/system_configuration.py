"""The System Configuration API: one document, FusionAuth's defaults until it is changed."""

from __future__ import annotations

import copy
from typing import Any

from ..clock import now_ms
from ..openapi import SchemaCheck
from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from . import patching
from .applications import fill, named_in_patch
from .collections import SYSTEM_CONFIGURATION
from .errors import Errors, FusionAuthError, from_issues, must_specify
from .features import Feature

DOCUMENT_ID = "system"
# A fresh FusionAuth's system configuration (its cookie encryption key is never returned by the API).
DEFAULTS: dict[str, Any] = {
    "auditLogConfiguration": {"delete": {"enabled": False, "numberOfDaysToRetain": 365}},
    "corsConfiguration": {
        "allowCredentials": False,
        "allowedHeaders": [],
        "allowedMethods": [],
        "allowedOrigins": [],
        "debug": False,
        "enabled": False,
        "exposedHeaders": [],
        "preflightMaxAgeInSeconds": 0,
    },
    "data": {},
    "eventLogConfiguration": {"numberToRetain": 10000},
    "loginRecordConfiguration": {"delete": {"enabled": False, "numberOfDaysToRetain": 365}},
    "reportTimezone": "America/Denver",
    "trustedProxyConfiguration": {"trustPolicy": "All", "trusted": []},
    "uiConfiguration": {},
    "usageDataConfiguration": {"enabled": True},
    "webhookEventLogConfiguration": {"delete": {"enabled": False, "numberOfDaysToRetain": 30}},
}


def current(tx: Tx) -> dict[str, Any]:
    """The system configuration in force (FusionAuth's defaults where nothing was stored)."""
    stored = tx.get(SYSTEM_CONFIGURATION, DOCUMENT_ID) or {}
    configuration = fill(copy.deepcopy(stored), DEFAULTS)
    configuration.setdefault("insertInstant", 0)
    configuration.setdefault("lastUpdateInstant", configuration["insertInstant"])
    return configuration


def _required(request: dict[str, Any]) -> dict[str, Any]:
    value = request.get("systemConfiguration")
    if not isinstance(value, dict):
        raise FusionAuthError(
            400,
            Errors()
            .field("systemConfiguration", "[missing]systemConfiguration", must_specify("systemConfiguration"))
            .body(),
        )
    return value


class SystemConfiguration:
    def __init__(self, store: Store, request_check: SchemaCheck) -> None:
        self.store = store
        self.request_check = request_check

    def retrieve(self) -> dict[str, Any]:
        return current(self.store.read())

    def update(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as tx:
            return self._replace(tx, _required(request))

    def patch(self, content_type: str, patch: Any) -> dict[str, Any]:
        with self.store.write() as tx:
            named_in_patch(content_type, patch, "systemConfiguration")
            patched = patching.apply(content_type, {"systemConfiguration": current(tx)}, patch)
            if not self.request_check.is_valid(patched):
                raise from_issues(self.request_check.issues(patched))
            return self._replace(tx, _required(patched))

    @staticmethod
    def _replace(tx: Tx, given: dict[str, Any]) -> dict[str, Any]:
        before = current(tx)
        configuration = fill({k: copy.deepcopy(v) for k, v in given.items()}, DEFAULTS)
        configuration["insertInstant"] = before["insertInstant"]
        configuration["lastUpdateInstant"] = max(now_ms(), before["lastUpdateInstant"])
        tx.put(SYSTEM_CONFIGURATION, DOCUMENT_ID, configuration)
        return configuration


def handlers(feature: Feature) -> dict[str, Handler]:
    service = SystemConfiguration(feature.store, feature.schema("fusionauth/SystemConfigurationRequest.json"))

    def one(configuration: dict[str, Any]) -> Reply:
        return Reply(200, {"systemConfiguration": configuration})

    def retrieve(call: Call) -> Reply:
        return one(service.retrieve())

    def update(call: Call) -> Reply:
        return one(service.update(call.body))

    def patch(call: Call) -> Reply:
        assert call.content_type is not None
        return one(service.patch(call.content_type, call.body))

    return {
        "retrieveSystemConfiguration": retrieve,
        "updateSystemConfiguration": update,
        "patchSystemConfiguration": patch,
    }
