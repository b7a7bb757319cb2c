"""POST /oauth2/token (form body only): the authorization_code, refresh_token and password grants.

Order of checks: grant_type → client authentication (clientAuthenticationPolicy) → grant enabled → the grant's
parameters. Errors are FusionAuth's `{error, error_reason, error_description}`; a client that is not
authenticated is a 401 `invalid_client`, with `WWW-Authenticate` when it tried HTTP Basic (RFC 6749 §5.2).
Every answer has `Cache-Control: no-store`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from ...clock import now_ms, now_s
from ...routing import Call, Reply
from ...store import Store, Tx
from ..collections import REFRESH_TOKENS, USERS
from ..errors import FusionAuthError
from ..login import preventing_actions
from ..password_login import find_user
from ..tokens import REFRESH_TOKEN, Tokens
from ..users import registration_for
from . import claims, codes
from .authorize import filter_scope, find_application, tenant_of
from .errors import NO_STORE, OAuthError

GRANTS = ("authorization_code", "refresh_token", "password", "client_credentials", "implicit")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REALM = 'Basic realm="FusionAuth"'
OAUTH_FIELD = "_oauth"  # what a refresh token issued here remembers (scope, grants, session) for its refreshes


@dataclass
class Client:
    application: dict[str, Any]
    authenticated: bool  # a secret was sent and matched
    basic: bool  # it came in an Authorization: Basic header


def _basic(header: str) -> tuple[str, str] | None:
    """(client id, secret) of an Authorization: Basic header. RFC 6749 §2.3.1 form-encodes both before Base64;
    many clients do not: both are accepted."""
    try:
        decoded = base64.b64decode(header.split(None, 1)[1].strip(), validate=True).decode()
    except (IndexError, ValueError, binascii.Error, UnicodeError):
        raise OAuthError(
            "invalid_client",
            "invalid_client_authentication",
            "The Authorization header could not be decoded.",
            401,
            {"WWW-Authenticate": REALM},
        ) from None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _secret_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode()) or hmac.compare_digest(
        unquote_plus(given).encode(), expected.encode()
    )


def authenticate_client(tx: Tx, headers: Mapping[str, str], form: Mapping[str, str]) -> Client:
    """The client of a token or introspect request (its secret checked when one is sent)."""
    authorization = headers.get("Authorization", "")
    basic = None
    if authorization:
        scheme = authorization.split(None, 1)[0].lower()
        if scheme != "basic":
            raise OAuthError(
                "invalid_client",
                "invalid_client_authentication_scheme",
                "The Authorization header must use the Basic scheme to authenticate a client.",
                401,
            )
        basic = _basic(authorization)
    challenge = {"WWW-Authenticate": REALM} if basic is not None else {}
    body_id = form.get("client_id") or None
    client_id = unquote_plus(basic[0]) if basic is not None else body_id
    if basic is not None and body_id is not None and body_id.lower() != (client_id or "").lower():
        raise OAuthError(
            "invalid_request",
            "client_id_mismatch",
            "The client_id in the request body does not match the client of the Authorization header.",
        )
    if not client_id:
        raise OAuthError("invalid_request", "missing_client_id", "The client_id parameter is required.")
    application = find_application(tx, client_id)
    if application is None:
        raise OAuthError("invalid_client", "invalid_client_id", f"Invalid client_id [{client_id}].", 401, challenge)
    secret = basic[1] if basic is not None else form.get("client_secret")
    if secret:
        if not _secret_matches(secret, str(application["oauthConfiguration"]["clientSecret"])):
            raise OAuthError(
                "invalid_client",
                "invalid_client_authentication",
                "The client could not be authenticated: the client secret is not valid.",
                401,
                challenge,
            )
        return Client(application, True, basic is not None)
    return Client(application, False, False)


def _require_authentication(client: Client, form: Mapping[str, str]) -> None:
    """clientAuthenticationPolicy: Required, NotRequired, or NotRequiredWhenUsingPKCE (a code_verifier sent)."""
    if client.authenticated:
        return
    policy = client.application["oauthConfiguration"].get("clientAuthenticationPolicy", "Required")
    if policy == "NotRequired" or (policy == "NotRequiredWhenUsingPKCE" and form.get("code_verifier")):
        return
    raise OAuthError(
        "invalid_client",
        "client_authentication_missing",
        "Client authentication is required: send the client_id and client_secret in an HTTP Basic "
        "Authorization header or in the request body.",
        401,
    )


def pkce_matches(verifier: str, challenge: str) -> bool:
    """RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return hmac.compare_digest(base64.urlsafe_b64encode(digest).rstrip(b"=").decode(), challenge)


def _expires_in(form: Mapping[str, str]) -> int | None:
    raw = form.get("expires_in")
    if raw is None or raw == "":
        return None
    if not raw.strip().isdigit() or int(raw) <= 0:
        raise OAuthError("invalid_request", "invalid_expires_in", f"Invalid expires_in [{raw}].")
    return int(raw)


class TokenEndpoint:
    def __init__(self, store: Store, tokens: Tokens) -> None:
        self.store = store
        self.tokens = tokens

    def __call__(self, call: Call) -> Reply:
        form: dict[str, str] = call.body or {}
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "missing_grant_type", "The grant_type parameter is required.")
        if grant_type not in GRANTS and grant_type != DEVICE_GRANT:
            raise OAuthError("unsupported_grant_type", "invalid_grant_type", f"Invalid grant_type [{grant_type}].")
        client = authenticate_client(self.store.read(), call.headers, form)
        _require_authentication(client, form)
        oauth = client.application["oauthConfiguration"]
        if grant_type not in (oauth.get("enabledGrants") or []):
            raise OAuthError(
                "unauthorized_client",
                "grant_type_disabled",
                f"The [{grant_type}] grant is not enabled for this application.",
            )
        if grant_type == "authorization_code":
            return self.authorization_code(client, form)
        if grant_type == "refresh_token":
            return self.refresh_token(client, form)
        if grant_type == "password":
            return self.password(client, form)
        # client_credentials (Entity Management), implicit and the device grant are not played by the mock.
        raise OAuthError(
            "unsupported_grant_type", "invalid_grant_type", f"The [{grant_type}] grant is not supported here."
        )

    # -- grants --------------------------------------------------------------------------------------------
    def authorization_code(self, client: Client, form: Mapping[str, str]) -> Reply:
        code = form.get("code")
        if not code:
            raise OAuthError("invalid_request", "missing_code", "The code parameter is required.")
        not_found = OAuthError("invalid_request", "auth_code_not_found", "Invalid Authorization Code")
        with self.store.write() as tx:
            record = codes.redeem(tx, code)  # single use: gone even when a later check fails
        if record is None or record["applicationId"] != client.application["id"]:
            raise not_found
        redirect_uri = form.get("redirect_uri")
        if not redirect_uri:
            raise OAuthError("invalid_request", "missing_redirect_uri", "The redirect_uri parameter is required.")
        if redirect_uri != record["redirectUri"]:
            raise OAuthError("invalid_request", "invalid_redirect_uri", f"Invalid redirect uri {redirect_uri}")
        verifier = form.get("code_verifier")
        challenge = record.get("codeChallenge")
        if challenge:
            if not verifier:
                raise OAuthError("invalid_request", "missing_code_verifier", "The code_verifier parameter is required.")
            if not pkce_matches(verifier, challenge):
                raise OAuthError("invalid_request", "invalid_pkce_code_verifier", "Invalid code_verifier.")
        elif verifier:
            raise OAuthError(
                "invalid_request", "invalid_pkce_code_verifier", "A code_verifier was sent for a code without PKCE."
            )
        elif (
            client.application["oauthConfiguration"].get("proofKeyForCodeExchangePolicy")
            == "NotRequiredWhenUsingClientAuthentication"
            and not client.authenticated
        ):
            raise OAuthError(
                "invalid_request",
                "missing_code_verifier",
                "The code_verifier parameter is required when the client does not authenticate.",
            )
        tx = self.store.read()
        user = tx.get(USERS, record["userId"])
        if user is None or not user.get("active", True):
            raise not_found
        return self.respond(
            client,
            user,
            record["scope"],
            ["authorization_code"],
            record["authenticationType"],
            record["authTime"],
            record.get("ssoSessionId"),
            record.get("nonce"),
        )

    def refresh_token(self, client: Client, form: Mapping[str, str]) -> Reply:
        token = form.get("refresh_token")
        if not token:
            raise OAuthError("invalid_request", "missing_refresh_token", "The refresh_token parameter is required.")
        ttl = _expires_in(form)
        tx = self.store.read()
        record = self.tokens.find_refresh_token(tx, token)
        user = tx.get(USERS, record["userId"]) if record is not None else None
        if record is None or user is None or record["applicationId"] != client.application["id"]:
            raise OAuthError("invalid_grant", "refresh_token_not_found", "The refresh token is not valid.")
        if not user.get("active", True):
            raise OAuthError("invalid_grant", "user_locked", "The user is locked.")
        remembered = record.get(OAUTH_FIELD, {})
        granted = remembered.get("scope", "openid offline_access")
        requested = form.get("scope")
        scope = granted
        if requested:
            extra = set(requested.split()) - set(granted.split())
            if extra:
                raise OAuthError(
                    "invalid_scope",
                    "unknown_scope",
                    f"The scope [{' '.join(sorted(extra))}] was not granted to this refresh token.",
                )
            scope = " ".join(dict.fromkeys(requested.split()))
        grants = [*remembered.get("grants", ["authorization_code"]), "refresh_token"]
        settings = client.application["jwtConfiguration"]
        one_time = settings.get("enabled") and settings.get("refreshTokenUsagePolicy") == "OneTimeUse"
        return self.respond(
            client,
            user,
            scope,
            grants,
            REFRESH_TOKEN,
            remembered.get("authTime", now_s()),
            remembered.get("ssoSessionId"),
            None,
            refresh=record,
            rotate=bool(one_time),
            ttl=ttl,
        )

    def password(self, client: Client, form: Mapping[str, str]) -> Reply:
        username, password = form.get("username"), form.get("password")
        invalid = OAuthError("invalid_grant", "invalid_user_credentials", "Invalid user credentials.")
        if not username or not password:
            raise OAuthError(
                "invalid_request", "invalid_user_credentials", "The username and password parameters are required."
            )
        application = client.application
        tenant = tenant_of(self.store.read(), application)
        scope, unknown = filter_scope(application, form.get("scope", ""))
        if unknown:
            raise OAuthError("invalid_scope", "unknown_scope", f"Invalid scope [{' '.join(unknown)}].")
        with self.store.write() as tx:
            try:
                user, authentication_type = find_user(tx, tenant, {"loginId": username, "password": password})
            except FusionAuthError:
                raise invalid from None
            if not user.get("active", True):
                raise OAuthError("invalid_grant", "user_locked", "The user is locked.")
            if user.get("expiry") is not None and user["expiry"] < now_ms():
                raise OAuthError("invalid_grant", "user_expired", "The user has expired.")
            if preventing_actions(tx, user["id"]):
                raise OAuthError("invalid_grant", "login_prevented", "The user is prevented from logging in.")
            if user.get("twoFactor", {}).get("methods"):
                raise OAuthError(
                    "two_factor_required",
                    "multi_factor_challenge_required",
                    "The user has two-factor authentication enabled: use the hosted login pages.",
                )
            if user.get("passwordChangeRequired"):
                reason = str(user.get("passwordChangeReason", "Administrative")).lower()
                raise OAuthError(
                    "change_password_required", f"change_password_{reason}", "A password change is required."
                )
            user["lastLoginInstant"] = now_ms()
            tx.put(USERS, user["id"], user)
        return self.respond(client, user, scope, ["password"], authentication_type, now_s(), None, None)

    # -- the response ----------------------------------------------------------------------------------------
    def respond(
        self,
        client: Client,
        user: dict[str, Any],
        scope: str,
        grants: list[str],
        authentication_type: str,
        auth_time: int,
        sso_session_id: str | None,
        nonce: str | None,
        refresh: dict[str, Any] | None = None,
        rotate: bool = False,
        ttl: int | None = None,
    ) -> Reply:
        application = client.application
        oauth = application["oauthConfiguration"]
        scopes = set(scope.split())
        body: dict[str, Any] = {}
        with self.store.write() as tx:
            tenant = tenant_of(tx, application)
            grant = claims.Grant(
                user=user,
                application=application,
                tenant=tenant,
                registration=registration_for(user, application["id"]),
                scope=scope,
                grants=grants,
                authentication_type=authentication_type,
                auth_time=auth_time,
                sso_session_id=sso_session_id,
                nonce=nonce,
            )
            remembered = {"scope": scope, "grants": grants, "authTime": auth_time, "ssoSessionId": sso_session_id}
            if refresh is not None:
                grant.refresh_token_id = refresh["id"]
                if rotate:
                    tx.delete(REFRESH_TOKENS, refresh["id"])
                    token, grant.refresh_token_id = self._new_refresh_token(tx, grant, remembered)
                    body["refresh_token"], body["refresh_token_id"] = token, grant.refresh_token_id
            elif "offline_access" in scopes and oauth.get("generateRefreshTokens", True):
                token, grant.refresh_token_id = self._new_refresh_token(tx, grant, remembered)
                body["refresh_token"], body["refresh_token_id"] = token, grant.refresh_token_id
            unsigned, expires_in = claims.access_token(self.tokens, tx, grant, ttl)
        # Signed once the transaction has committed (see tokens.Unsigned): signatures never hold the write lock.
        access = claims.sign(unsigned, grants)
        id_token = claims.id_token(self.store.read(), grant, access) if "openid" in scopes else None
        answer: dict[str, Any] = {"access_token": access, "expires_in": expires_in}
        if id_token is not None:
            answer["id_token"] = id_token
        answer.update(body)
        answer.update({"scope": scope, "token_type": "Bearer", "userId": user["id"]})
        return Reply(200, answer, dict(NO_STORE))

    def _new_refresh_token(self, tx: Tx, grant: claims.Grant, remembered: dict[str, Any]) -> tuple[str, str]:
        token, token_id = self.tokens.create_refresh_token(tx, grant.user, grant.tenant, grant.application, None)
        record = tx.get(REFRESH_TOKENS, token_id)
        if record is not None:
            tx.put(REFRESH_TOKENS, token_id, {**record, OAUTH_FIELD: remembered})
        return token, token_id
