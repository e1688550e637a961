"""Layer 2, the provider double: one generic simulator derived from a contract, its fault
injection, its mutants, and the ways to mount it (httpx transport, loopback HTTP server)."""
