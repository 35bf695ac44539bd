"""Knobs every mock shares; each service's settings dataclass extends these.

Declaring a setting
-------------------
A setting is a field of the dataclass: a name, a type, a default and a docstring under it
(what it does, its unit, and *assumed* where the real service documents nothing). How its value
is checked follows from the type and from what `setting()` adds to it::

    retries: int = setting(5, minimum=0, maximum=100)
    mode: Literal["fast", "slow"] = "fast"  # a plain default: checked by its type alone
    hosts: list[str] = setting(factory=list, wrong_type="{name}: must be a list of host names")

`CoreSettings.__post_init__` (so construction, `from_dict` and `replace` alike) walks
`dataclasses.fields()` in their order, the base class's first, and raises `SettingsError` with
the first message it meets. Each field is checked in three steps:

1. Its type, from the annotation: `int` takes whole numbers and no boolean, `float` an int or
   a float (no boolean), `bool` only true or false, `str` a string, `Literal[...]` one of its
   values, `X | None` also None, `list[X]` a list of X and `dict[K, V]` a dict of K to V
   (an item that is itself a list or dict is checked for being one, not further).
2. Its bounds: `minimum` and `maximum` (inclusive) and `above` (exclusive); a `float` must also
   be finite. The bounds of a `list` hold for each item.
3. Its `rules`, in order: functions of the name and the value that answer None, or the message.

Messages are `str.format` templates over `name`, `value` and `choices` (a Literal's values,
joined with ", "). `wrong_type` is said when step 1 fails and `out_of_range` when step 2 does
(the `wrong_type` one when unset); without `wrong_type` the type's usual wording is used
(`_WORDING`), e.g. `journal_cap: must be a whole number of at least 1, not 0`.
`check_type=False` skips steps 1 and 2: for a value another module checks where it is used,
or one that only `rules` can judge.

Between settings there is one declared rule: `not_above="other"` refuses a value above the
other setting's, checked once every field has passed. A check that needs the settings whole
(Braze parses its campaigns against them) goes in the subclass's `__post_init__`, after
`super().__post_init__()`.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    overload,
)

T = TypeVar("T")

Rule = Callable[[str, Any], str | None]
"""A further check of one setting: given its name and value, None or the message."""


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Declared:
    """What `setting()` adds to a field's type (see the module's docstring)."""

    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None
    wrong_type: str | None = None
    out_of_range: str | None = None
    rules: tuple[Rule, ...] = ()
    check_type: bool = True
    not_above: str | None = None


_KEY = "seen_braze_harness.setting"
"""The field metadata key `setting()` files its `Declared` under."""


@overload
def setting(
    default: T,
    *,
    minimum: float | None = ...,
    maximum: float | None = ...,
    above: float | None = ...,
    wrong_type: str | None = ...,
    out_of_range: str | None = ...,
    rules: tuple[Rule, ...] = ...,
    check_type: bool = ...,
    not_above: str | None = ...,
) -> T: ...


@overload
def setting(
    *,
    factory: Callable[[], T],
    minimum: float | None = ...,
    maximum: float | None = ...,
    above: float | None = ...,
    wrong_type: str | None = ...,
    out_of_range: str | None = ...,
    rules: tuple[Rule, ...] = ...,
    check_type: bool = ...,
    not_above: str | None = ...,
) -> T: ...


def setting(
    default: Any = MISSING,
    *,
    factory: Any = MISSING,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    wrong_type: str | None = None,
    out_of_range: str | None = None,
    rules: tuple[Rule, ...] = (),
    check_type: bool = True,
    not_above: str | None = None,
) -> Any:
    """A settings field with `default` (or a `factory` for one) and how it is checked."""
    declared = Declared(
        minimum, maximum, above, wrong_type, out_of_range, rules, check_type, not_above
    )
    return dataclasses.field(default=default, default_factory=factory, metadata={_KEY: declared})


# `setting()` returns a dataclasses.Field, as `field()` does: no default value is shared.


@dataclass
class CoreSettings:
    clock: Literal["real", "virtual"] = setting(
        "real", wrong_type="{name}: must be 'real' or 'virtual', not {value!r}"
    )
    """`real` follows the wall clock (server mode); `virtual` stands still until advanced."""
    journal_cap: int = setting(10_000, minimum=1)
    """Most exchanges the journal keeps; the oldest go first."""
    journal_body_cap: int = setting(65_536, minimum=1)
    """Bytes of each body the journal keeps (longer bodies are marked truncated)."""
    faults: list[dict[str, Any]] = setting(factory=list, check_type=False)
    """Fault rules active from start-up and after every reset (see `mocks.core.faults`, which
    checks them)."""
    fault_seed: int = setting(0, check_type=False)
    """Seed of the generator that decides probabilistic faults."""
    outbound_workers: int = setting(8, minimum=1)
    """Threads that send outbound requests in real time, so one slow peer holds up no other."""
    id_seed: str | None = setting(
        None, wrong_type="{name}: must be a string (or left out for a random seed), not {value!r}"
    )
    """Seed of the ids the mock mints (campaign and dispatch ids, tokens, ...). None draws a
    random one at every start, so that a web page cannot guess them; a string fixes
    them, so that a scenario replays exactly (see `mocks.core.ids`)."""
    admin_body_bytes: int = setting(4 * 1024 * 1024, minimum=1)
    """*Assumed.* Largest admin request body; larger ones get a 413 problem, unread."""
    admin_page_limit: int = setting(100, minimum=1, not_above="admin_page_max")
    """*Assumed.* Items an admin listing answers when the request names no `limit`."""
    admin_page_max: int = setting(1000, minimum=1)
    """*Assumed.* Largest `limit` an admin listing takes (a larger one is a 400 problem)."""
    admin_page_bytes: int = setting(4 * 1024 * 1024, minimum=1)
    """*Assumed.* An admin listing's page ends before the items pass this many bytes of JSON
    (it always holds one item, however large)."""

    def __post_init__(self) -> None:
        check_settings(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Settings from plain data (a scenario file, a JSON request), refusing unknown keys."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(
                f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        try:
            return cls(**dict(data))
        except TypeError as exc:
            raise SettingsError(str(exc)) from None

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)


# -- the checks -------------------------------------------------------------------------------


_WORDING = {
    int: "{name}: must be a whole number{bounds}, not {value!r}",
    float: "{name}: must be a number{bounds}, not {value!r}",
    bool: "{name}: must be true or false",
    str: "{name}: must be a string",
    Literal: "{name}: must be one of {choices}",
}
"""What a field without `wrong_type` says, by its type; any other type names its annotation."""


@dataclass(frozen=True)
class _Check:
    """One field's checks, compiled from its annotation and `Declared`."""

    name: str
    is_typed: Callable[[Any], bool] | None
    """None when the type is not checked (`check_type=False`)."""
    in_range: Callable[[Any], bool] | None
    wrong_type: str
    out_of_range: str
    choices: str
    rules: tuple[Rule, ...]
    not_above: str | None


_compiled: dict[type, tuple[_Check, ...]] = {}


def check_settings(settings: CoreSettings) -> None:
    """Raise `SettingsError` for the first setting its declaration refuses (module docstring)."""
    checks = _compiled.get(type(settings))
    if checks is None:
        checks = _compiled[type(settings)] = _compile(type(settings))
    for check in checks:
        value = getattr(settings, check.name)
        problem = None
        if check.is_typed is not None and not check.is_typed(value):
            problem = check.wrong_type
        elif check.in_range is not None and not check.in_range(value):
            problem = check.out_of_range
        if problem is not None:
            raise SettingsError(problem.format(name=check.name, value=value, choices=check.choices))
        for rule in check.rules:
            message = rule(check.name, value)
            if message is not None:
                raise SettingsError(message)
    for check in checks:
        if check.not_above is None:
            continue
        value, limit = getattr(settings, check.name), getattr(settings, check.not_above)
        if value > limit:
            raise SettingsError(f"{check.name}: {value} is above {check.not_above} ({limit})")


def _compile(cls: type) -> tuple[_Check, ...]:
    hints = get_type_hints(cls)
    checks = []
    for f in dataclasses.fields(cls):
        declared: Declared = f.metadata.get(_KEY, Declared())
        bounded = (declared.minimum, declared.maximum, declared.above) != (None, None, None)
        if bounded and not declared.check_type:
            raise TypeError(f"{f.name}: bounds are checked with the type; drop check_type=False")
        hint = hints[f.name]
        kind = _kind(hint)
        if declared.wrong_type is not None:
            wrong_type = declared.wrong_type
        elif kind in _WORDING:
            wrong_type = _WORDING[kind].replace("{bounds}", _bounds(declared))
        else:
            wrong_type = f"{{name}}: must be {f.type}, not {{value!r}}"
        checks.append(
            _Check(
                name=f.name,
                is_typed=_typed(hint) if declared.check_type else None,
                in_range=_in_range(hint, declared) if declared.check_type else None,
                wrong_type=wrong_type,
                out_of_range=declared.out_of_range or wrong_type,
                choices=", ".join(map(str, get_args(hint))) if kind is Literal else "",
                rules=declared.rules,
                not_above=declared.not_above,
            )
        )
    return tuple(checks)


def _kind(hint: Any) -> Any:
    """`hint` without its `| None`, reduced to what `_WORDING` is keyed by."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        others = [a for a in get_args(hint) if a is not type(None)]
        if len(others) == 1:
            return _kind(others[0])
    return origin if origin is not None else hint


def _typed(hint: Any) -> Callable[[Any], bool]:
    """Whether a value is of type `hint` (the items of a list or dict by `_item`)."""
    origin = get_origin(hint)
    args = get_args(hint)
    if hint is Any:
        return lambda value: True
    if hint is bool:
        return lambda value: isinstance(value, bool)
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return lambda value: isinstance(value, str)
    if origin is Literal:
        return lambda value: value in args
    if origin in (Union, types.UnionType) and type(None) in args and len(args) == 2:
        inner = _typed(next(a for a in args if a is not type(None)))
        return lambda value: value is None or inner(value)
    if origin is list:
        item = _item(args[0])
        return lambda value: isinstance(value, list) and all(item(v) for v in value)
    if origin is dict:
        key, item = _item(args[0]), _item(args[1])
        return lambda value: (
            isinstance(value, dict) and all(key(k) and item(v) for k, v in value.items())
        )
    raise TypeError(f"a setting of type {hint!r} has no check; declare it check_type=False")


def _item(hint: Any) -> Callable[[Any], bool]:
    """Whether a value is a list's or dict's item of type `hint`: a list or dict by its kind."""
    origin = get_origin(hint)
    if origin in (list, dict):
        return lambda value: isinstance(value, origin)
    return _typed(hint)


def _in_range(hint: Any, declared: Declared) -> Callable[[Any], bool] | None:
    """Whether a value of the right type is within the bounds (and finite, for a float)."""
    kind = _kind(hint)
    low, high, above = declared.minimum, declared.maximum, declared.above

    def bounded(value: Any) -> bool:
        return (
            (low is None or value >= low)
            and (high is None or value <= high)
            and (above is None or value > above)
        )

    if kind is float:
        return lambda value: value is None or (math.isfinite(value) and bounded(value))
    if (low, high, above) == (None, None, None):
        return None
    if kind is int:
        return lambda value: value is None or bounded(value)
    if kind is list:
        return lambda value: all(bounded(v) for v in value)
    raise TypeError(f"a setting of type {hint!r} takes no bounds")


def _bounds(declared: Declared) -> str:
    """The bounds as the default wording says them: ` of at least 1`, ` from 0 to 100`, ..."""
    low, high, above = declared.minimum, declared.maximum, declared.above
    if low is not None and high is not None:
        return f" from {low} to {high}"
    words = [f"of at least {low}"] if low is not None else []
    words += [f"above {above}"] if above is not None else []
    words += [f"at most {high}"] if high is not None else []
    return "".join(f" {w}" for w in words[:1]) + "".join(f" and {w}" for w in words[1:])
