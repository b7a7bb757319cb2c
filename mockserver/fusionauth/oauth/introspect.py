"""POST /oauth2/introspect (RFC 7662, form body): `token` and the client. A token this mock signed, unexpired,
for this client → `{"active": true, …its claims}`; anything else → `{"active": false}`. A client secret that
is sent is checked (401 invalid_client when wrong)."""

from __future__ import annotations

from typing import Any

from ...routing import Call, Reply
from ...store import Store
from ..tokens import Tokens
from .errors import NO_STORE, OAuthError
from .token import authenticate_client


def introspect(store: Store, tokens: Tokens, call: Call) -> Reply:
    form: dict[str, str] = call.body or {}
    token = form.get("token")
    if not token:
        raise OAuthError("invalid_request", "missing_token", "The token parameter is required.")
    client = authenticate_client(store.read(), call.headers, form)
    claims = tokens.validate(token)
    client_id = client.application["oauthConfiguration"].get("clientId") or client.application["id"]
    body: dict[str, Any] = {"active": False}
    if claims is not None and claims.get("aud") == client_id:
        body = {"active": True, **claims}
    return Reply(200, body, dict(NO_STORE))
