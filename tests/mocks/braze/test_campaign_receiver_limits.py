"""How Braze slows and stretches webhook sending for the receiver: its `X-Rate-Limit-*` headers on
error responses, and the 24-hour retry window for an endpoint that cannot be reached."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask import Flask

from seen_braze_harness.mocks.braze.app import create_app
from seen_braze_harness.mocks.braze.campaigns.receiver_limits import ReceiverLimits
from seen_braze_harness.mocks.braze.campaigns.retry import WebhookRetry
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.delivery import AttemptOutcome
from seen_braze_harness.mocks.core.settings import SettingsError
from tests.mocks.braze.test_campaign_sending import (
    SEEN_BODY,
    URL,
    Peer,
    backend_of,
    gaps,
    journal_of,
    scheduler_of,
    users,
)

REFUSED = requests.ConnectionError("[Errno 111] Connection refused")
DAY = 24 * 3600.0


@pytest.fixture
def make_app(closing_apps: list[Flask]) -> Callable[..., Flask]:
    """A Braze mock on a virtual clock whose webhooks reach `peer`, never the network."""

    def make(peer: Peer, **overrides: Any) -> Flask:
        values: dict[str, Any] = {"clock": "virtual", "profiles": users(1)}
        values.update(overrides)
        session = requests.Session()
        session.mount("https://", peer)
        app = create_app(BrazeSettings(**values), session=session)
        closing_apps.append(app)
        return app

    return make


def start(app: Flask, **fields: Any) -> tuple[str, float]:
    spec = {"name": "SEEN onboarding", "url": URL, "body": SEEN_BODY, **fields}
    store = backend_of(app).campaigns
    campaign_id = store.create(spec).id
    return campaign_id, scheduler_of(app).clock.now()


def send(app: Flask, **fields: Any) -> list[Any]:
    campaign_id, _ = start(app, **fields)
    dispatch = backend_of(app).campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    return dispatch.messages


def offsets(app: Flask, since: float) -> list[float]:
    return [round(e.time - since, 3) for e in journal_of(app).query(hop="braze.webhook")]


# -- an endpoint that cannot be reached ----------------------------------------------------------


def test_an_unreachable_endpoint_is_retried_over_24_hours_not_30_minutes(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(Peer(default=REFUSED))
    (message,) = send(app)
    assert message.state == "failed"
    assert message.status == 599
    waits = gaps(message)
    assert waits[:8] == [60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 3840.0, 7680.0]
    assert set(waits[8:]) == {14400.0}, "each wait is at most 4 hours"
    elapsed = sum(waits)
    assert 20 * 3600 < elapsed <= DAY
    assert elapsed + 14400.0 > DAY, "the next retry would fall outside the 24 hours"
    assert len(waits) == 12


def test_an_unreachable_endpoint_that_comes_back_within_the_day_is_delivered(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer(*[REFUSED] * 9)
    app = make_app(peer)
    (message,) = send(app)
    assert message.state == "delivered"
    assert len(message.delivery.attempts) == 10
    assert sum(gaps(message)) > 8 * 3600, "well past the 30 minutes HTTP errors get"


def test_the_activity_log_says_an_unreachable_endpoint_is_retried_for_24_hours(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(Peer(default=REFUSED))
    send(app)
    entries = backend_of(app).campaigns.activity_log()
    assert (
        "retry 1 in 60 s (an unreachable endpoint is retried for up to 24 hours)"
        in (entries[0]["message"])
    )
    assert entries[-1]["final"] is True
    assert "not delivered: unreachable for 24 hours, after 12 retries" in entries[-1]["message"]


def test_http_errors_keep_five_retries_within_about_30_minutes(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(Peer(default=(503, {}, "down")))
    (message,) = send(app)
    assert gaps(message) == [60.0, 120.0, 240.0, 480.0, 960.0]


def test_the_unreachable_window_and_longest_wait_are_settings(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(
        Peer(default=REFUSED), webhook_unreachable_window=3600.0, webhook_unreachable_max_wait=300.0
    )
    (message,) = send(app)
    assert gaps(message) == [60.0, 120.0, 240.0] + [300.0] * 10
    assert sum(gaps(message)) <= 3600.0


@pytest.mark.parametrize(
    ("attempt", "since_first", "delay"),
    [(1, 0.0, 60.0), (9, 30000.0, 14400.0), (12, 72000.0, 14400.0), (13, 72900.0, None)],
)
def test_the_unreachable_rule_measures_from_the_first_attempt(
    attempt: int, since_first: float, delay: float | None
) -> None:
    policy = WebhookRetry()
    outcome = AttemptOutcome(attempt, 1_000_000.0 + since_first, None, {}, b"", "refused")
    assert policy.next_delay(outcome, first_attempt_at=1_000_000.0) == delay


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("webhook_unreachable_window", 0),
        ("webhook_unreachable_max_wait", float("inf")),
        ("webhook_rate_limit_reset", "minutes"),
    ],
)
def test_bad_delivery_settings_are_refused_naming_the_key(key: str, value: Any) -> None:
    with pytest.raises(SettingsError, match=key):
        BrazeSettings(**{key: value})


# -- the receiver's X-Rate-Limit-* headers ---------------------------------------------------------


def limited(remaining: int, reset: str, limit: int | None = 2) -> tuple[int, dict[str, str], str]:
    headers = {"X-Rate-Limit-Remaining": str(remaining), "X-Rate-Limit-Reset": reset}
    if limit is not None:
        headers["X-Rate-Limit-Limit"] = str(limit)
    return 429, headers, "slow down"


def test_a_429_with_no_requests_remaining_holds_the_campaign_until_the_reset(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer(limited(0, "600", limit=None))
    app = make_app(peer, profiles=users(3))
    campaign_id, t0 = start(app, rate_per_minute=60)
    dispatch = backend_of(app).campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    assert [m.state for m in dispatch.messages] == ["delivered"] * 3
    # u0 is refused at 0 s; u1 (due at 1 s), u2 (2 s) and u0's retry (60 s) wait for 600 s.
    assert offsets(app, t0) == [0.0, 600.0, 600.0, 600.0]
    assert [h["until"] - t0 for h in dispatch.messages[1].held] == [600.0]
    (window,) = backend_of(app).campaigns.rate_limit_windows()
    assert (window["status"], window["remaining"], window["limit"]) == (429, 0, None)
    assert window["until"] - window["from"] == 600.0


def test_after_the_reset_the_receivers_limit_paces_every_later_window(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer(limited(0, "60", limit=2))
    app = make_app(peer, profiles=users(5))
    campaign_id, t0 = start(app)
    backend_of(app).campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    # All five are due at once; u0 is refused, then 2 requests per 60-second window.
    assert offsets(app, t0) == [0.0, 60.0, 60.0, 120.0, 120.0, 180.0]


def test_requests_remaining_may_still_leave_before_the_reset(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer(limited(1, "300", limit=None))
    app = make_app(peer, profiles=users(3))
    campaign_id, t0 = start(app)
    backend_of(app).campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    assert offsets(app, t0) == [0.0, 0.0, 300.0, 300.0]


def test_a_reset_given_as_epoch_seconds_is_a_moment(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(2))
    campaign_id, t0 = start(app)
    reset = math.ceil(t0) + 120
    peer.script(limited(0, str(reset), limit=None))
    backend_of(app).campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    assert offsets(app, t0) == [0.0, round(reset - t0, 3), round(reset - t0, 3)]


def test_the_reset_form_is_a_setting(make_app: Callable[..., Flask]) -> None:
    limits = ReceiverLimits(reset_form="seconds", longest=DAY)
    outcome = AttemptOutcome(1, 5_000.0, 429, limited(0, "1000000000")[1], b"", None)
    assert limits.learn("c", "h", outcome) is not None
    assert limits.acquire("c", "h", 5_000.0) == 5_000.0 + DAY, "capped at the longest hold"
    epoch = ReceiverLimits(reset_form="epoch", longest=DAY)
    assert epoch.learn("c", "h", AttemptOutcome(1, 5_000.0, 503, limited(0, "5060")[1])) is not None
    assert epoch.acquire("c", "h", 5_000.0) == 5_060.0


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Rate-Limit-Remaining": "0"},
        {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "soon"},
        {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "-5"},
        {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "nan"},
        {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "0"},
    ],
)
def test_headers_without_a_usable_reset_are_ignored(headers: dict[str, str]) -> None:
    limits = ReceiverLimits(reset_form="auto", longest=DAY)
    assert limits.learn("c", "h", AttemptOutcome(1, 100.0, 429, headers)) is None
    assert limits.acquire("c", "h", 100.0) is None


def test_the_headers_on_a_success_say_nothing(make_app: Callable[..., Flask]) -> None:
    ok = (201, {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "600"}, "[]")
    app = make_app(Peer(default=ok), profiles=users(3))
    campaign_id, t0 = start(app)
    backend_of(app).campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    assert offsets(app, t0) == [0.0, 0.0, 0.0]
    assert backend_of(app).campaigns.rate_limit_windows() == []


def test_a_hold_is_per_campaign(make_app: Callable[..., Flask]) -> None:
    peer = Peer(limited(0, "600", limit=None))
    app = make_app(peer, profiles=users(1))
    first, t0 = start(app)
    second, _ = start(app, name="Another campaign")
    store = backend_of(app).campaigns
    store.send(first)
    scheduler_of(app).advance(1)
    store.send(second)
    scheduler_of(app).run_until_idle()
    times = [(e.time - t0) for e in journal_of(app).query(hop="braze.webhook")]
    assert [round(t) for t in times] == [0, 1, 600]


def test_a_test_send_neither_waits_for_nor_teaches_a_hold(make_app: Callable[..., Flask]) -> None:
    peer = Peer(limited(0, "600", limit=None), limited(0, "600", limit=None))
    app = make_app(peer)
    campaign_id, _ = start(app)
    store = backend_of(app).campaigns
    store.send(campaign_id)
    scheduler_of(app).run_until_idle(max_seconds=1)
    result = store.test_send(campaign_id)
    assert result.status == 429, "sent at once, though the campaign's sends wait"
    assert len(store.rate_limit_windows()) == 1


def test_a_first_attempt_held_until_its_dispatch_is_72_hours_old_is_aborted(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer(limited(0, "600", limit=None))
    app = make_app(peer, profiles=users(2), webhook_abort_after=300.0)
    campaign_id, _ = start(app)
    dispatch = backend_of(app).campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    refused, held = dispatch.messages
    assert held.state == "expired"
    assert "the receiver's rate limit" in (held.error or "")
    assert refused.state == "delivered", "a message already tried keeps being retried"
    expired = [
        e for e in backend_of(app).campaigns.activity_log() if e["error_type"] != "Webhook HTTP 429"
    ]
    assert [e["error_type"] for e in expired] == ["Aborted message"]


def test_the_activity_log_lists_the_windows_the_headers_set(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(Peer(limited(0, "60", limit=5)))
    campaign_id, _ = start(app)
    backend_of(app).campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    client = app.test_client()
    body = client.get("/_mock/activity-log", query_string={"campaign_id": campaign_id}).get_json()
    (window,) = body["rate_limit_windows"]
    assert (window["campaign_id"], window["host"], window["limit"]) == (
        campaign_id,
        "api.seen.io",
        5,
    )
    assert window["exchange_id"] == journal_of(app).query(hop="braze.webhook")[0].id
