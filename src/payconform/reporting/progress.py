"""Progress lines for long work: ``payconform: <phase>: <counts>, <seconds>s``.

A phase (a property search, a schemathesis run, a recording, a drift check) reports its
counts while it runs, at most once per ``PAYCONFORM_PROGRESS_INTERVAL`` seconds (default 10),
and once when it ends. Lines go to the sink the front end installs: pytest's terminal
reporter (the plugin) or stderr (the CLI); with no sink installed, phases are silent.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

__all__ = ["Phase", "emit", "interval", "phase", "set_sink"]

Sink = Callable[[str], None]
_SINK: list[Sink] = []


def set_sink(sink: Sink | None) -> None:
    """Send progress lines to ``sink`` (None: drop them)."""
    _SINK[:] = [sink] if sink is not None else []


def emit(line: str) -> None:
    """Send one line to the sink, if any."""
    if _SINK:
        _SINK[0](line)


def interval() -> float:
    """Seconds between two lines of one running phase (``PAYCONFORM_PROGRESS_INTERVAL``)."""
    try:
        return max(0.0, float(os.environ.get("PAYCONFORM_PROGRESS_INTERVAL", "10")))
    except ValueError:
        return 10.0


class Phase:
    """One named piece of long work; :meth:`tick` after each unit of it."""

    def __init__(self, name: str, counts: Callable[[], Mapping[str, int]]) -> None:
        self.name = name
        self.counts = counts
        self.started = time.monotonic()
        self._last = self.started
        self._every = interval()

    def line(self, suffix: str = "") -> str:
        """The phase's progress line now."""
        counts = ", ".join(f"{v} {k}" for k, v in self.counts().items())
        elapsed = time.monotonic() - self.started
        return f"payconform: {self.name}: {counts or 'started'}, {elapsed:.1f}s{suffix}"

    def tick(self) -> None:
        """Emit a line when the interval has passed since the last one."""
        now = time.monotonic()
        if _SINK and now - self._last >= self._every:
            self._last = now
            _SINK[0](self.line(" ..."))


@contextmanager
def phase(name: str, counts: Callable[[], Mapping[str, int]] | None = None) -> Iterator[Phase]:
    """Run a phase: its lines while it runs (via :meth:`Phase.tick`) and one when it ends."""
    current = Phase(name, counts or (lambda: {}))
    try:
        yield current
    finally:
        emit(current.line())
