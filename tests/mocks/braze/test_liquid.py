"""Braze's Liquid: templates as Braze users write them, and what Braze would render."""

from __future__ import annotations

import json
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.liquid import (
    LOOP_ITERATION_LIMIT,
    OUTPUT_LIMIT,
    UNSENT_DISPATCH_ID,
    AbortMessage,
    BrazeTemplate,
    LiquidError,
    compile_template,
    random_bucket_number,
)

SEED_BODY = (
    '[{"first_name":"{{${first_name}}}","last_name":"{{${last_name}}}",'
    '"email":"{{${email_address}}}","customer_id":"{{${braze_id}}}"}]'
)

PROFILE: dict[str, Any] = {
    "external_id": "user-1",
    "braze_id": "5f1a2b3c4d5e6f7a8b9c0d1e",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "phone": "+442071234567",
    "dob": "1815-12-10",
    "home_city": "London",
    "country": "GB",
    "language": "en",
    "gender": "F",
    "time_zone": "Europe/London",
    "zip code": "N1 9GU",
    "visits": 3,
    "vip": True,
    "lapsed": False,
    "nickname": "",
    "motto": "   ",
    "quote": 'She said "hi"',
    "pets": ["cat", "dog"],
}

CAMPAIGN = {"name": "Winter video", "api_id": "camp-123", "dispatch_id": "disp-456"}

PROPERTIES: dict[str, dict[str, Any]] = {
    "event_properties": {"product": "Skis", "price": 250},
    "canvas_entry_properties": {"offer": "20% off"},
    "api_trigger_properties": {"video_id": "v-9"},
    "canvas": {"name": "Onboarding"},
    "subscribed_state": {"email_global": "opted_in"},
    "most_recently_used_device": {"platform": "ios"},
}


def render(source: str, profile: dict[str, Any] | None = None, **kwargs: Any) -> str:
    return compile_template(source).render(PROFILE if profile is None else profile, **kwargs)


RENDERS = [
    # standard tags and the profile keys they read
    ("{{${first_name}}} {{${last_name}}}", "Ada Lovelace"),
    ("{{${user_id}}}", "user-1"),
    ("{{${braze_id}}}", "5f1a2b3c4d5e6f7a8b9c0d1e"),
    ("{{${email_address}}}", "ada@example.com"),
    ("{{${phone_number}}}", "+442071234567"),
    ("{{${date_of_birth}}}", "1815-12-10"),
    ("{{${city}}}", "London"),
    ("{{${country}}}|{{${language}}}|{{${gender}}}", "GB|en|F"),
    ("{{${time_zone}}}", "Europe/London"),
    (
        "[{{${most_recent_locale}}}|{{${last_used_app_date}}}|{{${most_recent_app_version}}}]",
        "[||]",
    ),
    ("{{${random_bucket_number}}}", str(random_bucket_number("5f1a2b3c4d5e6f7a8b9c0d1e"))),
    ("{{ ${first_name} }}", "Ada"),
    # custom attributes, spaces in names, types
    ("{{custom_attribute.${zip code}}}", "N1 9GU"),
    ("{{custom_attribute.${visits} | plus: 1}}", "4"),
    ("{{custom_attribute.${vip}}}", "true"),
    ("{{custom_attribute.${pets} | join: ', '}}", "cat, dog"),
    ("{{custom_attribute.${pets} | first}}", "cat"),
    ("{{custom_attribute.${first_name}}}", ""),  # standard fields are not custom attributes
    # namespaces
    ("{{campaign.${name}}}|{{campaign.${api_id}}}", "|"),
    ("{{event_properties.${product}}} {{event_properties.${price}}}", "Skis 250"),
    ("{{canvas_entry_properties.${offer}}}", "20% off"),
    ("{{context.${offer}}}", "20% off"),
    ("{{api_trigger_properties.${video_id}}}", "v-9"),
    ("{{canvas.${name}}}", "Onboarding"),
    ("{{subscribed_state.${email_global}}}", "opted_in"),
    ("{{most_recently_used_device.${platform}}}", "ios"),
    ("{{event_properties.${absent}}}|{{unknown_namespace.${x}}}", "|"),
    # tags with Braze references, nested output braces, filters after tags
    ("{% if custom_attribute.${visits} == 3 %}three{% endif %}", "three"),
    ("{% if {{custom_attribute.${visits}}} == 3 %}three{% endif %}", "three"),
    ("{% if {{custom_attribute.${zip code}}} contains 'N1' %}north{% endif %}", "north"),
    ("{% assign name = ${first_name} | upcase %}{{name}}", "ADA"),
    ("{% assign n = {{custom_attribute.${visits}}} | times: 2 %}{{n}}", "6"),
    ("{% unless ${first_name} == blank %}hi{% endunless %}", "hi"),
    ("{% case ${country} %}{% when 'GB' %}UK{% else %}?{% endcase %}", "UK"),
    ("{% for pet in custom_attribute.${pets} %}[{{pet}}]{% endfor %}", "[cat][dog]"),
    ('{% assign s = "${first_name}" %}{{s}}', "${first_name}"),  # strings are left alone
    ("{% raw %}{{${first_name}}}{% endraw %}", "{{${first_name}}}"),
    ("{% comment %}{{${first_name}}}{% endcomment %}x", "x"),
    ("Hello ${first_name}", "Hello ${first_name}"),  # outside Liquid it is plain text
    ("{%- if true -%} {{- ${first_name} -}} {%- endif -%}", "Ada"),
    # missing values render as nothing
    ("[{{custom_attribute.${never set}}}]", "[]"),
    ("[{{${most_recent_location}}}]", "[]"),
    # default: nil, false and empty, not whitespace
    ("{{custom_attribute.${never set} | default: 'friend'}}", "friend"),
    ("{{custom_attribute.${lapsed} | default: 'no'}}", "no"),
    ("{{custom_attribute.${nickname} | default: 'friend'}}", "friend"),
    ("{{custom_attribute.${motto} | default: 'friend'}}", "   "),
    ("{{custom_attribute.${visits} | default: 9}}", "3"),
    # values are not escaped
    ("{{custom_attribute.${quote}}}", 'She said "hi"'),
    ("<b>{{custom_attribute.${quote}}}</b>", '<b>She said "hi"</b>'),
    # encoding filters (Braze's documented vectors, plus well-known ones)
    ("{{'hey' | md5}}", "6057f13c496ecf7fd777ceb9e79ae285"),
    ("{{'hello' | md5}}", "5d41402abc4b2a76b9719d911017c592"),
    ("{{'hey' | sha1}}", "7f550a9f4c44173a37664d938f1355f0f92a47a7"),
    ("{{'hey' | sha2}}", "fa690b82061edfd2852629aeba8a8977b57e40fcb77d1a7a28b26cba62591204"),
    ("{{'' | sha2}}", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("{{'blah' | base64_encode}}", "YmxhaA=="),
    ("{{'é' | base64_encode}}", "w6k="),
    ("{{'hey' | hmac_sha1_hex: 'secret_key'}}", "2a3969bed25bfeefb00aca4063eb9590b4df8f0e"),
    ("{{'hey' | hmac_sha1: 'secret_key'}}", "2a3969bed25bfeefb00aca4063eb9590b4df8f0e"),
    ("{{'hey' | hmac_sha1_base64: 'secret_key'}}", "KjlpvtJb/u+wCspAY+uVkLTfjw4="),
    (
        "{{'hey' | hmac_sha256_hex: 'secret_key'}}",
        "8df897f8da3d7992fe57c8dbc6f27578cfbf2dcc4d0fbb4000b8c924841d508e",
    ),
    (
        "{{'hey' | hmac_sha256_base64: 'secret_key'}}",
        "jfiX+No9eZL+V8jbxvJ1eM+/LcxND7tAALjJJIQdUI4=",
    ),
    (  # RFC 2202, test case 2
        "{{'what do ya want for nothing?' | hmac_sha1_hex: 'Jefe'}}",
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    ),
    (  # RFC 4231, test case 2
        "{{'what do ya want for nothing?' | hmac_sha256_hex: 'Jefe'}}",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
    ("{{${user_id} | md5}}", "d6d7705392bc7af633328bea8c4c6904"),
    # URL filters
    ("{{'hey<>hi' | url_escape}}", "hey%3C%3Ehi"),
    ("{{'a b/c?d=e&f#g' | url_escape}}", "a%20b/c?d=e&f%23g"),
    ("{{'hey<&>hi' | url_param_escape}}", "hey%3C%26%3Ehi"),
    ("{{'a b/c?d=é' | url_param_escape}}", "a%20b%2Fc%3Fd%3D%C3%A9"),
    ("{{'google search' | url_encode}}", "google+search"),
    ("{{'a&b=c' | url_encode}}", "a%26b%3Dc"),
    # JSON filters
    ("{{'123\"456' | json_escape}}", '123\\"456'),
    ("{{custom_attribute.${quote} | json_escape}}", 'She said \\"hi\\"'),
    ('{% assign s = "C:\\dir" %}{{s | json_escape}}', "C:\\\\dir"),
    ("{% capture s %}a\n\tb{% endcapture %}{{s | json_escape}}", "a\\n\\tb"),
    ("{{'café 🎬 /' | json_escape}}", "café 🎬 /"),
    ("{{custom_attribute.${never set} | json_escape}}", ""),
    ("{{custom_attribute.${pets} | as_json_string}}", '["cat","dog"]'),
    ("{{${first_name} | as_json_string}}", '"Ada"'),
    ("{{custom_attribute.${never set} | as_json_string}}", "null"),
    ('{% assign o = \'{"a": {"b": [1, 2]}}\' | json_parse %}{{o.a.b | last}}', "2"),
    ("{% assign o = '{\"k\": \"v\"}' | json_parse %}{{o | property_accessor: 'k'}}", "v"),
    ("{% assign o = '{\"k\": \"v\"}' | json_parse %}[{{o | property_accessor: 'z'}}]", "[]"),
    # numbers
    ("{{123456 | number_with_delimiter}}", "123,456"),
    ("{{1234567.891 | number_with_delimiter}}", "1,234,567.891"),
    ("{% assign n = -1234 %}{{n | number_with_delimiter}}", "-1,234"),
    ("{{'9876543' | number_with_delimiter}}", "9,876,543"),
    ("{{'n/a' | number_with_delimiter}}", "n/a"),
    ("{{999 | number_with_delimiter}}", "999"),
]


@pytest.mark.parametrize(("source", "expected"), RENDERS)
def test_renders_as_braze(source: str, expected: str) -> None:
    assert render(source, properties=PROPERTIES) == expected


def test_the_seed_body_renders_exactly() -> None:
    assert render(SEED_BODY) == (
        '[{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com",'
        '"customer_id":"5f1a2b3c4d5e6f7a8b9c0d1e"}]'
    )


def test_a_quote_in_a_value_is_not_escaped_so_the_seed_body_breaks() -> None:
    body = render(SEED_BODY, {**PROFILE, "first_name": 'Dwayne "The Rock"'})
    assert '"first_name":"Dwayne "The Rock""' in body
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


@pytest.mark.parametrize("name", ['Dwayne "The Rock"', "back\\slash", "two\nlines", "tab\there"])
def test_json_escape_keeps_the_body_valid(name: str) -> None:
    template = SEED_BODY.replace("{{${first_name}}}", "{{${first_name} | json_escape}}")
    body = render(template, {**PROFILE, "first_name": name})
    assert json.loads(body)[0]["first_name"] == name


def test_json_escape_escapes_control_characters_as_unicode() -> None:
    assert render("{{${first_name} | json_escape}}", {"first_name": "a\x01b\rc"}) == (
        "a\\u0001b\\rc"
    )


def test_campaign_tags() -> None:
    source = "{{campaign.${name}}}|{{campaign.${api_id}}}|{{campaign.${dispatch_id}}}"
    assert render(source, campaign=CAMPAIGN) == "Winter video|camp-123|disp-456"


@pytest.mark.parametrize("campaign", [None, {"name": "Winter video"}])
def test_dispatch_id_of_an_unsent_campaign(campaign: dict[str, str] | None) -> None:
    assert render("{{campaign.${dispatch_id}}}", campaign=campaign) == UNSENT_DISPATCH_ID
    assert UNSENT_DISPATCH_ID == "dispatch_id_for_unsent_campaign"


def test_context_prefers_its_own_namespace_when_given() -> None:
    properties = {"context": {"offer": "own"}, "canvas_entry_properties": {"offer": "entry"}}
    assert render("{{context.${offer}}}", properties=properties) == "own"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ('{% abort_message("no video for this user") %}', "no video for this user"),
        ("{% abort_message('single quotes') %}", "single quotes"),
        ("{% abort_message() %}", "{% abort_message %} called"),
        ("{% abort_message %}", "{% abort_message %} called"),
        (
            "{% if custom_attribute.${never set} == nil %}{% abort_message('no attr') %}"
            "{% endif %}kept",
            "no attr",
        ),
    ],
)
def test_abort_message_stops_the_send(source: str, reason: str) -> None:
    with pytest.raises(AbortMessage) as caught:
        render(source)
    assert caught.value.reason == reason


def test_abort_message_only_when_reached() -> None:
    assert render("{% if false %}{% abort_message('x') %}{% endif %}sent") == "sent"


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("a\nb\n{% for pet in custom_attribute.${pets} %}\n{{pet}}\n", 3, "never closed"),
        ("a\n\n\n{% if true %}{% endfor %}", 4, "endfor"),
        ("one\n{% bogus_tag %}", 2, "bogus_tag"),
        ("x\n{% abort_message(“curly”) %}", 2, "straight quotes"),
    ],
)
def test_syntax_errors_name_the_line(source: str, line: int, words: str) -> None:
    with pytest.raises(LiquidError) as caught:
        compile_template(source)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: ")
    assert words in str(caught.value)
    assert "__braze" not in str(caught.value)


LENIENCIES = [
    ("hello\n{% if ${first_name} == %}\nx{% endif %}", 2, "is not a valid expression", "hello\n"),
    ("{{ 'x' }}\n{{ ${first_name} | no_such_filter }}", 2, "filter 'no_such_filter'", "x\nAda"),
    ("{% if {{custom_attribute.${zip code}}} == %}y{% endif %}", 1, "valid expression", ""),
]
"""Markup Ruby Liquid's lax mode (Braze's) accepts: what it renders, and what strict says."""


@pytest.mark.parametrize(("source", "line", "words", "rendered"), LENIENCIES)
def test_lax_leniencies_render_as_ruby_does_and_warn_with_the_line(
    source: str, line: int, words: str, rendered: str
) -> None:
    template = compile_template(source)
    assert template.render(PROFILE) == rendered
    assert [warning.line for warning in template.warnings] == [line]
    assert words in str(template.warnings[0]) and "__braze" not in str(template.warnings[0])


@pytest.mark.parametrize(("source", "line", "words", "rendered"), LENIENCIES)
def test_strict_mode_refuses_the_leniencies_with_the_line(
    source: str, line: int, words: str, rendered: str
) -> None:
    with pytest.raises(LiquidError) as caught:
        compile_template(source, "strict")
    assert caught.value.line == line
    assert words.replace("filter 'no_such_filter'", "filter no_such_filter") in str(caught.value)
    assert "__braze" not in str(caught.value)


def test_connected_content_is_refused_clearly() -> None:
    source = "Hi\n{% connected_content https://api.example.com/{{${user_id}}} :save r %}"
    with pytest.raises(LiquidError) as caught:
        compile_template(source)
    assert caught.value.line == 2
    assert "{% connected_content %} is not supported" in str(caught.value)
    assert "does not fetch" in str(caught.value)


def test_render_errors_are_liquid_errors_with_the_line() -> None:
    template = compile_template("ok\n{{ 'not json' | json_parse }}")
    with pytest.raises(LiquidError) as caught:
        template.render(PROFILE)
    assert caught.value.line == 2
    assert "not JSON" in str(caught.value)


def test_hmac_without_a_key_is_an_error() -> None:
    with pytest.raises(LiquidError, match="need a key"):
        render("{{'x' | hmac_sha256_hex}}")


def test_compiled_once_per_source() -> None:
    assert compile_template(SEED_BODY) is compile_template(SEED_BODY)
    assert isinstance(compile_template(SEED_BODY), BrazeTemplate)
    assert compile_template(SEED_BODY).source == SEED_BODY


def test_references_resolve_and_render_values() -> None:
    template = compile_template("{{${first_name}}} {{custom_attribute.${zip code}}}")
    assert template.references == ("${first_name}", "custom_attribute.${zip code}")
    values = template.resolve(PROFILE)
    assert values == {"${first_name}": "Ada", "custom_attribute.${zip code}": "N1 9GU"}
    assert template.render_values({**values, "${first_name}": "Bea"}) == "Bea N1 9GU"


def test_compiling_is_done_once_per_source() -> None:
    assert compile_template(SEED_BODY) is compile_template(SEED_BODY)


# -- custom attributes apart from the standard tags ---------------------------------------------

COMPUTED = {
    "most_recent_locale": "en_GB",
    "last_used_app_date": "2026-11-01T10:00:00Z",
    "most_recent_app_version": "3.2.1",
    "random_bucket_number": 4321,
}
COMPUTED_TAGS = "|".join(f"{{{{${{{name}}}}}}}" for name in COMPUTED)
COMPUTED_CUSTOM = "|".join(f"{{{{custom_attribute.${{{name}}}}}}}" for name in COMPUTED)
BUCKET = str(random_bucket_number(PROFILE["braze_id"]))


def test_in_a_flat_profile_keys_named_like_computed_tags_are_custom_attributes() -> None:
    flat = {**PROFILE, **{name: f"custom {name}" for name in COMPUTED}}
    assert render(COMPUTED_TAGS, flat) == f"|||{BUCKET}"
    assert render(COMPUTED_CUSTOM, flat) == "|".join(f"custom {name}" for name in COMPUTED)


def test_a_profile_with_custom_attributes_apart_reads_each_from_its_own_place() -> None:
    standard = {"braze_id": PROFILE["braze_id"], "first_name": "Ada", **COMPUTED}
    custom = {name: f"custom {name}" for name in [*COMPUTED, "first_name", "zip code"]}
    template = compile_template(f"{COMPUTED_TAGS}#{COMPUTED_CUSTOM}#{{{{${{first_name}}}}}}")
    assert template.render(standard, custom=custom) == (
        "en_GB|2026-11-01T10:00:00Z|3.2.1|4321#"
        + "|".join(f"custom {name}" for name in COMPUTED)
        + "#Ada"
    )
    assert (
        compile_template("{{custom_attribute.${first_name}}}").render(standard, custom=custom)
        == "custom first_name"
    )
    assert (
        compile_template("[{{custom_attribute.${zip code}}}]").render(
            {"zip code": "not custom"}, custom={}
        )
        == "[]"
    )


def test_standard_tags_never_read_a_custom_attribute() -> None:
    custom = {"first_name": "X", "email": "x@x.io", "braze_id": "b", **COMPUTED}
    template = compile_template(
        f"[{{{{${{first_name}}}}}}|{{{{${{email_address}}}}}}|{COMPUTED_TAGS}]"
    )
    assert template.render({}, custom=custom) == "[|||||]"


def test_the_random_bucket_number_is_derived_from_the_braze_id() -> None:
    buckets = {random_bucket_number(f"braze-{i}") for i in range(2000)}
    assert all(isinstance(b, int) and 0 <= b <= 9999 for b in buckets)
    assert len(buckets) > 1800, "spread over the range"
    assert random_bucket_number("abc") == random_bucket_number("abc")
    assert random_bucket_number(None) is None and random_bucket_number("") is None
    assert render("[{{${random_bucket_number}}}]", {"first_name": "No id"}) == "[]"
    template = compile_template("{{${random_bucket_number}}}")
    assert template.render({"braze_id": "abc"}, custom={}) == str(random_bucket_number("abc"))
    assert template.render({"braze_id": "abc", "random_bucket_number": 7}, custom={}) == "7"


# -- failures while rendering and the limits ----------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value", "words"),
    [
        ("{{custom_attribute.${n} | json_parse}}", "[" * 100_000 + "]" * 100_000, "json_parse"),
        ("{{custom_attribute.${n} | json_parse}}", "[" * 101 + "]" * 101, "json_parse"),
        ("{{custom_attribute.${n} | json_parse}}", "NaN", "json_parse"),
        ("{{custom_attribute.${n} | md5}}", "\ud800", "md5: UnicodeEncodeError"),
        ("{{custom_attribute.${n} | sha2}}", "\ud800", "sha2: UnicodeEncodeError"),
        ("{{custom_attribute.${n} | base64_encode}}", "\ud800", "base64_encode: Unicode"),
        ("{{custom_attribute.${n} | url_escape}}", "\ud800", "url_escape: Unicode"),
        ("{{custom_attribute.${n} | number_with_delimiter}}", 10**5000, "number_with_delimiter"),
        ("{{custom_attribute.${n} | as_json_string}}", float("nan"), "as_json_string"),
    ],
    ids=[
        "json_parse-deep",
        "json_parse-101-levels",
        "json_parse-NaN",
        "md5",
        "sha2",
        "base64_encode",
        "url_escape",
        "number_with_delimiter",
        "as_json_string-NaN",
    ],
)
def test_a_failure_inside_a_filter_is_a_liquid_error_naming_it(
    source: str, value: Any, words: str
) -> None:
    template = compile_template("first line\n" + source)
    with pytest.raises(LiquidError) as caught:
        template.render({"n": value})
    assert words.replace("line 1", "line 2") in str(caught.value)
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("value", "words"),
    [(10**5000, "ValueError"), ("\ud800", "UnicodeEncodeError")],
    ids=["5000-digits", "lone-surrogate"],
)
def test_a_failure_outside_a_filter_is_a_liquid_error_too(value: Any, words: str) -> None:
    with pytest.raises(LiquidError, match=words):
        render("{{custom_attribute.${n}}}", {"n": value})


def test_number_with_delimiter_groups_any_number_of_digits() -> None:
    assert render("{{custom_attribute.${n} | number_with_delimiter}}", {"n": "9" * 5000}) == (
        "9" * 2 + ",999" * 1666
    )
    assert render("{{'0012345' | number_with_delimiter: '.'}}") == "12.345"


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{% for i in (1..100000000) %}x{% endfor %}", "loops more than 100,000 times"),
        ("{% for i in (1..1000) %}{% for j in (1..1000) %}{% endfor %}{% endfor %}", "loops"),
        ("{% for i in (1..10000000000000000000000000) %}{% endfor %}", "range"),
        (
            "{% for i in (1..90000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}",
            "1,000,000 bytes",
        ),
        (
            "{% capture c %}{% for i in (1..90000) %}xxxxxxxxxxxxxxxx{% endfor %}{% endcapture %}",
            "bytes",
        ),
        ("{{ (1..100000000) | join: ',' }}", "join: a range of more than 100,000 items"),
        ('{{ "aaaa" ' + '| replace: "a", "aaaa" ' * 12 + "}}", "replace: the result is longer"),
        ('{% assign s = "' + "x" * 1000 + '" %}' + "{% assign s = s | append: s %}" * 12, "append"),
        (
            '{% assign s = "'
            + "x" * 1000
            + '" %}'
            + "{% assign s = s | append: s %}" * 9
            + "{% assign t = s %}",
            "the values the template assigns take more than 1,000,000 bytes",
        ),
    ],
)
def test_rendering_is_bounded(source: str, words: str) -> None:
    template = compile_template(source)
    with pytest.raises(LiquidError) as caught:
        template.render({})
    assert words in str(caught.value)


def test_rendering_within_the_limits_is_untouched() -> None:
    body = render("{% for i in (1..100000) %}{% endfor %}{% for i in (1..1000) %}x{% endfor %}")
    assert body == "x" * 1000
    assert LOOP_ITERATION_LIMIT == 100_000 and OUTPUT_LIMIT == 1_000_000
    big = "y" * (OUTPUT_LIMIT - 10)
    assert render("{{custom_attribute.${big}}}", {"big": big}) == big


def test_a_template_nested_too_deeply_to_parse_is_a_liquid_error() -> None:
    with pytest.raises(LiquidError):
        compile_template("{% if " + "(" * 5000 + "true" + ")" * 5000 + " %}x{% endif %}")
