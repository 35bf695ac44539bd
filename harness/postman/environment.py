"""The collection's environment: base URLs, credentials, and the ids the requests store for
the requests after them."""

from __future__ import annotations

import uuid
from typing import Any

from seen_braze_harness.harness.scenario import Scenario

NAME = "seen-braze"
SEEN_BASE_URL = "http://127.0.0.1:8801"
BRAZE_BASE_URL = "http://127.0.0.1:8802"
BRAZE_ID = "65a1b2c3d4e5f60718293a4b"
"""The Braze user the collection seeds, sends to SEEN and updates from SEEN's callback."""
EXTERNAL_ID = "u-1"


def build_environment(scenario: Scenario) -> dict[str, Any]:
    """The Postman environment: base URLs, credentials and the ids the requests store."""
    values = {
        "seen_base_url": SEEN_BASE_URL,
        "braze_base_url": BRAZE_BASE_URL,
        "seen_token": seen_token(scenario),
        "campaign_slug": campaign_slug(scenario),
        "braze_api_key": next(iter(scenario.braze_settings().api_keys)),
        "braze_id": BRAZE_ID,
        "external_id": EXTERNAL_ID,
        "receiver_id": "",
        "fault_id": "",
        "transformation_id": "",
        "transformation_webhook_url": "",
        "campaign_id": "",
    }
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{NAME}/environment")),
        "name": f"{NAME} (local)",
        "values": [
            {"key": key, "value": value, "type": _variable_type(key), "enabled": True}
            for key, value in values.items()
        ],
        "_postman_variable_scope": "environment",
    }


def seen_token(scenario: Scenario) -> str:
    """The scenario's SEEN campaign token, or "" when it has no fixed one."""
    token = scenario.seen_campaign.get("token")
    return token if isinstance(token, str) else ""


def campaign_slug(scenario: Scenario) -> str:
    """The scenario's SEEN campaign slug (`onboarding` when it names none)."""
    slug = scenario.seen_campaign.get("slug")
    return slug if isinstance(slug, str) else "onboarding"


def _variable_type(key: str) -> str:
    return "secret" if key in {"seen_token", "braze_api_key"} else "default"
