"""Command-line glue: ``payconform cassettes record-simulator|build-documented|lint`` and ``drift``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

from payconform.model.registry import all_contracts, get_contract

__all__ = ["register_cassettes", "register_drift"]

EXIT_USAGE = 4


def register_cassettes(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``payconform cassettes ...``."""
    parser = sub.add_parser("cassettes", help="record, build and lint recorded cassettes")
    commands = parser.add_subparsers(dest="cassettes_command", required=True, metavar="ACTION")

    record = commands.add_parser(
        "record-simulator", help="record every scenario from the simulator served on loopback")
    record.add_argument("provider", nargs="*", help="providers (default: every known provider)")
    record.add_argument("--root", default=None, help="cassette root (default: ./cassettes)")
    record.add_argument("--record-mode", default="rewrite",
                        choices=("none", "once", "new_episodes", "all", "rewrite"))
    record.set_defaults(func=_cmd_record_simulator)

    build = commands.add_parser(
        "build-documented", help="build documented-example cassettes from vendor example bodies")
    build.add_argument("--vendor-data", default=None,
                       help="evidence corpus, one folder per provider "
                       "(default: the bundled contracts/evidence)")
    build.add_argument("--root", default=None,
                       help="output root (default: ./cassettes/documented-examples)")
    build.add_argument("--provider", action="append", default=None)
    build.set_defaults(func=_cmd_build_documented)

    lint = commands.add_parser("lint", help="scan cassettes for secrets, schema errors, bad provenance")
    lint.add_argument("paths", nargs="*", default=None, help="files or folders (default: ./cassettes)")
    lint.add_argument("--max-age-days", type=int, default=None,
                      help="maximum age of sandbox cassettes (default 90)")
    lint.set_defaults(func=_cmd_lint)


def _cmd_record_simulator(args: argparse.Namespace) -> int:
    from payconform.cassettes.lanes import record_simulator
    from payconform.cassettes.store import default_root

    root = Path(args.root) if args.root else default_root()
    names = args.provider or list(all_contracts())
    for name in names:
        contract = get_contract(name)
        results = record_simulator(contract, root, record_mode=args.record_mode)
        verdicts = ", ".join(f"{v} {n}" for v, n in sorted(Counter(r.verdict.value for r in results).items()))
        print(f"{name}: {len(results)} scenarios recorded under {root / name} ({verdicts})")
    return 0


def _cmd_build_documented(args: argparse.Namespace) -> int:
    from payconform.cassettes.documented import DEFAULT_ROOT, build_documented, vendor_data_dir

    source = Path(args.vendor_data) if args.vendor_data else vendor_data_dir()
    if not source.is_dir():
        print(f"payconform: no vendor data at {source}; pass --vendor-data DIR", file=sys.stderr)
        return EXIT_USAGE
    root = Path(args.root) if args.root else DEFAULT_ROOT
    for path in build_documented(source, root, providers=args.provider):
        print(path)
    return 0


def _cmd_lint(args: argparse.Namespace) -> int:
    from payconform.cassettes.lint import lint_paths
    from payconform.cassettes.store import max_age_from_env

    paths = [Path(p) for p in args.paths] if args.paths else [Path("cassettes")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"payconform: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return EXIT_USAGE
    limits = max_age_from_env()
    if args.max_age_days is not None:
        limits["sandbox"] = args.max_age_days
    findings = lint_paths(paths, max_age_days=limits)
    for finding in findings:
        print(finding.line())
    failing = [f for f in findings if not f.accepted]
    return 1 if failing else 0


def register_drift(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``payconform drift PROVIDER``."""
    parser = sub.add_parser("drift", help="compare a fresh recording with the committed cassettes")
    parser.add_argument("provider")
    parser.add_argument("--committed", default=None, help="committed cassette root (default ./cassettes)")
    fresh = parser.add_mutually_exclusive_group()
    fresh.add_argument("--against", default=None, metavar="DIR",
                       help="a second cassette root to compare (no recording)")
    fresh.add_argument("--simulator", action="store_true",
                       help="record the fresh set from the simulator served on loopback")
    fresh.add_argument("--base-url", default=None,
                       help="record the fresh set from this URL (default: the contract's sandbox)")
    parser.add_argument("--allow-production", action="store_true")
    parser.add_argument("--format", choices=("md", "json"), default="md")
    parser.add_argument("--output", default=None, help="also write the report to this file")
    parser.set_defaults(func=_cmd_drift)


def _cmd_drift(args: argparse.Namespace) -> int:
    from payconform.cassettes.drift import compare, render_json, render_markdown
    from payconform.cassettes.lanes import record_simulator, run_with_progress
    from payconform.cassettes.store import replay_root
    from payconform.lanes.base import LaneOptions, LaneRefused, LaneUnavailable
    from payconform.wiring import check_lane, open_session

    contract = get_contract(args.provider)
    committed = Path(args.committed) if args.committed else replay_root()
    if not (committed / contract.provider).is_dir():
        print(f"payconform: no committed cassettes at {committed / contract.provider}", file=sys.stderr)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="payconform-drift-") as tmp:
        if args.against:
            fresh = Path(args.against)
        elif args.simulator:
            fresh = Path(tmp)
            record_simulator(contract, fresh)
        else:
            fresh = Path(tmp)
            options = LaneOptions(lane="record", base_url=args.base_url,
                                  allow_production=args.allow_production, record_mode="rewrite",
                                  cassette_dir=str(fresh), env=os.environ)
            try:
                # The record lane's pre-flight (production hosts, live keys) before any request,
                # exactly as `pytest --lane record` runs it.
                check_lane(contract, options)
                session = open_session(contract, options)
            except (LaneRefused, LaneUnavailable) as exc:
                print(f"payconform: {exc}", file=sys.stderr)
                return EXIT_USAGE
            try:
                run_with_progress(session, f"{contract.provider} drift recording")
            finally:
                finish = session.extra.get("finish")  # the live lane's cleanup of its links
                if callable(finish):
                    finish()
                session.close()
        report = compare(contract, committed, fresh)
    text = render_json(report) if args.format == "json" else render_markdown(report)
    sys.stdout.write(text)
    if args.output:
        Path(args.output).write_text(text, "utf-8")
    return 1 if report.breaking else 0
