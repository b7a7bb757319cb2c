"""The parameters of /oauth2/authorize: validated as FusionAuth does, before any page is shown.

`parse` gives an `AuthorizeRequest` (the parameters with the application and tenant documents) or an
`AuthorizeError`. A bad or missing client_id or redirect_uri is never sent back to the redirect_uri (RFC 6749
§4.1.2.1): FusionAuth shows its error page. Every later error is redirected to the redirect_uri with `error`,
`error_reason`, `error_description` and `state`. The hosted pages (../web/) carry a request through their
forms in FusionAuth's hidden fields (`hidden_fields`, `from_form`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ...routing import NO_BODY, Reply
from ...store import Store, Tx
from .. import applications as applications_api
from .. import tenants as tenants_api
from ..collections import APPLICATIONS, TENANTS

HTML = "text/html; charset=UTF-8"
# FusionAuth's hidden form fields that carry the OAuth request through the hosted pages (oauth2Authorize.ftl).
HIDDEN_FIELDS = (
    "captcha_token",
    "client_id",
    "code_challenge",
    "code_challenge_method",
    "dpop_jkt",
    "metaData.device.name",
    "metaData.device.type",
    "nonce",
    "oauth_context",
    "max_age",
    "pendingIdPLinkId",
    "prompt",
    "redirect_uri",
    "resource",
    "response_mode",
    "response_type",
    "scope",
    "state",
    "tenantId",
    "timezone",
    "user_code",
)
STANDARD_SCOPES = frozenset({"openid", "offline_access", "email", "profile", "address", "phone"})
PROMPTS = frozenset({"none", "login", "consent", "select_account"})
RESPONSE_MODES = frozenset({"query", "fragment", "form_post"})
IMPLICIT_TYPES = frozenset({"token", "id_token", "token id_token", "id_token token"})
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def redirect_to(target: str, params: Mapping[str, str | None], response_mode: str = "query") -> Reply:
    """The answer that sends the browser to `target` with `params`: a 302 (query or fragment), or for
    response_mode=form_post FusionAuth's self-submitting form page (200, text/html)."""
    pairs = {k: v for k, v in params.items() if v is not None}
    if response_mode == "form_post":
        inputs = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in pairs.items()
        )
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Submit This Form</title></head>'
            '<body onload="document.forms[0].submit()">'
            f'<form method="post" action="{html.escape(target)}">{inputs}'
            '<noscript><button type="submit">Continue</button></noscript></form></body></html>'
        )
        return Reply(200, page, {"Content-Type": HTML, "Cache-Control": "no-store"})
    separator = "#" if response_mode == "fragment" else ("&" if "?" in target else "?")
    return Reply(302, NO_BODY, {"Location": f"{target}{separator}{urlencode(pairs)}", "Cache-Control": "no-store"})


def error_page(status: int, error: str, reason: str, description: str) -> Reply:
    """FusionAuth's OAuth error page (oauth2Error.ftl): the error's JSON shown in a <pre>."""
    body = json.dumps({"error": error, "error_description": description, "error_reason": reason}, indent=2)
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body>'
        '<main class="page-body"><div class="panel"><h2>Error</h2>'
        "<p>An error occurred while processing this request.</p>"
        f'<pre id="oauth-error">{html.escape(body)}</pre></div></main></body></html>'
    )
    return Reply(status, page, {"Content-Type": HTML, "Cache-Control": "no-store"})


@dataclass
class AuthorizeError:
    """An authorize request FusionAuth refuses: an error page (`redirect_uri` None), or a redirect to the app."""

    error: str
    reason: str
    description: str
    redirect_uri: str | None = None
    state: str | None = None
    response_mode: str = "query"

    @property
    def redirects(self) -> bool:
        return self.redirect_uri is not None

    def params(self) -> dict[str, str | None]:
        return {
            "error": self.error,
            "error_reason": self.reason,
            "error_description": self.description,
            "state": self.state,
        }

    def reply(self) -> Reply:
        if self.redirect_uri is None:
            return error_page(400, self.error, self.reason, self.description)
        return redirect_to(self.redirect_uri, self.params(), self.response_mode)


@dataclass
class AuthorizeRequest:
    """A valid authorize request: its parameters, and the application and tenant (complete documents)."""

    client_id: str
    redirect_uri: str
    response_type: str
    application: dict[str, Any]
    tenant: dict[str, Any]
    scope: str = ""
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    response_mode: str = "query"
    prompt: tuple[str, ...] = ()
    max_age: int | None = None
    idp_hint: str | None = None
    login_hint: str | None = None
    locale: str | None = None
    params: dict[str, str] = field(default_factory=dict)  # every parameter as given (for the hidden fields)

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.scope.split())

    @property
    def application_id(self) -> str:
        return str(self.application["id"])

    @property
    def tenant_id(self) -> str:
        return str(self.tenant["id"])

    @property
    def oauth(self) -> dict[str, Any]:
        return self.application["oauthConfiguration"]

    def error(self, error: str, reason: str, description: str) -> AuthorizeError:
        """An error of this request, redirected to the app (e.g. login_required, consent_canceled)."""
        return AuthorizeError(error, reason, description, self.redirect_uri, self.state, self.response_mode)

    def hidden_fields(self) -> dict[str, str]:
        """FusionAuth's hidden form fields (every one present, blank when not given), with the values in force."""
        fields = {name: self.params.get(name, "") for name in HIDDEN_FIELDS}
        fields.update(
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
            response_type=self.response_type,
            scope=self.scope,
            response_mode=self.params.get("response_mode", ""),
            tenantId=self.params.get("tenantId") or self.tenant_id,
        )
        return fields

    @classmethod
    def from_form(cls, form: Mapping[str, str], store: Store) -> AuthorizeRequest | AuthorizeError:
        """The request a hosted page's form carries in its hidden fields (validated again: forms can be forged)."""
        return parse({k: v for k, v in form.items() if k in HIDDEN_FIELDS or k in _EXTRA}, store)


_EXTRA = ("idp_hint", "login_hint", "locale", "ui_locales")


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def redirect_allowed(oauth: Mapping[str, Any], uri: str) -> bool:
    """Whether `uri` is one of the application's authorizedRedirectURLs (exact, or FusionAuth's `*` wildcards
    under authorizedURLValidationPolicy AllowWildcards)."""
    urls = oauth.get("authorizedRedirectURLs") or []
    if uri in urls:
        return True
    if oauth.get("authorizedURLValidationPolicy") != "AllowWildcards":
        return False
    for pattern in urls:
        if "*" in pattern:
            regex = ".*".join(re.escape(part) for part in pattern.split("*"))
            if re.fullmatch(regex, uri):
                return True
    return False


def find_application(tx: Tx, client_id: str) -> dict[str, Any] | None:
    """The active application whose client id this is (FusionAuth's client id is the application id)."""
    if not _UUID.match(client_id.strip()):
        return None
    document = tx.get(APPLICATIONS, client_id.strip().lower())
    if document is None:
        return None
    application = applications_api.complete(document)
    return application if application.get("active", True) else None


def tenant_of(tx: Tx, application: Mapping[str, Any]) -> dict[str, Any]:
    return tenants_api.complete(tx.get(TENANTS, application["tenantId"]) or {"id": application["tenantId"]})


def allowed_scopes(application: Mapping[str, Any]) -> frozenset[str]:
    custom = {s.get("name") for s in application.get("scopes", []) if isinstance(s, dict)}
    return STANDARD_SCOPES | {s for s in custom if isinstance(s, str)}


def filter_scope(application: Mapping[str, Any], scope: str) -> tuple[str, list[str]]:
    """(the scope in force, the unknown scopes that `unknownScopePolicy` Reject refuses)."""
    known = allowed_scopes(application)
    policy = application["oauthConfiguration"].get("unknownScopePolicy", "Reject")
    kept: list[str] = []
    unknown: list[str] = []
    for word in scope.split():
        if word in known or policy == "Allow":
            kept.append(word)
        elif policy == "Reject":
            unknown.append(word)
    return " ".join(dict.fromkeys(kept)), unknown


def parse(params: Mapping[str, str], store: Store) -> AuthorizeRequest | AuthorizeError:
    """Validates /oauth2/authorize parameters in FusionAuth's order; see the module docstring."""
    given = {k: v for k, v in params.items() if isinstance(v, str)}
    client_id = given.get("client_id")
    if _blank(client_id):
        return AuthorizeError("invalid_request", "missing_client_id", "The client_id parameter is required.")
    assert client_id is not None
    tx = store.read()
    application = find_application(tx, client_id)
    if application is None:
        return AuthorizeError("invalid_client", "invalid_client_id", f"Invalid client_id [{client_id}].")
    oauth = application["oauthConfiguration"]
    redirect_uri = given.get("redirect_uri")
    if _blank(redirect_uri):
        return AuthorizeError("invalid_request", "missing_redirect_uri", "The redirect_uri parameter is required.")
    assert redirect_uri is not None
    if not redirect_allowed(oauth, redirect_uri):
        return AuthorizeError("invalid_request", "invalid_redirect_uri", f"Invalid redirect uri {redirect_uri}")
    state = given.get("state")
    response_mode = given.get("response_mode") or "query"

    def fail(error: str, reason: str, description: str) -> AuthorizeError:
        mode = response_mode if response_mode in RESPONSE_MODES else "query"
        return AuthorizeError(error, reason, description, redirect_uri, state, mode)

    if response_mode not in RESPONSE_MODES:
        return fail("invalid_request", "invalid_response_mode", f"Invalid response_mode [{response_mode}].")
    response_type = " ".join(sorted((given.get("response_type") or "").split()))
    grants = oauth.get("enabledGrants") or []
    if not response_type:
        return fail("invalid_request", "missing_response_type", "The response_type parameter is required.")
    if response_type == "code":
        if "authorization_code" not in grants:
            return fail(
                "unauthorized_client",
                "grant_type_disabled",
                "The authorization_code grant is not enabled for this application.",
            )
    elif response_type in IMPLICIT_TYPES and "implicit" not in grants:
        return fail(
            "unauthorized_client", "grant_type_disabled", "The implicit grant is not enabled for this application."
        )
    else:  # the implicit grant is not played by the mock (only code)
        return fail(
            "unsupported_response_type", "invalid_response_type", f"Invalid response_type [{given['response_type']}]."
        )
    challenge = given.get("code_challenge") or None
    method = given.get("code_challenge_method") or None
    if challenge is not None or method is not None:
        # FusionAuth accepts S256 only (the `plain` method of RFC 7636 is refused).
        if method != "S256":
            return fail(
                "invalid_request",
                "invalid_pkce_code_challenge_method",
                f"Invalid code_challenge_method [{method or ''}]. The supported value is [S256].",
            )
        if challenge is None or not re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", challenge):
            return fail("invalid_request", "invalid_pkce_code_challenge", "Invalid code_challenge.")
    elif oauth.get("proofKeyForCodeExchangePolicy") == "Required":
        return fail(
            "invalid_request",
            "missing_code_challenge",
            "The code_challenge parameter is required when PKCE is required for this application.",
        )
    scope, unknown = filter_scope(application, given.get("scope", ""))
    if unknown:
        return fail("invalid_scope", "unknown_scope", f"Invalid scope [{' '.join(unknown)}].")
    prompt = tuple(dict.fromkeys((given.get("prompt") or "").split()))
    if any(p not in PROMPTS for p in prompt) or ("none" in prompt and len(prompt) > 1):
        return fail("invalid_request", "invalid_prompt", f"Invalid prompt [{given.get('prompt')}].")
    raw_age = (given.get("max_age") or "").strip()
    max_age = int(raw_age) if raw_age.isdigit() else None
    tenant = tenant_of(tx, application)
    return AuthorizeRequest(
        client_id=application["id"],
        redirect_uri=redirect_uri,
        response_type=response_type,
        application=application,
        tenant=tenant,
        scope=scope,
        state=state,
        nonce=given.get("nonce") or None,
        code_challenge=challenge,
        code_challenge_method=method,
        response_mode=response_mode,
        prompt=prompt,
        max_age=max_age,
        idp_hint=given.get("idp_hint") or None,
        login_hint=given.get("login_hint") or None,
        locale=given.get("locale") or given.get("ui_locales") or None,
        params=given,
    )
