"""A small web app that signs people in through the mock's hosted pages with a standard OIDC client (Authlib).

It is what a game's web portal would be: OIDC discovery, authorization code with PKCE S256, the id token verified
by Authlib against the discovery issuer and the JWKS, a page that shows who is signed in, and RP-initiated logout
through the discovery document's end_session_endpoint. Nothing in it knows it talks to a mock.

Run by hand against a `mockserver serve` (see README):
    python -m tests.e2e.sample_app --issuer-url http://127.0.0.1:9011 --client-id … --client-secret …
"""

from __future__ import annotations

import argparse
import html
import secrets
import threading
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.flask_client import OAuth
from flask import Flask, redirect, request, session, url_for
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Response

SCOPE = "openid offline_access email profile"
# Parameters the tests may hand through /login to /oauth2/authorize (RFC 6749 / OIDC Core / FusionAuth).
PASSED_THROUGH = ("idp_hint", "login_hint", "prompt", "max_age", "locale", "tenantId")


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f'<body><h1 id="title">{html.escape(title)}</h1>{body}</body></html>'
    )


def create_app(issuer_url: str, client_id: str, client_secret: str) -> Flask:
    """The sample app for the mock at `issuer_url` (its base URL: discovery is read from there)."""
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(16)
    oauth = OAuth(app)
    oauth.register(
        "fusionauth",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer_url}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
    )
    client: Any = oauth.fusionauth  # type: ignore[attr-defined]

    @app.get("/")
    def home() -> str:
        user = session.get("user")
        if not user:
            return _page("Sample app", '<p id="status">Not signed in.</p><p><a id="login" href="/login">Log in</a></p>')
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td id='claim-{html.escape(k)}'>{html.escape(str(v))}</td></tr>"
            for k, v in sorted(user.items())
        )
        return _page(
            "Sample app",
            f'<p id="status">Signed in as <span id="email">{html.escape(str(user.get("email", "")))}</span>'
            f' (<span id="sub">{html.escape(user["sub"])}</span>)</p>'
            f'<p>userinfo: <span id="userinfo-email">{html.escape(str(session.get("userinfo_email")))}</span></p>'
            f'<p id="refresh">{"refresh token received" if session.get("refresh_token") else "no refresh token"}</p>'
            f'<table id="claims">{rows}</table>'
            '<p><a id="logout" href="/logout">Log out</a> · <a id="forget" href="/forget">Forget me here only</a></p>',
        )

    @app.get("/login")
    def login() -> Response:
        extra = {name: request.args[name] for name in PASSED_THROUGH if name in request.args}
        return client.authorize_redirect(url_for("callback", _external=True), **extra)

    @app.get("/callback")
    def callback() -> Response | tuple[str, int]:
        if "error" in request.args:  # the OP redirected an error (RFC 6749 §4.1.2.1)
            error = html.escape(request.args.get("error", ""))
            description = html.escape(request.args.get("error_description", ""))
            return _page("Login failed", f'<p id="error">{error}</p><p id="error-description">{description}</p>'), 400
        # Exchanges the code (client_secret_basic + code_verifier) and verifies the id token (iss, aud, nonce,
        # signature against the JWKS, at_hash).
        token = client.authorize_access_token()
        session["user"] = dict(token["userinfo"])
        # The userinfo endpoint from discovery, with the access token as a Bearer token.
        session["userinfo_email"] = client.userinfo(token=token).get("email")
        session["id_token"] = token["id_token"]
        session["refresh_token"] = token.get("refresh_token")
        return redirect("/")

    @app.get("/logout")
    def logout() -> Response:
        """RP-initiated logout: end the app's session, then FusionAuth's SSO session at its end_session_endpoint."""
        session.clear()
        endpoint = client.load_server_metadata()["end_session_endpoint"]
        # post_logout_redirect_uri must be one of the application's authorizedRedirectURLs (FusionAuth's rule).
        params = {"client_id": client_id, "post_logout_redirect_uri": url_for("logged_out", _external=True)}
        return redirect(f"{endpoint}?{urlencode(params)}")

    @app.get("/forget")
    def forget() -> Response:
        """Sign out of this app only: the OP's SSO session stays (the next login skips the form)."""
        session.clear()
        return redirect("/")

    @app.get("/logged-out")
    def logged_out() -> str:
        return _page("Signed out", '<p id="status">Signed out.</p><p><a id="login" href="/login">Log in</a></p>')

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the tests' output stays readable; failures still show the browser's side


class SampleApp:
    """The sample app served by werkzeug in a thread, on `host` (choose another host than the mock's: cookies
    ignore ports, so an app on 127.0.0.1 would share its cookie jar with a mock on 127.0.0.1)."""

    def __init__(self, issuer_url: str, client_id: str, client_secret: str, host: str = "localhost") -> None:
        self.app = create_app(issuer_url, client_id, client_secret)
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, self.app, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://{host}:{self.server.server_port}"
        self.callback_url = f"{self.url}/callback"
        self.logged_out_url = f"{self.url}/logged-out"
        self._thread = threading.Thread(target=self.server.serve_forever, name="sample-app", daemon=True)

    def start(self) -> SampleApp:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self._thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issuer-url", default="http://127.0.0.1:9011", help="the mock's base URL")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    create_app(args.issuer_url, args.client_id, args.client_secret).run(host="localhost", port=args.port)


if __name__ == "__main__":
    main()
