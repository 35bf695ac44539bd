"""The differential corpus: (template, context) pairs rendered by Ruby Liquid and by ours.

Everything here is plain Liquid (no `${…}` tags), so both renderers take it as it is. The
cases are generated from fixed tables, so the corpus is the same on every run: every standard
filter of Liquid 5 over values that bite, every operator over pairs of them, every date form
with every strftime directive, and hand-written cases for the tags and the parser.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

NOW = 1_615_026_630
"""What `now` and `today` mean in the corpus: 2021-03-06 10:30:30 UTC, a Saturday."""


@dataclass(frozen=True)
class Case:
    """One template with its context; `id` names what it tests."""

    id: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    now: int | None = NOW
    mode: str = "lax"

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "template": self.template,
                "context": self.context,
                "now": self.now,
                "mode": self.mode,
            },
            ensure_ascii=False,
        )


VALUES: dict[str, Any] = {
    "nil": None,
    "false": False,
    "true": True,
    "zero": 0,
    "one": 1,
    "minus_one": -1,
    "seven": 7,
    "minus_seven": -7,
    "big_int": 12345678901234567890,
    "float_zero": 0.0,
    "float": 1.5,
    "half_up": 2.5,
    "minus_half": -2.5,
    "small_half": 0.5,
    "pi": 3.14159,
    "thirds": 0.1 + 0.2,
    "big_float": 1e20,
    "tiny_float": 1e-5,
    "huge_float": 1.5e16,
    "empty": "",
    "spaces": "  ",
    "zero_string": "0",
    "points": "12 points",
    "thousands": "1,234",
    "dot_five": ".5",
    "minus_string": "-3.7",
    "word": "abc",
    "sentence": "Hello World, this is Liquid",
    "accent": "élan",
    "upper_accent": "ÉCOLE",
    "emoji": "😀 smile 🎉",
    "combining": "e\u0301te\u0301",
    "html": "<p>Hi &amp; <b>bye</b></p><!-- c --><script>x</script>",
    "escaped": "&lt;b&gt; &amp; <b> \"q\" 'a'",
    "commas": "a,b,,c,,",
    "padded": " \t padded \n ",
    "lines": "line1\nline2\r\nline3",
    "url": "https://example.com/a b?q=1&r=é#frag",
    "percent": "a%20b+c%zz",
    "base64": "aGVsbG8gd29ybGQ=",
    "empty_array": [],
    "numbers": [3, 1, 2],
    "words": ["b", "a", "C", None, "b"],
    "mixed": [1, "1", None, 2.5, True],
    "nested_array": [[1, 2], [3, [4]], []],
    "empty_hash": {},
    "hash": {"a": 1, "b": [1, 2], "c": None},
    "size_hash": {"size": "own", "a": 1},
    "records": [
        {"name": "b", "n": 2, "ok": True},
        {"name": "A", "n": None, "ok": False},
        {"name": "c", "n": 1},
    ],
}
"""Values that bite, by name; the same name is the context variable in a case."""

DATES: dict[str, Any] = {
    "iso_date": "2021-03-06",
    "day_first": "03/06/2021",
    "iso_utc": "2021-03-06T10:20:30Z",
    "iso_offset": "2021-03-06T10:20:30-05:00",
    "iso_millis": "2021-03-06T10:20:30.123456Z",
    "space_sep": "2021-03-06 10:20:30",
    "long_form": "March 6, 2021",
    "rfc2822": "Sat, 06 Mar 2021 10:20:30 +0000",
    "midnight_24": "2021-03-06T24:00:00Z",
    "epoch": 1614000000,
    "epoch_float": 1614000000.75,
    "epoch_string": "1614000000",
    "negative_epoch": -86400,
    "now_word": "now",
    "today_word": "today",
    "capital_now": "Now",
    "empty": "",
    "nil": None,
    "garbage": "not a date",
    "time_only": "10:20",
    "month_year": "Mar 2021",
}

DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%s",
    "%z|%Z|%:z",
    "%L|%N|%3N|%6N",
    "%v",
    "%a %A %b %B %h",
    "%c",
    "%d %e %j %U %W %V %G %g",
    "%k|%l|%I|%p|%P",
    "%u %w %y %C",
    "%D|%F|%T|%R|%r",
    "%x|%X",
    "%-d/%-m/%-y %-H:%-M",
    "%_m|%^a|%^B|%010d|%-I",
    "%b %d",
    "%% %n %t",
    "%Q",
    "%+",
    "no directives",
    "",
]

UNARY_FILTERS = [
    "abs",
    "capitalize",
    "ceil",
    "compact",
    "downcase",
    "escape",
    "escape_once",
    "h",
    "first",
    "floor",
    "last",
    "lstrip",
    "newline_to_br",
    "reverse",
    "round",
    "rstrip",
    "size",
    "sort",
    "sort_natural",
    "strip",
    "strip_html",
    "strip_newlines",
    "uniq",
    "upcase",
    "url_decode",
    "url_encode",
    "base64_encode",
    "base64_decode",
    "base64_url_safe_encode",
    "base64_url_safe_decode",
    "first | size",
    "size | plus: 1",
]

ARGUMENT_FILTERS = [
    "append: '!'",
    "append: 5",
    "prepend: '>'",
    "at_least: 5",
    "at_least: 2.5",
    "at_most: 5",
    "at_most: '3'",
    "divided_by: 2",
    "divided_by: 2.0",
    "divided_by: 0",
    "divided_by: 0.0",
    "divided_by: '4'",
    "minus: 1",
    "minus: 1.5",
    "minus: '2'",
    "plus: 1",
    "plus: 0.1",
    "plus: '12 points'",
    "times: 3",
    "times: 0.5",
    "times: '2'",
    "modulo: 3",
    "modulo: -3",
    "modulo: 2.5",
    "modulo: 0",
    "round: 1",
    "round: 2",
    "round: -1",
    "round: '1'",
    "remove: 'a'",
    "remove_first: 'b'",
    "remove_last: 'b'",
    "replace: 'a', 'X'",
    "replace: 'l'",
    "replace_first: 'l', 'L'",
    "replace_last: 'l', 'L'",
    "slice: 1",
    "slice: -3, 2",
    "slice: 1, 100",
    "slice: 0, 0",
    "slice: 2, -1",
    "slice: 'x'",
    "split: ','",
    "split: ''",
    "split: ' '",
    "split: 'l'",
    "join: '-'",
    "join",
    "truncate: 5",
    "truncate: 5, ''",
    "truncate: 0",
    "truncate: 2",
    "truncate: 10, '…'",
    "truncate: 3, '...'",
    "truncatewords: 2",
    "truncatewords: 0",
    "truncatewords: 2, '--'",
    "truncatewords: 100",
    "default: 'd'",
    "default: 'd', allow_false: true",
    "default: 0",
    "map: 'name'",
    "where: 'ok'",
    "where: 'name', 'b'",
    "where: 'n', 1",
    "sort: 'n'",
    "sort: 'name'",
    "sort_natural: 'name'",
    "uniq: 'name'",
    "compact: 'n'",
    "concat: numbers",
    "concat: word",
    "first | append: '?'",
    "join: ', ' | upcase",
    "sort | join: ','",
    "sort_natural | join: ','",
    "reverse | join: ','",
    "uniq | join: ','",
    "compact | join: ','",
    "split: ',' | size",
    "split: ',' | last",
    "split: '' | join: '|'",
]

TAGS: list[tuple[str, str]] = [
    ("for_basic", "{% for x in numbers %}{{ x }},{% endfor %}"),
    ("for_limit_offset", "{% for x in numbers limit: 2 offset: 1 %}{{ x }}{% endfor %}"),
    ("for_reversed", "{% for x in numbers reversed %}{{ x }}{% endfor %}"),
    ("for_range", "{% for i in (1..5) %}{{ i }}{% endfor %}"),
    ("for_range_var", "{% for i in (one..seven) %}{{ i }}{% endfor %}"),
    ("for_range_string", "{% for i in (1..zero_string) %}{{ i }}{% else %}none{% endfor %}"),
    ("for_range_float", "{% for i in (1..pi) %}{{ i }}{% endfor %}"),
    ("for_range_reverse", "{% for i in (5..1) %}{{ i }}{% else %}empty{% endfor %}"),
    ("for_else", "{% for x in empty_array %}{{ x }}{% else %}nothing{% endfor %}"),
    ("for_nil", "{% for x in nil %}{{ x }}{% else %}nil{% endfor %}"),
    ("for_string", "{% for c in word %}[{{ c }}]{% endfor %}"),
    ("for_hash", "{% for kv in hash %}{{ kv[0] }}={{ kv[1] }};{% endfor %}"),
    (
        "forloop",
        "{% for x in words %}{{ forloop.index }}{{ forloop.index0 }}{{ forloop.rindex }}"
        "{{ forloop.first }}{{ forloop.last }}{{ forloop.length }}|{% endfor %}",
    ),
    ("for_break", "{% for x in numbers %}{% if x == 1 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
    (
        "for_continue",
        "{% for x in numbers %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}",
    ),
    ("for_limit_var", "{% for x in numbers limit: one %}{{ x }}{% endfor %}"),
    (
        "for_nested_parentloop",
        "{% for a in (1..2) %}{% for b in (1..2) %}{{ forloop.parentloop.index }}{{ b }} {% endfor %}{% endfor %}",
    ),
    ("cycle", "{% for x in numbers %}{% cycle 'a', 'b' %}{% endfor %}"),
    ("cycle_group", "{% cycle 'g': 1, 2 %}{% cycle 'g': 1, 2 %}{% cycle 1, 2 %}"),
    ("tablerow", "{% tablerow x in numbers cols: 2 %}{{ x }}{% endtablerow %}"),
    ("ifchanged", "{% for x in words %}{% ifchanged %}{{ x }}{% endifchanged %}{% endfor %}"),
    (
        "case_when",
        "{% case word %}{% when 'x' %}x{% when 'abc', 'def' %}match{% else %}else{% endcase %}",
    ),
    ("case_when_or", "{% case one %}{% when 2 or 1 %}one{% endcase %}"),
    ("case_else", "{% case nil %}{% when '' %}empty{% else %}else{% endcase %}"),
    ("case_blank", "{% case empty %}{% when blank %}blank{% when empty %}empty{% endcase %}"),
    ("unless", "{% unless false %}yes{% else %}no{% endunless %}"),
    ("elsif", "{% if zero == 1 %}a{% elsif zero == 0 %}b{% else %}c{% endif %}"),
    ("and_or_right_to_left", "{% if true or false and false %}yes{% else %}no{% endif %}"),
    ("and_or_2", "{% if false and false or true %}yes{% else %}no{% endif %}"),
    ("assign", "{% assign a = 'x' | upcase %}{{ a }}{% assign b = a %}{{ b }}"),
    (
        "assign_array_index",
        "{% assign a = numbers %}{{ a[0] }}{{ a[-1] }}{{ a.first }}{{ a.last }}{{ a.size }}",
    ),
    ("capture", "{% capture c %}{{ word }}-{{ one }}{% endcapture %}[{{ c }}]"),
    ("increment", "{% increment n %}{% increment n %}{% decrement n %}{{ n }}"),
    ("decrement", "{% decrement m %}{% decrement m %}{{ m }}"),
    ("increment_vs_assign", "{% assign n = 10 %}{% increment n %}{{ n }}"),
    ("echo", "{% echo word | upcase %}"),
    ("liquid_tag", "{% liquid\nassign x = 'a'\nif x == 'a'\necho 'yes'\nendif\n%}"),
    ("liquid_tag_comment", "{% liquid\n# a comment\necho 'c'\n%}"),
    ("inline_comment", "a{% # a comment %}b"),
    ("comment", "a{% comment %}{{ x }}{% if %}{% endcomment %}b"),
    ("raw", "{% raw %}{{ not rendered }}{% endraw %}"),
    ("whitespace_control", "a  {%- if true -%}  b  {%- endif -%}  c {{- word -}} d"),
    ("whitespace_output", "[ {{- ' x ' -}} ]"),
    ("size_dot", "{{ word.size }} {{ numbers.size }} {{ hash.size }} {{ nil.size }}"),
    ("first_last_dot", "{{ numbers.first }} {{ numbers.last }} {{ word.first }}"),
    ("hash_access", "{{ hash.a }} {{ hash['b'][1] }} {{ hash.b.first }} {{ hash.missing }}"),
    ("array_index_string", "{{ numbers['0'] }}|{{ numbers[one] }}"),
    ("records_dot", "{{ records[0].name }} {{ records.first.name }} {{ records.size }}"),
    ("string_literal_escapes", "{{ 'it''s' }}{{ \"a\\nb\" }}"),
    ("range_output", "{{ (1..3) }}"),
    ("range_join", "{{ (1..3) | join: ',' }}"),
    ("nil_literal", "[{{ nil }}][{{ null }}][{{ empty }}][{{ blank }}]"),
    ("true_false", "{{ true }} {{ false }}"),
    ("number_literals", "{{ 1.0 }} {{ 1.50 }} {{ -0.0 }} {{ 100 }} {{ 1e3 }} {{ 012 }}"),
    (
        "float_output",
        "{{ thirds }} {{ big_float }} {{ tiny_float }} {{ huge_float }} {{ big_int }}",
    ),
    ("print_array", "{{ words }}|{{ nested_array }}|{{ mixed }}"),
    ("print_hash", "{{ hash }}|{{ empty_hash }}|{{ records }}"),
    (
        "contains_string",
        "{% if sentence contains 'World' %}y{% endif %}{% if word contains 1 %}n{% endif %}",
    ),
    (
        "contains_array",
        "{% if numbers contains 1 %}y{% endif %}{% if numbers contains '1' %}s{% endif %}",
    ),
    ("contains_nil", "{% if nil contains 'a' %}y{% else %}n{% endif %}"),
    ("contains_hash", "{% if hash contains 'a' %}y{% else %}n{% endif %}"),
    ("blank_empty_literals", "{% if blank == empty %}y{% else %}n{% endif %}"),
    ("undefined_var", "[{{ missing }}][{{ missing.deep.er }}][{{ missing | size }}]"),
    (
        "undefined_compare",
        "{% if missing == nil %}y{% endif %}{% if missing == blank %}b{% endif %}{% if missing == empty %}e{% endif %}",
    ),
    ("unknown_filter", "{{ word | no_such_filter }}"),
    ("unknown_filter_args", "{{ word | no_such_filter: 1, 2 | upcase }}"),
    ("filter_bad_arity", "{{ word | upcase: 1 }}"),
    ("unknown_tag", "{% nosuchtag %}"),
    ("unclosed_if", "{% if true %}open"),
    ("unclosed_output", "{{ word "),
    ("stray_endif", "a{% endif %}b"),
    ("lax_junk_output", "{{ word | upcase ) }}"),
    ("lax_junk_output_2", "{{ word !! }}"),
    ("lax_if_single_equals", "{% if one = 1 %}y{% else %}n{% endif %}"),
    ("lax_if_junk", "{% if one == 1 junk %}y{% else %}n{% endif %}"),
    ("lax_filter_no_colon", "{{ word | append '!' }}"),
    ("lax_filter_extra_comma", "{{ word | append: '!', }}"),
    ("lax_assign_junk", "{% assign a = 'x' junk %}{{ a }}"),
    ("lax_for_junk", "{% for x in numbers junk %}{{ x }}{% endfor %}"),
    ("lax_double_pipe", "{{ word || upcase }}"),
    ("lax_trailing_pipe", "{{ word | }}"),
    ("empty_output", "[{{}}][{{ }}]"),
    ("lax_output_two_names", "{{ word numbers }}"),
    ("lax_output_trailing_comma", "{{ word, }}"),
    ("lax_output_colon_without_filter", "{{ word : 1 }}"),
    ("lax_output_filter_junk_args", "{{ word | append: '!' junk }}"),
    ("lax_output_filter_keyword_junk", "{{ word | default: nil, allow_false true }}"),
    ("lax_output_bang", "{{ !word }}"),
    ("lax_output_equality", "{{ one == 1 }}"),
    ("lax_output_unclosed_bracket", "{{ numbers[0 }}"),
    ("lax_output_double_dot", "{{ hash..a }}"),
    ("lax_output_unclosed_string_filter", "{{ word | append: 'x }}"),
    ("lax_output_range_with_spaces", "{{ ( 1 .. 3 ) | join: ',' }}"),
    ("lax_output_minus_name", "{{ -one }}"),
    ("lax_output_pipe_first", "{{ | upcase }}"),
    ("lax_output_filter_in_brackets", "{{ numbers[word | size] }}"),
    ("lax_if_and_without_right", "{% if true and %}y{% else %}n{% endif %}"),
    ("lax_if_or_or", "{% if false or or true %}y{% else %}n{% endif %}"),
    ("lax_if_filter", "{% if words | size > 2 %}y{% else %}n{% endif %}"),
    ("lax_if_trailing_junk_after_string", "{% if word == 'abc' ! %}y{% else %}n{% endif %}"),
    ("lax_if_two_operators", "{% if one == == 1 %}y{% else %}n{% endif %}"),
    ("lax_if_and_and", "{% if true && true %}y{% else %}n{% endif %}"),
    ("lax_if_unknown_word_operator", "{% if one is 1 %}y{% else %}n{% endif %}"),
    ("lax_elsif_junk", "{% if false %}a{% elsif one == 1 ?? %}b{% endif %}"),
    ("lax_unless_junk", "{% unless false ] %}y{% endunless %}"),
    ("lax_for_unknown_attribute", "{% for x in numbers limit: 1 step: 2 %}{{ x }}{% endfor %}"),
    ("lax_for_attribute_no_space", "{% for x in numbers limit:2 %}{{ x }}{% endfor %}"),
    ("lax_for_reversed_after_limit", "{% for x in numbers limit: 2 reversed %}{{ x }}{% endfor %}"),
    ("lax_for_range_spaces", "{% for i in ( 1..3 ) %}{{ i }}{% endfor %}"),
    ("lax_for_in_missing_spaces", "{% for x in(1..2) %}{{ x }}{% endfor %}"),
    ("lax_case_when_junk", "{% case one %}{% when 1 junk %}one{% endcase %}"),
    ("lax_case_when_comma_or", "{% case one %}{% when 2, 3 or 1 %}hit{% endcase %}"),
    ("lax_assign_filter_junk", "{% assign a = word | upcase junk %}{{ a }}"),
    ("lax_assign_double_equals", "{% assign a == 'x' %}{{ a }}"),
    ("lax_assign_no_spaces", "{% assign a='x'|upcase %}{{ a }}"),
    ("lax_echo_junk", "{% echo word | upcase ) %}"),
    ("lax_cycle_no_commas", "{% cycle 'a' 'b' %}{% cycle 'a' 'b' %}"),
    ("lax_tablerow_junk", "{% tablerow x in numbers cols:2 junk %}{{ x }}{% endtablerow %}"),
    ("lax_capture_junk", "{% capture c junk %}x{% endcapture %}{{ c }}"),
    ("lax_liquid_tag_junk", "{% liquid\necho word | upcase )\n%}"),
    ("whitespace_both_sides", "a \n {%- assign x = 1 -%} \n b {{- x -}} \n c"),
    ("whitespace_blank_if_body", "[{% if true %}\n  {% assign y = 2 %}\n{% endif %}]{{ y }}"),
    (
        "whitespace_blank_for_body",
        "[{% for i in (1..3) %}\n {% assign z = i %}\n{% endfor %}]{{ z }}",
    ),
    ("whitespace_not_blank_if_body", "[{% if true %} x {% endif %}]"),
    ("whitespace_case_blank", "[{% case 1 %}{% when 1 %}\n  {% assign q = 1 %}\n{% endcase %}]"),
    ("whitespace_capture_keeps", "{% capture c %}\n  x \n{% endcapture %}[{{ c }}]"),
    ("whitespace_raw_trim", "a {%- raw -%} {{ b }} {%- endraw -%} c"),
    (
        "nested_loops_break",
        "{% for a in (1..3) %}{% for b in (1..3) %}{% if b == 2 %}{% break %}{% endif %}{{ a }}{{ b }} {% endfor %}{% endfor %}",
    ),
    (
        "for_offset_continue",
        "{% for x in numbers limit: 1 %}{{ x }}{% endfor %}|{% for x in numbers offset: continue %}{{ x }}{% endfor %}",
    ),
    ("for_limit_negative", "{% for x in numbers limit: -1 %}{{ x }}{% else %}none{% endfor %}"),
    ("for_offset_beyond", "{% for x in numbers offset: 10 %}{{ x }}{% else %}none{% endfor %}"),
    ("for_limit_string", "{% for x in numbers limit: '2' %}{{ x }}{% endfor %}"),
    ("for_limit_junk", "{% for x in numbers limit: word %}{{ x }}{% endfor %}"),
    ("deep_nesting", "{% if true %}" * 40 + "x" + "{% endif %}" * 40),
    ("too_deep_nesting", "{% if true %}" * 101 + "x" + "{% endif %}" * 101),
    ("assign_dotted_name", "{% assign a.b = 1 %}{{ a.b }}|{{ a }}"),
    ("increment_then_print_global", "{% increment one %}{{ one }}"),
    ("cycle_with_variables", "{% for i in (1..3) %}{% cycle word, one %}{% endfor %}"),
    (
        "ifchanged_nested",
        "{% for x in (1..4) %}{% ifchanged %}{% if x > 2 %}b{% else %}a{% endif %}{% endifchanged %}{% endfor %}",
    ),
    (
        "tablerow_limit_offset",
        "{% tablerow x in numbers cols: 2 limit: 2 offset: 1 %}{{ tablerowloop.col }}{{ x }}{% endtablerow %}",
    ),
    ("tablerow_string", "{% tablerow c in word %}{{ c }}{% endtablerow %}"),
    ("forloop_outside", "[{{ forloop.index }}]"),
    (
        "variable_named_like_literal",
        "{% assign nil = 5 %}{{ nil }}|{% assign blank = 1 %}{{ blank }}",
    ),
    ("bracket_string_key", "{{ hash['a'] }}{{ hash[\"b\"][0] }}"),
    ("bracket_variable_name", "{% assign k = 'word' %}{{ [k] }}"),
    ("size_of_hash_with_size_key", "{{ size_hash.size }}"),
    # found by the fuzzer (tests/liquid/fuzz.py), each reduced to its smallest form
    ("fuzz_range_bound_true", "{{(true..6)}}"),
    ("fuzz_for_range_bound_true_lax", "{% for x in ( true..5 ) %}a{% else %}b{% endfor %}"),
    ("fuzz_cycle_drops_nil", "{%cycle nil,1%}|{%for i in (1..3)%}{%cycle 'a',nil,'b'%}{%endfor%}"),
    ("fuzz_cycle_group_shorter", "{%cycle x:'e','h'%}{%cycle x:'z'%}{%cycle x:'z'%}"),
    (
        "fuzz_property_float_and_range",
        "{{ 5 | map: 1.5 }}|{{ word | where: 2.5 }}|{{ words | map: (0..1) | join: ',' }}",
    ),
    (
        "fuzz_property_on_integers",
        "{{ 5 | map: (-1..2) }}|{{ 12 | map: (2..1) }}|{{ big_int | map: (-2..4) }}",
    ),
    ("fuzz_split_needs_a_pattern", "{{ word | split }}"),
    ("fuzz_slice_false_length", "{{ word | slice: 0, false }}"),
    ("fuzz_round_digits_beyond_int", "{{ 1.5 | round: 2345677890 }}"),
    (
        "fuzz_round_many_digits",
        "{{ 1.5 | round: 300 }}|{{ 5 | round: -10000000 }}|{{ 1.5 | round: -10000000 }}",
    ),
    ("fuzz_slice_beyond_long", "{{ 'abc' | slice: 1, 9223372036854775808 }}"),
    ("fuzz_index_beyond_long", "{{ numbers[big_int] }}"),
    (
        "fuzz_empty_range_is_not_empty",
        "{{ (1..0) | default: 'd' }}|{% if (1..0) == blank %}B{% endif %}{% if (1..0) == empty %}E{% endif %}",
    ),
    (
        "fuzz_sort_natural_nil_order",
        "{{ records | sort_natural: 'missing' | map: 'name' | join: ',' }}",
    ),
    (
        "fuzz_binary_size_and_case",
        "{{ 'w6k=' | base64_decode | size }}|{{ 'w6k=' | base64_decode | upcase }}",
    ),
    ("fuzz_binary_meets_utf8", "{{ 'w6k=' | base64_decode | append: 'é' }}"),
    ("fuzz_binary_where", "{{ 'w6k=' | base64_decode | where: 'é' }}"),
    ("fuzz_binary_then_text", "{{ 'w6k=' | base64_decode }}é"),
    ("fuzz_second_else_in_for", "{% if true %}{% for i in nil %}{% else %}a{% else %}b{% endif %}"),
    ("fuzz_percent_brace_in_output", "{{%}}{{}}"),
    ("fuzz_nan_at_most", "{{ 'x' | divided_by: -0.0 | at_most: 'abc' }}"),
    ("fuzz_nan_modulo_zero", "{{ 0 | divided_by: -0.0 | modulo: 0 }}"),
    ("fuzz_render_markup_anywhere", '{%render\' "Hello"%}x'),
    ("fuzz_include_markup_unclosed", '{% for x in 5 %}{% include "He%}llo" %}{% endfor %}y'),
    ("fuzz_raw_end_with_dash_is_text", "{%raw%}a{%- endraw%}b{% endraw %}c"),
    ("nested_braces_in_string", "{{ '{{ x }}' }}"),
    ("unterminated_string", "{{ 'abc }}"),
    ("comparison_string_int", "{% if word < 1 %}y{% else %}n{% endif %}"),
    ("comparison_nil_int", "{% if nil < 1 %}y{% else %}n{% endif %}"),
    ("comparison_int_float", "{% if 1 == 1.0 %}y{% endif %}{% if 1 < 1.5 %}l{% endif %}"),
    ("comparison_strings", "{% if 'a' < 'b' %}y{% endif %}{% if 'B' < 'a' %}u{% endif %}"),
    (
        "comparison_arrays",
        "{% if numbers == numbers %}y{% endif %}{% if empty_array == empty %}e{% endif %}",
    ),
    ("not_operator", "{% if not true %}y{% else %}n{% endif %}"),
    ("parenthesised_condition", "{% if (true and false) or true %}y{% else %}n{% endif %}"),
    ("filter_on_literal", "{{ 'abc' | size }} {{ 3 | plus: 4 }} {{ 'x' | append: 'y' | upcase }}"),
    ("filter_chain_math", "{{ 10 | minus: 3 | times: 2 | divided_by: 4 | modulo: 3 }}"),
    (
        "integer_division_negative",
        "{{ -7 | divided_by: 2 }} {{ 7 | divided_by: -2 }} {{ -7 | modulo: 2 }}",
    ),
    ("float_times", "{{ 0.1 | times: 3 }} {{ 1.1 | plus: 2.2 }} {{ 3 | times: 1.0 }}"),
    (
        "round_half_away",
        "{{ 0.5 | round }} {{ 1.5 | round }} {{ 2.5 | round }} {{ -0.5 | round }} {{ -1.5 | round }} {{ 2.675 | round: 2 }}",
    ),
    ("ceil_floor_strings", "{{ '3.2' | ceil }} {{ '-3.2' | floor }} {{ 'x' | ceil }}"),
    ("abs_strings", "{{ '-5' | abs }} {{ '-5.5' | abs }} {{ 'x' | abs }}"),
    (
        "plus_strings",
        "{{ '1' | plus: '2' }} {{ '1.5' | plus: 1 }} {{ 'a' | plus: 1 }} {{ nil | plus: 1 }}",
    ),
    (
        "divided_by_float_zero",
        "{{ 1.0 | divided_by: 0 }} {{ -1 | divided_by: 0.0 }} {{ 0 | divided_by: 0.0 }}",
    ),
    ("modulo_float", "{{ 7.5 | modulo: 2 }} {{ -7.5 | modulo: 2 }}"),
    (
        "split_edge",
        "{{ 'a b  c' | split: ' ' | join: '|' }} {{ ' a b ' | split: ' ' | size }} {{ 'abc' | split: 'x' | size }}",
    ),
    ("split_nil", "{{ nil | split: ',' | size }}"),
    ("join_nested", "{{ nested_array | join: '-' }}"),
    ("map_nested", "{{ records | map: 'name' | join: ',' }}"),
    ("map_on_hash", "{{ hash | map: 'a' }}"),
    ("where_truthy", "{{ records | where: 'ok' | map: 'name' | join: ',' }}"),
    ("sort_mixed_fails", "{{ mixed | sort | join: ',' }}"),
    ("sort_nils", "{{ words | sort | join: ',' }}|{{ words | sort_natural | join: ',' }}"),
    ("sort_property_nils", "{{ records | sort: 'n' | map: 'name' | join: ',' }}"),
    ("truncate_unicode", "{{ emoji | truncate: 4 }}|{{ combining | truncate: 3, '' }}"),
    (
        "truncatewords_whitespace",
        "{{ '  one   two three ' | truncatewords: 2 }}|{{ 'one\ntwo three' | truncatewords: 1 }}",
    ),
    ("escape_once_mixed", "{{ escaped | escape_once }}"),
    (
        "strip_html_quirks",
        "{{ html | strip_html }}|{{ '<a href=\"x>y\">t</a>' | strip_html }}|{{ 'a < b > c' | strip_html }}",
    ),
    ("newline_to_br_crlf", "{{ lines | newline_to_br }}"),
    (
        "url_encode_unicode",
        "{{ accent | url_encode }} {{ 'a b&c=d/e' | url_encode }} {{ 5 | url_encode }}",
    ),
    ("url_decode_plus", "{{ 'a+b%20c' | url_decode }}"),
    ("capitalize_unicode", "{{ accent | capitalize }} {{ 'hELLO wORLD' | capitalize }}"),
    ("upcase_unicode", "{{ accent | upcase }} {{ 'straße' | upcase }} {{ 'İ' | downcase }}"),
    (
        "slice_unicode",
        "{{ emoji | slice: 0 }}|{{ emoji | slice: 0, 3 }}|{{ combining | slice: 1 }}",
    ),
    ("slice_array", "{{ numbers | slice: 1, 2 | join: ',' }}|{{ numbers | slice: -1 }}"),
    ("size_unicode", "{{ emoji | size }} {{ combining | size }}"),
    ("reverse_string", "{{ word | reverse }}|{{ word | split: '' | reverse | join: '' }}"),
    ("first_last_string", "{{ word | first }}|{{ word | last }}"),
    ("append_nil", "{{ nil | append: 'x' }}{{ 'x' | append: nil }}"),
    (
        "default_cases",
        "{{ nil | default: 'a' }}{{ false | default: 'b' }}{{ '' | default: 'c' }}{{ empty_array | default: 'd' }}{{ 0 | default: 'e' }}{{ '  ' | default: 'f' }}{{ empty_hash | default: 'g' }}",
    ),
    ("default_allow_false", "{{ false | default: 'x', allow_false: true }}"),
    ("at_least_strings", "{{ '3' | at_least: 5 }} {{ 'x' | at_least: 1 }}"),
    ("concat_nil", "{{ numbers | concat: nil | join: ',' }}"),
    ("uniq_mixed", "{{ mixed | uniq | size }}"),
    ("compact_nested", "{{ nested_array | compact | size }}"),
    ("base64_roundtrip", "{{ emoji | base64_encode | base64_decode }}"),
    ("base64_invalid", "{{ 'not base64!' | base64_decode }}"),
    ("date_chain", "{{ 'now' | date: '%s' | plus: 86400 | date: '%Y-%m-%d' }}"),
    ("date_today", "{{ 'today' | date: '%Y-%m-%d %H:%M' }}"),
    ("date_assign_now", "{% assign t = 'now' | date: '%s' %}{{ t | minus: 3600 | date: '%H:%M' }}"),
    ("date_number_string", "{{ '1614000000' | date: '%F' }} {{ 1614000000 | date: '%F' }}"),
    ("date_nil_format", "{{ iso_date | date: nil }}|{{ iso_date | date }}"),
    ("date_int_format", "{{ iso_date | date: 5 }}"),
    ("escape_nil", "[{{ nil | escape }}][{{ 5 | escape }}]"),
    ("strip_newlines", "{{ lines | strip_newlines }}"),
    ("replace_nil", "{{ word | replace: nil, 'x' }}|{{ word | replace: 'a', nil }}"),
    ("remove_numbers", "{{ 1123 | remove: 1 }}"),
    ("string_comparison_case", "{% if 'ABC' == 'abc' %}y{% else %}n{% endif %}"),
    ("integer_string_equality", "{% if 1 == '1' %}y{% else %}n{% endif %}"),
    ("float_string_equality", "{% if zero_string == 0 %}y{% else %}n{% endif %}"),
    (
        "bool_equality",
        "{% if true == 1 %}y{% else %}n{% endif %}{% if false == nil %}y{% else %}n{% endif %}",
    ),
    ("size_comparison", "{% if words.size > 2 %}y{% endif %}{% if nil.size == 0 %}z{% endif %}"),
    ("render_tag", "{% render 'missing' %}"),
    ("include_tag", "{% include 'missing' %}"),
    ("break_outside", "a{% break %}b"),
    ("deep_dot_on_string", "{{ word.upcase }}|{{ word.length }}"),
    ("hash_first", "{{ hash.first }}|{{ hash.first[0] }}"),
    ("square_bracket_var", "{% assign k = 'a' %}{{ hash[k] }}"),
    ("dash_names", "{% assign my-var = 1 %}{{ my-var }}"),
    ("question_names", "{% assign ok? = true %}{{ ok? }}"),
]


OPERANDS = [
    "nil",
    "false",
    "true",
    "zero",
    "one",
    "float",
    "big_int",
    "empty",
    "spaces",
    "zero_string",
    "word",
    "empty_array",
    "numbers",
    "empty_hash",
    "hash",
    "'abc'",
    "1",
    "1.0",
    "blank",
    "empty",
    "nil",
]
OPERATORS = ["==", "!=", "<>", "<", ">", "<=", ">=", "contains"]


def _filter_cases() -> Iterator[Case]:
    for name, value in VALUES.items():
        for filters in UNARY_FILTERS + ARGUMENT_FILTERS:
            yield Case(
                f"filter/{filters}/{name}",
                f"{{{{ v | {filters} }}}}",
                {"v": value, "numbers": VALUES["numbers"], "word": VALUES["word"]},
            )


def _date_cases() -> Iterator[Case]:
    for (name, value), fmt in itertools.product(DATES.items(), DATE_FORMATS):
        yield Case(f"date/{fmt}/{name}", "{{ d | date: f }}", {"d": value, "f": fmt})


def _truthiness_cases() -> Iterator[Case]:
    for name, value in VALUES.items():
        yield Case(
            f"truth/{name}",
            "{% if v %}T{% else %}F{% endif %}{% unless v %}u{% endunless %}"
            "{% if v == blank %}B{% endif %}{% if v != blank %}b{% endif %}"
            "{% if v == empty %}E{% endif %}{% if v != empty %}e{% endif %}"
            "{% if v == nil %}N{% endif %}{% if v == true %}1{% endif %}{% if v == false %}0{% endif %}"
            "{% case v %}{% when blank %}cb{% when empty %}ce{% else %}cx{% endcase %}",
            {"v": value},
        )
        yield Case(f"print/{name}", "[{{ v }}]", {"v": value})


def _operator_cases() -> Iterator[Case]:
    context = {name: VALUES[name] for name in OPERANDS if name in VALUES}
    seen: set[str] = set()
    for left, right in itertools.product(OPERANDS, repeat=2):
        for op in OPERATORS:
            template = f"{{% if {left} {op} {right} %}}T{{% else %}}F{{% endif %}}"
            if template in seen:
                continue
            seen.add(template)
            yield Case(f"op/{left} {op} {right}", template, context)


def _tag_cases() -> Iterator[Case]:
    for name, template in TAGS:
        yield Case(f"tag/{name}", template, {**VALUES, **DATES})


def cases() -> list[Case]:
    """The whole corpus, in a fixed order, with unique ids."""
    everything = [
        *_tag_cases(),
        *_truthiness_cases(),
        *_filter_cases(),
        *_date_cases(),
        *_operator_cases(),
    ]
    ids = [case.id for case in everything]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return everything
