"""Rendering: one user's request built from the campaign's templates when its turn comes,
with Braze's rules for the URL, the headers, the body, `Content-Type` and `User-Agent`, and
what a render reads of a stored profile."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from seen_braze_harness.mocks.braze.campaigns.errors import InvalidWebhook
from seen_braze_harness.mocks.braze.campaigns.spec import CampaignSpec
from seen_braze_harness.mocks.braze.campaigns.urls import url_problem
from seen_braze_harness.mocks.braze.liquid import BrazeTemplate
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track import STANDARD_FIELDS, Profile, to_json
from seen_braze_harness.mocks.core.delivery import OutboundRequest


@dataclass(frozen=True)
class RenderedRequest:
    """The request Braze built for one user: what goes on the wire."""

    method: str
    url: str
    headers: dict[str, str]
    body: str | None

    def outbound(self, hop: str, timeout: float) -> OutboundRequest:
        data = b"" if self.body is None else self.body.encode("utf-8")
        return OutboundRequest(hop, self.method, self.url, dict(self.headers), data, timeout)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "body": self.body,
        }


UserValues = tuple[dict[str, Any], dict[str, Any] | None]
"""What a render reads of a user: ids and standard fields by their `/users/track` names, and
the custom attributes apart (None: the first is one flat object holding both)."""


def profile_attributes(profile: Profile) -> tuple[dict[str, Any], dict[str, Any]]:
    """A stored profile as a render reads it: ids and standard fields (JSON forms), and the
    custom attributes apart, so a custom attribute can never stand in for a standard tag."""
    with profile.lock:
        data: dict[str, Any] = {"external_id": profile.external_id, "braze_id": profile.braze_id}
        for name in STANDARD_FIELDS:
            if name in profile.standard:
                data[name] = to_json(profile.standard[name])
        custom = {name: to_json(value) for name, value in profile.custom.items()}
        return data, custom


def user_agent(seed: str, now: float) -> str:
    """`Braze Sender <40 hex>`; the hash changes with the UTC day (assumed)."""
    return _user_agent(seed, int(now // 86400))


@functools.lru_cache(maxsize=64)
def _user_agent(seed: str, day: int) -> str:
    return f"Braze Sender {hashlib.sha1(f'{seed}:{day}'.encode()).hexdigest()}"


def infer_content_type(body: str) -> str | None:
    """What Braze sends as `Content-Type` when the campaign sets none (assumed rule)."""
    if not body:
        return None
    try:
        json.loads(body)
    except ValueError:
        return "text/plain"
    return "application/json"


def render_request(
    spec: CampaignSpec,
    user: Mapping[str, Any],
    campaign: Mapping[str, Any],
    *,
    custom: Mapping[str, Any] | None = None,
    settings: BrazeSettings,
    now: float,
    properties: Mapping[str, Mapping[str, Any]] | None = None,
    content_blocks: Mapping[str, str] | None = None,
) -> RenderedRequest:
    """The request for one user. Raises AbortMessage, LiquidError or InvalidWebhook.

    `user` and `custom` are as `BrazeTemplate.render` takes them: a profile's standard values
    and its custom attributes, or (`custom` None) one flat `/users/track`-form object.
    `properties` are the send's trigger, event and Canvas entry properties by namespace,
    `content_blocks` every block's Liquid by name; `now` is the mock's clock, Liquid's `now`.
    """
    templates = spec.templates

    def render(template: BrazeTemplate) -> str:
        return template.render(
            user,
            custom=custom,
            campaign=campaign,
            properties=properties,
            content_blocks=content_blocks,
            now=now,
            limits=settings.liquid_limits,
        )

    url = render(templates.url).strip()
    problem = url_problem(url, settings.webhook_allowed_ports)
    if problem is None and not _utf8(url):
        problem = "the rendered URL has a lone surrogate, which has no UTF-8 form"
    if problem is not None:
        raise InvalidWebhook(f"url: {problem}")
    headers: dict[str, str] = {}
    for name, template in templates.headers:
        value = render(template).strip(" \t")
        if "\r" in value or "\n" in value:
            raise InvalidWebhook(f"headers.{name}: the rendered value has a line break")
        control = _HEADER_CONTROL.search(value)
        if control is not None:
            raise InvalidWebhook(
                f"headers.{name}: the rendered value has the control character "
                f"U+{ord(control.group()):04X}, which an HTTP header cannot carry"
            )
        unsendable = _not_latin1(value)
        if unsendable is not None:
            raise InvalidWebhook(
                f"headers.{name}: the rendered value has {unsendable}, which an HTTP header "
                "cannot carry (ISO-8859-1 only); encode it, e.g. with | url_encode"
            )
        headers[name] = value
    body: str | None = None
    if spec.method != "GET":
        if templates.raw_body is not None:
            body = render(templates.raw_body)
        else:
            pairs = {key: render(t) for key, t in templates.json_body}
            body = json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))
        if not _utf8(body):
            raise InvalidWebhook("body: the rendered body has a lone surrogate (no UTF-8 form)")
        if not any(k.lower() == "content-type" for k in headers):
            content_type = infer_content_type(body)
            if content_type is not None:
                headers["Content-Type"] = content_type
    for name in [k for k in headers if k.lower() == "user-agent"]:
        del headers[name]
    headers["User-Agent"] = user_agent(settings.user_agent_seed, now)
    return RenderedRequest(spec.method, url, headers, body)


_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""What RFC 9110 forbids in a field value besides CR and LF (a tab is allowed)."""


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_latin1(value: str) -> str | None:
    """The first character of a header value outside ISO-8859-1, described, or None."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError as exc:
        char = value[exc.start]
        return f"{char!r} (U+{ord(char):04X})"
    return None
