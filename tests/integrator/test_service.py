"""The integrator's service against SEEN and Braze, in-process and over live HTTP alike."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from seen_braze_harness.harness.handles import MocksHandle
from seen_braze_harness.harness.sandbox import Sandbox, current, seen_braze
from tests.integrator import service

RENDER_SECONDS = 30  # the SEEN mock's render delay (mocks/seen/settings.py)
ADA = {"external_id": "ada", "first_name": "Ada", "email": "ada@example.com"}


def send_ada(mocks: MocksHandle) -> tuple[dict[str, Any], dict[str, Any]]:
    """Seed Ada in Braze and ask SEEN for her video, as the service does."""
    ada = mocks.braze.seed_profile(ADA)
    user = {"first_name": "Ada", "email": "ada@example.com", "customer_id": ada["braze_id"]}
    [receiver] = service.create_receivers(
        [user], campaign=mocks.seen.default_slug, token=mocks.seen.token, base_url=mocks.seen.url
    )
    return ada, receiver


def test_receivers_are_created(mocks: MocksHandle) -> None:
    ada, receiver = send_ada(mocks)
    assert receiver["customer_id"] == ada["braze_id"]
    mocks.assert_called("seen.receivers", times=1, status=201)
    [stored] = mocks.seen.receivers()
    assert stored["id"] == receiver["id"]
    assert stored["state"] == "accepted"


def test_a_wrong_token_is_refused(mocks: MocksHandle) -> None:
    with pytest.raises(requests.HTTPError, match="401"):
        service.create_receivers(
            [{"first_name": "Ada"}],
            campaign=mocks.seen.default_slug,
            token="wrong",
            base_url=mocks.seen.url,
        )
    mocks.assert_called("seen.receivers", times=1, status=401)


def test_the_callback_reaches_the_handler_and_the_links_reach_braze(mocks: MocksHandle) -> None:
    app = service.create_app(braze_api_key=mocks.braze.api_key, braze_url=mocks.braze.url)
    mocks.seen.update_campaign(callback_url=f"{mocks.serve(app)}/seen-callback")
    ada, _ = send_ada(mocks)

    mocks.advance(RENDER_SECONDS - 1)
    mocks.assert_called("seen.callback", times=0)
    mocks.advance(1)

    mocks.assert_called("seen.callback", times=1, status=200)
    mocks.assert_called("braze.users_track", times=1, status=201)
    [receiver] = mocks.seen.receivers()
    assert receiver["state"] == "callback_delivered"
    links = receiver["links"]
    attributes = mocks.braze.profile(ada["braze_id"])["custom_attributes"]
    assert attributes == {
        "landing_page_url": links["landing_page_url"],
        "email_thumbnail_url": links["email_thumbnail_url"],
    }


def test_seen_retries_a_handler_that_fails(mocks: MocksHandle) -> None:
    app = service.create_app(braze_api_key="not-a-key", braze_url=mocks.braze.url)
    mocks.seen.update_campaign(callback_url=f"{mocks.serve(app)}/seen-callback")
    ada, _ = send_ada(mocks)

    mocks.advance(RENDER_SECONDS + 2 * 60)  # the render, then SEEN's 2 retries 60 s apart

    mocks.assert_called("seen.callback", times=3, status=502)
    mocks.assert_called("braze.users_track", times=3, status=401)
    assert mocks.seen.receivers()[0]["state"] == "callback_failed"
    assert mocks.braze.profile(ada["braze_id"])["custom_attributes"] == {}


def test_the_callback_can_go_to_a_data_transformation_instead(mocks: MocksHandle) -> None:
    mocks.seen.update_campaign(callback_url=mocks.braze.transformation().webhook_url)
    ada, _ = send_ada(mocks)

    mocks.advance(RENDER_SECONDS)

    mocks.assert_called("braze.transformation_webhook", times=1, status=201)
    mocks.assert_called("braze.transformation_delivery", times=1, status=201)
    links = mocks.seen.receivers()[0]["links"]
    profile = mocks.braze.profile(ada["braze_id"])
    assert profile["custom_attributes"]["landing_page_url"] == links["landing_page_url"]


# -- in-process only: the service's own defaults are the real hostnames ----------------------


def test_the_service_runs_unchanged_against_the_real_hostnames(seen_braze: Sandbox) -> None:
    app = service.create_app(braze_api_key=seen_braze.braze.api_key)
    seen_braze.serve("my-service.example", app)
    seen_braze.seen.update_campaign(callback_url="https://my-service.example/seen-callback")
    ada = seen_braze.braze.seed_profile(ADA)

    service.create_receivers(
        [{"first_name": "Ada", "customer_id": ada["braze_id"]}],
        campaign="onboarding",
        token=seen_braze.seen.token,
    )
    seen_braze.clock.run_until_idle()

    [track] = seen_braze.assert_called("braze.users_track", times=1, status=201)
    assert track.url == "https://rest.iad-01.braze.com/users/track"
    profile = seen_braze.braze.profile(braze_id=ada["braze_id"])
    assert profile["custom_attributes"]["landing_page_url"].startswith("https://")


@pytest.mark.seen_braze(braze_settings={"api_keys": {"eu-key": ["users.track"]}})
def test_an_eu_instance_is_served_too(seen_braze: Sandbox) -> None:
    app = service.create_app(braze_api_key="eu-key", braze_url="https://rest.fra-02.braze.eu")
    seen_braze.serve("my-service.example", app)
    seen_braze.seen.update_campaign(callback_url="https://my-service.example/seen-callback")
    ada = seen_braze.braze.seed_profile(ADA)
    service.create_receivers(
        [{"first_name": "Ada", "customer_id": ada["braze_id"]}],
        campaign="onboarding",
        token=seen_braze.seen.token,
    )
    seen_braze.clock.advance(RENDER_SECONDS)

    [track] = seen_braze.assert_called("braze.users_track", status=201)
    assert track.url == "https://rest.fra-02.braze.eu/users/track"


def test_a_host_outside_the_sandbox_is_refused_by_name(seen_braze: Sandbox) -> None:
    with pytest.raises(requests.ConnectionError, match=r"no mock serves 'api\.seen\.com'"):
        service.create_receivers(
            [{"first_name": "Ada"}],
            campaign="onboarding",
            token=seen_braze.seen.token,
            base_url="https://api.seen.com",
        )


@seen_braze()
def test_the_decorator_gives_each_call_fresh_mocks() -> None:
    sb = current()
    service.create_receivers([{"first_name": "Ada"}], campaign="onboarding", token=sb.seen.token)
    assert len(sb.seen.receivers()) == 1
