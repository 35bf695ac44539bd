"""Receiver validation with Django REST Framework's rules and messages, as SEEN's API answers.

`schemas/seen/receiver.json` states the same rules; a test keeps the two in agreement.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

from seen_braze_harness.mocks.seen.settings import SeenSettings

EMAIL = re.compile(
    r"^[^@\s\"(),:;<>\[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")

REQUIRED = "This field is required."
NULL = "This field may not be null."
BLANK = "This field may not be blank."
NOT_A_STRING = "Not a valid string."
BAD_EMAIL = "Enter a valid email address."
BAD_PHONE = "Enter a valid phone number."
DUPLICATE = "receiver with this customer id already exists."

FIELDS = ("first_name", "last_name", "email", "phone", "customer_id", "extra_args")

Errors = dict[str, list[str]]


def _text(value: Any, *, blank: bool, max_length: int) -> tuple[str | None, str | None]:
    """A CharField's (value, error): numbers become strings, white space is trimmed."""
    if value is None:
        return None, NULL
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None, NOT_A_STRING
    text = str(value).strip()
    if not text and not blank:
        return None, BLANK
    if len(text) > max_length:
        return None, f"Ensure this field has no more than {max_length} characters."
    return text, None


def validate_receiver(item: Any, settings: SeenSettings) -> tuple[dict[str, Any], Errors]:
    """The accepted fields of one receiver and its field errors (empty when it is good)."""
    if not isinstance(item, dict):
        kind = type(item).__name__
        return {}, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
    clean: dict[str, Any] = {}
    errors: Errors = {}
    limit = settings.max_field_length
    for name in FIELDS:
        if name not in item:
            if name == "first_name":
                errors[name] = [REQUIRED]
            continue
        value = item[name]
        if name == "extra_args":
            if value is None:
                errors[name] = [NULL]
            elif not isinstance(value, dict):
                kind = type(value).__name__
                errors[name] = [f'Expected a dictionary of items but got type "{kind}".']
            else:
                clean[name] = value
            continue
        max_length = 254 if name == "email" else limit
        text, error = _text(value, blank=name != "first_name", max_length=max_length)
        if error is None and text:
            if name == "email" and settings.validate_email and not EMAIL.match(text):
                error = BAD_EMAIL
            elif name == "phone" and settings.validate_phone and not E164.match(text):
                error = BAD_PHONE
        if error is None:
            clean[name] = text
        else:
            errors[name] = [error]
    return clean, errors


def validate_batch(
    data: Any, settings: SeenSettings, known_customer_ids: Container[str] = frozenset()
) -> tuple[list[dict[str, Any]], list[Errors] | dict[str, list[str]] | None]:
    """Accepted receivers, or the 400 body: batch errors, or a list aligned with the input."""
    if not isinstance(data, list):
        kind = type(data).__name__
        return [], {"non_field_errors": [f'Expected a list of items but got type "{kind}".']}
    if not data and not settings.allow_empty_batch:
        return [], {"non_field_errors": ["This list may not be empty."]}
    if len(data) > settings.batch_limit:
        message = f"Ensure this field has no more than {settings.batch_limit} elements."
        return [], {"non_field_errors": [message]}
    in_batch: set[str] = set()
    accepted: list[dict[str, Any]] = []
    errors: list[Errors] = []
    for item in data:
        clean, item_errors = validate_receiver(item, settings)
        customer_id = clean.get("customer_id")
        if settings.reject_duplicate_customer_id and customer_id:
            if customer_id in known_customer_ids or customer_id in in_batch:
                item_errors["customer_id"] = [DUPLICATE]
            in_batch.add(customer_id)
        accepted.append(clean)
        errors.append(item_errors)
    if any(errors):
        return [], errors
    return accepted, None
