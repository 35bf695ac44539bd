"""In-process mode: fresh SEEN and Braze mocks behind the services' real hostnames."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask, jsonify, request

from seen_braze_harness.harness.network import UnroutedHost
from seen_braze_harness.harness.sandbox import (
    BRAZE_HOSTS,
    CallView,
    Sandbox,
    current,
    explain_calls,
    seen_braze,
)
from seen_braze_harness.harness.server import MockServer

RECEIVERS = "https://api.seen.io/v1/campaigns/onboarding/receivers/"


# -- the README's examples --------------------------------------------------------------------


def test_readme_receivers_in_process() -> None:
    with seen_braze() as sb:
        answer = requests.post(
            "https://api.seen.io/v1/campaigns/onboarding/receivers/",
            json=[{"first_name": "Ada", "customer_id": "b-1"}],
            headers={"Authorization": f"Token {sb.seen.token}"},
            timeout=10,
        )
        assert answer.status_code == 201
        sb.assert_called("seen.receivers", times=1, status=201)
        assert sb.seen.receivers()[0]["state"] == "accepted"


def test_readme_links_reach_the_profile() -> None:
    with seen_braze() as sb:
        ada = sb.braze.seed_profile({"external_id": "ada", "first_name": "Ada"})
        transformation = sb.braze.transformation()  # the documented JavaScript
        sb.seen.update_campaign(callback_url=transformation.webhook_url)
        requests.post(
            "https://api.seen.io/v1/campaigns/onboarding/receivers/",
            json=[{"first_name": "Ada", "customer_id": ada["braze_id"]}],
            headers={"Authorization": f"Token {sb.seen.token}"},
            timeout=10,
        )
        sb.clock.advance(30)  # SEEN renders the video and calls back
        profile = sb.braze.profile(external_id="ada")
        assert profile["custom_attributes"]["landing_page_url"].startswith("https://play.seen.io/")
        assert transformation.logs[0]["destination"]["status"] == 201


def test_readme_your_callback_handler() -> None:
    app = Flask("my-service")
    received: list[dict[str, str]] = []

    @app.post("/seen-callback")
    def seen_callback() -> dict[str, bool]:
        received.append(request.get_json())
        return {"ok": True}

    with seen_braze() as sb:
        sb.serve("my-service.example", app)
        sb.seen.update_campaign(callback_url="https://my-service.example/seen-callback")
        requests.post(
            "https://api.seen.io/v1/campaigns/onboarding/receivers/",
            json=[{"first_name": "Ada", "customer_id": "b-1"}],
            headers={"Authorization": f"Token {sb.seen.token}"},
            timeout=10,
        )
        sb.clock.run_until_idle()
        assert received[0]["customer_id"] == "b-1"
        sb.assert_schema("seen/callback", received[0])


def test_readme_readable_failures() -> None:
    with seen_braze() as sb:
        with pytest.raises(requests.ConnectionError, match=r"no mock serves 'api\.seen\.com'"):
            requests.get("https://api.seen.com/v1/", timeout=10)
        with pytest.raises(AssertionError, match=r"similar hop names:\n    seen\.callback"):
            sb.assert_called("seen.calback")
        with pytest.raises(AssertionError, match=r"/0/email: .* \(rule: pattern\)"):
            sb.assert_schema("seen/receivers-request", [{"first_name": "Ada", "email": "ada"}])


# -- the network ------------------------------------------------------------------------------


def post_receivers(sb: Sandbox, body: object = None, url: str = RECEIVERS) -> requests.Response:
    return requests.post(
        url,
        json=body if body is not None else [{"first_name": "Ada", "customer_id": "b-1"}],
        headers={"Authorization": f"Token {sb.seen.token}"},
        timeout=10,
    )


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with seen_braze() as sandbox:
        yield sandbox


@pytest.mark.parametrize("host", BRAZE_HOSTS)
def test_every_braze_rest_host_is_served(sb: Sandbox, host: str) -> None:
    answer = requests.post(
        f"https://{host}/users/track",
        json={"attributes": [{"external_id": "u1", "first_name": "Ada"}]},
        headers={"Authorization": f"Bearer {sb.braze.api_key}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    assert sb.braze.profile(external_id="u1")["first_name"] == "Ada"


def test_the_reference_lists_fifteen_braze_hosts() -> None:
    assert len(BRAZE_HOSTS) == len(set(BRAZE_HOSTS)) == 15
    assert BRAZE_HOSTS[0] == "rest.iad-01.braze.com" and "rest.kr-01.braze.com" in BRAZE_HOSTS


def test_another_host_is_refused_with_what_is_served(sb: Sandbox) -> None:
    with pytest.raises(requests.ConnectionError) as failure:
        requests.get("https://example.org/path", timeout=10)
    message = str(failure.value)
    assert "no mock serves 'example.org'" in message
    assert "api.seen.io" in message and "passthrough: none" in message
    assert "sb.serve('example.org', app)" in message


def test_passthrough_lets_a_local_server_through() -> None:
    app = Flask("local")
    app.add_url_rule("/ping", "ping", lambda: "pong")
    with MockServer(app) as server, seen_braze(passthrough=[server.url]) as sb:
        assert requests.get(f"{server.url}/ping", timeout=10).text == "pong"
        post_receivers(sb)
        sb.assert_called("seen.receivers", times=1)
    with MockServer(app) as server, seen_braze(), pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/ping", timeout=10)


def test_interception_ends_with_the_block() -> None:
    with seen_braze() as sb:
        assert post_receivers(sb).status_code == 201
    with pytest.raises(requests.ConnectionError) as failure:
        requests.post(RECEIVERS, json=[], timeout=10)
    assert "no mock serves" not in str(failure.value)  # the real network (refused in tests)
    with pytest.raises(RuntimeError, match="not active"):
        sb.seen  # noqa: B018


def test_served_hosts_may_not_shadow_the_mocks(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="served by the seen mock"):
        sb.serve("api.seen.io", Flask("x"))
    with pytest.raises(ValueError, match="served by the braze mock"):
        sb.serve("rest.fra-01.braze.eu", Flask("x"))


def test_a_served_app_sees_the_request_and_keeps_serving_after_reset(sb: Sandbox) -> None:
    app = Flask("svc")
    app.add_url_rule(
        "/echo", "echo", lambda: jsonify(host=request.host, q=request.args["q"]), methods=["GET"]
    )
    assert sb.serve("svc.example", app) == "https://svc.example"
    assert requests.get("https://svc.example/echo?q=1", timeout=10).json() == {
        "host": "svc.example",
        "q": "1",
    }
    sb.reset()
    assert requests.get("https://SVC.example:443/echo?q=2", timeout=10).json()["q"] == "2"


# -- the handle -------------------------------------------------------------------------------


def test_the_journal_spans_both_mocks_in_time_order(sb: Sandbox) -> None:
    sb.seen.update_campaign(callback_url=sb.braze.transformation().webhook_url)
    post_receivers(sb)
    sb.clock.advance(30)
    assert [e.hop for e in sb.journal()] == [
        "seen.receivers",
        "seen.callback",
        "braze.transformation_webhook",
        "braze.transformation_delivery",
    ]
    assert [e.hop for e in sb.journal(hop="braze.*")] == [
        "braze.transformation_webhook",
        "braze.transformation_delivery",
    ]
    assert [e.service for e in sb.journal(service="seen", status="2xx")] == ["seen", "seen"]
    times = [e.time for e in sb.journal()]
    assert times[1] - times[0] == 30


def test_the_clock_moves_only_when_told(sb: Sandbox) -> None:
    start = sb.clock.now()
    post_receivers(sb)
    assert sb.clock.pending() == ["seen.render"]
    assert sb.clock.advance(29) == 0 and sb.clock.now() == start + 29
    assert sb.clock.run_until_idle() >= 1
    assert sb.seen.receivers()[0]["state"] == "rendered"
    assert sb.clock.pending() == [] and sb.clock.errors == []


def test_faults_act_on_their_hop(sb: Sandbox) -> None:
    sb.faults("seen").add({"hop": "seen.receivers", "status": 503, "times": 1})
    assert post_receivers(sb).status_code == 503
    assert post_receivers(sb).status_code == 201
    sb.assert_called("seen.receivers", times=1, status=503)
    with pytest.raises(ValueError, match="'seen' or 'braze'"):
        sb.faults("mailgun")


def test_reset_returns_to_the_scenario(sb: Sandbox) -> None:
    sb.braze.seed_profile({"external_id": "u1"})
    sb.braze.transformation()
    sb.faults("seen").add({"hop": "seen.receivers", "status": 500})
    post_receivers(sb)
    sb.reset()
    assert sb.journal() == [] and sb.seen.receivers() == [] and sb.braze.profiles() == []
    assert sb.braze.transformation_logs() == [] and sb.clock.pending() == []
    assert post_receivers(sb).status_code == 201


def test_facades_show_the_admin_views(sb: Sandbox) -> None:
    assert sb.seen.campaign()["slug"] == "onboarding"
    assert sb.seen.campaign("onboarding")["token"] == sb.seen.token
    with pytest.raises(AssertionError, match="no SEEN campaign 'spring'; known campaigns: onb"):
        sb.seen.campaign("spring")
    assert sb.seen.backend is not None and sb.braze.backend is not None
    made = sb.braze.transformation("return payload;", destination="send-messages", name="raw")
    assert made.webhook_url.startswith("https://rest.iad-01.braze.com/transformations/")
    assert made.to_dict()["destination"] == "send-messages" and made.logs == []
    with pytest.raises(ValueError, match="destination: must be one of"):
        sb.braze.transformation("return 1;", destination="nowhere")


def test_a_missing_profile_lists_the_known_ones(sb: Sandbox) -> None:
    known = sb.braze.seed_profile({"external_id": "ada"})
    with pytest.raises(AssertionError) as failure:
        sb.braze.profile(external_id="grace")
    assert str(failure.value) == (
        f"no Braze profile with external_id 'grace'; known profiles: "
        f"{known['braze_id']} (external_id 'ada')"
    )
    sb.reset()
    with pytest.raises(AssertionError, match="known profiles: none"):
        sb.braze.profile(braze_id="0" * 24)
    with pytest.raises(TypeError):
        sb.braze.profile()


def test_assert_called_returns_the_exchanges_and_explains_misses(sb: Sandbox) -> None:
    post_receivers(sb)
    post_receivers(sb, body=[{"email": "not-an-email"}])
    [created] = sb.assert_called("seen.receivers", status=201)
    assert created.response_json[0]["first_name"] == "Ada"
    assert len(sb.assert_called("seen.receivers", times=1, status="4xx")) == 1
    with pytest.raises(AssertionError) as failure:
        sb.assert_called("seen.receivers", times=3)
    text = str(failure.value)
    assert text.startswith("expected 3 call(s) to hop 'seen.receivers', found 2")
    assert "matching exchanges:" in text and "-> 400 (t+0s)" in text


def test_assert_called_lists_the_same_hop_with_other_statuses(sb: Sandbox) -> None:
    post_receivers(sb, body=[{"email": "x"}])
    with pytest.raises(AssertionError) as failure:
        sb.assert_called("seen.receivers", status=201)
    assert "same hop, other statuses:\n    [seen] seen.receivers POST" in str(failure.value)


def test_an_empty_journal_says_why_it_may_be_empty(sb: Sandbox) -> None:
    with pytest.raises(AssertionError, match="no exchanges were recorded"):
        sb.assert_called("seen.callback")


def test_explain_calls_works_on_admin_api_exchanges() -> None:
    exchange = {
        "service": "seen",
        "hop": "seen.callback",
        "time": 100.0,
        "request": {"method": "POST", "url": "http://127.0.0.1:9/cb"},
        "response": None,
        "error": "connection refused",
    }
    view = CallView.from_dict(exchange)
    assert explain_calls("seen.callback", [view]) is None
    message = explain_calls("seen.callback", [view], status=200)
    assert message is not None
    assert "-> no answer (connection refused) (t+0s)" in message


def test_assert_schema_passes_quietly_on_a_valid_instance(sb: Sandbox) -> None:
    sb.assert_schema("seen/receivers-request", [{"first_name": "Ada"}])
    with pytest.raises(KeyError, match="no schema 'seen/nothing'"):
        sb.assert_schema("seen/nothing", {})


# -- options and lifecycle ---------------------------------------------------------------------


def test_a_scenario_file_sets_the_campaign(tmp_path: Path) -> None:
    path = tmp_path / "spring.toml"
    path.write_text(
        '[scenario]\nname = "spring"\n'
        '[seen.campaign]\nslug = "spring"\ntoken = "0123456789abcdef0123456789abcdef01234567"\n',
        "utf-8",
    )
    with seen_braze(path) as sb:
        assert sb.seen.token == "0123456789abcdef0123456789abcdef01234567"
        answer = post_receivers(sb, url=sb.seen.receivers_url())
        assert answer.status_code == 201
        assert sb.seen.receivers("spring")[0]["campaign_slug"] == "spring"


def test_settings_override_the_scenario() -> None:
    with seen_braze(seen_settings={"render_seconds": 5}) as sb:
        post_receivers(sb)
        sb.clock.advance(5)
        assert sb.seen.receivers()[0]["state"] == "rendered"


def test_a_real_clock_runs_the_work_in_the_background() -> None:
    import time

    with seen_braze(clock="real", seen_settings={"render_seconds": 0.05}) as sb:
        post_receivers(sb)
        deadline = time.monotonic() + 10
        while sb.seen.receivers()[0]["state"] != "rendered" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sb.seen.receivers()[0]["state"] == "rendered"


def test_a_bad_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="clock must be one of virtual, real"):
        seen_braze(clock="frozen")


def test_an_active_sandbox_cannot_be_entered_twice(sb: Sandbox) -> None:
    with pytest.raises(RuntimeError, match="active already"):
        sb.__enter__()
    assert current() is sb


def test_current_needs_an_active_sandbox() -> None:
    with pytest.raises(RuntimeError, match="no seen_braze"):
        current()


decorated = seen_braze()


@decorated
def send_one() -> int:
    sb = current()
    assert sb is not decorated  # each call has a sandbox of its own
    post_receivers(sb)
    return len(sb.seen.receivers())


def test_the_decorator_builds_fresh_mocks_per_call() -> None:
    assert send_one() == 1
    assert send_one() == 1
    assert not decorated.active


@seen_braze()
def countdown(n: int) -> int:
    post_receivers(current())
    return len(current().seen.receivers()) + (countdown(n - 1) if n else 0)


def test_a_decorated_function_may_call_itself() -> None:
    assert countdown(2) == 3  # three nested sandboxes, one receiver each


def test_calls_from_two_threads_leave_nothing_intercepted() -> None:
    import threading

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(send_one())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1, 1, 1, 1]
    with pytest.raises(RuntimeError, match="no seen_braze"):
        current()


@pytest.mark.parametrize("passthrough", ["http://localhost:1", re.compile(r"http://localhost:1/")])
def test_one_passthrough_prefix_is_one_prefix(passthrough: object) -> None:
    with seen_braze(passthrough=passthrough) as sb:  # type: ignore[arg-type]
        assert len(sb.passthrough) == 1
        with pytest.raises(UnroutedHost, match="outside the sandbox"):
            requests.get("https://no-such-host.invalid/secret", timeout=5)


def test_a_passthrough_that_is_not_a_prefix_is_refused() -> None:
    with pytest.raises(TypeError, match="passthrough"):
        seen_braze(passthrough=[7])  # type: ignore[list-item]


def test_an_app_served_without_a_host_gets_one_of_its_own(sb: Sandbox) -> None:
    first = Flask("first")
    first.add_url_rule("/hello", "hello", lambda: "first")
    second = Flask("second")
    second.add_url_rule("/hello", "hello", lambda: "second")
    assert sb.serve(first) == "https://app-1.test"
    assert sb.serve(second) == "https://app-2.test"
    assert requests.get("https://app-2.test/hello", timeout=5).text == "second"
    with pytest.raises(TypeError, match="the app is missing"):
        sb.serve("only-a-host.example")


def test_advance_moves_the_shared_clock_and_runs_what_falls_due(sb: Sandbox) -> None:
    requests.post(
        sb.seen.receivers_url(),
        json=[{"first_name": "Ada"}],
        headers={"Authorization": f"Token {sb.seen.token}"},
        timeout=5,
    )
    before = sb.clock.now()
    assert sb.advance(30) >= 1  # the render ran
    assert sb.clock.now() == before + 30
    assert sb.seen.receivers()[0]["state"] == "rendered"


@pytest.mark.parametrize("host", ["rest.iad-01.braze.com", "rest.fra-02.braze.eu"])
def test_a_transformations_delivery_is_journaled_at_the_instance_its_webhook_came_to(
    sb: Sandbox, host: str
) -> None:
    made = sb.braze.transformation()
    webhook = made.webhook_url.replace(sb.braze.url, f"https://{host}")
    ada = sb.braze.seed_profile({"external_id": "ada"})
    answer = requests.post(
        webhook, json={"customer_id": ada["braze_id"], "landing_page_url": "https://x.io/a"}
    )
    assert answer.status_code == 201
    sb.clock.run_until_idle()
    [delivery] = sb.assert_called("braze.transformation_delivery", times=1, status=201)
    assert delivery.url == f"https://{host}/users/track"
