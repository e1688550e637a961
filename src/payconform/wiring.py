"""The one place that lists the lanes: each lane's factory and its pre-flight check.

Registration is filled from the top: lanes never register themselves, so no lower module
imports a higher one. Adding a lane means writing its factory and naming it here.
"""

from __future__ import annotations

from collections.abc import Callable

from payconform.cassettes.lanes import record_factory, replay_factory
from payconform.lanes.base import LaneFactory, LaneOptions, LaneSession, LaneUnavailable, simulator_factory
from payconform.lanes.live import live_session, preflight
from payconform.model.contract import Contract

__all__ = ["LANES", "LANE_CHECKS", "LANE_FACTORIES", "check_lane", "open_session"]

#: Lane name -> factory of a :class:`LaneSession` for one contract.
LANE_FACTORIES: dict[str, LaneFactory] = {
    "simulator": simulator_factory,
    "replay": replay_factory,
    "record": record_factory,
    "live": live_session,
}

#: Lane name -> check run before any request of the run (raises LaneRefused): the production
#: guard of the lanes that reach real networks. Record sends the same requests as live.
LANE_CHECKS: dict[str, Callable[[Contract, LaneOptions], None]] = {
    "live": preflight,
    "record": preflight,
}

LANES = tuple(LANE_FACTORIES)


def check_lane(contract: Contract, options: LaneOptions) -> None:
    """Run the chosen lane's pre-flight check for ``contract``; LaneRefused says why not."""
    check = LANE_CHECKS.get(options.lane)
    if check is not None:
        check(contract, options)


def open_session(contract: Contract, options: LaneOptions) -> LaneSession:
    """A session for ``contract`` on the chosen lane; LaneUnavailable says why not."""
    factory = LANE_FACTORIES.get(options.lane)
    if factory is None:
        raise LaneUnavailable(
            f"lane {options.lane!r} is not available; known lanes: {', '.join(LANE_FACTORIES)}"
        )
    return factory(contract, options)
