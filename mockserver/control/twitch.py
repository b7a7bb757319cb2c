"""The mock "Twitch": the consent page FusionAuth's "Login with Twitch" button leads to (mock/paths/twitch.yaml).

FusionAuth sends the browser to https://id.twitch.tv/oauth2/authorize with client_id, response_type=code, scope,
state and redirect_uri=<FusionAuth>/oauth2/callback. The mock never leaves the machine: this page takes the same
parameters, lists the identity registry's `twitch` identities (mockserver/identities.py) and answers as Twitch
does — a redirect to redirect_uri with a fresh single-use `code`, the `scope` and the unchanged `state`, or
`error=access_denied` when the person cancels. Plain HTML: no script, no external assets.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..identities import Identities, IdentityConflict
from ..routing import NO_BODY, Call, Handler, Reply
from ..store import Store

PROVIDER = "twitch"
# Twitch's parameters, carried through the page's forms.
PARAMETERS = ("client_id", "response_type", "redirect_uri", "scope", "state", "nonce", "force_verify")
USERNAME = re.compile(r"^[A-Za-z0-9_]{4,25}$")  # Twitch login names
DENIED = "The user denied you access"  # Twitch's error_description for a cancelled consent
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=UTF-8",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to its query (keeping what it has)."""
    parts = urlsplit(url)
    extra = urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _redirectable(uri: str | None) -> bool:
    parts = urlsplit(uri or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def handlers(store: Store) -> dict[str, Handler]:
    registry = Identities(store)

    def page(params: dict[str, str], status: int = 200, error: str | None = None, **form: Any) -> Reply:
        identities = sorted(registry.list(PROVIDER), key=lambda i: (i.get("username") or i["id"]).lower())
        html = _templates.get_template("twitch-authorize.html").render(
            params={k: params[k] for k in PARAMETERS if params.get(k) is not None},
            identities=identities,
            error=error,
            form=form,
        )
        return Reply(status, html, headers=dict(PAGE_HEADERS))

    def problem(params: dict[str, str]) -> str | None:
        if not _redirectable(params.get("redirect_uri")):
            return "Twitch needs a redirect_uri (an absolute http or https URL) to send you back to the application."
        if not params.get("client_id"):
            return "Twitch needs the application's client_id."
        return None

    def back(params: dict[str, str], answer: dict[str, str]) -> Reply:
        if params.get("state") is not None:
            answer["state"] = params["state"]  # unchanged, as Twitch returns it
        return Reply(302, NO_BODY, headers={"Location": with_query(params["redirect_uri"], answer)})

    def authorize(call: Call) -> Reply:
        params = call.query
        found = problem(params)
        if found:
            return page(params, 400, found)
        if params.get("response_type") != "code":
            return back(
                params, {"error": "unsupported_response_type", "error_description": "response_type must be code"}
            )
        return page(params)

    def submit(call: Call) -> Reply:
        form: dict[str, str] = call.body
        found = problem(form)
        if found:
            return page(form, 400, found)
        action = form.get("action", "authorize")
        if action == "cancel":
            return back(form, {"error": "access_denied", "error_description": DENIED})
        if action == "create":
            identity = _create(registry, form)
            if isinstance(identity, str):
                return page(form, 400, identity, **{k: form.get(k, "") for k in ("username", "email")})
        else:
            identity = registry.get(PROVIDER, form.get("identity_id", ""))
            if identity is None:
                return page(form, 400, "Choose one of the accounts below, or create one.")
        code = registry.issue_code(PROVIDER, identity["id"])
        return back(form, {"code": code, "scope": form.get("scope", "")})

    return {"mockTwitchAuthorize": authorize, "mockTwitchAuthorizeSubmit": submit}


def _create(registry: Identities, form: dict[str, str]) -> dict[str, Any] | str:
    """A new Twitch identity from the page's form, or what is wrong with the form."""
    username = form.get("username", "").strip()
    email = form.get("email", "").strip()
    if not USERNAME.match(username):
        return "A Twitch username has 4 to 25 letters, digits or underscores."
    if email and "@" not in email.strip("@"):
        return "That email address is not valid."
    taken = [i for i in registry.list(PROVIDER) if (i.get("username") or "").lower() == username.lower()]
    if taken:
        return f"The Twitch username {username} is taken: choose it in the list instead."
    spec: dict[str, Any] = {"provider": PROVIDER, "id": _new_user_id(registry), "username": username}
    if email:
        spec["email"] = email
        spec["email_verified"] = form.get("email_verified") == "true"
    try:
        return registry.register(spec)
    except IdentityConflict as conflict:  # pragma: no cover - generated codes and tokens do not collide
        return str(conflict)


def _new_user_id(registry: Identities) -> str:
    # Twitch user ids are decimal strings.
    while True:
        candidate = str(100_000_000 + secrets.randbelow(900_000_000))
        if registry.get(PROVIDER, candidate) is None:
            return candidate
