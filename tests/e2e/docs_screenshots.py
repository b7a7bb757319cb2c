"""Regenerates README's screenshots (docs/login-page.png, docs/twitch-consent.png) with the e2e set-up.

python -m tests.e2e.docs_screenshots            # needs Debian's chromium and the test extras
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from mockserver.testing import LiveServer

from ..conftest import APP_ID
from .conftest import CHROMIUM, CHROMIUM_ARGS, Admin
from .sample_app import SampleApp

DOCS = Path(__file__).resolve().parents[2] / "docs"


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    server = LiveServer(strict=False).start()
    app = SampleApp(server.url, APP_ID, "docs-screenshot-secret").start()
    try:
        admin = Admin(server.url)
        oauth = {"clientSecret": "docs-screenshot-secret", "authorizedRedirectURLs": [app.callback_url]}
        admin.call("PATCH", f"/api/application/{APP_ID}", {"application": {"oauthConfiguration": oauth}})
        admin.twitch_provider()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 560, "height": 700})
            page.goto(f"{app.url}/login")
            page.locator(".panel").screenshot(path=str(DOCS / "login-page.png"))
            page.click("button.login-button.twitch")
            page.locator("main").screenshot(path=str(DOCS / "twitch-consent.png"))
            browser.close()
    finally:
        app.stop()
        server.stop()
    print(f"wrote {DOCS / 'login-page.png'} and {DOCS / 'twitch-consent.png'}")


if __name__ == "__main__":
    main()
