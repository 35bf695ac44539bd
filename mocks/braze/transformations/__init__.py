"""Braze Data Transformations: each one a webhook URL, the customer's code, and a destination.

A webhook is acknowledged first (201) and transformed after, on the scheduler, as Braze does
(**assumed** asynchronous): the customer's code runs in `jsruntime/` (V8 in worker processes)
and an active transformation delivers its output to its destination.

The modules:

- `store.py`: the transformations, their webhooks' runs and the logs (`TransformationStore`),
  and Validate's verdict on an output (`judge`).
- `destinations.py`: where an output goes (Track users, catalog items, Send messages), each
  checking it the way its REST endpoint would.
- `jsruntime/`: the JavaScript runtime, isolated and limited (`TransformationRuntime`).
- `views.py`: the webhook endpoint and the admin API over HTTP (Flask blueprints).
"""

from __future__ import annotations

from seen_braze_harness.mocks.braze.transformations.destinations import (
    CATALOG_NAME,
    DESTINATIONS,
    FIELD_TYPES,
    CatalogItems,
    CatalogStore,
    Destination,
    SendMessages,
    TrackUsers,
)
from seen_braze_harness.mocks.braze.transformations.store import (
    Transformation,
    TransformationError,
    TransformationStore,
    Validation,
    judge,
)

__all__ = [
    "CATALOG_NAME",
    "DESTINATIONS",
    "FIELD_TYPES",
    "CatalogItems",
    "CatalogStore",
    "Destination",
    "SendMessages",
    "TrackUsers",
    "Transformation",
    "TransformationError",
    "TransformationStore",
    "Validation",
    "judge",
]
