"""Finds contracts: the bundled ones and any registered by other packages.

Third-party contracts register a module under the ``payconform.contracts`` entry-point
group; the module defines ``CONTRACT`` or ``CONTRACTS``. A team can also name importable
modules in ``PAYCONFORM_CONTRACTS`` (comma-separated) to add contracts from its own repo; a
contract named there *replaces* a bundled or registered one of the same provider (a team's
own revision, e.g. a pinned fact under review), and :func:`contract_module` says which module
a provider's contract came from.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType

from payconform.model.contract import Contract, ContractError

__all__ = ["UnknownProvider", "all_contracts", "contract_module", "get_contract", "provider_names"]

BUNDLED_PACKAGE = "payconform.contracts"


class UnknownProvider(LookupError):
    """A provider name that no contract declares."""


def _contracts_of(module: ModuleType) -> list[Contract]:
    found: list[Contract] = []
    single = getattr(module, "CONTRACT", None)
    if single is not None:
        found.append(single)
    found.extend(getattr(module, "CONTRACTS", ()))
    for contract in found:
        if not isinstance(contract, Contract):
            raise ContractError(f"{module.__name__}: CONTRACT(S) must hold Contract objects")
    return found


@cache
def all_contracts() -> dict[str, Contract]:
    """Every known contract by provider name, bundled first, in a stable order."""
    return {name: contract for name, (contract, _) in _loaded().items()}


def contract_module(provider: str) -> ModuleType:
    """The module that declares ``provider``'s contract (its source is the contract file)."""
    try:
        return _loaded()[provider][1]
    except KeyError:
        raise UnknownProvider(f"unknown provider {provider!r}") from None


@cache
def _loaded() -> dict[str, tuple[Contract, ModuleType]]:
    modules: list[ModuleType] = []
    package = importlib.import_module(BUNDLED_PACKAGE)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("_") and not info.ispkg:
            modules.append(importlib.import_module(f"{BUNDLED_PACKAGE}.{info.name}"))
    for entry in entry_points(group="payconform.contracts"):
        modules.append(entry.load())
    own: list[ModuleType] = []
    for name in filter(None, (n.strip() for n in os.environ.get("PAYCONFORM_CONTRACTS", "").split(","))):
        try:
            own.append(importlib.import_module(name))
        except ImportError as exc:
            raise ContractError(
                f"PAYCONFORM_CONTRACTS names {name!r}, which cannot be imported: {exc}"
            ) from None

    contracts: dict[str, tuple[Contract, ModuleType]] = {}
    for module in modules:
        for contract in _contracts_of(module):
            if contract.provider in contracts:
                raise ContractError(f"provider {contract.provider!r} is declared twice")
            contracts[contract.provider] = (contract, module)
    replaced: set[str] = set()
    for module in own:
        for contract in _contracts_of(module):
            if contract.provider in replaced:
                raise ContractError(f"provider {contract.provider!r} is declared twice in "
                                    "PAYCONFORM_CONTRACTS")
            replaced.add(contract.provider)
            contracts[contract.provider] = (contract, module)
    return contracts


def provider_names() -> list[str]:
    """Names of every known provider."""
    return list(all_contracts())


def get_contract(name: str) -> Contract:
    """The contract for ``name``, or :class:`UnknownProvider` listing the known ones."""
    contracts = all_contracts()
    try:
        return contracts[name]
    except KeyError:
        known = ", ".join(contracts) or "(none)"
        raise UnknownProvider(f"unknown provider {name!r}; known providers: {known}") from None
