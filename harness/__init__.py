"""What an integrator drives: the end-to-end run, scenarios, reports, the in-process sandbox.

`from seen_braze_harness.harness import seen_braze` is the sandbox (see `harness.sandbox`); it
is imported on first use, so loading the package (the pytest plugin does) stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["seen_braze"]


def __getattr__(name: str) -> Any:
    if name == "seen_braze":
        from seen_braze_harness.harness.sandbox import seen_braze

        return seen_braze
    raise AttributeError(f"module 'harness' has no attribute {name!r}")
