"""What each verdict means and the colour reports paint it, for every renderer.

Renderers never list verdicts themselves: they iterate :class:`Verdict`, so a new verdict
appears in every legend, matrix and timeline with the words and colour given here (a verdict
missing here still renders, grey, with its name as its meaning).
"""

from __future__ import annotations

from payconform.model.outcomes import Verdict

__all__ = ["MEANINGS", "VERDICT_COLORS", "legend_rows", "verdict_color"]

#: Verdict -> one sentence for the legend.
MEANINGS: dict[str, str] = {
    "PASS": "the provider did what its contract says",
    "FAIL": "a documented or observed fact is broken: a contract failure",
    "WARN": "an inferred fact is broken: worth a look, not a failure",
    "OBSERVED": "the rule is unverified: what happened is recorded as a proposal to pin",
    "SKIPPED": "not run here; the reason says what to set or where it runs",
    "INCONCLUSIVE": "infrastructure got in the way (timeout, 5xx, rate limit, budget): no contract verdict",
    "ERROR": "payconform itself (or hypothesis, schemathesis) crashed: never the provider's failure",
}

#: Verdict -> background colour in HTML reports and timelines.
_COLORS: dict[str, str] = {
    "PASS": "#d8f5d0", "FAIL": "#f8c8c8", "WARN": "#fbe8b0", "OBSERVED": "#d6e6fb",
    "SKIPPED": "#eeeeee", "INCONCLUSIVE": "#e8d8f5", "ERROR": "#f5b6e6",
}

_FALLBACK = "#cccccc"


def verdict_color(verdict: str) -> str:
    """The colour of ``verdict`` (grey for a name this module does not know)."""
    return _COLORS.get(str(verdict), _FALLBACK)


def legend_rows() -> list[tuple[str, str, str]]:
    """(verdict, colour, meaning) for every verdict, worst first."""
    ordered = sorted(Verdict, key=lambda v: v.severity)
    return [(v.value, verdict_color(v.value), MEANINGS.get(v.value, v.value)) for v in ordered]


VERDICT_COLORS: dict[str, str] = {v.value: verdict_color(v.value) for v in Verdict}

