"""Settings of the Braze mock. Defaults follow Braze's documentation.

Every knob marked *assumed* is the emulator's choice where Braze documents nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

from seen_braze_harness.mocks.braze.liquid.engine.context import Limits
from seen_braze_harness.mocks.core.settings import CoreSettings, SettingsError, setting

DEFAULT_API_KEY = "b7a2e5c0-5eeb-4d1e-9a6f-0123456789ab"
"""The emulator's default REST API key (Braze keys are UUIDs)."""

PERMISSIONS = ("users.track", "messages.send", "catalogs.update_items", "catalogs.get")
MIN_TRANSFORM_MEMORY = 8 * 1024 * 1024
"""The least JavaScript heap V8 can run the prelude and a transformation in."""
MAX_TRANSFORM_WORKERS = 64


def default_transform_workers() -> int:
    """JavaScript workers sized for this machine: one per CPU, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def seconds(default: float) -> float:
    """A duration setting: a finite number of seconds above 0."""
    return setting(
        default,
        above=0,
        wrong_type="{name}: must be a number of seconds, not {value!r}",
        out_of_range="{name}: must be above 0 seconds, not {value!r}",
    )


_API_KEYS = "{name}: must map each key to a list of permissions"


def _named_keys(name: str, keys: dict[str, list[str]]) -> str | None:
    return _API_KEYS.format(name=name) if not all(keys) else None


def _known_permissions(name: str, keys: dict[str, list[str]]) -> str | None:
    for key, permissions in keys.items():
        unknown = sorted(set(permissions) - set(PERMISSIONS))
        if unknown:
            return (
                f"{name}[{key!r}]: unknown permission(s) {', '.join(unknown)}; "
                f"known: {', '.join(PERMISSIONS)}"
            )
    return None


def _v8_heap(name: str, value: int) -> str | None:
    if value >= MIN_TRANSFORM_MEMORY:
        return None
    return f"{name}: V8 needs at least {MIN_TRANSFORM_MEMORY:,} bytes (8 MiB), not {value:,}"


def _at_most_workers(name: str, value: int) -> str | None:
    return (
        f"{name}: at most {MAX_TRANSFORM_WORKERS}, not {value}"
        if value > MAX_TRANSFORM_WORKERS
        else None
    )


# `setting()` returns a dataclasses.Field, as `field()` does: no default value is shared.


@dataclass
class BrazeSettings(CoreSettings):
    api_keys: dict[str, list[str]] = setting(
        factory=lambda: {DEFAULT_API_KEY: list(PERMISSIONS)},
        wrong_type=_API_KEYS,
        rules=(_named_keys, _known_permissions),
    )
    """REST API keys and the permissions each one has (`users.track`, ...)."""
    account_active: bool = setting(True, check_type=False)
    """False answers every key with 403 Access Denied, as Braze does for an inactive account."""
    object_limit: int = setting(75, minimum=1)
    """Objects per `/users/track` request."""
    object_limit_mode: Literal["total", "per_array"] = "total"
    """`total`: 75 across the three arrays (current accounts); `per_array`: 75 each (legacy)."""
    rate_limit: int = setting(3000, minimum=1)
    """Requests per `rate_window` to `/users/track`, per workspace."""
    rate_window: float = setting(
        3.0,
        above=0,
        wrong_type="{name}: must be a number of seconds",
        out_of_range="{name}: must be above 0, not {value!r}",
    )
    """Seconds; windows start on its multiples, so 3600 resets on the clock hour (hourly plans)."""
    rate_limit_reset: Literal["epoch", "seconds"] = "epoch"
    """`X-RateLimit-Reset` as epoch seconds or as seconds left (Braze's docs disagree)."""
    error_style: Literal["enum", "sentence"] = "enum"
    """Partial errors' `type`: the documented enum where one fits, or the live API's sentences."""
    max_body_bytes: int = setting(4 * 1024 * 1024, minimum=1)
    """*Assumed* for `/users/track` (most Braze endpoints take up to 4 MB); larger ones get 413."""
    max_json_depth: int = setting(50, minimum=1)
    """*Assumed.* Deepest nesting of the request body; deeper bodies get the bad-JSON 400."""
    external_id_max_bytes: int = setting(987, minimum=1)
    """Longest `external_id`, in UTF-8 bytes (EXTERNAL_USER_ID_TOO_LARGE beyond)."""
    blocked_external_ids: list[str] = setting(
        factory=lambda: ["null", "nil", "none", "undefined", "unknown", "N/A", "NaN"],
        check_type=False,
    )
    """*Assumed.* `external_id` values refused as BLACKLISTED_EXTERNAL_USER_ID (any case)."""
    array_cap: int = setting(
        25,
        minimum=1,
        maximum=500,
        wrong_type="{name}: must be a whole number",
        out_of_range="{name}: must be from 1 to 500, not {value}",
    )
    """Most values in an array custom attribute: 25 by default, settable up to 500 (Braze's
    current limit); the oldest go first."""
    transform_timeout: float = setting(
        1.0,
        above=0,
        maximum=60,
        wrong_type="{name}: must be a number of seconds",
        out_of_range="{name}: must be above 0 and at most 60, not {value!r}",
    )
    """*Assumed.* Seconds a transformation may run before it is stopped (timeout)."""
    transform_memory: int = setting(64 * 1024 * 1024, minimum=1, rules=(_v8_heap,))
    """*Assumed.* Bytes of JavaScript heap a transformation may use (memory); with a fixed
    32 MiB for V8's own working memory it also caps everything the run's worker process
    allocates (typed arrays included). At least 8 MiB."""
    transform_workers: int = setting(
        factory=default_transform_workers, minimum=1, rules=(_at_most_workers,)
    )
    """*Assumed.* JavaScript worker processes that run transformations at once: one per CPU,
    at most 4 (`min(4, os.cpu_count())`). The first starts with the first run; each other
    one when a run would otherwise wait (each costs about 80 MB)."""
    transform_queue: int = setting(1000, minimum=1)
    """*Assumed.* Webhook runs that may wait for a worker; when that many wait, a webhook is
    answered 429 (with `Retry-After`) and not taken. 1,000, a minute of webhooks at
    `transform_rate_limit`: under the virtual clock, where runs wait for the clock to move,
    the queue never refuses what the rate limit lets through. Waiting runs are served in
    turn per transformation."""
    transform_rate_limit: int = setting(1000, minimum=1)
    """Incoming webhook requests per minute per workspace (429 beyond: **assumed**)."""
    transform_active_limit: int = setting(5, minimum=1)
    """Active transformations per company: 5 on Data Transformation's free tier, 55 on Pro.
    Activating one more is refused (409; the wording is **assumed**)."""
    transform_monthly_limit: int = setting(300_000, minimum=1)
    """Incoming webhook requests per calendar month (UTC, on the mock's clock: **assumed**):
    300,000 on the free tier, 10,300,000 on Pro; beyond it 429 (**assumed**)."""
    transformation_log_cap: int = setting(1000, minimum=1)
    """Log entries kept across the workspace's transformations, newest first (Braze's Logs tab
    lists recent requests; how many it keeps is **assumed**)."""
    profile_seed: str = setting("seen-braze-harness", check_type=False)
    """Seed of the `braze_id`s the mock assigns (with `id_seed`)."""
    profiles_cap: int = setting(100_000, minimum=1)
    """*Assumed* (emulator only: Braze keeps every profile). Most profiles kept; beyond it the
    oldest is forgotten and the request's journal note says so, so a long soak stays flat."""
    seed_batch_limit: int = setting(1000, minimum=1)
    """*Assumed.* Most profiles one `POST /_mock/users` may seed; more is a 400 problem."""
    profiles: list[dict[str, Any]] = setting(factory=list, check_type=False)
    """Profiles present at start-up and after every reset, as for `POST /_mock/users` (checked as
    they are seeded)."""
    campaigns: list[dict[str, Any]] = setting(
        factory=list, wrong_type="{name}: must be a list of campaign objects"
    )
    """Webhook campaigns present at start-up and after every reset, as for
    `POST /_mock/campaigns` (see `mocks.braze.campaigns`)."""
    campaign_seed: str = "seen-braze-harness"
    """Seed of the campaign api ids, dispatch ids and random Test-tab users (runs repeat)."""
    campaign_rate_min: int = setting(10, minimum=1, not_above="campaign_rate_max")
    """Lowest webhook send rate a campaign may set, in messages per minute."""
    campaign_rate_max: int = setting(500_000, minimum=1)
    """Highest webhook send rate a campaign may set, in messages per minute."""
    webhook_timeout: float = seconds(90.0)
    """Seconds Braze waits for a webhook's response before counting it a timeout (599)."""
    webhook_max_retries: int = setting(5, minimum=0, maximum=100)
    """Retries after a first failed attempt (408, 429, 5xx, 599), "up to 5 within about 30
    minutes"."""
    webhook_retry_base: float = seconds(60.0)
    """*Assumed.* Seconds before the first retry; Braze documents only exponential backoff."""
    webhook_retry_factor: float = setting(
        2.0, minimum=1, maximum=100, wrong_type="{name}: must be from 1 to 100, not {value!r}"
    )
    """*Assumed.* Each retry waits this many times the previous one: 60, 120, 240, 480, 960 s
    by default (31 minutes in all). A `Retry-After` on 408, 429 or 5xx replaces the step."""
    webhook_retry_after_max: float = seconds(1800.0)
    """*Assumed.* Longest wait a `Retry-After` can ask of one retry, in seconds; a longer one
    waits this long. Braze retries "within about 30 minutes", so no single wait it honours can
    exceed that window: 30 minutes."""
    webhook_unreachable_window: float = seconds(24 * 3600.0)
    """Seconds after a message's first attempt within which an endpoint that could not be
    reached (no response, 599) is still retried (Braze: "retries may be spread over a 24-hour
    period")."""
    webhook_unreachable_max_wait: float = seconds(4 * 3600.0)
    """*Assumed.* Longest wait between two attempts at an unreachable endpoint, in seconds: the
    backoff doubles up to this, so 24 hours hold 12 retries by default."""
    webhook_rate_limit_reset: Literal["auto", "seconds", "epoch"] = "auto"
    """*Assumed.* How a webhook receiver's `X-Rate-Limit-Reset` is read: `auto` takes 10 digits
    or more as epoch seconds and less as seconds from now (Braze names the header only)."""
    content_blocks: dict[str, str] = setting(factory=dict, check_type=False)
    """Content Blocks present at start-up and after every reset: name to Liquid, as for
    `POST /_mock/content_blocks` (parsed with `campaigns`, once every other setting passed)."""
    webhook_abort_after: float = seconds(72 * 3600.0)
    """Seconds after the dispatch beyond which a message held back by the rate is aborted."""
    webhook_allowed_ports: list[int] = setting(
        factory=lambda: [80, 443],
        minimum=1,
        maximum=65535,
        wrong_type="{name}: must be a list of ports from 1 to 65535",
    )
    """Ports a webhook URL may name (Braze: 80 and 443 only). Loopback hosts may use any port,
    the emulator's allowance; an empty list allows every port."""
    host_pause_failures: int = setting(3000, minimum=1)
    """Failures (408, 429, 502, 503, 504, 529) of one host within a minute beyond which Braze
    pauses the host."""
    host_pause_seconds: float = seconds(60.0)
    """How long a paused host gets Braze's own simulated 598, no request being sent."""
    activity_log_retention: float = seconds(60 * 3600.0)
    """Seconds the Message Activity Log keeps an entry."""
    activity_log_per_type_per_hour: int = setting(20, minimum=1)
    """Most entries of one error type per campaign per clock hour; the rest are counted."""
    activity_log_body_cap: int = setting(1024, minimum=1)
    """*Assumed.* Characters of a response body an activity-log entry keeps."""
    user_agent_seed: str = "seen-braze-harness"
    """*Assumed.* The hash in `User-Agent: Braze Sender <hash>` is SHA-1 of this seed and the
    clock's UTC day, so it changes once a day (Braze: "the hash changes over time")."""

    liquid_error_mode: Literal["lax", "warn", "strict"] = setting(
        "lax", wrong_type="{name}: must be one of {choices}, not {value!r}"
    )
    """How templates are parsed, as Ruby Liquid's error modes. `lax` (**assumed** to be Braze's:
    Braze documents Liquid 5 but not its mode, and its own examples rely on lax leniencies)
    renders what Ruby's lax mode accepts and warns where only leniency accepts it; `warn` parses
    strictly first and falls back to lax with a warning; `strict` refuses such templates."""
    liquid_loop_limit: int = setting(100_000, minimum=1)
    """*Assumed.* Most loop iterations one render may make (nested loops multiply)."""
    liquid_output_limit: int = setting(1_000_000, minimum=1)
    """*Assumed.* Most bytes of UTF-8 one render may produce."""
    liquid_assign_limit: int = setting(1_000_000, minimum=1)
    """*Assumed.* Most bytes of text a render's assigned and captured values may hold."""
    liquid_scope_limit: int = setting(30, minimum=1)
    """*Assumed.* Most nested loop scopes in one render."""
    liquid_integer_bits: int = setting(100_000, minimum=1)
    """*Assumed.* Largest integer (in bits) Liquid arithmetic may make; Ruby's have no bound."""
    liquid_render_seconds: float = seconds(5.0)
    """*Assumed.* Longest one render may take, for work the other limits do not count."""

    @property
    def liquid_limits(self) -> Limits:
        """The render limits these settings give."""
        return Limits(
            loop_iterations=self.liquid_loop_limit,
            output_bytes=self.liquid_output_limit,
            assign_score=self.liquid_assign_limit,
            scope_depth=self.liquid_scope_limit,
            integer_bits=self.liquid_integer_bits,
            seconds=self.liquid_render_seconds,
        )

    def __post_init__(self) -> None:
        super().__post_init__()
        self._parse_campaigns()

    def _parse_campaigns(self) -> None:
        """The Content Blocks, then each campaign against them and the other settings."""
        from seen_braze_harness.mocks.braze.campaigns.content_blocks import (
            ContentBlockError,
            parse_content_blocks,
        )
        from seen_braze_harness.mocks.braze.campaigns.errors import WebhookCampaignError
        from seen_braze_harness.mocks.braze.campaigns.spec import parse_spec

        try:
            blocks = parse_content_blocks(self.content_blocks)
        except ContentBlockError as exc:
            raise SettingsError(f"content_blocks: {exc}") from None
        for index, spec in enumerate(self.campaigns):
            try:
                parse_spec(spec, self, known_blocks=blocks)
            except WebhookCampaignError as exc:
                raise SettingsError(f"campaigns[{index}]: {exc}") from None
