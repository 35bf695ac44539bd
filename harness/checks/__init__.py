"""The checks of an end-to-end run: each user's chain, hop by hop, and what to do when it breaks."""

from seen_braze_harness.harness.checks.chain import (
    CHECKS,
    PROFILE_LINKS,
    Attempt,
    Context,
    ReceiverTrace,
    RunTrace,
    Tally,
    UserTrace,
    check_user,
    liquid_preflight,
    rate_preflight,
    summarise_checks,
)

__all__ = [
    "CHECKS",
    "PROFILE_LINKS",
    "Attempt",
    "Context",
    "ReceiverTrace",
    "RunTrace",
    "Tally",
    "UserTrace",
    "check_user",
    "liquid_preflight",
    "rate_preflight",
    "summarise_checks",
]
