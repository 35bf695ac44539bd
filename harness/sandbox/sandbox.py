"""In-process mode, like moto's `mock_aws`: `requests` calls to SEEN and Braze served by mocks.

`with seen_braze() as sb:` (or `@seen_braze()`) intercepts every `requests` call to
`api.seen.io` and to each Braze REST host, serves it from a new SEEN mock and a new Braze mock
on one clock, and refuses any other host unless it is passed through or served with
`sb.serve(host, app)`. The integrator's own code under test is intercepted the same way, and
so are the mocks' own calls: SEEN's callbacks reach a transformation webhook or the
integrator's callback handler through the same interception.
"""

from __future__ import annotations

import difflib
import fnmatch
import heapq
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ContextDecorator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import responses

from seen_braze_harness import schemas
from seen_braze_harness.harness.hops import JOURNALED
from seen_braze_harness.harness.network import (
    BRAZE_HOST,
    SEEN_HOST,
    UnroutedHost,
    WsgiApp,
    call_wsgi,
    host_pattern,
    intercept,
    route,
)
from seen_braze_harness.harness.pair import MockPair
from seen_braze_harness.harness.scenario import Scenario, load_scenario
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.transformations import Transformation, TransformationError
from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.faults import FaultSet
from seen_braze_harness.mocks.core.journal import Exchange, StatusFilter, status_matches
from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen.models import SeenBackend

__all__ = [
    "BRAZE_HOSTS",
    "KNOWN_HOPS",
    "BrazeMock",
    "CallView",
    "DataTransformation",
    "MockClock",
    "Sandbox",
    "SeenMock",
    "current",
    "explain_calls",
    "seen_braze",
]

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

KNOWN_HOPS = JOURNALED
"""The hop names the mocks journal (besides `<service>.unmatched` for unknown paths)."""

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


# -- readable assertions ----------------------------------------------------------------------


@dataclass(frozen=True)
class CallView:
    """One journaled exchange as an assertion failure shows it (in-process or over HTTP)."""

    service: str
    hop: str
    method: str
    url: str
    status: int | None
    time: float
    error: str | None = None

    @classmethod
    def of(cls, exchange: Exchange) -> CallView:
        return cls(
            exchange.service,
            exchange.hop,
            exchange.method,
            exchange.url,
            exchange.status,
            exchange.time,
            exchange.error,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CallView:
        """From the admin API's JSON form of an exchange (`GET /_mock/journal`)."""
        answer = data.get("response") or {}
        return cls(
            data["service"],
            data["hop"],
            data["request"]["method"],
            data["request"]["url"],
            answer.get("status"),
            data["time"],
            data.get("error"),
        )

    def describe(self, origin: float) -> str:
        outcome = str(self.status) if self.status is not None else f"no answer ({self.error})"
        return (
            f"[{self.service}] {self.hop} {self.method} {self.url} -> {outcome} "
            f"(t+{self.time - origin:g}s)"
        )


def hop_matches(hop: str, wanted: str) -> bool:
    return hop == wanted or fnmatch.fnmatchcase(hop, wanted)


def explain_calls(
    hop: str,
    calls: Sequence[CallView],
    *,
    times: int | None = None,
    status: StatusFilter = None,
    origin: float | None = None,
    shown: int = 5,
) -> str | None:
    """None when `calls` hold what is expected; otherwise a message listing the closest
    exchanges: the same hop with other statuses, similar hop names, and the last few."""
    matched = [c for c in calls if hop_matches(c.hop, hop) and status_matches(c.status, status)]
    if (times is None and matched) or len(matched) == times:
        return None
    start = origin if origin is not None else (calls[0].time if calls else 0.0)
    wanted = f"hop {hop!r}" + ("" if status is None else f" with status {status}")
    expected = "at least one call" if times is None else f"{times} call(s)"
    lines = [f"expected {expected} to {wanted}, found {len(matched)}"]
    if matched and times is not None:
        lines.append("  matching exchanges:")
        lines.extend(f"    {c.describe(start)}" for c in matched[-shown:])
    same_hop = [c for c in calls if hop_matches(c.hop, hop) and c not in matched]
    if same_hop:
        lines.append("  same hop, other statuses:")
        lines.extend(f"    {c.describe(start)}" for c in same_hop[-shown:])
    recorded = sorted({c.hop for c in calls})
    names = sorted(set(recorded) | set(KNOWN_HOPS))
    glob = any(ch in hop for ch in "*?[")
    close = [] if glob else difflib.get_close_matches(hop, names, n=3, cutoff=0.6)
    close = [n for n in close if n != hop]
    if close:
        lines.append("  similar hop names:")
        for name in close:
            count = sum(1 for c in calls if c.hop == name)
            statuses = sorted({str(c.status) for c in calls if c.hop == name})
            seen_as = f"{count} exchange(s), status {', '.join(statuses)}" if count else "none"
            lines.append(f"    {name}: {seen_as}")
    if calls:
        lines.append(f"  last {min(shown, len(calls))} of {len(calls)} exchange(s):")
        lines.extend(f"    {c.describe(start)}" for c in calls[-shown:])
    else:
        lines.append(
            "  no exchanges were recorded: did the code under test run while the mocks were "
            "active, and was the clock advanced past the render delay?"
        )
    lines.append(f"  hops recorded: {', '.join(recorded) or 'none'}")
    return "\n".join(lines)


def schema_failure(name: str, instance: Any) -> str | None:
    """None when `instance` matches schema `name`; otherwise each issue's pointer, message
    and rule, one a line."""
    issues = schemas.check(name, instance)
    if not issues:
        return None
    lines = [f"does not match schema {name!r} ({len(issues)} issue(s)):"]
    lines.extend(
        f"  {issue.pointer or '/'}: {issue.message} (rule: {issue.rule})" for issue in issues
    )
    return "\n".join(lines)


# -- the handle's parts ----------------------------------------------------------------------


class MockClock:
    """The one clock both mocks read; in virtual time it only moves when told to."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler

    def now(self) -> float:
        return self.scheduler.clock.now()

    def advance(self, seconds: float) -> int:
        """Move forward `seconds`, running every task due on the way; how many ran."""
        return self.scheduler.advance(seconds)

    def run_until_idle(self, *, max_seconds: float = 7 * 24 * 3600.0) -> int:
        """Jump from one due task to the next until none is left; how many ran."""
        return self.scheduler.run_until_idle(max_seconds=max_seconds)

    def pending(self) -> list[str]:
        """Names of the tasks still waiting (a render, a callback retry, ...)."""
        return [task.name for task in self.scheduler.pending()]

    @property
    def errors(self) -> list[tuple[str, BaseException]]:
        """Tasks that raised inside the mocks, by name."""
        return list(self.scheduler.errors)


class SeenMock:
    """The SEEN mock as a test sees it: campaigns, receivers, and its raw backend."""

    url = f"https://{SEEN_HOST}"

    def __init__(self, backend: SeenBackend, default_slug: str) -> None:
        self.backend = backend
        self.default_slug = default_slug

    @property
    def token(self) -> str:
        """The default campaign's API token (`Authorization: Token <token>`)."""
        return self.backend.campaign(self.default_slug).token

    def receivers_url(self, slug: str | None = None) -> str:
        return f"{self.url}/v1/campaigns/{slug or self.default_slug}/receivers/"

    def campaign(self, slug: str | None = None) -> dict[str, Any]:
        """A campaign as the admin API shows it (the scenario's one by default)."""
        found = self.backend.campaigns.get(slug or self.default_slug)
        if found is None:
            known = ", ".join(sorted(self.backend.campaigns)) or "none"
            raise AssertionError(f"no SEEN campaign {slug!r}; known campaigns: {known}")
        return found.to_dict()

    def update_campaign(self, slug: str | None = None, **changes: Any) -> dict[str, Any]:
        """Change a campaign, e.g. `update_campaign(callback_url=...)`."""
        return self.backend.update_campaign(slug or self.default_slug, changes).to_dict()

    def receivers(self, campaign: str | None = None) -> list[dict[str, Any]]:
        """Every receiver (of one campaign), oldest first, as the admin API shows them."""
        return [r.to_dict() for r in self.backend.query_receivers(campaign=campaign)]


class DataTransformation:
    """A Braze Data Transformation made in the sandbox: its webhook URL and its logs."""

    def __init__(self, braze: BrazeMock, transformation: Transformation) -> None:
        self._braze = braze
        self.transformation = transformation

    @property
    def id(self) -> str:
        return self.transformation.id

    @property
    def webhook_url(self) -> str:
        """The webhook URL on the Braze REST host, as Braze's dashboard shows it."""
        return f"{self._braze.url}{self.transformation.webhook_path}"

    @property
    def logs(self) -> list[dict[str, Any]]:
        """This transformation's runs, oldest first, as the Logs tab lists them."""
        return self._braze.transformation_logs(self.id)

    def to_dict(self) -> dict[str, Any]:
        return self.transformation.to_dict(self._braze.url)


class BrazeMock:
    """The Braze mock as a test sees it: profiles, transformations, and its raw backend."""

    url = f"https://{BRAZE_HOST}"

    def __init__(self, backend: BrazeBackend, default_code: str) -> None:
        self.backend = backend
        self.default_code = default_code

    @property
    def api_key(self) -> str:
        """A REST API key with every permission (`Authorization: Bearer <key>`)."""
        return next(iter(self.backend.settings.api_keys))

    def profile(
        self, braze_id: str | None = None, external_id: str | None = None
    ) -> dict[str, Any]:
        """The profile with this braze_id or external_id, as the admin API shows it."""
        if braze_id is None and external_id is None:
            raise TypeError("profile() needs braze_id or external_id")
        found = self.backend.profiles.query(braze_id=braze_id, external_id=external_id)
        if not found:
            wanted = f"braze_id {braze_id!r}" if braze_id is not None else ""
            if external_id is not None:
                wanted += (" and " if wanted else "") + f"external_id {external_id!r}"
            everyone = self.backend.profiles.query()
            known = [
                p.braze_id + (f" (external_id {p.external_id!r})" if p.external_id else "")
                for p in everyone[:20]
            ]
            more = f" and {len(everyone) - 20} more" if len(everyone) > 20 else ""
            listed = "; ".join(known) + more if known else "none (seed some with seed_profile)"
            raise AssertionError(f"no Braze profile with {wanted}; known profiles: {listed}")
        return found[0].to_dict()

    def profiles(self) -> list[dict[str, Any]]:
        return self.backend.profiles.export()

    def seed_profile(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Add a profile as `POST /_mock/users` does; ValueError names a bad key."""
        return self.backend.profiles.seed(data).to_dict()

    def transformation(
        self,
        code: str | None = None,
        *,
        destination: str = "track-users",
        name: str = "SEEN video links",
        active: bool = True,
    ) -> DataTransformation:
        """A new Data Transformation (the scenario's code unless `code` is given)."""
        try:
            made = self.backend.transformations.create(
                {
                    "name": name,
                    "code": self.default_code if code is None else code,
                    "destination": destination,
                    "active": active,
                }
            )
        except TransformationError as exc:
            raise ValueError(str(exc)) from None
        return DataTransformation(self, made)

    def transformation_logs(self, transformation_id: str | None = None) -> list[dict[str, Any]]:
        """Every transformation run (of one transformation), oldest first."""
        return [
            entry.to_dict()
            for entry in list(self.backend.transformations.logs)
            if transformation_id is None or entry.transformation_id == transformation_id
        ]


# -- the sandbox ------------------------------------------------------------------------------


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
