"""The standard profile fields of an attributes object: names, types, and Braze's mappings.

**Assumed** (Braze documents no more; each is the emulator's choice):

- `country`: exact ISO 3166-1 alpha-2 codes are kept; other case, alpha-3, numeric codes,
  names (pycountry) and a few common names ("UK", "Russia", "Holland", ...) map to alpha-2
  with a note; anything else is stored as null (documented), which unsets it.
- `language`: ISO 639-1 codes (pycountry) plus the codes on Braze's "accepted languages"
  page that are not ISO 639-1 ("fil", "haw", ...); other case is lower-cased with a note;
  anything else is not set (the stored value stays), with a note.
- `gender`: "M", "F", "O", "N", "P" in either case (the Web SDK uses lower case), and the
  SDK enum words "male", "female", "other", "not_applicable", "prefer_not_to_say"; "U" and
  "unknown" unset it (the SDK's unknown is nil). Anything else is not set, with a note.
- `dob`: only `YYYY-MM-DD` naming a real day; anything else is not set, with a note.
- `time_zone`: see `mocks.braze.dates`; an invalid name is not set (documented).
- `subscription_groups`: merged into the stored states by `subscription_group_id`, as each
  item changes one group's state; `current_location` keeps only longitude and latitude.
- Standard fields of a type they cannot hold (a number for `first_name`, ...) are not set.
- `push_tokens`, `push_token_import`, `facebook`, `twitter`, `image_url`, `alias_name`,
  `alias_label` are Braze profile fields this emulator does not keep (noted); `bio` is
  ignored, as Braze documents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from datetime import date
from typing import Any

import pycountry

from seen_braze_harness.mocks.braze.dates import parse_date, time_zone_name
from seen_braze_harness.mocks.braze.track.values import Note, cap_text, is_number, show

STANDARD_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "home_city",
    "country",
    "language",
    "gender",
    "dob",
    "time_zone",
    "email_subscribe",
    "push_subscribe",
    "subscription_groups",
    "current_location",
    "email_open_tracking_disabled",
    "email_click_tracking_disabled",
    "date_of_first_session",
    "date_of_last_session",
    "marked_email_as_spam_at",
)
"""Braze's standard profile fields by their `/users/track` names, in export order."""

STRING_FIELDS = ("first_name", "last_name", "home_city", "email", "phone")
BOOLEAN_FIELDS = ("email_open_tracking_disabled", "email_click_tracking_disabled")
DATE_FIELDS = ("date_of_first_session", "date_of_last_session", "marked_email_as_spam_at")
SUBSCRIPTION_FIELDS = ("email_subscribe", "push_subscribe")
SUBSCRIPTION_STATES = ("opted_in", "subscribed", "unsubscribed")
GROUP_STATES = ("subscribed", "unsubscribed")
UNKEPT_FIELDS = (
    "push_tokens",
    "push_token_import",
    "facebook",
    "twitter",
    "image_url",
    "alias_name",
    "alias_label",
    "bio",
)
"""Profile fields Braze knows but this emulator does not store."""

GENDERS = {
    "m": "M",
    "f": "F",
    "o": "O",
    "n": "N",
    "p": "P",
    "male": "M",
    "female": "F",
    "other": "O",
    "not_applicable": "N",
    "prefer_not_to_say": "P",
}
UNKNOWN_GENDERS = ("u", "unknown")

# Codes on Braze's "User language codes" page that are not ISO 639-1.
_BRAZE_ONLY_CODES = (
    "agq asa ksf bas bem bez brx tzm chr cgg swc kea dav dua guz ewo fil gsw haw dyo kab kln "
    "kam ebu kok ses luo luy jmc mgh kde mas mer mo mfe mua naq nus nyn rof rwk saq sbp seh "
    "ksb xog khq shi twq teo vai vun yav dje"
)
BRAZE_LANGUAGES = frozenset(_BRAZE_ONLY_CODES.split())

# Common names pycountry does not know; keys are case-folded.
COUNTRY_NAMES = {
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "america": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "russia": "RU",
    "korea": "KR",
    "turkey": "TR",
    "holland": "NL",
    "the netherlands": "NL",
    "ivory coast": "CI",
    "macedonia": "MK",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "vatican": "VA",
    "vatican city": "VA",
    "uae": "AE",
    "palestine": "PS",
    "dr congo": "CD",
    "drc": "CD",
    "democratic republic of congo": "CD",
    "micronesia": "FM",
    "brunei": "BN",
    "east timor": "TL",
    "the bahamas": "BS",
    "the gambia": "GM",
}

_DOB = re.compile(r"\d{4}-\d{2}-\d{2}")


def country_code(value: Any) -> str | None:
    """Braze's best-effort mapping of a country to ISO 3166-1 alpha-2, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    common = COUNTRY_NAMES.get(text.casefold())
    if common is not None:
        return common
    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return str(found.alpha_2)


def language_code(value: Any) -> str | None:
    """The ISO 639-1 (or Braze-accepted) language code `value` names, lower case, or None."""
    if not isinstance(value, str):
        return None
    code = value.lower()
    if code in BRAZE_LANGUAGES:
        return code
    if len(code) == 2 and code.isascii() and pycountry.languages.get(alpha_2=code) is not None:
        return code
    return None


def apply_standard(
    standard: MutableMapping[str, Any], key: str, value: Any, notes: list[Note]
) -> None:
    """Set one standard field (null unsets it), or say in a note what became of the value."""
    if value is None:
        standard.pop(key, None)
        return
    if key in STRING_FIELDS:
        if not isinstance(value, str):
            notes.append(Note(key, f"{show(value)} is not a string; not set"))
            return
        standard[key] = cap_text(key, value, notes)
    elif key == "country":
        code = country_code(value)
        if code is None:
            standard.pop(key, None)
            notes.append(Note(key, f"{show(value)} is not an ISO 3166-1 country; stored as null"))
            return
        if code != value:
            notes.append(Note(key, f"{show(value)} stored as {code!r}", dropped=False))
        standard[key] = code
    elif key == "language":
        code = language_code(value)
        if code is None:
            notes.append(Note(key, f"{show(value)} is not an ISO 639-1 language; not set"))
            return
        if code != value:
            notes.append(Note(key, f"{show(value)} stored as {code!r}", dropped=False))
        standard[key] = code
    elif key == "gender":
        _apply_gender(standard, value, notes)
    elif key == "dob":
        if not isinstance(value, str) or not _DOB.fullmatch(value) or not _real_day(value):
            notes.append(Note(key, f"{show(value)} is not a YYYY-MM-DD date; not set"))
            return
        standard[key] = value
    elif key == "time_zone":
        if time_zone_name(value) is None:
            notes.append(Note(key, f"{show(value)} is not an IANA time zone; not set"))
            return
        standard[key] = value
    elif key in SUBSCRIPTION_FIELDS:
        if value not in SUBSCRIPTION_STATES:
            notes.append(Note(key, f"{show(value)} is not a subscription state; not set"))
            return
        standard[key] = value
    elif key == "subscription_groups":
        _apply_subscription_groups(standard, value, notes)
    elif key == "current_location":
        if not isinstance(value, Mapping) or not all(
            is_number(value.get(c)) for c in ("longitude", "latitude")
        ):
            notes.append(Note(key, f"{show(value)} is not {{longitude, latitude}}; not set"))
            return
        standard[key] = {"longitude": value["longitude"], "latitude": value["latitude"]}
    elif key in BOOLEAN_FIELDS:
        if not isinstance(value, bool):
            notes.append(Note(key, f"{show(value)} is not true or false; not set"))
            return
        standard[key] = value
    elif key in DATE_FIELDS:
        moment = parse_date(value)
        if moment is None:
            notes.append(Note(key, f"{show(value)} is not a Braze date; not set"))
            return
        standard[key] = moment


def _apply_gender(standard: MutableMapping[str, Any], value: Any, notes: list[Note]) -> None:
    word = value.lower() if isinstance(value, str) else None
    if word in UNKNOWN_GENDERS:
        standard.pop("gender", None)
        notes.append(Note("gender", f"{show(value)} (unknown) stored as null", dropped=False))
        return
    gender = GENDERS.get(word or "")
    if gender is None:
        notes.append(Note("gender", f"{show(value)} is not M, F, O, N or P; not set"))
        return
    if gender != value:
        notes.append(Note("gender", f"{show(value)} stored as {gender!r}", dropped=False))
    standard["gender"] = gender


def _apply_subscription_groups(
    standard: MutableMapping[str, Any], value: Any, notes: list[Note]
) -> None:
    if not isinstance(value, list) or not all(
        isinstance(g, Mapping)
        and isinstance(g.get("subscription_group_id"), str)
        and g.get("subscription_state") in GROUP_STATES
        for g in value
    ):
        notes.append(Note("subscription_groups", "not an array of group states; not set"))
        return
    states = {
        g["subscription_group_id"]: g["subscription_state"]
        for g in standard.get("subscription_groups", [])
    }
    for group in value:
        states[group["subscription_group_id"]] = group["subscription_state"]
    standard["subscription_groups"] = [
        {"subscription_group_id": gid, "subscription_state": state} for gid, state in states.items()
    ]


def _real_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
