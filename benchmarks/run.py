"""Speed of the suite, side by side in one run: in-process simulator vs loopback HTTP.

Runs every rule case of every provider N times on two lanes and prints medians and the
ratio. Usage: ``python benchmarks/run.py [--repeat 7] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

from payconform.lanes.base import LaneSession, http_session, simulator_session
from payconform.model.registry import all_contracts
from payconform.simulator.core import Simulator
from payconform.simulator.server import serve_in_thread


def _timed(session: LaneSession) -> tuple[float, int]:
    started = time.perf_counter()
    results = session.run_all()
    return time.perf_counter() - started, len(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", default=None, help="also write the numbers to this file")
    args = parser.parse_args()
    rows = []
    for name, contract in all_contracts().items():
        in_process, loopback, cases = [], [], 0
        for _ in range(args.repeat):
            session = simulator_session(contract)
            seconds, cases = _timed(session)
            in_process.append(seconds)
            session.close()
            server = serve_in_thread(Simulator(contract))
            try:
                http = http_session(contract, server.base_url, contract.auth.simulator_credentials,
                                    link_mode="control", origin="loopback")
                loopback.append(_timed(http)[0])
                http.close()
            finally:
                server.stop()
        row = {
            "provider": name,
            "cases": cases,
            "in_process_median_s": statistics.median(in_process),
            "loopback_median_s": statistics.median(loopback),
        }
        row["loopback_over_in_process"] = row["loopback_median_s"] / row["in_process_median_s"]
        rows.append(row)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}; repeats: {args.repeat}")
    print("| provider | cases | in-process median | loopback HTTP median | ratio |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['provider']} | {row['cases']} | {row['in_process_median_s'] * 1000:.1f} ms "
              f"| {row['loopback_median_s'] * 1000:.1f} ms | {row['loopback_over_in_process']:.1f}x |")
    total_in = sum(r["in_process_median_s"] for r in rows)
    total_loop = sum(r["loopback_median_s"] for r in rows)
    print(f"| all | {sum(r['cases'] for r in rows)} | {total_in * 1000:.1f} ms "
          f"| {total_loop * 1000:.1f} ms | {total_loop / total_in:.1f}x |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"machine": machine, "rows": rows}, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
