"""In-process mode, like moto's `mock_aws`: `requests` calls to SEEN and Braze served by mocks.

`with seen_braze() as sb:` (or `@seen_braze()`) intercepts every `requests` call to
`api.seen.io` and to each Braze REST host, serves it from a new SEEN mock and a new Braze mock
on one clock, and refuses any other host unless it is passed through or served with
`sb.serve(host, app)`. The integrator's own code under test is intercepted the same way, and
so are the mocks' own calls: SEEN's callbacks reach a transformation webhook or the
integrator's callback handler through the same interception.
"""

from __future__ import annotations

import heapq
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ContextDecorator
from pathlib import Path
from typing import Any

import requests
import responses

from seen_braze_harness.harness.network import (
    SEEN_HOST,
    UnroutedHost,
    WsgiApp,
    call_wsgi,
    host_pattern,
    intercept,
    route,
)
from seen_braze_harness.harness.pair import MockPair
from seen_braze_harness.harness.sandbox.calls import (
    CallView,
    explain_calls,
    hop_matches,
    schema_failure,
)
from seen_braze_harness.harness.sandbox.mocks import BrazeMock, MockClock, SeenMock
from seen_braze_harness.harness.scenario import Scenario, load_scenario
from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.faults import FaultSet
from seen_braze_harness.mocks.core.journal import Exchange, StatusFilter, status_matches
from seen_braze_harness.mocks.core.runtime import MockRuntime

BRAZE_HOSTS = (
    *(f"rest.iad-0{n}.braze.com" for n in range(1, 9)),
    "rest.us-10.braze.com",
    "rest.fra-01.braze.eu",
    "rest.fra-02.braze.eu",
    "rest.au-01.braze.com",
    "rest.id-01.braze.com",
    "rest.jp-01.braze.com",
    "rest.kr-01.braze.com",
)
"""Every Braze REST host of the reference; all are served by the one Braze mock."""

CLOCKS = ("virtual", "real")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_active: list[Sandbox] = []
_active_lock = threading.Lock()


_sandboxes_lock = threading.RLock()
"""Held by the thread whose sandboxes are active, from the first entry to the last exit."""


def current() -> Sandbox:
    """The innermost active sandbox, this thread's first (for code decorated with
    `@seen_braze()`)."""
    with _active_lock:
        if not _active:
            raise RuntimeError("no seen_braze() sandbox is active")
        here = threading.get_ident()
        mine = [sandbox for sandbox in _active if sandbox._thread == here]
        return (mine or _active)[-1]


class Sandbox(ContextDecorator):
    """Fresh SEEN and Braze mocks while active, on the services' real hostnames.

    The same object is the context manager, the decorator and the handle; each entry builds
    new mocks, so a decorated function starts from the scenario every time it is called.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        clock: str = "virtual",
        passthrough: str | re.Pattern[str] | Iterable[str | re.Pattern[str]] = (),
        seen_settings: Mapping[str, Any] | None = None,
        braze_settings: Mapping[str, Any] | None = None,
    ) -> None:
        if clock not in CLOCKS:
            raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, not {clock!r}")
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.clock_mode = clock
        # One prefix given alone is one prefix, not its characters ("h" would let all through).
        self.passthrough: tuple[str | re.Pattern[str], ...] = (
            (passthrough,) if isinstance(passthrough, str | re.Pattern) else tuple(passthrough)
        )
        for prefix in self.passthrough:
            if not isinstance(prefix, str | re.Pattern) or not prefix:
                raise TypeError(f"passthrough: URL prefixes or compiled patterns, not {prefix!r}")
        self._seen_overrides = dict(seen_settings or {})
        self._braze_overrides = dict(braze_settings or {})
        self.served: dict[str, WsgiApp] = {}
        self._parts: _Parts | None = None
        self._entry_lock = threading.Lock()
        self._thread = 0

    # -- lifecycle ---------------------------------------------------------------------------
    def _recreate_cm(self) -> Sandbox:
        """Each call of a decorated function gets a sandbox of its own (reach it with
        `current()`): calls may overlap, from threads or recursion."""
        return Sandbox(
            self.scenario,
            clock=self.clock_mode,
            passthrough=self.passthrough,
            seen_settings=self._seen_overrides,
            braze_settings=self._braze_overrides,
        )

    def __enter__(self) -> Sandbox:
        with self._entry_lock:
            if self._parts is not None:
                raise RuntimeError("this sandbox is active already; make another with seen_braze()")
            self._parts = _Parts(self)
        # `responses` patches requests for the whole process: sandboxes must start and stop
        # in last-in-first-out order, so one thread's wait for another's to end (nesting in
        # a thread is fine: the lock is re-entrant).
        _sandboxes_lock.acquire()
        self._thread = threading.get_ident()
        try:
            self._parts.start()
        except BaseException:
            self._parts.close()
            self._parts = None
            _sandboxes_lock.release()
            raise
        with _active_lock:
            _active.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        parts, self._parts = self._parts, None
        with _active_lock:
            if self in _active:
                _active.remove(self)
        try:
            if parts is not None:
                parts.close()
        finally:
            if parts is not None:
                _sandboxes_lock.release()

    @property
    def active(self) -> bool:
        return self._parts is not None

    def _require(self) -> _Parts:
        if self._parts is None:
            raise RuntimeError(
                "the sandbox is not active: use it inside `with seen_braze() as sb:`"
            )
        return self._parts

    # -- the handle --------------------------------------------------------------------------
    @property
    def seen(self) -> SeenMock:
        return self._require().seen

    @property
    def braze(self) -> BrazeMock:
        return self._require().braze

    @property
    def clock(self) -> MockClock:
        return self._require().clock

    def serve(self, host: str | WsgiApp, app: WsgiApp | None = None) -> str:
        """Serve `host` (e.g. the integrator's `my-service.example`) from a WSGI app; its
        base URL (`https://host`). Given only the app, it is served at a host of its own
        (`app-1.test`, ...), as the live servers serve it at a port of its own."""
        if app is None:
            if isinstance(host, str):
                raise TypeError("serve(host, app) or serve(app): the app is missing")
            host, app = f"app-{len(self.served) + 1}.test", host
        if not isinstance(host, str):
            raise TypeError(f"serve(host, app): host must be a name, not {host!r}")
        key = host.lower()
        if key == SEEN_HOST or key in BRAZE_HOSTS:
            mock = "seen" if key == SEEN_HOST else "braze"
            raise ValueError(f"{host} is served by the {mock} mock already")
        self.served[key] = app
        return f"https://{host}"

    def advance(self, seconds: float) -> int:
        """Move the mocks' clock forward `seconds` (`clock.advance`); how many tasks ran."""
        return self.clock.advance(seconds)

    def faults(self, service: str) -> FaultSet:
        """The fault rules of one mock ("seen" or "braze"): `.add({"hop": ..., ...})`."""
        return self._runtime(service).faults

    def journal(
        self, hop: str | None = None, status: StatusFilter = None, *, service: str | None = None
    ) -> list[Exchange]:
        """Every exchange of both mocks in time order (`hop` may be a glob, `status` a class
        such as "4xx")."""
        parts = self._require()
        journals = [
            rt.journal.query(hop=hop, status=status)
            for rt in (parts.seen_runtime, parts.braze_runtime)
            if service is None or rt.service == service
        ]
        return list(heapq.merge(*journals, key=lambda e: e.time))

    def reset(self) -> None:
        """Back to the scenario: no exchanges, receivers, profiles beyond the seeded ones,
        transformations, faults or pending work. Served apps stay."""
        parts = self._require()
        parts.seen_runtime.reset()
        parts.braze_runtime.reset()
        parts.scheduler.errors.clear()
        if parts.mock is not None:
            parts.mock.calls.reset()

    def assert_called(
        self, hop: str, times: int | None = None, status: StatusFilter = None
    ) -> list[Exchange]:
        """The exchanges on `hop` (with `status`): at least one, or exactly `times`.
        On failure the message lists the closest exchanges."""
        exchanges = self.journal()
        message = explain_calls(
            hop,
            [CallView.of(e) for e in exchanges],
            times=times,
            status=status,
            origin=self._require().started,
        )
        if message is not None:
            raise AssertionError(message)
        return [
            e for e in exchanges if hop_matches(e.hop, hop) and status_matches(e.status, status)
        ]

    def assert_schema(self, name: str, instance: Any) -> None:
        """`instance` matches schema `name` (e.g. "seen/callback"); the failure names each
        issue's JSON pointer, message and rule."""
        message = schema_failure(name, instance)
        if message is not None:
            raise AssertionError(message)

    def _runtime(self, service: str) -> MockRuntime:
        parts = self._require()
        runtimes = {"seen": parts.seen_runtime, "braze": parts.braze_runtime}
        if service not in runtimes:
            raise ValueError(f"service must be 'seen' or 'braze', not {service!r}")
        return runtimes[service]


class _Parts:
    """What one activation of a sandbox builds, and tears down on exit."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.mock: responses.RequestsMock | None = None
        self._intercepting: Any = None
        self._executor: ThreadPoolExecutor | None = None
        virtual = sandbox.clock_mode == "virtual"
        if not virtual:
            self._executor = ThreadPoolExecutor(8, thread_name_prefix="seen-braze-outbound")
        self.scheduler = Scheduler(Clock(frozen=virtual), executor=self._executor)
        self.clock = MockClock(self.scheduler)
        self.started = self.scheduler.clock.now()
        session = requests.Session()
        session.trust_env = False  # no proxies or .netrc: calls stay with the interception
        self.session = session
        scenario = sandbox.scenario
        self.pair = MockPair.build(
            scenario,
            scheduler=self.scheduler,
            session=session,
            seen_settings=sandbox._seen_overrides,
            braze_settings=sandbox._braze_overrides,
        )
        self.seen_app, self.braze_app = self.pair.seen_app, self.pair.braze_app
        self.seen_runtime: MockRuntime = self.pair.seen_runtime
        self.braze_runtime: MockRuntime = self.pair.braze_runtime
        self.seen = SeenMock(self.pair.seen, scenario.seen_campaign["slug"])
        self.braze = BrazeMock(self.pair.braze, scenario.transformation["code"])

    def start(self) -> None:
        apps: dict[str, WsgiApp] = {SEEN_HOST: self.seen_app}
        apps.update(dict.fromkeys(BRAZE_HOSTS, self.braze_app))
        patterns = [host_pattern(host) for host in apps]
        self._intercepting = intercept(apps, passthrough=self.sandbox.passthrough)
        self.mock = self._intercepting.__enter__()
        assert self.mock is not None
        others = _OtherHosts(self.sandbox, patterns)
        for method in _METHODS:
            self.mock.add_callback(
                method, re.compile(r"https?://.*"), callback=others.respond, match=[others.match]
            )
        if not self.scheduler.clock.frozen:
            self.scheduler.start()

    def close(self) -> None:
        self.scheduler.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        try:
            if self._intercepting is not None:
                self._intercepting.__exit__(None, None, None)
        finally:
            self.pair.close()
            self.session.close()


class _OtherHosts:
    """Every host but the mocks': an app the test serves, a passthrough, or a clear refusal."""

    def __init__(self, sandbox: Sandbox, mocked: Sequence[re.Pattern[str]]) -> None:
        self.sandbox = sandbox
        self.mocked = mocked

    def match(self, request: requests.PreparedRequest) -> tuple[bool, str]:
        url = request.url or ""
        if any(p.match(url) for p in self.mocked):
            return False, "served by a mock"
        if any(
            prefix.match(url) if isinstance(prefix, re.Pattern) else url.startswith(prefix)
            for prefix in self.sandbox.passthrough
        ):
            return False, "passed through"
        return True, ""

    def respond(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        host = route(request.url or "")
        app = self.sandbox.served.get(host)
        if app is None:
            served = [SEEN_HOST, "rest.*.braze.com / rest.*.braze.eu", *self.sandbox.served]
            allowed = ", ".join(
                p.pattern if isinstance(p, re.Pattern) else p for p in self.sandbox.passthrough
            )
            allowed = allowed or "none"
            raise UnroutedHost(
                f"seen_braze(): {request.method} {request.url} is outside the sandbox: "
                f"no mock serves {host or request.url!r}. Served in-process: "
                f"{', '.join(served)}; passthrough: {allowed}. Serve an app with "
                f"sb.serve({host!r}, app) or allow the URL with passthrough=[...]",
                request=request,
            )
        timeout = getattr(request, "req_kwargs", {}).get("timeout")
        wait = timeout[1] if isinstance(timeout, tuple) else timeout
        status, _, headers, data = call_wsgi(app, request, timeout=wait)
        kept = {name: value for name, value in headers if name.lower() != "content-length"}
        return status, kept, data


def seen_braze(
    scenario: Scenario | str | Path | None = None,
    *,
    clock: str = "virtual",
    passthrough: str | re.Pattern[str] | Iterable[str | re.Pattern[str]] = (),
    seen_settings: Mapping[str, Any] | None = None,
    braze_settings: Mapping[str, Any] | None = None,
) -> Sandbox:
    """SEEN and Braze in this process: a context manager (`with seen_braze() as sb:`) and a
    decorator (`@seen_braze()`). `scenario` is a path or a Scenario (default: the embedded
    one); `clock` is "virtual" (moves only when advanced) or "real"; `passthrough` lists URL
    prefixes let through to the network; the settings mappings override the scenario's."""
    return Sandbox(
        scenario,
        clock=clock,
        passthrough=passthrough,
        seen_settings=seen_settings,
        braze_settings=braze_settings,
    )
