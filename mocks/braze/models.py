"""Braze's state and rules for `/users/track`: keys, the rate limit, and applying requests."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.mocks.braze import errors, hops
from seen_braze_harness.mocks.braze.campaigns.store import CampaignStore
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track import (
    IDENTIFYING_KEYS,
    Identifier,
    ProfileStore,
    Rejection,
    TrackObject,
    check_object,
    nested_problem,
    present_arrays,
    request_objects,
)
from seen_braze_harness.mocks.braze.transformations import (
    CatalogItems,
    CatalogStore,
    SendMessages,
    TrackUsers,
    TransformationStore,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime import (
    RunLimits,
    TransformationRuntime,
)
from seen_braze_harness.mocks.core.ids import IdMint
from seen_braze_harness.mocks.core.ratelimit import FixedWindowLimiter, RateDecision
from seen_braze_harness.mocks.core.runtime import MockRuntime

WORKSPACE = "workspace"


@dataclass
class TrackOutcome:
    """What one `/users/track` request did: the answer, and what the journal should say."""

    status: int
    body: dict[str, Any]
    notes: list[str] = field(default_factory=list)


class BrazeBackend:
    """All of Braze's state for one mock (one workspace); thread-safe."""

    def __init__(self, settings: BrazeSettings, runtime: MockRuntime) -> None:
        self.settings = settings
        self.runtime = runtime
        self.limiter = FixedWindowLimiter(settings.rate_limit, settings.rate_window)
        self.profiles = ProfileStore(
            now=runtime.clock.now,
            array_cap=settings.array_cap,
            seed=settings.profile_seed,
            id_seed=settings.id_seed,
            cap=settings.profiles_cap,
        )
        self.catalogs = CatalogStore()
        # transformation ids and secrets, /messages/send dispatch ids: from the start-up seed
        self.ids = IdMint(settings.id_seed, scope="braze-transformations")
        self.messages = SendMessages(
            lambda kind, value: self.profiles.lookup(Identifier(kind, value)) is not None,
            runtime.clock.now,
            self.ids,
        )
        self.webhook_limiter = FixedWindowLimiter(settings.transform_rate_limit, 60.0)
        self._js: TransformationRuntime | None = None
        self._js_lock = threading.Lock()
        runtime.on_close(self._close_js)
        self.transformations = TransformationStore(
            runtime=self.js,
            destinations={
                "track-users": TrackUsers(self._track_for_destination, settings),
                "catalog-put": CatalogItems("PUT", self.catalogs),
                "catalog-patch": CatalogItems("PATCH", self.catalogs),
                "catalog-delete": CatalogItems("DELETE", self.catalogs),
                "send-messages": self.messages,
            },
            now=runtime.clock.now,
            schedule=lambda name, run: runtime.scheduler.call_later(
                0, name, run, owner=runtime.service
            ),
            log_cap=settings.transformation_log_cap,
            active_limit=settings.transform_active_limit,
            monthly_limit=settings.transform_monthly_limit,
            max_depth=settings.max_json_depth,
            ids=self.ids,
        )
        self.campaigns = CampaignStore(
            settings=settings, profiles=self.profiles, sender=runtime.sender
        )
        self.reset()
        runtime.on_reset(self.reset)

    def reset(self) -> None:
        self.ids.reset()
        self.limiter.reset()
        self.webhook_limiter.reset()
        self.profiles.reset()
        self.catalogs.reset()
        self.messages.sent.clear()
        self.transformations.reset()
        for profile in self.settings.profiles:
            self.profiles.seed(profile)
        self.campaigns.reset()

    # -- transport rules -------------------------------------------------------------------
    def authenticate(self, header: str | None, permission: str) -> str:
        """The REST API key of a `Bearer <key>` header that has `permission`."""
        scheme, _, key = (header or "").partition(" ")
        key = key.strip()
        if scheme != "Bearer" or not key or key not in self.settings.api_keys:
            raise errors.InvalidApiKey()
        if permission not in self.settings.api_keys[key] or not self.settings.account_active:
            raise errors.AccessDenied()
        return key

    def throttle(self) -> RateDecision:
        decision = self.limiter.hit(WORKSPACE, self.runtime.clock.now())
        if not decision.allowed:
            raise errors.TooManyRequests(
                "API rate limit exceeded",
                # Braze: a 429 carries X-Ratelimit-Retry-After *instead of* the X-RateLimit-*
                # headers every other answer carries.
                headers={"X-Ratelimit-Retry-After": str(decision.retry_after_seconds)},
            )
        return decision

    def current_rate_headers(self) -> dict[str, str]:
        """The rate headers of an answer that did not count against the limit (401, 403, 413)."""
        return self.rate_headers(self.limiter.peek(WORKSPACE, self.runtime.clock.now()))

    def rate_headers(self, decision: RateDecision) -> dict[str, str]:
        if self.settings.rate_limit_reset == "epoch":
            reset = decision.reset_at
        else:
            reset = decision.reset_at - self.runtime.clock.now()
        return {
            "X-RateLimit-Limit": str(decision.limit),
            "X-RateLimit-Remaining": str(decision.remaining),
            "X-RateLimit-Reset": str(int(-(-reset // 1))),
        }

    def js(self) -> TransformationRuntime:
        """The V8 worker, started on first use: most mocks never run a transformation."""
        with self._js_lock:
            if self._js is None:
                self._js = TransformationRuntime(
                    RunLimits(
                        timeout=self.settings.transform_timeout,
                        memory=self.settings.transform_memory,
                    ),
                    workers=self.settings.transform_workers,
                    queue=self.settings.transform_queue,
                )
            return self._js

    def _close_js(self) -> None:
        with self._js_lock:
            if self._js is not None:
                self._js.close()
                self._js = None

    def _track_for_destination(self, output: Any, origin: str = "") -> tuple[int | None, Any]:
        """A transformation's delivery to /users/track: same rules, journaled as its own hop,
        at `origin`'s `/users/track` (the instance the webhook came to).

        The delivery does not cross HTTP, but it is a `/users/track` request: fault rules on
        `braze.users_track` apply to it as they do to the endpoint (status None: no answer)."""
        started = time.perf_counter()
        fault = self.runtime.faults.draw(hops.USERS_TRACK.name)
        frozen = self.runtime.clock.frozen
        status: int | None
        notes: list[str] = []
        before = fault if fault is not None and not fault.processed else None
        if before is not None and before.delay and not frozen:
            time.sleep(before.delay)
        if before is not None and before.drop:
            status, body = None, {"error": "connection dropped (fault): nothing was applied"}
            notes.append("fault: the request was not processed")
        elif before is not None and before.status is not None:
            status = before.status
            body = errors.fault_body(before.status) if before.body is None else before.body
            notes.append("fault: the request was not processed")
        else:
            try:
                outcome = self.track(output)
                status, body, notes = outcome.status, outcome.body, list(outcome.notes)
            except errors.BrazeError as exc:
                status, body, notes = exc.status, exc.body(), [exc.message]
            if fault is not None and fault.processed:  # then the answer lost, late or replaced
                if fault.delay and not frozen:
                    time.sleep(fault.delay)
                done = f"processed (answered HTTP {status})"
                if fault.drop:
                    notes.append(f"{done}, then the answer was lost (fault)")
                    status, body = None, {"error": "connection dropped after processing (fault)"}
                elif fault.status is not None:
                    notes.append(f"{done}, then answered HTTP {fault.status} instead (fault)")
                    status = fault.status
                    body = errors.fault_body(fault.status) if fault.body is None else fault.body
                else:
                    notes.append(f"{done}, {fault.delay:g} s late (fault)")
        evicted = self.profiles.eviction_note()
        if evicted is not None:
            notes.append(evicted)
        journal = self.runtime.journal
        journal.record(
            service=self.runtime.service,
            hop=hops.TRANSFORMATION_DELIVERY.name,
            direction="outbound",
            time=self.runtime.clock.now(),
            method="POST",
            url=f"{origin}/users/track",
            request_headers={"Content-Type": "application/json"},
            request_body=journal.body(json.dumps(output).encode(), "application/json"),
            status=status,
            response_headers={"Content-Type": "application/json"},
            response_body=journal.body(json.dumps(body).encode(), "application/json"),
            error=None if status is not None else "no answer: connection dropped (fault)",
            fault=None if fault is None else fault.to_dict(),
            note="; ".join(notes) or None,
            duration=time.perf_counter() - started,
        )
        return status, body

    # -- /users/track ----------------------------------------------------------------------
    def track(self, body: Any) -> TrackOutcome:
        """Validate every object, apply the good ones in order, and shape Braze's answer."""
        objects = request_objects(body, self.settings)
        accepted: list[TrackObject] = []
        rejected: list[dict[str, Any]] = []
        notes: list[str] = []
        for array, index, item in objects:
            checked = check_object(array, index, item, self.settings)
            if isinstance(checked, Rejection):
                rejected.append(
                    {
                        "type": checked.type(self.settings.error_style),
                        "input_array": array,
                        "index": index,
                    }
                )
                notes.append(f"{array}[{index}] rejected: {checked.sentence}")
            else:
                accepted.append(checked)
        if not accepted:
            return TrackOutcome(400, {"message": errors.VALID_DATA, "errors": rejected}, notes)
        drop_nested = False
        for obj in accepted:
            problem = nested_problem(obj.data) if obj.array == "attributes" else None
            if problem is not None:
                drop_nested = True
                notes.append(
                    f"{obj.where}: {problem}; every nested-object update of this request "
                    "is dropped, as Braze does"
                )
        for obj in accepted:
            notes.extend(f"{obj.where}: {n}" for n in self.apply(obj, drop_nested=drop_nested))
        response: dict[str, Any] = {"message": "success"}
        for array in present_arrays(body):
            response[f"{array}_processed"] = sum(1 for o in accepted if o.array == array)
        if rejected:
            response["errors"] = rejected
        return TrackOutcome(201, response, notes)

    def apply(self, obj: TrackObject, *, drop_nested: bool = False) -> list[str]:
        """Apply one valid object to its user's profile; notes say what was skipped or changed."""
        ident = obj.identifier
        if obj.update_existing_only or ident.kind == "braze_id":
            profile = self.profiles.lookup(ident)
            if profile is None:
                why = (
                    "braze_ids are assigned by Braze, so none is created"
                    if ident.kind == "braze_id" and not obj.update_existing_only
                    else "_update_existing_only is true"
                )
                return [f"skipped: no user with {ident.kind} {ident.value!r} ({why})"]
        else:
            profile, _created = self.profiles.lookup_or_create(ident)
        if obj.array == "attributes":
            attributes = {k: v for k, v in obj.data.items() if k not in IDENTIFYING_KEYS}
            return self.profiles.apply_attributes(profile, attributes, drop_nested=drop_nested)
        if obj.array == "events":
            return self.profiles.record_event(profile, obj.data)
        return self.profiles.record_purchase(profile, obj.data)
