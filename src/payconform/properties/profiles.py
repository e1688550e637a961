"""Hypothesis settings profiles and the session seed of payconform's property tests.

hypothesis's own ``--hypothesis-profile`` picks the profile (any registered one, payconform's
or the project's), else ``PAYCONFORM_HYPOTHESIS_PROFILE``: ``dev`` searches harder, ``ci`` keeps
``make test`` fast, ``live`` spends a small example budget on a real sandbox. Unset, the
lanes that reach a vendor (live, record) use ``live`` and the others ``dev``. The seed comes
from ``--hypothesis-seed``, then ``PAYCONFORM_HYPOTHESIS_SEED``, else it is drawn once per
process; the pytest header and every report print it, so any run can be replayed with
``--hypothesis-seed=<seed>``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from hypothesis import HealthCheck, settings

__all__ = [
    "PROFILES",
    "PROFILE_ENV",
    "REMOTE_LANES",
    "SEED_ENV",
    "Budget",
    "active_profile",
    "machine_settings",
    "register_profiles",
    "select_profile",
    "session_seed",
]

PROFILE_ENV = "PAYCONFORM_HYPOTHESIS_PROFILE"
SEED_ENV = "PAYCONFORM_HYPOTHESIS_SEED"


@dataclass(frozen=True)
class Budget:
    """How much one profile may spend: examples per property and steps per machine run."""

    max_examples: int
    steps: int


#: Profile name -> budget. ``live`` is small because every step is a real sandbox request.
PROFILES: dict[str, Budget] = {
    "dev": Budget(max_examples=40, steps=25),
    "ci": Budget(max_examples=15, steps=15),
    "live": Budget(max_examples=3, steps=8),
}

_SEED: list[int] = []
_CHOSEN: list[str] = []  # set from --hypothesis-profile by the pytest plugin


def register_profiles() -> None:
    """Register the payconform profiles with hypothesis (idempotent)."""
    for name, budget in PROFILES.items():
        # dev keeps hypothesis's example database (replays past failures); ci and live do not
        # write one, so a run depends on its seed alone.
        database = {} if name == "dev" else {"database": None}
        settings.register_profile(
            name,
            max_examples=budget.max_examples,
            stateful_step_count=budget.steps,
            # Requests to a provider, even in process, are not CPU-bound test code; a deadline
            # would turn a slow sandbox into a flaky failure.
            deadline=None,
            **database,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                   HealthCheck.function_scoped_fixture],
            print_blob=True,
        )


#: Lanes whose requests reach a vendor: the small ``live`` profile unless told otherwise.
REMOTE_LANES = ("live", "record")


def select_profile(name: str | None) -> None:
    """Use hypothesis profile ``name`` (already registered) for this process; None forgets it."""
    _CHOSEN[:] = [name] if name else []


def active_profile(lane: str | None = None) -> str:
    """The selected profile (``--hypothesis-profile``), else the one named by
    ``PAYCONFORM_HYPOTHESIS_PROFILE``; unset: ``live`` on the lanes that reach a vendor,
    ``dev`` elsewhere."""
    if _CHOSEN:
        return _CHOSEN[0]
    default = "live" if lane in REMOTE_LANES else "dev"
    name = os.environ.get(PROFILE_ENV) or default
    if name not in PROFILES:
        raise ValueError(
            f"{PROFILE_ENV}={name!r} is not a payconform profile; use one of {', '.join(PROFILES)}"
        )
    return name


def session_seed(explicit: object = None) -> int:
    """The seed of this process's property runs (see module docstring); stable once drawn."""
    if explicit not in (None, ""):
        _SEED[:] = [int(str(explicit))]
    if not _SEED:
        env = os.environ.get(SEED_ENV)
        _SEED.append(int(env) if env else secrets.randbelow(2**32))
    return _SEED[0]


def machine_settings(profile: str | None = None) -> settings:
    """Hypothesis settings for one state-machine or property run under ``profile``."""
    register_profiles()
    return settings(settings.get_profile(profile or active_profile()))
