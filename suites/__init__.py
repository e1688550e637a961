"""Provider-agnostic conformance suites: one test per rule, parametrized over contracts.

Run them with ``pytest suites`` in a checkout, or ``pytest --pyargs payconform.suites``
where payconform is installed.
"""
