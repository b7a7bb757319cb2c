#!/usr/bin/env python3
"""bench/pages.py — how long the hosted login pages take to answer (issue 15's goal: ≤ 20 ms per page).

Starts a `mockserver serve` (non-strict, as users run it; `--strict` checks every response against the spec, as
the tests do) or uses a running one (`--url`), then walks a browser's path through the pages `--rounds` times with
one keep-alive HTTP client, timing each answer (client wall time, request sent → response read; redirects not
followed). Per step: median, p95 and max in ms. Steps:

  authorize GET (login page) · authorize POST wrong password (the page again, with its error) · authorize POST
  (password login → 302 with a code) · token (authorization_code + PKCE) · authorize GET with the SSO session
  (302) · logout page · IdP redirect (Login with Twitch → 302) · Twitch consent page (the mock's) · consent submit
  (302) · callback (Twitch login → 302 with a code)

    bench/pages.py                    # ~15 s: 200 rounds after 10 warm-up rounds
    bench/pages.py --rounds 500 --strict
    bench/pages.py --url http://127.0.0.1:9011   # a running mock (set-up through its APIs; never reset)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import secrets
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mockserver.testing import LiveServer

API_KEY = "mockserver-dev-api-key-not-for-production"
TENANT_ID = "e872a880-b14f-6d62-c312-cb40f22af465"
APP_ID = "10000000-0000-0002-0000-000000000001"  # the fixtures' "Pied Piper Login"
SECRET = "bench-pages-client-secret"
REDIRECT_URI = "http://localhost:5000/callback"  # never called: redirects are not followed
RICHARD = "4242"  # the fixtures' Twitch identity "richard" (reusable)
PASSWORD = "bench-pages-password-1"
GOAL_MS = 20.0
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
FORM = re.compile(r'<form action="/oauth2/authorize" method="POST".*?</form>', re.S)


def set_up(url: str) -> str:
    """The application's OAuth settings, a user with a password, and the Twitch provider; the user's email."""
    admin = requests.Session()
    admin.headers.update({"Authorization": API_KEY})
    tenant = {"X-FusionAuth-TenantId": TENANT_ID}
    oauth = {
        "clientSecret": SECRET,
        "authorizedRedirectURLs": [REDIRECT_URI],
        "enabledGrants": ["authorization_code", "refresh_token"],
        "proofKeyForCodeExchangePolicy": "Required",
    }
    response = admin.patch(f"{url}/api/application/{APP_ID}", json={"application": {"oauthConfiguration": oauth}})
    response.raise_for_status()
    email = f"bench-{secrets.token_hex(4)}@piedpiper.com"
    body = {"user": {"email": email, "password": PASSWORD}, "registration": {"applicationId": APP_ID}}
    admin.post(
        f"{url}/api/user/registration", json={**body, "skipVerification": True}, headers=tenant
    ).raise_for_status()
    provider = {
        "type": "Twitch",
        "buttonText": "Login with Twitch",
        "scope": "openid user:read:email",
        "enabled": True,
        "linkingStrategy": "LinkByEmail",
        "client_id": "bench-twitch-client",
        "client_secret": "bench-twitch-secret",
        "applicationConfiguration": {APP_ID: {"enabled": True, "createRegistration": True}},
    }
    created = admin.post(f"{url}/api/identity-provider", json={"identityProvider": provider})
    if created.status_code != 200 and "[duplicate]" not in created.text:  # a running mock may have it already
        raise SystemExit(f"creating the Twitch provider: {created.status_code} {created.text}")
    return email


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def one_round(url: str, browser: requests.Session, email: str, timings: dict[str, list[float]]) -> None:
    def timed(step: str, expect: int, call: Callable[[], requests.Response]) -> requests.Response:
        start = time.perf_counter()
        response = call()
        timings[step].append((time.perf_counter() - start) * 1000)
        if response.status_code != expect:
            raise SystemExit(f"{step}: {response.status_code} (expected {expect}): {response.text[:500]}")
        return response

    def query(response: requests.Response) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}

    verifier, challenge = pkce()
    params = {
        "client_id": APP_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid offline_access email profile",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    authorize = f"{url}/oauth2/authorize"
    no = {"allow_redirects": False}
    page = timed("authorize GET (login page)", 200, lambda: browser.get(authorize, params=params, **no))
    form_html = FORM.search(page.text)
    assert form_html is not None, "no login form"
    form = dict(HIDDEN.findall(form_html.group(0)))
    wrong = {**form, "loginId": email, "password": "wrong-password", "__cb_rememberDevice": "false"}
    timed("authorize POST wrong password", 200, lambda: browser.post(authorize, data=wrong, **no))
    right = {**wrong, "password": PASSWORD, "rememberDevice": "true"}
    code = query(timed("authorize POST (login → 302)", 302, lambda: browser.post(authorize, data=right, **no)))
    exchange = {
        "grant_type": "authorization_code",
        "code": code["code"],
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    timed(
        "token (authorization_code)",
        200,
        lambda: browser.post(f"{url}/oauth2/token", data=exchange, auth=(APP_ID, SECRET)),
    )
    timed("authorize GET, SSO session (302)", 302, lambda: browser.get(authorize, params=params, **no))
    timed("logout page", 200, lambda: browser.get(f"{url}/oauth2/logout", params={"client_id": APP_ID}, **no))

    twitch = timed(
        "IdP redirect (Twitch button → 302)",
        302,
        lambda: browser.get(
            f"{url}/oauth2/redirect", params={**form, "identityProviderId": _twitch_id(page.text)}, **no
        ),
    )
    consent_url = twitch.headers["Location"]
    timed("Twitch consent page (mock)", 200, lambda: browser.get(consent_url, **no))
    consent = {**query(twitch), "action": "authorize", "identity_id": RICHARD}
    back = timed(
        "Twitch consent submit (→ 302)",
        302,
        lambda: browser.post(f"{url}{urlsplit(consent_url).path}", data=consent, **no),
    )
    timed("callback (Twitch login → 302)", 302, lambda: browser.get(back.headers["Location"], **no))


def _twitch_id(page: str) -> str:
    found = re.search(r'data-identity-provider-id="([^"]+)"', page)
    assert found is not None, "no identity provider button on the login page"
    return found.group(1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--strict", action="store_true", help="check every response against the spec (as the tests)")
    ap.add_argument("--url", help="a running mock instead of starting one")
    args = ap.parse_args()
    server = None if args.url else LiveServer(strict=args.strict).start()
    url = args.url or server.url  # type: ignore[union-attr]
    try:
        email = set_up(url)
        browser = requests.Session()
        warm: dict[str, list[float]] = defaultdict(list)
        for _ in range(args.warmup):
            one_round(url, browser, email, warm)
        timings: dict[str, list[float]] = defaultdict(list)
        for _ in range(args.rounds):
            one_round(url, browser, email, timings)
    finally:
        if server is not None:
            server.stop()
    mode = "strict" if args.strict else "non-strict"
    print(f"{args.rounds} rounds ({args.warmup} warm-up), one client, {mode} server at {url}; ms per answer")
    print(f"| {'step':<38} | median |  p95  |  max  |")
    print(f"|{'-' * 40}|-------:|------:|------:|")
    worst = 0.0
    for step, values in timings.items():
        p95 = percentile(values, 0.95)
        worst = max(worst, p95)
        print(f"| {step:<38} | {statistics.median(values):6.2f} | {p95:5.2f} | {max(values):5.2f} |")
    verdict = "met" if worst <= GOAL_MS else "NOT met"
    print(f"goal ≤ {GOAL_MS:.0f} ms per page (p95): {verdict} (worst p95 {worst:.2f} ms)")
    return 0 if worst <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
