"""Which mutants the property suites catch: mutant x {state machine, schemathesis}.

Usage: ``python benchmarks/property_mutants.py [--all] [--provider NAME]``. By default only
mutants of rules about a state transition, a repeated call or a schema (the ones the
property suites must catch); ``--all`` adds auth, header and unknown-id mutants. "caught"
means the verdict is at least as severe as the mutant's expected verdict (FAIL, WARN for
inferred facts, OBSERVED for unverified ones; schemathesis has only pass/fail).
"""

from __future__ import annotations

import argparse

import httpx

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--provider", action="append", default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| provider | mutant | rule | expected | state machine | schemathesis |")
    print("|---|---|---|---|---|---|")
    missed = 0
    for name, contract in all_contracts().items():
        if args.provider and name not in args.provider:
            continue
        for mutant in mutants_for(contract):
            if not args.all and mutant.rule_id not in PROPERTY_RULES:
                continue
            harness = Harness.from_session(simulator_session(contract, mutation=mutant.mutation))
            harness.reset = True
            machine = run_machine(harness, settings=detection_settings("ci"), seed=args.seed)
            caught = machine.verdict.severity <= mutant.expected_verdict.severity
            fresh = next(m for m in mutants_for(contract) if m.id == mutant.id)
            simulator = Simulator(contract, mutation=fresh.mutation)
            with serve_in_thread(simulator) as server:
                client = ProviderClient(contract, httpx.Client(base_url=server.base_url + "/"),
                                        Credentials(dict(contract.auth.simulator_credentials)))
                st = run_schemathesis(export(contract), server.base_url, {},
                                      settings=machine_settings("ci"), seed=args.seed,
                                      token=lambda c=client: c._auth_headers("valid"),
                                      fresh_state=simulator.forget_links)
            st_caught = not st.passed
            missed += not caught
            first = next(iter(st.failures), "")[:60].replace("|", "/")
            print(f"| {name} | `{mutant.id}` | `{mutant.rule_id}` | {mutant.expected_verdict} "
                  f"| {'yes' if caught else 'NO'} ({machine.verdict}) "
                  f"| {'yes' if st_caught else 'no'}{f' ({first})' if st_caught else ''} |")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
