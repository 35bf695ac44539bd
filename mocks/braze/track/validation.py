"""`/users/track` validation: the request as a whole, then each object on its own.

An object that fails gets an error entry `{type, input_array, index}` and is not applied; the
rest of the request is. `type` is the documented enum where one fits (EMAIL_BAD_FORMAT, ...)
or a sentence like the live API's, as `BrazeSettings.error_style` says; every rejection
carries both. Sentences the live API is not known to send are the emulator's (**assumed**).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pycountry

from seen_braze_harness.mocks.braze.dates import parse_event_time
from seen_braze_harness.mocks.braze.errors import VALID_DATA, BadRequest
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track.profiles import Identifier
from seen_braze_harness.mocks.braze.track.standard import GROUP_STATES, SUBSCRIPTION_STATES
from seen_braze_harness.mocks.braze.track.values import TEXT_MAX, is_number
from seen_braze_harness.mocks.core.jsonbody import WHITESPACE, not_blank

ARRAYS = ("attributes", "events", "purchases")
PRIMARY = ("external_id", "user_alias", "braze_id")
SECONDARY = ("email", "phone")
IDENTIFYING_KEYS = (*PRIMARY, "_update_existing_only")

EMAIL_MAX = 255
_EMAIL_CHAR = rf'[^@{WHITESPACE}"(),:;<>\[\\\]]'
EMAIL_PATTERN = f"{_EMAIL_CHAR}+@{_EMAIL_CHAR}+\\.{_EMAIL_CHAR}+"
"""An address as the mock takes it, matched whole; ECMA-262's white space, so that the request
schema, whose `pattern` is this between ^ and $, reads it the same in every regex dialect."""
EMAIL = re.compile(EMAIL_PATTERN)
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
CURRENCIES = frozenset(currency.alpha_3 for currency in pycountry.currencies)
RESERVED_PROPERTIES = ("time", "event_name")
RESERVED_PURCHASE_PROPERTIES = ("time", "product_id", "quantity", "event_name", "price", "currency")
"""Braze's purchase-object page: these keys "are reserved and cannot be used as property names"."""
INVALID_PROPERTIES = "Invalid 'properties' field"
"""The error Braze documents for a reserved key in a purchase's `properties`."""
EVENT_PROPERTIES_MAX_BYTES = 100 * 1024
PURCHASE_PROPERTIES_MAX_BYTES = 50 * 1024

IDENTIFIER_REQUIRED = "'external_id', 'braze_id', 'user_alias', 'email' or 'phone' is required"


@dataclass(frozen=True)
class Rejection:
    """Why one object was not applied: a sentence, and the documented enum where one fits."""

    sentence: str
    enum: str | None = None

    def type(self, style: str) -> str:
        return self.enum if style == "enum" and self.enum else self.sentence


@dataclass(frozen=True)
class TrackObject:
    """An object that passed validation, with the identifier its user is looked up by."""

    array: str
    index: int
    data: Mapping[str, Any]
    identifier: Identifier
    update_existing_only: bool

    @property
    def where(self) -> str:
        return f"{self.array}[{self.index}]"


def request_objects(body: Any, settings: BrazeSettings) -> list[tuple[str, int, Any]]:
    """Every object of the request in processing order; BadRequest for the request itself."""
    if not isinstance(body, dict):
        raise BadRequest(VALID_DATA)
    found: list[tuple[str, int, Any]] = []
    counts: dict[str, int] = {}
    for array in ARRAYS:
        items = body.get(array)
        if items is None:
            continue
        if not isinstance(items, list):
            raise BadRequest(VALID_DATA)
        counts[array] = len(items)
        found.extend((array, index, item) for index, item in enumerate(items))
    limit = settings.object_limit
    over = (
        sum(counts.values()) > limit
        if settings.object_limit_mode == "total"
        else any(n > limit for n in counts.values())
    )
    if over:
        raise BadRequest("Max Input Length Exceeded")
    if not found:
        raise BadRequest(VALID_DATA)
    return found


def present_arrays(body: Mapping[str, Any]) -> list[str]:
    return [array for array in ARRAYS if isinstance(body.get(array), list)]


def check_object(
    array: str, index: int, obj: Any, settings: BrazeSettings
) -> TrackObject | Rejection:
    if not isinstance(obj, dict):
        return Rejection(f"'{array}' items must be JSON objects")
    identified = identify(obj, settings)
    if isinstance(identified, Rejection):
        return identified
    identifier, update_existing_only = identified
    checks = {"attributes": check_attributes, "events": check_event, "purchases": check_purchase}
    problem = checks[array](obj)
    if problem is not None:
        return problem
    return TrackObject(array, index, obj, identifier, update_existing_only)


def identify(
    obj: Mapping[str, Any], settings: BrazeSettings
) -> tuple[Identifier, bool] | Rejection:
    """The identifier a user is looked up by, and the object's `_update_existing_only`."""
    primaries = [key for key in PRIMARY if obj.get(key) is not None]
    if len(primaries) > 1:
        return Rejection(
            "only one of 'external_id', 'user_alias' or 'braze_id' may identify a user, "
            f"got {', '.join(repr(k) for k in primaries)}"
        )
    if primaries:
        kind = primaries[0]
        value = obj[kind]
        problem = _check_primary(kind, value, settings)
        if problem is not None:
            return problem
    elif obj.get("email") is not None:
        kind, value = "email", obj["email"]
        if not _email(value):
            return Rejection("'email' is not a valid email address", "EMAIL_BAD_FORMAT")
    elif obj.get("phone") is not None:
        kind, value = "phone", obj["phone"]
        if not isinstance(value, str) or not not_blank(value):
            return Rejection("'phone' must be a non-empty string")
    else:
        return Rejection(IDENTIFIER_REQUIRED)
    update_existing_only = obj.get("_update_existing_only", kind == "user_alias")
    if not isinstance(update_existing_only, bool):
        return Rejection("'_update_existing_only' must be true or false")
    return Identifier(kind, value), update_existing_only


def _check_primary(kind: str, value: Any, settings: BrazeSettings) -> Rejection | None:
    if kind == "external_id":
        if not isinstance(value, str) or not value:
            return Rejection("'external_id' must be a non-empty string")
        if len(value.encode("utf-8")) > settings.external_id_max_bytes:
            return Rejection(
                f"'external_id' is longer than {settings.external_id_max_bytes} bytes",
                "EXTERNAL_USER_ID_TOO_LARGE",
            )
        if value.strip().lower() in {v.lower() for v in settings.blocked_external_ids}:
            return Rejection(
                "provided external_id is blacklisted and disallowed", "BLACKLISTED_EXTERNAL_USER_ID"
            )
    elif kind == "user_alias":
        if (
            not isinstance(value, dict)
            or set(value) != {"alias_name", "alias_label"}
            or not all(isinstance(v, str) and v for v in value.values())
        ):
            return Rejection('\'user_alias\' must be {"alias_name": str, "alias_label": str}')
    elif not isinstance(value, str) or not value:
        return Rejection("'braze_id' must be a non-empty string")
    return None


def check_attributes(obj: Mapping[str, Any]) -> Rejection | None:
    """The standard-field rules that reject an attributes object (the documented enums)."""
    if "email_subscription_info" in obj:
        # Braze's /users/track error table: "`email_subscription_info` is not a valid attribute".
        return Rejection(
            "'email_subscription_info' is not a valid attribute",
            "INVALID_ATTRIBUTE_EMAIL_SUBSCRIPTION_INFO",
        )
    email = obj.get("email")
    if email is not None and not _email(email):
        return Rejection("'email' is not a valid email address", "EMAIL_BAD_FORMAT")
    for name, enum in (
        ("email_subscribe", "BAD_EMAIL_SUBSCRIPTION_STATE"),
        ("push_subscribe", "BAD_PUSH_SUBSCRIPTION_STATE"),
    ):
        state = obj.get(name)
        if state is not None and state not in SUBSCRIPTION_STATES:
            return Rejection(
                f"'{name}' must be one of {', '.join(SUBSCRIPTION_STATES)}, not {state!r}", enum
            )
    if obj.get("subscription_groups") is not None:
        problem = _check_subscription_groups(obj["subscription_groups"])
        if problem is not None:
            return problem
    location = obj.get("current_location")
    if location is not None and not _valid_location(location):
        return Rejection(
            '\'current_location\' must be {"longitude": -180..180, "latitude": -90..90}',
            "BAD_LOCATION_UPDATE",
        )
    return None


def _check_subscription_groups(groups: Any) -> Rejection | None:
    if not isinstance(groups, list):
        return Rejection("'subscription_groups' must be an array", "BAD_SUBSCRIPTION_GROUP_ARRAY")
    for group in groups:
        if not isinstance(group, dict):
            return Rejection(
                "'subscription_groups' items must be objects", "BAD_SUBSCRIPTION_GROUP_HASH"
            )
        if not isinstance(group.get("subscription_group_id"), str) or not UUID.fullmatch(
            group["subscription_group_id"]
        ):
            return Rejection(
                "'subscription_group_id' must be a subscription group's UUID",
                "BAD_SUBSCRIPTION_GROUP_ID",
            )
        if group.get("subscription_state") not in GROUP_STATES:
            return Rejection(
                "'subscription_state' must be subscribed or unsubscribed",
                "BAD_SUBSCRIPTION_GROUP_STATE",
            )
    return None


def _valid_location(location: Any) -> bool:
    if not isinstance(location, dict):
        return False
    longitude: Any = location.get("longitude")
    latitude: Any = location.get("latitude")
    if not is_number(longitude) or not is_number(latitude):
        return False
    return bool(-180 <= longitude <= 180 and -90 <= latitude <= 90)


def check_event(obj: Mapping[str, Any]) -> Rejection | None:
    name = obj.get("name")
    if name is None:
        return Rejection("'name' is required")
    if not isinstance(name, str) or not not_blank(name):
        return Rejection("'name' must be a non-empty string")
    return (
        _check_time(obj) or _check_app_id(obj) or _check_properties(obj, EVENT_PROPERTIES_MAX_BYTES)
    )


def check_purchase(obj: Mapping[str, Any]) -> Rejection | None:
    product_id = obj.get("product_id")
    if product_id is None:
        return Rejection("'product_id' is required")
    if not isinstance(product_id, str) or not product_id or len(product_id) > TEXT_MAX:
        return Rejection("'product_id' must be a string of 1 to 255 characters")
    currency = obj.get("currency")
    if currency is None:
        return Rejection("'currency' is required")
    if not isinstance(currency, str) or currency not in CURRENCIES:
        return Rejection("'currency' must be an ISO 4217 currency")
    price = obj.get("price")
    if price is None:
        return Rejection("'price' is required")
    if not is_number(price):
        return Rejection("'price' must be a number")
    quantity = obj.get("quantity", 1)
    if isinstance(quantity, float) and quantity.is_integer():
        quantity = int(quantity)  # 2.0 is the integer 2 in JSON, as JSON Schema counts it
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 100:
        return Rejection("'quantity' is not valid")
    properties = obj.get("properties")
    if isinstance(properties, dict) and any(k in RESERVED_PURCHASE_PROPERTIES for k in properties):
        return Rejection(INVALID_PROPERTIES)
    return (
        _check_time(obj)
        or _check_app_id(obj)
        or _check_properties(obj, PURCHASE_PROPERTIES_MAX_BYTES)
    )


def _check_time(obj: Mapping[str, Any]) -> Rejection | None:
    if obj.get("time") is None:
        return Rejection("'time' is required")
    if parse_event_time(obj["time"]) is None:
        return Rejection("'time' must be an ISO 8601 time")
    return None


def _check_app_id(obj: Mapping[str, Any]) -> Rejection | None:
    app_id = obj.get("app_id")
    if app_id is not None and not isinstance(app_id, str):
        return Rejection("'app_id' must be a string")
    return None


def _check_properties(obj: Mapping[str, Any], max_bytes: int) -> Rejection | None:
    properties = obj.get("properties")
    if properties is None:
        return None
    if not isinstance(properties, dict):
        return Rejection("'properties' must be an object")
    for key, value in properties.items():
        if not key or len(key) > TEXT_MAX or key.startswith("$") or key in RESERVED_PROPERTIES:
            return Rejection(
                f"property name {key!r} is not valid: 1 to 255 characters, no leading '$', "
                "not 'time' or 'event_name'"
            )
        if isinstance(value, str) and len(value) > TEXT_MAX:
            return Rejection(f"property {key!r} is longer than 255 characters")
        if isinstance(value, float) and not math.isfinite(value):
            return Rejection(f"property {key!r} is not a finite number")
    if any(isinstance(v, dict | list) for v in properties.values()):
        size = len(json.dumps(properties, ensure_ascii=False).encode("utf-8"))
        if size > max_bytes:
            return Rejection(
                f"'properties' are {size} bytes; at most {max_bytes} with arrays or objects"
            )
    return None


def _email(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= EMAIL_MAX and EMAIL.fullmatch(value) is not None
