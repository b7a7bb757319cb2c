"""GET|POST /oauth2/logout: ends the SSO session (tokens stay valid, as in FusionAuth) and sends the browser on.

The application comes from `client_id`, else from `id_token_hint`'s audience. `post_logout_redirect_uri` must be
one of its authorized redirect URLs (else FusionAuth's 400 `invalid_post_logout_redirect_uri`). Target:
post_logout_redirect_uri (+ state) → the application's logoutURL → the tenant's logoutURL → `/`.
logoutBehavior AllApplications (the default): the "Logging out…" page loading every logoutURL of the tenant's
applications in iframes, then `<meta http-equiv="Refresh">` to the target; RedirectOnly: a 302.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import jwt

from ...routing import NO_BODY, Call, Reply
from ...store import Store
from ..collections import APPLICATIONS, TENANTS
from ..tenants import complete as complete_tenant
from . import sso
from .authorize import HTML, error_page, find_application, redirect_allowed, tenant_of


def _application(store: Store, params: Mapping[str, str]) -> dict[str, Any] | Reply | None:
    tx = store.read()
    client_id = params.get("client_id")
    if client_id:
        return find_application(tx, client_id)
    hint = params.get("id_token_hint")
    if hint:
        try:
            audience = jwt.decode(hint, options={"verify_signature": False}).get("aud")
        except jwt.PyJWTError:
            return error_page(400, "invalid_request", "invalid_id_token_hint", "Invalid id_token_hint.")
        return find_application(tx, audience) if isinstance(audience, str) else None
    return None


def _page(target: str, frames: list[str]) -> str:
    iframes = "".join(
        f'<iframe src="{html.escape(url)}" style="width:0;height:0;border:0;border:none;"></iframe>' for url in frames
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Refresh" content="2; url={html.escape(target)}"><title>Logout</title></head>'
        '<body><main class="page-body"><div class="panel"><h2>Logging out</h2>'
        f'<p>Logging out…</p>{iframes}<p><a href="{html.escape(target)}">Continue</a></p>'
        "</div></main></body></html>"
    )


def logout(store: Store, call: Call) -> Reply:
    params: dict[str, str] = dict(call.query)
    if isinstance(call.body, dict):
        params.update(call.body)
    found = _application(store, params)
    if isinstance(found, Reply):
        return found
    application = found
    redirect = params.get("post_logout_redirect_uri")
    if redirect and (application is None or not redirect_allowed(application["oauthConfiguration"], redirect)):
        return error_page(
            400,
            "invalid_request",
            "invalid_post_logout_redirect_uri",
            f"Invalid post_logout_redirect_uri [{redirect}]: it must be an authorized redirect URL of the application.",
        )
    cookies: Mapping[str, str] = call.request.cookies if call.request is not None else {}
    session = sso.current(store, cookies)
    deleted = sso.end(store, cookies)
    tx = store.read()
    if application is not None:
        tenant = tenant_of(tx, application)
    else:
        tenant_id = params.get("tenantId") or (session or {}).get("tenantId")
        found_tenant = tx.get(TENANTS, tenant_id) if tenant_id else None
        tenant = complete_tenant(found_tenant) if found_tenant is not None else {}
    oauth = application["oauthConfiguration"] if application is not None else {}
    if redirect:
        state = params.get("state")
        target = redirect if not state else f"{redirect}{'&' if '?' in redirect else '?'}{urlencode({'state': state})}"
    else:
        target = oauth.get("logoutURL") or tenant.get("logoutURL") or "/"
    headers = {"Cache-Control": "no-store"}
    if oauth.get("logoutBehavior", "AllApplications") == "RedirectOnly" or not tenant:
        return Reply(302, NO_BODY, {**headers, "Location": target}, cookies=deleted)
    frames = [
        url
        for other in tx.all(APPLICATIONS)
        if other.get("tenantId") == tenant.get("id")
        for url in [(other.get("oauthConfiguration") or {}).get("logoutURL")]
        if url
    ]
    return Reply(200, _page(target, frames), {**headers, "Content-Type": HTML}, cookies=deleted)
