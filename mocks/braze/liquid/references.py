"""Braze's `${…}` personalisation tags, and what each reads from a user, a campaign, a Canvas
entry or trigger properties.

A user is given either as one flat object in `/users/track` attribute form (`seen-braze
render`'s USER.json, a Test send's custom user), where every key that is not an identifier or
a standard field is a custom attribute, as `/users/track` would store it; or as standard
values and custom attributes apart (a stored profile). Standard tags never read a custom
attribute, and `custom_attribute.${x}` reads custom attributes only.

**Assumed** (Braze documents no more; each is the emulator's choice):

- `${most_recent_locale}`, `${last_used_app_date}` and `${most_recent_app_version}` come from
  Braze's SDKs, which the emulator does not have: they render empty unless the standard
  values given apart hold them by those names (a flat object cannot: there those keys are
  custom attributes, as `/users/track` stores them).
- `${random_bucket_number}`: Braze gives every user one from 0 to 9999. Unless the standard
  values given apart hold one, it is derived from the user's `braze_id` (SHA-256 of
  `random_bucket_number:<braze_id>`, modulo 10,000), so it is stable per user and spread
  evenly; a user with no `braze_id` (a custom Test user without one) has none.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from seen_braze_harness.mocks.braze.dates import parse_date
from seen_braze_harness.mocks.braze.liquid.ruby.values import ObjectAsList, TimeText
from seen_braze_harness.mocks.braze.track import STANDARD_FIELDS, UNKEPT_FIELDS

UNSENT_DISPATCH_ID = "dispatch_id_for_unsent_campaign"
"""What `campaign.${dispatch_id}` shows when the message is not part of a real send."""

USER_TAGS: Mapping[str, str] = {
    "user_id": "external_id",
    "email_address": "email",
    "phone_number": "phone",
    "date_of_birth": "dob",
    "city": "home_city",
    **{
        name: name
        for name in (
            "first_name",
            "last_name",
            "braze_id",
            "country",
            "language",
            "gender",
            "time_zone",
            "most_recent_locale",
            "last_used_app_date",
            "most_recent_app_version",
            "random_bucket_number",
        )
    },
}
"""Standard user tags (`${first_name}`) and the `/users/track` profile key each one reads."""

RANDOM_BUCKETS = 10_000
"""`${random_bucket_number}` is from 0 to 9999."""

_FLAT_STANDARD = frozenset(STANDARD_FIELDS) | {"external_id", "braze_id"}
"""Keys of a flat `/users/track` object that are standard values; the others are custom."""
_FLAGS = frozenset({"user_alias", "_update_existing_only", "_merge_objects"})
_NOT_CUSTOM = _FLAT_STANDARD | frozenset(UNKEPT_FIELDS) | _FLAGS
"""Keys of a flat `/users/track` object that `/users/track` never stores as custom attributes."""

_CONTEXT_NAMESPACES = ("context", "canvas_entry_properties")


MISSING: Any = object()

Lookup = Callable[
    [
        Mapping[str, Any],
        Mapping[str, Any] | None,
        Mapping[str, Any] | None,
        Mapping[str, Mapping[str, Any]] | None,
    ],
    Any,
]
"""Reads one reference from (profile, custom attributes or None if flat, campaign, properties)."""


def random_bucket_number(braze_id: object) -> int | None:
    """The user's random bucket (0-9999), derived from `braze_id` (**assumed**); None without."""
    if braze_id is None or braze_id == "" or isinstance(braze_id, bool | dict | list):
        return None
    digest = hashlib.sha256(f"random_bucket_number:{braze_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % RANDOM_BUCKETS


@dataclass(frozen=True)
class Reference:
    """One `${…}` personalisation tag: an optional namespace and a name."""

    namespace: str | None
    name: str

    @property
    def tag(self) -> str:
        """The tag as a user writes it, e.g. `custom_attribute.${zip code}`."""
        prefix = f"{self.namespace}." if self.namespace else ""
        return f"{prefix}${{{self.name}}}"

    def lookup(self) -> Lookup:
        """A function reading this reference's value from a render's inputs (or `MISSING`)."""
        name, namespace = self.name, self.namespace
        if namespace is None:
            return _standard_lookup(name)
        if namespace == "custom_attribute":
            flat_custom = name not in _NOT_CUSTOM

            def custom_attribute(
                profile: Mapping[str, Any],
                custom: Mapping[str, Any] | None,
                campaign: Mapping[str, Any] | None,
                properties: Mapping[str, Mapping[str, Any]] | None,
            ) -> Any:
                if custom is None:
                    value = profile.get(name, MISSING) if flat_custom else MISSING
                else:
                    value = custom.get(name, MISSING)
                # Braze documents `custom_attribute.${object}[0].key` on a nested object
                return ObjectAsList(value) if type(value) is dict else value

            return custom_attribute
        if namespace == "campaign":
            if name == "dispatch_id":
                return lambda profile, custom, campaign, properties: (
                    (campaign or {}).get("dispatch_id") or UNSENT_DISPATCH_ID
                )
            return lambda profile, custom, campaign, properties: (campaign or {}).get(name, MISSING)
        in_context = namespace in _CONTEXT_NAMESPACES
        spaces = _CONTEXT_NAMESPACES if in_context else (namespace,)

        def from_properties(
            profile: Mapping[str, Any],
            custom: Mapping[str, Any] | None,
            campaign: Mapping[str, Any] | None,
            properties: Mapping[str, Mapping[str, Any]] | None,
        ) -> Any:
            for space in spaces:
                values = (properties or {}).get(space)
                if values is not None and name in values:
                    return context_time(values[name]) if in_context else values[name]
            return MISSING

        return from_properties


_CLOCK_TIME = re.compile(r"\d{1,2}:\d{2}")


def context_time(value: Any) -> Any:
    """A Canvas entry / context property as Braze hands it to Liquid: a date-time text (in a
    form Braze reads as a time) prints as sent but is normalised to UTC for the date filters,
    as Braze's Context step page shows; anything else as it is. **Assumed**: only text with a
    clock time, not a bare date."""
    if not isinstance(value, str) or _CLOCK_TIME.search(value) is None:
        return value
    moment = parse_date(value)
    if moment is None:
        return value
    return TimeText(value, moment.astimezone(UTC))


def _standard_lookup(name: str) -> Lookup:
    """A standard tag's look-up: a flat object's standard keys only, never a custom attribute."""
    key = USER_TAGS.get(name)
    if key is None:
        return lambda profile, custom, campaign, properties: MISSING
    in_flat = key in _FLAT_STANDARD
    if key == "random_bucket_number":

        def bucket(
            profile: Mapping[str, Any],
            custom: Mapping[str, Any] | None,
            campaign: Mapping[str, Any] | None,
            properties: Mapping[str, Mapping[str, Any]] | None,
        ) -> Any:
            given = MISSING if custom is None else profile.get(key, MISSING)
            if given is not MISSING:
                return given
            derived = random_bucket_number(profile.get("braze_id"))
            return MISSING if derived is None else derived

        return bucket
    return lambda profile, custom, campaign, properties: (
        profile.get(key, MISSING) if in_flat or custom is not None else MISSING
    )
