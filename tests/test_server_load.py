"""The served simulator under concurrent load, for every provider (loopback only, bounded).

Requests are payconform's own client's create / fetch / cancel, captured once and replayed
by many connections with their own links (``benchmarks/workload.py``). Speed is measured in
``benchmarks/served_simulator.py``; these tests only say that nothing goes wrong.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from benchmarks.workload import Template, Workload, capture, send
from payconform.model.contract import Contract
from payconform.model.outcomes import Outcome
from payconform.model.registry import all_contracts, get_contract
from payconform.rules.client import interpret
from payconform.simulator.core import Simulator
from payconform.simulator.server import RunningServer, ServeLimits, serve_in_thread

PROVIDERS = sorted(all_contracts())
#: Connections stay open while the others connect (a loaded machine may take seconds).
PATIENT = ServeLimits(idle_timeout=120)


def _session(connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections),
                                 timeout=aiohttp.ClientTimeout(total=120))


async def _call(session: aiohttp.ClientSession, work: Workload, template: Template, link_id: str
                ) -> tuple[int, bytes]:
    return await send(session, work.request(template, link_id))


async def _mixed(work: Workload, connections: int, server: RunningServer) -> tuple[list[str], int]:
    """``connections`` clients, each on its own connection, all open at once: create, then
    (once every client has created) fetch and cancel. Returns problems and the most
    connections the server held at once."""
    problems: list[str] = []
    barrier = asyncio.Barrier(connections)
    held = 0
    answered = [0, 0]  # fetches, cancels

    async def one(n: int) -> None:
        nonlocal held
        async with _session(1) as session:  # one client, one keep-alive connection
            sent = work.new_id(n, "load")
            status, body = await _call(session, work, work.create, sent)
            if await barrier.wait() == 0:
                held = len(server.server.server_state.connections)
            if status >= 300:
                problems.append(f"create HTTP {status}")
                return
            link_id = work.created_id(body, sent)
            if work.activate is not None:  # a draft is made payable first (PayPal's send)
                status, _ = await _call(session, work, work.activate, link_id)
                if status >= 300:
                    problems.append(f"activate HTTP {status}")
                    return
            # Fetch before the cancel: after it, some providers' links read 404 (deleted).
            for template in (work.fetch, work.cancel):
                status, _ = await _call(session, work, template, link_id)
                if status >= 300:
                    problems.append(f"{template.method} {template.path} HTTP {status}")
                else:
                    answered[template is work.cancel] += 1

    await asyncio.gather(*(one(n) for n in range(connections)))
    if answered != [connections, connections]:
        problems.append(f"answered fetches and cancels: {answered}")
    return problems, held


@pytest.mark.parametrize("provider", PROVIDERS)
def test_500_concurrent_connections_of_mixed_traffic_get_no_error(provider: str) -> None:
    """Given 500 connections open at once, every create, fetch and cancel is answered 2xx."""
    contract = get_contract(provider)
    with serve_in_thread(Simulator(contract), limits=PATIENT) as server:
        work = capture(contract, server.base_url)
        problems, held = asyncio.run(_mixed(work, 500, server))
    assert problems == []
    assert held >= 500


def _cancel_answers(contract: Contract, answers: list[tuple[int, bytes]]) -> tuple[int, list[int]]:
    """How many answers cancelled the link (as payconform's client reads them), and the
    statuses of the others."""
    wins = 0
    refusals = []
    for status, body in answers:
        parsed = json.loads(body) if body else None
        outcome, _, _ = interpret(contract, "cancel", status, parsed,
                                  pre_status=contract.initial_status)
        if outcome is Outcome.CANCELLED:
            wins += 1
        else:
            refusals.append(status)
    return wins, refusals


@pytest.mark.parametrize("provider", PROVIDERS)
def test_50_concurrent_cancels_of_one_link_cancel_it_exactly_once(provider: str) -> None:
    """Given 50 simultaneous cancels of one cancellable link (fresh idempotency keys), the
    link is cancelled once: one success and 49 repeat refusals, or (a no-op repeat) 50 equal
    answers with one cancellation time."""
    contract = get_contract(provider)
    with serve_in_thread(Simulator(contract), limits=PATIENT) as server:
        work = capture(contract, server.base_url)

        async def race() -> list[tuple[int, bytes]]:
            async with _session(50) as session:
                sent = work.new_id(1, "race")
                status, body = await _call(session, work, work.create, sent)
                assert status < 300, body
                link_id = work.created_id(body, sent)
                if work.activate is not None:
                    status, body = await _call(session, work, work.activate, link_id)
                    assert status < 300, body
                return list(await asyncio.gather(
                    *(_call(session, work, work.cancel, link_id) for _ in range(50))))

        answers = asyncio.run(race())
    wins, refusals = _cancel_answers(contract, answers)
    repeat = contract.repeat_cancel
    if repeat.is_success:
        assert (wins, refusals) == (50, [])
        assert all(body == answers[0][1] for _, body in answers), "a no-op repeat changes nothing"
    else:
        assert wins == 1
        assert refusals == [repeat.played.http_status or 400] * 49
