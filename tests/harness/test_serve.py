"""`seen-braze serve` as a user runs it: a real HTTP server on an ephemeral loopback port."""

from __future__ import annotations

import json
import socket
import subprocess
import textwrap
from importlib.metadata import version
from pathlib import Path

import pytest
import requests
from flask import Flask
from waitress.channel import HTTPChannel

from seen_braze_harness.harness.server import MockServer
from tests.servekit import ServeProcess, seen_braze_command

pytestmark = pytest.mark.server

TOKEN = "5eeb5eeb0123456789abcdef0123456789abcdef"


def test_serves_the_default_scenario_and_stops_on_ctrl_c() -> None:
    with ServeProcess() as served:
        assert "  campaign     onboarding" in served.lines
        assert f"  token        {TOKEN}" in served.lines
        health = requests.get(f"{served.url}/_mock/health", timeout=5)
        assert health.json() == {"status": "ok", "service": "seen"}
        created = requests.post(
            f"{served.url}/v1/campaigns/onboarding/receivers",
            json=[{"first_name": "Ada", "customer_id": "b1"}],
            headers={"Authorization": f"Token {TOKEN}"},
            timeout=5,
        )
        assert created.status_code == 201
        assert created.json() == [{"id": 1, "first_name": "Ada", "customer_id": "b1"}]
        assert created.reason == "Created"
        journal = requests.get(f"{served.url}/_mock/journal", timeout=5).json()
        assert journal["count"] == 1
    assert served.returncode == 0
    assert served.tail.strip() == "stopped"


def test_a_dropped_connection_is_a_connection_error_and_the_server_keeps_serving() -> None:
    with ServeProcess() as served:
        rule = {"hop": "seen.receivers", "drop": True, "times": 1}
        assert requests.post(f"{served.url}/_mock/faults", json=rule, timeout=5).status_code == 201
        session = requests.Session()
        url = f"{served.url}/v1/campaigns/onboarding/receivers/"
        headers = {"Authorization": f"Token {TOKEN}"}
        with pytest.raises(requests.ConnectionError):
            session.post(url, json=[{"first_name": "Ada"}], headers=headers, timeout=5)
        again = session.post(url, json=[{"first_name": "Ada"}], headers=headers, timeout=5)
        assert again.status_code == 201
        exchanges = requests.get(f"{served.url}/_mock/journal", timeout=5).json()["exchanges"]
        assert next((e["response"], e["error"]) for e in exchanges) == (
            None,
            "connection dropped (fault)",
        )


def test_callbacks_reach_a_real_http_receiver() -> None:
    with ServeProcess() as receiver, ServeProcess() as seen:
        # one mock's unmatched endpoint stands in for the callback receiver: it answers 404,
        # so SEEN retries; what matters is that the POSTs arrive over real HTTP
        callback_url = f"{receiver.url}/webhook"
        patched = requests.patch(
            f"{seen.url}/_mock/campaigns/onboarding",
            json={"callback_url": callback_url},
            timeout=5,
        )
        assert patched.status_code == 200
        requests.post(
            f"{seen.url}/v1/campaigns/onboarding/receivers/",
            json=[{"first_name": "Ada", "customer_id": "b7"}],
            headers={"Authorization": f"Token {TOKEN}"},
            timeout=5,
        )
        for step in (30, 60, 60):
            requests.post(f"{seen.url}/_mock/clock", json={"advance": step}, timeout=5)
        # advancing runs the due work before it answers: the three attempts are done
        arrived = requests.get(f"{receiver.url}/_mock/journal?hop=seen.unmatched", timeout=5)
        assert arrived.json()["count"] == 3
        body = arrived.json()["exchanges"][0]["request"]["body"]["json"]
        assert body["customer_id"] == "b7" and body["campaign_slug"] == "onboarding"
        state = requests.get(f"{seen.url}/_mock/receivers/1", timeout=5).json()
        assert state["state"] == "callback_failed"
        assert [a["status"] for a in state["callback"]["attempts"]] == [404, 404, 404]


def test_busy_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            seen_braze_command("serve", "--seen-port", str(port), "--braze-port", "0"),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert run.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr
    assert "--seen-port" in run.stderr


def test_bad_scenario_is_a_clear_error(tmp_path: Path) -> None:
    scenario = tmp_path / "broken.toml"
    scenario.write_text(
        textwrap.dedent(
            """
            [seen.campaign]
            slug = "onboarding"
            [seen.settings]
            rate_limit = "lots"
            """
        )
    )
    run = subprocess.run(
        seen_braze_command("serve", "--scenario", str(scenario), "--seen-port", "0"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 2
    assert "rate_limit" in run.stderr and str(scenario) in run.stderr


BRAZE_KEY = "b7a2e5c0-5eeb-4d1e-9a6f-0123456789ab"


def test_braze_users_track_over_http() -> None:
    with ServeProcess() as served:
        assert f"  api key      {BRAZE_KEY}" in served.lines
        response = requests.post(
            f"{served.braze_url}/users/track",
            json={"attributes": [{"external_id": "u1", "landing_page_url": "https://x.test/v/1/"}]},
            headers={"Authorization": f"Bearer {BRAZE_KEY}"},
            timeout=5,
        )
        assert response.status_code == 201
        assert response.json() == {"message": "success", "attributes_processed": 1}
        assert int(response.headers["X-RateLimit-Remaining"]) == 2999
        users = requests.get(f"{served.braze_url}/_mock/users?external_id=u1", timeout=5).json()
        assert users["users"][0]["custom_attributes"] == {"landing_page_url": "https://x.test/v/1/"}
        health = requests.get(f"{served.braze_url}/_mock/health", timeout=5).json()
        assert health == {"status": "ok", "service": "braze"}
    assert served.returncode == 0


def test_busy_braze_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            seen_braze_command("serve", "--seen-port", "0", "--braze-port", str(port)),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert run.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr and "--braze-port" in run.stderr


def test_seen_calls_back_into_a_transformation_over_http() -> None:
    """The whole chain after the webhook campaign, over real HTTP between two servers."""
    code = (
        "return {attributes: [{braze_id: payload.customer_id, _update_existing_only: true,"
        " landing_page_url: payload.landing_page_url}]}"
    )
    with ServeProcess() as served:
        braze, seen = served.braze_url, served.url
        user = requests.post(f"{braze}/_mock/users", json={"external_id": "u1"}, timeout=5)
        braze_id = user.json()["users"][0]["braze_id"]
        made = requests.post(
            f"{braze}/_mock/transformations",
            json={"name": "t", "code": code, "destination": "track-users", "active": True},
            timeout=5,
        ).json()
        requests.patch(
            f"{seen}/_mock/campaigns/onboarding",
            json={"callback_url": made["webhook_url"]},
            timeout=5,
        )
        requests.post(
            f"{seen}/v1/campaigns/onboarding/receivers/",
            json=[{"first_name": "Ada", "customer_id": braze_id}],
            headers={"Authorization": f"Token {TOKEN}"},
            timeout=5,
        )
        requests.post(f"{seen}/_mock/clock", json={"advance": 30}, timeout=30)
        requests.post(f"{braze}/_mock/clock", json={"advance": 0}, timeout=30)
        profile = requests.get(f"{braze}/_mock/users?braze_id={braze_id}", timeout=5).json()
        landing = profile["users"][0]["custom_attributes"]["landing_page_url"]
        assert landing.startswith("https://play.seen.io/v/")
        receiver = requests.get(f"{seen}/_mock/receivers/1", timeout=5).json()
        assert receiver["state"] == "callback_delivered"
        assert receiver["links"]["landing_page_url"] == landing


def exchange_raw(address: str, raw: bytes, timeout: float = 5) -> bytes:
    """Send `raw` on one connection and read until the server closes it (or `timeout` passes
    between two reads: then the answer ends in `<still open>`)."""
    host, _, port = address.rpartition(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(raw)
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except TimeoutError:
            answer += b"<still open>"
    return answer


def framed_twice(path: str, host: str, *headers: bytes) -> bytes:
    """A POST with both Content-Length and a chunked body that is itself a request, and that
    same request pipelined after it: the shape of a request smuggling attempt."""
    smuggled = b"GET /_mock/health HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n"
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(smuggled), smuggled)
    head = [b"POST " + path.encode() + b" HTTP/1.1", b"Host: " + host.encode(), *headers]
    head += [b"Content-Type: application/json", b"Content-Length: 4"]
    head += [b"Transfer-Encoding: chunked"]
    return b"\r\n".join(head) + b"\r\n\r\n" + chunked + smuggled


@pytest.mark.parametrize("mock", ["seen", "braze"])
def test_both_framing_headers_are_a_400_and_the_connection_closes(mock: str) -> None:
    """RFC 9112, 6.1: waitress 3.0.2 alone would frame it by its chunks and answer the
    smuggled request too (harness/server.py); the served mocks answer one 400, then close."""
    with ServeProcess() as served:
        url, address = (
            (served.url, served.address)
            if mock == "seen"
            else (served.braze_url, served.braze_address)
        )
        path, auth, key = (
            ("/v1/campaigns/onboarding/receivers/", f"Token {TOKEN}", "detail")
            if mock == "seen"
            else ("/users/track", f"Bearer {BRAZE_KEY}", "message")
        )
        answer = exchange_raw(
            address, framed_twice(path, address, b"Authorization: " + auth.encode())
        )
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer[:300]
        assert b"\r\nConnection: close\r\n" in head + b"\r\n"
        assert answer.count(b"HTTP/1.1 ") == 1 and not answer.endswith(b"<still open>")
        assert "both Content-Length and Transfer-Encoding" in json.loads(body)[key]
        journal = requests.get(f"{url}/_mock/journal", timeout=5).json()
        assert [e["response"]["status"] for e in journal["exchanges"]] == [400]

        admin = exchange_raw(address, framed_twice("/_mock/reset", address))
        head, _, body = admin.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n"), admin[:300]
        assert b"Content-Type: application/problem+json" in head
        assert admin.count(b"HTTP/1.1 ") == 1 and not admin.endswith(b"<still open>")
        assert json.loads(body)["rule"] == "message-framing"
        kept = requests.get(f"{url}/_mock/journal", timeout=5).json()
        assert kept["count"] == 1, "the refused reset reset nothing"


def test_one_framing_header_keeps_the_connection_open_over_seen_braze_serve() -> None:
    """A chunked request alone is served (by its chunks) on a connection that stays open."""
    with ServeProcess() as served:
        body = b'[{"first_name": "Ada"}]'
        raw = (
            b"POST /v1/campaigns/onboarding/receivers/ HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Token " + TOKEN.encode() + b"\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
            + b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        answer = exchange_raw(served.address, raw)
        assert answer.startswith(b"HTTP/1.1 201 Created\r\n"), answer[:300]
        assert answer.count(b"HTTP/1.1 ") == 2 and b'"status":"ok"' in answer


def test_waitress_alone_keeps_a_conflicting_connection_open() -> None:
    """The waitress bug harness/server.py works around (Pylons/waitress#464). When this fails,
    the installed waitress closes such a connection itself: see `_FramingParser` there for
    what to do."""
    app = Flask(__name__)
    app.add_url_rule("/<path:path>", view_func=lambda path: path, methods=["GET", "POST"])
    server = MockServer(app, threads=1)
    server._server.channel_class = HTTPChannel  # waitress's own, without the workaround
    with server:
        answer = exchange_raw(f"127.0.0.1:{server.port}", framed_twice("/first", "x"), timeout=1)
    # framed by its chunks, then the pipelined request answered on the same connection
    assert answer.count(b"HTTP/1.1 200 OK") == 2, (
        f"waitress {version('waitress')} no longer serves what follows a request with both "
        "Content-Length and Transfer-Encoding: the workaround in harness/server.py can go"
    )
