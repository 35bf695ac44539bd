"""Braze's Liquid: Shopify Liquid plus `${…}` personalisation tags, Braze filters and tags.

A Braze template is translated once into plain Liquid, where every `${…}` reference becomes a
generated variable and output braces nested in a tag or an output (`{{ a | plus: {{b}} }}`,
which Braze documents) hold the value they wrap; then `liquid.engine` parses it as Ruby Liquid
5.4 does, in Braze's lax mode. Rendering resolves only the references the template uses, so
one user costs a few dictionary look-ups plus the Liquid render.

A user is given either as one flat object in `/users/track` attribute form (`seen-braze
render`'s USER.json, a Test send's custom user), where every key that is not an identifier or
a standard field is a custom attribute, as `/users/track` would store it; or as standard
values and custom attributes apart (a stored profile). Standard tags never read a custom
attribute, and `custom_attribute.${x}` reads custom attributes only.

**Assumed** (Braze documents no more; each is the emulator's choice):

- `${most_recent_locale}`, `${last_used_app_date}` and `${most_recent_app_version}` come from
  Braze's SDKs, which the emulator does not have: they render empty unless the standard
  values given apart hold them by those names (a flat object cannot: there those keys are
  custom attributes, as `/users/track` stores them).
- `${random_bucket_number}`: Braze gives every user one from 0 to 9999. Unless the standard
  values given apart hold one, it is derived from the user's `braze_id` (SHA-256 of
  `random_bucket_number:<braze_id>`, modulo 10,000), so it is stable per user and spread
  evenly; a user with no `braze_id` (a custom Test user without one) has none.
- Rendering is bounded, so a template cannot stall a send: per render at most
  `LOOP_ITERATION_LIMIT` (100,000) loop iterations (nested loops multiply), `OUTPUT_LIMIT`
  (1,000,000 bytes of UTF-8) of output, `LOCAL_NAMESPACE_LIMIT` (1,000,000) bytes of assigned
  and captured values as they stand, `CONTEXT_DEPTH_LIMIT` (30) nested loop scopes, and Ruby
  Liquid's own 100 nested blocks; no one filter may return more than 1,000,000 characters or
  be given a range of more than 100,000 items. Going over a limit is a Liquid error, as is any
  failure inside a filter (named, with its line) or while printing a value.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from seen_braze_harness.mocks.braze.dates import parse_date
from seen_braze_harness.mocks.braze.liquid.braze_filters import BRAZE_CALL_FILTERS, BRAZE_FILTERS
from seen_braze_harness.mocks.braze.liquid.engine.context import Context, Deferred, Limits
from seen_braze_harness.mocks.braze.liquid.engine.errors import (
    LiquidRenderError,
    LiquidSyntaxError,
    failure_text,
)
from seen_braze_harness.mocks.braze.liquid.engine.parsing import (
    Node,
    Parsing,
    TagParser,
    template_tokens,
)
from seen_braze_harness.mocks.braze.liquid.engine.tags import RAW_END, STANDARD_TAGS
from seen_braze_harness.mocks.braze.liquid.engine.template import Template
from seen_braze_harness.mocks.braze.liquid.filters.calling import Filter, make_filter
from seen_braze_harness.mocks.braze.liquid.filters.standard import STANDARD_FILTERS
from seen_braze_harness.mocks.braze.liquid.ruby.encoding import as_utf8
from seen_braze_harness.mocks.braze.liquid.ruby.values import ObjectAsList, TimeText
from seen_braze_harness.mocks.braze.track import STANDARD_FIELDS, UNKEPT_FIELDS

UNSENT_DISPATCH_ID = "dispatch_id_for_unsent_campaign"
"""What `campaign.${dispatch_id}` shows when the message is not part of a real send."""

USER_TAGS: Mapping[str, str] = {
    "user_id": "external_id",
    "email_address": "email",
    "phone_number": "phone",
    "date_of_birth": "dob",
    "city": "home_city",
    **{
        name: name
        for name in (
            "first_name",
            "last_name",
            "braze_id",
            "country",
            "language",
            "gender",
            "time_zone",
            "most_recent_locale",
            "last_used_app_date",
            "most_recent_app_version",
            "random_bucket_number",
        )
    },
}
"""Standard user tags (`${first_name}`) and the `/users/track` profile key each one reads."""

LOOP_ITERATION_LIMIT = 100_000
"""*Assumed.* Most loop iterations one render may make (nested loops multiply)."""
OUTPUT_LIMIT = 1_000_000
"""*Assumed.* Most bytes of UTF-8 one render may produce, and most characters one filter may."""
LOCAL_NAMESPACE_LIMIT = 1_000_000
"""*Assumed.* Most bytes of text (Ruby Liquid's assign score) a render's variables may hold."""
CONTEXT_DEPTH_LIMIT = 30
"""*Assumed.* Most nested loop scopes (`for`, `tablerow`) in one render."""
RANDOM_BUCKETS = 10_000
"""`${random_bucket_number}` is from 0 to 9999."""

_FLAT_STANDARD = frozenset(STANDARD_FIELDS) | {"external_id", "braze_id"}
"""Keys of a flat `/users/track` object that are standard values; the others are custom."""
_FLAGS = frozenset({"user_alias", "_update_existing_only", "_merge_objects"})
_NOT_CUSTOM = _FLAT_STANDARD | frozenset(UNKEPT_FIELDS) | _FLAGS
"""Keys of a flat `/users/track` object that `/users/track` never stores as custom attributes."""

_CONTEXT_NAMESPACES = ("context", "canvas_entry_properties")


class LiquidError(ValueError):
    """A template that cannot be parsed or rendered; `line` is in the template as written."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line
        self.problem = message


class AbortMessage(Exception):
    """`{% abort_message %}` stopped the send for this user; `reason` is what Braze logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_MISSING: Any = object()

Lookup = Callable[
    [
        Mapping[str, Any],
        Mapping[str, Any] | None,
        Mapping[str, Any] | None,
        Mapping[str, Mapping[str, Any]] | None,
    ],
    Any,
]
"""Reads one reference from (profile, custom attributes or None if flat, campaign, properties)."""


def random_bucket_number(braze_id: object) -> int | None:
    """The user's random bucket (0-9999), derived from `braze_id` (**assumed**); None without."""
    if braze_id is None or braze_id == "" or isinstance(braze_id, bool | dict | list):
        return None
    digest = hashlib.sha256(f"random_bucket_number:{braze_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % RANDOM_BUCKETS


@dataclass(frozen=True)
class Reference:
    """One `${…}` personalisation tag: an optional namespace and a name."""

    namespace: str | None
    name: str

    @property
    def tag(self) -> str:
        """The tag as a user writes it, e.g. `custom_attribute.${zip code}`."""
        prefix = f"{self.namespace}." if self.namespace else ""
        return f"{prefix}${{{self.name}}}"

    def lookup(self) -> Lookup:
        """A function reading this reference's value from a render's inputs (or `_MISSING`)."""
        name, namespace = self.name, self.namespace
        if namespace is None:
            return _standard_lookup(name)
        if namespace == "custom_attribute":
            flat_custom = name not in _NOT_CUSTOM

            def custom_attribute(
                profile: Mapping[str, Any],
                custom: Mapping[str, Any] | None,
                campaign: Mapping[str, Any] | None,
                properties: Mapping[str, Mapping[str, Any]] | None,
            ) -> Any:
                if custom is None:
                    value = profile.get(name, _MISSING) if flat_custom else _MISSING
                else:
                    value = custom.get(name, _MISSING)
                # Braze documents `custom_attribute.${object}[0].key` on a nested object
                return ObjectAsList(value) if type(value) is dict else value

            return custom_attribute
        if namespace == "campaign":
            if name == "dispatch_id":
                return lambda profile, custom, campaign, properties: (
                    (campaign or {}).get("dispatch_id") or UNSENT_DISPATCH_ID
                )
            return lambda profile, custom, campaign, properties: (campaign or {}).get(
                name, _MISSING
            )
        in_context = namespace in _CONTEXT_NAMESPACES
        spaces = _CONTEXT_NAMESPACES if in_context else (namespace,)

        def from_properties(
            profile: Mapping[str, Any],
            custom: Mapping[str, Any] | None,
            campaign: Mapping[str, Any] | None,
            properties: Mapping[str, Mapping[str, Any]] | None,
        ) -> Any:
            for space in spaces:
                values = (properties or {}).get(space)
                if values is not None and name in values:
                    return context_time(values[name]) if in_context else values[name]
            return _MISSING

        return from_properties


_CLOCK_TIME = re.compile(r"\d{1,2}:\d{2}")


def context_time(value: Any) -> Any:
    """A Canvas entry / context property as Braze hands it to Liquid: a date-time text (in a
    form Braze reads as a time) prints as sent but is normalised to UTC for the date filters,
    as Braze's Context step page shows; anything else as it is. **Assumed**: only text with a
    clock time, not a bare date."""
    if not isinstance(value, str) or _CLOCK_TIME.search(value) is None:
        return value
    moment = parse_date(value)
    if moment is None:
        return value
    return TimeText(value, moment.astimezone(UTC))


def _standard_lookup(name: str) -> Lookup:
    """A standard tag's look-up: a flat object's standard keys only, never a custom attribute."""
    key = USER_TAGS.get(name)
    if key is None:
        return lambda profile, custom, campaign, properties: _MISSING
    in_flat = key in _FLAT_STANDARD
    if key == "random_bucket_number":

        def bucket(
            profile: Mapping[str, Any],
            custom: Mapping[str, Any] | None,
            campaign: Mapping[str, Any] | None,
            properties: Mapping[str, Mapping[str, Any]] | None,
        ) -> Any:
            given = _MISSING if custom is None else profile.get(key, _MISSING)
            if given is not _MISSING:
                return given
            derived = random_bucket_number(profile.get("braze_id"))
            return _MISSING if derived is None else derived

        return bucket
    return lambda profile, custom, campaign, properties: (
        profile.get(key, _MISSING) if in_flat or custom is not None else _MISSING
    )


# --- translation of Braze syntax into plain Liquid -----------------------------------------------

_MARKUP_START = re.compile(r"\{\{|\{%")
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}", re.ASCII)
_COMMENT_TAG = re.compile(r"\{%-?\s*(end)?comment\s*-?%\}")
_INLINE_COMMENT = re.compile(r"\{%-?\s*#")
_TAG_END = re.compile(r"%\}")
_PIECE = re.compile(
    r"""
      (?P<string>"(?:(?!%\}|\}\})[^"])*"|'(?:(?!%\}|\}\})[^'])*')
    | (?:(?P<ns>[A-Za-z_]\w*)\.)?\$\{(?P<name>[^}\n]*)\}
    | (?P<open>\{\{)
    | (?P<close>\}\})
    | (?P<tag_end>%\})
    | \w+ | [^"'$\{\}%\w]+ | .
    """,
    re.VERBOSE | re.DOTALL,
)
_VARIABLE = "__braze{}"
_VARIABLE_NAME = re.compile(r"__braze(\d+)")


@dataclass
class _Translation:
    """Plain-Liquid source with the same line breaks, and what its variables stand for."""

    source: str
    references: list[Reference]
    text: list[str]
    crowded_outputs: list[tuple[int, tuple[str, ...]]]
    """Outputs that use two or more custom attributes: (line, their tags)."""


def _translate(source: str) -> _Translation:
    """Rewrite `${…}` references and nested `{{…}}` into plain Liquid, line for line."""
    out: list[str] = []
    text: list[str] = []
    references: dict[Reference, str] = {}
    crowded: list[tuple[int, tuple[str, ...]]] = []
    pos = 0
    while (start := _MARKUP_START.search(source, pos)) is not None:
        out.append(source[pos : start.start()])
        text.append(source[pos : start.start()])
        pos = start.start()
        if start.group() == "{%":
            verbatim_end = _verbatim_end(source, pos)
            if verbatim_end is not None:
                out.append(source[pos:verbatim_end])
                pos = verbatim_end
                continue
        used: list[Reference] = []
        begin = pos
        pos = _translate_markup(source, pos, out, references, used)
        attributes = dict.fromkeys(r.tag for r in used if r.namespace == "custom_attribute")
        if len(attributes) > 1 and start.group() == "{{":
            crowded.append((source.count("\n", 0, begin) + 1, tuple(attributes)))
    out.append(source[pos:])
    text.append(source[pos:])
    return _Translation("".join(out), list(references), text, crowded)


def _verbatim_end(source: str, pos: int) -> int | None:
    """Where a raw block, comment block or inline comment starting at `pos` ends, if it is one."""
    raw = _RAW_START.match(source, pos)
    if raw is not None:
        # the first of Ruby Liquid's tokens after it that ends with `{% endraw ... %}`
        for begin, finish in template_tokens(source, raw.end()):
            end = RAW_END.match(source[begin:finish])
            if end is not None and end.group(2) == "endraw":
                return finish
        return len(source)
    if _INLINE_COMMENT.match(source, pos):
        end = _TAG_END.search(source, pos)
        return len(source) if end is None else end.end()
    first = _COMMENT_TAG.match(source, pos)
    if first is None or first.group(1):
        return None
    depth = 0
    for match in _COMMENT_TAG.finditer(source, pos):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return len(source)


def _translate_markup(
    source: str,
    pos: int,
    out: list[str],
    references: dict[Reference, str],
    used: list[Reference],
) -> int:
    """Copy one `{{ … }}` or `{% … %}` starting at `pos`, rewriting Braze syntax inside it."""
    in_tag = source.startswith("{%", pos)
    out.append(source[pos : pos + 2])
    pos += 2
    nested = 0
    open_quote: str | None = None  # an unclosed quote: `{{` after it is text, as Ruby reads it
    while pos < len(source):
        piece = _PIECE.match(source, pos)
        assert piece is not None  # the last alternative matches any character
        pos = piece.end()
        text = piece.group()
        if text in ("'", '"'):
            open_quote = text if open_quote is None else None if text == open_quote else open_quote
            out.append(text)
        elif piece.group("open") is not None and open_quote is not None:
            out.append(text)
        elif piece.group("name") is not None:
            reference = Reference(piece.group("ns"), piece.group("name").strip())
            used.append(reference)
            if reference not in references:
                references[reference] = _VARIABLE.format(len(references))
            out.append(references[reference])
        elif piece.group("open") is not None:
            # `{% if {{x}} == 1 %}`, `{{ a | plus: {{b}} }}`: Braze reads output braces nested
            # in a tag or an output as the value they hold
            out.append("  ")
            nested += 1
        elif piece.group("close") is not None and nested:
            out.append("  ")
            nested -= 1
        elif piece.group("close") is not None and not in_tag:
            out.append("}}")
            return pos
        elif piece.group("tag_end") is not None and in_tag:
            out.append("%}")
            return pos
        elif piece.group("tag_end") is not None:
            out.append("%")  # `%}` does not end an output: its `}` may be the first of `}}`
            pos = piece.start() + 1
        else:
            out.append(piece.group())
    return pos


# --- Braze tags ----------------------------------------------------------------------------------

_ABORT_ARGUMENT = re.compile(r"\(\s*(?:(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')\s*)?\)")


class _AbortNode(Node):
    """Raises `AbortMessage` when rendering reaches it."""

    __slots__ = ("line", "reason")

    def __init__(self, reason: str, line: int) -> None:
        self.reason = reason
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        """`{% abort_message("reason") %}`, `{% abort_message() %}` or `{% abort_message %}`."""
        reason = "{% abort_message %} called"
        if markup.strip():
            argument = _ABORT_ARGUMENT.fullmatch(markup.strip())
            if argument is None:
                raise LiquidSyntaxError(
                    "abort_message takes an optional reason in straight quotes, "
                    'e.g. {% abort_message("no video yet") %}',
                    line,
                )
            given = argument.group("double")
            given = argument.group("single") if given is None else given
            if given:
                reason = given
        return cls(reason, line)

    def render(self, ctx: Context, out: list[str]) -> None:
        raise AbortMessage(self.reason)


_EXTRA = re.compile(r":(key|value)\s+((?:'[^']*'|\"[^\"]*\"|[^\s:])+)")


class _MessageExtras(Node):
    """`{% message_extras :key k :value v %}`: renders nothing; Braze adds the pair to the
    send event's `message_extras` (Currents), which the emulator keeps in the render's
    registers only."""

    __slots__ = ("line", "pairs")
    blank = True

    def __init__(self, pairs: list[tuple[str, str]], line: int) -> None:
        self.pairs = pairs
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        found = _EXTRA.findall(markup)
        keys = [text for kind, text in found if kind == "key"]
        values = [text for kind, text in found if kind == "value"]
        return cls(list(zip(keys, values, strict=False)), line)

    def render(self, ctx: Context, out: list[str]) -> None:
        extras = ctx.registers.setdefault("message_extras", {})
        for key, value in self.pairs:
            extras.setdefault(key.strip("'\"").strip(), value.strip("'\"").strip())


def _connected_content(parsing: Parsing, name: str, markup: str, line: int) -> Node:
    """`{% connected_content %}` is refused: the emulator never fetches URLs while rendering."""
    raise LiquidSyntaxError(
        "{% connected_content %} is not supported: the emulator does not fetch URLs "
        "while rendering; put the values on the user profile or in trigger properties",
        line,
    )


BRAZE_UNSUPPORTED_FILTERS = frozenset(
    {
        "camelize",
        "handleize",
        "pluralize",
        "lstrip",
        "rstrip",
        "money_with_currency",
        "money_without_currency",
        "format_address",
        "highlight",
        "find_index",
    }
)
"""Filters Braze's filter reference marks "not supported" (Shopify's color and font filters
are not supported either, and are not Liquid filters at all)."""

BRAZE_TAGS: Mapping[str, TagParser] = {
    **STANDARD_TAGS,
    "abort_message": _AbortNode.parse,
    "message_extras": _MessageExtras.parse,
    "connected_content": _connected_content,
}
"""Ruby Liquid's tags plus Braze's."""


BRAZE_LIQUID_FILTERS: Mapping[str, Filter] = {
    **STANDARD_FILTERS,
    **{name: make_filter(function) for name, function in BRAZE_FILTERS.items()},
    **{name: make_filter(f, needs_call=True) for name, f in BRAZE_CALL_FILTERS.items()},
}
"""Liquid 5's standard filters (Ruby semantics) plus Braze's."""

LIMITS = Limits(
    loop_iterations=LOOP_ITERATION_LIMIT,
    output_bytes=OUTPUT_LIMIT,
    assign_score=LOCAL_NAMESPACE_LIMIT,
    scope_depth=CONTEXT_DEPTH_LIMIT,
)


def _failure(exc: BaseException) -> str:
    """An exception in a few words: its kind and message, cut short."""
    if isinstance(exc, RecursionError):
        return "the value is nested too deeply"
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


@dataclass(frozen=True)
class _Inputs:
    """What one render reads besides the template (a Content Block renders with the same)."""

    profile: Mapping[str, Any]
    custom: Mapping[str, Any] | None
    campaign: Mapping[str, Any] | None
    properties: Mapping[str, Mapping[str, Any]] | None
    content_blocks: Mapping[str, str] | None
    now: float | None
    limits: Limits


@dataclass(frozen=True)
class LiquidWarning:
    """Markup that renders only because Braze's Liquid is lenient (lax mode), at `line`."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class BrazeTemplate:
    """A compiled Braze template; `render` fills it for one user as a send would.

    `mode` is Ruby Liquid's error mode: `lax` (Braze's: what Ruby accepts renders as Ruby
    renders it, and each leniency is a warning), `warn` (strict parse first, lax fallback) or
    `strict` (leniencies and unknown filters are errors).
    """

    def __init__(self, source: str, mode: str = "lax") -> None:
        self.source = source
        self.mode = mode
        translation = _translate(source)
        self._references = translation.references
        self.references: tuple[str, ...] = tuple(ref.tag for ref in translation.references)
        """The personalisation tags used, in order of first use, e.g. `${first_name}`."""
        self.literal_text = "".join(translation.text)
        """The template's text outside Liquid markup (tells whether the body is JSON)."""
        try:
            self._template = Template(
                translation.source, mode=mode, tags=BRAZE_TAGS, filters=BRAZE_LIQUID_FILTERS
            )
        except LiquidSyntaxError as err:
            raise LiquidError(self._tags(err.message), err.line) from None
        except RecursionError:
            raise LiquidError("the template nests too deeply to parse") from None
        except (ValueError, ArithmeticError, MemoryError) as exc:
            raise LiquidError(self._tags(failure_text(exc))) from None
        self.warnings: tuple[LiquidWarning, ...] = tuple(
            sorted(self._warnings(translation), key=lambda warning: warning.line)
        )
        """Where the template works only by Liquid's leniency, or uses what Braze documents as
        unsupported, by line."""
        self._lookups = [
            (_VARIABLE.format(index), ref.lookup()) for index, ref in enumerate(self._references)
        ]
        self._blocks = [
            (_VARIABLE.format(index), ref.name)
            for index, ref in enumerate(self._references)
            if ref.namespace == "content_blocks"
        ]
        self.content_block_names: tuple[str, ...] = tuple(name for _, name in self._blocks)
        """The Content Blocks the template includes (`{{content_blocks.${name}}}`)."""
        self._variables = {ref.tag: _VARIABLE.format(i) for i, ref in enumerate(self._references)}
        self.filter_uses: tuple[tuple[str, int], ...] = tuple(self._template.used_filters)
        """Every filter the template applies, with its line, in source order."""
        self._plain_source = translation.source
        self._static = source if "{{" not in source and "{%" not in source else None
        """The text itself when there is no markup (most header values): nothing to render."""

    def _warnings(self, translation: _Translation) -> list[LiquidWarning]:
        found = [
            LiquidWarning(
                w.line,
                self._tags(
                    f"{w.markup} is accepted only by Liquid's lax parsing ({w.message}); "
                    "Braze renders it as shown here, but it is fragile"
                ),
            )
            for w in self._template.warnings
        ]
        unknown = set(self._template.unknown_filters)
        for name, line in self._template.used_filters:
            if (name, line) in unknown:
                found.append(
                    LiquidWarning(
                        line,
                        f"unknown filter {name!r}: Braze's Liquid ignores it and passes the value "
                        "through unchanged"
                        + (
                            "; Braze's filter reference lists it as not supported"
                            if name in BRAZE_UNSUPPORTED_FILTERS
                            else ""
                        ),
                    )
                )
            elif name in BRAZE_UNSUPPORTED_FILTERS:
                found.append(
                    LiquidWarning(
                        line,
                        f"Braze's filter reference lists {name!r} as not supported; Ruby Liquid "
                        "has it, so it renders as shown here, but Braze does not promise it",
                    )
                )
        found.extend(
            LiquidWarning(
                line,
                f"this output uses {' and '.join(tags)}: Braze documents that one output "
                "cannot use two custom attributes; assign one to a variable first",
            )
            for line, tags in translation.crowded_outputs
        )
        return found

    def _tags(self, message: str) -> str:
        """A message with generated variable names turned back into the user's tags."""
        return _VARIABLE_NAME.sub(lambda m: self._references[int(m.group(1))].tag, message)

    def render(
        self,
        profile: Mapping[str, Any],
        *,
        custom: Mapping[str, Any] | None = None,
        campaign: Mapping[str, Any] | None = None,
        properties: Mapping[str, Mapping[str, Any]] | None = None,
        content_blocks: Mapping[str, str] | None = None,
        now: float | None = None,
        limits: Limits | None = None,
    ) -> str:
        """The text Braze would send to this user; raises `AbortMessage` or `LiquidError`.

        `custom` None: `profile` is one flat `/users/track` object, its keys other than
        identifiers and standard fields the custom attributes. Else `profile` holds the
        standard values and `custom` the custom attributes. `content_blocks` maps a block's
        name to its Liquid; `now` (epoch seconds, the mock's clock) is what `now` and
        `today` mean, the real time when not given; `limits` bound the render (the module's
        defaults when not given).
        """
        limits = limits or LIMITS
        return self._fill(
            _Inputs(profile, custom, campaign, properties, content_blocks, now, limits), 0
        )

    def _fill(self, inputs: _Inputs, depth: int) -> str:
        if self._static is not None:
            return self._static
        return self._render(self._data(inputs, depth), inputs.now, inputs.limits)

    def _data(self, inputs: _Inputs, depth: int) -> dict[str, Any]:
        """The plain Liquid variables for one user: each tag's value, each block rendered."""
        data: dict[str, Any] = {}
        for variable, lookup in self._lookups:
            value = lookup(inputs.profile, inputs.custom, inputs.campaign, inputs.properties)
            if value is not _MISSING and value is not None:
                data[variable] = value
        if self._blocks:
            blocks = inputs.content_blocks or {}
            for variable, name in self._blocks:
                source = blocks.get(name)
                if source is None:
                    raise LiquidError(f"Content Block {name!r} does not exist")
                if depth >= CONTENT_BLOCK_NESTING:
                    continue  # Braze: a block nested deeper does not expand
                block = compile_template(source, self.mode)
                data[variable] = Deferred(
                    functools.partial(block._included, name, inputs, depth + 1)
                )
        return data

    def _included(self, name: str, inputs: _Inputs, depth: int) -> str:
        """This template as a Content Block, rendered where the including one reads it."""
        try:
            return self._fill(inputs, depth)
        except LiquidError as err:
            raise LiquidRenderError(f"Content Block {name!r}: {err}") from None

    def as_plain_liquid(
        self,
        profile: Mapping[str, Any],
        *,
        custom: Mapping[str, Any] | None = None,
        campaign: Mapping[str, Any] | None = None,
        properties: Mapping[str, Mapping[str, Any]] | None = None,
        content_blocks: Mapping[str, str] | None = None,
        now: float | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """The template as plain Liquid and its variables for this user: what any Liquid
        renders to the same text (how the tests hand Braze examples to Ruby Liquid)."""
        inputs = _Inputs(profile, custom, campaign, properties, content_blocks, now, LIMITS)
        data = self._data(inputs, 0)
        return self._plain_source, {
            key: value.compute() if isinstance(value, Deferred) else value
            for key, value in data.items()
        }

    def resolve(
        self,
        profile: Mapping[str, Any],
        *,
        custom: Mapping[str, Any] | None = None,
        campaign: Mapping[str, Any] | None = None,
        properties: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The value of each personalisation tag for this user, by tag; missing ones left out."""
        values: dict[str, Any] = {}
        for ref in self._references:
            value = ref.lookup()(profile, custom, campaign, properties)
            if value is not _MISSING and value is not None:
                values[ref.tag] = value
        return values

    def render_values(self, values: Mapping[str, Any], *, now: float | None = None) -> str:
        """Render with the tags' values given directly (by tag, as `resolve` returns them).

        Lets a diagnosis re-render with one value changed to see what it caused.
        """
        data = {
            self._variables[tag]: value for tag, value in values.items() if tag in self._variables
        }
        return self._render(data, now, LIMITS)

    def render_liquid(self, variables: Mapping[str, Any], *, now: float | None = None) -> str:
        """Render with plain Liquid variables as the globals (no `${…}` look-ups).

        How the differential tests hand one context to both this renderer and Ruby Liquid.
        """
        return self._render(dict(variables), now, LIMITS)

    def _render(self, data: dict[str, Any], now: float | None, limits: Limits) -> str:
        try:
            return as_utf8(
                self._template.render(data, now=time.time() if now is None else now, limits=limits)
            )
        except LiquidRenderError as err:
            raise LiquidError(self._tags(err.message), err.line) from None
        except _RENDER_FAILURES as exc:
            raise LiquidError(self._tags(_failure(exc))) from None

    def __repr__(self) -> str:
        return f"BrazeTemplate({self.source!r})"


CONTENT_BLOCK_NESTING = 2
"""Braze: Content Blocks nest one level deep (a block may include a block, which renders its
own Liquid but includes no further block: that renders as nothing, **assumed**)."""

_RENDER_FAILURES = (ValueError, TypeError, ArithmeticError, RecursionError, LookupError)
"""What a render may still raise on odd values; each is a Liquid error."""


@functools.lru_cache(maxsize=256)
def compile_template(source: str, mode: str = "lax") -> BrazeTemplate:
    """Compile once per source: campaigns render the same template for every user."""
    return BrazeTemplate(source, mode)
