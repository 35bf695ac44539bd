"""The checks of an end-to-end run: each user's chain, hop by hop, and what to do when it breaks.

- `traces.py`: what the checks read (the traces of each user, the `Context` of the
  integration) and what they write (the `Tally`);
- `chain.py`: the checks of one user's chain, link by link (`check_user`);
- `webhook.py`: why the webhook did not get through to SEEN, answer by answer;
- `preflight.py`: the checks of the campaign itself, not of a user.
"""

from seen_braze_harness.harness.checks.chain import PROFILE_LINKS, check_user
from seen_braze_harness.harness.checks.preflight import liquid_preflight, rate_preflight
from seen_braze_harness.harness.checks.traces import (
    CHECKS,
    Attempt,
    Context,
    ReceiverTrace,
    RunTrace,
    Tally,
    UserTrace,
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
]
