"""The admin token of a served mock, as the tools that drive one find it.

`seen-braze serve --admin-token` (or $SEEN_BRAZE_ADMIN_TOKEN) makes the admin API refuse calls
without the token; `seen-braze run --seen-url/--braze-url` and `seen-braze journal` send it
from the same variable.
"""

from __future__ import annotations

import os

ADMIN_TOKEN_ENV = "SEEN_BRAZE_ADMIN_TOKEN"


def admin_headers() -> dict[str, str]:
    """The admin token header when $SEEN_BRAZE_ADMIN_TOKEN names one, else none."""
    token = os.environ.get(ADMIN_TOKEN_ENV, "")
    return {"X-Admin-Token": token} if token else {}
