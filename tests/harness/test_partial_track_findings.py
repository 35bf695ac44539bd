"""A transformation output with one good and one bad object: the harness reports the bad one.

Braze delivers such an output to /users/track like any request; the good object is applied
and the bad one comes back in `errors`. The finding is on that user, with the hop, the JSON
pointer into the output and a hint, like every other finding.
"""

from __future__ import annotations

from pathlib import Path

from seen_braze_harness.fixtures import read_text
from tests.harness.test_run import run, scenario_file


def test_partial_track_error_is_a_finding_on_that_user_with_pointer_and_hint(
    tmp_path: Path,
) -> None:
    code = read_text("seen_transformation.js").replace(
        "  }]\n};",
        "  }],\n  events: [{braze_id: braze_id, name: 'video_ready'}]\n};",
    )
    assert "video_ready" in code
    result = run(scenario_file(tmp_path, code=code), users=3)
    assert not result.passed()
    found = [f for f in result.failures if f.check == "track.accepted"]
    assert len(found) == result.users - result.probe_users
    users = {f.user for f in found}
    assert len(users) == len(found), "one finding per user"
    finding = found[0]
    assert finding.hop == "braze.transformation_delivery"
    assert finding.pointer == "/events/0"
    assert "events[0]" in finding.message and "'time' is required" in finding.message
    assert "the rest of the output was applied" in (finding.hint or "")
    checks = {c.name: c for c in result.checks}
    assert checks["track.accepted"].failed == len(found)
