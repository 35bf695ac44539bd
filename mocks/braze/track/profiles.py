"""Braze user profiles and the store that applies `/users/track` objects to them.

Validation (what rejects an object with an error entry) lives in `validation.py`;
this module applies objects that passed it, with Braze's documented storage rules
(Braze's `/users/track` reference; `attributes.py` for attributes and `events.py` for
events and purchases).

Lookups: `external_id`, `braze_id` and `user_alias` name one profile. Several profiles may
share an email or a phone; Braze then updates "the most recently updated profile with an
external ID", else the most recently updated one (Braze's `/users/track` FAQ and Cloud Data
Ingestion page), and so does `lookup`.

**Assumed** (Braze documents no more):

- Emails and phones match as `identity.py` says.
- "Most recently updated" counts every write: attributes, events and purchases. Writes are
  ordered by a counter, so ties under a frozen clock still have a winner.
- `braze_id`s are 24 lower-case hex characters like Braze's, derived from the store's seed
  (and the mock's id seed, when the store is given one: random at every start unless a
  scenario fixes it, see `mocks.core.ids`) and a counter; `reset` restarts the
  counter.
- The store keeps at most `cap` profiles (emulator only: a long-running server stays
  bounded, as SEEN's receivers do). Beyond it the oldest profile (the first created) is
  forgotten, with its ids and aliases, and the request that made room says so in its journal
  note; Braze keeps every profile. Forgetting, rather than refusing new users, keeps a long
  soak's memory flat and its integration working.
- The array cap may be set from 1 to 500: the API page says "defaults to 25 ... up to 100",
  Braze's current data-types page says arrays hold "up to 500 items".
- Seeding refuses (ValueError naming the key) what `/users/track` would silently drop, and
  accepts what it would store changed (a country name mapped to its code, ...).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from seen_braze_harness.mocks.braze.dates import format_instant
from seen_braze_harness.mocks.braze.track import attributes as attribute_rules
from seen_braze_harness.mocks.braze.track.events import (
    event_record,
    purchase_records,
    record_to_json,
)
from seen_braze_harness.mocks.braze.track.identity import (
    BRAZE_ID,
    Identifier,
    alias_key,
    email_key,
    phone_key,
)
from seen_braze_harness.mocks.braze.track.seeding import (
    NOT_SEED_KEYS,
    SEED_KEYS,
    check_json,
    seed_aliases,
)
from seen_braze_harness.mocks.braze.track.standard import STANDARD_FIELDS
from seen_braze_harness.mocks.braze.track.values import to_json
from seen_braze_harness.mocks.core.ids import IdMint
from seen_braze_harness.mocks.core.pagination import Keyed

PROFILE_FIELDS = (
    "braze_id",
    "external_id",
    "user_aliases",
    "created_at",
    "updated_at",
    *STANDARD_FIELDS,
    "custom_attributes",
    "events",
    "purchases",
)
"""The keys of a profile as the admin API shows it (a standard field only once it is set)."""

__all__ = ["ARRAY_CAP_MAX", "STANDARD_FIELDS", "Identifier", "Profile", "ProfileStore"]

ARRAY_CAP_MAX = 500
PROFILES_CAP = 100_000
"""*Emulator only.* Most profiles a store keeps (about 1.3 KB each with a few attributes):
the oldest are forgotten beyond it."""
EVICTIONS_NAMED = 5
"""Forgotten profiles a journal note names by braze_id (it counts the rest)."""


@dataclass
class Profile:
    """One user as Braze keeps it. Custom dates are `datetime`s; `to_dict` is the JSON view."""

    braze_id: str
    external_id: str | None = None
    user_aliases: list[dict[str, str]] = field(default_factory=list)
    standard: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    purchases: list[dict[str, Any]] = field(default_factory=list)
    created_at: float = 0.0
    updated_at: float = 0.0
    last_write: int = 0
    """The store's write counter at this profile's latest write (orders same-time writes)."""
    place: int = 0
    """Its place in the store, in the order profiles were created (for listing)."""
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    """The store's lock once stored, so reading a profile never races a writer."""

    def to_dict(self, fields: Collection[str] | None = None) -> dict[str, Any]:
        """The profile as the admin API shows it; only `fields` of it (`PROFILE_FIELDS`)
        when they are given."""
        if fields is not None:
            return self._fields(fields)
        with self.lock:
            data: dict[str, Any] = {
                "braze_id": self.braze_id,
                "external_id": self.external_id,
                "user_aliases": [dict(alias) for alias in self.user_aliases],
                "created_at": format_instant(self.created_at),
                "updated_at": format_instant(self.updated_at),
            }
            for name in STANDARD_FIELDS:
                if name in self.standard:
                    data[name] = to_json(self.standard[name])
            data["custom_attributes"] = to_json(self.custom)
            data["events"] = [record_to_json(e) for e in self.events]
            data["purchases"] = [record_to_json(p) for p in self.purchases]
            return data

    def _fields(self, fields: Collection[str]) -> dict[str, Any]:
        with self.lock:
            cheap = {"braze_id": self.braze_id, "external_id": self.external_id}
            if set(fields) <= cheap.keys():
                return {name: cheap[name] for name in fields}
            whole = self.to_dict()
            return {name: whole[name] for name in fields if name in whole}


class ProfileStore:
    """Every profile of one Braze workspace; thread-safe."""

    def __init__(
        self,
        *,
        now: Callable[[], float],
        array_cap: int = 25,
        seed: str = "",
        id_seed: str | None = "",
        cap: int = PROFILES_CAP,
    ) -> None:
        """`seed` and `id_seed` make the braze_ids: `id_seed` None draws a random one (at
        every reset too), a string fixes them; `cap` is the most profiles kept."""
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
            raise ValueError(f"cap: must be a whole number of at least 1, not {cap!r}")
        self._now = now
        self._ids = IdMint(id_seed, scope=f"braze-profiles:{seed}")
        self.cap = cap
        self.evicted = 0
        """Profiles forgotten beyond the cap since the last reset."""
        self._evictions = threading.local()
        self._lock = threading.RLock()
        self._array_cap = 25
        self.array_cap = array_cap
        self._profiles: dict[str, Profile] = {}
        self._by_external_id: dict[str, str] = {}
        self._by_alias: dict[tuple[str, str], str] = {}
        self._by_email: dict[str, set[str]] = {}
        self._by_phone: dict[str, set[str]] = {}
        self._writes = 0
        self._placed = 0

    @property
    def array_cap(self) -> int:
        """Most values a custom attribute array keeps (Braze: 25 by default)."""
        return self._array_cap

    @array_cap.setter
    def array_cap(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ARRAY_CAP_MAX:
            raise ValueError(
                f"array_cap: must be a whole number from 1 to {ARRAY_CAP_MAX}, not {value!r}"
            )
        self._array_cap = value

    # -- finding and creating users --------------------------------------------------------

    def lookup(self, ident: Identifier) -> Profile | None:
        """The profile `ident` names; for email and phone the one Braze would update."""
        with self._lock:
            if ident.kind == "braze_id":
                return self._profiles.get(ident.value) if isinstance(ident.value, str) else None
            if ident.kind == "external_id":
                found = (
                    self._by_external_id.get(ident.value) if isinstance(ident.value, str) else None
                )
                return None if found is None else self._profiles[found]
            if ident.kind == "user_alias":
                alias = alias_key(ident.value)
                found = None if alias is None else self._by_alias.get(alias)
                return None if found is None else self._profiles[found]
            index, key = self._contact_index(ident)
            if key is None:
                return None
            candidates = [self._profiles[b] for b in index.get(key, ())]
            if not candidates:
                return None
            return max(candidates, key=lambda p: (p.external_id is not None, p.last_write))

    def create(self, ident: Identifier) -> Profile:
        """A new profile named by `ident`; ValueError for a braze_id or a taken id or alias."""
        with self._lock:
            profile = Profile(braze_id="")
            if ident.kind == "braze_id":
                raise ValueError("braze_id: assigned by Braze; no profile is created for one")
            if ident.kind == "external_id":
                if not isinstance(ident.value, str) or not ident.value:
                    raise ValueError("external_id: must be a non-empty string")
                if ident.value in self._by_external_id:
                    raise ValueError(f"external_id: {ident.value!r} is already taken")
                profile.external_id = ident.value
            elif ident.kind == "user_alias":
                alias = alias_key(ident.value)
                if alias is None:
                    raise ValueError("user_alias: must be {alias_name: str, alias_label: str}")
                if alias in self._by_alias:
                    raise ValueError(f"user_alias: {ident.value!r} is already taken")
                profile.user_aliases.append({"alias_name": alias[0], "alias_label": alias[1]})
            else:
                if not isinstance(ident.value, str) or not ident.value.strip():
                    raise ValueError(f"{ident.kind}: must be a non-empty string")
                profile.standard[ident.kind] = ident.value
            self._insert(profile)
            return profile

    def lookup_or_create(self, ident: Identifier) -> tuple[Profile, bool]:
        """The profile `ident` names, created if missing, in one step; True when created."""
        with self._lock:
            found = self.lookup(ident)
            if found is not None:
                return found, False
            return self.create(ident), True

    # -- writing ---------------------------------------------------------------------------

    def apply_attributes(
        self, profile: Profile, attributes: Mapping[str, Any], *, drop_nested: bool = False
    ) -> list[str]:
        """Apply an attributes object (identifier keys external_id/braze_id/user_alias/
        _update_existing_only already removed; email/phone present are plain attributes;
        `_merge_objects` is a flag in it). Returns notes: one short sentence per value Braze
        would silently not store or change — these go to the journal. `drop_nested` drops
        every nested-object update, for when another object of the request had a bad one."""
        with self._lock:
            contacts = self._contacts(profile)
            notes = attribute_rules.apply_attributes(
                profile.standard,
                profile.custom,
                attributes,
                array_cap=self._array_cap,
                drop_nested=drop_nested,
            )
            self._touch(profile)
            if self._profiles.get(profile.braze_id) is profile:
                self._unindex_contacts(profile.braze_id, contacts)
                self._index_contacts(profile)
        return [str(note) for note in notes]

    def record_event(self, profile: Profile, event: Mapping[str, Any]) -> list[str]:
        """Keep one event (future time -> now, at most 256 properties); notes as above."""
        with self._lock:
            record, notes = event_record(event, now=self._moment())
            profile.events.append(record)
            self._touch(profile)
        return [str(note) for note in notes]

    def record_purchase(self, profile: Profile, purchase: Mapping[str, Any]) -> list[str]:
        """Keep a purchase as `quantity` records of one unit each; notes as above."""
        with self._lock:
            records, notes = purchase_records(purchase, now=self._moment())
            profile.purchases.extend(records)
            self._touch(profile)
        return [str(note) for note in notes]

    def seed(self, data: Mapping[str, Any]) -> Profile:
        """Admin seeding: optional braze_id, external_id and user_aliases, plus attributes in
        `/users/track` form. ValueError, naming the key, for anything that would not be kept."""
        if not isinstance(data, Mapping):
            raise ValueError("a seeded profile must be a JSON object")
        check_json("", data)
        for key, hint in NOT_SEED_KEYS.items():
            if key in data:
                raise ValueError(f"{key}: {hint}")
        braze_id = data.get("braze_id")
        if braze_id is not None and (
            not isinstance(braze_id, str) or not BRAZE_ID.fullmatch(braze_id)
        ):
            raise ValueError(f"braze_id: must be 24 lower-case hex characters, not {braze_id!r}")
        external_id = data.get("external_id")
        if external_id is not None and (not isinstance(external_id, str) or not external_id):
            raise ValueError(f"external_id: must be a non-empty string, not {external_id!r}")
        aliases = seed_aliases(data.get("user_aliases", []))
        profile = Profile(braze_id="", external_id=external_id, user_aliases=aliases)
        notes = attribute_rules.apply_attributes(
            profile.standard,
            profile.custom,
            {k: v for k, v in data.items() if k not in SEED_KEYS},
            array_cap=self._array_cap,
        )
        dropped = [note for note in notes if note.dropped]
        if dropped:
            raise ValueError("; ".join(str(note) for note in dropped))
        with self._lock:
            if braze_id is not None and braze_id in self._profiles:
                raise ValueError(f"braze_id: {braze_id!r} is already taken")
            if external_id is not None and external_id in self._by_external_id:
                raise ValueError(f"external_id: {external_id!r} is already taken")
            for alias in aliases:
                if (alias["alias_name"], alias["alias_label"]) in self._by_alias:
                    raise ValueError(f"user_aliases: {alias!r} is already taken")
            profile.braze_id = braze_id or ""
            self._insert(profile)
        return profile

    # -- reading ---------------------------------------------------------------------------

    def get(self, braze_id: str) -> Profile | None:
        with self._lock:
            return self._profiles.get(braze_id)

    def query(
        self,
        *,
        braze_id: str | None = None,
        external_id: str | None = None,
        email: str | None = None,
    ) -> list[Profile]:
        """Profiles matching every given criterion (email case-insensitively), oldest first."""
        with self._lock:
            if external_id is not None:  # indexed: a campaign resolves each of its users
                known = self._by_external_id.get(external_id)
                found = [] if known is None else [self._profiles[known]]
            elif braze_id is not None:
                found = [self._profiles[braze_id]] if braze_id in self._profiles else []
            else:
                found = list(self._profiles.values())
            if braze_id is not None:
                found = [p for p in found if p.braze_id == braze_id]
            if external_id is not None:
                found = [p for p in found if p.external_id == external_id]
            if email is not None:
                key = email_key(email)
                found = [p for p in found if email_key(p.standard.get("email")) == key]
            return found

    def numbered(self, profiles: list[Profile] | None = None) -> Keyed[Profile]:
        """`profiles` (default: every one), oldest first, each with its place (for paging)."""
        with self._lock:
            found = list(self._profiles.values()) if profiles is None else profiles
        return Keyed(found, _place)

    def export(self) -> list[dict[str, Any]]:
        with self._lock:
            return [profile.to_dict() for profile in self._profiles.values()]

    def eviction_note(self) -> str | None:
        """What this thread's writes forgot beyond the cap since it last asked, as a journal
        note (None: nothing); a view asks after each request."""
        count, named = self.take_evictions()
        if not count:
            return None
        more = f" and {count - len(named)} more" if count > len(named) else ""
        return (
            f"profile store full ({self.cap:,} profiles, the emulator's cap): forgot the "
            f"oldest {count} profile(s), braze_id {', '.join(named)}{more}"
        )

    def take_evictions(self) -> tuple[int, list[str]]:
        """How many profiles this thread's writes forgot beyond the cap since it last asked,
        and the first few braze_ids; a view asks after each request, for its journal note."""
        count: int = getattr(self._evictions, "count", 0)
        named: list[str] = getattr(self._evictions, "named", [])
        self._evictions.count, self._evictions.named = 0, []
        return count, named

    def reset(self) -> None:
        with self._lock:
            self._profiles.clear()
            self._by_external_id.clear()
            self._by_alias.clear()
            self._by_email.clear()
            self._by_phone.clear()
            self._ids.reset()
            self._writes = 0
            self._placed = 0
            self.evicted = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._profiles)

    # -- internals -------------------------------------------------------------------------

    def _moment(self) -> datetime:
        return datetime.fromtimestamp(self._now(), UTC)

    def _touch(self, profile: Profile) -> None:
        self._writes += 1
        profile.last_write = self._writes
        profile.updated_at = self._now()

    def _insert(self, profile: Profile) -> None:
        if not profile.braze_id:
            profile.braze_id = self._new_braze_id()
        profile.lock = self._lock
        profile.created_at = self._now()
        self._placed += 1
        profile.place = self._placed
        self._touch(profile)
        self._profiles[profile.braze_id] = profile
        if profile.external_id is not None:
            self._by_external_id[profile.external_id] = profile.braze_id
        for alias in profile.user_aliases:
            self._by_alias[(alias["alias_name"], alias["alias_label"])] = profile.braze_id
        self._index_contacts(profile)
        while len(self._profiles) > self.cap:
            self._evict(next(iter(self._profiles.values())))

    def _evict(self, profile: Profile) -> None:
        """Forget a profile and every index entry that names it (called with the lock)."""
        braze_id = profile.braze_id
        del self._profiles[braze_id]
        if profile.external_id is not None and (
            self._by_external_id.get(profile.external_id) == braze_id
        ):
            del self._by_external_id[profile.external_id]
        for alias in profile.user_aliases:
            key = (alias["alias_name"], alias["alias_label"])
            if self._by_alias.get(key) == braze_id:
                del self._by_alias[key]
        self._unindex_contacts(braze_id, self._contacts(profile))
        self.evicted += 1
        local = self._evictions
        local.count = getattr(local, "count", 0) + 1
        named = getattr(local, "named", None)
        if named is None:
            named = local.named = []
        if len(named) < EVICTIONS_NAMED:
            named.append(braze_id)

    def _new_braze_id(self) -> str:
        while True:
            candidate = self._ids.hex("braze_id", 24)
            if candidate not in self._profiles:
                return candidate

    def _contact_index(self, ident: Identifier) -> tuple[dict[str, set[str]], str | None]:
        if ident.kind == "email":
            return self._by_email, email_key(ident.value)
        return self._by_phone, phone_key(ident.value)

    @staticmethod
    def _contacts(profile: Profile) -> tuple[str | None, str | None]:
        return email_key(profile.standard.get("email")), phone_key(profile.standard.get("phone"))

    def _index_contacts(self, profile: Profile) -> None:
        email, phone = self._contacts(profile)
        if email is not None:
            self._by_email.setdefault(email, set()).add(profile.braze_id)
        if phone is not None:
            self._by_phone.setdefault(phone, set()).add(profile.braze_id)

    def _unindex_contacts(self, braze_id: str, contacts: tuple[str | None, str | None]) -> None:
        for index, key in zip((self._by_email, self._by_phone), contacts, strict=True):
            if key is not None and key in index:
                index[key].discard(braze_id)
                if not index[key]:
                    del index[key]


def _place(profile: Profile) -> int:
    return profile.place
