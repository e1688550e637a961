"""State-machine throughput on the simulator lane: steps (rule calls) and requests per second.

Usage: ``python benchmarks/stateful_throughput.py [--profile dev] [--seed 1] [--provider NAME]``.
Runs each provider's contract state machine once, in process (httpx transport, no socket),
with shrinking off (a faithful simulator has nothing to shrink), and prints one row each.
"""

from __future__ import annotations

import argparse
import platform

from hypothesis import Phase
from hypothesis import settings as Settings

from payconform.lanes.base import simulator_session
from payconform.model.registry import all_contracts
from payconform.properties.harness import Harness
from payconform.properties.profiles import machine_settings
from payconform.properties.stateful import run_machine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="dev", choices=("dev", "ci", "live"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--provider", action="append", default=None)
    args = parser.parse_args()
    settings = Settings(machine_settings(args.profile), phases=[Phase.explicit, Phase.generate])
    print(f"python {platform.python_version()} on {platform.machine()}, profile {args.profile}, "
          f"seed {args.seed}")
    print("| provider | verdict | steps | requests | seconds | steps/s | requests/s |")
    print("|---|---|---|---|---|---|---|")
    total_steps = total_time = 0.0
    for name, contract in all_contracts().items():
        if args.provider and name not in args.provider:
            continue
        harness = Harness.from_session(simulator_session(contract))
        harness.reset = True
        result = run_machine(harness, settings=settings, seed=args.seed, profile=args.profile)
        total_steps += result.step_count
        total_time += result.duration_s
        print(f"| {name} | {result.verdict} | {result.step_count} | {result.requests} "
              f"| {result.duration_s:.2f} | {result.steps_per_second:.0f} "
              f"| {result.requests / result.duration_s:.0f} |")
    print(f"| all | | {total_steps:.0f} | | {total_time:.2f} | {total_steps / total_time:.0f} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
