"""Behavioural properties no schema can express, as hypothesis properties and rule-based state machines.

Run by `pytest contract_tests` (in-process) and by `mockserver contract` (against a URL). Properties that
need upstream identities use mockserver's control plane and are skipped against a real service.
Everything they create has a unique name and is deleted again.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from . import suites
from .apis import fusionauth_headers
from .suites import Target

TWITCH_APP = "10000000-0000-0002-0000-000000000001"
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
STRATEGIES = [
    "CreatePendingLink",
    "Disabled",
    "LinkAnonymously",
    "LinkByEmail",
    "LinkByEmailForExistingUser",
    "LinkByUsername",
    "LinkByUsernameForExistingUser",
]

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    lambda s: s.strip() != ""
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
data_dicts = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=4), json_values, max_size=4)


def target() -> Target:
    return suites.ACTIVE  # the run's target: the in-process mock or --base-url


def fa(
    method: str, path: str, body: Any = None, content_type: str = "application/json", tenant: str | None = None
) -> tuple[int, Any]:
    """A FusionAuth API call; `tenant` scopes it (creating a user needs it once there are several tenants)."""
    t = target()
    headers = fusionauth_headers(t.credentials)
    if tenant is not None:
        headers["X-FusionAuth-TenantId"] = tenant
    return t.request(method, path, body, headers, content_type)


def app_tenant() -> str:
    status, body = fa("GET", f"/api/application/{TWITCH_APP}")
    assert status == 200, body
    return str(body["application"]["tenantId"])


def new_provider(**fields: Any) -> dict[str, Any]:
    body = {
        "type": "Twitch",
        "name": f"contract-{uuid.uuid4()}",
        "buttonText": "Login with Twitch",
        "client_id": "contract-client",
        "client_secret": "contract-secret",
        **fields,
    }
    status, reply = fa("POST", "/api/identity-provider", {"identityProvider": body})
    assert status == 200, reply
    return dict(reply["identityProvider"])


def needs_control_plane() -> None:
    if not target().has_control_plane():
        pytest.skip("needs mockserver's control plane (upstream identities); not available on a real service")


# -- FusionAuth: what is written is what is read ---------------------------------------------------
@SETTINGS
@given(button=text, scope=text, debug=st.booleans(), data=data_dicts, strategy=st.sampled_from(STRATEGIES))
def test_a_retrieved_provider_equals_what_was_written(
    button: str, scope: str, debug: bool, data: dict[str, Any], strategy: str
) -> None:
    written = {"buttonText": button, "scope": scope, "debug": debug, "data": data, "linkingStrategy": strategy}
    created = new_provider(**written)
    try:
        status, read = fa("GET", f"/api/identity-provider/{created['id']}")
        assert status == 200
        assert read["identityProvider"] == created
        for name, value in written.items():
            assert read["identityProvider"][name] == value
    finally:
        assert fa("DELETE", f"/api/identity-provider/{created['id']}")[0] == 200
    assert fa("GET", f"/api/identity-provider/{created['id']}")[0] == 404


# -- FusionAuth: each PATCH mode obeys its semantics (independent oracles) ---------------------------
def merge_patch_oracle(target: Any, patch: Any) -> Any:
    """RFC 7396, section 2."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch_oracle(result.get(key), value)
    return result


def fusionauth_merge_oracle(target: Any, patch: Any) -> Any:
    """FusionAuth's documented application/json PATCH: null removes, arrays append, objects merge."""
    if not isinstance(patch, dict) or not isinstance(target, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = result[key] + value
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = fusionauth_merge_oracle(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


@SETTINGS
@given(original=data_dicts, patch=data_dicts.filter(bool), mode=st.sampled_from(["json", "merge", "json-patch"]))
def test_each_patch_mode_obeys_its_semantics(original: dict[str, Any], patch: dict[str, Any], mode: str) -> None:
    created = new_provider(data=original)
    try:
        path = f"/api/identity-provider/{created['id']}"
        if mode == "json":
            status, reply = fa("PATCH", path, {"identityProvider": {"data": patch}})
            expected = fusionauth_merge_oracle(original, patch)
        elif mode == "merge":
            status, reply = fa("PATCH", path, {"identityProvider": {"data": patch}}, "application/merge-patch+json")
            expected = merge_patch_oracle(original, patch)
        else:
            ops = [
                {"op": "add", "path": f"/identityProvider/data/{key}", "value": value} for key, value in patch.items()
            ]
            status, reply = fa("PATCH", path, ops, "application/json-patch+json")
            expected = {**original, **patch}
        assert status == 200, reply
        assert reply["identityProvider"].get("data", {}) == expected
    finally:
        fa("DELETE", f"/api/identity-provider/{created['id']}")


# -- FusionAuth login (needs upstream identities) ---------------------------------------------------
def login(code: str, provider_id: str) -> tuple[int, Any]:
    body = {
        "applicationId": TWITCH_APP,
        "identityProviderId": provider_id,
        "data": {"code": code, "redirect_uri": "https://example.com/cb"},
    }
    return target().request("POST", "/api/identity-provider/login", body)


def register_identity(**fields: Any) -> dict[str, Any]:
    status, body = target().request("POST", "/_mock/identities", {"provider": "twitch", "reusable": True, **fields})
    assert status == 201, body
    return dict(body)


@contextmanager
def twitch_provider(strategy: str) -> Iterator[str]:
    """A new, uniquely named and enabled Twitch provider with this linking strategy, deleted afterwards."""
    provider_id = str(new_provider(enabled=True, linkingStrategy=strategy)["id"])
    try:
        yield provider_id
    finally:
        fa("DELETE", f"/api/identity-provider/{provider_id}")


@SETTINGS
@given(username=st.text("abcdefghijklmnop", min_size=3, max_size=12), logins=st.integers(2, 4))
def test_a_login_with_the_same_identity_yields_the_same_user_and_valid_jwts(username: str, logins: int) -> None:
    needs_control_plane()
    with twitch_provider("LinkByEmail") as provider_id:
        identity = register_identity(
            id=str(uuid.uuid4()),
            username=f"{username}-{uuid.uuid4().hex[:6]}",
            email=f"{uuid.uuid4().hex}@example.com",
            email_verified=True,
        )
        status, jwks = target().request("GET", "/.well-known/jwks.json")
        keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks).keys}
        users = set()
        for _ in range(logins):
            status, body = login(identity["code"], provider_id)
            assert status == 200, body
            users.add(body["user"]["id"])
            header = jwt.get_unverified_header(body["token"])
            claims = jwt.decode(body["token"], keys[header["kid"]].key, algorithms=["RS256"], audience=TWITCH_APP)
            assert claims["sub"] == body["user"]["id"]
        assert len(users) == 1


EXPECTED = {  # strategy → (status for a new identity, status when a user with that email/username exists)
    "CreatePendingLink": (232, 232),
    "Disabled": (404, 404),
    "LinkAnonymously": (200, 200),
    "LinkByEmail": (200, 200),
    "LinkByEmailForExistingUser": (401, 200),
    "LinkByUsername": (200, 200),
    "LinkByUsernameForExistingUser": (401, 200),
}


@SETTINGS
@given(strategy=st.sampled_from(STRATEGIES), existing=st.booleans())
def test_the_outcome_matches_the_linking_strategy_and_user_state(strategy: str, existing: bool) -> None:
    needs_control_plane()
    with twitch_provider(strategy) as provider_id:
        suffix = uuid.uuid4().hex[:10]
        identity = register_identity(
            id=suffix, username=f"user{suffix}", email=f"{suffix}@example.com", email_verified=True
        )
        if existing:
            user = {"email": identity["email"], "username": identity["username"], "password": "password123"}
            created = fa("POST", "/api/user", {"user": user, "skipVerification": True}, tenant=app_tenant())
            assert created[0] == 200, created
        status, body = login(identity["code"], provider_id)
        assert status == EXPECTED[strategy][existing], body
        if status == 200 and existing and strategy != "LinkAnonymously":
            assert body["user"]["email"] == identity["email"]


# -- LootLocker: connected accounts ---------------------------------------------------------------
CONNECT = {
    "twitch": ("authorization_code", "code"),
    "google": ("id_token", "token"),
    "epic": ("token", "token"),
    "discord": ("token", "token"),
}
WIRE = {"twitch": "twitch", "google": "google", "epic": "epic_games", "discord": "discord"}  # list/answer names


class ConnectedAccounts(RuleBasedStateMachine):
    """Connect / unlink / list: the list is always exactly the connected providers."""

    def __init__(self) -> None:
        super().__init__()
        needs_control_plane()
        self.token = target().session_token()
        self.connected: set[str] = set()

    def ll(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return target().request(method, path, body, {"x-session-token": self.token})

    @rule(provider=st.sampled_from(sorted(CONNECT)))
    def connect(self, provider: str) -> None:
        identity = target().request(
            "POST",
            "/_mock/identities",
            {
                "provider": provider,
                "id": uuid.uuid4().hex,
                "username": "p",
                "email": f"{uuid.uuid4().hex}@x.io",
                "email_verified": True,
            },
        )[1]
        field, source = CONNECT[provider]
        status, body = self.ll("PUT", f"/game/v1/connected-accounts/{provider}", {field: identity[source]})
        if provider in self.connected:
            assert status in (400, 409), body  # one account per provider
        else:
            assert status == 200, body
            assert body["connected_account"]["provider"] == WIRE[provider]
            self.connected.add(provider)

    @rule(provider=st.sampled_from(sorted(CONNECT)))
    def unlink(self, provider: str) -> None:
        status, body = self.ll("DELETE", f"/game/player/providers/{provider}")
        if provider in self.connected:
            assert status == 200, body
            self.connected.discard(provider)
        else:
            assert status == 404, body

    @invariant()
    def list_is_exactly_the_connected_providers(self) -> None:
        status, body = self.ll("GET", "/game/v1/connected-accounts")
        assert status == 200
        listed = {a["provider"] for a in body["connected_accounts"]} - {"guest"}
        assert listed == {WIRE[p] for p in self.connected}


ConnectedAccounts.TestCase.settings = settings(
    max_examples=8, stateful_step_count=8, deadline=None, suppress_health_check=list(HealthCheck)
)
TestConnectedAccounts = ConnectedAccounts.TestCase


@SETTINGS
@given(source_has=st.sets(st.sampled_from(sorted(CONNECT)), min_size=1), data=st.data())
def test_a_transfer_moves_exactly_the_named_providers(source_has: set[str], data: st.DataObject) -> None:
    needs_control_plane()
    moved = data.draw(st.sets(st.sampled_from(sorted(source_has)), min_size=1))
    source, target_token = target().session_token(), target().session_token()
    for provider in source_has:
        identity = target().request("POST", "/_mock/identities", {"provider": provider, "id": uuid.uuid4().hex})[1]
        field, secret = CONNECT[provider]
        status, body = target().request(
            "PUT", f"/game/v1/connected-accounts/{provider}", {field: identity[secret]}, {"x-session-token": source}
        )
        assert status == 200, body
    status, body = target().request(
        "PUT",
        "/game/v1/connected-accounts/transfer-providers",
        {"source_token": source, "target_token": target_token, "identity_providers": sorted(moved)},
        {"x-session-token": target_token},
    )
    assert status == 200, body

    def providers(token: str) -> set[str]:
        listed = target().request("GET", "/game/v1/connected-accounts", None, {"x-session-token": token})[1]
        return {a["provider"] for a in listed["connected_accounts"]} - {"guest"}

    assert providers(target_token) == {WIRE[p] for p in moved}
    assert providers(source) == {WIRE[p] for p in source_has - moved}
