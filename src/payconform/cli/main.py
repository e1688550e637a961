"""The ``payconform`` command line: serve, providers, report, mutants (and more via COMMANDS).

Every command returns an exit status; errors are one clear sentence on stderr, never a
traceback. Other modules add commands by appending to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from payconform import __version__
from payconform.cli.cassettes import register_cassettes, register_drift
from payconform.cli.judge import register_judge
from payconform.cli.reports import register_history, register_report
from payconform.model.contract import Contract, ContractError
from payconform.model.registry import UnknownProvider, all_contracts, get_contract
from payconform.properties.openapi import register_openapi
from payconform.reporting import progress

__all__ = ["COMMANDS", "EXIT_USAGE", "main"]

EXIT_USAGE = 4
#: A closed output pipe: 128 + SIGPIPE, as a shell reports a program that SIGPIPE ended.
EXIT_BROKEN_PIPE = 141

Register = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]


def _serve(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("serve", help="serve a provider simulator over HTTP on loopback")
    parser.add_argument("provider")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; others need --allow-remote)")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--allow-remote", action="store_true",
                        help="listen on a non-loopback address (the control API then needs a token)")
    parser.add_argument("--control-token", default=None, metavar="TOKEN",
                        help="require this token for the control API (default beyond loopback: "
                             "a random one, printed at start)")
    parser.add_argument("--judge", action="store_true",
                        help="also serve the adapter scenario plan and record the session")
    parser.add_argument("--record", type=Path, metavar="FILE",
                        help="with --judge: write the session here on exit (for 'payconform judge')")
    parser.add_argument("--play", action="append", default=[], metavar="PATH=N",
                        help="play candidate N (1-based) of the unverified expectation at PATH "
                             "(e.g. repeat_cancel=2, cancel_outcomes.paid=3, unknown_id=2); "
                             "repeatable: rehearse what the vendor might do")
    parser.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    import secrets

    from payconform.simulator.core import Simulator
    from payconform.simulator.server import is_loopback_host, serve_forever

    contract = get_contract(args.provider)
    for choice in args.play:
        path, _, number = choice.partition("=")
        try:
            contract = contract.playing(path.strip(), int(number) - 1)
        except (KeyError, ValueError) as exc:
            text = exc.args[0] if exc.args else str(exc)
            print(f"payconform serve: --play {choice!r}: {text}", file=sys.stderr)
            return EXIT_USAGE
    loopback = is_loopback_host(args.host)
    if not loopback and not args.allow_remote:
        print(f"payconform: refusing to listen on {args.host}, which is not a loopback address: "
              "anyone who can reach it can drive the simulator. Pass --allow-remote to do it on "
              "purpose (the control API then requires a token).", file=sys.stderr)
        return EXIT_USAGE
    if args.control_token is not None and len(args.control_token) < 16:
        print("payconform: --control-token must be at least 16 characters", file=sys.stderr)
        return EXIT_USAGE
    token = args.control_token or (None if loopback else secrets.token_urlsafe(24))
    # Accept the user's own credentials when they are set, so a live-lane run pointed at
    # this server needs no change; otherwise the contract's documented simulator defaults.
    env = {name: os.environ.get(var) for name, var in contract.auth.credentials.items()}
    credentials = {k: v for k, v in env.items() if v} if all(env.values()) else None
    if args.record is not None and not args.judge:
        print("payconform: --record needs --judge", file=sys.stderr)
        return EXIT_USAGE
    judged = None
    if args.judge:
        from payconform.adapters.scenarios import ScenarioSimulator

        judged = ScenarioSimulator(contract, credentials=credentials)
    simulator = judged or Simulator(contract, credentials=credentials)
    try:
        status = serve_forever(simulator, args.host, args.port, control_token=token)
    except OSError as exc:  # binding: address in use, not available, no permission
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        print(f"payconform: cannot listen on {args.host}:{args.port}: {reason.lower()}",
              file=sys.stderr)
        return EXIT_USAGE
    if judged is not None and args.record is not None:
        args.record.write_text(json.dumps(judged.session().to_json(), indent=1), "utf-8")
    return status


def _live_setup(contract: Contract) -> dict[str, Any]:
    """What a team needs to set up the live lane and monitoring for ``contract``."""
    from payconform.lanes.plan import full_run_calls

    fixtures = [{"env": f.env, "status": f.status, "kind": "status"} for f in contract.fixtures]
    fixtures += [{"env": v.fixture_env, "status": v.initial_status, "kind": f"variant {v.name}"}
                 for v in contract.variants if v.fixture_env]
    production = contract.base_urls.get("production")
    hosts = list(dict.fromkeys([*contract.production_hosts,
                                *([httpx.URL(production).host] if production else [])]))
    header = contract.idempotency_header
    return {
        "fixtures": fixtures,
        "production_guard": {"hosts": hosts, "live_key_patterns": list(contract.auth.live_key_patterns),
                             "sandbox_key_patterns": list(contract.auth.sandbox_key_patterns)},
        "idempotency_header": header.name if header is not None else None,
        "live_run_calls": full_run_calls(contract),
    }


def _providers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("providers", help="list contracts, API versions and evidence counts")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--json", action="store_const", const="json", dest="format",
                        help="same as --format json")
    parser.set_defaults(func=_cmd_providers)


def _cmd_providers(args: argparse.Namespace) -> int:
    from payconform.audit.guards import guard_rows

    rows: list[dict[str, Any]] = []
    for name, contract in all_contracts().items():
        guards = guard_rows(name)
        rows.append({
            "provider": name,
            "name": contract.display_name,
            "api_versions": [v.name for v in contract.api_versions],
            "default_api_version": contract.default_api_version,
            "evidence": contract.evidence_counts(),
            "credentials": list(contract.auth.credentials.values()),
            "guarded_facts": sum(g.guarded for g in guards),
            "judged_facts": len(guards),
            "unguarded": [{"fact": g.fact.id, "evidence": g.fact.evidence.value,
                           "rule": g.fact.rule_id, "citation": g.fact.source.citation,
                           "unjudged_by": list(g.unjudged)}
                          for g in guards if not g.guarded],
            **_live_setup(contract),
        })
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        counts = ", ".join(f"{k} {v}" for k, v in row["evidence"].items())
        print(f"{row['provider']}: {row['name']}")
        print(f"  API versions: {', '.join(row['api_versions'])} "
              f"(default {row['default_api_version']})")
        print(f"  expectations by evidence: {counts}")
        print(f"  credentials: {', '.join(row['credentials'])}")
        for fixture in row["fixtures"]:
            print(f"  fixture: {fixture['env']} = a link in {fixture['status']}")
        guard = row["production_guard"]
        print(f"  production guard: hosts {', '.join(guard['hosts']) or '(none)'}; live keys "
              f"{', '.join(guard['live_key_patterns']) or '(none)'}")
        print(f"  idempotency header: {row['idempotency_header'] or '(none)'}")
        print(f"  API calls of a full live run: {row['live_run_calls']}")
        print(f"  facts guarded by independent evidence: {row['guarded_facts']} of "
              f"{row['judged_facts']}; unguarded (the verdict rests on the citation only):")
        by_schema: dict[str, list[str]] = {}
        for item in row["unguarded"]:
            if item["fact"].startswith("schema:"):
                name, _, constraint = item["fact"][len("schema:"):].partition("#")
                by_schema.setdefault(name, []).append(constraint)
            else:
                missing = "".join(f"; not judged by {u}" for u in item["unjudged_by"])
                print(f"    {item['fact']} [{item['evidence']}]{missing}")
        for name, constraints in by_schema.items():
            print(f"    schema {name} ({len(constraints)} constraints): {', '.join(constraints)}")
    return 0


def _mutants(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("mutants", help="break every contract fact in the simulator and print "
                            "the fact-level kill table")
    parser.add_argument("--provider", action="append", default=None)
    parser.set_defaults(func=_cmd_mutants)


def _cmd_mutants(args: argparse.Namespace) -> int:
    from payconform.audit.guards import guard_rows
    from payconform.audit.kills import simulator_kills

    names = args.provider or list(all_contracts())
    tables = {name: simulator_kills(get_contract(name)) for name in names}
    print("## Simulator mutants: one per fact")
    print()
    print("| provider | fact | evidence | rule | mutant | expected | reported | killed |")
    print("|---|---|---|---|---|---|---|---|")
    survivors = 0
    for name, rows in tables.items():
        for row in rows:
            survivors += not row.killed
            also = f" (with {', '.join(row.also)})" if row.also else ""
            print(f"| {name} | `{row.fact.id}` | {row.fact.evidence.value} | `{row.fact.rule_id}` "
                  f"| {row.mutant or '-'}{also} | {row.expected or '-'} | {row.reported or '-'} "
                  f"| {'yes' if row.killed else 'NO: ' + row.detail} |")
    print()
    for name, rows in tables.items():
        print(f"{name}: {len(rows)} facts, {sum(r.killed for r in rows)} killed")
    print()
    print("## Contract mutants: one per judged fact, against independent evidence")
    print()
    print("| provider | fact | evidence | mutated to | killed by | first contradiction |")
    print("|---|---|---|---|---|---|")
    guarded = {name: guard_rows(name) for name in names}
    for name, grows in guarded.items():
        for g in grows:
            first = g.evidence[0].replace("|", "/") if g.evidence else "-"
            missing = "".join(f" (not judged by {u})" for u in g.unjudged)
            print(f"| {name} | `{g.fact.id}` | {g.fact.evidence.value} | {g.mutant} "
                  f"| {', '.join(g.killed_by) or '**unguarded**'}{missing} | {first} |")
    print()
    for name, grows in guarded.items():
        bare = [g.fact.id for g in grows if not g.guarded]
        absent = sorted({u for g in grows if not g.guarded for u in g.unjudged})
        print(f"{name}: {len(grows)} judged facts, {len(grows) - len(bare)} guarded by independent "
              f"evidence; unguarded: {', '.join(bare) or 'none'}"
              + "".join(f"; not judged by {u}" for u in absent))
    return 1 if survivors else 0


def _learn(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "learn", help="turn OBSERVED results of live runs into a proposed contract patch")
    parser.add_argument("reports", nargs="+", metavar="REPORT",
                        help="conformance.json files or report directories of live/record runs")
    parser.add_argument("--contract-file", default=None,
                        help="the contract module to patch (default: the one the provider's "
                             "contract was loaded from)")
    parser.add_argument("--provider", default=None, help="only this provider")
    parser.add_argument("--output", "-o", default=None, help="write the patch here, not stdout")
    parser.set_defaults(func=_cmd_learn)


def _cmd_learn(args: argparse.Namespace) -> int:
    from payconform.reporting.learn import gather, patch_text, propose

    try:
        observations, skipped = gather(Path(p) for p in args.reports)
    except ValueError as exc:
        print(f"payconform learn: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for line in skipped:
        print(f"payconform learn: skipped {line}", file=sys.stderr)
    if args.provider:
        observations = [o for o in observations if o.provider == args.provider]
    if not observations:
        print("payconform learn: no OBSERVED result with a learned behaviour; nothing to propose",
              file=sys.stderr)
        return 0
    contract_file = Path(args.contract_file) if args.contract_file else None
    proposals = propose(observations, contract_file=contract_file)
    text = "".join(patch_text(p) for p in proposals)
    if args.output:
        Path(args.output).write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    return 0


COMMANDS: list[Register] = [_serve, _providers, register_report, register_history, _mutants, _learn,
                            register_judge, register_cassettes, register_drift, register_openapi]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``payconform`` console script."""
    parser = argparse.ArgumentParser(
        prog="payconform",
        description="Conformance suite for payment providers' payment-link APIs.",
    )
    parser.add_argument("--version", action="version", version=f"payconform {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(sub)
    args = parser.parse_args(argv)
    progress.set_sink(lambda line: print(line, file=sys.stderr, flush=True))
    try:
        result: int = args.func(args)
        sys.stdout.flush()
        return result
    except (UnknownProvider, ContractError) as exc:
        print(f"payconform: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`payconform report | head`): stop quietly, with the status a
        # shell gives a program ended by SIGPIPE; point stdout at devnull so the interpreter's
        # final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return 130

