"""GET /api/status: FusionAuth's health check (anonymous; an API key gets the version too)."""

from __future__ import annotations

from ..routing import Call, Handler, Reply
from .features import Feature

VERSION = "1.69.0"  # the FusionAuth release whose API mockserver plays


def handlers(feature: Feature) -> dict[str, Handler]:
    def status(call: Call) -> Reply:
        body = {"status": "ok"}
        if feature.vendor.has_valid_key(call):
            body["version"] = VERSION
        return Reply(200, body)

    return {"retrieveStatus": status}
