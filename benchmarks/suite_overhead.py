"""The simulator lane against its floor, phase by phase, side by side in one run.

For each phase of ``pytest suites --lane simulator`` (rule catalog, state machine, input
properties, schemathesis, and the whole lane) a child process runs pytest, with the
guard-table cache warm, and a counter on the simulator: wall time, CPU time and every request
the simulator answered (in process or over loopback). The floor is a bare httpx loop sending
exactly those requests to a fresh simulator the same way (in-process transport, or a served
simulator over loopback); its answers cost what the simulator's do, so the ratio is
payconform's overhead.
Collection is measured against ``pytest --collect-only`` of an empty suite.

Usage: ``python benchmarks/suite_overhead.py [--repeat 3] [--profile ci] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

PHASES: dict[str, list[str]] = {
    "rules": ["suites/test_cancel.py", "suites/test_auth_and_headers.py", "suites/test_schemas.py"],
    "state machine": ["suites/test_properties.py", "-k", "state_machine"],
    "inputs": ["suites/test_properties.py", "-k", "not state_machine"],
    "schemathesis": ["suites/test_schemathesis.py"],
    "whole lane": ["suites"],
}


def machine() -> str:
    """The machine the numbers were taken on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()}, Python {platform.python_version()}"


# ---- child: one pytest run with a request counter ------------------------------------------


def child(args: list[str], dump: str) -> int:
    """Run pytest on ``args`` and write the simulator's requests and the wall time to ``dump``."""
    import pytest

    import payconform.simulator.transport as transport
    from payconform.simulator.core import Simulator

    seen: list[dict[str, Any]] = []
    local = threading.local()
    original_handle = Simulator.handle
    original_async = Simulator.handle_async
    original_inproc = transport._handle

    def handle(self: Simulator, method: str, target: str, headers: Any, body: bytes = b"") -> Any:
        seen.append({"provider": self.contract.provider, "method": method, "target": target,
                     "headers": dict(headers), "body": body.decode("latin-1"),
                     "socket": not getattr(local, "in_process", False)})
        return original_handle(self, method, target, headers, body)

    def inproc(simulator: Simulator, request: Any) -> Any:
        local.in_process = True
        try:
            return original_inproc(simulator, request)
        finally:
            local.in_process = False

    async def handle_async(self: Simulator, method: str, target: str, headers: Any,
                           body: bytes = b"") -> Any:
        # A served simulator (schemathesis's phase) answers through the ASGI app.
        seen.append({"provider": self.contract.provider, "method": method, "target": target,
                     "headers": dict(headers), "body": body.decode("latin-1"), "socket": True})
        return await original_async(self, method, target, headers, body)

    Simulator.handle = handle  # type: ignore[method-assign]
    Simulator.handle_async = handle_async  # type: ignore[method-assign]
    transport._handle = inproc
    with tempfile.TemporaryDirectory() as reports:
        started = time.perf_counter()
        code = pytest.main([*args, "--lane", "simulator", "-q", "-p", "no:randomly",
                            "--report-dir", reports])
        wall = time.perf_counter() - started
    Path(dump).write_text(json.dumps({"wall": wall, "requests": seen}))
    return int(code)


def run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One child run: its wall time (inside pytest), its CPU seconds and its requests."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        dump = handle.name
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", dump, "--", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    process_wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 5):
        raise SystemExit(f"pytest {' '.join(args)} exited {proc.returncode}:\n{proc.stdout[-3000:]}")
    data: dict[str, Any] = json.loads(Path(dump).read_text())
    os.unlink(dump)
    data["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    data["process_wall"] = process_wall
    return data


# ---- the floor: the same requests from a bare httpx loop ----------------------------------------


def floor(requests: list[dict[str, Any]]) -> float:
    """CPU seconds a bare httpx loop takes to send ``requests`` to fresh simulators, each the
    way the suite sent it (in-process transport, or a served simulator over loopback)."""
    import httpx

    from payconform.model.registry import get_contract
    from payconform.simulator.core import Simulator
    from payconform.simulator.server import serve_in_thread
    from payconform.simulator.transport import SimulatorTransport

    batches: dict[tuple[str, bool], list[dict[str, Any]]] = {}
    for request in requests:
        batches.setdefault((request["provider"], request["socket"]), []).append(request)
    total = 0.0  # CPU seconds of this process: the loop, httpx and the simulator (threads included)
    for (provider, over_socket), batch in batches.items():
        simulator = Simulator(get_contract(provider))
        server = serve_in_thread(simulator) if over_socket else None
        try:
            if server is not None:
                url = httpx.URL(server.base_url)
                client = httpx.Client(base_url=f"{url.scheme}://{url.host}:{url.port}")
            else:
                client = httpx.Client(transport=SimulatorTransport(simulator), base_url="http://simulator")
            with client:
                started = time.process_time()
                for request in batch:
                    client.request(request["method"], request["target"], headers=request["headers"],
                                   content=request["body"].encode("latin-1"))
                total += time.process_time() - started
        finally:
            if server is not None:
                server.stop()
    return total


def spread(values: list[float]) -> str:
    """Median with min-max."""
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", default="ci", help="hypothesis profile of the suites (default ci)")
    parser.add_argument("--json", default=None, help="also write the numbers to this file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.rest, args.child)
    env = {**os.environ, "PAYCONFORM_HYPOTHESIS_PROFILE": args.profile}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"machine: {machine()}; profile {args.profile}; {args.repeat} paired runs per phase")
    # The report's guard tables are cached on disk (audit/guard_cache.py); fill the cache first
    # so every measured run is a warm one, and their simulators' requests are not counted.
    subprocess.run([sys.executable, "-c", "from payconform.audit.guards import guard_rows\n"
                    "from payconform.model.registry import provider_names\n"
                    "for name in provider_names(): guard_rows(name)"], cwd=ROOT, env=env, check=True)
    rows = []
    for name, selection in PHASES.items():
        walls, cpus, floors, counts = [], [], [], []
        for _ in range(args.repeat):
            data = run_child(selection, env)
            walls.append(data["process_wall"])
            cpus.append(data["cpu"])
            counts.append(len(data["requests"]))
            floors.append(floor(data["requests"]))
        rows.append({"phase": name, "wall": walls, "cpu": cpus, "floor": floors, "requests": counts})
    # Collection: the suites against an empty suite, both with every installed plugin loaded.
    with tempfile.TemporaryDirectory() as empty:
        Path(empty, "test_empty.py").write_text("def test_nothing():\n    pass\n")
        collect, baseline = [], []
        for _ in range(args.repeat):
            for target, out in ((["suites"], collect), ([empty], baseline)):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly",
                                *target], cwd=ROOT, env=env, capture_output=True, check=False)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                out.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    # CPU seconds are the comparable number on a shared machine; wall time is shown too.
    print("| phase | requests | wall (median, min-max) | CPU (median, min-max) | bare httpx loop CPU "
          "| CPU / floor |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        cpu, base = statistics.median(row["cpu"]), statistics.median(row["floor"])
        print(f"| {row['phase']} | {statistics.median(row['requests']):.0f} | {spread(row['wall'])} "
              f"| {spread(row['cpu'])} | {spread(row['floor'])} | {cpu / base if base else 0:.1f}x |")
    ratio = statistics.median(collect) / statistics.median(baseline)
    print(f"| collection CPU (`--collect-only`) | - | - | {spread(collect)} "
          f"| empty suite: {spread(baseline)} | {ratio:.1f}x |")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "profile": args.profile, "rows": rows,
                                               "collect": collect, "collect_empty": baseline}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
