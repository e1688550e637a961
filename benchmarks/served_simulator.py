"""The served simulator under load: the http.server baseline against the uvicorn server.

Usage: ``python benchmarks/served_simulator.py [--quick] [--provider cashfree] [--json FILE]``.

Both servers run side by side in their own processes on loopback; this process is the
client (aiohttp, one event loop). At 1, 50 and 500 concurrent clients (each its own
keep-alive connection), every client repeats create -> fetch -> cancel -> fetch on its own
links, the two servers taking turns level by level. The tables give requests per second,
p50 and p99 latency and errors per server, their ratios, and each server's resident memory
after the warm-up and after 100,000 requests (10,000 with ``--quick``). Server CPU seconds
per request is the number to compare on a shared machine: a server with 50 threads gets a
bigger share of a busy CPU than one event loop, which flatters the baseline's throughput.

- ``baseline``: the simulator served as before (``http.server`` threads; request log,
  idempotent answers and links kept without bound), ``benchmarks/baseline_server.py``;
- ``uvicorn``: ``payconform serve`` (the ASGI app on uvicorn + httptools, bounded memory).

The requests are payconform's own client's (``benchmarks/workload.py``), so any provider
works. The machine and its load are printed: it may be shared, so compare ratios from one run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from benchmarks.workload import Workload, capture, send
from payconform.model.contract import Contract
from payconform.model.registry import get_contract
from payconform.simulator.core import Simulator
from payconform.simulator.server import SimulatorApp
from payconform.simulator.transport import SimulatorTransport

HERE = Path(__file__).resolve().parent
SERVERS = ("baseline", "uvicorn")


@dataclass
class Tally:
    """Latencies of the answered requests and the count of each kind of error."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def _client(work: Workload, rounds: int, tally: Tally, ids: itertools.count[int], salt: str
                  ) -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1),
                                     timeout=aiohttp.ClientTimeout(total=60)) as session:
        for _ in range(rounds):
            link_id = work.new_id(next(ids), salt)
            for step, template in enumerate(work.lifecycle()):
                started = time.perf_counter()
                try:
                    status, body = await send(session, work.request(template, link_id))
                except (aiohttp.ClientError, TimeoutError) as exc:
                    tally.error(type(exc).__name__)
                    break
                tally.latencies.append(time.perf_counter() - started)
                if status >= 300:
                    tally.error(f"HTTP {status}")
                    break
                if step == 0:
                    link_id = work.created_id(body, link_id)


async def load(work: Workload, clients: int, requests: int, salt: str) -> tuple[float, Tally]:
    """About ``requests`` requests from ``clients`` concurrent clients: seconds and tallies."""
    tally = Tally()
    rounds = max(1, requests // (len(work.lifecycle()) * clients))
    ids = itertools.count()
    started = time.perf_counter()
    await asyncio.gather(*(_client(work, rounds, tally, ids, salt) for _ in range(clients)))
    return time.perf_counter() - started, tally


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


@dataclass
class Server:
    """A server process and the base URL it printed."""

    name: str
    process: subprocess.Popen[str]
    base_url: str

    def rss_mb(self) -> float:
        return float(psutil.Process(self.process.pid).memory_info().rss) / 2**20

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(name: str, provider: str) -> Server:
    """Start one server on a free loopback port (the contract's simulator credentials)."""
    if name == "baseline":
        command = [sys.executable, str(HERE / "baseline_server.py"), provider]
    else:
        command = [sys.executable, "-m", "payconform", "serve", provider, "--port", "0"]
    contract = get_contract(provider)
    env = {k: v for k, v in os.environ.items() if k not in contract.auth.credentials.values()}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env)
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http"):
        process.kill()
        raise SystemExit(f"the {name} server did not start")
    return Server(name, process, base_url)


def in_process(contract: Contract, rounds: int) -> dict[str, float]:
    """CPU microseconds per request in process: the suite's SimulatorTransport (sync httpx)
    against the ASGI app through httpx.ASGITransport (async httpx), same requests."""
    base = contract.base_urls["sandbox"] + "/"
    out: dict[str, float] = {}
    with httpx.Client(base_url=base, transport=SimulatorTransport(Simulator(contract))) as http:
        work = capture(contract, base, http=http)
        started = time.process_time()
        for n in range(rounds):
            link_id = work.new_id(n, "sync")
            for step, template in enumerate(work.lifecycle()):
                request = work.request(template, link_id)
                answer = http.request(request.method, request.url, headers=request.headers,
                                      content=request.body or None)
                if step == 0:
                    link_id = work.created_id(answer.content, link_id)
        out["SimulatorTransport"] = (time.process_time() - started) / (len(work.lifecycle()) * rounds) * 1e6

    async def asgi() -> None:
        simulator = Simulator(contract)  # one simulator: a captured bearer token stays valid
        transport = httpx.ASGITransport(app=SimulatorApp(simulator))
        async with httpx.AsyncClient(base_url=base, transport=transport) as client:
            with httpx.Client(base_url=base, transport=SimulatorTransport(simulator)) as h:
                work = capture(contract, base, http=h)
            started = time.process_time()
            for n in range(rounds):
                link_id = work.new_id(n, "asgi")
                for step, template in enumerate(work.lifecycle()):
                    request = work.request(template, link_id)
                    answer = await client.request(request.method, request.url,
                                                  headers=request.headers, content=request.body or None)
                    if step == 0:
                        link_id = work.created_id(answer.content, link_id)
            out["ASGITransport"] = (time.process_time() - started) / (len(work.lifecycle()) * rounds) * 1e6

    asyncio.run(asgi())
    return out


def machine() -> str:
    """CPU model, cores, OS, Python and the load average when the run started."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average {load}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a tenth of the requests")
    parser.add_argument("--provider", default="cashfree")
    parser.add_argument("--json", default=None, help="also write the numbers to this file")
    args = parser.parse_args()
    contract = get_contract(args.provider)
    levels = {1: 400, 50: 3000, 500: 6000} if args.quick else {1: 2000, 50: 20000, 500: 40000}
    memory_after = 10_000 if args.quick else 100_000
    started_on = machine()
    print(f"machine: {started_on}")
    print(f"provider {args.provider}, {'quick' if args.quick else 'full'} run; client: aiohttp "
          f"{aiohttp.__version__}, one process; each server in its own process")
    local = in_process(contract, 200 if args.quick else 1000)
    servers = {name: start(name, args.provider) for name in SERVERS}
    rows: list[dict[str, Any]] = []
    memory: dict[str, dict[str, float]] = {}
    try:
        works = {name: capture(contract, s.base_url) for name, s in servers.items()}
        for name in SERVERS:
            asyncio.run(load(works[name], 10, 400, "warm"))
            memory[name] = {"warm_mb": servers[name].rss_mb()}
        for clients, total in levels.items():
            for name in SERVERS:
                cpu = servers[name].cpu_seconds()
                seconds, tally = asyncio.run(load(works[name], clients, total, f"c{clients}"))
                cpu = servers[name].cpu_seconds() - cpu
                done = len(tally.latencies)
                rows.append({"server": name, "clients": clients, "requests": done,
                             "seconds": seconds, "rps": done / seconds,
                             "cpu_us": cpu / max(1, done) * 1e6,
                             "p50_ms": _percentile(tally.latencies, 0.50),
                             "p99_ms": _percentile(tally.latencies, 0.99), "errors": tally.errors})
        for name in SERVERS:
            sent = 400 + sum(r["requests"] for r in rows if r["server"] == name)
            # Resident memory along the way: flat once the bounds are reached.
            memory[name][f"at_{sent}"] = servers[name].rss_mb()
            for quarter in (1, 2, 3, 4):
                target = memory_after * quarter // 4
                if target > sent:
                    asyncio.run(load(works[name], 50, target - sent, f"mem{quarter}"))
                    sent = target
                    memory[name][f"at_{sent}"] = servers[name].rss_mb()
            memory[name]["after_mb"] = servers[name].rss_mb()
            memory[name]["requests"] = sent
    finally:
        for server in servers.values():
            server.stop()
    print()
    print("| clients | server | requests | requests/s | p50 ms | p99 ms | server CPU µs/request "
          "| errors |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        errors = ", ".join(f"{k} x{v}" for k, v in row["errors"].items()) or "0"
        print(f"| {row['clients']} | {row['server']} | {row['requests']} | {row['rps']:.0f} "
              f"| {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['cpu_us']:.0f} | {errors} |")
    print()
    print("| clients | requests/s, uvicorn / baseline | p99, baseline / uvicorn "
          "| server CPU per request, baseline / uvicorn |")
    print("|---|---|---|---|")
    ratios: dict[int, dict[str, float]] = {}
    for clients in levels:
        old, new = (next(r for r in rows if r["server"] == s and r["clients"] == clients)
                    for s in SERVERS)
        ratios[clients] = {"throughput": new["rps"] / old["rps"],
                           "p99": old["p99_ms"] / new["p99_ms"],
                           "cpu": old["cpu_us"] / new["cpu_us"]}
        print(f"| {clients} | {ratios[clients]['throughput']:.2f}x | {ratios[clients]['p99']:.2f}x "
              f"| {ratios[clients]['cpu']:.2f}x |")
    print()
    print("| server | resident memory (MB) after N requests |")
    print("|---|---|")
    for name, mem in memory.items():
        marks = [f"{int(k[3:]):,}: {v:.1f}" for k, v in mem.items() if k.startswith("at_")]
        print(f"| {name} | 400: {mem['warm_mb']:.1f}; {'; '.join(marks)} |")
    print()
    print("| in process | CPU µs/request |")
    print("|---|---|")
    for name, micros in local.items():
        print(f"| {name} | {micros:.0f} |")
    print(f"ASGITransport / SimulatorTransport: {local['ASGITransport'] / local['SimulatorTransport']:.2f}x "
          "(the suite keeps SimulatorTransport)")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": started_on, "rows": rows, "in_process": local,
                                               "ratios": ratios, "memory": memory}, indent=2),
                                   "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
