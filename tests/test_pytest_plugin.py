"""The pytest plugin client developers get by installing mockserver (the README's example, run for real)."""

from __future__ import annotations

from typing import Any

from fusionauth.fusionauth_client import FusionAuthClient

pytest_plugins = ["pytester"]


def test_the_readme_example(mockserver: Any) -> None:
    client = mockserver.fusionauth_client()
    provider = {
        "identityProvider": {
            "type": "Twitch",
            "buttonText": "Login with Twitch",
            "client_id": "id",
            "client_secret": "secret",
            "enabled": True,
            "linkingStrategy": "LinkByEmail",
        }
    }
    assert client.create_identity_provider(provider).status == 200
    twitch = mockserver.control.register_identity("twitch", "99", username="ann", email="ann@example.com")
    login = client.identity_provider_login(
        {
            "applicationId": "10000000-0000-0002-0000-000000000001",
            "identityProviderId": "bf4cf83f-e824-42d7-b4a3-5b10847a66b2",
            "data": {"code": twitch["code"], "redirect_uri": "https://example.com/callback"},
        }
    )
    assert login.status == 200 and login.success_response["user"]["email"] == "ann@example.com"


def test_state_is_clean_for_every_test(mockserver: Any) -> None:
    # Runs after the test above in this module: the provider it created is gone.
    assert "fusionauth.identityProviders" not in mockserver.control.state()
    assert FusionAuthClient(mockserver.api_key, mockserver.url).retrieve_identity_providers().success_response == {
        "identityProviders": []
    }


def test_the_plugin_is_registered_by_the_entry_point(pytester: Any) -> None:
    pytester.makepyfile("""
        def test_uses_it(mockserver):
            assert mockserver.url.startswith("http://127.0.0.1:")
            assert mockserver.game_key
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_tenant_scoped_official_client(mockserver: Any) -> None:
    # Two tenants in the demo fixtures: creating a user needs one, as FusionAuth answers [TenantIdRequired].
    unscoped = mockserver.fusionauth_client().create_user({"user": {"email": "a@example.com", "password": "pass-1234"}})
    assert unscoped.status == 400
    assert unscoped.error_response["generalErrors"][0]["code"] == "[TenantIdRequired]"
    scoped = mockserver.fusionauth_client("e872a880-b14f-6d62-c312-cb40f22af465")
    created = scoped.create_user({"user": {"email": "a@example.com", "password": "pass-1234"}})
    assert created.status == 200
    assert created.success_response["user"]["tenantId"] == "e872a880-b14f-6d62-c312-cb40f22af465"
