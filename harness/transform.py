"""The offline Validate behind `seen-braze transform`: run the code, judge its output."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Mapping
from typing import Any

from seen_braze_harness.harness.reading import (
    CODE_BYTES,
    HEADERS_BYTES,
    FileReadError,
    FileTooLarge,
    read_text,
)
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.transformations import (
    CatalogItems,
    CatalogStore,
    Destination,
    SendMessages,
    TrackUsers,
    Validation,
    judge,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime import (
    InputTooLarge,
    RunLimits,
    RuntimeUnavailable,
    ScriptResult,
    TransformationRuntime,
    canonical_headers,
)
from seen_braze_harness.mocks.core.jsonbody import parse_json


def offline_destination(name: str, output_hint: Any = None) -> Destination:
    """A destination that checks what it can without a workspace: catalogs and recipients are
    taken to exist (a live Braze mock checks them)."""
    if name == "track-users":
        return TrackUsers(lambda _output, _origin: (201, {}), BrazeSettings(clock="virtual"))
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


# -- the `seen-braze transform` command -------------------------------------------------------


class InputRefused(Exception):
    """An input `seen-braze transform` cannot use (exit 2): which file, what is wrong, and the
    limit it crosses when it crosses one."""

    def __init__(self, file: str, message: str, limit: tuple[str, int] | None = None) -> None:
        super().__init__(file, message)
        self.file = file
        """The file as the command line gave it, after its flag: "--payload p.json"."""
        self.message = message
        self.limit = limit
        """The limit's name (a `BrazeSettings` or `RunLimits` field, or a `harness.reading`
        constant) and its value."""

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"

    def to_dict(self, destination: str) -> dict[str, Any]:
        """The `--json` form: Validate's shape, its error of kind "input"."""
        limit = None if self.limit is None else {"name": self.limit[0], "value": self.limit[1]}
        return {
            "destination": destination,
            "output": None,
            "acceptable": False,
            "error": {
                "kind": "input",
                "message": str(self),
                "file": self.file,
                "limit": limit,
                "line": None,
                "column": None,
            },
            "errors": [],
            "console": [],
            "duration_ms": 0.0,
        }


def run(args: argparse.Namespace) -> int:
    """`seen-braze transform`: 0 acceptable, 1 the destination would refuse the output, 2 the
    code failed or an input is unusable (a file that cannot be read, or one over a limit)."""
    limits = RunLimits()
    try:
        code = read_code(args.code, limits)
        payload = read_json(args.payload, "--payload")
        headers = {} if args.headers is None else read_headers(args.headers)
        with TransformationRuntime(limits) as runtime:
            validation = _validate(runtime, code, payload, headers, args)
    except InputRefused as refused:
        if args.json:
            print(json.dumps(refused.to_dict(args.destination), indent=2, ensure_ascii=False))
        print(f"seen-braze transform: {refused}", file=sys.stderr)
        return 2
    except RuntimeUnavailable as exc:
        print(f"seen-braze transform: {exc}", file=sys.stderr)
        return 2
    crossed = run_limit_crossed(validation.result, limits)
    if args.json:
        report = validation.to_dict()
        if isinstance(report.get("error"), dict):
            name_value = None if crossed is None else {"name": crossed[0], "value": crossed[1]}
            report["error"]["limit"] = name_value
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        text = describe_validation(validation)
        if crossed is not None and crossed[0] == "output_chars":  # the others say their value
            text += f" of {crossed[1]:,} characters (the runtime's output_chars, assumed)"
        print(text)
    if not validation.result.ok:
        return 2
    return 0 if validation.acceptable else 1


def run_limit_crossed(result: ScriptResult, limits: RunLimits) -> tuple[str, int | float] | None:
    """The `RunLimits` field a failed run crossed (timeout, memory, output_chars), if any."""
    error = result.error or ""
    if result.error_kind == "timeout" and error.startswith("Exceeded the time limit"):
        return "timeout", limits.timeout
    if result.error_kind == "memory" and error.startswith("Exceeded the memory limit"):
        return "memory", limits.memory
    if error.startswith("Output too large"):
        return "output_chars", limits.output_chars
    return None


def read_code(path: str, limits: RunLimits) -> str:
    """CODE.js, bounded: at most `limits.code_chars` characters (the runtime's code limit)."""
    code = _read(path, "", ("CODE_BYTES", CODE_BYTES), "transformation code")
    if len(code) > limits.code_chars:
        raise InputRefused(
            path,
            f"{len(code):,} characters of code, over the transformation runtime's limit of "
            f"{limits.code_chars:,} (code_chars, assumed)",
            ("code_chars", limits.code_chars),
        )
    return code


def read_json(path: str, flag: str) -> Any:
    """A JSON file as the webhook endpoint takes its body: at most `max_body_bytes`, UTF-8,
    strict JSON (no NaN or Infinity, no lone surrogates), at most `max_json_depth` deep."""
    settings = BrazeSettings()
    where = f"{flag} {path}"
    limit = ("max_body_bytes", settings.max_body_bytes)
    text = _read(path, f"{flag} ", limit, "a webhook body (max_body_bytes, assumed)")
    try:
        return parse_json(text, max_depth=settings.max_json_depth)
    except ValueError as exc:
        message = str(exc)
        if "nested" in message:
            depth = settings.max_json_depth
            raise InputRefused(
                where,
                f"JSON nested deeper than the webhook's limit of {depth} levels "
                f"(max_json_depth, assumed): Braze would answer 400",
                ("max_json_depth", depth),
            ) from None
        raise InputRefused(
            where, f"not JSON the webhook would take ({message}): Braze would answer 400"
        ) from None


def read_headers(path: str) -> dict[str, str]:
    """`--headers`: a JSON object of strings, at most `HEADERS_BYTES`."""
    where = f"--headers {path}"
    text = _read(path, "--headers ", ("HEADERS_BYTES", HEADERS_BYTES), "request headers")
    try:
        headers = parse_json(text, max_depth=2)
    except ValueError as exc:
        raise InputRefused(where, f"not a JSON object of strings ({exc})") from None
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise InputRefused(where, "must hold an object of strings")
    return headers


def _read(path: str, flag: str, limit: tuple[str, int], kind: str) -> str:
    try:
        return read_text(path, limit[1], kind)
    except FileReadError as exc:
        crossed = limit if isinstance(exc, FileTooLarge) else None
        raise InputRefused(f"{flag}{path}", str(exc), crossed) from None


def _validate(
    runtime: TransformationRuntime,
    code: str,
    payload: Any,
    headers: Mapping[str, str],
    args: argparse.Namespace,
) -> Validation:
    try:
        return validate_offline(runtime, code, payload, headers, args.destination)
    except InputTooLarge as exc:  # the payload and headers together
        limit = runtime.limits.payload_bytes
        raise InputRefused(
            f"--payload {args.payload}",
            f"{exc} (the runtime's payload_bytes, assumed)",
            ("payload_bytes", limit),
        ) from None
    except (TypeError, ValueError, UnicodeEncodeError) as exc:  # parse_json checked these
        raise InputRefused(f"--payload {args.payload}", f"cannot be run on: {exc}") from None
