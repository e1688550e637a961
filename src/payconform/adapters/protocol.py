"""What payconform needs from a team's Python adapter: typed protocols and the loader.

``--adapter module:factory`` names an :class:`AdapterFactory`: called once per scenario with
the provider name, the simulator's base URL and credentials, it returns an adapter for that
provider, or ``None`` when it does not cover it. An adapter is synchronous
(:class:`Adapter`) or asynchronous (:class:`AsyncAdapter`, e.g. on ``httpx.AsyncClient``);
``fetch`` is optional and, when present, is checked against the simulator's link status;
``close`` / ``aclose`` are called after each scenario when present.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

__all__ = ["Adapter", "AdapterError", "AdapterFactory", "AsyncAdapter", "load_factory"]


@runtime_checkable
class Adapter(Protocol):
    """A synchronous adapter."""

    def create(self) -> str:
        """Create a link at the provider and return its id."""

    def cancel(self, link_id: str) -> str:
        """Cancel a link and return an outcome name (``CANCELLED``, ``NOT_CANCELLABLE``, ...)."""


@runtime_checkable
class AsyncAdapter(Protocol):
    """An asynchronous adapter (coroutine methods)."""

    async def create(self) -> str:
        """Create a link at the provider and return its id."""

    async def cancel(self, link_id: str) -> str:
        """Cancel a link and return an outcome name."""


@runtime_checkable
class FetchingAdapter(Protocol):
    """An adapter that can also read a link: ``fetch`` returns the provider's wire status."""

    def fetch(self, link_id: str) -> str:
        """The link's status as the provider names it (e.g. ``CANCELLED``)."""


class AdapterFactory(Protocol):
    """``factory(provider, base_url, credentials)``; ``None`` means "not covered"."""

    def __call__(self, provider: str, base_url: str, credentials: Mapping[str, str]
                 ) -> Adapter | AsyncAdapter | None:
        """An adapter for ``provider`` talking to ``base_url`` with ``credentials``."""


class AdapterError(Exception):
    """The ``--adapter`` value cannot be used; the message says why."""


def load_factory(spec: str) -> AdapterFactory:
    """Import ``module:factory``; clear errors for every way it can be wrong."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise AdapterError(f"--adapter must look like 'module:factory', got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise AdapterError(f"--adapter: cannot import {module_name!r}: {exc}") from None
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise AdapterError(f"--adapter: {module_name!r} has no callable {attr!r}")
    return factory  # type: ignore[no-any-return]
