"""Your adapter maps every cancel outcome the way the contract documents (needs --adapter)."""

import pytest

from payconform.plugin import CaseRunner


@pytest.mark.rule("adapter.outcome-mapping")
def test_your_adapter_maps_every_cancel_outcome_the_contract_documents(
    conformance: CaseRunner,
) -> None:
    """Cancelled, refused, already cancelled, unknown id and bad credentials map correctly."""
    conformance.check()
