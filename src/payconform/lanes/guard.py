"""The production guard of the lanes that reach real networks, run before any request.

A production host of any known contract, or a credential matching a live-key pattern, is
refused with :class:`~payconform.lanes.base.LaneRefused` unless ``allow_production``; the
message names the host or the key *prefix* (never the key) and ``--allow-production``.
Loopback hosts are never production hosts; a live key is refused whatever the host (a local
proxy forwards it).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping

import httpx

from payconform.lanes.base import LaneOptions, LaneRefused
from payconform.model.contract import Contract

__all__ = [
    "GENERIC_LIVE_KEY_PATTERNS",
    "base_url_for",
    "is_loopback",
    "key_prefix",
    "options_env",
    "production_hosts",
    "production_owner",
    "refuse_production",
]

#: Live-key patterns of providers without a contract yet: (regex, whose, citation). Stripe's
#: (sk_live_, rk_live_) moved into its contracts.
GENERIC_LIVE_KEY_PATTERNS: tuple[tuple[str, str, str], ...] = ()

# ---- the production guard ------------------------------------------------------------------


def _host(url: str) -> str:
    return (httpx.URL(url).host or "").lower().rstrip(".")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (always allowed)."""
    host = host.lower().strip("[]").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def production_hosts(extra: Iterable[Contract] = ()) -> dict[str, str]:
    """Production host -> provider, over every known contract (and ``extra`` ones).

    A contract's ``production_hosts`` plus the host of its production base URL when that
    differs from its sandbox host (Razorpay and Commet serve both modes on one host: there the
    live key pattern is the signal).
    """
    from payconform.model.registry import all_contracts

    out: dict[str, str] = {}
    for contract in [*all_contracts().values(), *extra]:
        hosts = {h.lower() for h in contract.production_hosts}
        production = contract.base_urls.get("production")
        if production and _host(production) != _host(contract.base_urls["sandbox"]):
            hosts.add(_host(production))
        for host in hosts:
            out.setdefault(host, contract.provider)
    return out


def production_owner(host: str, hosts: Mapping[str, str]) -> str | None:
    if is_loopback(host):
        return None
    for known, provider in hosts.items():
        if host == known or host.endswith("." + known):
            return provider
    return None


def _live_key_patterns(contract: Contract) -> list[tuple[str, str]]:
    """(regex, whose) for this contract first, then every other contract, then generic ones."""
    from payconform.model.registry import all_contracts

    out = [(p, contract.provider) for p in contract.auth.live_key_patterns]
    for other in all_contracts().values():
        if other.provider != contract.provider:
            out += [(p, other.provider) for p in other.auth.live_key_patterns]
    out += [(p, whose) for p, whose, _ in GENERIC_LIVE_KEY_PATTERNS]
    return out


def key_prefix(value: str, match: re.Match[str]) -> str:
    """The prefix of a key to show in a refusal: up to its last ``_`` in the first 16
    characters (``rzp_live_``, ``ck_live_``), never more than half the key."""
    head = value[:16]
    cut = head.rfind("_") + 1
    prefix = head[:cut] if cut >= match.end() else value[:match.end()]
    return prefix[: max(1, min(len(prefix), len(value) // 2))]


def options_env(options: LaneOptions) -> Mapping[str, str]:
    return os.environ if options.env is None else options.env


def base_url_for(contract: Contract, options: LaneOptions) -> str:
    """``--base-url``, else ``PAYCONFORM_BASE_URL_<PROVIDER>``, else the contract's sandbox."""
    var = "PAYCONFORM_BASE_URL_" + contract.provider.upper().replace("-", "_")
    return options.base_url or options_env(options).get(var) or contract.base_urls["sandbox"]


def refuse_production(contract: Contract, options: LaneOptions) -> None:
    """Refuse a run that could touch production (or has no usable base URL) before any request."""
    url = base_url_for(contract, options)
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise LaneRefused(f"{contract.provider}: base URL {url!r} is not a URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise LaneRefused(f"{contract.provider}: base URL {url!r} must be an http(s) URL with a host")
    if options.allow_production:
        return
    host = _host(url)
    owner = production_owner(host, production_hosts([contract]))
    if owner is not None:
        raise LaneRefused(
            f"{contract.provider}: refusing {host}, a production host of {owner}; no request was "
            "sent. Point --base-url at a sandbox, or pass --allow-production to run against "
            "production on purpose."
        )
    env = options_env(options)
    patterns = _live_key_patterns(contract)
    for var in contract.auth.credentials.values():
        value = env.get(var) or ""
        for pattern, whose in patterns:
            match = re.search(pattern, value)
            if value and match:
                raise LaneRefused(
                    f"{contract.provider}: {var} holds a live-looking key (prefix "
                    f"{key_prefix(value, match)!r}, a {whose} live key); no request was sent. "
                    "Use sandbox keys, or pass --allow-production to run with live keys on purpose."
                )
