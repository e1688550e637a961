"""The project's tests keep payconform's guard-table cache in a temporary folder of their own,
shared with the runs they start in subprocesses, and never in the user's cache."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from payconform.audit.guard_cache import CACHE_ENV

_MADE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Point ``PAYCONFORM_CACHE_DIR`` at a fresh folder for this test session."""
    _MADE.append(tempfile.mkdtemp(prefix="payconform-test-cache-"))
    os.environ[CACHE_ENV] = _MADE[-1]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the folder again."""
    for folder in _MADE:
        shutil.rmtree(folder, ignore_errors=True)
