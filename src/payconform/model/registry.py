"""Finds contracts: the bundled ones and any registered by other packages.

Third-party contracts register a module under the ``payconform.contracts`` entry-point
group; the module defines ``CONTRACT`` or ``CONTRACTS``. A team can also name importable
modules in ``PAYCONFORM_CONTRACTS`` (comma-separated) to add contracts from its own repo; a
contract named there *replaces* a bundled or registered one of the same provider (a team's
own revision, e.g. a pinned fact under review), and :func:`contract_module` says which module
a provider's contract came from.
The JSON Schemas of such a contract live next to its module (``schemas/`` beside it, or the
module's own folder). A named module that cannot be imported, fails while importing or
declares no contract is a :class:`ContractError` of one sentence.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable
from functools import cache, partial
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from payconform.model.contract import Contract, ContractError, add_schema_dir

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


def _load(what: str, load: Callable[[], ModuleType]) -> ModuleType:
    """Import a contract module, turning any failure into one sentence."""
    try:
        return load()
    except ContractError as exc:
        raise ContractError(f"{what} holds an invalid contract: {exc}") from None
    except ImportError as exc:
        raise ContractError(f"{what} cannot be imported: {exc}") from None
    except Exception as exc:  # a broken module must not become a traceback in every run
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise ContractError(f"{what} failed while importing: {type(exc).__name__}: {first}") from None


def _own_contracts(what: str, module: ModuleType) -> list[Contract]:
    """The contracts of a module named by the user: at least one, schemas found beside it."""
    found = _contracts_of(module)
    if not found:
        raise ContractError(f"{what} defines no CONTRACT: add CONTRACT = build(...) (or "
                            "CONTRACTS = [...]) to that module")
    _register_schema_dirs(module)
    return found


def _register_schema_dirs(module: ModuleType) -> None:
    """A contract of one's own finds its JSON Schemas beside its module."""
    origin = getattr(module, "__file__", None)
    if origin:
        folder = Path(origin).resolve().parent
        add_schema_dir(folder / "schemas")
        add_schema_dir(folder)


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
    named: dict[int, str] = {}  # index in modules -> how the user named it
    for entry in entry_points(group="payconform.contracts"):
        what = f"the payconform.contracts entry point {entry.name!r}"
        named[len(modules)] = what
        modules.append(_load(what, entry.load))
    own: list[tuple[str, ModuleType]] = []
    for name in filter(None, (n.strip() for n in os.environ.get("PAYCONFORM_CONTRACTS", "").split(","))):
        what = f"PAYCONFORM_CONTRACTS names {name!r}, which"
        own.append((what, _load(what, partial(importlib.import_module, name))))

    contracts: dict[str, tuple[Contract, ModuleType]] = {}
    for index, module in enumerate(modules):
        found = _own_contracts(named[index], module) if index in named else _contracts_of(module)
        for contract in found:
            if contract.provider in contracts:
                raise ContractError(f"provider {contract.provider!r} is declared twice")
            contracts[contract.provider] = (contract, module)
    replaced: set[str] = set()
    for what, module in own:
        for contract in _own_contracts(what, module):
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
