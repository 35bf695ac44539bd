"""What goes wrong with a webhook campaign: the errors its definitions, sends and renders
raise, and how a Liquid error reads in their messages."""

from __future__ import annotations

from seen_braze_harness.mocks.core.errors import Invalid, NotFound


class WebhookCampaignError(Invalid):
    """A campaign definition or a send request that cannot be used; the message names the key."""


class CampaignNotFound(NotFound):
    """No campaign has this id."""


class UserNotFound(NotFound):
    """No user matches what a Test send asked for."""


class InvalidWebhook(ValueError):
    """A rendered request Braze could not send (bad URL, a line break in a header)."""


def _liquid_text(exc: Exception) -> str:
    """The error's text, naming the template line when it has one."""
    text, line = str(exc), getattr(exc, "line", None)
    return f"line {line}: {text}" if isinstance(line, int) and f"line {line}" not in text else text
