"""Adapter verification: a team's own provider client, judged on its outcomes and its requests.

- :mod:`~payconform.adapters.protocol`: the typed protocols of a Python adapter and its loader;
- :mod:`~payconform.adapters.scenarios`: the scenario plan and the simulator that arms it;
- :mod:`~payconform.adapters.judge`: the adapter rules (outcome mapping and request rules);
- :mod:`~payconform.adapters.harness`: driving a Python adapter (sync or async) through the plan.
"""
