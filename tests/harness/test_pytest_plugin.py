"""The pytest plugin: its fixtures used directly, and in fresh pytest runs (pytester)."""

from __future__ import annotations

import re

import pytest
import requests

from seen_braze_harness.harness.live import LiveMocks
from seen_braze_harness.harness.sandbox import BrazeMock, MockClock, Sandbox, SeenMock
from tests.test_readme import blocks

pytest_plugins = ["pytester"]


# -- the README's examples --------------------------------------------------------------------


def test_the_readmes_fixture_examples_pass_as_written(pytester: pytest.Pytester) -> None:
    """The README's examples that take the plugin's fixtures, run verbatim in a fresh suite."""
    examples = [b for b in blocks("python") if re.search(r"def test_\w+\(\s*\w", b)]
    assert len(examples) >= 2
    for index, source in enumerate(examples):
        pytester.makepyfile(**{f"test_readme_{index}": source})
    result = pytester.runpytest("-p", "no:cacheprovider")
    both = 'params=["seen_braze", "seen_braze_server"]'  # one test body, run on both handles
    tests = sum(
        len(re.findall(r"^def test_", b, re.MULTILINE)) * (2 if both in b else 1) for b in examples
    )
    result.assert_outcomes(passed=tests)
    assert tests > len(examples)


# -- direct use -------------------------------------------------------------------------------


def test_the_in_process_fixtures_are_one_sandbox(
    seen_braze: Sandbox, seen_mock: SeenMock, braze_mock: BrazeMock, mock_clock: MockClock
) -> None:
    assert seen_mock is seen_braze.seen and braze_mock is seen_braze.braze
    assert mock_clock.now() == seen_braze.clock.now()
    assert seen_braze.active and seen_braze.journal() == []


@pytest.mark.seen_braze(seen_settings={"render_seconds": 2})
def test_the_marker_sets_the_sandbox_options(seen_braze: Sandbox, mock_clock: MockClock) -> None:
    requests.post(
        seen_braze.seen.receivers_url(),
        json=[{"first_name": "Ada"}],
        headers={"Authorization": f"Token {seen_braze.seen.token}"},
        timeout=10,
    )
    mock_clock.advance(2)
    assert seen_braze.seen.receivers()[0]["state"] == "rendered"


def test_the_live_servers_answer_on_loopback(seen_braze_server: LiveMocks) -> None:
    assert seen_braze_server.seen_url.startswith("http://127.0.0.1:")
    assert seen_braze_server.braze_url != seen_braze_server.seen_url
    health = requests.get(f"{seen_braze_server.braze_url}/_mock/health", timeout=10).json()
    assert health == {"status": "ok", "service": "braze"}
    assert seen_braze_server.journal() == []  # reset before the test


def test_the_live_servers_run_the_whole_chain(seen_braze_server: LiveMocks) -> None:
    live = seen_braze_server
    ada = live.seed_profile({"external_id": "ada", "first_name": "Ada"})
    live.update_campaign(callback_url=live.transformation()["webhook_url"])
    requests.post(
        live.receivers_url(),
        json=[{"first_name": "Ada", "customer_id": ada["braze_id"]}],
        headers={"Authorization": f"Token {live.token}"},
        timeout=10,
    )
    live.advance(30)
    [delivery] = live.assert_called("braze.transformation_delivery", times=1, status=201)
    assert delivery["request"]["body"]["json"]["attributes"][0]["braze_id"] == ada["braze_id"]
    links = live.receivers()[0]["links"]
    profile = live.profile(braze_id=ada["braze_id"])
    assert profile["custom_attributes"]["landing_page_url"] == links["landing_page_url"]
    assert [e["hop"] for e in live.journal(service="seen")] == ["seen.receivers", "seen.callback"]


def test_live_failures_read_like_in_process_ones(seen_braze_server: LiveMocks) -> None:
    with pytest.raises(AssertionError, match=r"similar hop names:\n    seen\.receivers: none"):
        seen_braze_server.assert_called("seen.receiver")
    with pytest.raises(AssertionError, match=r"no Braze profile with .*known profiles: none"):
        seen_braze_server.profile(external_id="ghost")
    with pytest.raises(AssertionError, match=r"PATCH .*/_mock/campaigns/spring answered 404"):
        seen_braze_server.update_campaign("spring", callback_url="http://127.0.0.1:9/")
    with pytest.raises(TypeError):
        seen_braze_server.profile()


# -- in fresh pytest runs ----------------------------------------------------------------------


def test_a_suite_uses_every_in_process_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests

        def post(sb):
            return requests.post(
                "https://api.seen.io/v1/campaigns/onboarding/receivers/",
                json=[{"first_name": "Ada"}],
                headers={"Authorization": f"Token {sb.seen.token}"},
                timeout=10,
            )

        def test_one(seen_braze, seen_mock, braze_mock, mock_clock):
            assert post(seen_braze).status_code == 201
            mock_clock.advance(30)
            assert seen_mock.receivers()[0]["state"] == "rendered"
            assert braze_mock.api_key

        def test_fresh_per_test(seen_braze):
            assert seen_braze.seen.receivers() == []

        @pytest.mark.seen_braze(passthrough=["http://127.0.0.1:9"])
        def test_marker(seen_braze):
            assert seen_braze.passthrough == ("http://127.0.0.1:9",)

        def test_failure_is_readable(seen_braze):
            post(seen_braze)
            seen_braze.assert_called("seen.callback", times=1)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected 1 call(s) to hop 'seen.callback', found 0",
            "*last 1 of 1 exchange(s):",
            "*[[]seen[]] seen.receivers POST https://api.seen.io/*-> 201 (t+0s)",
        ]
    )


def test_a_suite_shares_the_live_servers_and_resets_them(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def seen_braze_server_scenario(tmp_path_factory):
            path = tmp_path_factory.mktemp("scenario") / "spring.toml"
            path.write_text(
                '[scenario]\\nname = "spring"\\n[seen.campaign]\\nslug = "spring"\\n'
                'token = "0123456789abcdef0123456789abcdef01234567"\\n'
            )
            return path
        """
    )
    pytester.makepyfile(
        """
        import requests

        URLS = []

        def post(live):
            return requests.post(
                live.receivers_url(),
                json=[{"first_name": "Ada"}],
                headers={"Authorization": f"Token {live.token}"},
                timeout=10,
            )

        def test_first(seen_braze_server):
            URLS.append(seen_braze_server.seen_url)
            assert seen_braze_server.slug == "spring"
            assert post(seen_braze_server).status_code == 201
            seen_braze_server.assert_called("seen.receivers", times=1)

        def test_second(seen_braze_server):
            assert URLS == [seen_braze_server.seen_url]  # one server for the session
            assert seen_braze_server.receivers() == []  # reset between tests
            assert post(seen_braze_server).json()[0]["id"] == 1
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_plugin_is_registered_by_its_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        ["*seen_braze -- *pytest_plugin.py*", "*seen_braze_server -- *pytest_plugin.py*"]
    )
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.seen_braze(**options)*"])


def test_the_sandbox_and_the_live_servers_work_in_one_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_both(seen_braze, seen_braze_server):
            seen_braze_server.reset()  # admin calls to loopback get through the sandbox
            live = requests.post(
                f"{seen_braze_server.seen_url}/v1/campaigns/onboarding/receivers/",
                json=[{"first_name": "Ada"}],
                headers={"Authorization": f"Token {seen_braze_server.token}"},
                timeout=10,
            )
            mocked = requests.post(
                "https://api.seen.io/v1/campaigns/onboarding/receivers/",
                json=[{"first_name": "Bea"}],
                headers={"Authorization": f"Token {seen_braze.seen.token}"},
                timeout=10,
            )
            assert live.status_code == mocked.status_code == 201
            assert [r["fields"]["first_name"] for r in seen_braze.seen.receivers()] == ["Bea"]
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_live_handles_answer_as_the_sandboxs_do(seen_braze_server: LiveMocks) -> None:
    """`.seen` and `.braze` of the live servers have the sandbox's shapes (handles.py)."""
    live = seen_braze_server
    assert live.seen.campaign()["slug"] == live.seen.default_slug == live.slug
    ada = live.braze.seed_profile({"external_id": "ada", "first_name": "Ada"})
    assert [p["braze_id"] for p in live.braze.profiles()] == [ada["braze_id"]]
    made = live.braze.transformation()
    assert made.webhook_url.startswith(live.braze_url) and made.to_dict()["id"] == made.id
    live.seen.update_campaign(callback_url=made.webhook_url)
    requests.post(
        live.seen.receivers_url(),
        json=[{"first_name": "Ada", "customer_id": ada["braze_id"]}],
        headers={"Authorization": f"Token {live.seen.token}"},
        timeout=10,
    )
    live.advance(30)
    [run] = made.logs
    assert run["transformation_id"] == made.id and run["error"] is None
    assert live.braze.transformation_logs(made.id) == [run]
    assert live.braze.profile(external_id="ada")["custom_attributes"]["landing_page_url"]
