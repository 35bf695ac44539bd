"""What seeding a profile (`POST /_mock/users`) refuses: a key JSON cannot carry, aliases
that are not `{alias_name, alias_label}`, and keys that are not profile fields."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from seen_braze_harness.mocks.braze.track.identity import alias_key

SEED_KEYS = ("braze_id", "external_id", "user_aliases")
NOT_SEED_KEYS = {
    "user_alias": 'use \'user_aliases\': [{"alias_name": ..., "alias_label": ...}]',
    "_update_existing_only": "not a profile field; seeding always creates the profile",
}


def seed_aliases(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValueError("user_aliases: must be an array of {alias_name, alias_label}")
    aliases: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(value):
        alias = alias_key(item)
        if alias is None:
            raise ValueError(
                f"user_aliases[{index}]: must be {{alias_name: str, alias_label: str}}, "
                f"not {item!r}"
            )
        if alias in seen:
            raise ValueError(f"user_aliases[{index}]: {item!r} is listed twice")
        seen.add(alias)
        aliases.append({"alias_name": alias[0], "alias_label": alias[1]})
    return aliases


def check_json(path: str, value: Any) -> None:
    """ValueError naming the key of the first value JSON cannot carry."""
    where = path or "profile"
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} is not a string")
            check_json(f"{path}.{key}" if path else key, item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(f"{where}[{index}]", item)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: {value!r} is not a finite number")
    elif value is not None and not isinstance(value, str | int | float):
        raise ValueError(f"{where}: {value!r} is not a JSON value")
