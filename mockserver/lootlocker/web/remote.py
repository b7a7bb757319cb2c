"""The remote-session page: where a lease's redirect_url (and, code typed in, its display_url) takes the player
(schemas/mock/paths/lootlocker-remote.yaml). LootLocker's own page is hosted by LootLocker; the mock serves this
stand-in on whatever host the lease request came to.

Steps, each driving the lease state machine of mockserver/lootlocker/leases.py (the same functions the auth client
v3 routes and the control plane call): opening the page with a code claims the lease (CREATED → CLAIMED); the
player confirms the code the game shows (→ VERIFIED); the player signs in — an upstream account of the shared
identity registry (picked, or created here, as on the mock Twitch page), a White Label account of the game (email
+ password), or (login leases) as a new player — which authorizes the lease (→ AUTHORIZED); the game's poll or
attach does the rest. "Cancel" cancels the lease. Plain HTML forms, no script, no external assets.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ...identities import Identities, IdentityConflict
from ...routing import NO_BODY, Call, Handler, Reply
from ...store import Store
from .. import ids
from ..errors import LootLockerError
from ..games import Games, provider_enabled
from ..leases import PAGE_PATH, Lease, Leases, SignIn
from ..providers import PROVIDERS, Provider, resolve

PAGE_HEADERS = {
    "Content-Type": "text/html; charset=UTF-8",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
ACTIONS = ("verify", "authorize", "create", "white_label", "new_player", "cancel")
USERNAME_MAX = 64

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _page(template: str, status: int = 200, **context: Any) -> Reply:
    html = _templates.get_template(template).render(page_path=PAGE_PATH, **context)
    return Reply(status, html, headers=dict(PAGE_HEADERS))


def _text(form: dict[str, str], name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def handlers(store: Store) -> dict[str, Handler]:
    leases = Leases(store)
    games = Games(store)
    registry = Identities(store)

    def offered(game: dict[str, Any], only: str | None) -> tuple[list[Provider], bool]:
        """The upstream providers the page offers (enabled for the game, with accounts in the registry), and
        whether it offers White Label; `only` (the `provider` parameter LootLocker's account page appends to
        redirect_uri) narrows them to one."""
        chosen = resolve(only) if only else None
        upstream = [p for p in PROVIDERS.values() if p.registry is not None and provider_enabled(game, p.name)]
        white_label = provider_enabled(game, "credentials")
        if chosen is not None and (chosen.registry is not None or chosen.name == "credentials"):
            upstream = [p for p in upstream if p == chosen]
            white_label = white_label and chosen.name == "credentials"
        return upstream, white_label

    def show(
        code: str, nonce: str | None, only: str | None, status: int = 200, error: str | None = None, **form: str
    ) -> Reply:
        lease = leases.find(code)
        if lease is None:
            message = f"No remote session has the code {code.strip().upper()}. Check the code your game shows."
            return _page("remote_code.html", 404, error=message, code=code)
        if nonce is not None and nonce != lease["nonce"]:
            return _page("remote_code.html", 400, error="This link does not belong to that code.", code=code)
        unusable = _unusable(lease)
        if unusable:
            return _page("remote_done.html", 409, lease=leases.view(lease), outcome="unusable", message=unusable)
        if lease["status"] == "CREATED":
            try:
                lease = {**lease, **leases.advance(lease["id"], "claim", nonce)}
            except LootLockerError:  # claimed meanwhile (another tab): show it as it is now
                lease = leases.find(code) or lease
        if lease["status"] == "AUTHORIZED":
            return _page("remote_done.html", lease=leases.view(lease), outcome="authorized", message=None)
        game = games.get(lease["game_id"])
        upstream, white_label = offered(game, only)
        accounts = [(p, _sorted(registry.list(p.registry))) for p in upstream if p.registry is not None]
        return _page(
            "remote_lease.html",
            status,
            lease=lease,
            code=lease["id"],
            nonce=nonce or "",
            only=only or "",
            game=game,
            step="confirm" if lease["status"] == "CLAIMED" else "sign_in",
            accounts=accounts,
            upstream=upstream,
            white_label=white_label,
            error=error,
            form=form,
        )

    def page(call: Call) -> Reply:
        code = _text(call.query, "code")
        if code is None:  # display_url (the Unity SDK may append its provider= to it too)
            return _page("remote_code.html", code="", only=_text(call.query, "provider") or "")
        return show(code, _text(call.query, "nonce"), _text(call.query, "provider"))

    def submit(call: Call) -> Reply:
        form: dict[str, str] = call.body
        code, nonce, only = _text(form, "code"), _text(form, "nonce"), _text(form, "provider")
        action = form.get("action", "")
        if code is None:
            return _page("remote_code.html", 400, error="Enter the code your game shows.", code="")
        if action not in ACTIONS:
            return show(code, nonce, only, 400, f"Unknown action {action!r}.")
        try:
            if action == "verify":
                leases.advance(code, "verify", nonce)
                query = {k: v for k, v in (("code", code), ("nonce", nonce), ("provider", only)) if v}
                return Reply(302, NO_BODY, headers={"Location": f"{PAGE_PATH}?{urlencode(query)}"})
            if action == "cancel":
                lease = leases.cancel(code, nonce)
                return _page("remote_done.html", lease=lease, outcome="cancelled", message=None)
            if action == "create":
                created = _create(registry, form)
                if isinstance(created, str):
                    return show(code, nonce, only, 400, created, username=form.get("username", ""))
                sign_in = SignIn(provider=created["provider"], identity_id=created["id"])
            elif action == "authorize":
                chosen = resolve(form.get("identity_provider", ""))
                registry_name = chosen.registry if chosen is not None else None
                sign_in = SignIn(provider=registry_name or "unknown", identity_id=_text(form, "identity_id"))
            elif action == "white_label":
                sign_in = SignIn(email=form.get("email", ""), password=form.get("password", ""))
            else:
                sign_in = SignIn()
            lease = leases.authorize(code, sign_in, nonce)
        except LootLockerError as error:
            return show(code, nonce, only, 400, error.message, email=form.get("email", ""))
        return _page("remote_done.html", lease=lease, outcome="authorized", message=None)

    return {"mockLootLockerRemotePage": page, "mockLootLockerRemoteSubmit": submit}


def _unusable(lease: Lease) -> str | None:
    if lease["expires"] < ids.epoch_now():
        return "This code has expired. Start again in your game."
    if lease["status"] == "CANCELLED":
        return "This sign-in was cancelled. Start again in your game."
    if lease["status"] == "SPENT":
        return "This code has already been used."
    return None


def _sorted(identities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(identities, key=lambda i: (str(i.get("username") or i["id"]).lower(), i["id"]))


def _create(registry: Identities, form: dict[str, str]) -> dict[str, Any] | str:
    """A new upstream account from the page's form, or what is wrong with the form."""
    provider = resolve(form.get("identity_provider", ""))
    if provider is None or provider.registry is None:
        return "Choose the provider of the new account."
    username = form.get("username", "").strip()
    if not username or len(username) > USERNAME_MAX or not username.isprintable():
        return f"A username has 1 to {USERNAME_MAX} printable characters."
    taken = [i for i in registry.list(provider.registry) if (i.get("username") or "").lower() == username.lower()]
    if taken:
        return f"The {provider.display} username {username} is taken: choose it in the list instead."
    while True:  # upstream user ids are decimal strings here (Steam's, Twitch's and Discord's are)
        user_id = str(10**9 + secrets.randbelow(9 * 10**9))
        if registry.get(provider.registry, user_id) is None:
            break
    try:
        return registry.register({"provider": provider.registry, "id": user_id, "username": username})
    except IdentityConflict as conflict:  # pragma: no cover - generated codes and tokens do not collide
        return str(conflict)
