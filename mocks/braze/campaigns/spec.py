"""The campaign: its definition parsed and checked key by key (`parse_spec`), its Liquid
compiled once when it is saved (`CampaignTemplates`), and the saved campaign with its
dispatches (`WebhookCampaign`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.mocks.braze.campaigns.content_blocks import unknown_block
from seen_braze_harness.mocks.braze.campaigns.errors import WebhookCampaignError, _liquid_text
from seen_braze_harness.mocks.braze.campaigns.urls import url_problem
from seen_braze_harness.mocks.braze.liquid import BrazeTemplate, LiquidError, compile_template
from seen_braze_harness.mocks.braze.settings import BrazeSettings

METHODS = ("POST", "GET", "PUT", "DELETE")
BODY_FORMATS = ("raw", "json")
_KEYS = ("name", "url", "method", "headers", "body", "body_format", "rate_per_minute", "audience")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


@dataclass(frozen=True)
class CampaignTemplates:
    """A campaign's Liquid, compiled once when it is saved."""

    url: BrazeTemplate
    headers: tuple[tuple[str, BrazeTemplate], ...]
    raw_body: BrazeTemplate | None = None
    json_body: tuple[tuple[str, BrazeTemplate], ...] = ()

    def keyed(self) -> list[tuple[str, BrazeTemplate]]:
        """Every template with the campaign key it came from (`url`, `headers.X`, `body`)."""
        keyed: list[tuple[str, BrazeTemplate]] = [("url", self.url)]
        keyed += [(f"headers.{name}", t) for name, t in self.headers]
        if self.raw_body is not None:
            keyed.append(("body", self.raw_body))
        keyed += [(f"body.{key}", t) for key, t in self.json_body]
        return keyed


@dataclass(frozen=True)
class CampaignSpec:
    """A validated campaign definition, as the Compose tab holds it."""

    name: str
    url: str
    method: str
    headers: dict[str, str]
    body: str | dict[str, str]
    body_format: str
    rate_per_minute: int | None
    audience: str | list[str]
    templates: CampaignTemplates = field(repr=False, compare=False)
    content_blocks: tuple[str, ...] = ()
    """The Content Blocks its templates reference, in order of first use."""

    @property
    def liquid_warnings(self) -> list[dict[str, Any]]:
        """Where a template works only by Liquid's leniency or uses what Braze documents as
        unsupported: key, line and message, as the campaign's answer shows them."""
        return [
            {"key": key, "line": warning.line, "message": warning.message}
            for key, template in self.templates.keyed()
            for warning in template.warnings
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "method": self.method,
            "headers": dict(self.headers),
            "body": self.body if isinstance(self.body, str) else dict(self.body),
            "body_format": self.body_format,
            "rate_per_minute": self.rate_per_minute,
            "audience": self.audience if isinstance(self.audience, str) else list(self.audience),
        }


def parse_spec(
    data: Any, settings: BrazeSettings, *, known_blocks: Collection[str] | None = None
) -> CampaignSpec:
    """A campaign from plain data; WebhookCampaignError naming the key for anything unusable.

    With `known_blocks`, a template that references a Content Block not among them is
    refused, as Braze refuses to save it.
    """
    if not isinstance(data, Mapping):
        raise WebhookCampaignError("a campaign must be a JSON object")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise WebhookCampaignError(
            f"unknown key(s): {', '.join(unknown)}; allowed: {', '.join(_KEYS)}"
        )
    name = data.get("name", "Webhook campaign")
    if not isinstance(name, str) or not name.strip():
        raise WebhookCampaignError(f"name: must be a non-empty string, not {name!r}")
    url = data.get("url")
    if not isinstance(url, str) or not url.strip():
        raise WebhookCampaignError(f"url: required, a non-empty string, not {url!r}")
    url_template = _compile("url", url, settings.liquid_error_mode)
    if "{{" not in url and "{%" not in url:
        problem = url_problem(url, settings.webhook_allowed_ports)
        if problem is not None:
            raise WebhookCampaignError(f"url: {problem}")
    method = data.get("method", "POST")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise WebhookCampaignError(f"method: must be one of {', '.join(METHODS)}, not {method!r}")
    headers = data.get("headers", {})
    if not isinstance(headers, Mapping):
        raise WebhookCampaignError("headers: must be an object of header names to string values")
    header_templates: list[tuple[str, BrazeTemplate]] = []
    for key, value in headers.items():
        if not isinstance(key, str) or not _TOKEN.fullmatch(key):
            raise WebhookCampaignError(f"headers: {key!r} is not a valid header name")
        if not isinstance(value, str):
            raise WebhookCampaignError(f"headers.{key}: must be a string, not {value!r}")
        header_templates.append(
            (key, _compile(f"headers.{key}", value, settings.liquid_error_mode))
        )
    body = data.get("body", "")
    body_format = data.get("body_format", "json" if isinstance(body, Mapping) else "raw")
    if body_format not in BODY_FORMATS:
        raise WebhookCampaignError(f"body_format: must be 'raw' or 'json', not {body_format!r}")
    raw_body: BrazeTemplate | None = None
    json_body: list[tuple[str, BrazeTemplate]] = []
    if body_format == "raw":
        if not isinstance(body, str):
            raise WebhookCampaignError(
                "body: must be a string (Liquid text) when body_format is 'raw'"
            )
        raw_body = _compile("body", body, settings.liquid_error_mode)
    else:
        if not isinstance(body, Mapping):
            raise WebhookCampaignError(
                "body: must be an object of key-value pairs when body_format is 'json'"
            )
        for key, value in body.items():
            if not isinstance(key, str) or not key:
                raise WebhookCampaignError(f"body: key {key!r} must be a non-empty string")
            if not isinstance(value, str):
                raise WebhookCampaignError(
                    f"body.{key}: must be a string (Liquid text), not {value!r}"
                )
            json_body.append((key, _compile(f"body.{key}", value, settings.liquid_error_mode)))
    rate = data.get("rate_per_minute")
    low, high = settings.campaign_rate_min, settings.campaign_rate_max
    if rate is not None and (
        isinstance(rate, bool) or not isinstance(rate, int) or not low <= rate <= high
    ):
        raise WebhookCampaignError(
            f"rate_per_minute: must be a whole number from {low:,} to {high:,}, or null for "
            f"no limit, not {rate!r}"
        )
    audience = data.get("audience", "all")
    if audience != "all" and not (
        isinstance(audience, list) and all(isinstance(x, str) and x for x in audience)
    ):
        raise WebhookCampaignError(
            f"audience: must be 'all' or a list of external ids (strings), not {audience!r}"
        )
    templates = CampaignTemplates(
        url=url_template,
        headers=tuple(header_templates),
        raw_body=raw_body,
        json_body=tuple(json_body),
    )
    blocks = _referenced_blocks(templates, known_blocks)
    return CampaignSpec(
        name=name,
        url=url,
        method=method.upper(),
        headers=dict(headers),
        body=body if isinstance(body, str) else dict(body),
        body_format=body_format,
        rate_per_minute=rate,
        audience="all" if audience == "all" else list(audience),
        templates=templates,
        content_blocks=blocks,
    )


def _referenced_blocks(
    templates: CampaignTemplates, known: Collection[str] | None
) -> tuple[str, ...]:
    """The Content Blocks the templates use; WebhookCampaignError naming the key of an unknown
    one."""
    found: dict[str, None] = {}
    for key, template in templates.keyed():
        for name in template.content_block_names:
            if known is not None and name not in known:
                raise WebhookCampaignError(f"{key}: {unknown_block(name)}")
            found.setdefault(name)
    return tuple(found)


def _compile(key: str, source: str, mode: str) -> BrazeTemplate:
    try:
        return compile_template(source, mode)
    except LiquidError as exc:
        raise WebhookCampaignError(f"{key}: Liquid error: {_liquid_text(exc)}") from None


@dataclass
class WebhookCampaign:
    """A saved webhook campaign and the dispatches it has made."""

    id: str
    spec: CampaignSpec
    created_at: float
    dispatch_ids: list[str] = field(default_factory=list)
    place: int = field(default=0, compare=False)
    """Its place among the store's campaigns, in the order they were saved (for listing)."""

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def url(self) -> str:
        return self.spec.url

    @property
    def method(self) -> str:
        return self.spec.method

    @property
    def rate_per_minute(self) -> int | None:
        return self.spec.rate_per_minute

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.spec.to_dict(),
            "content_blocks": list(self.spec.content_blocks),
            "liquid_warnings": self.spec.liquid_warnings,
            "created_at": self.created_at,
            "dispatch_ids": list(self.dispatch_ids),
        }
