"""Browser end-to-end fixtures: Debian's Chromium driven by Playwright, a live mock, and the Authlib sample app.

Chromium is not optional: without it these tests fail (CI installs Debian's `chromium`, see .ci/run). Set
MOCKSERVER_E2E=0 to skip them on purpose. MOCKSERVER_CHROMIUM names another Chromium binary; screenshots go to
MOCKSERVER_E2E_SCREENSHOTS/<test>/ when set, else to the test's tmp_path (their folder is printed at the end).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from mockserver.testing import LiveServer

from ..conftest import API_KEY, APP_ID, TENANT_ID, load
from .sample_app import SampleApp

CHROMIUM = os.environ.get("MOCKSERVER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CLIENT_SECRET = "sample-app-client-secret-for-the-e2e-tests"
# The fixtures' RSA key: Authlib verifies id tokens against the JWKS, which never holds FusionAuth's default HS256
# id-token key (the client secret), so the application signs both tokens with it (as FusionAuth's docs advise).
RSA_KEY_ID = "0f6a2b7c-5d3e-4f81-9a2b-6c7d8e9f0a1b"
PASSWORD = "password-for-e2e-1"
TIMEOUT_MS = 10_000

_SHOT_DIRS: list[Path] = []
_FAILED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("MOCKSERVER_E2E") != "0":
        return
    skip = pytest.mark.skip(reason="MOCKSERVER_E2E=0: browser end-to-end tests switched off")
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed  # the page fixture screenshots a failing test's last page
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SHOT_DIRS:
        terminalreporter.write_sep("-", "e2e screenshots")
        for folder in _SHOT_DIRS:
            terminalreporter.write_line(str(folder))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (Debian), or MOCKSERVER_E2E=0 to skip",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def mock() -> Iterator[LiveServer]:
    """The e2e tests' own server: they change the tenant's issuer, which other tests' `live` must not see."""
    server = LiveServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sample_app(mock: LiveServer) -> Iterator[SampleApp]:
    # The mock on 127.0.0.1, the app on localhost: two cookie jars (cookies ignore ports).
    app = SampleApp(mock.url, APP_ID, CLIENT_SECRET, host="localhost").start()
    yield app
    app.stop()


@dataclass
class Admin:
    """The mock's admin API with the fixture API key, scoped to the Default tenant."""

    url: str
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.headers.update({"Authorization": API_KEY, "X-FusionAuth-TenantId": TENANT_ID})

    def call(self, method: str, path: str, body: Any = None, expect: int = 200, global_: bool = False) -> Any:
        """`global_`: without the tenant header (an identity provider of every tenant, as FusionAuth's Twitch)."""
        headers = {"X-FusionAuth-TenantId": None} if global_ else None  # requests drops a None header
        response = self.session.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=10)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def create_user(self, email: str, password: str = PASSWORD, **user: Any) -> dict[str, Any]:
        """A user registered for the sample app's application (as a sign-up through the app would leave it)."""
        body = {
            "user": {"email": email, "password": password, **user},
            "registration": {"applicationId": APP_ID},
            "skipVerification": True,
        }
        return self.call("POST", "/api/user/registration", body)["user"]

    def twitch_provider(self, strategy: str = "LinkByEmail") -> dict[str, Any]:
        """The Twitch identity provider, enabled for the sample app's application."""
        body = load("seed_twitch_request.json")
        body["identityProvider"]["linkingStrategy"] = strategy
        body["identityProvider"]["applicationConfiguration"] = {APP_ID: {"enabled": True, "createRegistration": True}}
        return self.call("POST", "/api/identity-provider", body, global_=True)["identityProvider"]

    def messages(self, to: str) -> list[dict[str, Any]]:
        return self.call("GET", f"/_mock/messages?to={to}")["messages"]


@pytest.fixture
def admin(mock: LiveServer, sample_app: SampleApp) -> Admin:
    """A reset mock configured for the sample app: the tenant's issuer is the mock's URL (Authlib checks `iss`
    against discovery), and the application's OAuth settings name the app's callback and logout URLs."""
    requests.post(f"{mock.url}/_mock/reset", timeout=10).raise_for_status()
    admin = Admin(mock.url)
    admin.call("PATCH", f"/api/tenant/{TENANT_ID}", {"tenant": {"issuer": mock.url}})
    oauth = {
        "clientSecret": CLIENT_SECRET,
        "authorizedRedirectURLs": [sample_app.callback_url, sample_app.logged_out_url],
        "logoutURL": sample_app.logged_out_url,
        "enabledGrants": ["authorization_code", "refresh_token"],
        "generateRefreshTokens": True,
        "proofKeyForCodeExchangePolicy": "Required",
        "clientAuthenticationPolicy": "Required",
    }
    jwt = {"enabled": True, "accessTokenKeyId": RSA_KEY_ID, "idTokenKeyId": RSA_KEY_ID}
    admin.call(
        "PATCH", f"/api/application/{APP_ID}", {"application": {"oauthConfiguration": oauth, "jwtConfiguration": jwt}}
    )
    return admin


class Shots:
    """Numbered full-page screenshots of one test, in the order its pages were seen."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page: Any, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest, tmp_path: Path, record_property: Any) -> Shots:
    root = os.environ.get("MOCKSERVER_E2E_SCREENSHOTS")
    folder = Path(root) / request.node.name if root else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    record_property("screenshots", str(folder))  # in the JUnit XML, beside the test
    print(f"screenshots: {folder}")  # in the captured log of a failing test
    _SHOT_DIRS.append(folder)
    return Shots(folder)


@pytest.fixture
def page(browser: Any, shots: Shots, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in a fresh browser context: its own cookie jar and storage, as a fresh --user-data-dir."""
    context = browser.new_context(viewport={"width": 900, "height": 900}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    if request.node.stash.get(_FAILED, False):
        shots(tab, "failure")
    context.close()
