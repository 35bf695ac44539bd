"""Outbound delivery: one sender for every request a mock makes, with pluggable retries."""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import requests

from seen_braze_harness.mocks.core.clock import Scheduler
from seen_braze_harness.mocks.core.faults import FaultSet
from seen_braze_harness.mocks.core.ids import IdMint
from seen_braze_harness.mocks.core.journal import Exchange, Journal, header

TRACE_HEADER = "traceparent"
"""The W3C Trace Context header every attempt carries, with a span id of its own: the sender's
record of the attempt and the receiver's record of the request it got share it, so the
harness joins the two sides of an exchange by it (see `span_of`)."""
_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")


def span_of(headers: Mapping[str, str]) -> str:
    """The span (parent) id of a request's `traceparent` header; "" when it has none."""
    value = headers.get(TRACE_HEADER) or headers.get("Traceparent")  # as sent, as WSGI gives it
    if value is None:
        value = header(headers, TRACE_HEADER)
    found = _TRACEPARENT.fullmatch(value.strip())
    return "" if found is None else found.group(2)


@dataclass(frozen=True)
class OutboundRequest:
    hop: str
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    timeout: float


@dataclass(frozen=True)
class AttemptOutcome:
    """What one attempt got back: a status, or an error when no response came."""

    attempt: int
    time: float
    status: int | None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None
    exchange_id: int = 0
    reason: str = ""
    """The reason phrase of the status line as the peer sent it ("Created")."""
    span: str = ""
    """The span id of the attempt's `traceparent` ("" when the request set its own header)."""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def describe(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else str(self.error)

    def summary(self, *, no_response: int | None = None) -> dict[str, Any]:
        """The attempt as the admin API lists it; `no_response` is the status to show when no
        response came (Braze shows 599)."""
        return {
            "attempt": self.attempt,
            "time": self.time,
            "status": no_response if self.status is None else self.status,
            "error": self.error,
            "exchange_id": self.exchange_id,
            "span": self.span,
        }


class RetryPolicy(Protocol):
    """Decides, after each attempt, whether and when to try again."""

    def next_delay(
        self, outcome: AttemptOutcome, *, first_attempt_at: float | None = None
    ) -> float | None:
        """Seconds until the next attempt, or None when this attempt is the last
        (`first_attempt_at`: when the delivery's first attempt went)."""
        ...


@dataclass(frozen=True)
class FixedIntervalRetry:
    """Retry any failure (non-2xx, timeout, connection error) `retries` times, `interval` apart."""

    retries: int
    interval: float

    def next_delay(
        self, outcome: AttemptOutcome, *, first_attempt_at: float | None = None
    ) -> float | None:
        if outcome.ok or outcome.attempt > self.retries:
            return None
        return self.interval


@dataclass
class Delivery:
    """One message on its way: every attempt so far and, once settled, whether it arrived."""

    request: OutboundRequest
    attempts: list[AttemptOutcome] = field(default_factory=list)
    settled: bool = False

    @property
    def delivered(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].ok

    @property
    def state(self) -> str:
        if not self.settled:
            return "retrying" if self.attempts else "pending"
        return "delivered" if self.delivered else "failed"


Listener = Callable[[Delivery], None]


@dataclass(frozen=True)
class Hold:
    """An attempt that must wait: tried again at `until` (named `reason` on the scheduler),
    or, when `until` is None, not by the sender at all (the hook took the delivery over)."""

    until: float | None
    reason: str = "held"


@dataclass(frozen=True)
class Unsent:
    """An answer the sender gives itself instead of sending (a host the sender paused)."""

    status: int
    body: bytes
    headers: Mapping[str, str]
    note: str


class DeliveryHooks:
    """What a sender's user adds to the attempt loop (`OutboundSender.start`); each hook does
    nothing by default. Webhook campaigns use them for their cancellation, the receiver's rate
    limits, host pauses and the activity log; SEEN's callbacks only to hear of the end."""

    def cancelled(self, delivery: Delivery) -> bool:
        """True once the delivery is to be dropped (a reset): no further attempt is made."""
        return False

    def hold(self, delivery: Delivery, now: float) -> Hold | None:
        """Before each attempt: a reason to wait, or None to go ahead."""
        return None

    def unsent(self, request: OutboundRequest, attempt: int) -> Unsent | None:
        """Before each attempt that goes ahead: an answer that stands in for sending."""
        return None

    def sent(self, request: OutboundRequest, outcome: AttemptOutcome) -> None:
        """After each attempt that was sent, before the policy judges it."""

    def attempted(self, delivery: Delivery, outcome: AttemptOutcome, wait: float | None) -> None:
        """After each attempt is recorded; `wait` is the seconds to the next one (None: none)."""

    def settled(self, delivery: Delivery) -> None:
        """Once, when the last attempt is recorded."""


@dataclass
class Listeners(DeliveryHooks):
    """Hooks that only listen: after each attempt, and at the end."""

    on_attempt: Listener | None = None
    on_settled: Listener | None = None

    def attempted(self, delivery: Delivery, outcome: AttemptOutcome, wait: float | None) -> None:
        if self.on_attempt is not None:
            self.on_attempt(delivery)

    def settled(self, delivery: Delivery) -> None:
        if self.on_settled is not None:
            self.on_settled(delivery)


class HttpResponse(Protocol):
    """What the sender reads of an answer (a `requests.Response` has it)."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def reason(self) -> str | None: ...


class HttpSession(Protocol):
    """What the sender needs of a session: `requests.Session`, or an in-process stand-in."""

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        data: bytes,
        timeout: float,
        allow_redirects: bool,
    ) -> HttpResponse: ...


class OutboundSender:
    """Sends requests on the scheduler's clock, journals every attempt, applies faults."""

    def __init__(
        self,
        *,
        service: str,
        scheduler: Scheduler,
        journal: Journal,
        faults: FaultSet,
        session: HttpSession | None = None,
        ids: IdMint | None = None,
    ) -> None:
        self.service = service
        self.scheduler = scheduler
        self.journal = journal
        self.faults = faults
        self.session: HttpSession = session or requests.Session()
        self.ids = ids or IdMint(None, scope=f"{service}-trace")
        self._lock = threading.Lock()

    def _traced(self, request: OutboundRequest) -> tuple[OutboundRequest, str]:
        """The attempt's request with a `traceparent` of its own, and its span id (a request
        whose headers already name one keeps it, and has no span of ours)."""
        given = request.headers
        if any(name.lower() == TRACE_HEADER for name in given):
            return request, ""
        digest = self.ids.hex("traceparent", 48)
        span = digest[32:]
        headers = {**given, TRACE_HEADER: f"00-{digest[:32]}-{span}-01"}
        traced = OutboundRequest(
            request.hop, request.method, request.url, headers, request.body, request.timeout
        )
        return traced, span

    def deliver(
        self,
        request: OutboundRequest,
        policy: RetryPolicy,
        *,
        on_attempt: Listener | None = None,
        on_settled: Listener | None = None,
        delay: float = 0.0,
    ) -> Delivery:
        """Schedule the first attempt `delay` seconds from now; later ones follow the policy."""
        hooks = Listeners(on_attempt, on_settled)
        return self.start(Delivery(request), policy, hooks, delay=delay)

    def start(
        self,
        delivery: Delivery,
        policy: RetryPolicy,
        hooks: DeliveryHooks | None = None,
        *,
        delay: float | None = 0.0,
    ) -> Delivery:
        """Attempt `delivery` `delay` seconds from now (None: now, in the caller's thread),
        then as the policy says, each attempt passed through `hooks`."""
        given = hooks or DeliveryHooks()
        request = delivery.request

        def attempt() -> None:
            if given.cancelled(delivery):
                return
            held = given.hold(delivery, self.scheduler.clock.now())
            if held is not None:
                if held.until is not None:
                    name = f"{request.hop} {held.reason}"
                    self.scheduler.call_at(held.until, name, attempt, owner=self.service)
                return
            number = len(delivery.attempts) + 1
            unsent = given.unsent(request, number)
            if unsent is None:
                outcome = self._send(request, number)
                given.sent(request, outcome)
            else:
                outcome = self._record_unsent(
                    request,
                    number,
                    status=unsent.status,
                    body=unsent.body,
                    headers=unsent.headers,
                    note=unsent.note,
                )
            with self._lock:
                if given.cancelled(delivery):
                    return
                delivery.attempts.append(outcome)
                wait = policy.next_delay(outcome, first_attempt_at=delivery.attempts[0].time)
                delivery.settled = wait is None
            given.attempted(delivery, outcome, wait)
            if wait is None:
                given.settled(delivery)
            else:
                self.scheduler.call_later(wait, f"{request.hop} retry", attempt, owner=self.service)

        if delay is None:
            attempt()
        else:
            self.scheduler.call_later(delay, request.hop, attempt, owner=self.service)
        return delivery

    def _record_unsent(
        self,
        request: OutboundRequest,
        attempt: int,
        *,
        status: int,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        note: str,
    ) -> AttemptOutcome:
        """An attempt the sender answered itself without a request leaving (a paused host)."""
        now = self.scheduler.clock.now()
        answered = dict(headers or {})
        request, span = self._traced(request)
        exchange = self._record(
            request, now, status, answered, body, attempt=attempt, note=note, duration=0.0
        )
        return AttemptOutcome(attempt, now, status, answered, body, None, exchange.id, span=span)

    def _record(
        self,
        request: OutboundRequest,
        now: float,
        status: int | None,
        headers: Mapping[str, str],
        body: bytes,
        **outcome: Any,
    ) -> Exchange:
        """Journal one attempt: the request as sent and the answer, if one came."""
        journal = self.journal
        return journal.record(
            service=self.service,
            hop=request.hop,
            direction="outbound",
            time=now,
            method=request.method,
            url=request.url,
            request_headers=request.headers,
            request_body=journal.body(request.body, header(request.headers, "Content-Type")),
            status=status,
            response_headers=headers,
            response_body=None
            if status is None
            else journal.body(body, header(headers, "Content-Type")),
            **outcome,
        )

    def _send(self, request: OutboundRequest, number: int) -> AttemptOutcome:
        now = self.scheduler.clock.now()
        request, span = self._traced(request)
        fault = self.faults.draw(request.hop)
        before = fault if fault is not None and not fault.processed else None
        status: int | None = None
        headers: dict[str, str] = {}
        body = b""
        error: str | None = None
        note: str | None = None
        reason = ""
        started = time.perf_counter()
        if before is not None and before.delay >= request.timeout:
            error = f"timeout: no response within {request.timeout:g} s (fault delay)"
        elif before is not None and before.drop:
            error = "connection error: connection dropped (fault)"
        elif before is not None and before.status is not None:
            status = before.status
            headers = dict(before.headers)
            body = b"" if before.body is None else _encode(before.body)
        else:
            if before is not None and before.delay and not self.scheduler.clock.frozen:
                time.sleep(before.delay)
            try:
                response = self.session.request(
                    request.method,
                    request.url,
                    headers=dict(request.headers),
                    data=request.body,
                    timeout=request.timeout,
                    allow_redirects=False,
                )
                status = response.status_code
                headers = dict(response.headers)
                body = response.content
                reason = response.reason or ""
            except requests.Timeout:
                error = f"timeout: no response within {request.timeout:g} s"
            except Exception as exc:  # whatever stops a request is an attempt without a response
                # `requests` raises more than RequestException: UnicodeEncodeError for a header
                # it cannot encode, ValueError or LocationParseError for some URLs. Each is an
                # attempt that got no response, journaled and retried like a refused connection.
                error = f"connection error: {_reason(exc)}"
            if fault is not None and fault.processed and error is None:
                note = f"the peer processed the request and answered HTTP {status}; "
                if fault.drop or fault.delay >= request.timeout:
                    if fault.drop:
                        error = "connection error: connection dropped after the request (fault)"
                        note += "the answer was lost (fault: processed, drop)"
                    else:
                        error = (
                            f"timeout: no response within {request.timeout:g} s "
                            "(fault delay after the request)"
                        )
                        note += "the answer came too late (fault: processed, delay)"
                    status, headers, body, reason = None, {}, b"", ""
                else:
                    if fault.delay and not self.scheduler.clock.frozen:
                        time.sleep(fault.delay)
                    if fault.status is not None:
                        note += f"it was replaced by HTTP {fault.status} (fault: processed)"
                        status, headers, reason = fault.status, dict(fault.headers), ""
                        body = b"" if fault.body is None else _encode(fault.body)
                    else:
                        note += f"it came {fault.delay:g} s late (fault: processed, delay)"
        exchange = self._record(
            request,
            now,
            status,
            headers,
            body,
            error=error,
            attempt=number,
            fault=None if fault is None else fault.to_dict(),
            note=note,
            duration=time.perf_counter() - started,
        )
        return AttemptOutcome(number, now, status, headers, body, error, exchange.id, reason, span)


RETRY_AFTER_MAX_DIGITS = 10
"""Longest delay-seconds a `Retry-After` may give (about 317 years); longer is not a delay."""


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds a `Retry-After` header asks to wait (delay-seconds or an HTTP-date), from `now`.

    None when there is no such header, it is neither form, or it cannot be a sensible wait
    (delay-seconds of more than ten digits, a date no clock can hold); a date in the past
    gives 0. Never raises: a peer's header must not be able to stop a delivery.
    """
    value = str(header(headers, "Retry-After")).strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        digits = value.lstrip("0") or "0"
        return float(int(digits)) if len(digits) <= RETRY_AFTER_MAX_DIGITS else None
    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:  # RFC 9110 dates are GMT; an obsolete form may carry no zone
            return None
        wait = moment.timestamp() - now
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, wait) if math.isfinite(wait) else None


def _encode(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def _reason(exc: Exception) -> str:
    """The root cause in a few words ("Connection refused"), not urllib3's whole chain."""
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, requests.RequestException):
        text = f"{type(exc).__name__}: {text}" if str(exc) else text
        return text if len(text) <= 300 else text[:297] + "..."
    for pattern in (
        r"\[Errno -?\d+\] ([^'\")]+)",
        r"(RemoteDisconnected)\('([^']*)'",
        r"(\w+Error)\(",
    ):
        found = re.search(pattern, text)
        if found:
            return " ".join(part for part in found.groups() if part).rstrip(". ")
    return text if len(text) <= 300 else text[:297] + "..."
