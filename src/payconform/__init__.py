"""payconform: a conformance suite for payment providers' payment-link APIs.

Contracts (``payconform.contracts``) declare each provider's documented cancel-link rules;
the engine checks them through lanes (simulator, replay, record, live); the pytest plugin
(``payconform.plugin``) and the ``payconform`` command drive it.
"""

from importlib import metadata

try:
    __version__ = metadata.version("payconform")
except metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = ["__version__"]
