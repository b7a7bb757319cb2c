"""POST /api/logout: revoke a refresh token (global: all of its owner's) and delete the token cookies.

Anonymous and always 200 with no body, as FusionAuth: a token that is unknown or absent revokes nothing.
"""

from __future__ import annotations

from typing import Any

from ..routing import Call, Handler, Reply
from .collections import REFRESH_TOKENS
from .features import Feature

# Set-Cookie options that make a browser drop the cookie.
_DELETE = {"httponly": True, "max_age": 0, "expires": 0}


def handlers(feature: Feature) -> dict[str, Handler]:
    store, tokens = feature.store, feature.tokens

    def logout(call: Call) -> Reply:
        body: dict[str, Any] = call.body or {}
        cookies = call.request.cookies if call.request is not None else {}
        refresh_token = call.query.get("refreshToken") or body.get("refreshToken") or cookies.get("refresh_token")
        everywhere = call.query.get("global", "").lower() == "true" or body.get("global") is True
        with store.write() as tx:
            record = tokens.find_refresh_token(tx, refresh_token) if refresh_token else None
            owner = record["userId"] if record is not None else None
            if owner is None and everywhere and cookies.get("access_token"):
                claims = tokens.validate(cookies["access_token"])
                owner = claims.get("sub") if claims else None
            if everywhere and owner is not None:
                tx.delete_where(REFRESH_TOKENS, userId=owner)
            elif record is not None:
                tx.delete(REFRESH_TOKENS, record["id"])
        return Reply(200, cookies=[("access_token", "", dict(_DELETE)), ("refresh_token", "", dict(_DELETE))])

    return {"logout": logout}
