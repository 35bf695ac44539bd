"""Generated links: the formats seen in the wild, and the same links for the same inputs."""

from __future__ import annotations

import re
import uuid

import pytest

from seen_braze_harness.mocks.seen.links import video_links


def test_formats_match_the_real_ones() -> None:
    links = video_links("seed", "onboarding", 7)
    assert re.fullmatch(r"https://play\.seen\.io/v/[0-9A-Za-z]{5}/", links.landing_page_url)
    match = re.fullmatch(
        r"https://motions\.seen\.io/([0-9a-f-]{36})/([0-9a-f]{40})/output\.m3u8", links.video_url
    )
    assert match is not None
    assert uuid.UUID(match.group(1)).version == 4
    folder = links.video_url.removesuffix("output.m3u8")
    assert links.thumbnail_url == folder + "thumbnail.jpg"
    assert links.email_thumbnail_url == folder + "email_thumbnail.jpg"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("seed", "onboarding", 1), ("seed", "onboarding", 2)),
        (("seed", "onboarding", 1), ("seed", "welcome-film", 1)),
        (("seed", "onboarding", 1), ("other", "onboarding", 1)),
    ],
)
def test_each_input_changes_the_links(a: tuple[str, str, int], b: tuple[str, str, int]) -> None:
    assert video_links(*a) == video_links(*a)
    assert video_links(*a).video_url != video_links(*b).video_url
    assert video_links(*a).landing_page_url != video_links(*b).landing_page_url


def test_landing_page_template_reproduces_the_documented_form() -> None:
    links = video_links(
        "seed", "onboarding", 3, landing_page_template="your.subdomain.com/v/{number}"
    )
    assert re.fullmatch(r"your\.subdomain\.com/v/\d{5}", links.landing_page_url)


def test_landing_codes_are_spread() -> None:
    codes = {video_links("seed", "onboarding", i).landing_page_url for i in range(1, 2001)}
    assert len(codes) == 2000
