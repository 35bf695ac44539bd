"""Settings of the SEEN mock. Defaults follow SEEN's receivers API documentation.

Every knob marked *assumed* is the emulator's choice where SEEN documents nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seen_braze_harness.mocks.core.settings import CoreSettings, setting

_ABOVE_0 = "{name}: must be a number of seconds above 0, not {value!r}"
_0_OR_MORE = "{name}: must be a number of seconds, 0 or more, not {value!r}"


def _placeholders(name: str, template: Any) -> str | None:
    """Whether `template` formats with the landing page's placeholders, and only those."""
    try:
        template.format(code="abcde", number=12345, id=1, slug="s")
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        return f"{name}: {exc!r}; use only {{code}}, {{number}}, {{id}}, {{slug}}"
    return None


# `setting()` returns a dataclasses.Field, as `field()` does: no default value is shared.


@dataclass
class SeenSettings(CoreSettings):
    campaigns: list[dict[str, Any]] = setting(factory=list, check_type=False)
    """Campaigns present at start-up and after every reset; keys as `POST /_mock/campaigns`
    (checked where they are read, by `Campaign.from_dict`)."""
    tokens: list[str] = setting(factory=list, wrong_type="{name}: must be a list of strings")
    """Account-wide API tokens, valid for every campaign (campaigns may add their own)."""
    token_scoping: bool = False
    """*Assumed.* When true, a campaign's own token is refused (403) on other campaigns."""
    rate_limit: int = setting(1000, minimum=1)
    """Calls per token per rolling `rate_window` (Braze's partner page: 1,000 per hour)."""
    rate_window: float = setting(3600.0, above=0, wrong_type=_ABOVE_0)
    """*Assumed* rolling window, in seconds, as Django REST Framework's throttles count."""
    batch_limit: int = setting(100, minimum=1)
    """*Assumed.* Most receivers in one call."""
    allow_empty_batch: bool = False
    """*Assumed.* Whether `[]` is accepted (201 with `[]`) or refused (400)."""
    reject_duplicate_customer_id: bool = False
    """*Assumed* (weak evidence). Refuse a receiver whose `customer_id` the campaign has."""
    max_field_length: int = setting(255, minimum=1)
    """*Assumed.* Most characters in a text field (first_name, last_name, customer_id)."""
    validate_email: bool = True
    """*Assumed.* Refuse a non-blank `email` that is not an address."""
    validate_phone: bool = True
    """*Assumed.* Refuse a non-blank `phone` that is not E.164 (`+4712345678`)."""
    max_body_bytes: int = setting(2_621_440, minimum=1)
    """*Assumed* (Django's 2.5 MiB default). Larger bodies get 413."""
    render_seconds: float = setting(30.0, minimum=0, wrong_type=_0_OR_MORE)
    """*Assumed.* Clock time from receiver creation to rendered video."""
    callback_retries: int = setting(
        2,
        minimum=0,
        wrong_type="{name}: must be a whole number",
        out_of_range="{name}: must be 0 or more",
    )
    """Retries after a failed callback (3 calls in total)."""
    callback_retry_interval: float = setting(60.0, minimum=0, wrong_type=_0_OR_MORE)
    """Seconds between callback attempts."""
    callback_timeout: float = setting(10.0, above=0, wrong_type=_ABOVE_0)
    """*Assumed.* Seconds before a callback attempt counts as failed."""
    link_seed: str = setting("seen-braze-harness", check_type=False)
    """Seed of the generated links: the same seed, campaign and receiver id give the same links."""
    landing_page_template: str = setting(
        "https://play.seen.io/v/{code}/", check_type=False, rules=(_placeholders,)
    )
    """Landing page format; placeholders {code} (5 letters/digits), {number}, {id}, {slug}.
    SEEN's docs show the scheme-less `your.subdomain.com/v/{number}`."""
    media_base_url: str = setting("https://motions.seen.io", check_type=False)
    """Where video and thumbnails live: `<base>/<uuid4>/<40 hex>/output.m3u8`."""
    receivers_cap: int = setting(100_000, minimum=1)
    """*Emulator only.* Most receivers kept; the oldest are forgotten beyond it."""
