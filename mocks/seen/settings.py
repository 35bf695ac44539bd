"""Settings of the SEEN mock. Defaults follow SEEN's receivers API documentation.

Every knob marked *assumed* is the emulator's choice where SEEN documents nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.mocks.core.settings import CoreSettings, SettingsError


@dataclass
class SeenSettings(CoreSettings):
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    """Campaigns present at start-up and after every reset; keys as `POST /_mock/campaigns`."""
    tokens: list[str] = field(default_factory=list)
    """Account-wide API tokens, valid for every campaign (campaigns may add their own)."""
    token_scoping: bool = False
    """*Assumed.* When true, a campaign's own token is refused (403) on other campaigns."""
    rate_limit: int = 1000
    """Calls per token per rolling `rate_window` (Braze's partner page: 1,000 per hour)."""
    rate_window: float = 3600.0
    """*Assumed* rolling window, in seconds, as Django REST Framework's throttles count."""
    batch_limit: int = 100
    """*Assumed.* Most receivers in one call."""
    allow_empty_batch: bool = False
    """*Assumed.* Whether `[]` is accepted (201 with `[]`) or refused (400)."""
    reject_duplicate_customer_id: bool = False
    """*Assumed* (weak evidence). Refuse a receiver whose `customer_id` the campaign has."""
    max_field_length: int = 255
    """*Assumed.* Most characters in a text field (first_name, last_name, customer_id)."""
    validate_email: bool = True
    """*Assumed.* Refuse a non-blank `email` that is not an address."""
    validate_phone: bool = True
    """*Assumed.* Refuse a non-blank `phone` that is not E.164 (`+4712345678`)."""
    max_body_bytes: int = 2_621_440
    """*Assumed* (Django's 2.5 MiB default). Larger bodies get 413."""
    render_seconds: float = 30.0
    """*Assumed.* Clock time from receiver creation to rendered video."""
    callback_retries: int = 2
    """Retries after a failed callback (3 calls in total)."""
    callback_retry_interval: float = 60.0
    """Seconds between callback attempts."""
    callback_timeout: float = 10.0
    """*Assumed.* Seconds before a callback attempt counts as failed."""
    link_seed: str = "seen-braze-harness"
    """Seed of the generated links: the same seed, campaign and receiver id give the same links."""
    landing_page_template: str = "https://play.seen.io/v/{code}/"
    """Landing page format; placeholders {code} (5 letters/digits), {number}, {id}, {slug}.
    SEEN's docs show the scheme-less `your.subdomain.com/v/{number}`."""
    media_base_url: str = "https://motions.seen.io"
    """Where video and thumbnails live: `<base>/<uuid4>/<40 hex>/output.m3u8`."""
    receivers_cap: int = 100_000
    """*Emulator only.* Most receivers kept; the oldest are forgotten beyond it."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in (
            "rate_limit",
            "batch_limit",
            "max_field_length",
            "max_body_bytes",
            "receivers_cap",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SettingsError(f"{name}: must be a whole number of at least 1, not {value!r}")
        if isinstance(self.callback_retries, bool) or not isinstance(self.callback_retries, int):
            raise SettingsError("callback_retries: must be a whole number")
        if self.callback_retries < 0:
            raise SettingsError("callback_retries: must be 0 or more")
        for name in ("rate_window", "callback_timeout"):
            value = getattr(self, name)
            if not _seconds(value) or value <= 0:
                raise SettingsError(f"{name}: must be a number of seconds above 0, not {value!r}")
        for name in ("render_seconds", "callback_retry_interval"):
            value = getattr(self, name)
            if not _seconds(value) or value < 0:
                raise SettingsError(
                    f"{name}: must be a number of seconds, 0 or more, not {value!r}"
                )
        for name in (
            "token_scoping",
            "allow_empty_batch",
            "reject_duplicate_customer_id",
            "validate_email",
            "validate_phone",
        ):
            if not isinstance(getattr(self, name), bool):
                raise SettingsError(f"{name}: must be true or false")
        try:
            self.landing_page_template.format(code="abcde", number=12345, id=1, slug="s")
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise SettingsError(
                f"landing_page_template: {exc!r}; use only {{code}}, {{number}}, {{id}}, {{slug}}"
            ) from None
        if not isinstance(self.tokens, list) or not all(isinstance(t, str) for t in self.tokens):
            raise SettingsError("tokens: must be a list of strings")


def _seconds(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
