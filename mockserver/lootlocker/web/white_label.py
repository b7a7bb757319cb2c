"""The pages White Label mails link to (schemas/mock/paths/lootlocker-white-label.yaml): LootLocker hosts its own
"verify account" and "reset password" pages; the mock serves these stand-ins on the host the request that sent the
mail came to.

- verify?token=: uses the verification token; the account is verified (`verified_at` / `validated_at`).
- reset-password?token=: a form for the new password (LootLocker's rule: at least 8 characters, typed twice);
  posting it sets the password (the old one stops working, the account's White Label sessions end).
A used, unknown or expired token shows why (400). Plain HTML forms, no script, no external assets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ...routing import Call, Handler, Reply
from ...store import Store
from .. import white_label
from ..white_label import PASSWORD_MIN, TokenProblem

PAGE_HEADERS = {
    "Content-Type": "text/html; charset=UTF-8",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
}

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _page(template: str, status: int = 200, **context: Any) -> Reply:
    html = _templates.get_template(template).render(pages=white_label.PAGES, password_min=PASSWORD_MIN, **context)
    return Reply(status, html, headers=dict(PAGE_HEADERS))


def handlers(store: Store) -> dict[str, Handler]:
    def verify(call: Call) -> Reply:
        try:
            game, user = white_label.verify_email(store, call.query.get("token", ""))
        except TokenProblem as problem:
            return _page("wl_verify.html", 400, error=str(problem))
        return _page("wl_verify.html", game=game, user=user)

    def reset_form(call: Call) -> Reply:
        token = call.query.get("token", "")
        try:
            game, user = white_label.token_account(store, token, "reset")
        except TokenProblem as problem:
            return _page("wl_reset.html", 400, error=str(problem))
        return _page("wl_reset.html", game=game, user=user, token=token)

    def reset_submit(call: Call) -> Reply:
        form: dict[str, str] = call.body
        token, password = form.get("token", ""), form.get("password", "")
        try:
            game, user = white_label.token_account(store, token, "reset")
            if password != form.get("password_confirmation", ""):
                return _page("wl_reset.html", 400, game=game, user=user, token=token, problem="The passwords differ.")
            try:
                game, user = white_label.reset_password(store, token, password)
            except ValueError as rule:
                return _page("wl_reset.html", 400, game=game, user=user, token=token, problem=str(rule))
        except TokenProblem as problem:
            return _page("wl_reset.html", 400, error=str(problem))
        return _page("wl_reset.html", game=game, user=user, done=True)

    return {
        "mockLootLockerWhiteLabelVerify": verify,
        "mockLootLockerWhiteLabelResetForm": reset_form,
        "mockLootLockerWhiteLabelResetSubmit": reset_submit,
    }
