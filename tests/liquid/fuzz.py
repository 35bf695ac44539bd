"""A seeded random-template fuzzer for the differential Liquid tests.

`cases(seed, count)` builds Liquid-shaped templates from a grammar of fragments — outputs with
filters and arguments of every kind, every standard tag nested a few deep, whitespace control,
text with newlines — and then corrupts some of them a little (a dropped brace, a stray quote,
junk tokens, a doubled operator), so Ruby Liquid's lax parser has its leniencies exercised.
Each template gets a context drawn from `corpus.VALUES` (and `corpus.DATES`), with some values
nested inside hashes and arrays. The same seed always gives the same cases.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from tests.liquid.corpus import DATE_FORMATS, DATES, VALUES, Case

FILTER_ARITY: dict[str, tuple[int, int]] = {
    "abs": (0, 0),
    "append": (1, 1),
    "at_least": (1, 1),
    "at_most": (1, 1),
    "base64_decode": (0, 0),
    "base64_encode": (0, 0),
    "base64_url_safe_decode": (0, 0),
    "base64_url_safe_encode": (0, 0),
    "capitalize": (0, 0),
    "ceil": (0, 0),
    "compact": (0, 1),
    "concat": (1, 1),
    "date": (1, 1),
    "default": (1, 1),
    "divided_by": (1, 1),
    "downcase": (0, 0),
    "escape": (0, 0),
    "escape_once": (0, 0),
    "first": (0, 0),
    "floor": (0, 0),
    "h": (0, 0),
    "join": (0, 1),
    "last": (0, 0),
    "lstrip": (0, 0),
    "map": (1, 1),
    "minus": (1, 1),
    "modulo": (1, 1),
    "newline_to_br": (0, 0),
    "plus": (1, 1),
    "prepend": (1, 1),
    "remove": (1, 1),
    "remove_first": (1, 1),
    "remove_last": (1, 1),
    "replace": (1, 2),
    "replace_first": (1, 2),
    "replace_last": (1, 2),
    "reverse": (0, 0),
    "round": (0, 1),
    "rstrip": (0, 0),
    "size": (0, 0),
    "slice": (1, 2),
    "sort": (0, 1),
    "sort_natural": (0, 1),
    "split": (1, 1),
    "strip": (0, 0),
    "strip_html": (0, 0),
    "strip_newlines": (0, 0),
    "times": (1, 1),
    "truncate": (0, 2),
    "truncatewords": (0, 2),
    "uniq": (0, 1),
    "upcase": (0, 0),
    "url_decode": (0, 0),
    "url_encode": (0, 0),
    "where": (1, 2),
}
"""Every standard filter of Ruby Liquid 5.4, with how many positional arguments it takes."""

UNKNOWN_FILTERS = ("nope", "upcase2", "sum", "md", "json", "t", "Upcase")
"""Filter names neither Ruby Liquid 5.4 nor Braze defines (lax mode ignores them)."""

INTEGERS = (
    "0",
    "1",
    "2",
    "3",
    "-1",
    "-2",
    "5",
    "10",
    "100",
    "007",
    "-0",
    "40",
    "300",
    "-300",
    "2147483648",
    "12345678901234567890",
)
FLOATS = ("1.5", "0.5", "-2.5", "2.0", "0.0", "1.25", "3.14159", "1.", "1.2.3", "-0.0", "10.0")
STRINGS = (
    "'abc'",
    '"Hello World"',
    "''",
    '""',
    "'a,b,,c'",
    "','",
    "' '",
    "'-'",
    "'<b>x</b>'",
    "'&amp;'",
    '"it\'s"',
    "'say \"hi\"'",
    "'é'",
    "'😀'",
    "'1'",
    "'2.5'",
    "'  pad '",
    "'line\nbreak'",
    "'name'",
    "'n'",
    "'ok'",
    "'%Y-%m-%d'",
    "'a|b'",
    "'x:y'",
    "'{{'",
    "'%}'",
    "'w6k='",
    "'/w=='",
    "'4pyTIMOgIGxhIG1vZGU='",
    "'%ff'",
    "'%C3%A9+x'",
)
"""String literals; the last five are Base64 of non-ASCII bytes and percent-escapes."""
SPECIALS = ("true", "false", "nil", "null", "empty", "blank")
MISSING = ("missing", "nothing.here", "x", "y", "z")
LOCALS = ("x", "y", "z", "item", "i", "c")
"""Names the generated tags assign, capture, count or loop with."""
PATH_KEYS = ("size", "first", "last", "name", "n", "a", "b", "c", "0", "1", "-1", "length")
SMALL_BOUNDS = frozenset(
    name
    for name, value in VALUES.items()
    if not isinstance(value, int | float) or isinstance(value, bool) or abs(value) < 100
    if name not in ("big_int", "points", "thousands")
)
"""Context names safe as range bounds: none of them converts to an integer of 100 or more."""
OPERATORS = ("==", "!=", "<>", "<", ">", "<=", ">=", "contains")
BAD_OPERATORS = ("=", "===", "=<", "=>", "!", "<<", "containss", "and", "or", "=!")
TEXTS = (
    "a",
    "Hi",
    " ",
    "  ",
    "\n",
    "\n\n",
    " \n  ",
    "\t",
    "\r\n",
    "text",
    ",",
    "}",
    "{",
    "%",
    "-",
    "}}",
    "x}y",
    "{ {",
    "é",
    "😀",
    "<p>",
    "&",
)
JUNK = (
    "@",
    "!!",
    "..",
    "|",
    "||",
    ":",
    "::",
    ",",
    ",,",
    "[",
    "]",
    "(",
    "))",
    "==",
    "and",
    "or",
    "-",
    "?",
    "&",
    "'",
    '"',
    "}}",
    "{{",
    "%}",
    "{%",
    "#",
    "$",
    "\\",
    "\n",
)


class _Generator:
    """One template's worth of random choices, from one shared `random.Random`."""

    def __init__(self, rng: random.Random, names: list[str]) -> None:
        self.rng = rng
        self.names = names
        self.loops = 0

    # --- expressions -----------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        """True with probability p."""
        return self.rng.random() < p

    def pick(self, options: Sequence[str]) -> str:
        """One of a sequence of texts, uniformly."""
        return self.rng.choice(options)

    def variable(self) -> str:
        """A variable path: a context name, a local, a missing one, with lookups after it."""
        roll = self.rng.random()
        if roll < 0.55:
            base = self.pick(self.names)
        elif roll < 0.75:
            base = self.pick(LOCALS)
        elif roll < 0.85:
            base = self.pick(("h", "arr", "deep", "records", "forloop", "tablerowloop"))
        else:
            base = self.pick(MISSING)
        while self.chance(0.3):
            roll = self.rng.random()
            if roll < 0.5:
                base += "." + self.pick((*PATH_KEYS, "index", "index0", "rindex", "col", "inner"))
            elif roll < 0.75:
                base += f"[{self.pick(('0', '1', '-1', '2'))}]"
            else:
                key = self.pick(('"a"', "'b'", "'name'", *self.names))
                base += f"[{key}]"
        return base

    def literal(self) -> str:
        """A literal of any kind: integer, float, string, special word, range."""
        roll = self.rng.random()
        if roll < 0.25:
            return self.pick(INTEGERS)
        if roll < 0.4:
            return self.pick(FLOATS)
        if roll < 0.8:
            return self.pick(STRINGS)
        if roll < 0.92:
            return self.pick(SPECIALS)
        return self.range()

    def range(self) -> str:
        """A range literal `(a..b)` over small integers, variables, floats or strings.

        A bound is never a name the template may assign nor a large value: Ruby Liquid turns a
        range into an array to loop over or filter it, and `(0..epoch)` would exhaust memory.
        """

        def bound() -> str:
            roll = self.rng.random()
            if roll < 0.65:
                return str(self.rng.randint(-2, 6))
            if roll < 0.85:
                small = [name for name in self.names if name in SMALL_BOUNDS]
                return self.pick(small or ["missing"]) + self.pick(("", "", ".size", ".first"))
            return self.pick(("1.5", "'3'", "'a'", "nil", "true"))

        space = self.pick(("", " "))
        return f"({space}{bound()}..{bound()}{space})"

    def expression(self) -> str:
        """A literal or a variable."""
        return self.variable() if self.chance(0.5) else self.literal()

    def argument(self, keyword: bool = False) -> str:
        """One filter argument, sometimes keyword (`name: value`)."""
        if keyword or self.chance(0.05):
            name = "allow_false" if self.chance(0.6) else self.pick(("foo", "cols", "x"))
            return f"{name}: {self.expression()}"
        return self.expression()

    def filter(self) -> str:
        """`| name` with arguments: usually the filter's arity, sometimes any."""
        roll = self.rng.random()
        if roll < 0.06:
            name = self.pick(UNKNOWN_FILTERS)
            low, high = 0, 2
        else:
            name = self.pick(sorted(FILTER_ARITY))
            low, high = FILTER_ARITY[name]
            if self.chance(0.15):
                low, high = 0, 3
        count = self.rng.randint(low, high)
        if name == "date" and count and self.chance(0.7):
            args = [f"'{self.pick(DATE_FORMATS)}'"]
        else:
            args = [self.argument() for _ in range(count)]
        if name == "default" and self.chance(0.3):
            args.append(self.argument(keyword=True))
        space = self.pick((" ", " ", "", "  "))
        if not args:
            return f"{space}| {name}"
        separator = self.pick((", ", ", ", ",", " , "))
        colon = self.pick((": ", ": ", ":", " : "))
        return f"{space}| {name}{colon}{separator.join(args)}"

    def filtered(self, most: int = 3) -> str:
        """An expression with 0 to `most` filters."""
        text = self.expression()
        for _ in range(self.rng.randint(0, most)):
            text += self.filter()
        return text

    def condition(self, depth: int = 0) -> str:
        """`a`, `a op b`, chained with and/or."""
        text = self.expression()
        if self.chance(0.7):
            operator = self.pick(BAD_OPERATORS) if self.chance(0.05) else self.pick(OPERATORS)
            text += f" {operator} {self.expression()}"
        if depth < 2 and self.chance(0.3):
            text += f" {self.pick(('and', 'or'))} {self.condition(depth + 1)}"
        return text

    # --- markup ----------------------------------------------------------------------------

    def tag(self, markup: str) -> str:
        """`{% markup %}` with random whitespace control."""
        left = "-" if self.chance(0.15) else ""
        right = "-" if self.chance(0.15) else ""
        inner = self.pick((" ", " ", "", "  ", "\n"))
        outer = self.pick((" ", " ", "", "\n"))
        return f"{{%{left}{inner}{markup}{outer}{right}%}}"

    def output(self) -> str:
        """`{{ expression | filters }}`."""
        left = "-" if self.chance(0.15) else ""
        right = "-" if self.chance(0.15) else ""
        pad = self.pick((" ", " ", "", "\n"))
        return f"{{{{{left}{pad}{self.filtered()}{pad}{right}}}}}"

    def text(self) -> str:
        """A little plain text."""
        return "".join(self.pick(TEXTS) for _ in range(self.rng.randint(1, 3)))

    def body(self, depth: int) -> str:
        """Zero to three nodes."""
        return "".join(self.node(depth) for _ in range(self.rng.randint(0, 3)))

    def loop_options(self, table: bool) -> str:
        """`limit:`, `offset:`, `reversed`, `cols:` in a random order."""
        options = []
        if self.chance(0.3):
            options.append(f"limit:{self.pick(('', ' '))}{self.loop_number()}")
        if self.chance(0.3):
            value = "continue" if not table and self.chance(0.2) else self.loop_number()
            options.append(f"offset:{self.pick(('', ' '))}{value}")
        if table and self.chance(0.5):
            options.append(f"cols:{self.pick(('', ' '))}{self.loop_number()}")
        if not table and self.chance(0.25):
            options.append("reversed")
        self.rng.shuffle(options)
        return "".join(" " + option for option in options)

    def loop_number(self) -> str:
        """A limit, offset or column count: small integers mostly."""
        roll = self.rng.random()
        if roll < 0.7:
            return str(self.rng.randint(0, 4))
        if roll < 0.9:
            return self.variable()
        return self.pick(("'2'", "1.5", "-1", "nil"))

    def collection(self) -> str:
        """What a loop iterates: a variable, a range, a literal."""
        roll = self.rng.random()
        if roll < 0.6:
            return self.pick(("arr", "records", "h", "numbers", "words", "deep.list", "mixed"))
        if roll < 0.8:
            return self.range()
        if roll < 0.9:
            return self.variable()
        return self.literal()

    def node(self, depth: int) -> str:
        """Text, an output, or (while `depth` allows) a tag, nested up to four deep."""
        roll = self.rng.random()
        if depth >= 4 or roll < 0.25:
            return self.text()
        if roll < 0.5:
            return self.output()
        return self.block(depth + 1)

    def block(self, depth: int) -> str:
        """One tag, with its body when it is a block."""
        kind = self.pick(
            (
                "if", "if", "unless", "case", "for", "for", "assign", "assign", "capture",
                "cycle", "counter", "tablerow", "ifchanged", "raw", "comment", "inline",
                "liquid", "echo", "interrupt", "include",
            )
        )  # fmt: skip
        tag, body = self.tag, self.body
        if kind in ("if", "unless"):
            text = tag(f"{kind} {self.condition()}") + body(depth)
            if kind == "if":
                for _ in range(self.rng.randint(0, 2)):
                    text += tag(f"elsif {self.condition()}") + body(depth)
            if self.chance(0.4):
                text += tag("else") + body(depth)
            return text + tag(f"end{kind}")
        if kind == "case":
            text = tag(f"case {self.expression()}") + self.pick(("", " ", "\n", "junk"))
            for _ in range(self.rng.randint(0, 3)):
                values = [self.expression() for _ in range(self.rng.randint(1, 3))]
                joined = values[0] + "".join(
                    self.pick((", ", " or ", ",")) + value for value in values[1:]
                )
                text += tag(f"when {joined}") + body(depth)
            if self.chance(0.4):
                text += tag("else") + body(depth)
            return text + tag("endcase")
        if kind in ("for", "tablerow"):
            name = self.pick(("item", "i", "x"))
            head = f"{kind} {name} in {self.collection()}{self.loop_options(kind == 'tablerow')}"
            self.loops += 1
            text = tag(head) + body(depth)
            self.loops -= 1
            if kind == "for" and self.chance(0.25):
                text += tag("else") + body(depth)
            return text + tag(f"end{kind}")
        if kind == "assign":
            return tag(f"assign {self.pick(LOCALS)} = {self.filtered()}")
        if kind == "capture":
            return tag(f"capture {self.pick(LOCALS)}") + body(depth) + tag("endcapture")
        if kind == "cycle":
            items = ", ".join(self.expression() for _ in range(self.rng.randint(1, 3)))
            group = f"{self.pick((*STRINGS[:3], 'x'))}: " if self.chance(0.3) else ""
            return tag(f"cycle {group}{items}")
        if kind == "counter":
            return tag(f"{self.pick(('increment', 'decrement'))} {self.pick(LOCALS)}")
        if kind == "ifchanged":
            return tag("ifchanged") + body(depth) + tag("endifchanged")
        if kind == "raw":
            inner = self.pick(("{{ x }}", "{% if %}", "a", "", "{% endraw", "}}{%"))
            return tag("raw") + inner + self.text() + tag("endraw")
        if kind == "comment":
            return tag("comment") + body(depth) + tag("endcomment")
        if kind == "inline":
            lines = [self.pick(("note", "{{ x }}", "", "# more", "a b"))]
            if self.chance(0.3):
                lines.append(f"{self.pick(('#', '  #', 'x'))} {self.pick(('second', ''))}")
            return tag("# " + "\n".join(lines))
        if kind == "liquid":
            return tag("liquid\n" + "\n".join(self.liquid_lines(depth)) + "\n")
        if kind == "echo":
            return tag(f"echo {self.filtered()}")
        if kind == "interrupt":
            return tag(self.pick(("break", "continue")))
        return tag(f"{self.pick(('include', 'render'))} {self.pick(STRINGS[:2])}")

    def liquid_lines(self, depth: int) -> list[str]:
        """The lines of a `{% liquid %}` tag: tags without delimiters, nested."""
        lines: list[str] = []
        for _ in range(self.rng.randint(0, 4)):
            roll = self.rng.random()
            if roll < 0.3:
                lines.append(f"echo {self.filtered()}")
            elif roll < 0.5:
                lines.append(f"assign {self.pick(LOCALS)} = {self.filtered()}")
            elif roll < 0.6 and depth < 4:
                lines.append(f"if {self.condition()}")
                lines += self.liquid_lines(depth + 1)
                if self.chance(0.3):
                    lines.append("else")
                    lines += self.liquid_lines(depth + 1)
                lines.append("endif")
            elif roll < 0.7 and depth < 4:
                lines.append(f"for {self.pick(('item', 'i'))} in {self.collection()}")
                lines += self.liquid_lines(depth + 1)
                lines.append("endfor")
            elif roll < 0.75 and depth < 4:
                lines.append(f"case {self.expression()}")
                lines.append(f"when {self.expression()}")
                lines += self.liquid_lines(depth + 1)
                lines.append("endcase")
            elif roll < 0.8:
                lines.append(f"{self.pick(('increment', 'decrement'))} {self.pick(LOCALS)}")
            elif roll < 0.85:
                lines.append(f"cycle {self.expression()}, {self.expression()}")
            elif roll < 0.9:
                lines.append(f"# {self.pick(('note', 'x y', ''))}")
            elif roll < 0.95:
                lines.append(self.pick(("", "  ", "break", "continue")))
            else:
                lines.append(self.pick(("capture x", "endcapture", "bogus 1", "{{ x }}", "echo")))
        return [self.pick(("", " ", "  ")) + line for line in lines]

    # --- corruption ------------------------------------------------------------------------

    def corrupt(self, template: str) -> str:
        """One small damage: a dropped brace, a stray quote, junk, a doubled operator, a cut."""
        roll = self.rng.random()
        openers = [i for i in range(len(template) - 1) if template[i : i + 2] in ("{{", "{%")]
        if roll < 0.2:
            delimiters = [
                i
                for i in range(len(template) - 1)
                if template[i : i + 2] in ("{{", "{%", "}}", "%}")
            ]
            if delimiters:
                at = self.rng.choice(delimiters) + self.rng.randint(0, 1)
                return template[:at] + template[at + 1 :]
        if roll < 0.65 and openers:
            start = self.rng.choice(openers) + 2
            end = template.find("}", start)
            end = len(template) if end < 0 else end
            at = self.rng.randint(start, max(start, end))
            junk = self.pick(("'", '"')) if roll < 0.35 else self.pick(JUNK)
            return template[:at] + junk + template[at:]
        if roll < 0.85:
            for old, new in (("==", "===="), (" and ", " and and "), ("|", "||"), (":", "::"),
                             (",", ",,"), ("..", "..."), (" or ", " or or "), ("!=", "!!="),
                             ("<", "<<"), ("-%}", "--%}")):  # fmt: skip
                if old in template and self.chance(0.5):
                    at = self.rng.choice(
                        [i for i in range(len(template)) if template.startswith(old, i)]
                    )
                    return template[:at] + new + template[at + len(old) :]
        if template:
            return template[: self.rng.randint(0, len(template) - 1)]
        return template


def context(rng: random.Random) -> dict[str, Any]:
    """Random named values from `corpus.VALUES`, with some nested in hashes and arrays."""
    names = sorted(VALUES)
    chosen = rng.sample(names, rng.randint(3, 12))
    ctx: dict[str, Any] = {name: VALUES[name] for name in chosen}
    ctx["h"] = {key: VALUES[rng.choice(names)] for key in rng.sample(("a", "b", "c", "name"), 3)}
    ctx["arr"] = [VALUES[rng.choice(names)] for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.5:
        ctx["deep"] = {
            "list": [{"name": VALUES[rng.choice(names)], "n": rng.randint(-1, 3)} for _ in "ab"],
            "inner": {name: VALUES[name] for name in rng.sample(names, 2)},
        }
    if rng.random() < 0.2:
        date = rng.choice(sorted(DATES))
        ctx[date] = DATES[date]
    for name in ("records", "numbers", "words"):
        if rng.random() < 0.6:
            ctx[name] = VALUES[name]
    return ctx


def template(rng: random.Random, names: list[str]) -> str:
    """One random template over the given variable names, corrupted one time in five."""
    generator = _Generator(rng, names)
    text = "".join(generator.node(0) for _ in range(rng.randint(1, 5)))
    if rng.random() < 0.2:
        text = generator.corrupt(text)
    return text


def cases(seed: int, count: int) -> list[Case]:
    """`count` random cases, the same ones for the same seed; ids are `fuzz/<seed>/<n>`."""
    rng = random.Random(seed)
    found = []
    for n in range(count):
        ctx = context(rng)
        names = [*sorted(ctx), "missing"]
        found.append(Case(f"fuzz/{seed}/{n}", template(rng, names), ctx))
    return found
