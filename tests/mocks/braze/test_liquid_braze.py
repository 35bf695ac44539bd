"""Braze's additions to Liquid: its filters, its data, its documented rules and our settings."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.campaigns.errors import WebhookCampaignError
from seen_braze_harness.mocks.braze.campaigns.spec import parse_spec
from seen_braze_harness.mocks.braze.liquid import (
    AbortMessage,
    LiquidError,
    compile_template,
)
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.settings import SettingsError

NOW = datetime(2026, 2, 26, 18, 30, tzinfo=UTC).timestamp()
SPEC = {"url": "https://api.seen.io/v1/receivers/", "body": "{}"}


def render(source: str, user: dict[str, Any] | None = None, **kwargs: Any) -> str:
    kwargs.setdefault("now", NOW)
    return compile_template(source).render(user or {}, **kwargs)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 145 | money }}", "145.00"),
        ("{{ 1.45 | money }}", "1.45"),
        ("{{ 17.8 | money }}", "17.80"),
        ("{{ 145 | divided_by: 100.00 | money }}", "1.45"),
        ('{% assign n = "350000.25" | plus: 0 %}{{ n | money }}', "350,000.25"),
        ("{{ -1234.565 | money }}", "-1,234.57"),
        ("{{ 0 | money }}", "0.00"),
        ('{{ "1,234.5" | money }}', "1.00"),
    ],
)
def test_money_formats_without_dividing_by_100(source: str, expected: str) -> None:
    assert render(source) == expected


def test_hmac_sha256_and_sha512_give_hex() -> None:
    assert (
        render("{{'hey' | hmac_sha256: 'secret_key'}}")
        == hmac.new(b"secret_key", b"hey", hashlib.sha256).hexdigest()
    )
    assert (
        render("{{'hey' | hmac_sha512: 'secret_key'}}")
        == hmac.new(b"secret_key", b"hey", hashlib.sha512).hexdigest()
    )
    with pytest.raises(LiquidError, match="need a key"):
        render("{{'hey' | hmac_sha512}}")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "{{ 'now' | time_zone: 'America/New_York' | date: '%Y-%m-%d %H:%M %z %Z' }}",
            "2026-02-26 13:30 -0500 EST",
        ),
        ("{{ 'now' | time_zone: 'Eastern Time (US & Canada)' | date: '%H:%M' }}", "13:30"),
        ("{{ 'now' | time_zone: -5 | date: '%H:%M %z' }}", "13:30 -0500"),
        ("{{ 'now' | time_zone: '+05:30' | date: '%H:%M %z' }}", "00:00 +0530"),
        ("{{ 'now' | time_zone: 'UTC' | date: '%H:%M %Z' }}", "18:30 UTC"),
        ("{{ 'now' | time_zone: 'Europe/Paris' }}", "2026-02-26 19:30:00 +0100"),
        ("{{ 'now' | time_zone: 'Not/A_Zone' | date: '%H:%M' }}", "18:30"),
        ("{{ 'not a date' | time_zone: 'Europe/Paris' }}", "not a date"),
        (
            "{{ '2021-08-04T09:00:00Z' | time_zone: 'America/Los_Angeles' | date: '%a %b %e %T' }}",
            "Wed Aug  4 02:00:00",
        ),
    ],
)
def test_time_zone_moves_the_instant_into_the_zone(source: str, expected: str) -> None:
    assert render(source) == expected


def test_time_zone_reads_the_users_zone_from_a_nested_tag() -> None:
    source = "{{ 'now' | time_zone: {{${time_zone}}} | date: '%B %e, %Y %H:%M' }}"
    assert render(source, {"time_zone": "Asia/Tokyo"}) == "February 27, 2026 03:30"


def test_now_comes_from_the_clock_given_never_the_machine() -> None:
    assert render("{{ 'now' | date: '%Y-%m-%d %H:%M:%S %Z' }}") == "2026-02-26 18:30:00 UTC"
    assert render("{{ 'today' | date: '%s' }}", now=0) == "0"


def test_a_null_attribute_is_unset() -> None:
    user = {"first_name": None, "nickname": None}
    assert render("{{ ${first_name} | default: 'there' }}", user) == "there"
    source = "{% if custom_attribute.${nickname} == blank %}blank{% endif %}"
    assert render(source, user) == "blank"


def test_an_object_attribute_answers_index_zero_with_itself() -> None:
    user = {"song": {"artist_name": "Miles Davis", "play": {"count": 1000}}}
    assert render("{{custom_attribute.${song}[0].artist_name}}", user) == "Miles Davis"
    assert render("{{custom_attribute.${song}[0].play.count}}", user) == "1000"
    assert render("[{{custom_attribute.${song}[1]}}]", user) == "[]"
    assert render("{{custom_attribute.${song}.artist_name}}", user) == "Miles Davis"


def test_canvas_context_times_print_as_sent_and_format_in_utc() -> None:
    properties = {"canvas_entry_properties": {"at": "2025-08-05T08:15:30:250-0800"}}
    assert render("{{context.${at}}}", properties=properties) == "2025-08-05T08:15:30:250-0800"
    formatted = render("{{context.${at} | date: '%H:%M %Z'}}", properties=properties)
    assert formatted == "16:15 UTC"
    assert render("{{canvas_entry_properties.${at} | date: '%F'}}", properties=properties) == (
        "2025-08-05"
    )


def test_content_blocks_nest_one_level() -> None:
    blocks = {
        "outer": "[{{content_blocks.${inner}}}]",
        "inner": "<{{content_blocks.${deep}}}>",
        "deep": "never",
    }
    assert render("{{content_blocks.${outer}}}", content_blocks=blocks) == "[<>]"
    with pytest.raises(LiquidError, match="Content Block 'gone' does not exist"):
        render("{{content_blocks.${gone}}}", content_blocks=blocks)


def test_message_extras_renders_nothing() -> None:
    assert render("a{% message_extras :key test :value 123 %}b") == "ab"


def test_warnings_name_what_braze_documents_as_unsupported() -> None:
    template = compile_template(
        "{{ ${first_name} | lstrip }}\n{{ ${first_name} | camelize }}\n"
        "{{custom_attribute.${a} | plus: {{custom_attribute.${b}}}}}"
    )
    lines = [(w.line, w.message.split(":")[0]) for w in template.warnings]
    assert lines == [
        (
            1,
            "Braze's filter reference lists 'lstrip' as not supported; Ruby Liquid has it, so "
            "it renders as shown here, but Braze does not promise it",
        ),
        (2, "unknown filter 'camelize'"),
        (3, "this output uses custom_attribute.${a} and custom_attribute.${b}"),
    ]
    assert template.render({"first_name": " Ada", "a": 1, "b": 2}) == "Ada\n Ada\n3"


def test_the_error_mode_is_a_setting() -> None:
    lenient = {**SPEC, "body": "{{ ${first_name} | upcase ) }}"}
    spec = parse_spec(lenient, BrazeSettings())
    (warning,) = spec.liquid_warnings
    assert warning["key"] == "body" and warning["line"] == 1
    assert "lax parsing" in warning["message"]
    with pytest.raises(WebhookCampaignError, match=r"body: Liquid error: .*line 1"):
        parse_spec(lenient, BrazeSettings(liquid_error_mode="strict"))
    with pytest.raises(SettingsError, match="liquid_error_mode"):
        BrazeSettings(liquid_error_mode="loose")  # type: ignore[arg-type]


def test_the_render_limits_are_settings() -> None:
    settings = BrazeSettings(liquid_loop_limit=10, liquid_output_limit=50)
    loops = compile_template("{% for i in (1..11) %}{% endfor %}")
    with pytest.raises(LiquidError, match="more than 10 times"):
        loops.render({}, limits=settings.liquid_limits)
    assert loops.render({}) == ""
    with pytest.raises(LiquidError, match=r"join: a range of more than 10 items"):
        compile_template("{{ (1..11) | join }}").render({}, limits=settings.liquid_limits)
    with pytest.raises(LiquidError, match="longer than 50 bytes"):
        compile_template("{{ 'x' | append: " + "'y'" * 1 + " }}" * 30).render(
            {}, limits=settings.liquid_limits
        )
    with pytest.raises(SettingsError, match="liquid_scope_limit"):
        BrazeSettings(liquid_scope_limit=0)


def test_abort_message_stops_the_render() -> None:
    with pytest.raises(AbortMessage) as caught:
        render("{% if ${language} == blank %}{% abort_message('language was nil') %}{% endif %}")
    assert caught.value.reason == "language was nil"


def test_rendering_never_depends_on_the_machines_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "{{ 'now' | date: '%Y-%m-%d %H:%M %z %Z' }}|{{ '2021-03-06 10:20:30' | date: '%s %H' }}|"
        "{{ 1614000000 | date: '%c' }}|{{ 'today' | date: '%A' }}"
    )
    in_utc = render(source)
    try:
        for zone in ("America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            assert render(source) == in_utc
    finally:
        monkeypatch.undo()
        time.tzset()
    assert in_utc == "2026-02-26 18:30 +0000 UTC|1615026030 10|Mon Feb 22 13:20:00 2021|Thursday"
