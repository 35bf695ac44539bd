"""The audience of a run: Braze users as `/users/track` writes them, plus an edge-case probe.

Faker is slow per call, so each locale's names, cities and time zones are drawn once into a
pool (seeded per locale) and users are combined from the pools with one seeded
`random.Random`: the same spec and seed give a byte-identical audience. Email addresses use
the reserved `example.*` domains (RFC 2606), so a run pointed at a real service mails no one.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pycountry
from faker import Faker
from faker.config import AVAILABLE_LOCALES
from faker.decode import unidecode
from faker.providers.date_time import Provider as DateTimeProvider

from seen_braze_harness.mocks.braze.dates import time_zone_name
from seen_braze_harness.mocks.braze.track import language_code
from seen_braze_harness.mocks.seen.settings import SeenSettings

__all__ = [
    "DEFAULT_LOCALES",
    "FAKER_LOCALES",
    "PROBES",
    "AudienceSpec",
    "Member",
    "Probe",
    "build_audience",
]

DEFAULT_LOCALES = (
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "pt_BR",
    "ja_JP",
    "pl_PL",
    "nl_NL",
)
FAKER_LOCALES = frozenset(AVAILABLE_LOCALES)
"""The locales the installed Faker knows; a scenario may name any of them."""

EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
REFERENCE_DAY = date(2025, 1, 1)
"""Ages are counted from this fixed day, so an audience does not change with the date."""

_POOL_NAMES = 120
_POOL_CITIES = 40

# Faker locales whose suffix is not the user's ISO 3166-1 country, or that have none.
_COUNTRY_OF = {
    "ar_AA": "EG",
    "fr_QC": "CA",
    "es_CA": "ES",
    "de": "DE",
    "en": "US",
    "es": "ES",
    "la": "VA",
    "sw": "KE",
    "th": "TH",
}
# Faker locale prefixes that are not the ISO 639-1 code of the language.
_LANGUAGE_OF = {"dk": "da", "fil": "tl", "ng": "en", "tw": "ak"}

# Country calling codes (ITU-T E.164) of the countries Faker's locales stand for.
CALLING_CODES = {
    "AE": "971", "AL": "355", "AM": "374", "AR": "54", "AT": "43", "AU": "61", "AZ": "994",
    "BA": "387", "BD": "880", "BE": "32", "BG": "359", "BH": "973", "BR": "55", "CA": "1",
    "CH": "41", "CL": "56", "CN": "86", "CO": "57", "CY": "357", "CZ": "420", "DE": "49",
    "DK": "45", "DZ": "213", "EE": "372", "EG": "20", "ES": "34", "ET": "251", "FI": "358",
    "FR": "33", "GB": "44", "GE": "995", "GH": "233", "GR": "30", "HR": "385", "HU": "36",
    "ID": "62", "IE": "353", "IL": "972", "IN": "91", "IR": "98", "IS": "354", "IT": "39",
    "JO": "962", "JP": "81", "KE": "254", "KR": "82", "LI": "423", "LK": "94", "LT": "370",
    "LU": "352", "LV": "371", "MK": "389", "MS": "1", "MT": "356", "MX": "52", "NG": "234",
    "NL": "31", "NO": "47", "NP": "977", "NZ": "64", "PH": "63", "PK": "92", "PL": "48",
    "PS": "970", "PT": "351", "RO": "40", "RU": "7", "SA": "966", "SE": "46", "SI": "386",
    "SK": "421", "TH": "66", "TR": "90", "TW": "886", "UA": "380", "US": "1", "UZ": "998",
    "VA": "39", "VE": "58", "VN": "84", "ZA": "27",
}  # fmt: skip
# Mobile numbers of the default locales' countries: national prefixes, then digits to add.
_MOBILE = {
    "GB": (("7",), 9),
    "DE": (("151", "152", "157", "160", "162", "170", "171", "172", "176", "177", "179"), 8),
    "FR": (("6", "7"), 8),
    "ES": (("6",), 8),
    "IT": (("320", "328", "333", "338", "340", "347", "349", "366", "380", "392"), 7),
    "JP": (("70", "80", "90"), 8),
    "PL": (("50", "51", "53", "60", "66", "69", "72", "78", "79", "88"), 7),
    "NL": (("6",), 8),
}
_ANY_NUMBER = (tuple("23456789"), 8)


@dataclass
class AudienceSpec:
    """What a scenario's `[audience]` asks for."""

    users: int = 20
    seed: int = 1
    locales: tuple[str, ...] = DEFAULT_LOCALES
    probe: bool = True
    profiles: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Member:
    """One user of the audience: a flat `/users/track` attributes object, and its probe."""

    profile: dict[str, Any]
    probe: str | None = None

    @property
    def external_id(self) -> str:
        return str(self.profile["external_id"])


@dataclass(frozen=True)
class Probe:
    """One edge case of real users' data that careless templates break on."""

    label: str
    description: str
    seen_accepts: bool
    """Whether SEEN accepts the user when the documented body sends it correctly encoded."""
    changes: dict[str, Any]
    """The fields set on an otherwise ordinary profile; None removes the field."""


def _long_name(length: int) -> str:
    """A name of exactly `length` characters, like Hubert Blaine Wolfeschlegelsteinhausen..."""
    words = itertools.cycle(
        ("Wolfeschlegelsteinhausenbergerdorff", "Hubert", "Blaine", "Adolph", "Charles", "Zeus")
    )
    text = next(words)
    while len(text) < length:
        text += " " + next(words)
    text = text[:length]
    return text[:-1] + "e" if text.endswith(" ") else text


_SEEN_LIMIT = SeenSettings().max_field_length
_JAPAN = {"country": "JP", "language": "ja", "time_zone": "Asia/Tokyo", "phone": "+819012345678"}
_SAUDI_ARABIA = {
    "country": "SA",
    "language": "ar",
    "time_zone": "Asia/Riyadh",
    "phone": "+966501234567",
}

PROBES: tuple[Probe, ...] = (
    Probe(
        "apostrophe",
        "an apostrophe in the last name",
        True,
        {"first_name": "Siobhán", "last_name": "O'Brien", "gender": "F"},
    ),
    Probe(
        "quote-first-name",
        "double quotes in the first name",
        True,
        {"first_name": 'Dwayne "The Rock"', "last_name": "Johnson", "gender": "M"},
    ),
    Probe(
        "backslash",
        "a backslash left in the name by an escaped export",
        True,
        {"first_name": "Priya", "last_name": "D\\'Souza", "gender": "F"},
    ),
    Probe(
        "newline-in-name",
        "a line break pasted into the first name",
        True,
        {"first_name": "Mary\nAnn", "last_name": "Walsh", "gender": "F"},
    ),
    Probe(
        "tab-in-name",
        "a tab pasted between two first names",
        True,
        {"first_name": "Jean\tLuc", "last_name": "Moreau", "gender": "M"},
    ),
    Probe(
        "emoji",
        "an emoji in the first name",
        True,
        {"first_name": "Maya 🌸", "last_name": "Patel", "gender": "F"},
    ),
    Probe(
        "japanese",
        "a name in Japanese script",
        True,
        {"first_name": "結衣", "last_name": "山田", "gender": "F", **_JAPAN},
    ),
    Probe(
        "arabic",
        "a name in Arabic script (right to left)",
        True,
        {"first_name": "محمد", "last_name": "العلي", "gender": "M", **_SAUDI_ARABIA},
    ),
    Probe(
        "combining-diacritics",
        "accents written as combining marks (Unicode NFD)",
        True,
        {"first_name": "Jose\u0301", "last_name": "Nun\u0303ez", "gender": "M"},
    ),
    Probe(
        "long-name-over-limit",
        f"a last name of {_SEEN_LIMIT + 1} characters, one over SEEN's limit",
        False,
        {"first_name": "Hubert", "last_name": _long_name(_SEEN_LIMIT + 1), "gender": "M"},
    ),
    Probe(
        "long-name-at-limit",
        f"a last name of exactly {_SEEN_LIMIT} characters, SEEN's limit",
        True,
        {"first_name": "Hubert", "last_name": _long_name(_SEEN_LIMIT), "gender": "M"},
    ),
    Probe(
        "missing-last-name",
        "a single name, no last name",
        True,
        {"first_name": "Wulan", "last_name": None, "gender": "F"},
    ),
    Probe(
        "missing-email",
        "no email address",
        True,
        {"first_name": "Tomasz", "last_name": "Nowak", "email": None, "gender": "M"},
    ),
    Probe(
        "missing-first-name",
        "no first name (SEEN requires one)",
        False,
        {"first_name": None, "last_name": "Lindqvist"},
    ),
    Probe(
        "uppercase-plus-email",
        "an email address with capitals and a +tag",
        True,
        {
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "Grace.Hopper+Video@Example.COM",
            "gender": "F",
        },
    ),
    Probe(
        "ampersand-angle-brackets",
        "an ampersand and angle brackets in the names",
        True,
        {"first_name": "Anna & Ben", "last_name": "<Smith>", "gender": "O"},
    ),
)


@dataclass(frozen=True)
class _Pool:
    """What one locale contributes: names with their ASCII forms, places, codes."""

    locale: str
    country: str
    language: str
    time_zones: tuple[str, ...]
    first_female: tuple[tuple[str, str], ...]
    first_male: tuple[tuple[str, str], ...]
    last_female: tuple[tuple[str, str], ...]
    last_male: tuple[tuple[str, str], ...]
    cities: tuple[str, ...]


def build_audience(
    spec: AudienceSpec, *, users: int | None = None, seed: int | None = None
) -> list[Member]:
    """Explicit profiles, then `users` Faker users, then the probe members (when on)."""
    count = spec.users if users is None else users
    seed = spec.seed if seed is None else seed
    members = [Member(profile=dict(p)) for p in spec.profiles]
    taken = {m.external_id for m in members}
    pools = [_pool(locale, seed) for locale in spec.locales]
    rng = random.Random(f"audience:{seed}")
    emails: set[str] = set()
    number = 0
    for _ in range(count):
        number += 1
        external_id = f"user-{number:05d}"
        while external_id in taken:
            number += 1
            external_id = f"user-{number:05d}"
        taken.add(external_id)
        members.append(Member(profile=_person(rng, rng.choice(pools), external_id, emails)))
    if spec.probe:
        base_pool = _pool("en_US", seed)
        for probe in PROBES:
            external_id = f"probe-{probe.label}"
            while external_id in taken:
                external_id += "-1"
            taken.add(external_id)
            profile = _person(rng, base_pool, external_id, emails)
            for key, value in probe.changes.items():
                if value is None:
                    profile.pop(key, None)
                else:
                    profile[key] = value
            if "email" not in probe.changes and "first_name" in profile:
                profile["email"] = _email(rng, profile["first_name"], profile.get("last_name"))
            members.append(Member(profile=profile, probe=probe.label))
    return members


def _person(rng: random.Random, pool: _Pool, external_id: str, emails: set[str]) -> dict[str, Any]:
    draw = rng.random()
    gender = "F" if draw < 0.49 else "M" if draw < 0.98 else rng.choice(("O", "P"))
    female = gender == "F" or (gender in ("O", "P") and rng.random() < 0.5)
    first, first_ascii = rng.choice(pool.first_female if female else pool.first_male)
    last, last_ascii = rng.choice(pool.last_female if female else pool.last_male)
    born = REFERENCE_DAY - timedelta(days=rng.randrange(18 * 365, 85 * 365))
    email = _email_address(rng, first_ascii, last_ascii, born, emails)
    profile: dict[str, Any] = {
        "external_id": external_id,
        "first_name": first,
        "last_name": last,
        "email": email,
    }
    phone = _phone(rng, pool.country)
    if phone is not None:
        profile["phone"] = phone
    profile.update(
        dob=born.isoformat(),
        home_city=rng.choice(pool.cities),
        country=pool.country,
        language=pool.language,
        gender=gender,
        time_zone=rng.choice(pool.time_zones),
    )
    return profile


def _email_address(rng: random.Random, first: str, last: str, born: date, emails: set[str]) -> str:
    first, last = _local(first), _local(last)
    if not first and not last:
        first = "user"
    year = f"{born.year % 100:02d}"
    patterns = [
        f"{first}.{last}",
        f"{first}{last}",
        f"{first[:1]}{last}",
        f"{first}_{last}",
        f"{first}.{last}{year}",
        f"{first}{year}",
    ]
    local = rng.choice([p.strip("._") for p in patterns if p.strip("._")])
    domain = rng.choice(EMAIL_DOMAINS)
    address = f"{local}@{domain}"
    while address in emails:
        address = f"{local}{rng.randrange(2, 1000)}@{domain}"
    emails.add(address)
    return address


def _email(rng: random.Random, first: str, last: str | None) -> str:
    """A probe member's address: plain ASCII from the name, whatever the name holds."""
    local = ".".join(p for p in (_local(unidecode(first)), _local(unidecode(last or ""))) if p)
    return f"{local[:64] or 'user'}@{rng.choice(EMAIL_DOMAINS)}"


def _local(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _phone(rng: random.Random, country: str) -> str | None:
    code = CALLING_CODES.get(country)
    if code is None:
        return None
    if code == "1":  # NANP: area code and exchange start with 2-9
        area, exchange = rng.randrange(200, 1000), rng.randrange(200, 1000)
        return f"+1{area}{exchange}{rng.randrange(10_000):04d}"
    if country == "BR":  # two-digit area code, then a nine-digit mobile number
        return f"+55{rng.randrange(11, 100)}9{rng.randrange(100_000_000):08d}"
    prefixes, digits = _MOBILE.get(country, _ANY_NUMBER)
    return f"+{code}{rng.choice(prefixes)}{rng.randrange(10**digits):0{digits}d}"


@functools.cache
def _pool(locale: str, seed: int) -> _Pool:
    if locale not in FAKER_LOCALES:
        raise ValueError(f"{locale!r} is not a Faker locale")
    fake = Faker(locale)
    fake.seed_instance(f"{seed}:{locale}")
    country = _country(locale)
    to_ascii = _transliterator(locale)
    pairs = locale == "ja_JP"

    def names(kind: str) -> tuple[tuple[str, str], ...]:
        drawn: dict[str, str] = {}
        for _ in range(_POOL_NAMES):
            if pairs:
                method = "last_name_pair" if kind.startswith("last") else f"{kind}_pair"
                shown, _kana, roman = getattr(fake, method)()
                drawn.setdefault(shown, roman)
            else:
                shown = getattr(fake, kind)()
                drawn.setdefault(shown, to_ascii(shown))
        return tuple(sorted(drawn.items()))

    cities = tuple(sorted({fake.city() for _ in range(_POOL_CITIES)}))
    return _Pool(
        locale=locale,
        country=country,
        language=_language(locale),
        time_zones=_time_zones(country),
        first_female=names("first_name_female"),
        first_male=names("first_name_male"),
        last_female=names("last_name_female"),
        last_male=names("last_name_male"),
        cities=cities,
    )


def _country(locale: str) -> str:
    if locale in _COUNTRY_OF:
        return _COUNTRY_OF[locale]
    suffix = locale.rpartition("_")[2]
    if pycountry.countries.get(alpha_2=suffix) is None:
        return "US"
    return suffix


def _language(locale: str) -> str:
    prefix = locale.partition("_")[0]
    return _LANGUAGE_OF.get(prefix) or language_code(prefix) or "en"


def _time_zones(country: str) -> tuple[str, ...]:
    for entry in DateTimeProvider.countries:
        if entry.alpha_2_code == country:
            zones = tuple(z for z in entry.timezones if time_zone_name(z) is not None)
            if zones:
                return zones
    return ("UTC",)


def _transliterator(locale: str) -> Any:
    try:
        module = importlib.import_module(f"faker.providers.internet.{locale}")
        replacements: tuple[tuple[str, str], ...] = tuple(module.Provider.replacements)
    except (ImportError, AttributeError):
        replacements = ()

    def to_ascii(text: str) -> str:
        for search, replace in replacements:
            text = text.replace(search, replace)
        return str(unidecode(text))

    return to_ascii
