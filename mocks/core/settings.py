"""Knobs every mock shares; each service's settings dataclass extends these."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Self


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the key."""


@dataclass
class CoreSettings:
    clock: Literal["real", "virtual"] = "real"
    """`real` follows the wall clock (server mode); `virtual` stands still until advanced."""
    journal_cap: int = 10_000
    """Most exchanges the journal keeps; the oldest go first."""
    journal_body_cap: int = 65_536
    """Bytes of each body the journal keeps (longer bodies are marked truncated)."""
    faults: list[dict[str, Any]] = field(default_factory=list)
    """Fault rules active from start-up and after every reset (see `mocks.core.faults`)."""
    fault_seed: int = 0
    """Seed of the generator that decides probabilistic faults."""
    outbound_workers: int = 8
    """Threads that send outbound requests in real time, so one slow peer holds up no other."""
    id_seed: str | None = None
    """Seed of the ids the mock mints (campaign and dispatch ids, tokens, ...). None draws a
    random one at every start, so that a web page cannot guess them; a string fixes
    them, so that a scenario replays exactly (see `mocks.core.ids`)."""
    admin_body_bytes: int = 4 * 1024 * 1024
    """*Assumed.* Largest admin request body; larger ones get a 413 problem, unread."""
    admin_page_limit: int = 100
    """*Assumed.* Items an admin listing answers when the request names no `limit`."""
    admin_page_max: int = 1000
    """*Assumed.* Largest `limit` an admin listing takes (a larger one is a 400 problem)."""
    admin_page_bytes: int = 4 * 1024 * 1024
    """*Assumed.* An admin listing's page ends before the items pass this many bytes of JSON
    (it always holds one item, however large)."""

    def __post_init__(self) -> None:
        if self.clock not in ("real", "virtual"):
            raise SettingsError(f"clock: must be 'real' or 'virtual', not {self.clock!r}")
        for name in (
            "journal_cap",
            "journal_body_cap",
            "outbound_workers",
            "admin_body_bytes",
            "admin_page_limit",
            "admin_page_max",
            "admin_page_bytes",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SettingsError(f"{name}: must be a whole number of at least 1, not {value!r}")
        if self.admin_page_limit > self.admin_page_max:
            raise SettingsError(
                f"admin_page_limit: {self.admin_page_limit} is above admin_page_max "
                f"({self.admin_page_max})"
            )
        if self.id_seed is not None and not isinstance(self.id_seed, str):
            raise SettingsError(
                f"id_seed: must be a string (or left out for a random seed), not {self.id_seed!r}"
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Settings from plain data (a scenario file, a JSON request), refusing unknown keys."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(
                f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        try:
            return cls(**dict(data))
        except TypeError as exc:
            raise SettingsError(str(exc)) from None

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)
