"""payconform's property search against the schemathesis CLI, on the same mutants.

For every provider and every mutant of a rule the property layer owns (state transitions,
repeated calls, schemas), three searches run against a simulator playing that mutant:

- payconform's state machine (in process),
- payconform's schemathesis phase (its checks, over loopback, on the exported document),
- the schemathesis CLI (``schemathesis run``, all its checks) on the same exported document
  against the same served mutant, with the same example budget.

Each search reports time, requests the simulator answered, mutants caught and mutants caught
per second, side by side in one run. Usage:
``python benchmarks/versus_schemathesis_cli.py [--provider NAME] [--profile ci] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.suite_overhead import machine
from payconform.lanes.base import simulator_session
from payconform.model.registry import all_contracts
from payconform.properties.checks import run_schemathesis
from payconform.properties.harness import Harness
from payconform.properties.openapi import export
from payconform.properties.profiles import machine_settings
from payconform.properties.stateful import PROPERTY_RULES, detection_settings, run_machine
from payconform.rules.client import Credentials, ProviderClient
from payconform.simulator.core import Simulator
from payconform.simulator.mutants import mutants_for
from payconform.simulator.server import serve_in_thread

CLI = Path(sys.executable).with_name("schemathesis")
ANSWERED = [0]
_receive = Simulator._receive


def _counted(self: Simulator, *args: Any, **kwargs: Any) -> Any:
    ANSWERED[0] += 1
    return _receive(self, *args, **kwargs)


# Count every request any simulator of this process receives (a reset forgets its request log).
# Both entries, in process (handle) and served over ASGI (handle_async), go through _receive.
Simulator._receive = _counted  # type: ignore[method-assign]


class Tally:
    """Time, requests and catches of one search over all mutants."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.requests = 0
        self.caught = 0

    def row(self, name: str, mutants: int) -> str:
        rate = self.caught / self.seconds if self.seconds else 0.0
        return (f"| {name} | {self.caught}/{mutants} | {self.seconds:.1f} s | {self.requests} "
                f"| {rate:.2f} |")


def _cli(document: dict[str, Any], base_url: str, headers: dict[str, str], examples: int,
         seed: int) -> bool:
    """Run the schemathesis CLI; True when it reports a failure."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work, "openapi.json")
        path.write_text(json.dumps({**document, "servers": [{"url": base_url}]}))
        command = [str(CLI), "run", str(path), "--url", base_url, "--checks", "all",
                   "--exclude-checks", "positive_data_acceptance,ignored_auth",
                   "--mode", "positive", "-n", str(examples), "--seed", str(seed),
                   "--phases", "examples,fuzzing,stateful", "--workers", "1",
                   "--report-dir", work]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        proc = subprocess.run(command, capture_output=True, text=True, cwd=work, check=False)
        return proc.returncode != 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--provider", action="append", default=None)
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    machine_tally, st_tally, cli_tally = Tally(), Tally(), Tally()
    mutants = 0
    examples = machine_settings(args.profile).max_examples
    for name, contract in all_contracts().items():
        if args.provider and name not in args.provider:
            continue
        document = export(contract)
        for mutant in mutants_for(contract):
            if mutant.rule_id not in PROPERTY_RULES:
                continue
            mutants += 1
            session = simulator_session(contract, mutation=mutant.mutation)
            harness = Harness.from_session(session)
            harness.reset = True
            started, before = time.perf_counter(), ANSWERED[0]
            result = run_machine(harness, settings=detection_settings(args.profile), seed=args.seed)
            machine_tally.seconds += time.perf_counter() - started
            machine_tally.requests += ANSWERED[0] - before
            machine_tally.caught += result.verdict.severity <= mutant.expected_verdict.severity
            for tally, use_cli in ((st_tally, False), (cli_tally, True)):
                fresh = next(m for m in mutants_for(contract) if m.id == mutant.id)
                simulator = Simulator(contract, mutation=fresh.mutation)
                with serve_in_thread(simulator) as server:
                    client = ProviderClient(contract, httpx.Client(base_url=server.base_url + "/"),
                                            Credentials(dict(contract.auth.simulator_credentials)))
                    started, before = time.perf_counter(), ANSWERED[0]
                    if use_cli:
                        caught = _cli(document, server.base_url, client._auth_headers("valid"),
                                      max(3, examples // 3), args.seed)
                    else:
                        run = run_schemathesis(document, server.base_url, {},
                                               settings=machine_settings(args.profile), seed=args.seed,
                                               token=lambda c=client: c._auth_headers("valid"),
                                               fresh_state=simulator.forget_links)
                        caught = not run.passed
                    tally.seconds += time.perf_counter() - started
                    tally.requests += ANSWERED[0] - before
                    tally.caught += caught
                    client.http.close()
    print(f"machine: {machine()}; profile {args.profile}; seed {args.seed}; {mutants} mutants")
    print("| search | mutants caught | time | requests | caught per second |")
    print("|---|---|---|---|---|")
    print(machine_tally.row("payconform state machine (in process)", mutants))
    print(st_tally.row("payconform schemathesis phase (loopback)", mutants))
    print(cli_tally.row("schemathesis CLI, all checks (loopback)", mutants))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
