"""The offline Validate behind `seen-braze transform`: run the code, judge its output."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from mocks.braze.destinations import (
    CatalogItems,
    CatalogStore,
    Destination,
    SendMessages,
    TrackUsers,
)
from mocks.braze.jsruntime import TransformationRuntime, canonical_headers
from mocks.braze.settings import BrazeSettings
from mocks.braze.transformations import Validation, judge


def offline_destination(name: str, output_hint: Any = None) -> Destination:
    """A destination that checks what it can without a workspace: catalogs and recipients are
    taken to exist (a live Braze mock checks them)."""
    if name == "track-users":
        return TrackUsers(lambda output: (201, {}), BrazeSettings(clock="virtual"))
    if name == "send-messages":
        return SendMessages(lambda _kind, _value: True, lambda: 0.0)
    catalogs = CatalogStore()
    catalog = output_hint.get("catalog_name") if isinstance(output_hint, dict) else None
    if isinstance(catalog, str):
        with contextlib.suppress(ValueError):  # an invalid name: reported as catalog-not-found
            catalogs.create(catalog)
    method = {"catalog-put": "PUT", "catalog-patch": "PATCH", "catalog-delete": "DELETE"}[name]
    return CatalogItems(method, catalogs)


def validate_offline(
    runtime: TransformationRuntime,
    code: str,
    payload: Any,
    headers: Mapping[str, str],
    destination: str,
) -> Validation:
    result = runtime.run(code, payload, canonical_headers(headers))
    return judge(result, offline_destination(destination, result.output), destination)


def describe_validation(validation: Validation) -> str:
    """The terminal form: output, console, then the verdict and why."""
    result = validation.result
    lines: list[str] = []
    if result.ok:
        lines += ["output:", json.dumps(result.output, indent=2, ensure_ascii=False)]
    for entry in result.console:
        lines.append(f"console.{entry.level}: {entry.text}")
    if not result.ok:
        where = f" at line {result.line}" + (f", column {result.column}" if result.column else "")
        lines.append(f"FAILED ({result.error_kind}){where if result.line else ''}: {result.error}")
    elif validation.acceptable:
        lines.append(f"OK: an acceptable request for {validation.destination}")
    else:
        lines.append(f"REFUSED: {validation.destination} would not accept this output:")
        lines += [f"  {p['pointer'] or '/'}: {p['message']}" for p in validation.problems]
    return "\n".join(lines)
