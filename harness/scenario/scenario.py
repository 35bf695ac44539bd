"""Scenario files (TOML): the integration under test, as the integrator configured it.

A scenario is checked in two stages, and every problem of a stage is reported at once:
first against `schemas/harness/scenario.json` (plus what a schema cannot know: the mocks'
setting names, Faker's locales, the transformation's code file), then by the mocks' own
parsers (settings, campaign, webhook templates, fault rules, seeded profiles). The first
stage, and the `Problem` both stages report, are in `problems.py`.
"""

from __future__ import annotations

import difflib
import fnmatch
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from seen_braze_harness.fixtures import SEEN_TRANSFORMATION
from seen_braze_harness.harness.audience import DEFAULT_LOCALES, AudienceSpec
from seen_braze_harness.harness.hops import FAULT_HOPS
from seen_braze_harness.harness.reading import (
    CODE_BYTES,
    SCENARIO_BYTES,
    FileReadError,
    FileUnreadable,
    read_text,
)
from seen_braze_harness.harness.scenario.problems import (
    Path_,
    Problem,
    ScenarioError,
    check_data,
    problem_order,
)
from seen_braze_harness.mocks.braze.campaigns import (
    PROPERTY_KEYS,
    ContentBlockError,
    WebhookCampaignError,
    parse_content_blocks,
    parse_properties,
    parse_spec,
)
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track import ProfileStore
from seen_braze_harness.mocks.braze.transformations.jsruntime import RunLimits
from seen_braze_harness.mocks.core.faults import FaultRule, FaultRuleError
from seen_braze_harness.mocks.core.settings import SettingsError
from seen_braze_harness.mocks.seen.models import Campaign, CampaignError
from seen_braze_harness.mocks.seen.settings import SeenSettings

DEFAULT_SCENARIO = "default.toml"

DOCUMENTED_BODY = (
    '[{"first_name":"{{${first_name}}}","last_name":"{{${last_name}}}",'
    '"email":"{{${email_address}}}","customer_id":"{{${braze_id}}}"}]'
)
"""The webhook body Braze documents for SEEN (raw text)."""
DOCUMENTED_RATE = 10
"""Messages per minute Braze advises for SEEN, under SEEN's 1,000 calls an hour."""
SEEN_RECEIVERS_URL = "https://api.seen.io/v1/campaigns/{slug}/receivers/"


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
        problems = problems if problem is None else sorted([*problems, problem], key=problem_order)
    _raise_if(source, problems)
    name = data.get("scenario", {}).get("name", source)
    scenario = Scenario(name=str(name), source=source, data=data, path=folder)
    scenario.transformation_code = code
    _raise_if(source, scenario.problems())
    return scenario


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
