"""The end-to-end run: the scenario's audience through Braze, SEEN, the transformation and back.

- `driver.py`: the run itself, once for both modes: take over, configure, send, wait, gather,
  trace, check. Everything it does to the mocks goes through their admin APIs (`admin.py`).
- `local.py`: the in-process port (`run_scenario`): both mocks in this process, one clock.
- `remote.py`: the HTTP port (`run_remote`): two `seen-braze serve` servers, two clocks.
- `records.py`: what a run leaves, the same in both modes; `tracer.py` turns it into each
  user's chain, joined by span id; `verdicts.py` holds the run-wide checks (schemas, hop
  stats, the mocks' health).
"""

from seen_braze_harness.harness.run.admin import RemoteError
from seen_braze_harness.harness.run.driver import ProgressCallback, check_context
from seen_braze_harness.harness.run.local import RunOptions, peak_rss_bytes, run_scenario
from seen_braze_harness.harness.run.remote import DEFAULT_TIMEOUT, RemoteOptions, run_remote
from seen_braze_harness.harness.run.verdicts import MAX_VIRTUAL_SECONDS

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_VIRTUAL_SECONDS",
    "ProgressCallback",
    "RemoteError",
    "RemoteOptions",
    "RunOptions",
    "check_context",
    "peak_rss_bytes",
    "run_remote",
    "run_scenario",
]
