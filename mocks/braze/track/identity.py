"""How a `/users/track` object names its user, and the keys the profile store indexes by.

**Assumed** (Braze documents no more): emails match case-insensitively and without
surrounding spaces; phones match on their digits only ("+1 (415) 555-2671" is
"14155552671"); both are stored as sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KINDS = ("external_id", "user_alias", "braze_id", "email", "phone")
BRAZE_ID = re.compile(r"[0-9a-f]{24}")


@dataclass(frozen=True)
class Identifier:
    """How an object names its user: exactly one of these is used for the lookup."""

    kind: str  # "external_id" | "user_alias" | "braze_id" | "email" | "phone"
    value: Any  # str, or {"alias_name": str, "alias_label": str} for user_alias

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(
                f"identifier kind must be one of {', '.join(KINDS)}, not {self.kind!r}"
            )


def alias_key(value: Any) -> tuple[str, str] | None:
    if not isinstance(value, Mapping) or set(value) != {"alias_name", "alias_label"}:
        return None
    name, label = value["alias_name"], value["alias_label"]
    if not isinstance(name, str) or not isinstance(label, str) or not name or not label:
        return None
    return name, label


def email_key(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()


def phone_key(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    digits = "".join(c for c in value if c.isdigit())
    return digits or (value.strip() or None)
