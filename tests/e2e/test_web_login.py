"""A person signs in to a web app (Authlib: OIDC discovery, PKCE S256, id token verified) through the mock's hosted
pages in Chromium: password, Twitch (new user, existing link, pending link), two-factor, change password, a wrong
password, logout and the SSO session. Every page seen is screenshotted (see conftest.py)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ..conftest import APP_ID, TWITCH_ID
from .conftest import PASSWORD, Admin, SampleApp, Shots

TWITCH_BUTTON = "button.login-button.twitch"  # FusionAuth's markup: <button class="login-button … twitch">
RICHARD = "#twitch-identity-4242"  # the registry's Twitch account "richard" (richard@example.com) on the consent page


def open_login_page(page: Any, app: SampleApp, shots: Shots, **params: str) -> None:
    """From the app's "Log in" to FusionAuth's login page (the app redirects to /oauth2/authorize)."""
    page.goto(f"{app.url}/login?{urlencode(params)}" if params else f"{app.url}/login")
    page.wait_for_selector("input[name=loginId]")
    shots(page, "login-page")


def submit_password(page: Any, login_id: str, password: str, remember: bool = False) -> None:
    """FusionAuth's login form: loginId, password, the "Keep me signed in" checkbox (rememberDevice)."""
    page.fill("input[name=loginId]", login_id)
    page.fill("input[name=password]", password)
    if remember:
        page.check("input[name=rememberDevice][type=checkbox]")
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")  # submits the form as a person would


def signed_in(page: Any, app: SampleApp, shots: Shots) -> dict[str, str]:
    """Back at the app, signed in: the claims of the id token that Authlib verified."""
    page.wait_for_url(f"{app.url}/")
    shots(page, "app-signed-in")
    status = page.inner_text("#status")
    assert status.startswith("Signed in as"), status
    return {row.locator("th").inner_text(): row.locator("td").inner_text() for row in page.locator("#claims tr").all()}


def choose_twitch(page: Any, shots: Shots) -> None:
    """Click the login page's Twitch button: the mock plays Twitch with its consent page."""
    button = page.locator(TWITCH_BUTTON)
    assert button.inner_text().strip() == "Login with Twitch"
    with page.expect_navigation():
        button.click()
    page.wait_for_url(re.compile(r"/_mock/twitch/"))
    shots(page, "twitch-consent")


def test_password_login_and_logout(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    user = admin.create_user("dinesh@piedpiper.com")
    open_login_page(page, sample_app, shots)
    submit_password(page, "dinesh@piedpiper.com", PASSWORD, remember=True)
    claims = signed_in(page, sample_app, shots)
    assert claims["sub"] == user["id"] and claims["email"] == "dinesh@piedpiper.com"
    assert claims["iss"] == admin.url and claims["aud"] == APP_ID
    assert page.inner_text("#refresh") == "refresh token received"  # offline_access + generateRefreshTokens
    assert page.inner_text("#userinfo-email") == "dinesh@piedpiper.com"  # /oauth2/userinfo with the access token

    page.click("#logout")  # the app's session ends, then FusionAuth's (/oauth2/logout)
    # logoutBehavior AllApplications (FusionAuth's default): "Logging out…", then on to post_logout_redirect_uri.
    page.get_by_role("heading", name="Logging out").wait_for()
    shots(page, "fusionauth-logging-out")
    page.wait_for_url(f"{sample_app.logged_out_url}**")
    shots(page, "app-signed-out")
    assert page.inner_text("#status") == "Signed out."
    # FusionAuth's SSO session ended too: logging in again asks for the password.
    open_login_page(page, sample_app, shots)


def test_wrong_password(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    admin.create_user("gilfoyle@piedpiper.com")
    open_login_page(page, sample_app, shots)
    submit_password(page, "gilfoyle@piedpiper.com", "not-the-password")
    page.get_by_text("Invalid login credentials.").wait_for()
    shots(page, "invalid-login")
    assert page.input_value("input[name=loginId]") == "gilfoyle@piedpiper.com"  # kept, as FusionAuth does
    submit_password(page, "gilfoyle@piedpiper.com", PASSWORD)
    assert signed_in(page, sample_app, shots)["email"] == "gilfoyle@piedpiper.com"
    # Without "Keep me signed in" FusionAuth keeps no SSO session: the next login asks again.
    page.click("#forget")
    page.click("#login")
    page.wait_for_selector("input[name=loginId]")
    assert "fusionauth.sso" not in {c["name"] for c in page.context.cookies()}


def test_sso_session_skips_the_form(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    user = admin.create_user("jared@piedpiper.com")
    open_login_page(page, sample_app, shots)
    submit_password(page, "jared@piedpiper.com", PASSWORD, remember=True)
    signed_in(page, sample_app, shots)
    cookies = {(c["name"], c["domain"]) for c in page.context.cookies()}
    mock_host = urlsplit(admin.url).hostname
    assert ("fusionauth.sso", mock_host) in cookies  # FusionAuth's SSO cookie, in the mock's jar only
    assert not any(name.startswith("fusionauth.") and domain == "localhost" for name, domain in cookies)

    page.click("#forget")  # signed out of the app only
    assert page.inner_text("#status") == "Not signed in."
    answers: list[tuple[str, int]] = []
    page.on("response", lambda r: answers.append((r.url, r.status)))
    page.click("#login")
    claims = signed_in(page, sample_app, shots)
    assert claims["sub"] == user["id"]
    authorize = [status for url, status in answers if urlsplit(url).path == "/oauth2/authorize"]
    assert authorize == [302], answers  # no login page: the authorize request redirected straight back


def test_twitch_login_creates_a_new_user(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    admin.twitch_provider("LinkByEmail")
    open_login_page(page, sample_app, shots)
    choose_twitch(page, shots)
    # A Twitch account made on the consent page (the mock's identity registry).
    page.fill("input[name=username]", "bighead")
    page.fill("input[name=email]", "bighead@example.com")
    page.check("input[name=email_verified][type=checkbox]")
    shots(page, "twitch-new-identity")
    with page.expect_navigation():
        page.click("#twitch-create-button")
    claims = signed_in(page, sample_app, shots)
    assert claims["email"] == "bighead@example.com"
    user = admin.call("GET", "/api/user?email=bighead@example.com")["user"]
    assert claims["sub"] == user["id"]
    assert [r["applicationId"] for r in user["registrations"]] == [APP_ID]  # createRegistration
    links = admin.call("GET", f"/api/identity-provider/link?identityProviderId={TWITCH_ID}&userId={user['id']}")
    assert links["identityProviderLinks"][0]["displayName"] == "bighead"


def test_twitch_cancel_returns_to_the_login_page(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    """Cancel on Twitch's page: Twitch answers access_denied and FusionAuth shows its login page with the reason."""
    admin.twitch_provider("LinkByEmail")
    open_login_page(page, sample_app, shots)
    choose_twitch(page, shots)
    with page.expect_navigation():
        page.click("#twitch-cancel")
    page.wait_for_selector("input[name=loginId]")
    alert = page.get_by_role("alert")
    assert alert.inner_text().strip() == "The user denied you access"
    shots(page, "login-page-after-cancel")


def test_twitch_login_with_an_existing_link(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    admin.twitch_provider("LinkByEmail")
    open_login_page(page, sample_app, shots)
    choose_twitch(page, shots)
    with page.expect_navigation():
        page.click(RICHARD)
    first = signed_in(page, sample_app, shots)

    page.click("#logout")
    page.wait_for_url(f"{sample_app.logged_out_url}**")
    open_login_page(page, sample_app, shots)
    choose_twitch(page, shots)
    with page.expect_navigation():
        page.click(RICHARD)
    again = signed_in(page, sample_app, shots)
    assert again["sub"] == first["sub"]  # the link made the first time
    links = admin.call("GET", f"/api/identity-provider/link?identityProviderId={TWITCH_ID}&userId={first['sub']}")
    assert len(links["identityProviderLinks"]) == 1


def test_twitch_pending_link(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    """Provider linkingStrategy CreatePendingLink (the Login API's 232): FusionAuth asks the person to log in to an
    existing account, and links the Twitch identity to it."""
    admin.twitch_provider("CreatePendingLink")
    existing = admin.create_user("richard@piedpiper.com")
    open_login_page(page, sample_app, shots)
    choose_twitch(page, shots)
    with page.expect_navigation():
        page.click(RICHARD)
    page.wait_for_url(re.compile(r"/oauth2/start-idp-link\?"))  # FusionAuth's pending link page
    shots(page, "pending-link")
    with page.expect_navigation():
        page.click("#link-to-existing-user")
    page.wait_for_selector("#pending-link-message")  # the login page, completing the link
    shots(page, "pending-link-login")
    assert page.input_value("input[name=pendingIdPLinkId]")
    submit_password(page, "richard@piedpiper.com", PASSWORD)
    claims = signed_in(page, sample_app, shots)
    assert claims["sub"] == existing["id"]
    links = admin.call("GET", f"/api/identity-provider/link?identityProviderId={TWITCH_ID}&userId={existing['id']}")
    assert links["identityProviderLinks"][0]["identityProviderUserId"] == "4242"


def test_two_factor_page(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    """Two-factor on (the Login API's 242): the code page; the code is read from the mock's outbox."""
    email = "monica@piedpiper.com"
    admin.create_user(email, twoFactor={"methods": [{"method": "email", "email": email}]})
    open_login_page(page, sample_app, shots)
    submit_password(page, email, PASSWORD)
    page.wait_for_selector("input[name=code]")
    shots(page, "two-factor")
    messages = admin.messages(email)
    assert messages, "no two-factor code was sent"
    code = messages[0]["data"].get("code") or re.search(r"\b(\d{6})\b", messages[0]["body"]).group(1)  # type: ignore[union-attr]
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("input[name=code]").press("Enter")
    assert signed_in(page, sample_app, shots)["email"] == email


def test_change_password_page(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    """A password change required (the Login API's 203): FusionAuth's change password page, then the app."""
    email = "laurie@piedpiper.com"
    admin.create_user(email, passwordChangeRequired=True)
    open_login_page(page, sample_app, shots)
    submit_password(page, email, PASSWORD)
    page.wait_for_selector("input[name=passwordConfirm]")
    shots(page, "change-password")
    page.fill("input[name=password]", "a-brand-new-password-2")
    page.fill("input[name=passwordConfirm]", "a-brand-new-password-2")
    with page.expect_navigation():
        page.locator("input[name=passwordConfirm]").press("Enter")
    assert signed_in(page, sample_app, shots)["email"] == email
    # The new password is the one that works now.
    user = admin.call("GET", f"/api/user?email={email}")["user"]
    assert not user.get("passwordChangeRequired")
    body = {"loginId": email, "password": "a-brand-new-password-2", "applicationId": APP_ID}
    assert admin.call("POST", "/api/login", body)["user"]["id"] == user["id"]


def test_authorize_request_carries_pkce(page: Any, admin: Admin, sample_app: SampleApp, shots: Shots) -> None:
    """The sample app is a standard client: code flow, PKCE S256, nonce, state, the discovery document's endpoint."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    open_login_page(page, sample_app, shots)
    authorize = next(u for u in seen if urlsplit(u).path == "/oauth2/authorize")
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(admin.url)
    assert query["code_challenge_method"] == ["S256"] and query["response_type"] == ["code"]
    assert query["client_id"] == [APP_ID] and query["redirect_uri"] == [sample_app.callback_url]
    assert query["state"] and query["nonce"] and query["scope"] == ["openid offline_access email profile"]
