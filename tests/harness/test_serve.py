"""`seen-braze serve` as a user runs it: a real HTTP server on an ephemeral loopback port."""

from __future__ import annotations

import socket
import subprocess
import textwrap
from pathlib import Path

import pytest
import requests

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
