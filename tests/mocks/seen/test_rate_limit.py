"""SEEN's 1,000 calls per rolling hour per token: exact at the boundary and under concurrency."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.core.runtime import MockRuntime
from tests.conftest import OTHER_TOKEN, TOKEN, post_receivers

ONE = [{"first_name": "Ada"}]


def test_call_1000_accepted_1001_refused_then_accepted_after_the_window(
    client: FlaskClient, runtime: MockRuntime
) -> None:
    for _ in range(999):
        assert post_receivers(client, ONE).status_code == 201
    runtime.scheduler.advance(600)  # the 1,000th call comes ten minutes after the first
    assert post_receivers(client, ONE).status_code == 201

    refused = post_receivers(client, ONE)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3000"
    assert refused.json == {"detail": "Request was throttled. Expected available in 3000 seconds."}

    runtime.scheduler.advance(2999)
    again = post_receivers(client, ONE)
    assert (again.status_code, again.headers["Retry-After"]) == (429, "1")
    assert again.json == {"detail": "Request was throttled. Expected available in 1 second."}

    runtime.scheduler.advance(1)  # the first 999 calls leave the window
    assert post_receivers(client, ONE).status_code == 201


def test_retry_after_rounds_up(client: FlaskClient, runtime: MockRuntime) -> None:
    for _ in range(1000):
        post_receivers(client, ONE)
    runtime.scheduler.advance(0.5)
    refused = post_receivers(client, ONE)
    assert refused.headers["Retry-After"] == "3600"  # 3599.5 s, rounded up


def test_counted_in_calls_not_receivers(make_seen_app: Callable[..., Flask]) -> None:
    client = make_seen_app(rate_limit=2).test_client()
    assert post_receivers(client, ONE * 50).status_code == 201
    assert post_receivers(client, ONE * 50).status_code == 201
    assert post_receivers(client, ONE).status_code == 429


def test_every_authenticated_call_counts_refused_ones_do_not(
    make_seen_app: Callable[..., Flask],
) -> None:
    app = make_seen_app(rate_limit=3)
    client = app.test_client()
    assert post_receivers(client, {"not": "a list"}).status_code == 400
    assert post_receivers(client, ONE, method="GET").status_code == 405
    assert post_receivers(client, ONE, token=None).status_code == 401, "not counted"
    assert post_receivers(client, ONE).status_code == 201
    for _ in range(3):
        assert post_receivers(client, ONE).status_code == 429
    runtime: MockRuntime = app.extensions["mock"]
    assert app.extensions["seen"].limiter.used(TOKEN, runtime.clock.now()) == 3


def test_limits_are_per_token(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(
        rate_limit=1,
        campaigns=[{"slug": "onboarding", "token": TOKEN}, {"slug": "b", "token": OTHER_TOKEN}],
    )
    client = app.test_client()
    assert post_receivers(client, ONE).status_code == 201
    assert post_receivers(client, ONE).status_code == 429
    assert post_receivers(client, ONE, token=OTHER_TOKEN).status_code == 201


def test_window_setting(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(rate_limit=1, rate_window=60)
    client = app.test_client()
    assert post_receivers(client, ONE).status_code == 201
    assert post_receivers(client, ONE).headers["Retry-After"] == "60"
    app.extensions["mock"].scheduler.advance(60)
    assert post_receivers(client, ONE).status_code == 201


def test_exact_under_concurrent_requests(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(rate_limit=100)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        client = app.test_client()
        start.wait()
        for _ in range(40):
            status = post_receivers(client, ONE).status_code
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == {201: 100, 429: 220}
    assert len(app.extensions["seen"].receivers) == 100
    ids = sorted(app.extensions["seen"].receivers)
    assert ids == list(range(1, 101)), "ids are unique and gapless under concurrency"
    assert app.extensions["mock"].journal.count(hop="seen.receivers") == 320
