"""`seen-braze render`: a webhook template rendered for one user, as Braze would send it.

Braze does not escape personalisation values, so a name with a `"` silently turns a JSON body
into something SEEN refuses. `explain_json_break` says which tag and which character did it;
the end-to-end run reuses it to explain SEEN's 400s.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from seen_braze_harness.harness.reading import JSON_BYTES, TEMPLATE_BYTES, FileReadError, read_text
from seen_braze_harness.mocks.braze.campaigns import CONTENT_BLOCK_MAX_BYTES
from seen_braze_harness.mocks.braze.liquid import (
    AbortMessage,
    BrazeTemplate,
    LiquidError,
    compile_template,
)
from seen_braze_harness.mocks.braze.liquid.engine.template import MODES
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.jsonbody import parse_json

_UNSAFE_IN_JSON_STRING = re.compile(r'["\\\x00-\x1f]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EXCERPT_HALF_WIDTH = 40
_USER_MAX_DEPTH: int = BrazeSettings.max_json_depth
"""Deepest USER.json accepted: as deep as `/users/track` takes a request body."""
_RENDER_FAILURES = (ValueError, TypeError, ArithmeticError, RecursionError, LookupError)
"""What rendering might still raise besides `LiquidError`; each is a template that cannot be
rendered for this user (exit 2), never a traceback."""


@dataclass(frozen=True)
class JsonBreak:
    """Where a rendered body stops being JSON, and the personalisation value that caused it.

    `line` and `column` (1-based) locate the offending character in the rendered body when a
    value is to blame, else where the JSON parser gave up. `tag` and `value` are None when no
    value explains the break (the template's own text is at fault).
    """

    line: int
    column: int
    excerpt: str
    tag: str | None
    value: Any
    reason: str
    hint: str | None
    parser_message: str

    def describe(self) -> str:
        """A few lines for a person: where, an excerpt with a caret, why, and the fix."""
        lines = [
            f"the body is not valid JSON: line {self.line}, column {self.column} "
            f"({self.parser_message})",
            *(f"  {row}" for row in self.excerpt.splitlines()),
            f"  why: {self.reason}",
        ]
        if self.hint:
            lines.append(f"  fix: {self.hint}")
        return "\n".join(lines)


def explain_json_break(
    template_source: str,
    profile: Mapping[str, Any],
    body: str,
    *,
    campaign: Mapping[str, Any] | None = None,
    properties: Mapping[str, Mapping[str, Any]] | None = None,
) -> JsonBreak | None:
    """Why `body` (rendered from the template for this user) is not JSON; None if it is.

    Each personalisation value holding a character that is unsafe in a JSON string is swapped,
    in turn, for a harmless one of the same length; the first whose swap moves or removes the
    break is the culprit. Failing that, a value missing for this user (rendered as nothing)
    is tried the same way.
    """
    error = _json_error(body)
    if error is None:
        return None
    position, parser_message = error
    if parser_message == _TOO_DEEP:
        reason = "the body nests arrays or objects too deeply for a JSON parser to read"
        return _break(body, position, parser_message, None, None, reason, None)
    try:
        template = compile_template(template_source)
        values = template.resolve(profile, campaign=campaign, properties=properties)
        unsafe = _unsafe_value_culprit(template, values, body, position)
        if unsafe is not None:
            tag, value, at = unsafe
            return _break(
                body, at, parser_message, tag, value, *_unsafe_reason(tag, value, at, body)
            )
        missing = _missing_value_culprit(template, values, position)
    except (LiquidError, AbortMessage, *_RENDER_FAILURES):
        missing = None
    if missing is not None:
        return _break(
            body,
            position,
            parser_message,
            missing,
            None,
            f"{missing} has no value for this user, so it rendered as nothing",
            f"give it a fallback, e.g. {{{{{missing} | default: 0}}}}, or quote it",
        )
    return _break(
        body,
        position,
        parser_message,
        None,
        None,
        "no personalisation value explains it: the template's own text is not valid JSON here",
        None,
    )


_TOO_DEEP = "nested too deeply"


def _json_error(text: str) -> tuple[int, str] | None:
    """Where and why `text` is not JSON (position, parser message), or None if it is."""
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        return err.pos, err.msg.removesuffix(" at")
    except RecursionError:
        return 0, _TOO_DEEP
    return None


def _unsafe_value_culprit(
    template: BrazeTemplate, values: Mapping[str, Any], body: str, position: int
) -> tuple[str, str, int] | None:
    """The (tag, value, offending index in body) of the value that broke the JSON, if any."""
    candidates = [
        (tag, value)
        for tag, value in values.items()
        if isinstance(value, str) and _UNSAFE_IN_JSON_STRING.search(value)
    ]
    candidates.sort(key=lambda item: _first_index(body, item[1]))
    for tag, value in candidates:
        harmless = _UNSAFE_IN_JSON_STRING.sub("x", value)
        if _breaks_later(template.render_values({**values, tag: harmless}), position):
            return tag, value, _offending_index(body, value, position)
    return None


def _missing_value_culprit(
    template: BrazeTemplate, values: Mapping[str, Any], position: int
) -> str | None:
    """The tag whose missing value left a hole in the JSON (`"age": ,`), if any."""
    for tag in template.references:
        if values.get(tag) in (None, ""):
            body = template.render_values({**values, tag: 0})
            if _json_error(body) is not None:
                continue
            return tag
    return None


def _breaks_later(body: str, position: int) -> bool:
    error = _json_error(body)
    return error is None or error[0] > position


def _first_index(body: str, value: str) -> int:
    index = body.find(value)
    return len(body) if index < 0 else index


def _offending_index(body: str, value: str, position: int) -> int:
    """The unsafe character of `value` where it appears last at or before the break."""
    start = body.rfind(value, 0, position + 1)
    if start < 0:
        start = body.find(value)
    unsafe = _UNSAFE_IN_JSON_STRING.search(value)
    if start < 0 or unsafe is None:
        return position
    return start + unsafe.start()


def _unsafe_reason(tag: str, value: str, at: int, body: str) -> tuple[str, str]:
    char = body[at] if at < len(body) and _UNSAFE_IN_JSON_STRING.match(body[at]) else None
    if char is None:
        found = _UNSAFE_IN_JSON_STRING.search(value)
        char = found.group() if found else '"'
    if char == '"':
        problem = 'an unescaped `"`, which ends the JSON string early'
    elif char == "\\":
        problem = "an unescaped `\\`, which JSON reads as the start of an escape sequence"
    elif char == "\n":
        problem = "a raw line break (shown as ␊), which a JSON string cannot hold"
    elif char == "\t":
        problem = "a raw tab (shown as ␉), which a JSON string cannot hold"
    else:
        problem = f"the control character U+{ord(char):04X}, which a JSON string cannot hold"
    reason = f"{tag} = `{_visible(value)}` contains {problem}"
    hint = f"escape it for JSON with {{{{{tag} | json_escape}}}}"
    return reason, hint


def _break(
    body: str,
    at: int,
    parser_message: str,
    tag: str | None,
    value: Any,
    reason: str,
    hint: str | None,
) -> JsonBreak:
    line = body.count("\n", 0, at) + 1
    line_start = body.rfind("\n", 0, at) + 1
    return JsonBreak(
        line=line,
        column=at - line_start + 1,
        excerpt=_excerpt(body, at),
        tag=tag,
        value=value,
        reason=reason,
        hint=hint,
        parser_message=parser_message,
    )


def _excerpt(body: str, at: int) -> str:
    """The body's line around `at`, control characters made visible, and a caret under `at`."""
    line_start = body.rfind("\n", 0, at) + 1
    line_end = body.find("\n", at)
    if line_end < 0:
        line_end = len(body)
    elif line_end == at:
        line_end += 1  # the break is the line break itself: show it
    text = body[line_start:line_end]
    column = at - line_start
    low = max(0, column - _EXCERPT_HALF_WIDTH)
    high = min(len(text), column + _EXCERPT_HALF_WIDTH)
    lead = "…" if low else ""
    shown = lead + _visible(text[low:high]) + ("…" if high < len(text) else "")
    return f"{shown}\n{' ' * (len(lead) + column - low)}^"


def _visible(text: str) -> str:
    """Control characters as their Unicode pictures (␊ ␉ …), one column each."""
    return _CONTROL.sub(
        lambda m: "␡" if m.group() == "\x7f" else chr(0x2400 + ord(m.group())), text
    )


def meant_as_json(template: BrazeTemplate) -> bool:
    """Auto mode: the body is meant to be JSON when its own text starts with `[` or `{`."""
    return template.literal_text.lstrip()[:1] in ("[", "{")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `render` command to the CLI."""
    parser = commands.add_parser(
        "render",
        help="render a webhook body template for one user, as Braze would send it",
        description="Render TEMPLATE (a webhook body in Braze's Liquid) for the user in "
        "USER.json (a profile in /users/track attribute form) and print the body. "
        "Exit 0: rendered (and valid JSON when meant to be JSON); 1: the body is not valid "
        "JSON (the reason is explained) or abort_message fired; 2: unusable input.",
    )
    parser.add_argument("template", metavar="TEMPLATE", help="file holding the body template")
    parser.add_argument("--user", metavar="USER.json", required=True, help="the user's profile")
    parser.add_argument("--campaign-name", metavar="NAME", help="for campaign.${name}")
    for flag, namespace in _PROPERTY_FLAGS.items():
        parser.add_argument(
            flag,
            metavar="JSON_OR_@FILE",
            dest=namespace,
            help=f"a JSON object (or @file holding one) for {namespace}.${{…}}",
        )
    parser.add_argument(
        "--context",
        metavar="JSON_OR_@FILE",
        dest="context",
        help="the same as --canvas-entry-properties (Braze's newer name, context.${…})",
    )
    parser.add_argument(
        "--content-block",
        metavar="NAME=FILE",
        action="append",
        default=[],
        help="a Content Block for {{content_blocks.${NAME}}}, its Liquid read from FILE "
        "(repeatable)",
    )
    parser.add_argument(
        "--now",
        metavar="TIME",
        help="the clock Liquid's `now` reads: epoch seconds or an ISO 8601 time (UTC unless "
        "it names an offset); default: the current time",
    )
    parser.add_argument(
        "--error-mode",
        choices=MODES,
        default="lax",
        help="how the template is parsed, as Ruby Liquid's error modes: lax (Braze's: renders "
        "what Braze renders, and warns on stderr where only leniency accepts it), warn, or "
        "strict (leniencies are errors); default: lax",
    )
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument(
        "--json",
        dest="body_kind",
        action="store_const",
        const="json",
        help="the body must be JSON (default: when its text starts with [ or {)",
    )
    kind.add_argument(
        "--raw", dest="body_kind", action="store_const", const="raw", help="raw text body"
    )
    parser.set_defaults(handler=run, body_kind=None)


def run(args: argparse.Namespace) -> int:
    """The `render` command: 0 rendered, 1 broken JSON or aborted, 2 unusable input."""
    try:
        source = _read(args.template, "", TEMPLATE_BYTES, "a webhook body template")
        profile = _load_profile(args.user)
        properties = _load_properties(args)
        blocks = _load_blocks(args.content_block)
        now = time.time() if args.now is None else _instant(args.now)
        template = compile_template(source, args.error_mode)
    except (OSError, ValueError) as exc:  # LiquidError is a ValueError
        where = f"{args.template}: " if isinstance(exc, LiquidError) else ""
        return _fail(f"{where}{exc}", 2)
    missing = [name for name in template.content_block_names if name not in blocks]
    if missing:
        given = ", ".join(sorted(blocks)) or "none"
        return _fail(
            f"{args.template}: Content Block {missing[0]!r} does not exist (Braze refuses to save "
            f"a message that uses it); give it with --content-block {missing[0]}=FILE "
            f"(given: {given})",
            2,
        )
    for warning in template.warnings:
        print(f"{args.template}: warning: {warning}", file=sys.stderr)
    campaign = None if args.campaign_name is None else {"name": args.campaign_name}
    try:
        body = template.render(
            profile, campaign=campaign, properties=properties, content_blocks=blocks, now=now
        )
        body.encode("utf-8")
    except AbortMessage as exc:
        return _fail(
            f"abort_message: {exc.reason} (Braze would not send this message to this user)", 1
        )
    except LiquidError as exc:
        return _fail(f"{args.template}: {exc}", 2)
    except UnicodeEncodeError:
        return _fail(f"{args.template}: the rendered body has a lone surrogate (no UTF-8)", 2)
    except _RENDER_FAILURES as exc:
        return _fail(f"{args.template}: {type(exc).__name__}: {exc}", 2)
    sys.stdout.write(body if body.endswith("\n") else body + "\n")
    as_json = args.body_kind == "json" or (args.body_kind is None and meant_as_json(template))
    if as_json:
        broken = explain_json_break(source, profile, body, campaign=campaign, properties=properties)
        if broken is not None:
            return _fail(broken.describe(), 1)
    return 0


_PROPERTY_FLAGS = {
    "--trigger-properties": "api_trigger_properties",
    "--event-properties": "event_properties",
    "--canvas-entry-properties": "canvas_entry_properties",
}
"""The render flags for the personalisation data Braze supplies besides the profile."""
_BLOCK_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


def _load_properties(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The property flags' objects by Liquid namespace; ValueError naming the flag."""
    found: dict[str, dict[str, Any]] = {}
    flags = {**_PROPERTY_FLAGS, "--context": "context"}
    for flag, dest in flags.items():
        given = getattr(args, dest, None)
        if given is None:
            continue
        namespace = "canvas_entry_properties" if dest == "context" else dest
        if namespace in found:
            raise ValueError(
                "--canvas-entry-properties and --context: the same namespace; give one of them"
            )
        found[namespace] = _json_object(flag, given)
    return found


def _json_object(flag: str, given: str) -> dict[str, Any]:
    """`given` as a JSON object: the text itself, or the file after an `@`."""
    text, source = given, "the value"
    if given.startswith("@"):
        path = given[1:]
        text = _read(path, f"{flag} ", JSON_BYTES, "a JSON file")
        source = path
    return _object_of(text, f"{flag}: {source} is", f"{flag}: {source} must", "key-value pairs")


def _load_blocks(given: list[str]) -> dict[str, str]:
    """`NAME=FILE` pairs as each Content Block's Liquid by name; ValueError naming the flag."""
    blocks: dict[str, str] = {}
    for item in given:
        name, equals, path = item.partition("=")
        if not equals or not path:
            raise ValueError(f"--content-block {item}: must be NAME=FILE")
        if not _BLOCK_NAME.fullmatch(name):
            raise ValueError(
                f"--content-block {item}: {name!r} is not a Content Block name (1 to 100 "
                "letters, digits, '-' and '_')"
            )
        if name in blocks:
            raise ValueError(f"--content-block {name}: given twice")
        blocks[name] = _read(
            path, f"--content-block {name}=", CONTENT_BLOCK_MAX_BYTES, "a Braze Content Block"
        )
    return blocks


def _instant(given: str) -> float:
    """`--now` as epoch seconds: a number, or an ISO 8601 time (UTC when it names no offset)."""
    try:
        seconds = float(given)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds):
            return seconds
        raise ValueError(f"--now: must be a finite number of seconds, not {given!r}")
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        raise ValueError(
            f"--now: must be epoch seconds or an ISO 8601 time, not {given!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _load_profile(path: str) -> dict[str, Any]:
    text = _read(path, "--user ", JSON_BYTES, "a JSON file")
    return _object_of(text, f"--user {path}:", f"--user {path}:", "profile attributes")


def _object_of(text: str, is_: str, must: str, holding: str) -> dict[str, Any]:
    """`text` parsed as one JSON object; ValueError starting with `is_` ("... not JSON") or
    `must` ("... hold one JSON object of `holding`") otherwise."""
    try:
        value = parse_json(text, max_depth=_USER_MAX_DEPTH)
    except ValueError as exc:
        raise ValueError(f"{is_} not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{must} hold one JSON object of {holding}, not {type(value).__name__}")
    return value


def _read(path: str, flag: str, limit: int, kind: str) -> str:
    """The file's text, bounded (harness.reading); ValueError "FLAG PATH: what is wrong"."""
    try:
        return read_text(path, limit, kind)
    except FileReadError as exc:
        raise ValueError(f"{flag}{path}: {exc}") from None


def _fail(message: str, code: int) -> int:
    print(f"seen-braze render: {message}", file=sys.stderr)
    return code
