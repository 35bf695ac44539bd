"""The Braze mock's hops (see `mocks.core.hops`), in the order of the flow."""

from __future__ import annotations

from seen_braze_harness.mocks.core.hops import Hop, HopRegistry
from seen_braze_harness.mocks.core.journal import HopSchemas

USERS_TRACK_SCHEMAS = HopSchemas(
    request="braze/users-track-request",
    responses={
        201: "braze/users-track-response",
        400: "braze/users-track-response",
        "4xx": "braze/error-message",
        "5xx": "braze/error-message",
    },
)

WEBHOOK = Hop(
    "braze.webhook",
    "a webhook campaign's message to its URL; checked against the schemas of the API it "
    "targets, which the integration names (the harness wires SEEN's receivers)",
    "outbound",
    faults=True,
)
WEBHOOK_TEST = Hop(
    "braze.webhook_test",
    "a webhook campaign's Test send, as the dashboard's Test tab makes it",
    "outbound",
    faults=True,
)
TRANSFORMATION_WEBHOOK = Hop(
    "braze.transformation_webhook",
    "POST /transformations/<id>/<secret>: a partner's call to a Data Transformation",
    "inbound",
    HopSchemas(responses={"2xx": "braze/error-message"}),
    faults=True,
)
TRANSFORMATION = Hop(
    "braze.transformation",
    "the transformation's JavaScript run on a webhook's body",
    "internal",
    journaled=False,
)
TRANSFORMATION_DELIVERY = Hop(
    "braze.transformation_delivery",
    "the transformation's output, delivered to its destination (/users/track by default)",
    "internal",
    USERS_TRACK_SCHEMAS,
)
USERS_TRACK = Hop(
    "braze.users_track",
    "POST /users/track from any REST client",
    "inbound",
    USERS_TRACK_SCHEMAS,
    faults=True,
)
PROFILE = Hop(
    "braze.profile",
    "the user's profile, where the links are to be written",
    "internal",
    journaled=False,
)

HOPS = HopRegistry(
    "braze",
    (
        WEBHOOK,
        WEBHOOK_TEST,
        TRANSFORMATION_WEBHOOK,
        TRANSFORMATION,
        TRANSFORMATION_DELIVERY,
        USERS_TRACK,
        PROFILE,
    ),
)
