"""The mock "Twitch" consent page (/_mock/twitch/oauth2/authorize): lists, creates, consents, cancels."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

from .login_helpers import AUTH, LOGIN, login_body, make_provider, register_identity

PAGE = "/_mock/twitch/oauth2/authorize"
CALLBACK = "http://localhost/oauth2/callback"
PARAMS = {
    "client_id": "twitch-client",
    "response_type": "code",
    "scope": "openid user:read:email",
    "state": "opaque+state/==",
    "redirect_uri": CALLBACK,
}


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}


def test_the_page_lists_the_twitch_identities_with_username_and_email(client: FlaskClient) -> None:
    response = client.get(PAGE, query_string=PARAMS)
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=UTF-8"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert 'id="twitch-identity-4242"' in html and "richard@example.com" in html
    assert 'id="twitch-identity-5151"' in html  # nomail: listed with "no email"
    assert "gina@example.com" not in html  # a Google identity is not Twitch's
    assert '<label for="username">' in html and '<label for="email">' in html
    assert "<script" not in html and "http://" not in html.replace(CALLBACK, "")  # no external assets


def test_choosing_an_identity_redirects_with_a_fresh_single_use_code_and_the_unchanged_state(
    client: FlaskClient,
) -> None:
    response = client.post(PAGE, data={**PARAMS, "action": "authorize", "identity_id": "4242"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(CALLBACK + "?")
    answer = query(location)
    assert answer["state"] == PARAMS["state"] and answer["scope"] == PARAMS["scope"]
    assert answer["code"] != "twitch-code-richard"  # a fresh code, not the identity's own
    # FusionAuth exchanges it once (here through the IdP Login API); the second time Twitch refuses it.
    make_provider(client)
    body = login_body(code=answer["code"])
    first = client.post(LOGIN, json=body, headers=AUTH)
    assert first.status_code == 200, first.data
    assert first.get_json()["user"]["email"] == "richard@example.com"
    second = client.post(LOGIN, json=body, headers=AUTH)
    assert second.status_code == 401
    assert second.get_json()["generalErrors"][0]["code"] == "[ExternalAuthenticationException]TwitchToken"


def test_cancel_redirects_with_access_denied_and_the_state(client: FlaskClient) -> None:
    response = client.post(PAGE, data={**PARAMS, "action": "cancel"})
    assert response.status_code == 302
    answer = query(response.headers["Location"])
    assert answer == {
        "error": "access_denied",
        "error_description": "The user denied you access",
        "state": "opaque+state/==",
    }


def test_creating_an_identity_registers_it_and_continues_as_it(client: FlaskClient) -> None:
    form = {**PARAMS, "action": "create", "username": "new_streamer", "email": "new@example.com"}
    response = client.post(PAGE, data={**form, "email_verified": "true"})
    assert response.status_code == 302
    assert query(response.headers["Location"])["code"]
    created = [
        i
        for i in client.get("/_mock/identities?provider=twitch").get_json()["identities"]
        if i["username"] == "new_streamer"
    ]
    assert len(created) == 1
    assert created[0]["email"] == "new@example.com" and created[0]["email_verified"] is True
    assert created[0]["id"].isdigit()
    # Unchecked box: the email is not verified. The list shows the new accounts.
    client.post(PAGE, data={**form, "username": "other_one", "email": "o@example.com"})
    other = next(
        i for i in client.get("/_mock/identities").get_json()["identities"] if i.get("username") == "other_one"
    )
    assert other["email_verified"] is False
    assert 'data-username="other_one"' in client.get(PAGE, query_string=PARAMS).get_data(as_text=True)


def test_a_bad_creation_shows_the_page_again_with_the_reason(client: FlaskClient) -> None:
    response = client.post(PAGE, data={**PARAMS, "action": "create", "username": "x", "email": "<b>@x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "4 to 25" in html
    assert "&lt;b&gt;@x" in html and "<b>@x" not in html  # escaped
    taken = client.post(PAGE, data={**PARAMS, "action": "create", "username": "Richard"})
    assert taken.status_code == 400 and "is taken" in taken.get_data(as_text=True)


def test_parameters_are_escaped_and_carried_through_the_forms(client: FlaskClient) -> None:
    html = client.get(PAGE, query_string={**PARAMS, "state": '"><script>x</script>'}).get_data(as_text=True)
    assert "<script>x" not in html
    assert 'name="state" value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html


def test_bad_parameters_are_a_page_not_a_redirect(client: FlaskClient) -> None:
    missing = client.get(PAGE, query_string={k: v for k, v in PARAMS.items() if k != "redirect_uri"})
    assert missing.status_code == 400 and "redirect_uri" in missing.get_data(as_text=True)
    relative = client.post(PAGE, data={**PARAMS, "redirect_uri": "/oauth2/callback", "action": "cancel"})
    assert relative.status_code == 400
    wrong_type = client.get(PAGE, query_string={**PARAMS, "response_type": "token"})
    assert wrong_type.status_code == 302
    assert query(wrong_type.headers["Location"])["error"] == "unsupported_response_type"
    unknown = client.post(PAGE, data={**PARAMS, "action": "authorize", "identity_id": "nope"})
    assert unknown.status_code == 400
    bad_action = client.post(PAGE, data={**PARAMS, "action": "explode"})
    assert bad_action.status_code == 400 and bad_action.get_json()["error"] == "invalid body"


def test_a_consent_code_expires_and_belongs_to_twitch_only(client: FlaskClient) -> None:
    register_identity(client, id="9999", username="later", email="later@example.com", email_verified=True)
    response = client.post(PAGE, data={**PARAMS, "action": "authorize", "identity_id": "9999"})
    code = query(response.headers["Location"])["code"]
    state = client.get("/_mock/state").get_json()
    record = state["mock.consent-codes"][code]
    record["expiry"] = 0
    assert client.put("/_mock/state", json=state).status_code == 200
    make_provider(client)
    expired = client.post(LOGIN, json=login_body(code=code), headers=AUTH)
    assert expired.status_code == 401
