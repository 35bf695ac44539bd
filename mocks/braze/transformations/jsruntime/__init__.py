"""The JavaScript runtime of Braze Data Transformations: user code in V8, isolated and limited.

The code is a function body that may `return`; `payload` and `headers` are in scope; the result
goes through `JSON.stringify`. V8 runs in a worker process (`worker/`) so that an allocation
V8 cannot survive kills the worker, not the emulator; `worker/prelude.js` keeps runs apart.
"""

from __future__ import annotations

from seen_braze_harness.mocks.braze.transformations.jsruntime.headers import (
    canonical_header_key,
    canonical_headers,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime.queueing import QueuedRun
from seen_braze_harness.mocks.braze.transformations.jsruntime.results import (
    ConsoleLine,
    ErrorKind,
    InputTooLarge,
    RunLimits,
    RuntimeBusy,
    RuntimeUnavailable,
    ScriptResult,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime.runtime import TransformationRuntime

__all__ = [
    "ConsoleLine",
    "ErrorKind",
    "InputTooLarge",
    "QueuedRun",
    "RunLimits",
    "RuntimeBusy",
    "RuntimeUnavailable",
    "ScriptResult",
    "TransformationRuntime",
    "canonical_header_key",
    "canonical_headers",
]
