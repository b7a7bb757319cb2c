"""schemas/lootlocker.openapi.yaml is a valid OpenAPI 3.1 document, the seed's Connect Twitch Account example
fits it, and the default fixtures hold the documented game."""

from __future__ import annotations

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from mockserver import fixtures
from mockserver.lootlocker.collections import GAMES
from mockserver.openapi import specs
from mockserver.resources import DEFAULT_FIXTURES_DIR, SCHEMAS_DIR

from .conftest import load
from .test_lootlocker_helpers import DOMAIN_KEY, ENVIRONMENT_ID, GAME_KEY, TITLE_ID


def test_the_lootlocker_document_is_valid_openapi() -> None:
    spec, base_uri = read_from_filename(str(SCHEMAS_DIR / "lootlocker.openapi.yaml"))
    validate(spec, base_uri=base_uri)  # follows the $refs into schemas/lootlocker/*.json


def test_the_seed_twitch_request_fits_connect_twitch() -> None:
    operation = specs().lootlocker.operations["connectTwitch"]
    assert (operation.method, operation.path) == ("PUT", "/game/v1/connected-accounts/twitch")
    assert operation.bodies["application/json"].issues(load("lootlocker_seed_twitch_request.json")) == []
    assert not operation.anonymous  # x-session-token


def test_the_seed_twitch_response_fits_connect_twitch() -> None:
    check = specs().lootlocker.operations["connectTwitch"].responses[200]
    assert check is not None
    assert check.issues(load("lootlocker_seed_twitch_response.json")) == []
    wrong = {"connected_account": {"provider": "Twitch", "provider_name": "Twitch"}}  # the wire name is lower case
    assert [i.path for i in check.issues(wrong)] == [("connected_account", "provider")]


def test_the_reference_session_example_fits_the_session_schema() -> None:
    check = specs().lootlocker.operations["guestSession"].responses[200]
    assert check is not None
    example = load("lootlocker_session_example.json")
    assert check.issues(example) == []
    example["player_created_at"] = 1653897361  # LootLocker writes ISO-8601 strings, not epochs
    assert [i.path for i in check.issues(example)] == [("player_created_at",)]


def test_every_operation_documents_its_errors() -> None:
    operations = specs().lootlocker.operations
    assert len(operations) >= 46  # the sign-in operations and each feature file's (README lists them)
    for operation in operations.values():
        assert {400, 429, 500, 503} <= set(operation.statuses), operation.operation_id
        if not operation.anonymous:
            assert 401 in operation.statuses, operation.operation_id
    assert operations["connectTwitch"].statuses == [200, 400, 401, 403, 409, 429, 500, 503]
    assert operations["unlinkProviderLegacy"].deprecated
    assert operations["guestSession"].anonymous and operations["gameInfo"].anonymous


def test_the_default_fixtures_hold_the_development_game() -> None:
    state = fixtures.load(DEFAULT_FIXTURES_DIR, specs())
    [game] = state[GAMES].values()
    assert game["game_key"] == GAME_KEY and game["domain_key"] == DOMAIN_KEY
    assert (game["title_id"], game["environment_id"]) == (TITLE_ID, ENVIRONMENT_ID)
