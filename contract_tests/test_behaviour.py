"""The behavioural properties (they live in the package so that `mockserver contract` runs them too)."""

from mockserver.contract.test_behaviour import (  # noqa: F401
    TestConnectedAccounts,
    test_a_login_with_the_same_identity_yields_the_same_user_and_valid_jwts,
    test_a_retrieved_provider_equals_what_was_written,
    test_a_transfer_moves_exactly_the_named_providers,
    test_each_patch_mode_obeys_its_semantics,
    test_the_outcome_matches_the_linking_strategy_and_user_state,
)
