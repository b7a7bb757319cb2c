"""FusionAuth's hosted login pages (schemas/fusionauth/paths/hosted-pages.yaml): the login form, the identity
provider buttons and the federated callback, and the pages a login can lead to (two-factor, change password,
verification gates, pending link). Server-rendered HTML (Jinja, autoescaped), no script, no external asset.

The OAuth request travels through the pages in FusionAuth's hidden form fields (oauth.authorize.AuthorizeRequest
.hidden_fields) and is validated again on every step (`from_form`/`parse`: forms can be forged). Logins run the
Login API's own code — password_login.password_login and login.Login.login — with `noJWT` (the tokens come from
/oauth2/token), and every outcome ends in `finish`: a redirect to the app with a code, or the next page.
Between FusionAuth and "Twitch" the request rides in the `state` sent to the provider, bound to the
`federated.csrf` cookie.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ...clock import now_ms
from ...routing import NO_BODY, Call, Handler, Reply
from .. import completion
from ..collections import (
    CHANGE_PASSWORDS,
    IDENTITY_PROVIDERS,
    PENDING_LINKS,
    TWO_FACTOR_LOGINS,
    USERS,
    VERIFICATIONS,
)
from ..errors import FusionAuthError
from ..features import Feature
from ..login import UPSTREAM, Outcome, preventing_actions
from ..oauth import codes, sso
from ..oauth.authorize import AuthorizeError, AuthorizeRequest, error_page, parse
from ..password_login import password_login
from ..tokens import PASSWORD
from ..users import Users
from ..verifications import verification_id
from .messages import message

HTML = "text/html; charset=UTF-8"
SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}
CSRF_COOKIE = "federated.csrf"
TRUST_COOKIE = "fusionauth.trust"
CALLBACK = "/oauth2/callback"
TWITCH_PAGE = "/_mock/twitch/oauth2/authorize"  # the mock's stand-in for https://id.twitch.tv/oauth2/authorize
DEFAULT_SCOPE = "openid user:read:email"  # the Twitch provider's default scope
COOKIE_OPTIONS: dict[str, Any] = {"httponly": True, "samesite": "Lax", "path": "/"}
_HERE = Path(__file__).parent
STYLESHEET = (_HERE / "static" / "fusionauth-style.css").read_bytes()

_templates = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.globals["message"] = message


def secure(reply: Reply) -> Reply:
    """Every hosted page and redirect: not cached, never framed."""
    for name, value in SECURITY_HEADERS.items():
        reply.headers.setdefault(name, value)
    return reply


def render(template: str, status: int = 200, cookies: list[Any] | None = None, **context: Any) -> Reply:
    html = _templates.get_template(template).render(**context)
    return secure(Reply(status, html, {"Content-Type": HTML}, list(cookies or [])))


def redirect(location: str, cookies: list[Any] | None = None) -> Reply:
    return secure(Reply(302, NO_BODY, {"Location": location}, list(cookies or [])))


def link(path: str, fields: Mapping[str, str], **extra: str) -> str:
    """A link that keeps the OAuth request (as FusionAuth's helpers.link): its non-blank hidden fields."""
    query = {k: v for k, v in fields.items() if v}
    query.update({k: v for k, v in extra.items() if v})
    return f"{path}?{urlencode(query)}"


def error_text(error: FusionAuthError) -> str:
    """What a refused login shows in the page's alert (FusionAuth's messages for the Login API's answers)."""
    known = {404: "[InvalidLogin]", 409: "[LoginPreventedException]", 410: "[UserExpiredException]"}
    known[423] = "[UserLockedException]"
    if error.status in known:
        return message(known[error.status])
    body = error.body or {}
    for entry in body.get("generalErrors", []) + [e for es in body.get("fieldErrors", {}).values() for e in es]:
        text = message(entry.get("code", ""))
        return text if text != entry.get("code") else str(entry.get("message", text))
    return message("[ErrorException]")


def encode_state(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_state(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("f"), dict) or not isinstance(data.get("c"), str):
        return None
    return data


def handlers(feature: Feature) -> dict[str, Handler]:
    store = feature.store
    service = feature.login

    # -- what several pages need ------------------------------------------------------------------
    def base(call: Call) -> str:
        return call.request.host_url.rstrip("/") if call.request is not None else ""

    def cookies_of(call: Call) -> Mapping[str, str]:
        return call.request.cookies if call.request is not None else {}

    def ip(call: Call) -> str | None:
        forwarded = call.headers.get("X-Forwarded-For")
        if forwarded:
            return forwarded.split(",")[0].strip()
        return call.request.remote_addr if call.request is not None else None

    def providers(request: AuthorizeRequest) -> list[dict[str, Any]]:
        """The identity providers enabled for this application (FusionAuth shows a button for each)."""
        found = []
        for provider in store.read().all(IDENTITY_PROVIDERS):
            config = provider.get("applicationConfiguration", {}).get(request.application_id, {})
            if (
                provider.get("enabled")
                and provider.get("type") in UPSTREAM
                and provider.get("tenantId") in (None, request.tenant_id)
                and config.get("enabled")
            ):
                found.append(provider)
        return sorted(found, key=lambda p: (p.get("name", ""), p["id"]))

    def provider_for(request: AuthorizeRequest, provider_id: str | None) -> dict[str, Any] | None:
        wanted = (provider_id or "").strip().lower()
        return next((p for p in providers(request) if p["id"] == wanted), None)

    def button(request: AuthorizeRequest, provider: dict[str, Any]) -> dict[str, Any]:
        config = provider.get("applicationConfiguration", {}).get(request.application_id, {})
        return {
            "id": provider["id"],
            "type": provider["type"].lower(),
            "text": (
                config.get("buttonText") or provider.get("buttonText") or f"Login with {provider['type']}"
            ).strip(),
            "scope": config.get("scope") or provider.get("scope") or DEFAULT_SCOPE,
            "client_id": config.get("client_id") or provider.get("client_id") or "",
        }

    def csrf_token(call: Call) -> tuple[str, list[Any]]:
        """The federated.csrf token of this browser (a new cookie when it has none)."""
        value = cookies_of(call).get(CSRF_COOKIE)
        if value:
            return value, []
        value = secrets.token_urlsafe(24)
        return value, [(CSRF_COOKIE, value, COOKIE_OPTIONS)]

    def live_pending(pending_id: str | None) -> dict[str, Any] | None:
        pending = store.read().get(PENDING_LINKS, pending_id) if pending_id else None
        return pending if pending is not None and pending["expiry"] >= now_ms() else None

    def provider_name(pending: Mapping[str, Any]) -> str:
        provider = store.read().get(IDENTITY_PROVIDERS, pending["identityProviderId"]) or {}
        return str(provider.get("name") or provider.get("type") or "Twitch")

    def login_page(
        call: Call,
        request: AuthorizeRequest,
        fields: dict[str, str] | None = None,
        errors: list[str] | None = None,
        field_errors: dict[str, list[str]] | None = None,
        login_id: str = "",
        remember: bool = False,
    ) -> Reply:
        fields = dict(fields or request.hidden_fields())
        pending = live_pending(fields.get("pendingIdPLinkId"))
        if pending is None:
            fields["pendingIdPLinkId"] = ""
        token, cookies = csrf_token(call)
        return render(
            "oauth2Authorize.html",
            cookies=cookies,
            title=message("oauth2-authorize-page-title"),
            fields=fields,
            errors=errors or [],
            field_errors=field_errors or {},
            login_id=login_id,
            remember=remember,
            buttons=[button(request, p) for p in providers(request)] if pending is None else [],
            federated_csrf=token,
            registration_enabled=request.application.get("registrationConfiguration", {}).get("enabled", False),
            pending_provider=provider_name(pending) if pending is not None else None,
            cancel_link=link("/oauth2/authorize", {**fields, "pendingIdPLinkId": ""}, cancelPendingIdpLink="true"),
            forgot_link=link("/password/forgot", fields),
            register_link=link("/oauth2/register", fields),
        )

    def request_of(values: Mapping[str, str]) -> AuthorizeRequest | Reply:
        """The OAuth request a page's query or form carries, or FusionAuth's answer to a bad one."""
        parsed = parse(values, store)
        if isinstance(parsed, AuthorizeError):
            return secure(parsed.reply())
        return parsed

    def extras(call: Call, values: Mapping[str, str], *names: str) -> dict[str, str]:
        return {name: values.get(name, "") for name in names}

    # -- the end of every login -------------------------------------------------------------------
    def finish(
        call: Call,
        request: AuthorizeRequest,
        outcome: Outcome,
        remember: bool,
        authentication_type: str,
        cookies: list[Any] | None = None,
        session: Mapping[str, Any] | None = None,
    ) -> Reply:
        """A login's outcome as the hosted pages answer it: the next page, or the redirect to the app."""
        fields = request.hidden_fields()
        fields["pendingIdPLinkId"] = ""
        body = outcome.body or {}
        carry = {"rememberDevice": "true" if remember else ""}
        cookies = list(cookies or [])
        if outcome.status == 242:
            return two_factor_start(request, fields, body, carry, cookies)
        if outcome.status == 203:
            target = link("/password/change", fields, changePasswordId=body["changePasswordId"], **carry)
            return redirect(target, cookies)
        user = body["user"]
        if outcome.status == 202 and request.oauth.get("requireRegistration"):
            title = message("oauth2-authorized-not-registered-page-title")
            return render("oauth2AuthorizedNotRegistered.html", cookies=cookies, title=title)
        email_gated = request.tenant.get("emailConfiguration", {}).get("unverified", {}).get("behavior") == "Gated"
        if outcome.status == 212 and email_gated:
            target = link(
                "/email/verification-required",
                fields,
                verificationId=body.get("emailVerificationId", ""),
                email=user.get("email", ""),
                **carry,
            )
            return redirect(target, cookies)
        if outcome.status == 213 and request.application.get("unverified", {}).get("behavior") == "Gated":
            target = link(
                "/registration/verification-required",
                fields,
                verificationId=body.get("registrationVerificationId", ""),
                email=user.get("email", ""),
                **carry,
            )
            return redirect(target, cookies)
        if session is not None:
            reply = codes.issue_reply(
                store, request, user, authentication_type, session["id"], auth_time=session.get("authTime")
            )
        else:
            started = sso.start(store, user, request.tenant, remember, authentication_type)
            cookies += started
            reply = codes.issue_reply(store, request, user, authentication_type, sso.session_id(started))
        reply.cookies.extend(cookies)
        return secure(reply)

    def two_factor_start(
        request: AuthorizeRequest, fields: dict[str, str], body: dict[str, Any], carry: dict[str, str], cookies: list
    ) -> Reply:
        """242: an authenticator app's code is typed; else the code goes to the first email or phone (outbox)."""
        methods = body.get("methods", [])
        chosen = next((m for m in methods if m["method"] == "authenticator"), None)
        if chosen is None:
            chosen = next((m for m in methods if m["method"] in ("email", "sms")), None)
            if chosen is not None:
                completion.send_two_factor_code(store, body["twoFactorId"], {"methodId": chosen["id"]})
        method_id = chosen["id"] if chosen is not None else ""
        target = link("/oauth2/two-factor", fields, twoFactorId=body["twoFactorId"], methodId=method_id, **carry)
        return redirect(target, cookies)

    def complete_for(call: Call, request: AuthorizeRequest, user_id: str, authentication_type: str) -> Outcome | None:
        """The end of a login for a user who passed a gate (verification) or holds an SSO session."""
        with store.write() as tx:
            user = tx.get(USERS, user_id)
            if user is None or not user.get("active", True):
                return None
            if (user.get("expiry") is not None and user["expiry"] < now_ms()) or preventing_actions(tx, user_id):
                return None
            outcome = service.complete(
                tx, request.tenant, request.application, user, authentication_type, {"noJWT": True}, ip(call)
            )
        return outcome

    # -- /oauth2/authorize ------------------------------------------------------------------------
    def authorize_page(call: Call) -> Reply:
        request = request_of(call.query)
        if isinstance(request, Reply):
            return request
        fields = request.hidden_fields()
        errors: list[str] = []
        if call.query.get("cancelPendingIdpLink") == "true" and fields.get("pendingIdPLinkId"):
            with store.write() as tx:
                tx.delete(PENDING_LINKS, fields["pendingIdPLinkId"])
            fields["pendingIdPLinkId"] = ""
        elif fields.get("pendingIdPLinkId") and live_pending(fields["pendingIdPLinkId"]) is None:
            errors.append(message("[InvalidPendingIdPLinkId]"))
        linking = bool(live_pending(fields.get("pendingIdPLinkId")))
        if request.idp_hint and not linking:
            provider = provider_for(request, request.idp_hint)
            if provider is not None:
                return to_provider(call, request, provider)
        if "login" not in request.prompt and not linking:
            session = sso.current(store, cookies_of(call), request.tenant_id)
            if session is not None:
                outcome = complete_for(call, request, session["userId"], session.get("authenticationType", PASSWORD))
                if outcome is not None:
                    return finish(
                        call, request, outcome, False, session.get("authenticationType", PASSWORD), [], session
                    )
        if "none" in request.prompt:
            return secure(request.error("login_required", "login_required", "The user is not logged in.").reply())
        return login_page(call, request, fields, errors, login_id=request.login_hint or "")

    def authorize_submit(call: Call) -> Reply:
        form: dict[str, str] = call.body
        request = request_of(form)
        if isinstance(request, Reply):
            return request
        fields = request.hidden_fields()
        login_id = form.get("loginId", "")
        remember = form.get("rememberDevice") == "true"
        field_errors: dict[str, list[str]] = {}
        for name in ("loginId", "password"):
            if not form.get(name, "").strip():
                field_errors[name] = [message(f"[blank]{name}")]
        if field_errors:
            return login_page(call, request, fields, field_errors=field_errors, login_id=login_id, remember=remember)
        pending_id = fields.get("pendingIdPLinkId") or ""
        if pending_id and live_pending(pending_id) is None:
            errors = [message("[InvalidPendingIdPLinkId]")]
            return login_page(call, request, fields, errors, login_id=login_id, remember=remember)
        login_request: dict[str, Any] = {
            "loginId": login_id,
            "password": form["password"],
            "applicationId": request.application_id,
            "noJWT": True,
        }
        trust = cookies_of(call).get(TRUST_COOKIE)
        if trust:
            login_request["twoFactorTrustId"] = trust
        device = {k: form.get(f"metaData.device.{k}", "") for k in ("name", "type")}
        if any(device.values()):
            login_request["metaData"] = {"device": {k: v for k, v in device.items() if v}}
        try:
            outcome = password_login(store, service, request.tenant, request.application, login_request, ip(call))
            if pending_id:
                link_pending(pending_id, user_of(outcome))
        except FusionAuthError as error:
            return login_page(call, request, fields, [error_text(error)], login_id=login_id, remember=remember)
        return finish(call, request, outcome, remember, PASSWORD)

    def user_of(outcome: Outcome) -> str:
        """The id of the user a login outcome is about (the two-factor and change-password ids name it)."""
        body = outcome.body or {}
        if "user" in body:
            return str(body["user"]["id"])
        tx = store.read()
        record = tx.get(TWO_FACTOR_LOGINS, body.get("twoFactorId", "")) or tx.get(
            CHANGE_PASSWORDS, body.get("changePasswordId", "")
        )
        return str((record or {}).get("userId", ""))

    def link_pending(pending_id: str, user_id: str) -> None:
        """The pending identity provider link (232) joins the user who just logged in (the Link API's rules)."""
        feature.links.create({"pendingIdPLinkId": pending_id, "identityProviderLink": {"userId": user_id}})

    # -- identity providers -----------------------------------------------------------------------
    def to_provider(call: Call, request: AuthorizeRequest, provider: dict[str, Any]) -> Reply:
        """FusionAuth's redirect to the provider: Twitch's parameters, with the request in `state`."""
        token, cookies = csrf_token(call)
        chosen = button(request, provider)
        saved = {k: v for k, v in request.hidden_fields().items() if v}
        for name in ("login_hint", "locale"):
            if request.params.get(name):
                saved[name] = request.params[name]
        state = encode_state({"c": token, "i": provider["id"], "f": saved})
        params = {
            "client_id": chosen["client_id"],
            "redirect_uri": base(call) + CALLBACK,
            "response_type": "code",
            "scope": chosen["scope"],
            "state": state,
        }
        return redirect(f"{base(call)}{TWITCH_PAGE}?{urlencode(params)}", cookies)

    def provider_redirect(call: Call) -> Reply:
        request = request_of(call.query)
        if isinstance(request, Reply):
            return request
        provider = provider_for(request, call.query.get("identityProviderId"))
        if provider is None:
            return login_page(call, request, errors=[message("[InvalidIdentityProviderId]")])
        return to_provider(call, request, provider)

    def callback(call: Call) -> Reply:
        query = call.query
        saved = decode_state(query.get("state"))
        if saved is None:  # without FusionAuth's state the request cannot be restored (fusionauth-issues#1447)
            return secure(
                error_page(400, "invalid_request", "missing_redirect_uri", "The redirect_uri parameter is required.")
            )
        request = request_of(saved["f"])
        if isinstance(request, Reply):
            return request
        cookie = cookies_of(call).get(CSRF_COOKIE)
        if not cookie:
            return login_page(
                call, request, errors=[message("[ExternalAuthenticationException]MissingFederatedCSRFToken")]
            )
        if not secrets.compare_digest(cookie, saved["c"]):
            return login_page(
                call, request, errors=[message("[ExternalAuthenticationException]InvalidFederatedCSRFToken")]
            )
        provider = provider_for(request, str(saved.get("i", "")))
        if provider is None:
            return login_page(call, request, errors=[message("[InvalidIdentityProviderId]")])
        if query.get("error") or not query.get("code"):
            # The person cancelled at the provider (or it failed): back to the login page (fusionauth-issues#1684).
            reason = query.get("error_description") or query.get("error")
            text = reason or message(f"[ExternalAuthenticationException]{provider['type']}Token")
            return login_page(call, request, errors=[text])
        login_request = {
            "applicationId": request.application_id,
            "identityProviderId": provider["id"],
            "data": {"code": query["code"], "redirect_uri": base(call) + CALLBACK},
            "noJWT": True,
        }
        try:
            outcome = service.login(login_request, request.tenant_id, ip(call))
        except FusionAuthError as error:
            return login_page(call, request, errors=[error_text(error)])
        if outcome.status == 232:
            fields = request.hidden_fields()
            return redirect(link("/oauth2/start-idp-link", fields, pendingIdPLinkId=outcome.body["pendingIdPLinkId"]))
        return finish(call, request, outcome, False, provider["type"])

    def start_idp_link(call: Call) -> Reply:
        request = request_of(call.query)
        if isinstance(request, Reply):
            return request
        fields = request.hidden_fields()
        pending = live_pending(fields.get("pendingIdPLinkId"))
        if pending is None:
            fields["pendingIdPLinkId"] = ""
            return login_page(call, request, fields, [message("[MissingPendingIdPLinkId]")])
        registration = request.application.get("registrationConfiguration", {}).get("enabled", False)
        return render(
            "oauth2StartIdPLink.html",
            title=message("oauth2-start-idp-link-page-title"),
            provider_name=provider_name(pending),
            registration_enabled=registration,
            link_existing=link("/oauth2/authorize", fields),
            link_new=link("/oauth2/register", fields),
            cancel=link("/oauth2/authorize", fields, cancelPendingIdpLink="true"),
        )

    # -- two-factor -------------------------------------------------------------------------------
    def live_two_factor(two_factor_id: str) -> dict[str, Any] | None:
        pending = store.read().get(TWO_FACTOR_LOGINS, two_factor_id) if two_factor_id else None
        return pending if pending is not None and pending["expiry"] >= now_ms() else None

    def two_factor_page(
        call: Call,
        request: AuthorizeRequest,
        values: Mapping[str, str],
        pending: dict[str, Any],
        errors: list[str] | None = None,
        field_errors: dict[str, list[str]] | None = None,
        infos: list[str] | None = None,
    ) -> Reply:
        seconds = request.tenant.get("externalIdentifierConfiguration", {}).get(
            "twoFactorTrustIdTimeToLiveInSeconds", 2592000
        )
        method = next((m for m in pending["methods"] if m["id"] == values.get("methodId")), None)
        return render(
            "oauth2TwoFactor.html",
            title=message("oauth2-two-factor-page-title"),
            fields=request.hidden_fields(),
            extra=extras(call, values, "twoFactorId", "methodId", "rememberDevice"),
            errors=errors or [],
            infos=infos or [],
            field_errors=field_errors or {},
            trust_days=round(int(seconds) / 86400),
            can_resend=method is not None and method["method"] in ("email", "sms"),
        )

    def two_factor_get(call: Call) -> Reply:
        request = request_of(call.query)
        if isinstance(request, Reply):
            return request
        pending = live_two_factor(call.query.get("twoFactorId", ""))
        if pending is None:
            return login_page(call, request, errors=[message("[TwoFactorTimeout]")])
        return two_factor_page(call, request, call.query, pending)

    def two_factor_post(call: Call) -> Reply:
        form: dict[str, str] = call.body
        request = request_of(form)
        if isinstance(request, Reply):
            return request
        pending = live_two_factor(form.get("twoFactorId", ""))
        if pending is None:
            return login_page(call, request, errors=[message("[TwoFactorTimeout]")])
        if form.get("action") == "send":
            try:
                completion.send_two_factor_code(store, pending["id"], {"methodId": form.get("methodId", "")})
            except FusionAuthError as error:
                return two_factor_page(call, request, form, pending, errors=[error_text(error)])
            return two_factor_page(call, request, form, pending, infos=[message("[TwoFactorMessageSent]")])
        code = form.get("code", "").strip()
        if not code:
            return two_factor_page(call, request, form, pending, field_errors={"code": [message("[blank]code")]})
        trust = form.get("trustComputer") == "true"
        try:
            outcome = completion.two_factor_login(
                store, service, {"twoFactorId": pending["id"], "code": code, "trustComputer": trust}
            )
        except FusionAuthError as error:
            if error.status == 421:
                return two_factor_page(call, request, form, pending, field_errors={"code": [message("[invalid]code")]})
            return login_page(call, request, errors=[message("[TwoFactorTimeout]")])
        cookies: list[Any] = []
        trust_id = (outcome.body or {}).pop("twoFactorTrustId", None)
        if trust_id:
            seconds = request.tenant.get("externalIdentifierConfiguration", {}).get(
                "twoFactorTrustIdTimeToLiveInSeconds", 2592000
            )
            cookies.append((TRUST_COOKIE, trust_id, {**COOKIE_OPTIONS, "max_age": int(seconds)}))
        remember = form.get("rememberDevice") == "true"
        return finish(call, request, outcome, remember, pending["authenticationType"], cookies)

    # -- change password (203) --------------------------------------------------------------------
    def password_page(
        call: Call, request: AuthorizeRequest, values: Mapping[str, str], field_errors: dict[str, list[str]]
    ) -> Reply:
        return render(
            "passwordChange.html",
            title=message("password-change-page-title"),
            fields=request.hidden_fields(),
            extra=extras(call, values, "changePasswordId"),
            remember=values.get("rememberDevice") == "true",
            errors=[],
            field_errors=field_errors,
        )

    def password_get(call: Call) -> Reply:
        request = request_of(call.query)
        if isinstance(request, Reply):
            return request
        if store.read().get(CHANGE_PASSWORDS, call.query.get("changePasswordId", "")) is None:
            return login_page(call, request, errors=[message("[InvalidChangePasswordId]")])
        return password_page(call, request, call.query, {})

    def password_post(call: Call) -> Reply:
        form: dict[str, str] = call.body
        request = request_of(form)
        if isinstance(request, Reply):
            return request
        change_id = form.get("changePasswordId", "")
        field_errors: dict[str, list[str]] = {}
        for name in ("password", "passwordConfirm"):
            if not form.get(name):
                field_errors[name] = [message("[blank]")]
        if not field_errors and form["password"] != form["passwordConfirm"]:
            field_errors["passwordConfirm"] = [message("[doNotMatch]")]
        if field_errors:
            return password_page(call, request, form, field_errors)
        try:
            changed = completion.change_password(store, change_id, {"password": form["password"]})
        except FusionAuthError as error:
            if error.status == 404:
                return login_page(call, request, errors=[message("[InvalidChangePasswordId]")])
            found: dict[str, list[str]] = {}
            for entry in (error.body or {}).get("fieldErrors", {}).get("password", []):
                found.setdefault("password", []).append(message(entry["code"]))
            return password_page(call, request, form, found or {"password": [error_text(error)]})
        login_request = {
            "oneTimePassword": changed["oneTimePassword"],
            "applicationId": request.application_id,
            "noJWT": True,
        }
        try:
            outcome = password_login(store, service, request.tenant, request.application, login_request, ip(call))
        except FusionAuthError as error:
            return login_page(call, request, errors=[error_text(error)])
        return finish(call, request, outcome, form.get("rememberDevice") == "true", PASSWORD)

    # -- verification gates (212, 213) -------------------------------------------------------------
    def gate(kind: str) -> tuple[Handler, Handler]:
        template = "emailVerificationRequired.html" if kind == "email" else "registrationVerificationRequired.html"
        title = message(f"{kind}-verification-required-page-title")
        verify: Callable[[Any, dict[str, Any]], None] = (
            completion.verify_email if kind == "email" else completion.verify_registration
        )

        def show(
            call: Call,
            request: AuthorizeRequest,
            values: Mapping[str, str],
            errors: list[str] | None = None,
            infos: list[str] | None = None,
            field_errors: dict[str, list[str]] | None = None,
        ) -> Reply:
            return render(
                template,
                title=title,
                kind=kind,
                fields=request.hidden_fields(),
                extra=extras(call, values, "verificationId", "email", "rememberDevice"),
                collect=bool(values.get("verificationId")),
                errors=errors or [],
                infos=infos or [],
                field_errors=field_errors or {},
            )

        def page(call: Call) -> Reply:
            request = request_of(call.query)
            if isinstance(request, Reply):
                return request
            return show(call, request, call.query)

        def submit(call: Call) -> Reply:
            form: dict[str, str] = call.body
            request = request_of(form)
            if isinstance(request, Reply):
                return request
            record = store.read().get(VERIFICATIONS, form.get("verificationId", ""))
            if record is not None and record.get("type") != kind:
                record = None
            if form.get("action") == "resend":
                return resend(call, request, form, record)
            if record is None:
                return show(call, request, form, errors=[message("[InvalidVerificationId]")])
            code = form.get("oneTimeCode", "").strip()
            if not code:
                return show(call, request, form, field_errors={"oneTimeCode": [message("[blank]")]})
            try:
                verify(store, {"verificationId": record["id"], "oneTimeCode": code})
            except FusionAuthError as error:
                if error.status == 404:
                    return show(call, request, form, errors=[message("[InvalidVerificationId]")])
                return show(call, request, form, field_errors={"oneTimeCode": [message("[invalid]oneTimeCode")]})
            outcome = complete_for(call, request, record["userId"], PASSWORD)
            if outcome is None:
                return login_page(call, request, errors=[message("[InvalidLogin]")])
            return finish(call, request, outcome, form.get("rememberDevice") == "true", PASSWORD)

        def resend(call: Call, request: AuthorizeRequest, form: dict[str, str], record: dict[str, Any] | None) -> Reply:
            """Another email: a new verification (and one-time code) replaces the open one."""
            with store.write() as tx:
                user = tx.get(USERS, record["userId"]) if record is not None else None
                if user is None and form.get("email"):
                    user = Users.by_email(tx, request.tenant_id, form["email"])
                if user is None:
                    return show(call, request, form, errors=[message("[InvalidVerificationId]")])
                application_id = request.application_id if kind == "registration" else None
                for old in tx.find(VERIFICATIONS, userId=user["id"], type=kind):
                    if old.get("applicationId") == application_id:
                        tx.delete(VERIFICATIONS, old["id"])
                new_id = verification_id(tx, kind, user, application_id)
            values = {**form, "verificationId": new_id if form.get("verificationId") else ""}
            sent = "[EmailVerificationSent]" if kind == "email" else "[RegistrationVerificationSent]"
            return show(call, request, values, infos=[message(sent)])

        return page, submit

    def stylesheet(call: Call) -> Reply:
        return Reply(200, STYLESHEET, {"Content-Type": "text/css; charset=UTF-8", "Cache-Control": "max-age=3600"})

    email_page, email_submit = gate("email")
    registration_page, registration_submit = gate("registration")
    return {
        "oauth2AuthorizePage": authorize_page,
        "oauth2AuthorizeSubmit": authorize_submit,
        "oauth2Redirect": provider_redirect,
        "oauth2Callback": callback,
        "oauth2StartIdPLinkPage": start_idp_link,
        "oauth2TwoFactorPage": two_factor_get,
        "oauth2TwoFactorSubmit": two_factor_post,
        "passwordChangePage": password_get,
        "passwordChangeSubmit": password_post,
        "emailVerificationRequiredPage": email_page,
        "emailVerificationRequiredSubmit": email_submit,
        "registrationVerificationRequiredPage": registration_page,
        "registrationVerificationRequiredSubmit": registration_submit,
        "hostedPagesStylesheet": stylesheet,
    }
