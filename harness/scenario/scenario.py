"""Scenario files (TOML): the integration under test, as the integrator configured it.

A scenario is checked in two stages, and every problem of a stage is reported at once:
first against `schemas/harness/scenario.json` (plus what a schema cannot know: the mocks'
setting names, Faker's locales, the transformation's code file), then by the mocks' own
parsers (settings, campaign, webhook templates, fault rules, seeded profiles).
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from seen_braze_harness import schemas
from seen_braze_harness.fixtures import SEEN_TRANSFORMATION
from seen_braze_harness.harness.audience import DEFAULT_LOCALES, FAKER_LOCALES, AudienceSpec
from seen_braze_harness.harness.hops import FAULT_HOPS
from seen_braze_harness.harness.reading import (
    CODE_BYTES,
    SCENARIO_BYTES,
    FileReadError,
    FileUnreadable,
    read_text,
)
from seen_braze_harness.mocks.braze.campaigns import (
    PROPERTY_KEYS,
    ContentBlockError,
    WebhookCampaignError,
    parse_content_blocks,
    parse_properties,
    parse_spec,
)
from seen_braze_harness.mocks.braze.jsruntime import RunLimits
from seen_braze_harness.mocks.braze.profiles import ProfileStore
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.faults import FaultRule, FaultRuleError
from seen_braze_harness.mocks.core.settings import SettingsError
from seen_braze_harness.mocks.seen.models import Campaign, CampaignError
from seen_braze_harness.mocks.seen.settings import SeenSettings

DEFAULT_SCENARIO = "default.toml"
SCHEMA = "harness/scenario"

DOCUMENTED_BODY = (
    '[{"first_name":"{{${first_name}}}","last_name":"{{${last_name}}}",'
    '"email":"{{${email_address}}}","customer_id":"{{${braze_id}}}"}]'
)
"""The webhook body Braze documents for SEEN (raw text)."""
DOCUMENTED_RATE = 10
"""Messages per minute Braze advises for SEEN, under SEEN's 1,000 calls an hour."""
LOCALE_FORM = r"[a-z]{2,3}(_[A-Z]{2})?"
SEEN_RECEIVERS_URL = "https://api.seen.io/v1/campaigns/{slug}/receivers/"

Path_ = tuple[str | int, ...]


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the file, the key and the problem."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario: where, in TOML terms, and what, in plain words."""

    path: Path_
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Scenario:
    name: str
    source: str
    data: dict[str, Any] = field(repr=False)
    path: Path | None = None
    """The directory relative paths resolve against; None for the embedded scenario."""
    transformation_code: str | None = field(default=None, repr=False)
    """The transformation's JavaScript, read from `code_file` when the scenario was loaded."""

    @property
    def seen_campaign(self) -> dict[str, Any]:
        campaign: dict[str, Any] = self.data.get("seen", {}).get("campaign", {})
        return dict(campaign)

    def seen_settings(self, **overrides: Any) -> SeenSettings:
        """The SEEN mock's settings: the scenario's, with its campaign, then `overrides`."""
        seen = self.data.get("seen", {})
        values = {**seen.get("settings", {}), **overrides}
        values.setdefault("campaigns", [self.seen_campaign])
        try:
            settings = SeenSettings.from_dict(values)
            for campaign in settings.campaigns:
                Campaign.from_dict(campaign)
        except (SettingsError, CampaignError) as exc:
            raise ScenarioError(f"{self.source}: [seen]: {exc}") from None
        return settings

    def braze_settings(self, **overrides: Any) -> BrazeSettings:
        """The Braze mock's settings: the scenario's `[braze.settings]` with its
        `[braze.content_blocks]`, then `overrides`."""
        braze = self.data.get("braze", {})
        values = {**braze.get("settings", {}), **overrides}
        if "content_blocks" in braze:
            values.setdefault("content_blocks", dict(braze["content_blocks"]))
        try:
            return BrazeSettings.from_dict(values)
        except SettingsError as exc:
            raise ScenarioError(f"{self.source}: [braze.settings]: {exc}") from None

    @property
    def webhook(self) -> dict[str, Any]:
        """Braze's webhook campaign, defaults filled; without `[braze.webhook]`, the documented
        one for the scenario's campaign."""
        given = self.data.get("braze", {}).get("webhook")
        if given is None:
            campaign = self.seen_campaign
            headers = {"Content-Type": "application/json"}
            if isinstance(campaign.get("token"), str):
                headers = {"Authorization": f"Token {campaign['token']}", **headers}
            given = {
                "url": SEEN_RECEIVERS_URL.format(slug=campaign.get("slug", "")),
                "headers": headers,
                "body": DOCUMENTED_BODY,
            }
        body_format = given.get("body_format", "raw")
        return {
            "name": given.get("name", "SEEN receivers"),
            "url": given["url"],
            "method": given.get("method", "POST"),
            "headers": dict(given.get("headers", {})),
            "body": given.get("body", {} if body_format == "json" else ""),
            "body_format": body_format,
            "rate_per_minute": given.get("rate_per_minute", DOCUMENTED_RATE),
        }

    @property
    def content_blocks(self) -> dict[str, str]:
        """`[braze.content_blocks]`: each Content Block's Liquid by name."""
        return dict(self.data.get("braze", {}).get("content_blocks", {}))

    @property
    def send(self) -> dict[str, Any]:
        """`[braze.send]`: the properties the run's send carries for every user, keyed as the
        admin API's send body takes them (`trigger_properties`, ...)."""
        given = self.data.get("braze", {}).get("send", {})
        return {key: dict(given[key]) for key in PROPERTY_KEYS if key in given}

    @property
    def transformation(self) -> dict[str, Any]:
        """The Data Transformation: name, code (the JavaScript text) and destination."""
        given = self.data.get("braze", {}).get("transformation")
        if given is None:
            return {
                "name": "SEEN video links",
                "code": _fixture_text(SEEN_TRANSFORMATION),
                "destination": "track-users",
            }
        code = given.get("code", self.transformation_code)
        return {
            "name": given.get("name", "Data Transformation"),
            "code": code if code is not None else self._read_code(given["code_file"]),
            "destination": given.get("destination", "track-users"),
        }

    @property
    def audience(self) -> AudienceSpec:
        given = self.data.get("audience", {})
        return AudienceSpec(
            users=given.get("users", 20),
            seed=given.get("seed", 1),
            locales=tuple(given.get("locales", DEFAULT_LOCALES)),
            probe=given.get("probe", True),
            profiles=[dict(profile) for profile in given.get("profiles", [])],
        )

    @property
    def faults(self) -> list[tuple[str, dict[str, Any]]]:
        """The fault rules, each with the service ("seen" or "braze") it applies to."""
        return [
            (rule["service"], {k: v for k, v in rule.items() if k != "service"})
            for rule in self.data.get("faults", [])
        ]

    def _read_code(self, name: str) -> str:
        code, problem = _read_code_file(self.path, name)
        if problem is not None:
            raise ScenarioError(f"{self.source}: {problem}", [problem])
        return code

    def problems(self) -> list[Problem]:
        """What the mocks' own parsers refuse (the second stage), every problem at once."""
        found: list[Problem] = []
        seen = self.data.get("seen", {})
        try:
            SeenSettings.from_dict({**seen.get("settings", {}), "campaigns": []})
        except SettingsError as exc:
            found.append(Problem(("seen", "settings"), "[seen.settings]", str(exc)))
        try:
            Campaign.from_dict(self.seen_campaign)
        except CampaignError as exc:
            found.append(Problem(("seen", "campaign"), "[seen.campaign]", str(exc)))
        braze: BrazeSettings | None = None
        try:
            braze = BrazeSettings.from_dict(self.data.get("braze", {}).get("settings", {}))
        except SettingsError as exc:
            found.append(Problem(("braze", "settings"), "[braze.settings]", str(exc)))
        table = self.data.get("braze", {})
        blocks: Any = None
        if "content_blocks" in table and "content_blocks" in table.get("settings", {}):
            found.append(
                Problem(
                    ("braze", "content_blocks"),
                    "[braze.content_blocks]",
                    "give the Content Blocks here or as [braze.settings] content_blocks, not both",
                )
            )
        elif "content_blocks" in table:
            try:
                blocks = parse_content_blocks(table["content_blocks"])
            except ContentBlockError as exc:
                where = "[braze.content_blocks]"
                found.append(Problem(("braze", "content_blocks"), where, str(exc)))
        elif braze is not None:
            blocks = parse_content_blocks(braze.content_blocks)
        if braze is not None and blocks is not None:
            try:
                parse_spec(self.webhook, braze, known_blocks=blocks)
            except WebhookCampaignError as exc:
                found.append(Problem(("braze", "webhook"), "[braze.webhook]", str(exc)))
        try:
            parse_properties(table.get("send", {}))
        except WebhookCampaignError as exc:
            found.append(Problem(("braze", "send"), "[braze.send]", str(exc)))
        for index, (service, rule) in enumerate(self.faults):
            where = f"[faults[{index}]]"
            try:
                FaultRule.from_dict(rule)
            except FaultRuleError as exc:
                found.append(Problem(("faults", index), where, str(exc)))
                continue
            problem = _fault_hop_problem(service, str(rule.get("hop", "")))
            if problem is not None:
                found.append(Problem(("faults", index, "hop"), f"{where} hop", problem))
        code = _table(self.data, "braze", "transformation").get("code")
        limit = RunLimits().code_chars
        if isinstance(code, str) and len(code) > limit:
            where = "[braze.transformation] code"
            message = (
                f"{len(code):,} characters of code, over the transformation runtime's limit "
                f"of {limit:,} (code_chars)"
            )
            found.append(Problem(("braze", "transformation", "code"), where, message))
        store = ProfileStore(now=lambda: 0.0)
        for index, profile in enumerate(self.audience.profiles):
            try:
                store.seed(profile)
            except ValueError as exc:
                where = f"[audience.profiles[{index}]]"
                found.append(Problem(("audience", "profiles", index), where, str(exc)))
        return found


def _fault_hop_problem(service: str, hop: str) -> str | None:
    """Why a fault rule's hop (a name or a glob) would never fire on `service`, if it would not."""
    hops = FAULT_HOPS.get(service)
    if hops is None or any(fnmatch.fnmatchcase(known, hop) for known in hops):
        return None
    close = difflib.get_close_matches(hop, hops, n=1)
    suggestion = f'; did you mean "{close[0]}"?' if close else ""
    return (
        f'"{hop}" matches no hop of the {service} mock ({", ".join(hops)}), so it would never '
        f"fire{suggestion}"
    )


def load_scenario(path: str | Path | None = None) -> Scenario:
    """The scenario at `path`, or the embedded default scenario, checked in full."""
    if path is None:
        text = _fixture_text(DEFAULT_SCENARIO)
        source = f"<embedded {DEFAULT_SCENARIO}>"
        folder = None
    else:
        try:
            text = read_text(path, SCENARIO_BYTES, "a scenario file")
        except FileReadError as exc:
            raise ScenarioError(f"{path}: {exc}") from None
        source = str(path)
        folder = Path(path).parent
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    problems = check_data(data)
    code: str | None = None
    transformation = _table(data, "braze", "transformation")
    if isinstance(transformation.get("code_file"), str):
        code, problem = _read_code_file(folder, transformation["code_file"])
        problems = problems if problem is None else sorted([*problems, problem], key=_order)
    _raise_if(source, problems)
    name = data.get("scenario", {}).get("name", source)
    scenario = Scenario(name=str(name), source=source, data=data, path=folder)
    scenario.transformation_code = code
    _raise_if(source, scenario.problems())
    return scenario


def check_data(data: Mapping[str, Any]) -> list[Problem]:
    """Every way `data` (a parsed scenario) breaks the scenario schema, sorted by path."""
    found: set[Problem] = set()
    for error in schemas.validator(SCHEMA).iter_errors(data):
        found.update(_explain(error, data))
    found.update(_setting_names(data))
    found.update(_locales(data))
    return sorted(found, key=_order)


# -- first stage: the schema, in plain words -------------------------------------------------

_NOUNS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a table",
    "array": "a list",
    "null": "empty",
}


def _explain(error: ValidationError, data: Any) -> list[Problem]:
    path: Path_ = tuple(error.absolute_path)
    keyword = str(error.validator)
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    rule: Any = error.validator_value
    custom = schema.get("x-error", {})
    if keyword in custom:
        choices = ", ".join(map(str, rule)) if isinstance(rule, list) else rule
        message = custom[keyword].format(value=_show(value), limit=rule, choices=choices)
        if keyword == "enum":
            message += _suggestion(value, rule)
        return [Problem(path, _where(path, data), message)]
    if keyword in ("anyOf", "oneOf") and error.context:
        leaf = best_match([error])
        if leaf is not None and leaf is not error:
            return _explain(leaf, data)
    if keyword == "required":
        missing = [name for name in rule if isinstance(value, dict) and name not in value]
        return [_missing(path, name, schema, data) for name in missing]
    if keyword == "additionalProperties" and isinstance(value, dict):
        known = list(schema.get("properties", {}))
        extra = [key for key in value if key not in known]
        return [_unknown((*path, key), key, value[key], known, data) for key in extra]
    return [Problem(path, _where(path, data), _words(keyword, error))]


def _words(keyword: str, error: ValidationError) -> str:
    value = error.instance
    rule: Any = error.validator_value
    shown = _show(value)
    if keyword == "type":
        kinds = [str(k) for k in (rule if isinstance(rule, list) else [rule])]
        return f"{shown} is not {' or '.join(_NOUNS.get(k, k) for k in kinds)}"
    if keyword == "minimum":
        return f"{shown} is below the minimum of {rule}"
    if keyword == "maximum":
        return f"{shown} is above the maximum of {rule}"
    if keyword == "minLength":
        return "may not be empty" if rule == 1 else f"{shown} is shorter than {rule} characters"
    if keyword == "maxLength":
        return f"{shown} is longer than {rule} characters"
    if keyword == "minItems":
        return "may not be empty" if rule == 1 else f"needs at least {rule} items"
    if keyword == "enum":
        return f"{shown} is not one of {', '.join(map(str, rule))}{_suggestion(value, rule)}"
    if keyword == "const":
        return f"must be {_show(rule)}"
    if keyword == "pattern":
        return f"{shown} does not match {rule}"
    return str(error.message)


def _missing(path: Path_, name: str, schema: Mapping[str, Any], data: Any) -> Problem:
    """`name` is missing from the table at `path`; a missing table is named in full."""
    declared = _resolve(schema.get("properties", {}).get(name, {}))
    if declared.get("type") != "object":
        return Problem(path, _where(path, data), f'"{name}" is required')
    keys: Path_ = (*path, name)
    while True:  # a required table inside the missing one: name the innermost
        properties = declared.get("properties", {})
        required = declared.get("required", [])
        inner = [k for k in required if _resolve(properties.get(k)).get("type") == "object"]
        if not inner:
            break
        keys = (*keys, inner[0])
        declared = _resolve(declared["properties"][inner[0]])
    needs = ", ".join(declared.get("required", []))
    table = ".".join(_key(str(k)) for k in keys)
    return Problem(keys, "", f"[{table}] is required" + (f" (with {needs}, ...)" if needs else ""))


def _unknown(path: Path_, key: str, value: Any, known: Sequence[str], data: Any) -> Problem:
    kind = "table" if isinstance(value, dict) else "key"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        hint = f'; did you mean "{close[0]}"?'
    else:
        hint = f"; known: {', '.join(sorted(known))}" if len(known) <= 12 else ""
    return Problem(path, _where(path, data), f"unknown {kind}{hint}")


def _suggestion(value: Any, choices: Iterable[Any]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, [str(c) for c in choices], n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def _setting_names(data: Mapping[str, Any]) -> list[Problem]:
    """Unknown setting names, checked against the mocks' settings (the schema lists none)."""
    found = []
    for service, kind in (("seen", SeenSettings), ("braze", BrazeSettings)):
        table = data.get(service, {})
        settings = table.get("settings") if isinstance(table, dict) else None
        if not isinstance(settings, dict):
            continue
        known = [f.name for f in dataclasses.fields(kind)]
        for key in settings:
            if key not in known:
                path = (service, "settings", key)
                found.append(_unknown(path, key, settings[key], known, data))
    return found


def _locales(data: Mapping[str, Any]) -> list[Problem]:
    """Locales the installed Faker does not know (the schema checks only their form)."""
    audience = data.get("audience")
    locales = audience.get("locales") if isinstance(audience, dict) else None
    if not isinstance(locales, list):
        return []
    found = []
    for index, locale in enumerate(locales):
        well_formed = isinstance(locale, str) and re.fullmatch(LOCALE_FORM, locale)
        if well_formed and locale not in FAKER_LOCALES:
            path = ("audience", "locales", index)
            message = f"{_show(locale)} is not a Faker locale"
            message += _suggestion(locale, sorted(FAKER_LOCALES))
            found.append(Problem(path, _where(path, data), message))
    return found


# -- where, in TOML terms --------------------------------------------------------------------


def _where(path: Path_, data: Any) -> str:
    """`[table.sub] key[2]` for a path: tables in brackets, then the key inside the table."""
    table: list[str] = []
    node = data
    index = 0
    while index < len(path):
        part = path[index]
        child = node.get(part) if isinstance(node, dict) and isinstance(part, str) else None
        if isinstance(child, dict):
            table.append(_key(str(part)))
            node, index = child, index + 1
            continue
        following = path[index + 1] if index + 1 < len(path) else None
        if (
            isinstance(child, list)
            and isinstance(following, int)
            and following < len(child)
            and isinstance(child[following], dict)
        ):
            table.append(f"{_key(str(part))}[{following}]")
            node, index = child[following], index + 2
            continue
        break
    key = ""
    for part in path[index:]:
        key += f"[{part}]" if isinstance(part, int) else ("." if key else "") + _key(part)
    header = f"[{'.'.join(table)}]" if table else ""
    return " ".join(p for p in (header, key) if p)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _order(problem: Problem) -> tuple[Any, ...]:
    parts = [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in problem.path]
    return (tuple(parts), problem.message)


def _resolve(schema: Any) -> dict[str, Any]:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        ref = schema["$ref"]
        if ref.startswith("#/"):
            node: Any = schemas.load(SCHEMA)
            for part in ref[2:].split("/"):
                node = node[part]
            return _resolve(node)
    return schema if isinstance(schema, dict) else {}


def _raise_if(source: str, problems: Sequence[Problem]) -> None:
    if problems:
        lines = "\n".join(f"{source}: {problem}" for problem in problems)
        raise ScenarioError(lines, problems)


def _read_code_file(folder: Path | None, name: str) -> tuple[str, Problem | None]:
    """The code file's text, or the problem naming the key and the path."""
    path: Path_ = ("braze", "transformation", "code_file")
    where = name if folder is None else str(folder / name)
    try:
        if folder is None:
            code = _fixture_text(name)
        else:
            code = read_text(folder / name, CODE_BYTES, "transformation code")
    except (OSError, UnicodeDecodeError) as exc:  # the embedded fixtures
        reason = getattr(exc, "strerror", None) or exc
        return "", Problem(
            path, "[braze.transformation] code_file", f"cannot read {where}: {reason}"
        )
    except FileUnreadable as exc:  # said as the embedded fixtures' are: "cannot read FILE: why"
        return "", Problem(
            path, "[braze.transformation] code_file", f"cannot read {where}: {exc.reason}"
        )
    except FileReadError as exc:
        return "", Problem(path, "[braze.transformation] code_file", f"{where}: {exc}")
    limit = RunLimits().code_chars
    if len(code) > limit:
        message = (
            f"{where}: {len(code):,} characters of code, over the transformation runtime's "
            f"limit of {limit:,} (code_chars)"
        )
        return "", Problem(path, "[braze.transformation] code_file", message)
    return code, None


def _table(data: Any, *keys: str) -> dict[str, Any]:
    """The table at `keys`, or {} where the scenario has none (or something else there)."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


@cache
def _fixture_text(name: str) -> str:
    return resources.files("seen_braze_harness.fixtures").joinpath(name).read_text("utf-8")
