"""The live lane's safety: production hosts and live keys are refused before any request,
credentials come from the environment only, and a missing one skips the provider."""

from __future__ import annotations

import re

import httpx
import pytest

from payconform.lanes.base import LaneOptions, LaneRefused, LaneUnavailable
from payconform.lanes.guard import (
    GENERIC_LIVE_KEY_PATTERNS,
    base_url_for,
    is_loopback,
    key_prefix,
    production_hosts,
)
from payconform.lanes.live import LivePolicy, preflight
from payconform.model.contract import Contract
from payconform.model.registry import all_contracts, get_contract
from payconform.wiring import check_lane, open_session
from tests.live_support import NetworkSpy, credentials_env

pytest_plugins = ["pytester"]

CONTRACTS = list(all_contracts().values())
PRODUCTION = [(c.provider, host) for c in CONTRACTS
              for host, owner in sorted(production_hosts([c]).items()) if owner == c.provider]
LIVE_KEYS = [(c.provider, p) for c in CONTRACTS for p in c.auth.live_key_patterns] + [
    ("cashfree", p) for p, _, _ in GENERIC_LIVE_KEY_PATTERNS]


def _sample_key(pattern: str) -> str:
    """A realistic key matching ``pattern``: its literal prefix plus random-looking text."""
    prefix = re.match(r"\^?([A-Za-z0-9_-]*)", pattern)
    sample = (prefix.group(1) if prefix else "") + "Zq81KxT0aBcD9eF2"
    assert re.search(pattern, sample), f"cannot build a sample key for {pattern!r}"
    return sample


def _url_on(contract: Contract, host: str) -> str:
    production = contract.base_urls.get("production", "")
    return production if f"//{host}" in production else f"https://{host}/"


def test_every_provider_has_a_production_signal() -> None:
    """Each contract has a production host, or live-key patterns when one host serves both."""
    known = production_hosts()
    for contract in CONTRACTS:
        # Two contracts of one vendor (PayPal's) may share hosts: the map names one owner.
        own = {h.lower() for h in contract.production_hosts}
        production = contract.base_urls.get("production")
        if production and httpx.URL(production).host != httpx.URL(contract.base_urls["sandbox"]).host:
            own.add(httpx.URL(production).host)
        assert (own & set(known)) or contract.auth.live_key_patterns, contract.provider


@pytest.mark.parametrize(("provider", "host"), PRODUCTION, ids=[f"{p}:{h}" for p, h in PRODUCTION])
def test_a_production_host_is_refused_before_any_request(
        provider: str, host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given sandbox credentials and a production base URL, opening the lane is refused with
    the host and the flag named, and nothing leaves the process."""
    contract = get_contract(provider)
    spy = NetworkSpy(monkeypatch)
    options = LaneOptions(lane="live", base_url=_url_on(contract, host),
                          env=credentials_env(contract))
    for attempt in (check_lane, open_session):
        with pytest.raises(LaneRefused) as refused:
            attempt(contract, options)
        message = str(refused.value)
        assert f"refusing {host}, a production host of {provider}" in message
        assert "--allow-production" in message
    assert spy.attempts == []


@pytest.mark.parametrize(("provider", "pattern"), LIVE_KEYS, ids=[f"{p}:{k}" for p, k in LIVE_KEYS])
def test_a_live_key_is_refused_before_any_request_whatever_the_host(
        provider: str, pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a credential matching a live-key pattern, the lane is refused naming the variable,
    the key prefix and the flag (never the key), on the sandbox and on loopback alike."""
    contract = get_contract(provider)
    spy = NetworkSpy(monkeypatch)
    env = credentials_env(contract)
    var = next(iter(contract.auth.credentials.values()))
    env[var] = key = _sample_key(pattern)
    for base_url in (None, "http://127.0.0.1:9/"):
        options = LaneOptions(lane="live", base_url=base_url, env=env)
        with pytest.raises(LaneRefused) as refused:
            open_session(contract, options)
        message = str(refused.value)
        assert var in message and "live-looking key" in message
        assert "--allow-production" in message
        assert key not in message
        assert repr(key_prefix(key, re.search(pattern, key))) in message  # type: ignore[arg-type]
    assert spy.attempts == []


def test_a_key_prefix_never_shows_the_key() -> None:
    """The prefix shown stops at the key's last underscore and at half its length."""
    for key, shown in (("rzp_live_AbCdEf0123456789", "rzp_live_"), ("ck_live_abc", "ck_li"),
                       ("sk_live_" + "x" * 24, "sk_live_")):
        match = re.search(r"^(rzp_live_|ck_|sk_live_)", key)
        assert match is not None
        assert key_prefix(key, match) == shown


def test_another_providers_production_host_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pointing any provider at Cashfree's production host is refused."""
    spy = NetworkSpy(monkeypatch)
    contract = get_contract("razorpay")
    with pytest.raises(LaneRefused, match=r"refusing api\.cashfree\.com, a production host of cashfree"):
        preflight(contract, LaneOptions(lane="live", base_url="https://api.cashfree.com/pg",
                                        env=credentials_env(contract)))
    assert spy.attempts == []


def test_allow_production_lets_the_lane_open_without_sending_anything(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Given --allow-production, a production URL opens a session; opening sends nothing."""
    spy = NetworkSpy(monkeypatch)
    contract = get_contract("cashfree")
    session = open_session(contract, LaneOptions(
        lane="live", base_url=contract.base_urls["production"], allow_production=True,
        env=credentials_env(contract)))
    session.close()
    assert spy.attempts == []


def test_loopback_is_always_allowed_and_the_default_is_the_sandbox() -> None:
    """Loopback hosts are never production; without --base-url the sandbox URL is used."""
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "api.localhost"))
    assert not any(is_loopback(h) for h in ("api.cashfree.com", "10.0.0.1", "localhost.example"))
    for contract in CONTRACTS:
        env = credentials_env(contract)
        options = LaneOptions(lane="live", env=env)
        assert base_url_for(contract, options) == contract.base_urls["sandbox"]
        preflight(contract, options)
        preflight(contract, LaneOptions(lane="live", base_url="http://127.0.0.1:8080/x", env=env))


def test_missing_credentials_name_the_variables_and_send_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Given no credentials in the environment, the provider is unavailable (SKIPPED)."""
    spy = NetworkSpy(monkeypatch)
    for contract in CONTRACTS:
        with pytest.raises(LaneUnavailable) as unavailable:
            open_session(contract, LaneOptions(lane="live", env={}))
        for var in contract.auth.credentials.values():
            assert var in str(unavailable.value)
    assert spy.attempts == []


def test_malformed_settings_are_refused() -> None:
    """A live setting that is not a non-negative number is a usage error naming it."""
    with pytest.raises(LaneRefused, match="PAYCONFORM_LIVE_BUDGET_CASHFREE='lots'"):
        LivePolicy.from_env("cashfree", {"PAYCONFORM_LIVE_BUDGET_CASHFREE": "lots"})
    policy = LivePolicy.from_env("razorpay-invoices", {"PAYCONFORM_LIVE_BUDGET": "10",
                                                       "PAYCONFORM_LIVE_BUDGET_RAZORPAY_INVOICES": "3",
                                                       "PAYCONFORM_LIVE_RATE": "0.5"})
    assert (policy.budget, policy.rate) == (3, 0.5)


def _run_inprocess(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess("--pyargs", "payconform.suites", "-p", "no:cacheprovider",
                                        "--report-dir", str(pytester.path / "reports"),
                                        "--lane", "live", *args)


def test_pytest_refuses_a_production_host_as_a_usage_error(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pytest --lane live --base-url <production>`` exits 4 with one clear sentence."""
    contract = get_contract("cashfree")
    for var, value in credentials_env(contract).items():
        monkeypatch.setenv(var, value)
    spy = NetworkSpy(monkeypatch)
    result = _run_inprocess(pytester, "--provider", "cashfree", "--base-url",
                            "https://api.cashfree.com/pg")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*refusing api.cashfree.com, a production host of cashfree;*"
                                 "--allow-production*"])
    assert spy.attempts == []


def test_pytest_refuses_a_live_key_as_a_usage_error(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pytest --lane live`` with an rzp_live_ key exits 4, naming the prefix, not the key."""
    key = "rzp_live_Zq81KxT0aBcD9eF2"
    monkeypatch.setenv("RAZORPAY_KEY_ID", key)
    monkeypatch.setenv("RAZORPAY_KEY_SECRET", "secret-value-123")
    spy = NetworkSpy(monkeypatch)
    result = _run_inprocess(pytester, "--provider", "razorpay")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*RAZORPAY_KEY_ID holds a live-looking key (prefix 'rzp_live_'*"])
    assert key not in result.stdout.str() + result.stderr.str()
    assert spy.attempts == []
