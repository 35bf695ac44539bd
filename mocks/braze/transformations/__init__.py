"""Braze Data Transformations: each one a webhook URL, the customer's code, and a destination.

A webhook is acknowledged first (201) and transformed after, on the scheduler, as Braze does
(**assumed** asynchronous): the customer's code runs in `jsruntime/` (V8 in worker processes)
and an active transformation delivers its output to its destination.

The modules:

- `definitions.py`: a transformation as defined (`Transformation`), its webhooks, its log.
- `store.py`: the workspace's transformations, their webhooks' runs from the queue to the
  destination, and the logs (`TransformationStore`).
- `validation.py`: Validate's verdict on a run (`judge`): its output checked as any request
  body, then by its destination.
- `destinations.py`: where an output goes (Track users, catalog items, Send messages), each
  checking it the way its REST endpoint would; `catalogs.py` (the catalogs and their items)
  and `send_messages.py` (`/messages/send`) are two of them.
- `jsruntime/`: the JavaScript runtime, isolated and limited (`TransformationRuntime`).
- `views.py`: the webhook endpoint and the admin API over HTTP (their routes: `mocks.braze.routes`).
"""

from __future__ import annotations

from seen_braze_harness.mocks.braze.transformations.catalogs import (
    CATALOG_NAME,
    FIELD_TYPES,
    CatalogItems,
    CatalogStore,
)
from seen_braze_harness.mocks.braze.transformations.definitions import (
    Transformation,
    TransformationError,
)
from seen_braze_harness.mocks.braze.transformations.destinations import (
    DESTINATIONS,
    Destination,
    TrackUsers,
)
from seen_braze_harness.mocks.braze.transformations.send_messages import SendMessages
from seen_braze_harness.mocks.braze.transformations.store import TransformationStore
from seen_braze_harness.mocks.braze.transformations.validation import Validation, judge

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
