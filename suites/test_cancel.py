"""Cancel behaviour: which statuses cancel, what persists, what a repeat or unknown id does."""

import pytest

from payconform.plugin import CaseRunner


@pytest.mark.rule("cancel.cancellable-status")
def test_cancel_of_a_link_in_a_cancellable_status_cancels_it(conformance: CaseRunner) -> None:
    """A link in a cancellable status is cancelled and the answer says so."""
    conformance.check()


@pytest.mark.rule("state.cancel-persists")
def test_a_cancelled_link_is_still_cancelled_when_fetched(conformance: CaseRunner) -> None:
    """After a successful cancel, a fetch shows the cancelled status."""
    conformance.check()


@pytest.mark.rule("cancel.not-cancellable")
def test_cancel_of_a_link_in_any_other_status_is_refused_and_changes_nothing(
    conformance: CaseRunner,
) -> None:
    """Paid, expired and other closed links refuse a cancel and stay exactly as they were."""
    conformance.check()


@pytest.mark.rule("cancel.repeat")
def test_a_repeated_cancel_behaves_as_the_contract_says(conformance: CaseRunner) -> None:
    """A second cancel is an error or a no-op, exactly as the provider documents."""
    conformance.check()


@pytest.mark.rule("cancel.unknown-id")
def test_cancel_of_an_unknown_id_is_refused(conformance: CaseRunner) -> None:
    """An id that was never created is refused with the provider's documented error."""
    conformance.check()


@pytest.mark.rule("idempotency.replay")
def test_a_write_sent_twice_with_one_idempotency_key_applies_once(conformance: CaseRunner) -> None:
    """A create sent twice with the same documented idempotency key answers the first again."""
    conformance.check()


@pytest.mark.rule("state.reversible")
def test_a_cancel_the_provider_lets_you_undo_is_undone(conformance: CaseRunner) -> None:
    """Where the contract names an undo (a deactivated link made active again), it restores
    the link, which then cancels again."""
    conformance.check()
