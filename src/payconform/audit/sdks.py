"""Official SDK probes: what a vendor's own SDK code says about an answer, checked against the
simulator of a (possibly mutated) contract.

A probe drives the official SDK through a few calls (create, cancel, cancel again, cancel an
unknown id, a wrong key) against the served simulator and returns every place where the SDK
behaves otherwise than its own code or docstrings imply: a call its docstring says succeeds
raises, an answer its models cannot read, an error class the SDK keeps for another HTTP status,
an error code the SDK's error models declare under another status. Only the SDK's code is the
evidence: nothing here compares with the faithful contract's simulator.

Probes are listed in :data:`PROBES`, one per contract an installed SDK can drive; each names
the scenarios it reaches. The SDKs are optional (``payconform[sdk]``).
"""

from __future__ import annotations

import importlib.util
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from payconform.model.contract import Contract

__all__ = ["PROBES", "Probe", "Target", "probe_for"]


@dataclass(frozen=True)
class Target:
    """The served simulator a probe talks to."""

    contract: Contract
    origin: str
    base_url: str

    def credential(self, name: str) -> str:
        """The simulator's value of credential ``name``."""
        return self.contract.auth.simulator_credentials[name]

    def force(self, link_id: str, status: str) -> None:
        """Put a link into ``status`` through the simulator's control API (setup only)."""
        httpx.post(f"{self.origin}/_simulator/links/{quote(link_id, safe='')}/status",
                   json={"status": status}, timeout=10).raise_for_status()


@dataclass(frozen=True)
class Probe:
    """An official SDK's calls for one contract, and the scenarios they reach."""

    provider: str
    package: str  #: the PyPI distribution (for messages)
    module: str  #: what must be importable
    scenarios: tuple[str, ...]
    run: Callable[[Target], list[str]]
    #: The fact kinds its checks can tell apart in those scenarios.
    kinds: tuple[str, ...] = ("outcome", "refused", "http-status", "cancelled-status")

    def observes(self, where: str, kind: str) -> bool:
        """Whether a fact of ``kind`` at scenario ``where`` is one this probe can judge."""
        return where in self.scenarios and kind in self.kinds

    def installed(self) -> bool:
        """Whether the SDK can be imported."""
        return importlib.util.find_spec(self.module) is not None


# ---- Stripe (stripe 16.1.0) ---------------------------------------------------------------------

_STRIPE_EXPIRE = ("its Session.expire docstring (stripe/checkout/_session.py): 'A Checkout Session "
                  "can be expired when it is in one of these statuses: open'")
_STRIPE_CLASSES = ("stripe/_api_requestor.py specific_v1_api_error raises InvalidRequestError "
                   "only for HTTP 400 and 404, AuthenticationError only for HTTP 401")


def _fits(value: Any, hint: Any) -> bool | None:
    """Whether ``value`` fits a type annotation (None: the annotation says nothing we read)."""
    if hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if origin is typing.Union:
        verdicts = [_fits(value, arg) for arg in typing.get_args(hint)]
        if any(v is True for v in verdicts):
            return True
        return False if all(v is False for v in verdicts) else None
    if hint in (str, bool):
        return isinstance(value, hint)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return None


def _stripe_fields(obj: Any, step: str) -> list[str]:
    """The object's fields against the annotations of the SDK class that parsed it."""
    out = []
    hints = getattr(type(obj), "__annotations__", {})
    for key, value in obj.to_dict().items():
        if key in hints and _fits(value, hints[key]) is False:
            out.append(f"{step}: {type(obj).__name__}.{key} = {value!r} does not fit the SDK's "
                       f"annotation {hints[key]!r}")
    return out


def _stripe_refusal(step: str, call: Callable[[], Any], wanted: str) -> list[str]:
    """A call the SDK says fails: it raises, and with the class the SDK keeps for its status."""
    import stripe

    try:
        call()
    except stripe.StripeError as exc:
        return _stripe_class(step, exc, wanted)
    return [f"{step}: the SDK returned an object, but {_STRIPE_EXPIRE}"]


def _stripe_client(t: Target, key: str) -> Any:
    """The stripe SDK's client for ``key``, pointed at the served simulator, no retries."""
    import stripe

    return stripe.StripeClient(key, base_addresses={"api": t.origin}, max_network_retries=0)


def _stripe_raised_classes(steps: tuple[tuple[str, Callable[[], Any], str], ...]) -> list[str]:
    """Calls whose success says nothing about the SDK: only the class of what they raise."""
    import stripe

    out: list[str] = []
    for step, call, wanted in steps:
        try:
            call()
        except stripe.StripeError as exc:
            out += _stripe_class(step, exc, wanted)
    return out


def _stripe_class(step: str, exc: Any, wanted: str) -> list[str]:
    import stripe

    kind = getattr(getattr(exc, "error", None), "type", None)
    classes = {"invalid_request_error": stripe.InvalidRequestError,
               "authentication": stripe.AuthenticationError}
    expected = classes[wanted]
    if wanted == "invalid_request_error" and kind != "invalid_request_error":
        return []  # the SDK says nothing of other error types' statuses
    if wanted == "authentication" and exc.http_status not in (401, 403):
        return []  # refused for another reason than the key: nothing about the key
    if not isinstance(exc, expected):
        return [f"{step}: the SDK raised {type(exc).__name__} (HTTP {exc.http_status}), not "
                f"{expected.__name__} ({_STRIPE_CLASSES})"]
    return []


def _stripe_checkout(t: Target) -> list[str]:
    import stripe

    sessions = _stripe_client(t, t.credential("secret_key")).v1.checkout.sessions
    params = {"mode": "payment", "success_url": "https://example.com/payconform/ok",
              "line_items": [{"price_data": {"currency": "usd", "unit_amount": 1500,
                                             "product_data": {"name": "payconform sdk guard"}},
                              "quantity": 1}]}
    try:
        session = sessions.create(params=params)
        complete = sessions.create(params=params)
    except stripe.StripeError as exc:
        return [f"create: the SDK raised {type(exc).__name__} (HTTP {exc.http_status})"]
    out = _stripe_fields(session, "create")
    try:
        expired = sessions.expire(session.id)
    except stripe.StripeError as exc:
        out.append(f"expire of an open session: the SDK raised {type(exc).__name__} (HTTP "
                   f"{exc.http_status}), but {_STRIPE_EXPIRE}")
    else:
        out += _stripe_fields(expired, "expire")
        if expired.status != "expired":
            out.append(f"expire of an open session: status {expired.status!r}; the SDK's "
                       "Session.status names an expired session 'expired'")
    out += _stripe_refusal("a repeat expire", lambda: sessions.expire(session.id),
                           "invalid_request_error")
    t.force(complete.id, "complete")
    out += _stripe_refusal("expire of a complete session", lambda: sessions.expire(complete.id),
                           "invalid_request_error")
    # The SDK cannot know an id is unknown or a key wrong: only the class of what it raises is
    # judged there (a success says nothing about the SDK).
    fresh = sessions.create(params=params)
    steps: tuple[tuple[str, Callable[[], Any], str], ...] = (
        ("expire of an unknown id",
         lambda: sessions.expire(t.contract.unknown_id_example), "invalid_request_error"),
        ("expire with a wrong key",
         lambda: _stripe_client(t, "sk_test_payconformwrongkey0000000").v1.checkout.sessions.expire(
             fresh.id), "authentication"))
    return out + _stripe_raised_classes(steps)


_STRIPE_DEACTIVATE = ("its PaymentLink.modify params (stripe/params/_payment_link_modify_params.py): "
                      "active 'If `false`, customers visiting the URL will be shown a page saying "
                      "that the link has been deactivated.'")


def _stripe_payment_links(t: Target) -> list[str]:
    import stripe

    links = _stripe_client(t, t.credential("secret_key")).v1.payment_links
    params = {"line_items": [{"price_data": {"currency": "usd", "unit_amount": 1500,
                                             "product_data": {"name": "payconform sdk guard"}},
                              "quantity": 1}]}
    try:
        link = links.create(params=params)
    except stripe.StripeError as exc:
        return [f"create: the SDK raised {type(exc).__name__} (HTTP {exc.http_status})"]
    out = _stripe_fields(link, "create")
    try:
        updated = links.update(link.id, params={"active": False})
    except stripe.StripeError as exc:
        out.append(f"update with active=false: the SDK raised {type(exc).__name__} (HTTP "
                   f"{exc.http_status}), but {_STRIPE_DEACTIVATE}")
    else:
        out += _stripe_fields(updated, "update")
        if updated.active is not False:
            out.append(f"update with active=false: active {updated.active!r}, but "
                       f"{_STRIPE_DEACTIVATE}")
    steps: tuple[tuple[str, Callable[[], Any], str], ...] = (
        ("update of an unknown id",
         lambda: links.update(t.contract.unknown_id_example, params={"active": False}),
         "invalid_request_error"),
        ("update with a wrong key",
         lambda: _stripe_client(t, "sk_test_payconformwrongkey0000000").v1.payment_links.update(
             link.id, params={"active": False}), "authentication"))
    return out + _stripe_raised_classes(steps)


# ---- Commet (commet-sdk 9.7.0) ---------------------------------------------------------------------

_COMMET_CANCEL = ("its payments.cancel docstring (commet/resources/payments.py): 'Only a link "
                  "that has not been paid or started processing can be canceled; canceling an "
                  "already canceled link is a no-op. Charges cannot be canceled.'")


def _commet(t: Target) -> list[str]:
    import commet
    import commet._http as commet_http
    from commet.types import Payment

    statuses = typing.get_args(typing.get_args(typing.get_type_hints(Payment)["status"])[0])
    # The SDK takes no base URL: it reads this module constant (and adds /api/v1 itself).
    saved = getattr(commet_http, "_BASE_URL")  # noqa: B009 (not exported, so mypy needs getattr)
    setattr(commet_http, "_BASE_URL", t.origin)  # noqa: B010
    sdk = commet.Commet(t.credential("api_key"), telemetry=False)
    try:
        return _commet_calls(t, sdk, commet, statuses)
    finally:
        sdk.close()
        setattr(commet_http, "_BASE_URL", saved)  # noqa: B010


def _commet_calls(t: Target, sdk: Any, commet: Any, statuses: tuple[str, ...]) -> list[str]:
    def create() -> Any:
        return sdk.payments.create(amount=2500, currency="usd", description="payconform sdk guard")

    try:
        pending, processing, succeeded = create(), create(), create()
        charge = sdk.payments.charge(customer_id="cus_payconform_simulator", amount=900,
                                     currency="usd", description="payconform sdk guard")
    except commet.CommetError as exc:
        return [f"create: the SDK raised {type(exc).__name__} ({exc})"]
    out = []
    try:
        cancelled = sdk.payments.cancel(pending.id)
    except commet.CommetError as exc:
        out.append(f"cancel of a pending link: the SDK raised {type(exc).__name__} "
                   f"(HTTP {exc.status_code}), but {_COMMET_CANCEL}")
    else:
        if cancelled.status not in statuses or cancelled.status != "canceled":
            out.append(f"cancel of a pending link: status {cancelled.status!r}; the SDK's "
                       f"Payment.status names a cancelled payment 'canceled' (of {statuses})")
        try:
            again = sdk.payments.cancel(pending.id)
            if again != cancelled:
                out.append(f"a repeat cancel: the payment changed, but {_COMMET_CANCEL}")
        except commet.CommetError as exc:
            out.append(f"a repeat cancel: the SDK raised {type(exc).__name__} "
                       f"(HTTP {exc.status_code}), but {_COMMET_CANCEL}")
    t.force(processing.id, "processing")
    t.force(succeeded.id, "succeeded")
    for step, payment in (("cancel of a processing link", processing),
                          ("cancel of a succeeded link", succeeded),
                          ("cancel of a charge", charge)):
        try:
            sdk.payments.cancel(payment.id)
            out.append(f"{step}: the SDK returned the payment, but {_COMMET_CANCEL}")
        except commet.CommetError:
            pass
    return out


# ---- Xendit (xendit-python 7.0.0) ----------------------------------------------------------------

#: The SDK's invoice error models, by the HTTP status each is named for
#: (xendit/invoice/model/*.py, ``allowed_values[('error_code',)]``).
_XENDIT_ERRORS = {400: "bad_request_error.BadRequestError",
                  401: "unauthorized_error.UnauthorizedError",
                  403: "forbidden_error.ForbiddenError",
                  404: "invoice_error404_response_definition.InvoiceError404ResponseDefinition",
                  500: "server_error.ServerError"}


def _xendit_codes() -> dict[int, set[str]]:
    out = {}
    for status, path in _XENDIT_ERRORS.items():
        module, _, name = path.partition(".")
        model = getattr(importlib.import_module(f"xendit.invoice.model.{module}"), name)
        out[status] = set(model.allowed_values[("error_code",)].values())
    return out


def _xendit_error(step: str, exc: Any) -> list[str]:
    """The SDK's exception against the error codes its models declare for each status."""
    codes = _xendit_codes()
    status, code = int(exc.status or 0), str(exc.errorCode)
    homes = sorted(s for s, declared in codes.items() if code in declared)
    if status in codes and code not in codes[status]:
        where = f"; the SDK declares it for HTTP {homes}" if homes else ""
        return [f"{step}: HTTP {status} {code}, which the SDK's HTTP {status} error model "
                f"({_XENDIT_ERRORS[status]}) does not list{where}"]
    return []


def _xendit(t: Target) -> list[str]:
    import xendit
    from xendit.apis import InvoiceApi
    from xendit.exceptions import OpenApiException, XenditSdkException
    from xendit.invoice.model.create_invoice_request import CreateInvoiceRequest

    def api(key: str) -> Any:
        configuration = xendit.Configuration(host=t.base_url)
        configuration.api_key = key
        return InvoiceApi(xendit.ApiClient(configuration))

    invoices = api(t.credential("secret_key"))
    try:
        created = invoices.create_invoice(CreateInvoiceRequest(external_id="payconform-sdk-guard",
                                                               amount=50000.0))
    except OpenApiException as exc:
        return [f"create_invoice: the SDK raised {type(exc).__name__}: {str(exc)[:200]}"]
    out = []
    try:
        expired = invoices.expire_invoice(created.id)
        if str(expired.status) != "EXPIRED":
            out.append(f"expire_invoice of a PENDING invoice: status {expired.status}; the SDK's "
                       "InvoiceStatus names an expired invoice EXPIRED")
    except XenditSdkException as exc:
        out.append(f"expire_invoice of a PENDING invoice: the SDK raised HTTP {exc.status} "
                   f"{exc.errorCode}; its docstring: 'Manually expire an invoice'")
    except OpenApiException as exc:  # the SDK's models could not read the answer
        out.append(f"expire_invoice: the SDK could not read the answer: {str(exc)[:200]}")
    # What the SDK raises is judged against its error models; a success or an answer about a
    # link that does not exist says nothing the SDK states.
    steps: tuple[tuple[str, Callable[[], Any]], ...] = (
        ("a repeat expire_invoice", lambda: invoices.expire_invoice(created.id)),
        ("expire_invoice of an unknown id",
         lambda: invoices.expire_invoice(t.contract.unknown_id_example)),
        ("expire_invoice with a wrong key",
         lambda: api("xnd_development_payconformwrong").expire_invoice(created.id)))
    for step, call in steps:
        try:
            call()
        except XenditSdkException as exc:
            out += _xendit_error(step, exc)
        except OpenApiException:
            pass
    return out


#: Every probe, by contract.
PROBES: tuple[Probe, ...] = (
    Probe("stripe-checkout", "stripe", "stripe",
          ("cancel:open", "cancel:complete", "repeat", "unknown-id", "auth:invalid"),
          _stripe_checkout),
    Probe("stripe-payment-links", "stripe", "stripe",
          ("cancel:active", "unknown-id", "auth:invalid"), _stripe_payment_links,
          ("outcome", "refused", "http-status")),
    Probe("commet", "commet-sdk", "commet",
          ("cancel:pending", "cancel:processing", "cancel:succeeded", "repeat", "variant:charge"),
          _commet, ("outcome", "refused", "cancelled-status")),
    Probe("xendit", "xendit-python", "xendit",
          ("cancel:PENDING", "repeat", "unknown-id", "auth:invalid"), _xendit,
          ("outcome", "refused", "http-status", "error", "cancelled-status")),
)


def probe_for(provider: str) -> Probe | None:
    """The probe of a contract, if an official SDK can drive it."""
    return next((p for p in PROBES if p.provider == provider), None)
