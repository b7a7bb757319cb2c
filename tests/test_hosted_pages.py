"""FusionAuth's hosted login pages over HTTP: the login page, its form and every outcome, the Twitch button, the
federated callback (CSRF, pending link, cancel), two-factor, change password, the verification gates."""

from __future__ import annotations

import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask.testing import FlaskClient

from .conftest import APP_ID, EMAIL_APP_ID, EMAIL_TENANT_ID, TENANT_ID, TWITCH_ID, load

AUTH = {"Authorization": "mockserver-dev-api-key-not-for-production"}
TENANT_AUTH = {**AUTH, "X-FusionAuth-TenantId": TENANT_ID}
REDIRECT = "https://app.example.com/callback"
VERIFIED_APP = "0c3b6c52-8e1a-4d8b-b1f4-3a2e5d6c7b80"  # fixture application with registration verification
PREVENT_LOGIN = "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
EMAIL = "monica@piedpiper.com"


# -- helpers ----------------------------------------------------------------------------------------
class Forms(HTMLParser):
    """The forms of a page: id (or action) → {field name: value}, with the inputs' ids and the labels' targets."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self.ids: set[str] = set()
        self.labels: set[str] = set()
        self.visible: list[str] = []
        self._current: dict[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "form":
            key = a.get("id") or f"{a.get('action', '')}#{len(self.forms)}"  # forms without an id: by position
            self._current = self.forms.setdefault(key, {})
        elif tag == "label":
            self.labels.add(a.get("for", ""))
        elif tag in ("input", "button") and self._current is not None and a.get("name"):
            if a.get("type") == "checkbox" and "checked" not in a:
                pass
            else:
                self._current.setdefault(a["name"], a.get("value", ""))
        if tag == "input" and a.get("type") not in ("hidden",):
            self.visible.append(a.get("id", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}


def allow_redirect(client: FlaskClient, app_id: str = APP_ID, **oauth: Any) -> None:
    body = {"application": {"oauthConfiguration": {"authorizedRedirectURLs": [REDIRECT], **oauth}}}
    response = client.patch(f"/api/application/{app_id}", json=body, headers=AUTH)
    assert response.status_code == 200, response.data


def patch(client: FlaskClient, path: str, body: dict[str, Any]) -> None:
    response = client.patch(path, json=body, headers=AUTH)
    assert response.status_code == 200, response.data


def make_user(
    client: FlaskClient, app_id: str | None = APP_ID, tenant: str = TENANT_ID, verified: bool = True, **fields: Any
) -> dict[str, Any]:
    user = {"email": EMAIL, "password": "password", **fields}
    headers = {**AUTH, "X-FusionAuth-TenantId": tenant}
    if app_id is None:
        response = client.post("/api/user", json={"user": user, "skipVerification": verified}, headers=headers)
    else:
        body = {"user": user, "registration": {"applicationId": app_id}, "skipVerification": verified}
        response = client.post("/api/user/registration", json=body, headers=headers)
    assert response.status_code == 200, response.data
    return response.get_json()["user"]


def authorize(client: FlaskClient, app_id: str = APP_ID, **params: str) -> Any:
    given = {"client_id": app_id, "redirect_uri": REDIRECT, "response_type": "code", "state": "app-state", **params}
    return client.get("/oauth2/authorize?" + urlencode({k: v for k, v in given.items() if v is not None}))


def login_form(client: FlaskClient, app_id: str = APP_ID, **params: str) -> dict[str, str]:
    response = authorize(client, app_id, **params)
    assert response.status_code == 200, response.data
    return Forms(response.get_data(as_text=True)).forms["login-form"]


def submit(client: FlaskClient, app_id: str = APP_ID, password: str = "password", **extra: str) -> Any:
    form = login_form(client, app_id)
    form.update({"loginId": EMAIL, "password": password, **extra})
    return client.post("/oauth2/authorize", data=form)


def follow(client: FlaskClient, response: Any) -> Any:
    assert response.status_code == 302, response.data
    return client.get(response.headers["Location"])


def code_of(client: FlaskClient, response: Any) -> dict[str, str]:
    """The redirect to the app: its parameters (and the code exists in the store)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].startswith(REDIRECT + "?")
    answer = query(response.headers["Location"])
    assert answer["code"] in client.get("/_mock/state").get_json()["fusionauth.oauthCodes"]
    return answer


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def change_state(client: FlaskClient, collection: str, doc_id: str, **changes: Any) -> None:
    state = client.get("/_mock/state").get_json()
    state[collection][doc_id].update(changes)
    assert client.put("/_mock/state", json=state).status_code == 200


def make_provider(client: FlaskClient, strategy: str = "LinkByEmail", **app_config: Any) -> dict[str, Any]:
    body = load("seed_twitch_request.json")
    body["identityProvider"]["linkingStrategy"] = strategy
    body["identityProvider"]["applicationConfiguration"] = {APP_ID: {"enabled": True, **app_config}}
    response = client.post("/api/identity-provider", json=body, headers=AUTH)
    assert response.status_code == 200, response.data
    return response.get_json()["identityProvider"]


def twitch_round_trip(client: FlaskClient, identity_id: str = "4242", **params: str) -> Any:
    """Login page → the Twitch button → the mock Twitch page → choose `identity_id` → FusionAuth's callback."""
    page = Forms(text(authorize(client, **params)))
    button_form = next(f for f in page.forms.values() if f.get("identityProviderId") == TWITCH_ID)
    to_twitch = client.get("/oauth2/redirect?" + urlencode(button_form))
    consent = follow(client, to_twitch)
    assert consent.status_code == 200
    choice = next(f for f in Forms(text(consent)).forms.values() if f.get("identity_id") == identity_id)
    back = client.post("/_mock/twitch/oauth2/authorize", data=choice)
    assert back.headers["Location"].startswith("http://localhost/oauth2/callback?")
    return follow(client, back)


# -- the login page ---------------------------------------------------------------------------------
def test_the_login_page_has_fusionauths_form_fields_ids_and_headers(client: FlaskClient) -> None:
    allow_redirect(client)
    response = authorize(
        client, scope="openid offline_access", nonce="n-1", code_challenge="x" * 43, code_challenge_method="S256"
    )
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=UTF-8"
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["Cache-Control"] == "no-store"
    html = text(response)
    page = Forms(html)
    form = page.forms["login-form"]
    assert '<form action="/oauth2/authorize" method="POST"' in html
    assert 'id="loginId" type="text" name="loginId"' in html and 'autocomplete="username"' in html
    assert 'id="password" type="password" name="password"' in html
    assert '<input type="hidden" name="__cb_rememberDevice" value="false">' in html
    assert 'id="rememberDevice" type="checkbox" value="true" name="rememberDevice"' in html
    assert 'id="submit-button"' in html and ">Submit<" in html and "Keep me signed in" in html
    for name in (
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "tenantId",
        "pendingIdPLinkId",
        "timezone",
        "metaData.device.name",
    ):
        assert name in form, name
    assert form["state"] == "app-state" and form["nonce"] == "n-1" and form["tenantId"] == TENANT_ID
    assert form["scope"] == "openid offline_access"
    assert "Forgot your password?" in html and "/password/forgot?" in html
    assert "Create an account" not in html and 'id="login-button-container"' not in html
    # Every visible input has a label; no script, no external asset.
    assert all(i in page.labels for i in page.visible), (page.visible, page.labels)
    assert "<script" not in html and "http" not in html.replace(REDIRECT, "").replace("https%3A", "")
    assert client.get("/css/fusionauth-style.css").content_type.startswith("text/css")


def test_login_hint_prefills_the_login_id_and_registration_adds_the_link(client: FlaskClient) -> None:
    allow_redirect(client)
    patch(client, f"/api/application/{APP_ID}", {"application": {"registrationConfiguration": {"enabled": True}}})
    html = text(authorize(client, login_hint="monica@piedpiper.com"))
    assert 'name="loginId" value="monica@piedpiper.com"' in html
    assert "Create an account" in html and "/oauth2/register?" in html


def test_parameters_are_escaped(client: FlaskClient) -> None:
    allow_redirect(client)
    html = text(authorize(client, state='"><script>alert(1)</script>'))
    assert "<script>alert" not in html and "&#34;&gt;&lt;script&gt;" in html


def test_bad_parameters_are_the_error_page_or_a_redirect_with_error(client: FlaskClient) -> None:
    allow_redirect(client)
    unknown = authorize(client, app_id="00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 400 and "<pre" in text(unknown) and "invalid_client_id" in text(unknown)
    assert unknown.headers["X-Frame-Options"] == "DENY"
    wrong_uri = authorize(client, redirect_uri="https://evil.example.com/cb")
    assert wrong_uri.status_code == 400 and "invalid_redirect_uri" in text(wrong_uri)
    no_type = authorize(client, response_type=None)
    assert no_type.status_code == 302
    error = query(no_type.headers["Location"])
    assert error["error"] == "invalid_request" and error["error_reason"] == "missing_response_type"
    assert error["state"] == "app-state"
    assert client.post("/oauth2/authorize", data={"loginId": "x", "password": "y"}).status_code == 400


# -- the password form ------------------------------------------------------------------------------
def test_a_password_login_redirects_to_the_app_with_a_code(client: FlaskClient) -> None:
    allow_redirect(client)
    user = make_user(client)
    answer = code_of(client, submit(client))
    assert answer["state"] == "app-state" and answer["userState"] == "Authenticated" and answer["locale"]
    code = client.get("/_mock/state").get_json()["fusionauth.oauthCodes"][answer["code"]]
    assert code["userId"] == user["id"] and code["authenticationType"] == "PASSWORD"
    # noJWT: the page issues no tokens of its own (they come from /oauth2/token).
    assert not client.get("/_mock/state").get_json().get("fusionauth.refreshTokens")


def test_wrong_credentials_and_blank_fields_show_fusionauths_messages(client: FlaskClient) -> None:
    allow_redirect(client)
    make_user(client)
    wrong = submit(client, password="nope")
    assert wrong.status_code == 200
    html = text(wrong)
    assert 'role="alert"><span>Invalid login credentials.</span>' in html
    assert f'name="loginId" value="{EMAIL}"' in html
    blank = client.post("/oauth2/authorize", data={**login_form(client), "loginId": "", "password": ""})
    page = text(blank)
    assert page.count(">Required</span>") == 2 and 'id="loginId-error"' in page and 'aria-invalid="true"' in page


def test_remember_device_starts_the_sso_session_that_skips_the_form(client: FlaskClient) -> None:
    allow_redirect(client)
    make_user(client)
    first = submit(client, rememberDevice="true")
    code_of(client, first)
    assert any(c.startswith("fusionauth.sso=") for c in first.headers.getlist("Set-Cookie"))
    again = authorize(client, state="second")
    assert code_of(client, again)["state"] == "second"
    assert authorize(client, prompt="login").status_code == 200  # prompt=login shows the form anyway


def test_without_remember_device_there_is_no_session_and_prompt_none_is_login_required(client: FlaskClient) -> None:
    allow_redirect(client)
    make_user(client)
    first = submit(client)
    code_of(client, first)
    assert not any(c.startswith("fusionauth.sso=") for c in first.headers.getlist("Set-Cookie"))
    assert authorize(client).status_code == 200
    none = authorize(client, prompt="none")
    assert none.status_code == 302 and query(none.headers["Location"])["error"] == "login_required"


def test_locked_expired_and_prevented_users_see_fusionauths_messages(client: FlaskClient) -> None:
    allow_redirect(client)
    user = make_user(client)
    action = {"action": {"actioneeUserId": user["id"], "userActionId": PREVENT_LOGIN}}
    assert client.post("/api/user/action", json=action, headers=AUTH).status_code == 200
    assert "Your account has been locked.</span>" in text(submit(client))  # 409
    change_state(client, "fusionauth.users", user["id"], expiry=int(time.time() * 1000) - 1000)
    assert "Your account has expired. Please contact your system administrator." in text(submit(client))  # 410
    change_state(client, "fusionauth.users", user["id"], expiry=None, active=False)
    assert "Your account has been locked. Please contact your system administrator." in text(submit(client))  # 423


def test_not_registered_redirects_with_user_state_or_shows_registration_required(client: FlaskClient) -> None:
    allow_redirect(client)
    make_user(client, app_id=None)
    assert code_of(client, submit(client))["userState"] == "AuthenticatedNotRegistered"
    allow_redirect(client, requireRegistration=True)
    page = submit(client)
    assert page.status_code == 200 and "Registration is required to access this application" in text(page)


# -- two-factor, change password, verification gates --------------------------------------------------
def test_two_factor_page_takes_the_code_from_the_outbox_and_trusts_the_device(client: FlaskClient) -> None:
    allow_redirect(client)
    make_user(client, twoFactor={"methods": [{"method": "email", "email": EMAIL}]})
    challenge = submit(client, rememberDevice="true")
    assert challenge.headers["Location"].startswith("/oauth2/two-factor?")
    page = follow(client, challenge)
    html = text(page)
    assert "Authentication challenge" in html and 'id="code"' in html and "Trust this device for 30 days" in html
    form = Forms(html).forms["2fa-form"]
    wrong = client.post("/oauth2/two-factor", data={**form, "code": "000000"})
    assert wrong.status_code == 200 and ">Invalid code</span>" in text(wrong)
    resent = client.post("/oauth2/two-factor", data={**Forms(html).forms["2fa-resend-form"]})
    assert "A one-time use code was sent" in text(resent)
    code = client.get("/_mock/messages", query_string={"to": EMAIL}).get_json()["messages"][0]["data"]["code"]
    done = client.post("/oauth2/two-factor", data={**form, "code": code, "trustComputer": "true"})
    assert code_of(client, done)["state"] == "app-state"
    cookies = done.headers.getlist("Set-Cookie")
    assert any(c.startswith("fusionauth.trust=") for c in cookies)
    assert any(c.startswith("fusionauth.sso=") for c in cookies)  # rememberDevice survived the second step
    # The trusted device skips the challenge next time.
    client.delete_cookie("fusionauth.sso")
    assert code_of(client, submit(client))


def test_an_unknown_two_factor_id_is_the_timeout_message(client: FlaskClient) -> None:
    allow_redirect(client)
    form = login_form(client)
    page = client.get("/oauth2/two-factor?" + urlencode({**form, "twoFactorId": "nope"}))
    assert "You did not complete the two-factor challenge in time." in text(page)


def test_change_password_page_then_login(client: FlaskClient) -> None:
    allow_redirect(client)
    make_user(client, passwordChangeRequired=True, passwordChangeReason="Expired")
    to_change = submit(client)
    assert to_change.headers["Location"].startswith("/password/change?")
    html = text(follow(client, to_change))
    assert "Update your password" in html and 'id="passwordConfirm"' in html
    form = Forms(html).forms["password-change-form"]
    mismatch = client.post("/password/change", data={**form, "password": "password2", "passwordConfirm": "x"})
    assert "Values do not match" in text(mismatch)
    short = client.post("/password/change", data={**form, "password": "a", "passwordConfirm": "a"})
    assert "Password does not meet the minimum length requirement" in text(short)
    done = client.post("/password/change", data={**form, "password": "password2", "passwordConfirm": "password2"})
    assert code_of(client, done)["userState"] == "Authenticated"
    assert code_of(client, submit(client, password="password2"))
    again = client.get("/password/change?" + urlencode({**form}))
    assert "Your password reset code has expired or is invalid." in text(again)


def test_email_verification_gate_takes_the_code_from_the_outbox(client: FlaskClient) -> None:
    allow_redirect(client, app_id=EMAIL_APP_ID)
    make_user(client, app_id=EMAIL_APP_ID, tenant=EMAIL_TENANT_ID, verified=False)
    # Allow (FusionAuth's default): logged in, userState says not verified.
    assert code_of(client, submit(client, EMAIL_APP_ID))["userState"] == "AuthenticatedNotVerified"
    gated = {"tenant": {"emailConfiguration": {"unverified": {"behavior": "Gated"}}}}
    patch(client, f"/api/tenant/{EMAIL_TENANT_ID}", gated)
    to_gate = submit(client, EMAIL_APP_ID)
    assert to_gate.headers["Location"].startswith("/email/verification-required?")
    html = text(follow(client, to_gate))
    assert "You must verify your email address before you continue." in html
    form = Forms(html).forms["verification-required-enter-code"]
    wrong = client.post("/email/verification-required", data={**form, "oneTimeCode": "XXXXXX"})
    assert ">Invalid</span>" in text(wrong)
    resend = client.post("/email/verification-required", data=Forms(html).forms["verification-required-resend-code"])
    assert "A verification email is on the way." in text(resend)
    form = Forms(text(resend)).forms["verification-required-enter-code"]
    mail = client.get("/_mock/messages", query_string={"to": EMAIL}).get_json()["messages"][0]
    assert mail["data"]["verificationId"] == form["verificationId"]
    done = client.post("/email/verification-required", data={**form, "oneTimeCode": mail["data"]["oneTimeCode"]})
    assert code_of(client, done)["userState"] == "Authenticated"


def test_registration_verification_gate(client: FlaskClient) -> None:
    allow_redirect(client, app_id=VERIFIED_APP)
    make_user(client, app_id=VERIFIED_APP)
    patch(client, f"/api/application/{VERIFIED_APP}", {"application": {"unverified": {"behavior": "Gated"}}})
    to_gate = submit(client, VERIFIED_APP)
    assert to_gate.headers["Location"].startswith("/registration/verification-required?")
    html = text(follow(client, to_gate))
    assert "You must verify your registration before you continue." in html
    form = Forms(html).forms["verification-required-enter-code"]
    mail = client.get("/_mock/messages", query_string={"to": EMAIL}).get_json()["messages"][0]
    done = client.post("/registration/verification-required", data={**form, "oneTimeCode": mail["data"]["oneTimeCode"]})
    assert code_of(client, done)["userState"] == "Authenticated"


# -- identity providers -------------------------------------------------------------------------------
def test_a_button_per_enabled_provider_with_the_per_application_text(client: FlaskClient) -> None:
    allow_redirect(client)
    make_provider(client, buttonText="Play with Twitch")
    html = text(authorize(client))
    assert '<div id="login-button-container" class="login-button-container" data-federated-csrf="' in html
    assert 'class="login-button twitch"' in html and f'data-identity-provider-id="{TWITCH_ID}"' in html
    assert 'data-login-method="UseRedirect"' in html and 'data-scope="openid user:read:email"' in html
    assert ">Play with Twitch<" in html
    assert not any(f == "" for f in Forms(html).forms)  # the button is a form submit: no script needed
    # Not enabled for another application: no button there.
    allow_redirect(client, app_id=VERIFIED_APP)
    assert "login-button-container" not in text(authorize(client, app_id=VERIFIED_APP))


def test_the_button_goes_to_twitch_with_twitchs_parameters_and_the_csrf_cookie(client: FlaskClient) -> None:
    allow_redirect(client)
    make_provider(client)
    form = next(f for f in Forms(text(authorize(client))).forms.values() if "identityProviderId" in f)
    response = client.get("/oauth2/redirect?" + urlencode(form))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("http://localhost/_mock/twitch/oauth2/authorize?")
    params = query(location)
    assert params["client_id"] == "ckpq645wx0008bn66ym5hwzjhckpq6" and params["response_type"] == "code"
    assert params["redirect_uri"] == "http://localhost/oauth2/callback" and params["scope"] == "openid user:read:email"
    assert params["state"] and params["state"] != "app-state"
    assert client.get_cookie("federated.csrf") is not None
    bad = client.get("/oauth2/redirect?" + urlencode({**form, "identityProviderId": "nope"}))
    assert bad.status_code == 200 and "Unable to handle the identity provider login" in text(bad)


def test_login_with_twitch_creates_the_user_and_returns_the_apps_state(client: FlaskClient) -> None:
    allow_redirect(client)
    make_provider(client)
    answer = code_of(client, twitch_round_trip(client))
    assert answer["state"] == "app-state" and answer["userState"] == "Authenticated"
    user_id = client.get("/_mock/state").get_json()["fusionauth.oauthCodes"][answer["code"]]["userId"]
    user = client.get(f"/api/user/{user_id}", headers=AUTH).get_json()["user"]
    assert user["email"] == "richard@example.com"
    # The same Twitch identity again: the existing link, the same user.
    again = code_of(client, twitch_round_trip(client, state="again"))
    assert client.get("/_mock/state").get_json()["fusionauth.oauthCodes"][again["code"]]["userId"] == user_id


def test_idp_hint_goes_straight_to_the_provider(client: FlaskClient) -> None:
    allow_redirect(client)
    make_provider(client)
    response = authorize(client, idp_hint=TWITCH_ID)
    assert response.status_code == 302 and "/_mock/twitch/oauth2/authorize?" in response.headers["Location"]


def test_the_callback_checks_the_federated_csrf_cookie_and_the_state(client: FlaskClient) -> None:
    allow_redirect(client)
    make_provider(client)
    to_twitch = authorize(client, idp_hint=TWITCH_ID)
    state = query(to_twitch.headers["Location"])["state"]
    client.delete_cookie("federated.csrf")
    missing = client.get("/oauth2/callback?" + urlencode({"code": "twitch-code-richard", "state": state}))
    assert missing.status_code == 200 and "The request origin could not be verified." in text(missing)
    client.set_cookie("federated.csrf", "forged")
    invalid = client.get("/oauth2/callback?" + urlencode({"code": "twitch-code-richard", "state": state}))
    assert "The request origin could not be verified." in text(invalid)
    no_state = client.get("/oauth2/callback?code=twitch-code-richard")
    assert no_state.status_code == 400 and "missing_redirect_uri" in text(no_state)
    assert client.get("/oauth2/callback?state=%%%&code=x").status_code == 400


def test_cancel_at_twitch_returns_to_the_login_page_with_the_error(client: FlaskClient) -> None:
    allow_redirect(client)
    make_provider(client)
    consent = follow(client, authorize(client, idp_hint=TWITCH_ID))
    cancel = next(f for f in Forms(text(consent)).forms.values() if f.get("action") == "cancel")
    page = follow(client, client.post("/_mock/twitch/oauth2/authorize", data=cancel))
    assert page.status_code == 200 and "The user denied you access" in text(page) and 'id="loginId"' in text(page)


def test_a_failed_identity_provider_login_shows_fusionauths_message(client: FlaskClient) -> None:
    allow_redirect(client)
    make_provider(client)  # LinkByEmail, and "nomail" has no email
    page = twitch_round_trip(client, identity_id="5151")
    assert "An email address was not provided for the user." in text(page)


def test_pending_link_then_log_in_to_link_the_account(client: FlaskClient) -> None:
    allow_redirect(client)
    user = make_user(client)
    make_provider(client, strategy="CreatePendingLink")
    to_link = twitch_round_trip(client)
    assert to_link.headers["Location"].startswith("/oauth2/start-idp-link?")
    html = text(follow(client, to_link))
    assert "You have successfully authenticated using Twitch." in html
    assert "To complete this request you must link to an existing user." in html
    existing = html.split('id="link-to-existing-user"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    login = client.get(existing)
    page = text(login)
    assert "Login to complete your link to Twitch." in page and "login-button-container" not in page
    form = Forms(page).forms["login-form"]
    assert form["pendingIdPLinkId"]
    done = client.post("/oauth2/authorize", data={**form, "loginId": EMAIL, "password": "password"})
    code_of(client, done)
    links = client.get(f"/api/identity-provider/link?userId={user['id']}", headers=AUTH).get_json()
    assert links["identityProviderLinks"][0]["identityProviderUserId"] == "4242"
    # The next Twitch login finds the link.
    assert code_of(client, twitch_round_trip(client))


def test_a_pending_link_can_be_cancelled(client: FlaskClient) -> None:
    allow_redirect(client)
    make_provider(client, strategy="CreatePendingLink")
    start = follow(client, twitch_round_trip(client))
    cancel = start.get_data(as_text=True).split('id="cancel-link"')[0].rsplit('href="', 1)[1].split('"')[0]
    page = text(client.get(cancel.replace("&amp;", "&")))
    assert "Login to complete your link" not in page and 'name="pendingIdPLinkId" value=""' in page
    assert not client.get("/_mock/state").get_json().get("fusionauth.pendingLinks")
    gone = client.get("/oauth2/start-idp-link?" + urlencode({**login_form(client), "pendingIdPLinkId": "nope"}))
    assert "You must first log into a 3rd party identity provider" in text(gone)


# -- a live server, a browser-like session and the official client ------------------------------------
def test_live_password_login_then_the_official_client_exchanges_the_code(live_clean: Any) -> None:
    import requests
    from fusionauth.fusionauth_client import FusionAuthClient

    from .conftest import API_KEY

    url = live_clean.url
    admin = FusionAuthClient(API_KEY, url)
    admin.set_tenant_id(TENANT_ID)
    secret = "hosted-pages-secret"
    oauth = {"authorizedRedirectURLs": [REDIRECT], "clientSecret": secret}
    assert admin.patch_application(APP_ID, {"application": {"oauthConfiguration": oauth}}).was_successful()
    created = admin.register(
        {"user": {"email": EMAIL, "password": "password"}, "registration": {"applicationId": APP_ID}}
    )
    assert created.was_successful(), created.error_response
    browser = requests.Session()
    params = {"client_id": APP_ID, "redirect_uri": REDIRECT, "response_type": "code", "scope": "openid", "state": "s1"}
    page = browser.get(f"{url}/oauth2/authorize", params=params, timeout=5)
    assert page.status_code == 200 and page.headers["X-Frame-Options"] == "DENY"
    form = Forms(page.text).forms["login-form"]
    posted = browser.post(
        f"{url}/oauth2/authorize",
        data={**form, "loginId": EMAIL, "password": "password", "rememberDevice": "true"},
        allow_redirects=False,
        timeout=5,
    )
    assert posted.status_code == 302, posted.text[:1000]
    answer = query(posted.headers["Location"])
    assert answer["state"] == "s1" and "fusionauth.sso" in browser.cookies
    exchanged = FusionAuthClient(None, url).exchange_o_auth_code_for_access_token(
        answer["code"], REDIRECT, APP_ID, secret
    )
    assert exchanged.was_successful(), exchanged.error_response
    assert exchanged.success_response["access_token"] and exchanged.success_response["id_token"]
    # The SSO session: the next authorize skips the form.
    again = browser.get(f"{url}/oauth2/authorize", params={**params, "state": "s2"}, allow_redirects=False, timeout=5)
    assert again.status_code == 302 and query(again.headers["Location"])["state"] == "s2"
