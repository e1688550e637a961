"""Layer 5, lanes: where a case's requests go. The lane session, the in-process simulator lane
and the live lane (production guard, budget, retries, cleanup)."""
