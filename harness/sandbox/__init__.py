"""In-process mode, like moto's `mock_aws`: `requests` calls to SEEN and Braze served by mocks."""

from seen_braze_harness.harness.sandbox.sandbox import (
    BRAZE_HOSTS,
    KNOWN_HOPS,
    BrazeMock,
    CallView,
    DataTransformation,
    MockClock,
    Sandbox,
    SeenMock,
    current,
    explain_calls,
    hop_matches,
    seen_braze,
)

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
    "hop_matches",
    "seen_braze",
]
