"""Webhook campaign sends on the virtual clock: responses, retries, rate, expiry, the log."""

from __future__ import annotations

import itertools
import math
import re
from collections import deque
from collections.abc import Callable, Mapping
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

import pytest
import requests
from flask import Flask
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from seen_braze_harness.mocks.braze.app import create_app
from seen_braze_harness.mocks.braze.campaigns.messages import Dispatch, WebhookMessage
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.clock import Scheduler
from seen_braze_harness.mocks.core.journal import Journal
from tests.conftest import TOKEN

URL = "https://api.seen.io/v1/campaigns/onboarding/receivers/"
SEEN_BODY = (
    '[{"first_name":"{{${first_name}}}","last_name":"{{${last_name}}}",'
    '"email":"{{${email_address}}}","customer_id":"{{${braze_id}}}"}]'
)
Answer = tuple[int, Mapping[str, str], str] | BaseException
CREATED: Answer = (201, {"Content-Type": "application/json"}, '[{"id":1}]')


class Peer(BaseAdapter):
    """The webhook's receiving end: answers from a script (then `default`), records requests."""

    def __init__(
        self,
        *answers: Answer,
        default: Answer | Callable[[requests.PreparedRequest], Answer] = CREATED,
    ) -> None:
        super().__init__()
        self.answers: deque[Answer | Callable[[requests.PreparedRequest], Answer]] = deque(answers)
        self.default = default
        self.requests: list[requests.PreparedRequest] = []

    def script(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **_kwargs: Any
    ) -> requests.Response:
        self.requests.append(request)
        answer = self.answers.popleft() if self.answers else self.default
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, BaseException):
            raise answer
        status, headers, body = answer
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response._content = body.encode()
        try:
            response.reason = HTTPStatus(status).phrase
        except ValueError:
            response.reason = ""
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def users(count: int, **fields: Any) -> list[dict[str, Any]]:
    return [
        {"external_id": f"u{i}", "first_name": f"User{i}", "last_name": "Test", **fields}
        for i in range(count)
    ]


@pytest.fixture
def make_app(closing_apps: list[Flask]) -> Callable[..., Flask]:
    """A Braze mock on a virtual clock whose outbound calls reach `peer`, never the network."""

    def make(peer: Peer, **overrides: Any) -> Flask:
        values: dict[str, Any] = {"clock": "virtual", "profiles": users(1)}
        values.update(overrides)
        session = requests.Session()
        session.mount("http://", peer)
        session.mount("https://", peer)
        app = create_app(BrazeSettings(**values), session=session)
        closing_apps.append(app)
        return app

    return make


def backend_of(app: Flask) -> BrazeBackend:
    backend: BrazeBackend = app.extensions["braze"]
    return backend


def scheduler_of(app: Flask) -> Scheduler:
    scheduler: Scheduler = app.extensions["mock"].scheduler
    return scheduler


def journal_of(app: Flask) -> Journal:
    journal: Journal = app.extensions["mock"].journal
    return journal


def campaign(app: Flask, **fields: Any) -> str:
    spec = {"name": "SEEN onboarding", "url": URL, "body": SEEN_BODY, **fields}
    return backend_of(app).campaigns.create(spec).id


def send_all(app: Flask, **fields: Any) -> Dispatch:
    campaign_id = campaign(app, **fields)
    dispatch = backend_of(app).campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    return dispatch


def attempt_offsets(message: WebhookMessage, start: float) -> list[float]:
    assert message.delivery is not None
    return [round(a.time - start, 6) for a in message.delivery.attempts]


def gaps(message: WebhookMessage) -> list[float]:
    assert message.delivery is not None
    times = [a.time for a in message.delivery.attempts]
    return [round(b - a, 6) for a, b in itertools.pairwise(times)]


# -- the response table ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_is_delivered_at_once(make_app: Callable[..., Flask], status: int) -> None:
    peer = Peer((status, {}, ""))
    app = make_app(peer)
    dispatch = send_all(app)
    (message,) = dispatch.messages
    assert message.state == "delivered"
    assert message.status == status
    assert len(peer.requests) == 1
    assert backend_of(app).campaigns.activity_log() == []


def test_the_message_renders_the_users_profile_into_the_seen_body(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "ada", "first_name": "Ada", "email": "a@x.io"}])
    dispatch = send_all(app, headers={"Authorization": "Token abc"})
    (message,) = dispatch.messages
    (sent,) = peer.requests
    assert sent.method == "POST"
    assert sent.url == URL
    assert (
        sent.body
        == (
            f'[{{"first_name":"Ada","last_name":"","email":"a@x.io",'
            f'"customer_id":"{message.braze_id}"}}]'
        ).encode()
    )
    assert sent.headers["Authorization"] == "Token abc"
    assert sent.headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"Braze Sender [0-9a-f]{40}", sent.headers["User-Agent"])
    assert message.external_id == "ada"
    assert message.request is not None and message.request.body == sent.body.decode()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_3xx_is_not_delivered_not_retried_and_not_followed(
    make_app: Callable[..., Flask], status: int
) -> None:
    peer = Peer((status, {"Location": "https://elsewhere.example.test/"}, ""))
    app = make_app(peer)
    (message,) = send_all(app).messages
    assert message.state == "failed"
    assert [r.url for r in peer.requests] == [URL]
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["error_type"] == f"Webhook HTTP {status}"
    assert entry["final"] is True


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422])
def test_other_4xx_is_final(make_app: Callable[..., Flask], status: int) -> None:
    peer = Peer((status, {"Content-Type": "application/json"}, '{"detail":"Not found."}'))
    app = make_app(peer)
    (message,) = send_all(app).messages
    assert message.state == "failed"
    assert message.status == status
    assert len(peer.requests) == 1
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["status"] == status
    assert entry["response_body"] == '{"detail":"Not found."}'
    assert "not retried" in entry["message"]


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 529])
def test_408_429_and_5xx_are_retried_after_60_seconds(
    make_app: Callable[..., Flask], status: int
) -> None:
    peer = Peer((status, {}, "busy"))
    app = make_app(peer)
    dispatch = send_all(app)
    (message,) = dispatch.messages
    assert message.state == "delivered"
    assert attempt_offsets(message, dispatch.created_at) == [0.0, 60.0]
    assert [a.status for a in message.delivery.attempts] == [status, 201]  # type: ignore[union-attr]
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["error_type"] == f"Webhook HTTP {status}"
    assert entry["final"] is False
    assert entry["response_body"] == "busy"


def test_backoff_doubles_and_five_retries_then_failed(make_app: Callable[..., Flask]) -> None:
    peer = Peer(default=(500, {}, "down"))
    app = make_app(peer)
    dispatch = send_all(app)
    (message,) = dispatch.messages
    assert message.state == "failed"
    assert len(peer.requests) == 6
    assert gaps(message) == [60.0, 120.0, 240.0, 480.0, 960.0]
    assert attempt_offsets(message, dispatch.created_at)[-1] == 1860.0  # about 30 minutes
    entries = backend_of(app).campaigns.activity_log()
    assert [e["attempt"] for e in entries] == [1, 2, 3, 4, 5, 6]
    assert [e["final"] for e in entries] == [False] * 5 + [True]
    assert "not delivered after 5 retries" in entries[-1]["message"]


def test_the_backoff_is_a_setting(make_app: Callable[..., Flask]) -> None:
    peer = Peer(default=(503, {}, ""))
    app = make_app(peer, webhook_max_retries=2, webhook_retry_base=10.0, webhook_retry_factor=3.0)
    (message,) = send_all(app).messages
    assert gaps(message) == [10.0, 30.0]


def test_retry_after_seconds_replaces_the_backoff_step(make_app: Callable[..., Flask]) -> None:
    peer = Peer((429, {"Retry-After": "7"}, ""), (503, {"Retry-After": "1500"}, ""))
    app = make_app(peer)
    (message,) = send_all(app).messages
    assert message.state == "delivered"
    assert gaps(message) == [7.0, 1500.0]


@pytest.mark.parametrize(
    ("value", "gap"),
    [
        ("1800", 1800.0),
        ("3600", 1800.0),
        ("86400", 1800.0),
        (str(10**12), 60.0),  # more than ten digits: not a wait, the backoff applies
        ("1" + "0" * 400, 60.0),
        ("9" * 5000, 60.0),
    ],
)
def test_an_honoured_retry_after_is_capped_at_the_retry_window(
    make_app: Callable[..., Flask], value: str, gap: float
) -> None:
    peer = Peer((503, {"Retry-After": value}, ""))
    app = make_app(peer)
    (message,) = send_all(app).messages
    assert message.state == "delivered"
    assert gaps(message) == [gap]
    assert scheduler_of(app).errors == deque()


def test_the_retry_after_cap_is_a_setting(make_app: Callable[..., Flask]) -> None:
    peer = Peer((503, {"Retry-After": "3600"}, ""), (503, {"Retry-After": "30"}, ""))
    app = make_app(peer, webhook_retry_after_max=120.0)
    (message,) = send_all(app).messages
    assert gaps(message) == [120.0, 30.0]


def test_retry_after_as_an_http_date_is_honoured(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    scheduler = scheduler_of(app)
    scheduler.advance(math.ceil(scheduler.clock.now()) + 1 - scheduler.clock.now())
    start = scheduler.clock.now()
    peer.script((503, {"Retry-After": formatdate(start + 300, usegmt=True)}, ""))
    (message,) = send_all(app).messages
    assert gaps(message) == [300.0]


@pytest.mark.parametrize("value", ["soon", "-5", ""])
def test_a_retry_after_that_is_neither_form_leaves_the_backoff(
    make_app: Callable[..., Flask], value: str
) -> None:
    peer = Peer((503, {"Retry-After": value}, ""))
    app = make_app(peer)
    (message,) = send_all(app).messages
    assert gaps(message) == [60.0]


def test_retry_after_is_ignored_on_a_final_status(make_app: Callable[..., Flask]) -> None:
    peer = Peer((400, {"Retry-After": "5"}, ""))
    app = make_app(peer)
    (message,) = send_all(app).messages
    assert message.state == "failed"
    assert len(peer.requests) == 1


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (requests.ConnectionError("[Errno 111] Connection refused"), "connection error"),
        (requests.ReadTimeout("read timed out"), "timeout: no response within 90 s"),
        (
            UnicodeEncodeError("latin-1", "王", 0, 1, "ordinal not in range(256)"),
            "connection error: UnicodeEncodeError: 'latin-1' codec can't encode",
        ),
        (ValueError("Invalid header value"), "connection error: ValueError: Invalid header"),
        (RuntimeError("anything else"), "connection error: RuntimeError: anything else"),
    ],
)
def test_no_response_is_reported_as_599_and_retried(
    make_app: Callable[..., Flask], raised: BaseException, said: str
) -> None:
    peer = Peer(raised)
    app = make_app(peer)
    (message,) = send_all(app).messages
    assert message.state == "delivered"
    assert message.delivery is not None
    first = message.delivery.attempts[0]
    assert first.status is None and said in (first.error or "")
    assert message.to_dict()["attempts"][0]["status"] == 599
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["status"] == 599
    assert entry["error_type"] == "Webhook HTTP 599"
    assert said in entry["message"]
    assert gaps(message) == [60.0]
    journaled = journal_of(app).query(hop="braze.webhook")
    assert [(e.status, said in (e.error or "")) for e in journaled] == [(None, True), (201, False)]
    assert scheduler_of(app).errors == deque()


def test_a_client_error_on_every_attempt_settles_the_message_failed(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer(default=UnicodeEncodeError("latin-1", "王", 0, 1, "ordinal not in range(256)"))
    # No response is an unreachable endpoint, retried for `webhook_unreachable_window` (Braze:
    # 24 hours) whatever the retry count: attempts at 0, 60 and 180 s fit in 300 s.
    app = make_app(peer, webhook_max_retries=2, webhook_unreachable_window=300.0)
    (message,) = send_all(app).messages
    assert message.state == "failed"
    assert message.status == 599
    assert len(journal_of(app).query(hop="braze.webhook")) == 3
    assert [e["final"] for e in backend_of(app).campaigns.activity_log()] == [False, False, True]


def test_the_request_timeout_is_90_seconds(make_app: Callable[..., Flask]) -> None:
    seen: list[Any] = []

    class TimingPeer(Peer):
        def send(  # type: ignore[override]
            self, request: requests.PreparedRequest, **kwargs: Any
        ) -> requests.Response:
            seen.append(kwargs.get("timeout"))
            return super().send(request)

    app = make_app(TimingPeer())
    send_all(app)
    assert seen == [90.0]


# -- into the SEEN mock ------------------------------------------------------------------------


def test_the_seed_campaign_creates_receivers_in_the_seen_mock(
    make_app: Callable[..., Flask], make_seen_app: Callable[..., Flask]
) -> None:
    seen = make_seen_app().test_client()

    def into_seen(request: requests.PreparedRequest) -> Answer:
        answer = seen.open(
            (request.url or "").replace("https://api.seen.io", ""),
            method=request.method or "POST",
            headers=dict(request.headers),
            data=request.body,
        )
        return answer.status_code, dict(answer.headers), answer.get_data(as_text=True)

    peer = Peer(default=into_seen)
    app = make_app(peer, profiles=users(3, email="user@example.com"))
    dispatch = send_all(
        app,
        headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"},
        rate_per_minute=10,
    )
    assert [m.state for m in dispatch.messages] == ["delivered"] * 3
    exchanges = journal_of(app).query(hop="braze.webhook")
    assert [e.status for e in exchanges] == [201] * 3
    assert all(e.valid for e in exchanges), [e.verdict() for e in exchanges]
    assert exchanges[0].response_json[0]["customer_id"] == dispatch.messages[0].braze_id


# -- every attempt journaled and correlated -----------------------------------------------------


def test_each_attempt_is_journaled_as_braze_webhook(make_app: Callable[..., Flask]) -> None:
    peer = Peer((500, {}, ""), (502, {}, ""))
    app = make_app(peer)
    (message,) = send_all(app).messages
    exchanges = journal_of(app).query(hop="braze.webhook")
    assert [e.status for e in exchanges] == [500, 502, 201]
    assert [e.direction for e in exchanges] == ["outbound"] * 3
    assert [e.attempt for e in exchanges] == [1, 2, 3]
    assert message.exchange_ids == [e.id for e in exchanges]
    assert exchanges[0].request_body.text == message.request.body  # type: ignore[union-attr]


# -- the send rate and the 72-hour horizon -------------------------------------------------------


def test_messages_are_spread_evenly_at_the_rate(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(5))
    dispatch = send_all(app, rate_per_minute=20)
    offsets = [m.scheduled_at - dispatch.created_at for m in dispatch.messages]
    assert offsets == [0.0, 3.0, 6.0, 9.0, 12.0]
    sent = [attempt_offsets(m, dispatch.created_at) for m in dispatch.messages]
    assert sent == [[0.0], [3.0], [6.0], [9.0], [12.0]]
    assert [m.external_id for m in dispatch.messages] == [f"u{i}" for i in range(5)]


def test_nothing_goes_before_its_time(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(3))
    dispatch = backend_of(app).campaigns.send(campaign(app, rate_per_minute=10))
    scheduler_of(app).advance(0)
    assert len(peer.requests) == 1
    assert [m.state for m in dispatch.messages] == ["delivered", "scheduled", "scheduled"]
    scheduler_of(app).advance(5.999)
    assert len(peer.requests) == 1
    scheduler_of(app).advance(0.001)
    assert len(peer.requests) == 2


def test_no_rate_sends_everyone_at_once(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(4))
    dispatch = send_all(app)
    assert {m.scheduled_at for m in dispatch.messages} == {dispatch.created_at}


def test_messages_held_back_past_the_horizon_expire_unsent(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(8), webhook_abort_after=30.0)
    dispatch = send_all(app, rate_per_minute=10)  # one every 6 s: 0, 6, ..., 30 | 36, 42
    assert [m.state for m in dispatch.messages] == ["delivered"] * 6 + ["expired"] * 2
    assert len(peer.requests) == 6
    entries = backend_of(app).campaigns.activity_log()
    assert [e["external_id"] for e in entries] == ["u6", "u7"]
    assert {e["error_type"] for e in entries} == {"Aborted message"}
    assert all("expired" in e["message"] for e in entries)
    assert {e["clock"] for e in entries} == {dispatch.created_at + 30.0}


def test_the_horizon_is_72_hours_by_default() -> None:
    assert BrazeSettings().webhook_abort_after == 72 * 3600


def test_the_profile_is_read_when_the_message_goes(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(2))
    backend = backend_of(app)
    dispatch = backend.campaigns.send(campaign(app, rate_per_minute=10))
    profile = backend.profiles.query(external_id="u1")[0]
    backend.profiles.apply_attributes(profile, {"first_name": "Renamed"})
    scheduler_of(app).run_until_idle()
    assert b'"first_name":"Renamed"' in (peer.requests[1].body or b"")
    assert dispatch.messages[1].state == "delivered"


def test_an_audience_list_sends_to_those_users_only(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(4))
    dispatch = send_all(app, audience=["u2", "u0", "nobody", "u2"])
    assert [m.external_id for m in dispatch.messages] == ["u2", "u0"]
    assert dispatch.skipped_external_ids == ["nobody"]


def test_send_to_chosen_external_ids(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(4))
    backend = backend_of(app)
    dispatch = backend.campaigns.send(campaign(app), external_ids=["u3"])
    scheduler_of(app).run_until_idle()
    assert [m.external_id for m in dispatch.messages] == ["u3"]
    assert len(peer.requests) == 1


def test_each_send_is_its_own_dispatch(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    backend = backend_of(app)
    campaign_id = campaign(app, body='{"d":"{{campaign.${dispatch_id}}}"}')
    one = backend.campaigns.send(campaign_id)
    two = backend.campaigns.send(campaign_id)
    scheduler_of(app).run_until_idle()
    assert one.dispatch_id != two.dispatch_id
    assert re.fullmatch(r"[0-9a-f]{24}", one.dispatch_id)
    assert [r.body for r in peer.requests] == [
        f'{{"d":"{one.dispatch_id}"}}'.encode(),
        f'{{"d":"{two.dispatch_id}"}}'.encode(),
    ]


# -- what Braze adds and infers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"a": "{{${first_name}}}"}', "application/json"),
        ('[{"a": 1}]', "application/json"),
        ("first_name={{${first_name}}}", "text/plain"),
        ("", None),
    ],
)
def test_content_type_is_inferred_from_the_body(
    make_app: Callable[..., Flask], body: str, content_type: str | None
) -> None:
    peer = Peer()
    app = make_app(peer)
    send_all(app, body=body)
    assert peer.requests[0].headers.get("Content-Type") == content_type


def test_a_content_type_the_campaign_sets_is_kept(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    send_all(app, body='{"a":1}', headers={"content-type": "text/csv"})
    assert peer.requests[0].headers["Content-Type"] == "text/csv"


def test_a_name_with_a_quote_breaks_the_json_as_braze_does(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "q", "first_name": 'Ada "The" Countess'}])
    send_all(app)
    body = (peer.requests[0].body or b"").decode()
    assert '"first_name":"Ada "The" Countess"' in body
    assert peer.requests[0].headers["Content-Type"] == "text/plain"


def test_get_sends_no_body(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    send_all(app, method="GET", url=URL + "?name={{${first_name}}}", body="ignored")
    (sent,) = peer.requests
    assert sent.method == "GET"
    assert sent.url == URL + "?name=User0"
    assert not sent.body
    assert "Content-Type" not in sent.headers


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_put_and_delete_send_the_body(make_app: Callable[..., Flask], method: str) -> None:
    peer = Peer()
    app = make_app(peer)
    send_all(app, method=method, body="x={{${first_name}}}")
    assert peer.requests[0].method == method
    assert peer.requests[0].body == b"x=User0"


def test_json_key_value_pairs_become_a_json_object(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "e1", "first_name": 'Quo"te', "score": 7}])
    send_all(
        app,
        body_format="json",
        body={"name": "{{${first_name}}}", "score": "{{custom_attribute.${score}}}"},
    )
    assert peer.requests[0].body == b'{"name":"Quo\\"te","score":"7"}'
    assert peer.requests[0].headers["Content-Type"] == "application/json"


def test_liquid_in_the_url_and_header_values(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "e1", "first_name": "Ada", "tier": "gold"}])
    send_all(
        app,
        url="https://api.seen.io/{{custom_attribute.${tier}}}/{{${user_id}}}",
        headers={"X-Name": "{{${first_name}}}"},
    )
    assert peer.requests[0].url == "https://api.seen.io/gold/e1"
    assert peer.requests[0].headers["X-Name"] == "Ada"


def test_braze_replaces_a_user_agent_the_campaign_sets(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    send_all(app, headers={"user-agent": "mine"})
    assert peer.requests[0].headers["User-Agent"].startswith("Braze Sender ")


# -- aborts and render errors ---------------------------------------------------------------------


def test_abort_message_stops_that_user_and_is_logged(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(
        peer,
        profiles=[
            {"external_id": "a", "first_name": "Ada"},
            {"external_id": "b", "first_name": "Bob"},
        ],
    )
    body = '{% if ${first_name} == "Bob" %}{% abort_message("no Bob") %}{% endif %}hi'
    dispatch = send_all(app, body=body)
    assert [m.state for m in dispatch.messages] == ["delivered", "aborted"]
    assert dispatch.messages[1].error == "no Bob"
    assert len(peer.requests) == 1
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["error_type"] == "Aborted message"
    assert entry["message"] == "no Bob"
    assert entry["external_id"] == "b"
    assert entry["campaign_name"] == "SEEN onboarding"


def test_a_liquid_error_at_send_time_is_a_render_error(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer)
    (message,) = send_all(app, body="{{ 1 | divided_by: 0 }}").messages
    assert message.state == "render_error"
    assert "divided_by: divided by 0" in (message.error or "")
    assert peer.requests == []
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["error_type"] == "Liquid error"
    assert entry["status"] is None


def test_a_rendered_url_braze_cannot_call_is_a_render_error(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "p", "port": 8443}])
    (message,) = send_all(app, url="https://api.seen.io:{{custom_attribute.${port}}}/").messages
    assert message.state == "render_error"
    assert "port 8443" in (message.error or "")
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["error_type"] == "Invalid webhook"


def test_a_header_value_with_a_line_break_is_a_render_error(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "p", "first_name": "A\nB"}])
    (message,) = send_all(app, headers={"X-Name": "{{${first_name}}}"}).messages
    assert message.state == "render_error"
    assert peer.requests == []


@pytest.mark.parametrize("name", ["王", "Zoë 😀", "\u2013"])
def test_a_header_value_outside_latin_1_is_an_invalid_webhook_naming_the_header(
    make_app: Callable[..., Flask], name: str
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "p", "first_name": name}])
    (message,) = send_all(app, headers={"X-Name": "{{${first_name}}}"}).messages
    assert message.state == "render_error"
    assert "headers.X-Name" in (message.error or "")
    assert "ISO-8859-1" in (message.error or "")
    assert peer.requests == []
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["error_type"] == "Invalid webhook"
    assert scheduler_of(app).errors == deque()


def test_a_latin_1_header_value_is_sent_and_an_encoded_one_too(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "p", "first_name": "Zoë 王"}])
    headers = {
        "X-Latin": "{{${first_name} | truncate: 3, ''}}",
        "X-Any": "{{${first_name} | url_encode}}",
    }
    (message,) = send_all(app, headers=headers).messages
    assert message.state == "delivered"
    assert peer.requests[0].headers["X-Latin"] == "Zoë"
    assert peer.requests[0].headers["X-Any"] == "Zo%C3%AB+%E7%8E%8B"


def test_a_header_value_loses_its_surrounding_whitespace(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "p", "first_name": " Ada\t"}])
    (message,) = send_all(app, headers={"X-Name": "{{${first_name}}}"}).messages
    assert message.state == "delivered"
    assert peer.requests[0].headers["X-Name"] == "Ada"
    assert message.request is not None and message.request.headers["X-Name"] == "Ada"


def test_a_render_error_in_a_filter_is_logged_not_left_sending(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "p", "deep": "[" * 5000 + "]" * 5000}])
    (message,) = send_all(app, body="{{custom_attribute.${deep} | json_parse}}").messages
    assert message.state == "render_error"
    assert "line 1: json_parse: " in (message.error or "")
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["error_type"] == "Liquid error"
    assert peer.requests == []


def test_a_template_over_the_loop_limit_is_a_render_error_not_a_stall(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer)
    body = "{% for i in (1..100000000) %}x{% endfor %}"
    (message,) = send_all(app, body=body).messages
    assert message.state == "render_error"
    assert "100,000" in (message.error or "")
    assert peer.requests == []


# -- the Message Activity Log ---------------------------------------------------------------------


def test_at_most_20_entries_of_one_type_per_campaign_per_hour(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer(default=(404, {}, "gone"))
    app = make_app(peer, profiles=users(25))
    scheduler = scheduler_of(app)
    scheduler.advance(3600 - scheduler.clock.now() % 3600)  # the top of an hour
    campaign_id = campaign(app)
    backend_of(app).campaigns.send(campaign_id)
    scheduler.run_until_idle()
    store = backend_of(app).campaigns
    assert len(store.activity_log()) == 20
    (suppressed,) = store.activity_log_suppressed()
    assert suppressed["suppressed"] == 5
    assert suppressed["error_type"] == "Webhook HTTP 404"
    other = campaign(app, name="Other")
    store.send(other)
    scheduler.run_until_idle()
    assert len(store.activity_log(campaign_id=other)) == 20, "the cap is per campaign"
    scheduler.advance(3600)
    store.send(campaign_id)
    scheduler.run_until_idle()
    assert len(store.activity_log(campaign_id=campaign_id)) == 40, "and per clock hour"


def test_the_cap_counts_each_error_type_apart(make_app: Callable[..., Flask]) -> None:
    answers: list[Answer] = [(404, {}, "")] * 21 + [(400, {}, "")] * 3
    peer = Peer(*answers)
    app = make_app(peer, profiles=users(24), activity_log_per_type_per_hour=20)
    scheduler = scheduler_of(app)
    scheduler.advance(3600 - scheduler.clock.now() % 3600)
    send_all(app)
    kinds = [e["error_type"] for e in backend_of(app).campaigns.activity_log()]
    assert kinds.count("Webhook HTTP 404") == 20
    assert kinds.count("Webhook HTTP 400") == 3


def test_entries_are_kept_60_hours(make_app: Callable[..., Flask]) -> None:
    peer = Peer(default=(400, {}, ""))
    app = make_app(peer)
    dispatch = send_all(app)
    store = backend_of(app).campaigns
    scheduler = scheduler_of(app)
    scheduler.advance(60 * 3600 - 1)
    assert len(store.activity_log()) == 1
    assert store.activity_log(since=dispatch.created_at + 1) == []
    scheduler.advance(2)
    assert store.activity_log() == []


def test_a_long_response_body_is_truncated_in_the_log(make_app: Callable[..., Flask]) -> None:
    peer = Peer((400, {}, "x" * 5000))
    app = make_app(peer, activity_log_body_cap=100)
    send_all(app)
    (entry,) = backend_of(app).campaigns.activity_log()
    assert entry["response_body"] == "x" * 100
    assert entry["response_body_truncated"] is True


def test_an_entry_says_when_where_and_who(make_app: Callable[..., Flask]) -> None:
    peer = Peer((429, {}, "slow down"))
    app = make_app(peer)
    dispatch = send_all(app)
    entry = backend_of(app).campaigns.activity_log()[0]
    (message,) = dispatch.messages
    assert entry["clock"] == dispatch.created_at
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
    assert entry["campaign_id"] == dispatch.campaign_id
    assert entry["dispatch_id"] == dispatch.dispatch_id
    assert (entry["external_id"], entry["braze_id"]) == ("u0", message.braze_id)
    assert entry["exchange_id"] == message.exchange_ids[0]


# -- Test sends -----------------------------------------------------------------------------------


def test_a_test_send_shows_the_status_line_and_raw_body(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    store = backend_of(app).campaigns
    result = store.test_send(campaign(app), external_id="u0")
    assert result.status_line == "HTTP/1.1 201 Created"
    assert result.status == 201
    assert result.body == '[{"id":1}]'
    assert result.headers["Content-Type"] == "application/json"
    assert result.request is not None and '"first_name":"User0"' in (result.request.body or "")
    (exchange,) = journal_of(app).query(hop="braze.webhook_test")
    assert exchange.id == result.exchange_id
    assert journal_of(app).query(hop="braze.webhook") == []


def test_a_test_send_is_not_retried(make_app: Callable[..., Flask]) -> None:
    peer = Peer(default=(503, {"Retry-After": "1"}, "try later"))
    app = make_app(peer)
    result = backend_of(app).campaigns.test_send(campaign(app), external_id="u0")
    scheduler_of(app).run_until_idle()
    assert result.status_line == "HTTP/1.1 503 Service Unavailable"
    assert result.body == "try later"
    assert len(peer.requests) == 1
    assert backend_of(app).campaigns.activity_log() == []


def test_a_test_send_that_gets_no_answer_shows_the_error(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer(requests.ConnectionError("[Errno 111] Connection refused"))
    app = make_app(peer)
    result = backend_of(app).campaigns.test_send(campaign(app), external_id="u0")
    assert result.status == 599
    assert result.status_line == "connection error: Connection refused"
    assert result.error == result.status_line


def test_a_test_send_as_a_custom_user(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    result = backend_of(app).campaigns.test_send(
        campaign(app), user={"first_name": "Grace", "email": "g@x.io", "braze_id": "b-9"}
    )
    assert peer.requests[0].body == (
        b'[{"first_name":"Grace","last_name":"","email":"g@x.io","customer_id":"b-9"}]'
    )
    assert result.user["first_name"] == "Grace"


def test_a_test_send_by_braze_id_and_at_random(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(3))
    backend = backend_of(app)
    campaign_id = campaign(app, audience=["u1", "u2"])
    braze_id = backend.profiles.query(external_id="u0")[0].braze_id
    assert backend.campaigns.test_send(campaign_id, braze_id=braze_id).user["external_id"] == "u0"
    picked = {backend.campaigns.test_send(campaign_id).user["external_id"] for _ in range(12)}
    assert picked <= {"u1", "u2"}


def test_a_test_send_previews_the_unsent_dispatch_id(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    campaign_id = campaign(app, body="{{campaign.${dispatch_id}}}|{{campaign.${name}}}")
    result = backend_of(app).campaigns.test_send(campaign_id, external_id="u0")
    assert result.request is not None
    assert result.request.body == "dispatch_id_for_unsent_campaign|SEEN onboarding"


def test_a_test_send_that_aborts_sends_nothing(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    result = backend_of(app).campaigns.test_send(
        campaign(app, body='{% abort_message("not today") %}'), external_id="u0"
    )
    assert result.status is None
    assert result.error == "Aborted message: not today"
    assert peer.requests == []


@pytest.mark.parametrize(
    ("body", "user", "words"),
    [
        ("{{custom_attribute.${n} | number_with_delimiter}}", {"n": 10**5000}, "line 1"),
        ("{{custom_attribute.${n} | json_parse}}", {"n": "[" * 5000 + "]" * 5000}, "json_parse"),
        ("{{custom_attribute.${n} | md5}}", {"n": "\ud800"}, "md5"),
        ("{{custom_attribute.${n} | base64_encode}}", {"n": "\ud800"}, "base64_encode"),
        ("{{custom_attribute.${n} | url_escape}}", {"n": "\ud800"}, "url_escape"),
        ("{{custom_attribute.${n}}}", {"n": 10**5000}, "Liquid error"),
        ("{{custom_attribute.${n}}}", {"n": "\ud800"}, "UnicodeEncodeError"),
        ("{% for i in (1..200000) %}{% endfor %}", {}, "100,000"),
    ],
)
def test_a_test_send_that_cannot_render_says_why_and_sends_nothing(
    make_app: Callable[..., Flask], body: str, user: dict[str, Any], words: str
) -> None:
    peer = Peer()
    app = make_app(peer)
    result = backend_of(app).campaigns.test_send(campaign(app, body=body), user=user)
    assert result.status is None
    assert result.error is not None and words in result.error
    assert result.error.startswith(("Liquid error: ", "Invalid webhook: "))
    assert peer.requests == []


def test_a_test_send_with_a_header_outside_latin_1_is_an_invalid_webhook(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "w", "first_name": "王"}])
    campaign_id = campaign(app, headers={"X-Name": "{{${first_name}}}"})
    result = backend_of(app).campaigns.test_send(campaign_id, external_id="w")
    assert result.error is not None
    assert result.error.startswith("Invalid webhook: headers.X-Name: ")
    assert peer.requests == []
    assert journal_of(app).query(hop="braze.webhook_test") == []


def test_a_test_send_that_fails_in_the_client_is_a_599(make_app: Callable[..., Flask]) -> None:
    peer = Peer(ValueError("bad header"))
    app = make_app(peer)
    result = backend_of(app).campaigns.test_send(campaign(app), external_id="u0")
    assert result.status == 599
    assert result.status_line == "connection error: ValueError: bad header"
    (exchange,) = journal_of(app).query(hop="braze.webhook_test")
    assert exchange.error == result.status_line


# -- custom attributes and the standard tags ------------------------------------------------------


COMPUTED_TAGS = (
    "most_recent_locale",
    "last_used_app_date",
    "most_recent_app_version",
    "random_bucket_number",
)


def test_a_custom_attribute_named_like_a_standard_tag_never_stands_in_for_it(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    customs = {name: f"custom-{name}" for name in COMPUTED_TAGS}
    app = make_app(peer, profiles=[{"external_id": "c", "first_name": "Cy", **customs}])
    standard = "|".join(f"{{{{${{{name}}}}}}}" for name in COMPUTED_TAGS)
    custom = "|".join(f"{{{{custom_attribute.${{{name}}}}}}}" for name in COMPUTED_TAGS)
    (message,) = send_all(app, body=standard + "#" + custom).messages
    assert message.state == "delivered"
    shown, customs_shown = peer.requests[0].body.decode().split("#")
    locale, app_date, version, bucket = shown.split("|")
    assert (locale, app_date, version) == ("", "", "")
    assert bucket.isdigit() and 0 <= int(bucket) <= 9999
    assert customs_shown.split("|") == [customs[name] for name in COMPUTED_TAGS]


def test_the_random_bucket_number_is_stable_per_user_and_shared_by_test_sends(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(3))
    dispatch = send_all(app, body="{{${random_bucket_number}}}")
    buckets = [r.body for r in peer.requests]
    assert len(set(buckets)) == 3
    store = backend_of(app).campaigns
    again = store.test_send(dispatch.messages[1].campaign_id, external_id="u1")
    assert again.request is not None
    assert again.request.body == buckets[1].decode()  # type: ignore[union-attr]


# -- host pause -----------------------------------------------------------------------------------


def test_a_failing_host_is_paused_with_598_and_nothing_sent(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer(*[(503, {}, "")] * 4)
    app = make_app(peer, profiles=users(6), host_pause_failures=3, host_pause_seconds=60.0)
    store = backend_of(app).campaigns
    dispatch = store.send(campaign(app))
    scheduler = scheduler_of(app)
    scheduler.advance(0)
    assert len(peer.requests) == 4, "the fifth and sixth are not sent"
    paused = dispatch.messages[4]
    assert paused.status == 598
    assert paused.state == "sending", "598 is retried"
    exchange = journal_of(app).query(hop="braze.webhook", status=598)[0]
    assert "paused" in (exchange.note or "")
    assert store.paused_hosts() == {"api.seen.io": dispatch.created_at + 60.0}
    assert store.host_pauses()[0]["host"] == "api.seen.io"
    assert any(e["error_type"] == "Webhook HTTP 598" for e in store.activity_log())
    scheduler.run_until_idle()
    assert [m.state for m in dispatch.messages] == ["delivered"] * 6
    assert store.paused_hosts() == {}


def test_only_the_listed_statuses_count_towards_a_pause(make_app: Callable[..., Flask]) -> None:
    peer = Peer(*[(500, {}, "")] * 5)
    app = make_app(peer, profiles=users(5), host_pause_failures=3)
    store = backend_of(app).campaigns
    store.send(campaign(app))
    scheduler_of(app).advance(0)
    assert len(peer.requests) == 5
    assert store.paused_hosts() == {}


def test_failures_older_than_a_minute_do_not_count(make_app: Callable[..., Flask]) -> None:
    peer = Peer(default=(429, {}, ""))
    app = make_app(
        peer, profiles=users(4), host_pause_failures=3, webhook_max_retries=0, campaign_rate_min=1
    )
    store = backend_of(app).campaigns
    store.send(campaign(app, rate_per_minute=3))  # one every 20 s: 0, 20, 40, 60
    scheduler_of(app).run_until_idle()
    assert len(peer.requests) == 4
    assert store.host_pauses() == []


# -- reset ----------------------------------------------------------------------------------------


def test_reset_stops_pending_messages(make_app: Callable[..., Flask]) -> None:
    peer = Peer(default=(500, {}, ""))
    app = make_app(peer, profiles=users(3))
    store = backend_of(app).campaigns
    store.send(campaign(app, rate_per_minute=10))
    scheduler_of(app).advance(0)
    app.extensions["mock"].reset()
    scheduler_of(app).run_until_idle()
    assert len(peer.requests) == 1
    assert store.list() == []
    assert store.activity_log() == []


@pytest.mark.parametrize("name", ["A\x00B", "A\x1bB", "A\x7fB"])
def test_a_header_value_with_a_control_character_is_never_sent(
    make_app: Callable[..., Flask], name: str
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "p", "first_name": name}])
    (message,) = send_all(app, headers={"X-Name": "{{${first_name}}}"}).messages
    assert message.state == "render_error"
    assert f"headers.X-Name: the rendered value has the control character U+{ord(name[1]):04X}" in (
        message.error or ""
    )
    assert peer.requests == []


def test_a_tab_in_a_header_value_is_sent(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=[{"external_id": "p", "first_name": "A\tB"}])
    (message,) = send_all(app, headers={"X-Name": "{{${first_name}}}"}).messages
    assert message.state == "delivered"
