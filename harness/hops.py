"""The integration's hops, taken from the mocks' registries (`mocks.seen.hops`,
`mocks.braze.hops`): the order a user's data flows through them, the hops each service
journals, the hops fault rules may name, and the schemas of the webhook campaign's target."""

from __future__ import annotations

from seen_braze_harness.mocks.braze import hops as braze
from seen_braze_harness.mocks.core.hops import Hop
from seen_braze_harness.mocks.core.journal import HopSchemas
from seen_braze_harness.mocks.seen import hops as seen

REGISTRIES = {"seen": seen.HOPS, "braze": braze.HOPS}

FLOW: tuple[Hop, ...] = (
    braze.WEBHOOK,
    seen.RECEIVERS,
    seen.CALLBACK,
    braze.TRANSFORMATION_WEBHOOK,
    braze.TRANSFORMATION,
    braze.TRANSFORMATION_DELIVERY,
)
"""The hops in the order a user's data flows through them."""

JOURNALED: tuple[str, ...] = seen.HOPS.journaled + braze.HOPS.journaled
"""The hop names the mocks journal (besides `<service>.unmatched` for unknown paths)."""

FAULT_HOPS: dict[str, tuple[str, ...]] = {
    service: registry.fault_hops for service, registry in REGISTRIES.items()
}
"""Per service, the hops a fault rule may name."""

WEBHOOK_SCHEMAS: HopSchemas | None = seen.RECEIVERS.schemas
"""What the webhook campaign's messages are checked against: it calls SEEN's receivers API."""
