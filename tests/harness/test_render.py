"""`seen-braze render`: the body Braze would send for one user, and why it is not JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seen_braze_harness.harness.cli import main
from seen_braze_harness.harness.render import JsonBreak, explain_json_break
from seen_braze_harness.mocks.braze.liquid import compile_template

SEED_BODY = (
    '[{"first_name":"{{${first_name}}}","last_name":"{{${last_name}}}",'
    '"email":"{{${email_address}}}","customer_id":"{{${braze_id}}}"}]'
)
ESCAPED_BODY = SEED_BODY.replace("{{${first_name}}}", "{{${first_name} | json_escape}}").replace(
    "{{${last_name}}}", "{{${last_name} | json_escape}}"
)
USER: dict[str, Any] = {
    "external_id": "user-1",
    "braze_id": "5f1a2b3c4d5e6f7a8b9c0d1e",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
}
ROCK = {**USER, "first_name": 'Dwayne "The Rock"', "last_name": "Johnson"}


def run(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    template: str,
    user: object,
    *args: str,
) -> tuple[int, str, str]:
    (tmp_path / "body.liquid").write_text(template, "utf-8")
    (tmp_path / "user.json").write_text(json.dumps(user), "utf-8")
    code = main(
        ["render", str(tmp_path / "body.liquid"), "--user", str(tmp_path / "user.json"), *args]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_body_for_a_normal_user(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(tmp_path, capsys, SEED_BODY, USER)
    assert (code, err) == (0, "")
    assert out == (
        '[{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com",'
        '"customer_id":"5f1a2b3c4d5e6f7a8b9c0d1e"}]\n'
    )


def test_a_quoted_name_without_json_escape_exits_1_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(tmp_path, capsys, SEED_BODY, ROCK)
    assert code == 1
    assert out.startswith('[{"first_name":"Dwayne "The Rock"","last_name":"Johnson"')
    assert "line 1, column 24" in err
    assert '${first_name} = `Dwayne "The Rock"`' in err
    assert 'unescaped `"`' in err
    assert "{{${first_name} | json_escape}}" in err
    excerpt, caret = (line for line in err.splitlines() if line.startswith("  [") or "^" in line)
    assert excerpt[caret.index("^")] == '"'
    assert excerpt[caret.index("^") + 1 : caret.index("^") + 4] == "The"


def test_a_backslash_is_blamed_on_its_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(tmp_path, capsys, SEED_BODY, {**USER, "last_name": "Back\\slash"})
    assert code == 1
    assert "${last_name} = `Back\\slash`" in err
    assert "unescaped `\\`" in err
    assert "{{${last_name} | json_escape}}" in err


def test_a_newline_is_blamed_on_its_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(tmp_path, capsys, SEED_BODY, {**USER, "first_name": "Ada\nMay"})
    assert code == 1
    assert "line 1, column 20" in err
    assert "${first_name} = `Ada␊May` contains a raw line break" in err
    assert "{{${first_name} | json_escape}}" in err


def test_json_escape_fixes_the_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    user = {**ROCK, "last_name": "Back\\slash\n\tTab"}
    code, out, err = run(tmp_path, capsys, ESCAPED_BODY, user)
    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {
            "first_name": 'Dwayne "The Rock"',
            "last_name": "Back\\slash\n\tTab",
            "email": "ada@example.com",
            "customer_id": "5f1a2b3c4d5e6f7a8b9c0d1e",
        }
    ]


def test_raw_bodies_are_not_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(tmp_path, capsys, SEED_BODY, ROCK, "--raw")
    assert code == 0
    assert '"Dwayne "The Rock""' in out
    code, _out, _err = run(tmp_path, capsys, "name={{${first_name}}}", ROCK)
    assert code == 0


def test_json_can_be_required_of_any_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(tmp_path, capsys, "name={{${first_name}}}", USER, "--json")
    assert code == 1
    assert "template's own text is not valid JSON" in err


def test_campaign_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = '{"c":"{{campaign.${name}}}","d":"{{campaign.${dispatch_id}}}"}'
    code, out, _err = run(tmp_path, capsys, template, USER, "--campaign-name", "Winter")
    assert code == 0
    assert json.loads(out) == {"c": "Winter", "d": "dispatch_id_for_unsent_campaign"}


def test_abort_message_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = '{% if ${first_name} == "Ada" %}{% abort_message("no video yet") %}{% endif %}[]'
    code, out, err = run(tmp_path, capsys, template, USER)
    assert (code, out) == (1, "")
    assert "abort_message: no video yet" in err


def test_template_syntax_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(tmp_path, capsys, "[\n{% if ${first_name} == %}\n]", USER)
    assert (code, out) == (2, "")
    assert "line 2:" in err


@pytest.mark.parametrize(
    ("user", "words"),
    [(["not", "an", "object"], "one JSON object"), ("just text", "one JSON object")],
)
def test_a_user_that_is_not_an_object_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], user: object, words: str
) -> None:
    code, _out, err = run(tmp_path, capsys, SEED_BODY, user)
    assert code == 2
    assert words in err


def test_unreadable_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "user.json").write_text("{not json", "utf-8")
    (tmp_path / "body.liquid").write_text(SEED_BODY, "utf-8")
    missing = str(tmp_path / "missing.liquid")
    assert main(["render", missing, "--user", str(tmp_path / "user.json")]) == 2
    assert "missing.liquid" in capsys.readouterr().err
    user = str(tmp_path / "user.json")
    assert main(["render", str(tmp_path / "body.liquid"), "--user", user]) == 2
    assert "not JSON" in capsys.readouterr().err


def test_explain_json_break_is_reusable() -> None:
    body = '[{"first_name":"Dwayne "The Rock"","last_name":"Johnson"}]'
    found = explain_json_break(SEED_BODY, ROCK, body)
    assert isinstance(found, JsonBreak)
    assert (found.line, found.column, found.tag) == (1, 24, "${first_name}")
    assert found.value == 'Dwayne "The Rock"'
    assert found.hint is not None and "| json_escape" in found.hint
    assert explain_json_break(SEED_BODY, USER, '[{"first_name":"Ada"}]') is None


def test_the_first_of_two_broken_values_is_blamed() -> None:
    user = {**ROCK, "last_name": 'O"Neil'}
    body = compile_template(SEED_BODY).render(user)
    found = explain_json_break(SEED_BODY, user, body)
    assert found is not None and found.tag == "${first_name}"


def test_a_missing_unquoted_value_is_explained() -> None:
    template = '{"visits": {{custom_attribute.${visits}}}}'
    found = explain_json_break(template, USER, '{"visits": }')
    assert found is not None
    assert found.tag == "custom_attribute.${visits}"
    assert "no value for this user" in found.reason


def write_raw(tmp_path: Path, template: str, user: bytes) -> list[str]:
    (tmp_path / "body.liquid").write_text(template, "utf-8")
    (tmp_path / "user.json").write_bytes(user)
    return ["render", str(tmp_path / "body.liquid"), "--user", str(tmp_path / "user.json")]


@pytest.mark.parametrize(
    ("user", "words"),
    [
        (b'{"first_name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
        (b'{"first_name": ' + b"[" * 60 + b"]" * 60 + b"}", "levels deep"),
        (b'{"first_name": NaN}', "NaN"),
        (b'{"first_name": "\\ud800"}', "lone surrogate"),
        (b'{"first_name": "\xff"}', "not UTF-8"),
        (b'{"n": ' + b"9" * 5000 + b"}", "not JSON"),
    ],
    ids=["deep", "over-the-depth-limit", "NaN", "lone-surrogate", "not-utf8", "5000-digits"],
)
def test_a_user_json_that_cannot_be_held_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], user: bytes, words: str
) -> None:
    assert main(write_raw(tmp_path, SEED_BODY, user)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("seen-braze render: --user ")
    assert words in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("template", "user", "words"),
    [
        ("{% for i in (1..100000000) %}x{% endfor %}", USER, "loops more than 100,000 times"),
        ("{% for i in (1..200000) %}xxxxxxxxxx{% endfor %}", USER, "loops"),
        ("{% for i in (1..90000) %}" + "x" * 20 + "{% endfor %}", USER, "1,000,000 bytes"),
        ("[\n{{custom_attribute.${n} | json_parse}}]", {"n": "[" * 5000}, "line 2: json_parse"),
        (
            '{% assign s = "'
            + "x" * 1000
            + '" %}'
            + "{% assign s = s | append: s %}" * 9
            + "{% assign t = s %}",
            USER,
            "assigns take more than",
        ),
        ("{{custom_attribute.${n} | md5}}", {"n": "x"}, None),
    ],
    ids=["loop-limit", "loop-limit-2", "output-limit", "json_parse", "assigned", "fine"],
)
def test_a_template_that_cannot_render_exits_2_without_a_traceback(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    template: str,
    user: dict[str, Any],
    words: str | None,
) -> None:
    (tmp_path / "user.json").write_text(json.dumps(user), "utf-8")
    (tmp_path / "body.liquid").write_text(template, "utf-8")
    args = ["render", str(tmp_path / "body.liquid"), "--user", str(tmp_path / "user.json")]
    code = main(args)
    out, err = capsys.readouterr()
    if words is None:
        assert (code, err) == (0, "")
        return
    assert (code, out) == (2, "")
    assert words in err
    assert "Traceback" not in err


def test_a_body_nested_too_deeply_to_parse_exits_1_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(tmp_path, capsys, "[" * 100_000 + "]" * 100_000, USER)
    assert code == 1
    assert out.startswith("[[[")
    assert "too deeply" in err
    found = explain_json_break("[" * 5, USER, "[" * 100_000)
    assert found is not None and found.tag is None


def test_keys_of_a_flat_user_named_like_computed_tags_are_custom_attributes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = {**USER, "most_recent_locale": "xx_XX", "random_bucket_number": 1}
    template = "{{${most_recent_locale}}}|{{custom_attribute.${most_recent_locale}}}|" + (
        "{{${random_bucket_number}}}|{{custom_attribute.${random_bucket_number}}}"
    )
    code, out, _err = run(tmp_path, capsys, template, user, "--raw")
    assert code == 0
    standard, custom, bucket, custom_bucket = out.strip().split("|")
    assert (standard, custom, custom_bucket) == ("", "xx_XX", "1")
    assert bucket.isdigit() and 0 <= int(bucket) <= 9999


# -- what Braze supplies besides the profile ---------------------------------------------------

PROPERTY_TEMPLATE = (
    '{"p":"{{api_trigger_properties.${product}}}","e":"{{event_properties.${name}}}",'
    '"c":"{{canvas_entry_properties.${step}}}","x":"{{context.${step}}}"}'
)


def test_trigger_event_and_entry_properties_come_from_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "event.json").write_text('{"name": "signup"}', "utf-8")
    code, out, err = run(
        tmp_path,
        capsys,
        PROPERTY_TEMPLATE,
        USER,
        "--trigger-properties",
        '{"product": "shoes"}',
        "--event-properties",
        f"@{tmp_path / 'event.json'}",
        "--canvas-entry-properties",
        '{"step": "welcome"}',
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == {"p": "shoes", "e": "signup", "c": "welcome", "x": "welcome"}


def test_context_is_the_same_as_canvas_entry_properties(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(tmp_path, capsys, PROPERTY_TEMPLATE, USER, "--context", '{"step": "2"}')
    assert code == 0
    assert json.loads(out)["c"] == "2"
    code, _, err = run(
        tmp_path,
        capsys,
        PROPERTY_TEMPLATE,
        USER,
        "--context",
        "{}",
        "--canvas-entry-properties",
        "{}",
    )
    assert code == 2
    assert "--canvas-entry-properties and --context: the same namespace" in err


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        (
            "--trigger-properties",
            "[1]",
            "--trigger-properties: the value must hold one JSON object",
        ),
        ("--trigger-properties", "{nope", "--trigger-properties: the value is not JSON"),
        ("--event-properties", "@/no/such/file.json", "--event-properties /no/such/file.json: "),
        ("--now", "soon", "--now: must be epoch seconds or an ISO 8601 time"),
        ("--now", "inf", "--now: must be a finite number of seconds"),
        ("--content-block", "footer", "--content-block footer: must be NAME=FILE"),
        ("--content-block", "bad name=x.liquid", "is not a Content Block name"),
        ("--content-block", "f=/no/such.liquid", "--content-block f=/no/such.liquid: cannot read"),
    ],
)
def test_a_bad_flag_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str, said: str
) -> None:
    code, out, err = run(tmp_path, capsys, SEED_BODY, USER, flag, value)
    assert (code, out) == (2, "")
    assert said in err
    assert "Traceback" not in err


def test_a_content_block_is_read_from_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "greeting.liquid").write_text("Hi {{${first_name}}}", "utf-8")
    code, out, err = run(
        tmp_path,
        capsys,
        '{"text":"{{content_blocks.${greeting}}}"}',
        USER,
        "--content-block",
        f"greeting={tmp_path / 'greeting.liquid'}",
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == {"text": "Hi Ada"}


def test_an_unknown_content_block_exits_2_as_braze_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(tmp_path, capsys, "{{content_blocks.${promo}}}", USER)
    assert (code, out) == (2, "")
    assert "Content Block 'promo' does not exist" in err
    assert "--content-block promo=FILE" in err


def test_now_sets_the_clock_liquid_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = "{{ 'now' | date: '%Y-%m-%d %H:%M' }}"
    code, out, _ = run(tmp_path, capsys, template, USER, "--now", "2031-05-04T10:00:00")
    assert (code, out) == (0, "2031-05-04 10:00\n")
    code, out, _ = run(tmp_path, capsys, template, USER, "--now", "1000000000")
    assert (code, out) == (0, "2001-09-09 01:46\n")


def test_leniencies_render_with_a_warning_on_stderr_and_strict_refuses_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lenient = "Hi {{${first_name} | upcase ) }}\n{{${first_name} | lstrip}}"
    code, out, err = run(tmp_path, capsys, lenient, USER, "--raw")
    assert code == 0
    assert out == f"Hi {USER['first_name'].upper()}\n{USER['first_name']}\n"
    assert "warning: line 1: {{${first_name} | upcase ) }} is accepted only by" in err
    assert "warning: line 2: Braze's filter reference lists 'lstrip' as not supported" in err
    code, out, err = run(tmp_path, capsys, lenient, USER, "--raw", "--error-mode", "strict")
    assert code == 2 and out == ""
    assert "line 1: Expected end_of_string but found close_round" in err
