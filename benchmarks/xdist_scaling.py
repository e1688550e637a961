"""Wall time of the suites in one process against pytest-xdist (``-n auto`` or ``-n N``).

Runs ``pytest --pyargs payconform.suites`` (simulator lane, ``ci`` hypothesis profile, the
same seed) in a fresh subprocess per repetition, once without xdist and once with it, checks
that both runs report the same cases with the same verdicts (the merged report is complete),
and prints the medians and the speed-up. Process start-up is included: it is what a user waits
for. Usage: ``python benchmarks/xdist_scaling.py [--workers auto] [--repeat 3] [--quick]``
(``--quick``: the rule-catalog suites only, no property search).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RULE_SUITES = ["payconform.suites.test_cancel", "payconform.suites.test_auth_and_headers",
               "payconform.suites.test_schemas"]


def _run(workers: str | None, suites: list[str], seed: str, report_dir: Path) -> tuple[float, dict]:  # type: ignore[type-arg]
    command = [sys.executable, "-m", "pytest", "--pyargs", *suites, "-q", "-p", "no:cacheprovider",
               "--report-dir", str(report_dir), "--hypothesis-seed", seed]
    command += ["-n", workers] if workers else ["-p", "no:xdist"]
    env = {**os.environ, "PAYCONFORM_HYPOTHESIS_PROFILE": "ci", "PAYCONFORM_PROGRESS_INTERVAL": "3600"}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=report_dir.parent)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 6):
        raise SystemExit(f"pytest exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    doc = json.loads((report_dir / "latest" / "conformance.json").read_text())
    return seconds, doc


def _verdicts(doc: dict) -> dict[tuple[str, str, str], str]:  # type: ignore[type-arg]
    return {(r["provider"], r["rule_id"], r["case_id"]): r["verdict"] for r in doc["results"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", default="auto", help="pytest-xdist -n value (default auto)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="rule-catalog suites only")
    parser.add_argument("--json", default=None, help="also write the numbers to this file")
    args = parser.parse_args()
    suites = RULE_SUITES if args.quick else ["payconform.suites"]
    seed = "20261130"
    one, many = [], []
    with tempfile.TemporaryDirectory(prefix="payconform-xdist-") as tmp:
        for index in range(args.repeat):
            seconds, single = _run(None, suites, seed, Path(tmp) / f"one-{index}")
            one.append(seconds)
            seconds, merged = _run(args.workers, suites, seed, Path(tmp) / f"many-{index}")
            many.append(seconds)
            if _verdicts(single) != _verdicts(merged):
                raise SystemExit("the xdist run's merged report differs from the single process's")
    cases = len(single["results"])
    row = {"suites": "rule catalog" if args.quick else "all", "cases": cases,
           "one_process_s": round(statistics.median(one), 2),
           f"xdist_{args.workers}_s": round(statistics.median(many), 2),
           "speedup": round(statistics.median(one) / statistics.median(many), 2),
           "cpus": os.cpu_count(), "python": platform.python_version(), "repeat": args.repeat}
    print(f"{row['suites']}: {cases} cases, same verdicts in both runs")
    print(f"one process: median {row['one_process_s']} s; -n {args.workers}: median "
          f"{row[f'xdist_{args.workers}_s']} s; speed-up x{row['speedup']} on {row['cpus']} CPUs")
    if args.json:
        Path(args.json).write_text(json.dumps(row, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
