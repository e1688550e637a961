"""Success and error bodies match the contract's JSON Schemas."""

import pytest

from payconform.plugin import CaseRunner


@pytest.mark.rule("schema.success")
def test_success_bodies_match_the_schema_of_each_api_version(conformance: CaseRunner) -> None:
    """Create, fetch and cancel answers validate under every known API version."""
    conformance.check()


@pytest.mark.rule("schema.error")
def test_error_bodies_match_the_error_schema(conformance: CaseRunner) -> None:
    """Every error answer of the cancel scenarios validates against the error schema."""
    conformance.check()


@pytest.mark.rule("errors.status-message")
def test_an_error_of_a_status_with_one_documented_message_carries_it(conformance: CaseRunner) -> None:
    """A malformed create answers the one message the provider gives its HTTP status."""
    conformance.check()
