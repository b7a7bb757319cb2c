"""The contract harness: schemathesis + hypothesis suites that check the mock or a real deployment."""
