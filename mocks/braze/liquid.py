"""Braze's Liquid: Shopify Liquid plus `${…}` personalisation tags, Braze filters and tags.

A Braze template is translated once into plain Liquid, where every `${…}` reference becomes a
generated variable, then parsed by python-liquid. Rendering resolves only the references the
template uses, so one user costs a few dictionary look-ups plus the Liquid render.

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
  `LOOP_ITERATION_LIMIT` (100,000) loop iterations in all, `OUTPUT_LIMIT` (1,000,000 bytes of
  UTF-8) of output, `LOCAL_NAMESPACE_LIMIT` (about 1 MB) of assigned and captured values,
  `CONTEXT_DEPTH_LIMIT` (30) nested render scopes and 30 nested blocks (python-liquid's
  defaults for the last two); no one filter may return more than 1,000,000 characters or be
  given a range of more than 100,000 items. Going over a limit is a Liquid error, as is any
  failure inside a filter (named, with its line) or while printing a value.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

import liquid
from liquid import exceptions as lx
from liquid.ast import Node
from liquid.context import RenderContext
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_OUTPUT, TOKEN_TAG, Token

from mocks.braze.attributes import STANDARD_FIELDS, UNKEPT_FIELDS
from mocks.braze.liquid_filters import BRAZE_FILTERS

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
"""*Assumed.* Most bytes (as Python sizes them) a render's assigned values may hold."""
CONTEXT_DEPTH_LIMIT = 30
"""*Assumed.* Most nested render scopes (python-liquid's default)."""
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
            return lambda profile, custom, campaign, properties: (
                (profile.get(name, _MISSING) if flat_custom else _MISSING)
                if custom is None
                else custom.get(name, _MISSING)
            )
        if namespace == "campaign":
            if name == "dispatch_id":
                return lambda profile, custom, campaign, properties: (
                    (campaign or {}).get("dispatch_id") or UNSENT_DISPATCH_ID
                )
            return lambda profile, custom, campaign, properties: (campaign or {}).get(
                name, _MISSING
            )
        spaces = _CONTEXT_NAMESPACES if namespace in _CONTEXT_NAMESPACES else (namespace,)

        def from_properties(
            profile: Mapping[str, Any],
            custom: Mapping[str, Any] | None,
            campaign: Mapping[str, Any] | None,
            properties: Mapping[str, Mapping[str, Any]] | None,
        ) -> Any:
            for space in spaces:
                values = (properties or {}).get(space)
                if values is not None and name in values:
                    return values[name]
            return _MISSING

        return from_properties


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


# --- translation of Braze syntax into plain Liquid -------------------------------------------

_MARKUP_START = re.compile(r"\{\{|\{%")
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}")
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")
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


def _translate(source: str) -> _Translation:
    """Rewrite `${…}` references and `{{…}}` nested in tags into plain Liquid, line for line."""
    out: list[str] = []
    text: list[str] = []
    references: dict[Reference, str] = {}
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
        pos = _translate_markup(source, pos, out, references)
    out.append(source[pos:])
    text.append(source[pos:])
    return _Translation("".join(out), list(references), text)


def _verbatim_end(source: str, pos: int) -> int | None:
    """Where a raw block, comment block or inline comment starting at `pos` ends, if it is one."""
    raw = _RAW_START.match(source, pos)
    if raw is not None:
        end = _RAW_END.search(source, raw.end())
        return len(source) if end is None else end.end()
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
    source: str, pos: int, out: list[str], references: dict[Reference, str]
) -> int:
    """Copy one `{{ … }}` or `{% … %}` starting at `pos`, rewriting Braze syntax inside it."""
    in_tag = source.startswith("{%", pos)
    out.append(source[pos : pos + 2])
    pos += 2
    nested = 0
    while pos < len(source):
        piece = _PIECE.match(source, pos)
        assert piece is not None  # the last alternative matches any character
        pos = piece.end()
        if piece.group("name") is not None:
            reference = Reference(piece.group("ns"), piece.group("name").strip())
            if reference not in references:
                references[reference] = _VARIABLE.format(len(references))
            out.append(references[reference])
        elif piece.group("open") is not None and in_tag:
            out.append("  ")  # `{% if {{x}} == 1 %}`: Braze accepts output braces in tags
            nested += 1
        elif piece.group("close") is not None and (not in_tag or nested):
            if not in_tag:
                out.append("}}")
                return pos
            out.append("  ")
            nested -= 1
        elif piece.group("tag_end") is not None and in_tag:
            out.append("%}")
            return pos
        else:
            out.append(piece.group())
    return pos


# --- Braze tags ------------------------------------------------------------------------------

_ABORT_ARGUMENT = re.compile(r"\(\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')?\s*\)")


class _AbortNode(Node):
    """Raises `AbortMessage` when rendering reaches it."""

    __slots__ = ("reason",)

    def __init__(self, token: Token, reason: str) -> None:
        super().__init__(token)
        self.reason = reason

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        raise AbortMessage(self.reason)


class _AbortMessageTag(Tag):
    """`{% abort_message("reason") %}`, `{% abort_message() %}` or `{% abort_message %}`."""

    name = "abort_message"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.current
        reason = "{% abort_message %} called"
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
            argument = _ABORT_ARGUMENT.fullmatch(stream.current.value.strip())
            if argument is None:
                raise lx.LiquidSyntaxError(
                    "abort_message takes an optional reason in straight quotes, "
                    'e.g. {% abort_message("no video yet") %}',
                    token=stream.current,
                )
            given = argument.group("double")
            given = argument.group("single") if given is None else given
            if given:
                reason = given
        return _AbortNode(token, reason)


class _ConnectedContentTag(Tag):
    """`{% connected_content %}` is refused: the emulator never fetches URLs while rendering."""

    name = "connected_content"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        raise lx.LiquidSyntaxError(
            "{% connected_content %} is not supported: the emulator does not fetch URLs "
            "while rendering; put the values on the user profile or in trigger properties",
            token=stream.current,
        )


_FILTER_FAILURES = (ValueError, ArithmeticError, RecursionError)
"""What a filter may raise on odd input (UnicodeError is a ValueError; python-liquid itself
turns TypeError into a Liquid type error naming the filter)."""


def _guarded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` as a filter that fails as a Liquid error naming it, and within the limits."""

    @functools.wraps(function)  # keeps python-liquid's with_context / with_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        for value in args:
            if isinstance(value, range) and _too_long(value):
                raise lx.FilterArgumentError(
                    f"{name}: a range of more than {LOOP_ITERATION_LIMIT:,} items "
                    "(the emulator's limit)",
                    token=None,
                )
        try:
            result = function(*args, **kwargs)
        except _FILTER_FAILURES as exc:
            raise lx.FilterArgumentError(f"{name}: {_failure(exc)}", token=None) from None
        if isinstance(result, str) and len(result) > OUTPUT_LIMIT:
            raise lx.FilterArgumentError(
                f"{name}: the result is longer than {OUTPUT_LIMIT:,} characters "
                "(the emulator's output limit)",
                token=None,
            )
        return result

    return guarded


def _too_long(values: range) -> bool:
    try:
        return len(values) > LOOP_ITERATION_LIMIT
    except OverflowError:
        return True


def _failure(exc: BaseException) -> str:
    """An exception in a few words: its kind and message, cut short."""
    if isinstance(exc, RecursionError):
        return "the value is nested too deeply"
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


class _BrazeEnvironment(liquid.Environment):
    """python-liquid configured like Braze: strict parsing, no autoescape, Braze extras,
    and bounded rendering (see the module's assumptions)."""

    loop_iteration_limit = LOOP_ITERATION_LIMIT
    output_stream_limit = OUTPUT_LIMIT
    local_namespace_limit = LOCAL_NAMESPACE_LIMIT
    context_depth_limit = CONTEXT_DEPTH_LIMIT

    def __init__(self) -> None:
        super().__init__(autoescape=False, strict_filters=True)
        for name, function in BRAZE_FILTERS.items():
            self.add_filter(name, function)
        for name, function in list(self.filters.items()):
            self.filters[name] = _guarded(name, function)
        self.add_tag(_AbortMessageTag)
        self.add_tag(_ConnectedContentTag)

    def _parse(self, source: str) -> list[Node]:
        """Parse, pinning errors that python-liquid leaves without a place to the nearest tag."""
        stream = TokenStream(self.tokenizer()(source))
        try:
            return get_parser(self).parse(stream)
        except lx.LiquidError as err:
            if err.token is None or err.token.start_index < 0:
                err.token = _nearest_token(stream, str(err.message))
            raise


def _nearest_token(stream: TokenStream, message: str) -> Token | None:
    """The markup token an unplaced parse error belongs to: the unclosed block, else the last."""
    tokens = stream.tokens[: stream.pos + 1]
    unclosed = re.match(r"expected tag end(\w+)", message)
    if unclosed is not None and stream.pos >= len(stream.tokens):
        for token in reversed(tokens):
            if token.kind == TOKEN_TAG and token.value == unclosed.group(1):
                return token
    for token in reversed(tokens):
        if token.kind in (TOKEN_TAG, TOKEN_EXPRESSION, TOKEN_OUTPUT) and token.start_index >= 0:
            return token
    return None


_ENVIRONMENT = _BrazeEnvironment()


_LIMIT_MESSAGES: Mapping[type[lx.LiquidError], str] = {
    lx.LoopIterationLimitError: (
        f"the template loops more than {LOOP_ITERATION_LIMIT:,} times in all (the emulator's limit)"
    ),
    lx.OutputStreamLimitError: (
        f"the rendered text is longer than {OUTPUT_LIMIT:,} bytes (the emulator's limit)"
    ),
    lx.LocalNamespaceLimitError: (
        f"the values the template assigns take more than {LOCAL_NAMESPACE_LIMIT:,} bytes "
        "(the emulator's limit)"
    ),
    lx.ContextDepthError: (
        f"the template nests more than {CONTEXT_DEPTH_LIMIT} render scopes (the emulator's limit)"
    ),
}


def _braze_error(err: lx.LiquidError, references: list[Reference]) -> LiquidError:
    """Our error for a python-liquid one: the user's line, their tag names, plain words."""
    message = str(err.message if err.message is not None else type(err).__name__)
    message = _LIMIT_MESSAGES.get(type(err), message)
    unclosed = re.fullmatch(r"expected tag end(\w+), found end of expression", message)
    if unclosed is not None:
        name = unclosed.group(1)
        message = f"{{% {name} %}} is never closed: the template ends before {{% end{name} %}}"
    else:
        message = message.replace("found end of expression", "found the end of the tag")
    message = _VARIABLE_NAME.sub(lambda m: references[int(m.group(1))].tag, message)
    token = err.token
    line = None
    if token is not None and token.start_index >= 0:
        line = token.source.count("\n", 0, token.start_index) + 1
    return LiquidError(message, line)


class BrazeTemplate:
    """A compiled Braze template; `render` fills it for one user as a send would."""

    def __init__(self, source: str) -> None:
        self.source = source
        translation = _translate(source)
        self._references = translation.references
        self.references: tuple[str, ...] = tuple(ref.tag for ref in translation.references)
        """The personalisation tags used, in order of first use, e.g. `${first_name}`."""
        self.literal_text = "".join(translation.text)
        """The template's text outside Liquid markup (tells whether the body is JSON)."""
        try:
            self._template = _ENVIRONMENT.from_string(translation.source)
        except lx.LiquidError as err:
            raise _braze_error(err, self._references) from None
        except RecursionError:
            raise LiquidError("the template nests too deeply to parse") from None
        self._check_filters(translation.source)
        self._lookups = [
            (_VARIABLE.format(index), ref.lookup()) for index, ref in enumerate(self._references)
        ]
        self._variables = {ref.tag: _VARIABLE.format(i) for i, ref in enumerate(self._references)}
        self._static = source if "{{" not in source and "{%" not in source else None
        """The text itself when there is no markup (most header values): nothing to render."""

    def _check_filters(self, translated: str) -> None:
        """Refuse unknown filters when compiling, as Braze's composer does, not mid-send."""
        analysis = self._template.analyze(include_partials=False)
        for name, spans in analysis.filters.items():
            if name not in _ENVIRONMENT.filters:
                line = translated.count("\n", 0, spans[0].index) + 1
                raise LiquidError(f"unknown filter {name!r}", line)

    def render(
        self,
        profile: Mapping[str, Any],
        *,
        custom: Mapping[str, Any] | None = None,
        campaign: Mapping[str, Any] | None = None,
        properties: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str:
        """The text Braze would send to this user; raises `AbortMessage` or `LiquidError`.

        `custom` None: `profile` is one flat `/users/track` object, its keys other than
        identifiers and standard fields the custom attributes. Else `profile` holds the
        standard values and `custom` the custom attributes.
        """
        if self._static is not None:
            return self._static
        data: dict[str, Any] = {}
        for variable, lookup in self._lookups:
            value = lookup(profile, custom, campaign, properties)
            if value is not _MISSING:
                data[variable] = value
        return self._render(data)

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
            if value is not _MISSING:
                values[ref.tag] = value
        return values

    def render_values(self, values: Mapping[str, Any]) -> str:
        """Render with the tags' values given directly (by tag, as `resolve` returns them).

        Lets a diagnosis re-render with one value changed to see what it caused.
        """
        data = {
            self._variables[tag]: value for tag, value in values.items() if tag in self._variables
        }
        return self._render(data)

    def _render(self, data: dict[str, Any]) -> str:
        try:
            return self._template.render(data)
        except lx.LiquidError as err:
            raise _braze_error(err, self._references) from None
        except _RENDER_FAILURES as exc:
            # Outside a filter (printing a number too long for text, a value nested too deeply
            # to print): no line is known.
            raise LiquidError(
                _VARIABLE_NAME.sub(lambda m: self._references[int(m.group(1))].tag, _failure(exc))
            ) from None

    def __repr__(self) -> str:
        return f"BrazeTemplate({self.source!r})"


_RENDER_FAILURES = (ValueError, TypeError, ArithmeticError, RecursionError, LookupError)
"""What python-liquid lets through while rendering odd values; each is a Liquid error."""


@functools.lru_cache(maxsize=256)
def compile_template(source: str) -> BrazeTemplate:
    """Compile once per source: campaigns render the same template for every user."""
    return BrazeTemplate(source)
