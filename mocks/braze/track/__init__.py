"""Braze's `POST /users/track`: the request checked, each object applied to its user's profile.

A request's objects are taken in order (attributes, events, purchases); one that fails its
checks gets an error entry and the rest are applied. What Braze would store other than as
sent, or not at all, comes back as notes for the journal.

The modules, in the order of the flow:

- `validation.py`: the request as a whole, then each object on its own (`Rejection`), and the
  identifier each object's user is looked up by.
- `profiles.py`: the profiles (`Profile`), looked up by `Identifier` (`identity.py`, with
  the email and phone keys) and kept, capped, by the `ProfileStore`, which applies the
  objects that passed; `seeding.py` says what seeding a profile refuses.
- `attributes.py`: an attributes object applied to a profile, with Braze's storage rules:
  `standard.py` for the standard fields, `custom.py`, `arrays.py` and `nested.py` for custom
  attributes by kind of value, `values.py` for what they share (`Note`, the text cap).
- `events.py`: events and purchases as Braze keeps them on a profile.
- `views.py`: the endpoint over HTTP and the admin API's profile listings (routes:
  `mocks.braze.routes`).

The keys, the rate limit and the request's answer are `BrazeBackend`'s (`mocks/braze/models.py`).
"""

from __future__ import annotations

from seen_braze_harness.mocks.braze.track.nested import nested_problem
from seen_braze_harness.mocks.braze.track.profiles import Identifier, Profile, ProfileStore
from seen_braze_harness.mocks.braze.track.standard import (
    STANDARD_FIELDS,
    UNKEPT_FIELDS,
    language_code,
)
from seen_braze_harness.mocks.braze.track.validation import (
    IDENTIFYING_KEYS,
    Rejection,
    TrackObject,
    check_object,
    present_arrays,
    request_objects,
)
from seen_braze_harness.mocks.braze.track.values import is_number, to_json

__all__ = [
    "IDENTIFYING_KEYS",
    "STANDARD_FIELDS",
    "UNKEPT_FIELDS",
    "Identifier",
    "Profile",
    "ProfileStore",
    "Rejection",
    "TrackObject",
    "check_object",
    "is_number",
    "language_code",
    "nested_problem",
    "present_arrays",
    "request_objects",
    "to_json",
]
