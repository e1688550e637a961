"""Auth and required headers are enforced on the cancel call."""

import pytest

from payconform.plugin import CaseRunner


@pytest.mark.rule("auth.missing")
def test_cancel_without_credentials_is_refused(conformance: CaseRunner) -> None:
    """A cancel without credentials is refused and the link is untouched."""
    conformance.check()


@pytest.mark.rule("auth.invalid")
def test_cancel_with_wrong_credentials_is_refused(conformance: CaseRunner) -> None:
    """A cancel with wrong credentials is refused and the link is untouched."""
    conformance.check()


@pytest.mark.rule("headers.required")
def test_cancel_missing_or_malforming_a_required_header_is_refused(
    conformance: CaseRunner,
) -> None:
    """Each required header, missing or malformed, makes the cancel fail without effect."""
    conformance.check()
