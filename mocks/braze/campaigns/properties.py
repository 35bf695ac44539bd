"""Personalisation data besides the profile: the trigger, event and Canvas entry properties a
send carries, by Liquid namespace, shared by every recipient or a recipient's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seen_braze_harness.mocks.braze.campaigns.errors import WebhookCampaignError

PROPERTY_KEYS: Mapping[str, str] = {
    "trigger_properties": "api_trigger_properties",
    "event_properties": "event_properties",
    "canvas_entry_properties": "canvas_entry_properties",
    "context": "canvas_entry_properties",
}
"""A send's key and the Liquid namespace it fills (`context` is `canvas_entry_properties`)."""
Properties = dict[str, dict[str, Any]]
"""Liquid namespace (`api_trigger_properties`, ...) to its key-value pairs."""


def parse_properties(given: Mapping[str, Any], where: str = "") -> Properties:
    """The property objects among `given`'s keys, by namespace; WebhookCampaignError naming
    the key."""
    found: Properties = {}
    named: dict[str, str] = {}
    for key, namespace in PROPERTY_KEYS.items():
        if key not in given:
            continue
        value = given[key]
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise WebhookCampaignError(
                f"{where}{key}: must be an object of key-value pairs, not {value!r}"
            )
        if namespace in named:
            raise WebhookCampaignError(
                f"{where}{key}: {named[namespace]} and {key} are the same namespace; give one"
            )
        named[namespace] = key
        found[namespace] = dict(value)
    return found


def merge_properties(shared: Properties, own: Properties) -> Properties:
    """A recipient's properties over the shared ones, key by key (Braze: they override)."""
    merged = {namespace: dict(values) for namespace, values in shared.items()}
    for namespace, values in own.items():
        merged[namespace] = {**merged.get(namespace, {}), **values}
    return merged


RECIPIENT_KEYS = ("external_user_id", *PROPERTY_KEYS)


def parse_recipients(given: Any) -> list[tuple[str, Properties]]:
    """`recipients` as `/campaigns/trigger/send` has them: each an `external_user_id` and its
    own properties."""
    if not isinstance(given, list):
        raise WebhookCampaignError("recipients: must be a list of recipient objects")
    found: list[tuple[str, Properties]] = []
    seen: set[str] = set()
    for index, item in enumerate(given):
        where = f"recipients[{index}]."
        if not isinstance(item, Mapping):
            raise WebhookCampaignError(f"recipients[{index}]: must be an object, not {item!r}")
        unknown = sorted(set(item) - set(RECIPIENT_KEYS))
        if unknown:
            raise WebhookCampaignError(
                f"{where[:-1]}: unknown key(s) {', '.join(unknown)}; allowed: "
                f"{', '.join(RECIPIENT_KEYS)}"
            )
        external_id = item.get("external_user_id")
        if not isinstance(external_id, str) or not external_id:
            raise WebhookCampaignError(f"{where}external_user_id: required, a non-empty string")
        if external_id in seen:
            raise WebhookCampaignError(f"{where}external_user_id: {external_id!r} is listed twice")
        seen.add(external_id)
        found.append((external_id, parse_properties(item, where)))
    return found
