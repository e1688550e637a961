"""Your adapter, judged on what it reports and on what it sends (needs --adapter).

Each test is one adapter rule, parametrized over the scenarios it applies to; a scenario runs
once against the served simulator and every rule judges the same recording.
"""

import pytest

from payconform.plugin import CaseRunner


@pytest.mark.rule("adapter.outcome-mapping")
def test_your_adapter_maps_every_cancel_outcome_the_contract_documents(
    conformance: CaseRunner,
) -> None:
    """Cancelled, refused, already cancelled, unknown id, bad credentials; CANCELLED under a
    fault only when the link is cancelled."""
    conformance.check()


@pytest.mark.rule("adapter.request.endpoint")
def test_your_adapter_calls_only_documented_operations(conformance: CaseRunner) -> None:
    """Every request is a contract operation with its documented method."""
    conformance.check()


@pytest.mark.rule("adapter.request.auth")
def test_your_adapter_authenticates_every_request(conformance: CaseRunner) -> None:
    """The contract's auth headers are on every API request."""
    conformance.check()


@pytest.mark.rule("adapter.request.headers")
def test_your_adapter_sends_the_required_headers(conformance: CaseRunner) -> None:
    """Required (and probed) headers are present and well formed on every API request."""
    conformance.check()


@pytest.mark.rule("adapter.request.idempotency-key")
def test_your_adapter_reuses_its_idempotency_key_on_retries(conformance: CaseRunner) -> None:
    """Every attempt of one cancel carries the same idempotency key."""
    conformance.check()


@pytest.mark.rule("adapter.request.retry-safety")
def test_your_adapter_retries_only_what_cannot_apply_twice(conformance: CaseRunner) -> None:
    """A cancel whose answer was lost is repeated only with the idempotency key."""
    conformance.check()


@pytest.mark.rule("adapter.request.retry-after")
def test_your_adapter_waits_retry_after(conformance: CaseRunner) -> None:
    """A retry after a 429 waits what Retry-After says."""
    conformance.check()


@pytest.mark.rule("adapter.request.no-second-cancel")
def test_your_adapter_does_not_cancel_twice_after_a_terminal_refusal(
    conformance: CaseRunner,
) -> None:
    """A refused cancel of a paid, expired or cancelled link is not sent again."""
    conformance.check()


@pytest.mark.rule("adapter.request.final-refusal")
def test_your_adapter_does_not_retry_a_final_refusal(conformance: CaseRunner) -> None:
    """A request refused with a final 4xx is not re-sent."""
    conformance.check()


@pytest.mark.rule("adapter.request.token-refresh")
def test_your_adapter_renews_an_expired_token(conformance: CaseRunner) -> None:
    """After a 401 on an expired bearer token, a new token, then the cancel again."""
    conformance.check()
