"""Settings of the Braze mock. Defaults follow ../shared/reference/braze-*.md.

Every knob marked *assumed* is the emulator's choice where Braze documents nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from mocks.core.settings import CoreSettings, SettingsError

DEFAULT_API_KEY = "b7a2e5c0-5eeb-4d1e-9a6f-0123456789ab"
"""The emulator's default REST API key (Braze keys are UUIDs)."""

PERMISSIONS = ("users.track", "messages.send", "catalogs.update_items", "catalogs.get")


@dataclass
class BrazeSettings(CoreSettings):
    api_keys: dict[str, list[str]] = field(
        default_factory=lambda: {DEFAULT_API_KEY: list(PERMISSIONS)}
    )
    """REST API keys and the permissions each one has (`users.track`, ...)."""
    account_active: bool = True
    """False answers every key with 403 Access Denied, as Braze does for an inactive account."""
    object_limit: int = 75
    """Objects per `/users/track` request."""
    object_limit_mode: Literal["total", "per_array"] = "total"
    """`total`: 75 across the three arrays (current accounts); `per_array`: 75 each (legacy)."""
    rate_limit: int = 3000
    """Requests per `rate_window` to `/users/track`, per workspace."""
    rate_window: float = 3.0
    """Seconds; windows start on its multiples, so 3600 resets on the clock hour (hourly plans)."""
    rate_limit_reset: Literal["epoch", "seconds"] = "epoch"
    """`X-RateLimit-Reset` as epoch seconds or as seconds left (Braze's docs disagree)."""
    error_style: Literal["enum", "sentence"] = "enum"
    """Partial errors' `type`: the documented enum where one fits, or the live API's sentences."""
    max_body_bytes: int = 4 * 1024 * 1024
    """*Assumed* for `/users/track` (most Braze endpoints take up to 4 MB); larger ones get 413."""
    max_json_depth: int = 50
    """*Assumed.* Deepest nesting of the request body; deeper bodies get the bad-JSON 400."""
    external_id_max_bytes: int = 987
    """Longest `external_id`, in UTF-8 bytes (EXTERNAL_USER_ID_TOO_LARGE beyond)."""
    blocked_external_ids: list[str] = field(
        default_factory=lambda: ["null", "nil", "none", "undefined", "unknown", "N/A", "NaN"]
    )
    """*Assumed.* `external_id` values refused as BLACKLISTED_EXTERNAL_USER_ID (any case)."""
    array_cap: int = 25
    """Most values in an array custom attribute (settable up to 100); the oldest go first."""
    transform_timeout: float = 1.0
    """*Assumed.* Seconds a transformation may run before it is stopped (timeout)."""
    transform_memory: int = 64 * 1024 * 1024
    """*Assumed.* Bytes of JavaScript heap a transformation may use (memory)."""
    transform_rate_limit: int = 1000
    """Incoming webhook requests per minute per workspace (429 beyond: **assumed**)."""
    profile_seed: str = "seen-braze-harness"
    """Seed of the `braze_id`s the mock assigns."""
    profiles: list[dict[str, Any]] = field(default_factory=list)
    """Profiles present at start-up and after every reset, as for `POST /_mock/users`."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.api_keys, dict) or not all(
            isinstance(k, str) and k and isinstance(v, list) for k, v in self.api_keys.items()
        ):
            raise SettingsError("api_keys: must map each key to a list of permissions")
        for key, permissions in self.api_keys.items():
            unknown = sorted(set(permissions) - set(PERMISSIONS))
            if unknown:
                raise SettingsError(
                    f"api_keys[{key!r}]: unknown permission(s) {', '.join(unknown)}; "
                    f"known: {', '.join(PERMISSIONS)}"
                )
        for name in (
            "object_limit",
            "rate_limit",
            "max_body_bytes",
            "max_json_depth",
            "transform_memory",
            "transform_rate_limit",
            "external_id_max_bytes",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SettingsError(f"{name}: must be a whole number of at least 1, not {value!r}")
        if isinstance(self.array_cap, bool) or not isinstance(self.array_cap, int):
            raise SettingsError("array_cap: must be a whole number")
        if not 1 <= self.array_cap <= 100:
            raise SettingsError(f"array_cap: must be from 1 to 100, not {self.array_cap}")
        timeout = self.transform_timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise SettingsError("transform_timeout: must be a number of seconds")
        if not math.isfinite(timeout) or not 0 < timeout <= 60:
            raise SettingsError(
                f"transform_timeout: must be above 0 and at most 60, not {timeout!r}"
            )
        window = self.rate_window
        if isinstance(window, bool) or not isinstance(window, int | float):
            raise SettingsError("rate_window: must be a number of seconds")
        if not math.isfinite(window) or window <= 0:
            raise SettingsError(f"rate_window: must be above 0, not {window!r}")
        choices = {
            "object_limit_mode": ("total", "per_array"),
            "rate_limit_reset": ("epoch", "seconds"),
            "error_style": ("enum", "sentence"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise SettingsError(f"{name}: must be one of {', '.join(allowed)}")
