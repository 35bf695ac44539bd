"""In-process mode, like moto's `mock_aws`: `requests` calls to SEEN and Braze served by mocks.

- `sandbox.py`: the sandbox itself (`seen_braze()`, `Sandbox`, `current()`): fresh mocks on
  one clock while active, and the interception of every `requests` call;
- `mocks.py`: the mocks as a test holds them (`SeenMock`, `BrazeMock`, `DataTransformation`,
  `MockClock`);
- `calls.py`: what an assertion on the journal says when it fails (`CallView`,
  `explain_calls`), in-process or over HTTP.
"""

from seen_braze_harness.harness.sandbox.calls import KNOWN_HOPS, CallView, explain_calls
from seen_braze_harness.harness.sandbox.mocks import (
    BrazeMock,
    DataTransformation,
    MockClock,
    SeenMock,
)
from seen_braze_harness.harness.sandbox.sandbox import BRAZE_HOSTS, Sandbox, current, seen_braze

__all__ = [
    "BRAZE_HOSTS",
    "KNOWN_HOPS",
    "BrazeMock",
    "CallView",
    "DataTransformation",
    "MockClock",
    "Sandbox",
    "SeenMock",
    "current",
    "explain_calls",
    "seen_braze",
]
