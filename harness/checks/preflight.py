"""The checks of the campaign rather than of a user, found before any user's chain: what the
campaign would do on a production audience (its rate against SEEN's limit) or after a parser
change (Liquid that renders only by Braze's leniency), whatever the test audience shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from seen_braze_harness.harness.checks.traces import Context, Tally
from seen_braze_harness.harness.checks.webhook import rate_hint
from seen_braze_harness.harness.results import Finding
from seen_braze_harness.mocks.braze import hops as braze_hops


def rate_preflight(ctx: Context, tally: Tally) -> None:
    """Warn when the campaign's rate would exceed SEEN's limit on a production-size audience
    (a small test audience may not reach the limit, a real one will)."""
    hourly = ctx.rate_per_minute * 60
    allowed = ctx.seen_rate_limit * 3600 / ctx.seen_rate_window
    if hourly > allowed:
        tally.found(
            Finding(
                check="seen.rate_limit",
                severity="warning",
                message=f"at {ctx.rate_per_minute} messages per minute Braze sends up to "
                f"{hourly:,} calls an hour; SEEN accepts {allowed:,.0f}",
                hop=braze_hops.WEBHOOK.name,
                hint=rate_hint(ctx),
            )
        )


def liquid_preflight(warnings: Sequence[Mapping[str, Any]], tally: Tally) -> None:
    """Warn where the campaign's Liquid renders only by Braze's leniency, or uses what Braze
    documents as unsupported: it works today, but is one parser change away from breaking."""
    for warning in warnings:
        tally.found(
            Finding(
                check="webhook.rendered",
                severity="warning",
                message=f"{warning['key']}, line {warning['line']}: {warning['message']}",
                hop=braze_hops.WEBHOOK.name,
                hint='write it as strict Liquid accepts it; with liquid_error_mode = "strict" '
                "in [braze.settings] every such place is an error",
            )
        )
