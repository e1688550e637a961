"""Time of the two audits per provider: the fact-level simulator kill table and the guard table.

Usage: ``python benchmarks/kill_tables.py [--repeat 3]``. Prints, per provider, the number of
facts and contract mutants and the median seconds of each table (what ``payconform mutants``
and ``tests/test_fact_mutants.py`` spend).
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
    args = parser.parse_args()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}; repeats: {args.repeat}; guards: {', '.join(g.name for g in GUARDS)}")
    print("| provider | facts | simulator kill table | contract mutants | guard table |")
    print("|---|---|---|---|---|")
    totals = [0.0, 0.0]
    for name, contract in all_contracts().items():
        kills, guards, facts, mutants = [], [], 0, 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            facts = len(simulator_kills(contract))
            kills.append(time.perf_counter() - started)
            started = time.perf_counter()
            mutants = len(guard_table(contract))
            guards.append(time.perf_counter() - started)
        totals[0] += statistics.median(kills)
        totals[1] += statistics.median(guards)
        print(f"| {name} | {facts} | {statistics.median(kills):.2f} s | {mutants} "
              f"| {statistics.median(guards):.2f} s |")
    print(f"| all | | {totals[0]:.2f} s | | {totals[1]:.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
