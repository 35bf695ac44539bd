"""Braze webhook campaigns: Liquid per user, the send rate, retries, the Message Activity Log.

A send makes one dispatch; its messages go out evenly spread at the campaign's rate on the
mock's scheduler, each rendered for its user when its turn comes (with the mock's clock as
Liquid's `now`), and each attempt goes through the shared `OutboundSender` (journaled as hop
`braze.webhook`; Test sends as `braze.webhook_test`).

Braze's documentation (braze-inc/braze-docs) this follows:

- `_docs/_user_guide/message_building_by_channel/webhooks/creating_a_webhook.md`: 408, 429
  and 5xx are retried "up to five times within 30 minutes using exponential backoff. If we
  can't reach your endpoint, retries may be spread over a 24-hour period"; 90 s timeout; the
  Test tab sends as a random user, a specific user (by email address or external id) or a
  customised one.
- `_docs/_user_guide/message_building_by_channel/webhooks/understanding_webhooks.md`: on an
  error response Braze adjusts the webhook's sending by `Retry-After`, `X-Rate-Limit-Limit`,
  `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset`.
- `_docs/_api/endpoints/messaging/send_messages/post_send_triggered_campaigns.md`: shared
  `trigger_properties` and per-recipient ones, which override conflicting keys.
- `_docs/_user_guide/engagement_tools/templates_and_media/content_blocks.md` and
  `_docs/_api/endpoints/templates/content_blocks_templates/post_create_email_content_block.md`:
  Content Block names, sizes and the errors Braze gives for them.

**Assumed** (Braze documents no more; each is the emulator's choice):

- Retries wait `webhook_retry_base` seconds, then `webhook_retry_factor` times longer each
  time (60, 120, 240, 480, 960 s: 31 minutes for 5 retries). A `Retry-After` on 408, 429 or
  5xx (seconds or an HTTP-date) replaces that step, but for at most `webhook_retry_after_max`
  seconds (30 minutes): Braze retries "within about 30 minutes", so no one wait it honours
  can be longer than that whole window. A `Retry-After` that is not a sensible wait (more
  than ten digits, an unreadable date) is ignored and the backoff step applies. Braze's own
  598 (paused host) and 599 (no response) are 5xx, so they are retried too.
- With no `Content-Type` header in the campaign, a body that parses as JSON is sent as
  `application/json`, any other as `text/plain`; an empty body gets none.
- Braze's `User-Agent` replaces one the campaign sets. Its hash is SHA-1 of
  `user_agent_seed` and the clock's UTC day.
- A JSON key-value body is sent compact (`{"a":"1","b":"2"}`), keys as written (not Liquid),
  values rendered as strings. A GET sends no body; one set on the campaign is kept, unused.
- A campaign without `rate_per_minute` is not rate limited: every message is due at once.
- Api ids are UUIDs and dispatch ids 24 hex characters (like Braze's), both derived from the
  mock's id seed, `campaign_seed` and a counter: the id seed is random at every start, so a
  web page cannot guess them, unless `id_seed` fixes it for a replay
  (`mocks.core.ids`). A Test send renders `campaign.${dispatch_id}` as the latest
  dispatch's id, or `dispatch_id_for_unsent_campaign` before the first send.
- A message held back past `webhook_abort_after` is logged as "Aborted message" when that
  horizon passes. A rendered URL that is not http(s), has no host or names a port Braze
  refuses, or a header value with a line break, is a render error ("Invalid webhook").
- A rendered header value loses its leading and trailing spaces and tabs (HTTP's optional
  whitespace, never part of a value). One with a character outside ISO-8859-1 (`王`, an
  emoji) is an "Invalid webhook" naming the header: HTTP field values are ASCII or, at most,
  ISO-8859-1 octets (RFC 9110 5.5), Braze documents no encoding for others, and sending UTF-8
  bytes would let a receiver read a different value than the template meant without anyone
  seeing an error. Templates can pass such values with `| url_encode` or `| base64_encode`.
  A URL or body with a lone surrogate (no UTF-8 form) is an "Invalid webhook" too.
- Anything that stops a request leaving (an error in the HTTP client) is a failed attempt
  with no response, reported as 599 and retried, like a refused connection.
- A host's failures are counted over a sliding minute; when the count goes over
  `host_pause_failures` the host is paused for `host_pause_seconds` and the count restarts.
  Test sends count, and are answered 598 while the host is paused.
- Test sends are not written to the Message Activity Log.
- "Can't reach your endpoint" is every attempt that got no response (Braze reports them all
  as 599 "Connection Error"). Those are retried with the same backoff, each wait at most
  `webhook_unreachable_max_wait` (4 h), for as long as the next attempt falls within
  `webhook_unreachable_window` (24 h, Braze's figure) of the first; the retry count does not
  apply to them. An HTTP error answer decides by the count and the 30-minute rule instead.
- The `X-Rate-Limit-*` headers are read on error responses only (Braze: "when Braze receives
  an error response"), per campaign and host: `X-Rate-Limit-Reset` is when the receiver's
  window ends (`webhook_rate_limit_reset`: `auto` reads a value of 1,000,000,000 or more as
  epoch seconds, a smaller one as seconds from now), `X-Rate-Limit-Remaining` how many more
  requests it takes before then (0 when absent), `X-Rate-Limit-Limit` how many it takes in
  each later window of the same length. Until the reset no more than the remaining requests
  leave; the rest wait for the next window, which then lets `Limit` through (without a
  `Limit`, sending is back to the campaign's own rate). Without a usable reset time the
  headers say nothing Braze could wait for and are ignored. A later error response replaces
  what the earlier one said. No window is taken to last longer than `webhook_abort_after`,
  and a message not yet sent that the headers hold back until its dispatch is that old or
  older is aborted (Braze aborts messages "delayed 72 hours or more"); one already tried
  keeps its retries. Test sends neither wait nor teach.
- A send's `trigger_properties` become `api_trigger_properties`; the emulator also lets a
  send (and a Test send) carry `event_properties` and `canvas_entry_properties` (alias
  `context`), which in Braze come from an action-based trigger and a Canvas entry, so that
  templates written for them can be tried. Per-recipient ones are merged key by key over the
  shared ones, as Braze merges `trigger_properties`.
- A Test send by email picks the profile `/users/track` would update for that email (the
  most recently updated one with an external id, else the most recently updated).
- Content Blocks: a name is 1 to 100 letters, digits, `-` and `_`; content at most 51,200
  bytes of UTF-8 ("50 KB"). A block or a campaign that references a block that does not
  exist is refused when saved ("Content Block 'x' does not exist"); one that references
  itself, directly or through other blocks, is refused with Braze's "Content Block cannot be
  referenced within itself.". Deleting a block a campaign or another block uses is refused
  (Braze: a block used in messages cannot be archived); a deleted block's name stays taken
  until the mock is reset (Braze: a name cannot be reused, even after archiving). Editing a
  block changes every campaign that uses it from its next render, as in Braze.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import math
import random
import re
import threading
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import urlsplit

from seen_braze_harness.mocks.braze import hops
from seen_braze_harness.mocks.braze.attributes import STANDARD_FIELDS, to_json
from seen_braze_harness.mocks.braze.dates import format_instant
from seen_braze_harness.mocks.braze.liquid import (
    AbortMessage,
    BrazeTemplate,
    LiquidError,
    compile_template,
)
from seen_braze_harness.mocks.braze.profiles import Identifier, Profile, ProfileStore
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.clock import Scheduler
from seen_braze_harness.mocks.core.delivery import (
    AttemptOutcome,
    Delivery,
    OutboundRequest,
    OutboundSender,
)
from seen_braze_harness.mocks.core.delivery import retry_after as retry_after_header
from seen_braze_harness.mocks.core.ids import IdMint
from seen_braze_harness.mocks.core.journal import header

HOP = hops.WEBHOOK.name
TEST_HOP = hops.WEBHOOK_TEST.name
METHODS = ("POST", "GET", "PUT", "DELETE")
BODY_FORMATS = ("raw", "json")
PAUSE_STATUSES = frozenset({408, 429, 502, 503, 504, 529})
"""Statuses that count towards pausing a host (Braze's list)."""
HOST_PAUSED = 598
NO_RESPONSE = 599
UNSENT_DISPATCH_ID = "dispatch_id_for_unsent_campaign"
MessageState = Literal[
    "scheduled", "sending", "delivered", "failed", "aborted", "render_error", "expired"
]
SINCE_PATTERN = (
    r"-?[0-9]{1,15}(\.[0-9]{1,9})?"
    r"|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?"
)
"""The activity log's `since`: clock seconds, or an ISO 8601 date or time (UTC when it names no
offset). Checked with `fullmatch`; the OpenAPI document anchors it. A date the pattern lets
through but the calendar has not (30 February, year 0) is refused too."""


STATES: tuple[MessageState, ...] = (
    "scheduled",
    "sending",
    "delivered",
    "failed",
    "aborted",
    "render_error",
    "expired",
)
LIQUID_ERROR = "Liquid error"
ABORTED = "Aborted message"
INVALID_WEBHOOK = "Invalid webhook"
_KEYS = ("name", "url", "method", "headers", "body", "body_format", "rate_per_minute", "audience")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_LOOPBACK_NAMES = ("localhost",)


class WebhookCampaignError(ValueError):
    """A campaign definition or a send request that cannot be used; the message names the key."""


class CampaignNotFound(LookupError):
    """No campaign has this id."""


class UserNotFound(LookupError):
    """No user matches what a Test send asked for."""


class InvalidWebhook(ValueError):
    """A rendered request Braze could not send (bad URL, a line break in a header)."""


# -- the retry policy ------------------------------------------------------------------------


def retryable(status: int) -> bool:
    """408, 429 and 5xx (with Braze's 598 and 599) are retried; 2xx, 3xx, other 4xx are not."""
    return status in (408, 429) or 500 <= status <= 599


def reported_status(outcome: AttemptOutcome) -> int:
    """The status Braze reports: a missing response (connection failure, timeout) is 599."""
    return NO_RESPONSE if outcome.status is None else outcome.status


@dataclass(frozen=True)
class WebhookRetry:
    """Braze's webhook retries: up to `retries` more attempts with exponential backoff;
    `Retry-After` (seconds or HTTP-date) is honoured for 408, 429 and 5xx instead, up to
    `retry_after_max` seconds (**assumed**: Braze retries "within about 30 minutes").

    An attempt that got no response (the endpoint could not be reached) is retried over the
    longer `unreachable_window` Braze documents, each wait at most `unreachable_max_wait`."""

    retries: int = 5
    base: float = 60.0
    factor: float = 2.0
    retry_after_max: float = 1800.0
    unreachable_window: float = 24 * 3600.0
    unreachable_max_wait: float = 4 * 3600.0

    def backoff(self, attempt: int) -> float:
        """Seconds after failed attempt number `attempt` (1 = the first send)."""
        return float(self.base * self.factor ** (attempt - 1))

    def next_delay(
        self, outcome: AttemptOutcome, *, first_attempt_at: float | None = None
    ) -> float | None:
        """Seconds until the next attempt, or None when `outcome` settles the message.

        `first_attempt_at` is when the message's first attempt went (default: this one's
        time), the start of the window an unreachable endpoint is retried in.
        """
        status = reported_status(outcome)
        if 200 <= status < 300 or not retryable(status):
            return None
        if outcome.status is None:
            wait = min(self.backoff(outcome.attempt), self.unreachable_max_wait)
            start = outcome.time if first_attempt_at is None else first_attempt_at
            return wait if outcome.time + wait <= start + self.unreachable_window else None
        if outcome.attempt > self.retries:
            return None
        asked = retry_after_header(outcome.headers, outcome.time)
        if asked is None:
            return self.backoff(outcome.attempt)
        return min(asked, self.retry_after_max)


def unreachable(outcome: AttemptOutcome) -> bool:
    """No response at all: a refused or dropped connection, a timeout, a client failure."""
    return outcome.status is None


# -- the receiver's own rate limit -----------------------------------------------------------

RATE_LIMIT_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")
EPOCH_FROM = 1_000_000_000
"""In `auto` mode an `X-Rate-Limit-Reset` this large or larger is epoch seconds (2001 on)."""


@dataclass
class _ReceiverWindow:
    """What the receiver's last error response said about its rate limit."""

    campaign_id: str
    host: str
    limit: int | None
    remaining: int
    reset_at: float
    length: float


def _count(value: str) -> int | None:
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


class ReceiverLimits:
    """The receiver's `X-Rate-Limit-*` headers on error responses, per campaign and host, and
    when each next attempt may leave so that sending slows down to what the receiver takes."""

    def __init__(self, *, reset_form: str, longest: float) -> None:
        self.reset_form = reset_form
        self.longest = longest
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _ReceiverWindow] = {}
        self.history: list[dict[str, Any]] = []
        """Every window learned: campaign, host, the headers' figures, from and until."""

    def learn(self, campaign_id: str, host: str, outcome: AttemptOutcome) -> dict[str, Any] | None:
        """Read an error response's headers; the window it starts, or None if it says none."""
        if outcome.ok or outcome.status is None:
            return None
        limit_text = header(outcome.headers, "X-Rate-Limit-Limit")
        remaining_text = header(outcome.headers, "X-Rate-Limit-Remaining")
        reset_text = header(outcome.headers, "X-Rate-Limit-Reset").strip()
        if not reset_text:
            return None
        try:
            reset = float(reset_text)
        except ValueError:
            return None
        if not math.isfinite(reset) or reset < 0:
            return None
        now = outcome.time
        as_epoch = self.reset_form == "epoch" or (self.reset_form == "auto" and reset >= EPOCH_FROM)
        reset_at = min(reset if as_epoch else now + reset, now + self.longest)
        if reset_at <= now:
            return None
        limit = _count(limit_text) if limit_text else None
        remaining = (_count(remaining_text) if remaining_text else None) or 0
        window = _ReceiverWindow(
            campaign_id, host, limit, remaining, reset_at, max(1.0, reset_at - now)
        )
        event = {
            "campaign_id": campaign_id,
            "host": host,
            "status": outcome.status,
            "limit": limit,
            "remaining": remaining,
            "from": now,
            "until": reset_at,
            "from_iso": format_instant(now),
            "until_iso": format_instant(reset_at),
            "exchange_id": outcome.exchange_id,
        }
        with self._lock:
            self._windows[(campaign_id, host)] = window
            self.history.append(event)
        return event

    def acquire(self, campaign_id: str, host: str, now: float) -> float | None:
        """None: an attempt may leave now (and is counted); else the time to try again."""
        with self._lock:
            window = self._windows.get((campaign_id, host))
            if window is None:
                return None
            if now >= window.reset_at:
                if window.limit is None:
                    del self._windows[(campaign_id, host)]
                    return None
                passed = math.floor((now - window.reset_at) / window.length) + 1
                window.reset_at += passed * window.length
                window.remaining = window.limit
            if window.remaining > 0:
                window.remaining -= 1
                return None
            return window.reset_at

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(event) for event in self.history]

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()
            self.history.clear()


# -- personalisation data besides the profile ------------------------------------------------

PROPERTY_KEYS: Mapping[str, str] = {
    "trigger_properties": "api_trigger_properties",
    "event_properties": "event_properties",
    "canvas_entry_properties": "canvas_entry_properties",
    "context": "canvas_entry_properties",
}
"""A send's key and the Liquid namespace it fills (`context` is `canvas_entry_properties`)."""
Properties = dict[str, dict[str, Any]]
"""Liquid namespace (`api_trigger_properties`, ...) to its key-value pairs."""


def parse_properties(given: Mapping[str, Any], where: str = "") -> Properties:
    """The property objects among `given`'s keys, by namespace; WebhookCampaignError naming
    the key."""
    found: Properties = {}
    named: dict[str, str] = {}
    for key, namespace in PROPERTY_KEYS.items():
        if key not in given:
            continue
        value = given[key]
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise WebhookCampaignError(
                f"{where}{key}: must be an object of key-value pairs, not {value!r}"
            )
        if namespace in named:
            raise WebhookCampaignError(
                f"{where}{key}: {named[namespace]} and {key} are the same namespace; give one"
            )
        named[namespace] = key
        found[namespace] = dict(value)
    return found


def merge_properties(shared: Properties, own: Properties) -> Properties:
    """A recipient's properties over the shared ones, key by key (Braze: they override)."""
    merged = {namespace: dict(values) for namespace, values in shared.items()}
    for namespace, values in own.items():
        merged[namespace] = {**merged.get(namespace, {}), **values}
    return merged


RECIPIENT_KEYS = ("external_user_id", *PROPERTY_KEYS)


def parse_recipients(given: Any) -> list[tuple[str, Properties]]:
    """`recipients` as `/campaigns/trigger/send` has them: each an `external_user_id` and its
    own properties."""
    if not isinstance(given, list):
        raise WebhookCampaignError("recipients: must be a list of recipient objects")
    found: list[tuple[str, Properties]] = []
    seen: set[str] = set()
    for index, item in enumerate(given):
        where = f"recipients[{index}]."
        if not isinstance(item, Mapping):
            raise WebhookCampaignError(f"recipients[{index}]: must be an object, not {item!r}")
        unknown = sorted(set(item) - set(RECIPIENT_KEYS))
        if unknown:
            raise WebhookCampaignError(
                f"{where[:-1]}: unknown key(s) {', '.join(unknown)}; allowed: "
                f"{', '.join(RECIPIENT_KEYS)}"
            )
        external_id = item.get("external_user_id")
        if not isinstance(external_id, str) or not external_id:
            raise WebhookCampaignError(f"{where}external_user_id: required, a non-empty string")
        if external_id in seen:
            raise WebhookCampaignError(f"{where}external_user_id: {external_id!r} is listed twice")
        seen.add(external_id)
        found.append((external_id, parse_properties(item, where)))
    return found


# -- Content Blocks --------------------------------------------------------------------------

CONTENT_BLOCK_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
CONTENT_BLOCK_MAX_BYTES = 50 * 1024
"""Braze: "Content Size: Maximum of 50 KB" (**assumed**: 51,200 bytes of UTF-8)."""
CONTENT_BLOCK_DESCRIPTION_MAX = 250


class ContentBlockError(ValueError):
    """A Content Block Braze would not save; the message is Braze's wording where it has one."""


class ContentBlockNotFound(LookupError):
    """No Content Block has this name."""


class ContentBlockInUse(ValueError):
    """A Content Block that campaigns or other blocks use cannot be deleted."""


@dataclass
class ContentBlock:
    """A saved Content Block: its Liquid and the blocks it uses."""

    name: str
    content: str
    description: str
    created_at: float
    updated_at: float
    uses: tuple[str, ...] = ()
    place: int = field(default=0, compare=False)
    """Its place among the store's blocks, in the order they were saved (for listing)."""

    @property
    def liquid_tag(self) -> str:
        return f"{{{{content_blocks.${{{self.name}}}}}}}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "content": self.content,
            "description": self.description,
            "liquid_tag": self.liquid_tag,
            "content_blocks": list(self.uses),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def check_block_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise ContentBlockError("Content Block name cannot be blank.")
    if len(name) > 100:
        raise ContentBlockError("Content Block name must be 100 characters or fewer.")
    if not CONTENT_BLOCK_NAME.fullmatch(name):
        raise ContentBlockError(
            "Content Block name can only contain alphanumeric characters (letters, digits, "
            f"'-' and '_'), not {name!r}."
        )
    return name


def check_block_content(content: Any) -> tuple[str, tuple[str, ...]]:
    """The content and the block names it references; ContentBlockError in Braze's words."""
    if content is None or content == "":
        raise ContentBlockError("Content cannot be blank.")
    if not isinstance(content, str):
        raise ContentBlockError("Content must be a string.")
    try:
        size = len(content.encode("utf-8"))
    except UnicodeEncodeError:
        raise ContentBlockError("Content has a lone surrogate, which has no UTF-8 form.") from None
    if size > CONTENT_BLOCK_MAX_BYTES:
        raise ContentBlockError(f"Content must be smaller than 50kb ({size:,} bytes).")
    try:
        template = compile_template(content)
    except LiquidError as exc:
        raise ContentBlockError(f"Content contains malformed liquid: {_liquid_text(exc)}") from None
    return content, tuple(template.content_block_names)


def check_block_description(description: Any) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise ContentBlockError("Content Block description must be a string.")
    if len(description) > CONTENT_BLOCK_DESCRIPTION_MAX:
        raise ContentBlockError("Content Block description must be shorter than 250 characters.")
    return description


def unknown_block(name: str) -> str:
    return f"Content Block {name!r} does not exist"


def check_block_graph(blocks: Mapping[str, Sequence[str]]) -> None:
    """Every referenced block exists and none reaches itself; ContentBlockError if not."""
    for name, uses in blocks.items():
        for used in uses:
            if used not in blocks:
                raise ContentBlockError(f"{name}: {unknown_block(used)}")
    for start in blocks:
        stack, seen = list(blocks[start]), set()
        while stack:
            current = stack.pop()
            if current == start:
                raise ContentBlockError(
                    f"{start}: Content Block cannot be referenced within itself."
                )
            if current not in seen:
                seen.add(current)
                stack.extend(blocks.get(current, ()))


def parse_content_blocks(data: Any) -> dict[str, ContentBlock]:
    """Blocks as settings and scenarios declare them (name to Liquid), checked together."""
    if not isinstance(data, Mapping):
        raise ContentBlockError("content_blocks: must map each block name to its Liquid")
    found: dict[str, ContentBlock] = {}
    for name, content in data.items():
        check_block_name(name)
        try:
            text, uses = check_block_content(content)
        except ContentBlockError as exc:
            raise ContentBlockError(f"{name}: {exc}") from None
        found[name] = ContentBlock(name, text, "", 0.0, 0.0, uses)
    check_block_graph({name: block.uses for name, block in found.items()})
    return found


# -- the campaign ----------------------------------------------------------------------------


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


def url_problem(url: str, allowed_ports: Sequence[int]) -> str | None:
    """Why Braze would not call `url`, or None. Loopback hosts may use any port (emulator)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"{url!r} must start with http:// or https://"
    host = parts.hostname
    if not host:
        return f"{url!r} has no host"
    port = port if port is not None else (443 if parts.scheme == "https" else 80)
    if allowed_ports and port not in allowed_ports and not _loopback(host):
        ports = " and ".join(str(p) for p in allowed_ports)
        return f"{url!r} uses port {port}; webhooks may only use ports {ports}"
    return None


def _loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


# -- rendering -------------------------------------------------------------------------------


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


# -- messages and dispatches -----------------------------------------------------------------


@dataclass
class WebhookMessage:
    """One user's webhook in a dispatch: when it is due, what was sent, how it ended."""

    index: int
    dispatch_id: str
    campaign_id: str
    external_id: str | None
    braze_id: str
    scheduled_at: float
    state: MessageState = "scheduled"
    request: RenderedRequest | None = None
    delivery: Delivery | None = None
    error: str | None = None
    """Why the message was not delivered (abort reason, Liquid error, last failure)."""
    properties: Properties = field(default_factory=dict)
    """The send's trigger, event and Canvas entry properties for this user, by namespace."""
    expires_at: float = math.inf
    """When a message not yet sent is aborted (the dispatch's time plus `webhook_abort_after`)."""
    held: list[dict[str, Any]] = field(default_factory=list)
    """Each time the receiver's `X-Rate-Limit-*` headers held an attempt back: from, until."""

    @property
    def status(self) -> int | None:
        """The last attempt's status as Braze reports it (599: no response), if any."""
        if self.delivery is None or not self.delivery.attempts:
            return None
        return reported_status(self.delivery.attempts[-1])

    @property
    def exchange_ids(self) -> list[int]:
        return [] if self.delivery is None else [a.exchange_id for a in self.delivery.attempts]

    def to_dict(self) -> dict[str, Any]:
        attempts = [] if self.delivery is None else list(self.delivery.attempts)
        return {
            "index": self.index,
            "dispatch_id": self.dispatch_id,
            "external_id": self.external_id,
            "braze_id": self.braze_id,
            "scheduled_at": self.scheduled_at,
            "scheduled_at_iso": format_instant(self.scheduled_at),
            "state": self.state,
            "status": self.status,
            "error": self.error,
            "request": None if self.request is None else self.request.to_dict(),
            "properties": {k: dict(v) for k, v in self.properties.items()},
            "held": [dict(h) for h in self.held],
            "attempts": [
                {
                    "attempt": a.attempt,
                    "time": a.time,
                    "status": reported_status(a),
                    "error": a.error,
                    "exchange_id": a.exchange_id,
                }
                for a in attempts
            ],
        }


@dataclass
class Dispatch:
    """One send of a campaign: its messages in send order, and the ids it could not find."""

    dispatch_id: str
    campaign_id: str
    created_at: float
    messages: list[WebhookMessage]
    skipped_external_ids: list[str] = field(default_factory=list)

    def states(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATES, 0)
        for message in self.messages:
            counts[message.state] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        first = self.messages[0].scheduled_at if self.messages else None
        last = self.messages[-1].scheduled_at if self.messages else None
        return {
            "dispatch_id": self.dispatch_id,
            "campaign_id": self.campaign_id,
            "created_at": self.created_at,
            "message_count": len(self.messages),
            "first_scheduled_at": first,
            "last_scheduled_at": last,
            "first_scheduled_at_iso": None if first is None else format_instant(first),
            "last_scheduled_at_iso": None if last is None else format_instant(last),
            "skipped_external_ids": list(self.skipped_external_ids),
            "states": self.states(),
        }


@dataclass
class TestSendResult:
    """What the Test tab shows: the status line, the response's headers and raw body."""

    status_line: str
    status: int | None
    headers: dict[str, str]
    body: str
    error: str | None
    request: RenderedRequest | None
    user: dict[str, Any]
    exchange_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status_line": self.status_line,
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body,
            "error": self.error,
            "request": None if self.request is None else self.request.to_dict(),
            "user": {
                "external_id": self.user.get("external_id"),
                "braze_id": self.user.get("braze_id"),
            },
            "exchange_id": self.exchange_id,
        }


# -- the Message Activity Log ----------------------------------------------------------------


class ActivityLog:
    """Failures, aborts and render errors, kept `retention` seconds; at most `per_hour`
    entries of one error type per campaign per clock hour (the rest are only counted)."""

    def __init__(self, *, retention: float, per_hour: int, body_cap: int) -> None:
        self.retention = retention
        self.per_hour = per_hour
        self.body_cap = body_cap
        self._lock = threading.Lock()
        self._entries: deque[tuple[int, dict[str, Any]]] = deque()
        """Each entry with its number, counted from 1 since the last clear (for listing)."""
        self._numbered = 0
        self._kept: dict[tuple[str, str, int], int] = {}
        self._suppressed: dict[tuple[str, str, int], int] = {}

    def add(self, entry: dict[str, Any], now: float) -> bool:
        """Keep `entry` (its `clock` is its time) unless its hour's cap is reached."""
        body = entry.get("response_body")
        if isinstance(body, str) and len(body) > self.body_cap:
            entry["response_body"] = body[: self.body_cap]
            entry["response_body_truncated"] = True
        key = (entry["campaign_id"], entry["error_type"], int(entry["clock"] // 3600))
        with self._lock:
            self._prune(now)
            if self._kept.get(key, 0) >= self.per_hour:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return False
            self._kept[key] = self._kept.get(key, 0) + 1
            self._numbered += 1
            self._entries.append((self._numbered, entry))
            return True

    def entries(
        self, now: float, *, campaign_id: str | None = None, since: float | None = None
    ) -> list[dict[str, Any]]:
        return [
            entry for _number, entry in self.numbered(now, campaign_id=campaign_id, since=since)
        ]

    def numbered(
        self, now: float, *, campaign_id: str | None = None, since: float | None = None
    ) -> list[tuple[int, dict[str, Any]]]:
        """The entries still retained, oldest first, each with its number."""
        with self._lock:
            self._prune(now)
            return [
                (number, dict(e))
                for number, e in self._entries
                if (campaign_id is None or e["campaign_id"] == campaign_id)
                and (since is None or e["clock"] >= since)
            ]

    def suppressed(self, now: float, *, campaign_id: str | None = None) -> list[dict[str, Any]]:
        """How many entries each capped hour left out."""
        with self._lock:
            self._prune(now)
            return [
                {
                    "campaign_id": cid,
                    "error_type": kind,
                    "hour": format_instant(hour * 3600.0),
                    "suppressed": count,
                }
                for (cid, kind, hour), count in sorted(self._suppressed.items())
                if campaign_id is None or cid == campaign_id
            ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._numbered = 0
            self._kept.clear()
            self._suppressed.clear()

    def _prune(self, now: float) -> None:
        cutoff = now - self.retention
        while self._entries and self._entries[0][1]["clock"] < cutoff:
            self._entries.popleft()
        for counts in (self._kept, self._suppressed):
            for key in [k for k in counts if (k[2] + 1) * 3600 < cutoff]:
                del counts[key]


# -- host pauses -----------------------------------------------------------------------------


class HostPauses:
    """Braze pauses a host that fails more than `threshold` times in a minute."""

    def __init__(self, *, threshold: int, seconds: float) -> None:
        self.threshold = threshold
        self.seconds = seconds
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._paused_until: dict[str, float] = {}
        self.history: list[dict[str, Any]] = []
        """Every pause so far: host, start and end (clock seconds and ISO 8601)."""

    def paused(self, host: str, now: float) -> float | None:
        """When the pause of `host` ends, if it is paused now."""
        with self._lock:
            until = self._paused_until.get(host)
            if until is None or now >= until:
                self._paused_until.pop(host, None)
                return None
            return until

    def count(self, host: str, status: int, now: float) -> float | None:
        """Count one answer; returns when the pause ends if this failure started one."""
        if status not in PAUSE_STATUSES:
            return None
        with self._lock:
            times = self._failures.setdefault(host, deque())
            times.append(now)
            while times and times[0] <= now - 60.0:
                times.popleft()
            if len(times) <= self.threshold:
                return None
            times.clear()
            until = now + self.seconds
            self._paused_until[host] = until
            self.history.append(
                {
                    "host": host,
                    "from": now,
                    "until": until,
                    "from_iso": format_instant(now),
                    "until_iso": format_instant(until),
                }
            )
            return until

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(event) for event in self.history]

    def snapshot(self, now: float) -> dict[str, float]:
        with self._lock:
            return {h: t for h, t in self._paused_until.items() if t > now}

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._paused_until.clear()
            self.history.clear()


# -- the store -------------------------------------------------------------------------------


class CampaignStore:
    """Every webhook campaign of the workspace, their dispatches and the activity log.

    Thread-safe: sends run on the scheduler (its executor in server mode), admin calls on
    the server's threads.
    """

    def __init__(
        self,
        *,
        settings: BrazeSettings,
        profiles: ProfileStore,
        sender: OutboundSender,
    ) -> None:
        self.settings = settings
        self.profiles = profiles
        self.sender = sender
        self.scheduler: Scheduler = sender.scheduler
        self.policy = WebhookRetry(
            settings.webhook_max_retries,
            settings.webhook_retry_base,
            settings.webhook_retry_factor,
            settings.webhook_retry_after_max,
            settings.webhook_unreachable_window,
            settings.webhook_unreachable_max_wait,
        )
        self.limits = ReceiverLimits(
            reset_form=settings.webhook_rate_limit_reset, longest=settings.webhook_abort_after
        )
        self.log = ActivityLog(
            retention=settings.activity_log_retention,
            per_hour=settings.activity_log_per_type_per_hour,
            body_cap=settings.activity_log_body_cap,
        )
        self.pauses = HostPauses(
            threshold=settings.host_pause_failures, seconds=settings.host_pause_seconds
        )
        self._lock = threading.RLock()
        self._campaigns: dict[str, WebhookCampaign] = {}
        self._dispatches: dict[str, Dispatch] = {}
        self._blocks: dict[str, ContentBlock] = {}
        self._retired_blocks: set[str] = set()
        """Names of deleted blocks: Braze never lets a name be used again."""
        self._ids = IdMint(settings.id_seed, scope=f"braze-campaigns:{settings.campaign_seed}")
        self._placed = 0
        """Campaigns and blocks saved since the last reset (their `place`)."""
        self._generation = 0
        self._rng = random.Random(f"{settings.campaign_seed}:test-users")

    def now(self) -> float:
        return self.scheduler.clock.now()

    def reset(self) -> None:
        """No campaigns or blocks but the settings' ones, no dispatches, an empty log."""
        with self._lock:
            self._generation += 1
            self._campaigns.clear()
            self._dispatches.clear()
            self._retired_blocks.clear()
            now = self.now()
            self._placed = 0
            self._blocks = {
                name: ContentBlock(name, b.content, "", now, now, b.uses, self._place())
                for name, b in parse_content_blocks(self.settings.content_blocks).items()
            }
            self._ids.reset()
            self._rng = random.Random(f"{self.settings.campaign_seed}:test-users")
        self.log.clear()
        self.pauses.clear()
        self.limits.clear()
        for spec in self.settings.campaigns:
            self.create(spec)

    # -- definitions -------------------------------------------------------------------------
    def create(self, spec: Any) -> WebhookCampaign:
        """Save a campaign; one whose templates use an unknown Content Block is refused."""
        with self._lock:
            parsed = parse_spec(spec, self.settings, known_blocks=self._blocks)
            campaign = WebhookCampaign(
                self._new_id("campaign", uuid_form=True), parsed, self.now(), place=self._place()
            )
            self._campaigns[campaign.id] = campaign
        return campaign

    # -- Content Blocks ----------------------------------------------------------------------
    def content_blocks(self) -> list[ContentBlock]:
        """Every Content Block, in the order they were saved."""
        with self._lock:
            return list(self._blocks.values())

    def content_block(self, name: str) -> ContentBlock:
        with self._lock:
            found = self._blocks.get(name)
        if found is None:
            raise ContentBlockNotFound(unknown_block(name))
        return found

    def block_sources(self) -> dict[str, str]:
        """Each block's Liquid by name, as a render takes them."""
        with self._lock:
            return {name: block.content for name, block in self._blocks.items()}

    def create_content_block(self, data: Any) -> ContentBlock:
        """Save a new block; ContentBlockError in Braze's words for what it would refuse."""
        if not isinstance(data, Mapping):
            raise ContentBlockError("a Content Block must be a JSON object")
        unknown = sorted(set(data) - {"name", "content", "description"})
        if unknown:
            raise ContentBlockError(
                f"unknown key(s): {', '.join(unknown)}; allowed: name, content, description"
            )
        name = check_block_name(data.get("name"))
        content, uses = check_block_content(data.get("content"))
        description = check_block_description(data.get("description"))
        with self._lock:
            if name in self._blocks or name in self._retired_blocks:
                raise ContentBlockError("Content Block with this name already exists.")
            self._check_uses(name, uses)
            now = self.now()
            block = ContentBlock(name, content, description, now, now, uses, self._place())
            self._blocks[name] = block
        return block

    def update_content_block(self, name: str, data: Any) -> ContentBlock:
        """Change a block's content or description (Braze never renames one)."""
        if not isinstance(data, Mapping):
            raise ContentBlockError("a Content Block update must be a JSON object")
        unknown = sorted(set(data) - {"name", "content", "description"})
        if unknown:
            raise ContentBlockError(
                f"unknown key(s): {', '.join(unknown)}; allowed: content, description"
            )
        if "name" in data and data["name"] != name:
            raise ContentBlockError("A Content Block cannot be renamed after it has been saved.")
        with self._lock:
            block = self.content_block(name)
            content, uses = block.content, block.uses
            if "content" in data:
                content, uses = check_block_content(data["content"])
            description = block.description
            if "description" in data:
                description = check_block_description(data["description"])
            self._check_uses(name, uses)
            block.content, block.uses, block.description = content, uses, description
            block.updated_at = self.now()
            return block

    def delete_content_block(self, name: str) -> None:
        """Remove a block no campaign or block uses; its name stays taken until reset."""
        with self._lock:
            self.content_block(name)
            users = [f"campaign {c.id}" for c in self._campaigns.values()
                     if name in c.spec.content_blocks]  # fmt: skip
            users += [f"Content Block {b.name}" for b in self._blocks.values() if name in b.uses]
            if users:
                raise ContentBlockInUse(
                    f"Content Block {name!r} is used by {', '.join(users)}; a block in use "
                    "cannot be archived or deleted"
                )
            del self._blocks[name]
            self._retired_blocks.add(name)

    def _check_uses(self, name: str, uses: Sequence[str]) -> None:
        """Called with the lock held: `name` using `uses` keeps every reference known and
        no block reaching itself."""
        graph = {n: b.uses for n, b in self._blocks.items()}
        graph[name] = tuple(uses)
        for used in uses:
            if used not in graph:
                raise ContentBlockError(unknown_block(used))
        try:
            check_block_graph(graph)
        except ContentBlockError:
            raise ContentBlockError("Content Block cannot be referenced within itself.") from None

    def get(self, campaign_id: str) -> WebhookCampaign:
        with self._lock:
            found = self._campaigns.get(campaign_id)
        if found is None:
            raise CampaignNotFound(f"no campaign {campaign_id!r}")
        return found

    def delete(self, campaign_id: str) -> None:
        """Remove a campaign; its messages not yet sent are aborted when they fall due."""
        with self._lock:
            if self._campaigns.pop(campaign_id, None) is None:
                raise CampaignNotFound(f"no campaign {campaign_id!r}")

    def dispatches(self, campaign_id: str) -> list[Dispatch]:
        with self._lock:
            campaign = self.get(campaign_id)
            return [self._dispatches[d] for d in campaign.dispatch_ids if d in self._dispatches]

    def dispatch(self, dispatch_id: str) -> Dispatch | None:
        with self._lock:
            return self._dispatches.get(dispatch_id)

    def messages(self, campaign_id: str) -> list[WebhookMessage]:
        return [m for d in self.dispatches(campaign_id) for m in d.messages]

    # -- sending -----------------------------------------------------------------------------
    def send(
        self,
        campaign_id: str,
        *,
        external_ids: Sequence[str] | None = None,
        properties: Mapping[str, Any] | None = None,
        recipients: Any = None,
    ) -> Dispatch:
        """One dispatch to the campaign's audience (or `external_ids`, or `recipients`),
        spread at its rate.

        `properties` holds `trigger_properties`, `event_properties` and
        `canvas_entry_properties` (or `context`) for every user; `recipients` is a list of
        `{"external_user_id": ..., "trigger_properties": {...}}` as `/campaigns/trigger/send`
        takes it, whose own properties override the shared ones. External ids with no user are
        skipped (listed in `skipped_external_ids`).
        """
        if external_ids is not None and (
            isinstance(external_ids, str)
            or not isinstance(external_ids, Sequence)
            or not all(isinstance(x, str) and x for x in external_ids)
        ):
            raise WebhookCampaignError("external_ids: must be a list of external ids (strings)")
        if properties is not None and not isinstance(properties, Mapping):
            raise WebhookCampaignError("properties: must be an object of property objects")
        shared = parse_properties(properties or {})
        own: dict[str, Properties] = {}
        if recipients is not None:
            if external_ids is not None:
                raise WebhookCampaignError(
                    "external_ids and recipients: give one of them, not both"
                )
            listed = parse_recipients(recipients)
            external_ids = [external_id for external_id, _ in listed]
            own = dict(listed)
        with self._lock:
            campaign = self.get(campaign_id)
            now = self.now()
            wanted = external_ids if external_ids is not None else campaign.spec.audience
            targets, skipped = self._audience(wanted)
            dispatch_id = self._new_id("dispatch")
            rate = campaign.spec.rate_per_minute
            horizon = now + self.settings.webhook_abort_after
            messages = [
                WebhookMessage(
                    index=i,
                    dispatch_id=dispatch_id,
                    campaign_id=campaign.id,
                    external_id=profile.external_id,
                    braze_id=profile.braze_id,
                    scheduled_at=now + (0.0 if rate is None else i * 60.0 / rate),
                    properties=merge_properties(shared, own.get(profile.external_id or "", {})),
                    expires_at=horizon,
                )
                for i, profile in enumerate(targets)
            ]
            dispatch = Dispatch(dispatch_id, campaign.id, now, messages, skipped)
            self._dispatches[dispatch_id] = dispatch
            campaign.dispatch_ids.append(dispatch_id)
            generation = self._generation
        expiring: list[WebhookMessage] = []
        owner = self.sender.service
        for message in messages:
            if message.scheduled_at > horizon:
                expiring.append(message)
                continue
            self.scheduler.call_at(
                message.scheduled_at,
                HOP,
                _bind(self._start, message, generation),
                owner=owner,
            )
        if expiring:
            self.scheduler.call_at(
                horizon,
                f"{HOP} expiry",
                lambda: self._expire(expiring, generation),
                owner=owner,
            )
        return dispatch

    def _audience(self, wanted: str | Sequence[str]) -> tuple[list[Profile], list[str]]:
        if wanted == "all":
            return self.profiles.query(), []
        targets: list[Profile] = []
        skipped: list[str] = []
        seen: set[str] = set()
        for external_id in wanted:
            if external_id in seen:
                continue
            seen.add(external_id)
            found = self.profiles.query(external_id=external_id)
            if found:
                targets.append(found[0])
            else:
                skipped.append(external_id)
        return targets, skipped

    def _start(self, message: WebhookMessage, generation: int) -> None:
        """A message's turn: render it for its user as they are now, then the first attempt."""
        with self._lock:
            if generation != self._generation or message.state != "scheduled":
                return
            campaign = self._campaigns.get(message.campaign_id)
            if campaign is None:
                message.state = "aborted"
                message.error = "the campaign was deleted"
                return
            message.state = "sending"
        now = self.now()
        profile = self.profiles.get(message.braze_id)
        user, custom = (
            profile_attributes(profile)
            if profile is not None
            else ({"external_id": message.external_id, "braze_id": message.braze_id}, {})
        )
        context = {"name": campaign.name, "api_id": campaign.id, "dispatch_id": message.dispatch_id}
        try:
            rendered = render_request(
                campaign.spec,
                user,
                context,
                custom=custom,
                settings=self.settings,
                now=now,
                properties=message.properties,
                content_blocks=self.block_sources(),
            )
            request = rendered.outbound(HOP, self.settings.webhook_timeout)
        except AbortMessage as exc:
            self._not_rendered(campaign, message, "aborted", ABORTED, exc.reason, now)
            return
        except (LiquidError, InvalidWebhook) as exc:
            kind = INVALID_WEBHOOK if isinstance(exc, InvalidWebhook) else LIQUID_ERROR
            self._not_rendered(campaign, message, "render_error", kind, _liquid_text(exc), now)
            return
        except Exception as exc:  # a template must not leave the message hanging
            text = f"{type(exc).__name__}: {exc}"
            self._not_rendered(campaign, message, "render_error", LIQUID_ERROR, text, now)
            return
        with self._lock:
            message.request = rendered
            message.delivery = Delivery(request)
        self._attempt(campaign, message, generation)

    def _attempt(self, campaign: WebhookCampaign, message: WebhookMessage, generation: int) -> None:
        delivery = message.delivery
        if delivery is None or generation != self._generation:
            return
        host = (urlsplit(delivery.request.url).hostname or "").lower()
        now = self.now()
        hold = self.limits.acquire(campaign.id, host, now)
        if hold is not None:
            self._hold(campaign, message, generation, now, hold)
            return
        outcome = self._attempt_once(delivery.request, len(delivery.attempts) + 1)
        with self._lock:
            if generation != self._generation:
                return
            delivery.attempts.append(outcome)
            wait = self.policy.next_delay(outcome, first_attempt_at=delivery.attempts[0].time)
            delivery.settled = wait is None
            if outcome.ok:
                message.state, message.error = "delivered", None
            else:
                message.state = "failed" if wait is None else "sending"
                message.error = outcome.describe()
        if not outcome.ok:
            self.limits.learn(campaign.id, host, outcome)
            self._log_failure(campaign, message, outcome, wait)
        if wait is not None:
            self.scheduler.call_later(
                wait,
                f"{HOP} retry",
                lambda: self._attempt(campaign, message, generation),
                owner=self.sender.service,
            )

    def _hold(
        self,
        campaign: WebhookCampaign,
        message: WebhookMessage,
        generation: int,
        now: float,
        until: float,
    ) -> None:
        """The receiver's rate limit is spent: try again when its window resets, unless a
        message not yet sent would by then be past its horizon (then it is aborted)."""
        delivery = message.delivery
        first = delivery is not None and not delivery.attempts
        with self._lock:
            message.held.append({"from": now, "until": until, "until_iso": format_instant(until)})
        if first and until >= message.expires_at:  # Braze: delayed "72 hours or more"
            self.scheduler.call_at(
                message.expires_at,
                f"{HOP} expiry",
                lambda: self._expire([message], generation, waiting="sending"),
                owner=self.sender.service,
            )
            return
        self.scheduler.call_at(
            until,
            f"{HOP} rate-limited",
            lambda: self._attempt(campaign, message, generation),
            owner=self.sender.service,
        )

    def _attempt_once(self, request: OutboundRequest, number: int) -> AttemptOutcome:
        """One attempt, unless the host is paused: then Braze answers 598 itself."""
        host = (urlsplit(request.url).hostname or "").lower()
        until = self.pauses.paused(host, self.now())
        if until is not None:
            return self.sender.record_unsent(
                request,
                number,
                status=HOST_PAUSED,
                body=b"Host paused by Braze after too many failures",
                headers={"Content-Type": "text/plain"},
                note=f"not sent: host {host} paused until {format_instant(until)}",
            )
        outcome = self.sender.send_once(request, number)
        self.pauses.count(host, reported_status(outcome), outcome.time)
        return outcome

    def _expire(
        self,
        messages: list[WebhookMessage],
        generation: int,
        *,
        waiting: MessageState = "scheduled",
    ) -> None:
        now = self.now()
        hours = self.settings.webhook_abort_after / 3600
        what = "the send rate" if waiting == "scheduled" else "the receiver's rate limit"
        for message in messages:
            with self._lock:
                if generation != self._generation or message.state != waiting:
                    continue
                if message.delivery is not None and message.delivery.attempts:
                    continue
                message.state = "expired"
                message.error = f"held back by {what} for more than {hours:g} hours"
                campaign = self._campaigns.get(message.campaign_id)
            self._log(
                campaign,
                message,
                now,
                error_type=ABORTED,
                status=None,
                message_text=f"Message expired: {message.error}",
            )

    def _not_rendered(
        self,
        campaign: WebhookCampaign,
        message: WebhookMessage,
        state: MessageState,
        kind: str,
        text: str,
        now: float,
    ) -> None:
        with self._lock:
            message.state = state
            message.error = text
        self._log(campaign, message, now, error_type=kind, status=None, message_text=text)

    def _log_failure(
        self,
        campaign: WebhookCampaign,
        message: WebhookMessage,
        outcome: AttemptOutcome,
        wait: float | None,
    ) -> None:
        status = reported_status(outcome)
        hours = self.policy.unreachable_window / 3600
        if wait is not None and unreachable(outcome):
            then = (
                f"retry {outcome.attempt} in {wait:g} s (an unreachable endpoint is retried "
                f"for up to {hours:g} hours)"
            )
        elif wait is not None:
            then = f"retry {outcome.attempt} of {self.policy.retries} in {wait:g} s"
        elif unreachable(outcome):
            then = (
                f"not delivered: unreachable for {hours:g} hours, after "
                f"{outcome.attempt - 1} retries"
            )
        elif retryable(status):
            then = f"not delivered after {self.policy.retries} retries"
        else:
            then = "not retried"
        what = outcome.error or f"HTTP {status}"
        self._log(
            campaign,
            message,
            outcome.time,
            error_type=f"Webhook HTTP {status}",
            status=status,
            message_text=f"{what}; {then}",
            response_body=outcome.body.decode("utf-8", errors="replace"),
            attempt=outcome.attempt,
            final=wait is None,
            exchange_id=outcome.exchange_id,
        )

    def _log(
        self,
        campaign: WebhookCampaign | None,
        message: WebhookMessage,
        when: float,
        *,
        error_type: str,
        status: int | None,
        message_text: str,
        response_body: str | None = None,
        attempt: int | None = None,
        final: bool = True,
        exchange_id: int | None = None,
    ) -> None:
        entry = {
            "time": format_instant(when),
            "clock": when,
            "campaign_id": message.campaign_id,
            "campaign_name": None if campaign is None else campaign.name,
            "dispatch_id": message.dispatch_id,
            "external_id": message.external_id,
            "braze_id": message.braze_id,
            "error_type": error_type,
            "status": status,
            "message": message_text,
            "response_body": response_body,
            "attempt": attempt,
            "final": final,
            "exchange_id": exchange_id,
        }
        self.log.add(entry, self.now())

    # -- the Test tab ------------------------------------------------------------------------
    def test_send(
        self,
        campaign_id: str,
        *,
        external_id: str | None = None,
        braze_id: str | None = None,
        email: str | None = None,
        user: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> TestSendResult:
        """One attempt, no retries, for a chosen (by external id, braze_id or email address),
        a custom or a random user of the audience; `properties` as for `send`."""
        campaign = self.get(campaign_id)
        chosen = (("external_id", external_id), ("braze_id", braze_id), ("email", email),
                  ("user", user))  # fmt: skip
        given = [k for k, v in chosen if v is not None]
        if len(given) > 1:
            raise WebhookCampaignError(f"{' and '.join(given)}: give one of them, not several")
        if properties is not None and not isinstance(properties, Mapping):
            raise WebhookCampaignError("properties: must be an object of property objects")
        values = parse_properties(properties or {})
        attributes, custom = self._test_user(campaign, external_id, braze_id, email, user)
        with self._lock:
            dispatch_id = campaign.dispatch_ids[-1] if campaign.dispatch_ids else UNSENT_DISPATCH_ID
        context = {"name": campaign.name, "api_id": campaign.id, "dispatch_id": dispatch_id}
        try:
            rendered = render_request(
                campaign.spec,
                attributes,
                context,
                custom=custom,
                settings=self.settings,
                now=self.now(),
                properties=values,
                content_blocks=self.block_sources(),
            )
            request = rendered.outbound(TEST_HOP, self.settings.webhook_timeout)
        except AbortMessage as exc:
            text = f"{ABORTED}: {exc.reason}"
            return TestSendResult(text, None, {}, "", text, None, attributes)
        except (LiquidError, InvalidWebhook) as exc:
            kind = INVALID_WEBHOOK if isinstance(exc, InvalidWebhook) else LIQUID_ERROR
            text = f"{kind}: {_liquid_text(exc)}"
            return TestSendResult(text, None, {}, "", text, None, attributes)
        except Exception as exc:  # the Test tab shows the error, as a send logs it
            text = f"{LIQUID_ERROR}: {type(exc).__name__}: {exc}"
            return TestSendResult(text, None, {}, "", text, None, attributes)
        outcome = self._attempt_once(request, 1)
        if outcome.status is None:
            error = outcome.error or "no response"
            return TestSendResult(
                error, NO_RESPONSE, {}, "", error, rendered, attributes, outcome.exchange_id
            )
        reason = outcome.reason or _phrase(outcome.status)
        return TestSendResult(
            f"HTTP/1.1 {outcome.status} {reason}".rstrip(),
            outcome.status,
            dict(outcome.headers),
            outcome.body.decode("utf-8", errors="replace"),
            None,
            rendered,
            attributes,
            outcome.exchange_id,
        )

    def _test_user(
        self,
        campaign: WebhookCampaign,
        external_id: str | None,
        braze_id: str | None,
        email: str | None,
        user: Mapping[str, Any] | None,
    ) -> UserValues:
        """The chosen user's values; a custom user is flat: keys other than ids and standard
        fields are custom attributes, as `/users/track` would store them."""
        if user is not None:
            if not isinstance(user, Mapping) or not all(isinstance(k, str) for k in user):
                raise WebhookCampaignError(
                    "user: must be an object of attributes in /users/track form"
                )
            return {"external_id": None, "braze_id": None, **user}, None
        if external_id is not None:
            if not isinstance(external_id, str):
                raise WebhookCampaignError(f"external_id: must be a string, not {external_id!r}")
            found = self.profiles.query(external_id=external_id)
            if not found:
                raise UserNotFound(f"no user with external_id {external_id!r}")
            return profile_attributes(found[0])
        if braze_id is not None:
            if not isinstance(braze_id, str):
                raise WebhookCampaignError(f"braze_id: must be a string, not {braze_id!r}")
            profile = self.profiles.get(braze_id)
            if profile is None:
                raise UserNotFound(f"no user with braze_id {braze_id!r}")
            return profile_attributes(profile)
        if email is not None:
            if not isinstance(email, str) or not email.strip():
                raise WebhookCampaignError(f"email: must be a non-empty string, not {email!r}")
            profile = self.profiles.lookup(Identifier("email", email))
            if profile is None:
                raise UserNotFound(f"no user with email address {email!r}")
            return profile_attributes(profile)
        audience, _skipped = self._audience(campaign.spec.audience)
        if not audience:
            raise UserNotFound("the campaign's audience has no users to pick from")
        with self._lock:
            chosen = self._rng.choice(audience)
        return profile_attributes(chosen)

    # -- the Message Activity Log ------------------------------------------------------------
    def activity_log(
        self, *, campaign_id: str | None = None, since: float | None = None
    ) -> list[dict[str, Any]]:
        """Entries oldest first: failures, aborts and render errors still retained."""
        return self.log.entries(self.now(), campaign_id=campaign_id, since=since)

    def numbered_activity_log(
        self, *, campaign_id: str | None = None, since: float | None = None
    ) -> list[tuple[int, dict[str, Any]]]:
        """The activity log's entries, oldest first, each with its number (for paging)."""
        return self.log.numbered(self.now(), campaign_id=campaign_id, since=since)

    def activity_log_suppressed(self, *, campaign_id: str | None = None) -> list[dict[str, Any]]:
        """Entries left out by the per-type hourly cap, counted per campaign, type and hour."""
        return self.log.suppressed(self.now(), campaign_id=campaign_id)

    def paused_hosts(self) -> dict[str, float]:
        """Hosts Braze answers 598 for now, with the clock time each pause ends."""
        return self.pauses.snapshot(self.now())

    def host_pauses(self) -> list[dict[str, Any]]:
        """Every host pause so far (host, from, until), oldest first."""
        return self.pauses.events()

    def rate_limit_windows(self, *, campaign_id: str | None = None) -> list[dict[str, Any]]:
        """Every window a receiver's `X-Rate-Limit-*` headers set, oldest first."""
        return [
            e
            for e in self.limits.events()
            if campaign_id is None or e["campaign_id"] == campaign_id
        ]

    # -- ids ---------------------------------------------------------------------------------
    def _new_id(self, kind: str, *, uuid_form: bool = False) -> str:
        """An id derived from the id seed and a counter (see the module's notes)."""
        return self._ids.uuid4(kind) if uuid_form else self._ids.hex(kind, 24)

    def _place(self) -> int:
        """Called with the lock held: the place of the campaign or block being saved."""
        self._placed += 1
        return self._placed

    def list(self) -> list[WebhookCampaign]:  # last: in the class body `list` is this method
        """Every campaign, oldest first."""
        with self._lock:
            return [*self._campaigns.values()]


def _bind(
    run: Callable[[WebhookMessage, int], None], message: WebhookMessage, generation: int
) -> Callable[[], None]:
    return lambda: run(message, generation)


def _liquid_text(exc: Exception) -> str:
    """The error's text, naming the template line when it has one."""
    text, line = str(exc), getattr(exc, "line", None)
    return f"line {line}: {text}" if isinstance(line, int) and f"line {line}" not in text else text


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
