"""What every Braze view needs: the backend of the mock serving the request."""

from __future__ import annotations

from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.core.routes import current_backend

BACKEND_KEY = "braze"
"""Where a Braze mock's app keeps its backend."""


def current() -> BrazeBackend:
    """The backend of the Braze mock serving the request."""
    return current_backend(BACKEND_KEY, BrazeBackend)
