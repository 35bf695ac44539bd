"""The SEEN mock's hops (see `mocks.core.hops`)."""

from __future__ import annotations

from seen_braze_harness.mocks.core.hops import Hop, HopRegistry
from seen_braze_harness.mocks.core.journal import HopSchemas

RECEIVERS = Hop(
    "seen.receivers",
    "POST /v1/campaigns/<slug>/receivers/: a webhook creates receivers (the legacy API)",
    "inbound",
    HopSchemas(
        request="seen/receivers-request",
        responses={
            201: "seen/receivers-created",
            400: "seen/receivers-errors",
            "4xx": "seen/error-detail",
        },
    ),
    faults=True,
)
CALLBACK = Hop(
    "seen.callback",
    "SEEN's callback with a rendered video's links, to the campaign's callback_url",
    "outbound",
    HopSchemas(request="seen/callback"),
    faults=True,
)

HOPS = HopRegistry("seen", (RECEIVERS, CALLBACK))
