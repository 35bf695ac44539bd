"""Scenario files: the embedded default, and clear errors for broken ones."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest

from seen_braze_harness import schemas
from seen_braze_harness.fixtures import SEEN_TRANSFORMATION, read_text
from seen_braze_harness.harness.audience import DEFAULT_LOCALES, AudienceSpec
from seen_braze_harness.harness.scenario import (
    DOCUMENTED_BODY,
    Scenario,
    ScenarioError,
    check_data,
    load_scenario,
)
from seen_braze_harness.mocks.braze.transformations import DESTINATIONS
from seen_braze_harness.mocks.seen.models import Campaign


def test_default_scenario_is_the_documented_integration() -> None:
    scenario = load_scenario()
    campaign = Campaign.from_dict(scenario.seen_campaign)
    assert campaign.slug == "onboarding"
    assert len(campaign.token) == 40 and campaign.token == campaign.token.lower()
    webhook = scenario.data["braze"]["webhook"]
    assert webhook["rate_per_minute"] == 10
    assert webhook["body"] == (
        '[{"first_name":"{{${first_name}}}","last_name":"{{${last_name}}}",'
        '"email":"{{${email_address}}}","customer_id":"{{${braze_id}}}"}]'
    )
    assert webhook["headers"]["Authorization"] == f"Token {campaign.token}"
    assert webhook["url"].endswith(f"/v1/campaigns/{campaign.slug}/receivers/")
    transformation = scenario.data["braze"]["transformation"]
    assert transformation["destination"] == "track-users"
    assert "_update_existing_only: true" in read_text(transformation["code_file"])
    settings = scenario.seen_settings()
    assert settings.rate_limit == 1000 and settings.campaigns == [scenario.seen_campaign]


def test_overrides_win(tmp_path: Path) -> None:
    settings = load_scenario().seen_settings(render_seconds=5.0)
    assert settings.render_seconds == 5.0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("this is = = not toml", "not valid TOML"),
        ("[scenario]\nname = 'x'\n", "[seen.campaign] is required"),
        ("[seen.campaign]\nslug = 'has space'\n", "slug"),
        ("[seen.campaign]\nslug = 'ok'\n[seen.settings]\nrate_limt = 5\n", "rate_limt"),
        ("[seen.campaign]\nslug = 'ok'\n[seen.settings]\nrate_limit = 0\n", "rate_limit"),
    ],
)
def test_broken_scenarios_name_the_file_and_the_key(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path).seen_settings()
    assert str(path) in str(caught.value) and words in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.toml")


# -- the scenario schema: every problem, in plain words, at once --------------------------------

MINIMAL = "[seen.campaign]\nslug = 'onboarding'\ntoken = 'abc'\n"
WEBHOOK = "[braze.webhook]\nurl = 'https://api.seen.io/v1/campaigns/onboarding/receivers/'\n"


def load_text(tmp_path: Path, text: str, name: str = "my.toml") -> Scenario:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return load_scenario(path)


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_text(tmp_path, text)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{tmp_path / 'my.toml'}: ") for line in lines), lines
    assert len(lines) == len(caught.value.problems)
    return [line.split(": ", 1)[1] for line in lines]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            MINIMAL + "[braze.webhook]\nmethod = 'POST'\n",
            '[braze.webhook]: "url" is required',
        ),
        (
            MINIMAL + WEBHOOK + "rate_per_minute = 5\n",
            "[braze.webhook] rate_per_minute: 5 is below Braze's minimum of 10 messages per minute",
        ),
        (
            MINIMAL + WEBHOOK + "rate_per_minute = 600000\n",
            "[braze.webhook] rate_per_minute: 600000 is above Braze's maximum of 500000 "
            "messages per minute",
        ),
        (
            MINIMAL + WEBHOOK + "rate_per_minute = 'ten'\n",
            '[braze.webhook] rate_per_minute: "ten" is not a whole number',
        ),
        (
            MINIMAL + WEBHOOK + "rate_per_minit = 10\n",
            '[braze.webhook] rate_per_minit: unknown key; did you mean "rate_per_minute"?',
        ),
        (
            MINIMAL + WEBHOOK + "method = 'PATCH'\n",
            '[braze.webhook] method: "PATCH" is not a method Braze webhooks use '
            "(POST, GET, PUT, DELETE)",
        ),
        (
            MINIMAL + WEBHOOK + "body_format = 'json'\nbody = '[]'\n",
            '[braze.webhook] body: "[]" is not a table: with body_format = "json" the body is '
            'key = "Liquid template" pairs',
        ),
        (
            MINIMAL + WEBHOOK + "body = {first_name = '{{${first_name}}}'}\n",
            '[braze.webhook.body]: a table is not text: with body_format = "raw" (the default) '
            "the body is a string",
        ),
        (
            MINIMAL + WEBHOOK + "[braze.webhook.headers]\nAuthorization = 5\n",
            "[braze.webhook.headers] Authorization: 5 is not text",
        ),
        (
            MINIMAL + "[audience]\nlocales = ['en_US', 'de_DE', 'xx_XX']\n",
            '[audience] locales[2]: "xx_XX" is not a Faker locale',
        ),
        (
            MINIMAL + "[audience]\nlocales = ['en_UK']\n",
            '[audience] locales[0]: "en_UK" is not a Faker locale; did you mean "en_US"?',
        ),
        (
            MINIMAL + "[audience]\nlocales = ['English']\n",
            '[audience] locales[0]: "English" is not a Faker locale',
        ),
        (MINIMAL + "[audience]\nusers = -1\n", "[audience] users: -1 is below 0"),
        (MINIMAL + "[audience]\nprobe = 'yes'\n", '[audience] probe: "yes" is not true or false'),
        (
            MINIMAL + "[[audience.profiles]]\nfirst_name = 'Ada'\n",
            '[audience.profiles[0]]: "external_id" is required',
        ),
        (
            MINIMAL + "[braze.transformation]\ncode = 'return {}'\ndestination = 'track-user'\n",
            '[braze.transformation] destination: "track-user" is not a Data Transformation '
            "destination (track-users, catalog-put, catalog-patch, catalog-delete, "
            'send-messages); did you mean "track-users"?',
        ),
        (
            MINIMAL + "[braze.transformation]\nname = 'x'\n",
            '[braze.transformation]: needs exactly one of "code_file" (a path) or "code" '
            "(the JavaScript)",
        ),
        (
            MINIMAL + "[[faults]]\nservice = 'sen'\nhop = 'seen.callback'\nstatus = 500\n",
            '[faults[0]] service: "sen" is not a service: "seen" or "braze"; did you mean "seen"?',
        ),
        (
            MINIMAL + "[[faults]]\nservice = 'seen'\nstatus = 500\n",
            '[faults[0]]: "hop" is required',
        ),
        (
            MINIMAL + "[seen.settings]\nrate_limt = 5\n",
            '[seen.settings] rate_limt: unknown key; did you mean "rate_limit"?',
        ),
        (
            MINIMAL + "[braze.settings]\nobject_limt = 5\n",
            '[braze.settings] object_limt: unknown key; did you mean "object_limit"?',
        ),
        (
            MINIMAL + "[brazee.webhook]\nurl = 'x'\n",
            '[brazee]: unknown table; did you mean "braze"?',
        ),
        (
            MINIMAL + "[scenario]\ndescripton = 'x'\n",
            '[scenario] descripton: unknown key; did you mean "description"?',
        ),
        ("[seen]\n", "[seen.campaign] is required (with slug, ...)"),
        ("", "[seen.campaign] is required (with slug, ...)"),
        (
            "[seen.campaign]\nslug = 'has space'\n",
            '[seen.campaign] slug: "has space" is not a SEEN campaign slug: letters, digits, '
            "'-' and '_', up to 100 characters (e.g. \"onboarding\", \"Test-Boys\")",
        ),
        (
            MINIMAL + "[braze.transformation]\ncode_file = 'nope.js'\n",
            "[braze.transformation] code_file: cannot read {dir}/nope.js: "
            "No such file or directory",
        ),
    ],
)
def test_each_kind_of_problem_is_named_in_toml_terms(
    tmp_path: Path, text: str, problem: str
) -> None:
    assert problems_of(tmp_path, text) == [problem.format(dir=tmp_path)]


def test_every_problem_is_reported_at_once_sorted_by_path(tmp_path: Path) -> None:
    text = """
        [seen.campaign]
        slug = "onboarding"
        [braze.webhook]
        rate_per_minute = 5
        [braze.transformation]
        code_file = "missing.js"
        destination = "track-user"
        [audience]
        locales = ["en_US", "xx_XX"]
        [seen.settings]
        rate_limt = 5
        [[faults]]
        service = "seen"
        hop = "seen.callback"
        status = 700
    """
    found = problems_of(tmp_path, textwrap.dedent(text))
    assert [line.split(":")[0] for line in found] == [
        "[audience] locales[1]",
        "[braze.transformation] code_file",
        "[braze.transformation] destination",
        "[braze.webhook]",
        "[braze.webhook] rate_per_minute",
        "[faults[0]] status",
        "[seen.settings] rate_limt",
    ]


def test_the_mocks_own_checks_come_second_and_also_all_at_once(tmp_path: Path) -> None:
    text = """
        [seen.campaign]
        slug = "onboarding"
        callback_auth = { type = "basic", username = "u" }
        [seen.settings]
        rate_limit = 0
        [braze.settings]
        rate_limit = "lots"
        [[faults]]
        service = "braze"
        hop = "braze.users_track"
        status = 500
        drop = true
        [[audience.profiles]]
        external_id = "ada"
        dob = "1815-13-10"
    """
    found = problems_of(tmp_path, textwrap.dedent(text))
    assert [line.split(":")[0] for line in found] == [
        "[seen.settings]",
        "[seen.campaign]",
        "[braze.settings]",
        "[faults[0]]",
        "[audience.profiles[0]]",
    ]
    assert "rate_limit" in found[0] and "password" in found[1] and "rate_limit" in found[2]
    assert "dob" in found[4]


def test_webhook_templates_are_checked_by_the_braze_mock(tmp_path: Path) -> None:
    found = problems_of(tmp_path, MINIMAL + WEBHOOK + "body = '{{ ${first_name '\n")
    assert len(found) == 1 and found[0].startswith("[braze.webhook]: body")


def test_embedded_default_validates_against_the_schema() -> None:
    data = tomllib.loads(read_text("default.toml"))
    assert check_data(data) == []
    assert schemas.check("harness/scenario", data) == []


def test_default_accessors_give_the_documented_integration() -> None:
    scenario = load_scenario()
    token = scenario.seen_campaign["token"]
    assert scenario.path is None
    assert scenario.webhook == {
        "name": "SEEN receivers",
        "url": "https://api.seen.io/v1/campaigns/onboarding/receivers/",
        "method": "POST",
        "headers": {"Authorization": f"Token {token}", "Content-Type": "application/json"},
        "body": DOCUMENTED_BODY,
        "body_format": "raw",
        "rate_per_minute": 10,
    }
    assert scenario.transformation == {
        "name": "SEEN video links",
        "code": read_text(SEEN_TRANSFORMATION),
        "destination": "track-users",
    }
    assert scenario.audience == AudienceSpec(users=20, seed=1, locales=DEFAULT_LOCALES)
    assert scenario.faults == []


def test_without_braze_tables_the_documented_integration_for_the_campaign(tmp_path: Path) -> None:
    scenario = load_text(tmp_path, "[seen.campaign]\nslug = 'welcome-film'\ntoken = 'abc'\n")
    assert scenario.path == tmp_path
    assert scenario.webhook["url"] == "https://api.seen.io/v1/campaigns/welcome-film/receivers/"
    assert scenario.webhook["headers"]["Authorization"] == "Token abc"
    assert scenario.webhook["body"] == DOCUMENTED_BODY
    assert scenario.transformation == load_scenario().transformation


def test_a_full_scenario_and_its_accessors(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "links.js").write_text("return {attributes: []};\n")
    text = """
        [scenario]
        name = "Welcome film"
        description = "every key"
        [seen.campaign]
        slug = "welcome-film"
        token = "0123456789abcdef0123456789abcdef01234567"
        callback_url = "https://example.com/hook"
        callback_fields = ["first_name"]
        callback_static = { source = "braze" }
        [seen.settings]
        render_seconds = 5.0
        [braze.webhook]
        name = "Welcome film"
        url = "https://api.seen.io/v1/campaigns/welcome-film/receivers/"
        method = "PUT"
        body_format = "json"
        rate_per_minute = 500
        [braze.webhook.headers]
        Authorization = "Token 0123456789abcdef0123456789abcdef01234567"
        [braze.webhook.body]
        first_name = "{{${first_name} | json_escape}}"
        [braze.transformation]
        name = "Links"
        code_file = "js/links.js"
        destination = "track-users"
        [braze.settings]
        object_limit = 50
        [audience]
        users = 3
        seed = 7
        locales = ["fr_FR", "ja_JP"]
        probe = false
        [[audience.profiles]]
        external_id = "ada"
        first_name = "Ada"
        [[faults]]
        service = "seen"
        hop = "seen.callback"
        status = 503
        times = 2
    """
    scenario = load_text(tmp_path, textwrap.dedent(text))
    assert scenario.name == "Welcome film" and scenario.path == tmp_path
    assert scenario.webhook == {
        "name": "Welcome film",
        "url": "https://api.seen.io/v1/campaigns/welcome-film/receivers/",
        "method": "PUT",
        "headers": {"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"},
        "body": {"first_name": "{{${first_name} | json_escape}}"},
        "body_format": "json",
        "rate_per_minute": 500,
    }
    assert scenario.transformation == {
        "name": "Links",
        "code": "return {attributes: []};\n",
        "destination": "track-users",
    }
    assert scenario.audience == AudienceSpec(
        users=3,
        seed=7,
        locales=("fr_FR", "ja_JP"),
        probe=False,
        profiles=[{"external_id": "ada", "first_name": "Ada"}],
    )
    assert scenario.faults == [("seen", {"hop": "seen.callback", "status": 503, "times": 2})]
    assert scenario.seen_settings().render_seconds == 5.0
    assert scenario.braze_settings().object_limit == 50


def test_inline_code_and_webhook_defaults(tmp_path: Path) -> None:
    text = MINIMAL + WEBHOOK + "[braze.transformation]\ncode = 'return payload;'\n"
    scenario = load_text(tmp_path, text)
    assert scenario.transformation == {
        "name": "Data Transformation",
        "code": "return payload;",
        "destination": "track-users",
    }
    webhook = scenario.webhook
    assert (webhook["method"], webhook["headers"], webhook["body"]) == ("POST", {}, "")
    assert (webhook["body_format"], webhook["rate_per_minute"]) == ("raw", 10)


def test_the_schema_knows_every_destination() -> None:
    destination = schemas.load("harness/scenario")["$defs"]["transformation"]["properties"][
        "destination"
    ]
    assert tuple(destination["enum"]) == DESTINATIONS


def test_a_fault_on_a_hop_the_mock_does_not_have_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "faulty.toml"
    (tmp_path / "seen_transformation.js").write_text(read_text("seen_transformation.js"), "utf-8")
    path.write_text(
        read_text("default.toml")
        + '\n[[faults]]\nservice = "seen"\nhop = "seen.reciever"\nstatus = 500\n'
        '\n[[faults]]\nservice = "braze"\nhop = "braze.*"\nstatus = 503\n',
        "utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert '[faults[0]] hop: "seen.reciever" matches no hop of the seen mock' in message
    assert 'did you mean "seen.receivers"?' in message
    assert "faults[1]" not in message  # a glob that matches is fine


# -- what the send carries besides the profiles, and the Content Blocks ------------------------


def test_a_scenario_declares_its_sends_properties_and_content_blocks(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + WEBHOOK
        + "body = '{{content_blocks.${greeting}}} {{api_trigger_properties.${offer}}}'\n"
        + "[braze.send]\ntrigger_properties = { offer = 'ten-off', n = 2 }\n"
        + "context = { step = 'welcome' }\n"
        + "[braze.content_blocks]\ngreeting = 'Hi {{${first_name}}}'\n"
    )
    scenario = load_text(tmp_path, text)
    assert scenario.send == {
        "trigger_properties": {"offer": "ten-off", "n": 2},
        "context": {"step": "welcome"},
    }
    assert scenario.content_blocks == {"greeting": "Hi {{${first_name}}}"}
    assert scenario.braze_settings().content_blocks == {"greeting": "Hi {{${first_name}}}"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            WEBHOOK + "body = '{{content_blocks.${missing}}}'\n",
            "[braze.webhook]: body: Content Block 'missing' does not exist",
        ),
        (
            "[braze.content_blocks]\n'bad name' = 'x'\n",
            '[braze.content_blocks]: "bad name" is not a Content Block name: '
            "1 to 100 letters, digits, '-' and '_'",
        ),
        (
            "[braze.content_blocks]\nfooter = 3\n",
            "[braze.content_blocks] footer: 3 is not text: a Content Block is its Liquid, as a "
            "string",
        ),
        (
            "[braze.content_blocks]\nloop = '{{content_blocks.${loop}}}'\n",
            "[braze.content_blocks]: loop: Content Block cannot be referenced within itself.",
        ),
        (
            "[braze.send]\ntrigger_properties = 'x'\n",
            '[braze.send] trigger_properties: "x" is not a table of key-value pairs',
        ),
        (
            "[braze.send]\ncontext = {}\ncanvas_entry_properties = {}\n",
            "[braze.send]: context: canvas_entry_properties and context are the same namespace; "
            "give one",
        ),
        (
            "[braze.send]\nrecipients = []\n",
            "[braze.send] recipients: unknown key; known: canvas_entry_properties, context, "
            "event_properties, trigger_properties",
        ),
        (
            "[braze.content_blocks]\na = 'x'\n[braze.settings]\ncontent_blocks = { b = 'y' }\n",
            "[braze.content_blocks]: give the Content Blocks here or as [braze.settings] "
            "content_blocks, not both",
        ),
    ],
)
def test_bad_send_properties_and_content_blocks_are_named(
    tmp_path: Path, text: str, problem: str
) -> None:
    assert problems_of(tmp_path, MINIMAL + text) == [problem]
