"""Time of the two audits per provider: the fact-level simulator kill table and the guard table.

Usage: ``python benchmarks/kill_tables.py [--repeat 3] [--provider P ...]``. Prints, per
provider, the number of facts and contract mutants and the median seconds of each table (what
``payconform mutants`` and ``tests/test_fact_mutants.py`` spend), and of each guard's own table
(a fresh guard each time: the SDK guard serves its simulator and drives the SDK anew).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from payconform.audit.contract_mutants import guard_table
from payconform.audit.guards import GUARDS
from payconform.audit.kills import simulator_kills
from payconform.model.registry import all_contracts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--provider", action="append", default=None)
    args = parser.parse_args()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    names = [g.name for g in GUARDS]
    print(f"machine: {machine}; repeats: {args.repeat}; guards: {', '.join(names)}")
    print("| provider | facts | simulator kill table | contract mutants | guard table | "
          + " | ".join(names) + " |")
    print("|---|---|---|---|---|" + "---|" * len(names))
    totals = [0.0] * (2 + len(names))
    contracts = all_contracts()
    for name in args.provider or list(contracts):
        contract = contracts[name]
        times: list[list[float]] = [[] for _ in totals]
        facts = mutants = 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            facts = len(simulator_kills(contract))
            times[0].append(time.perf_counter() - started)
            fresh = [type(g)() for g in GUARDS]
            started = time.perf_counter()
            mutants = len(guard_table(contract, fresh))
            times[1].append(time.perf_counter() - started)
            for guard in fresh:
                close = getattr(guard, "close", None)
                if close is not None:
                    close()
            for i, guard in enumerate(type(g)() for g in GUARDS):
                started = time.perf_counter()
                guard_table(contract, [guard])
                times[2 + i].append(time.perf_counter() - started)
                close = getattr(guard, "close", None)
                if close is not None:
                    close()
        medians = [statistics.median(t) for t in times]
        totals = [a + b for a, b in zip(totals, medians, strict=True)]
        print(f"| {name} | {facts} | {medians[0]:.2f} s | {mutants} | "
              + " | ".join(f"{m:.2f} s" for m in medians[1:]) + " |")
    print("| all | | " + f"{totals[0]:.2f} s | | " + " | ".join(f"{t:.2f} s" for t in totals[1:])
          + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
