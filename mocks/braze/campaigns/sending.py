"""Sending: a dispatch spread at the campaign's rate on the scheduler, each message rendered
for its user when its turn comes, every attempt through the shared `OutboundSender` (hop
`braze.webhook`), retries, the receiver's holds, expiry, and the activity log's entries.
`CampaignStore` (`store.py`) builds on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from seen_braze_harness.mocks.braze import hops
from seen_braze_harness.mocks.braze.campaigns.activity import ABORTED, INVALID_WEBHOOK, LIQUID_ERROR
from seen_braze_harness.mocks.braze.campaigns.definitions import CampaignDefinitions
from seen_braze_harness.mocks.braze.campaigns.errors import (
    InvalidWebhook,
    WebhookCampaignError,
    _liquid_text,
)
from seen_braze_harness.mocks.braze.campaigns.messages import Dispatch, MessageState, WebhookMessage
from seen_braze_harness.mocks.braze.campaigns.pauses import HOST_PAUSED
from seen_braze_harness.mocks.braze.campaigns.properties import (
    Properties,
    merge_properties,
    parse_properties,
    parse_recipients,
)
from seen_braze_harness.mocks.braze.campaigns.rendering import profile_attributes, render_request
from seen_braze_harness.mocks.braze.campaigns.retry import reported_status, retryable, unreachable
from seen_braze_harness.mocks.braze.campaigns.spec import WebhookCampaign
from seen_braze_harness.mocks.braze.dates import format_instant
from seen_braze_harness.mocks.braze.liquid import AbortMessage, LiquidError
from seen_braze_harness.mocks.braze.track import Profile
from seen_braze_harness.mocks.core.delivery import (
    AttemptOutcome,
    Delivery,
    DeliveryHooks,
    FixedIntervalRetry,
    Hold,
    OutboundRequest,
    Unsent,
)

HOP = hops.WEBHOOK.name


class CampaignSending(CampaignDefinitions):
    """Sends and their messages' lives: render, attempt, retry, hold, expire, log."""

    # -- sending -----------------------------------------------------------------------------
    def send(
        self,
        campaign_id: str,
        *,
        external_ids: Sequence[str] | None = None,
        properties: Mapping[str, Any] | None = None,
        recipients: Any = None,
    ) -> Dispatch:
        """One dispatch to the campaign's audience (or `external_ids`, or `recipients`),
        spread at its rate.

        `properties` holds `trigger_properties`, `event_properties` and
        `canvas_entry_properties` (or `context`) for every user; `recipients` is a list of
        `{"external_user_id": ..., "trigger_properties": {...}}` as `/campaigns/trigger/send`
        takes it, whose own properties override the shared ones. External ids with no user are
        skipped (listed in `skipped_external_ids`).
        """
        if external_ids is not None and (
            isinstance(external_ids, str)
            or not isinstance(external_ids, Sequence)
            or not all(isinstance(x, str) and x for x in external_ids)
        ):
            raise WebhookCampaignError("external_ids: must be a list of external ids (strings)")
        if properties is not None and not isinstance(properties, Mapping):
            raise WebhookCampaignError("properties: must be an object of property objects")
        shared = parse_properties(properties or {})
        own: dict[str, Properties] = {}
        if recipients is not None:
            if external_ids is not None:
                raise WebhookCampaignError(
                    "external_ids and recipients: give one of them, not both"
                )
            listed = parse_recipients(recipients)
            external_ids = [external_id for external_id, _ in listed]
            own = dict(listed)
        with self._lock:
            campaign = self.get(campaign_id)
            now = self.now()
            wanted = external_ids if external_ids is not None else campaign.spec.audience
            targets, skipped = self._audience(wanted)
            dispatch_id = self._new_id("dispatch")
            rate = campaign.spec.rate_per_minute
            horizon = now + self.settings.webhook_abort_after
            messages = [
                WebhookMessage(
                    index=i,
                    dispatch_id=dispatch_id,
                    campaign_id=campaign.id,
                    external_id=profile.external_id,
                    braze_id=profile.braze_id,
                    scheduled_at=now + (0.0 if rate is None else i * 60.0 / rate),
                    properties=merge_properties(shared, own.get(profile.external_id or "", {})),
                    expires_at=horizon,
                )
                for i, profile in enumerate(targets)
            ]
            dispatch = Dispatch(dispatch_id, campaign.id, now, messages, skipped)
            self._dispatches[dispatch_id] = dispatch
            campaign.dispatch_ids.append(dispatch_id)
            generation = self._generation
        expiring: list[WebhookMessage] = []
        owner = self.sender.service
        for message in messages:
            if message.scheduled_at > horizon:
                expiring.append(message)
                continue
            self.scheduler.call_at(
                message.scheduled_at,
                HOP,
                _bind(self._start, message, generation),
                owner=owner,
            )
        if expiring:
            self.scheduler.call_at(
                horizon,
                f"{HOP} expiry",
                lambda: self._expire(expiring, generation),
                owner=owner,
            )
        return dispatch

    def _audience(self, wanted: str | Sequence[str]) -> tuple[list[Profile], list[str]]:
        if wanted == "all":
            return self.profiles.query(), []
        targets: list[Profile] = []
        skipped: list[str] = []
        seen: set[str] = set()
        for external_id in wanted:
            if external_id in seen:
                continue
            seen.add(external_id)
            found = self.profiles.query(external_id=external_id)
            if found:
                targets.append(found[0])
            else:
                skipped.append(external_id)
        return targets, skipped

    def _start(self, message: WebhookMessage, generation: int) -> None:
        """A message's turn: render it for its user as they are now, then the first attempt."""
        with self._lock:
            if generation != self._generation or message.state != "scheduled":
                return
            campaign = self._campaigns.get(message.campaign_id)
            if campaign is None:
                message.state = "aborted"
                message.error = "the campaign was deleted"
                return
            message.state = "sending"
        now = self.now()
        profile = self.profiles.get(message.braze_id)
        user, custom = (
            profile_attributes(profile)
            if profile is not None
            else ({"external_id": message.external_id, "braze_id": message.braze_id}, {})
        )
        context = {"name": campaign.name, "api_id": campaign.id, "dispatch_id": message.dispatch_id}
        try:
            rendered = render_request(
                campaign.spec,
                user,
                context,
                custom=custom,
                settings=self.settings,
                now=now,
                properties=message.properties,
                content_blocks=self.block_sources(),
            )
            request = rendered.outbound(HOP, self.settings.webhook_timeout)
        except AbortMessage as exc:
            self._not_rendered(campaign, message, "aborted", ABORTED, exc.reason, now)
            return
        except (LiquidError, InvalidWebhook) as exc:
            kind = INVALID_WEBHOOK if isinstance(exc, InvalidWebhook) else LIQUID_ERROR
            self._not_rendered(campaign, message, "render_error", kind, _liquid_text(exc), now)
            return
        except Exception as exc:  # a template must not leave the message hanging
            text = f"{type(exc).__name__}: {exc}"
            self._not_rendered(campaign, message, "render_error", LIQUID_ERROR, text, now)
            return
        delivery = Delivery(request)
        with self._lock:
            message.request = rendered
            message.delivery = delivery
        hooks = _MessageHooks(self, campaign, message, generation, request.url)
        self.sender.start(delivery, self.policy, hooks, delay=None)

    def _attempt_once(self, request: OutboundRequest) -> AttemptOutcome:
        """One attempt and no retry (the Test tab), unless the host is paused: then Braze
        answers 598 itself."""
        delivery = self.sender.start(
            Delivery(request), NO_RETRY, PausedHosts(self, request.url), delay=None
        )
        return delivery.attempts[0]

    def _expire(
        self,
        messages: list[WebhookMessage],
        generation: int,
        *,
        waiting: MessageState = "scheduled",
    ) -> None:
        now = self.now()
        hours = self.settings.webhook_abort_after / 3600
        what = "the send rate" if waiting == "scheduled" else "the receiver's rate limit"
        for message in messages:
            with self._lock:
                if generation != self._generation or message.state != waiting:
                    continue
                if message.delivery is not None and message.delivery.attempts:
                    continue
                message.state = "expired"
                message.error = f"held back by {what} for more than {hours:g} hours"
                campaign = self._campaigns.get(message.campaign_id)
            self._log(
                campaign,
                message,
                now,
                error_type=ABORTED,
                status=None,
                message_text=f"Message expired: {message.error}",
            )

    def _not_rendered(
        self,
        campaign: WebhookCampaign,
        message: WebhookMessage,
        state: MessageState,
        kind: str,
        text: str,
        now: float,
    ) -> None:
        with self._lock:
            message.state = state
            message.error = text
        self._log(campaign, message, now, error_type=kind, status=None, message_text=text)

    def _log_failure(
        self,
        campaign: WebhookCampaign,
        message: WebhookMessage,
        outcome: AttemptOutcome,
        wait: float | None,
    ) -> None:
        status = reported_status(outcome)
        hours = self.policy.unreachable_window / 3600
        if wait is not None and unreachable(outcome):
            then = (
                f"retry {outcome.attempt} in {wait:g} s (an unreachable endpoint is retried "
                f"for up to {hours:g} hours)"
            )
        elif wait is not None:
            then = f"retry {outcome.attempt} of {self.policy.retries} in {wait:g} s"
        elif unreachable(outcome):
            then = (
                f"not delivered: unreachable for {hours:g} hours, after "
                f"{outcome.attempt - 1} retries"
            )
        elif retryable(status):
            then = f"not delivered after {self.policy.retries} retries"
        else:
            then = "not retried"
        what = outcome.error or f"HTTP {status}"
        self._log(
            campaign,
            message,
            outcome.time,
            error_type=f"Webhook HTTP {status}",
            status=status,
            message_text=f"{what}; {then}",
            response_body=outcome.body.decode("utf-8", errors="replace"),
            attempt=outcome.attempt,
            final=wait is None,
            exchange_id=outcome.exchange_id,
        )

    def _log(
        self,
        campaign: WebhookCampaign | None,
        message: WebhookMessage,
        when: float,
        *,
        error_type: str,
        status: int | None,
        message_text: str,
        response_body: str | None = None,
        attempt: int | None = None,
        final: bool = True,
        exchange_id: int | None = None,
    ) -> None:
        entry = {
            "time": format_instant(when),
            "clock": when,
            "campaign_id": message.campaign_id,
            "campaign_name": None if campaign is None else campaign.name,
            "dispatch_id": message.dispatch_id,
            "external_id": message.external_id,
            "braze_id": message.braze_id,
            "error_type": error_type,
            "status": status,
            "message": message_text,
            "response_body": response_body,
            "attempt": attempt,
            "final": final,
            "exchange_id": exchange_id,
        }
        self.log.add(entry, self.now())


class PausedHosts(DeliveryHooks):
    """A paused host is not sent to: Braze answers 598 itself; every answer counts towards
    the pause (`pauses.py`). One delivery's hooks: `host` is its URL's, parsed once."""

    def __init__(self, store: CampaignSending, url: str) -> None:
        self.store = store
        self.host = (urlsplit(url).hostname or "").lower()

    def unsent(self, request: OutboundRequest, attempt: int) -> Unsent | None:
        host = self.host
        until = self.store.pauses.paused(host, self.store.now())
        if until is None:
            return None
        return Unsent(
            HOST_PAUSED,
            b"Host paused by Braze after too many failures",
            {"Content-Type": "text/plain"},
            f"not sent: host {host} paused until {format_instant(until)}",
        )

    def sent(self, request: OutboundRequest, outcome: AttemptOutcome) -> None:
        self.store.pauses.count(self.host, reported_status(outcome), outcome.time)


class _MessageHooks(PausedHosts):
    """One campaign message's attempts: dropped by a reset, held by the receiver's rate limit
    (or expired while held), its state and the activity log kept after each."""

    def __init__(
        self,
        store: CampaignSending,
        campaign: WebhookCampaign,
        message: WebhookMessage,
        generation: int,
        url: str,
    ) -> None:
        super().__init__(store, url)
        self.campaign = campaign
        self.message = message
        self.generation = generation

    def cancelled(self, delivery: Delivery) -> bool:
        return self.generation != self.store._generation

    def hold(self, delivery: Delivery, now: float) -> Hold | None:
        """The receiver's rate limit is spent: try again when its window resets, unless a
        message not yet sent would by then be past its horizon (then it is aborted)."""
        store, message = self.store, self.message
        until = store.limits.acquire(self.campaign.id, self.host, now)
        if until is None:
            return None
        with store._lock:
            message.held.append({"from": now, "until": until, "until_iso": format_instant(until)})
        if not delivery.attempts and until >= message.expires_at:  # Braze: "72 hours or more"
            generation = self.generation
            store.scheduler.call_at(
                message.expires_at,
                f"{HOP} expiry",
                lambda: store._expire([message], generation, waiting="sending"),
                owner=store.sender.service,
            )
            return Hold(None)
        return Hold(until, "rate-limited")

    def attempted(self, delivery: Delivery, outcome: AttemptOutcome, wait: float | None) -> None:
        store, message = self.store, self.message
        with store._lock:
            if outcome.ok:
                message.state, message.error = "delivered", None
            else:
                message.state = "failed" if wait is None else "sending"
                message.error = outcome.describe()
        if not outcome.ok:
            store.limits.learn(self.campaign.id, self.host, outcome)
            store._log_failure(self.campaign, message, outcome, wait)


NO_RETRY = FixedIntervalRetry(retries=0, interval=0.0)


def _bind(
    run: Callable[[WebhookMessage, int], None], message: WebhookMessage, generation: int
) -> Callable[[], None]:
    return lambda: run(message, generation)
