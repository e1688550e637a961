"""The bundled provider contracts: one flat declarative module per provider.

Each module defines ``CONTRACT`` (or ``CONTRACTS`` for providers with several API
families). They hold data and citations only: no HTTP code, no test logic.
"""
