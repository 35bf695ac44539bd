"""How fast the emulator renders Braze's Liquid, beside Ruby Liquid and python-liquid.

Renders a few templates (the default webhook body, the same with filters and a conditional, and
a loop) for many users and reports the median time per render, measured side by side in one
run: the emulator's engine in this process, Ruby Liquid 5.4 timing its own renders inside one
`ruby` process (when Debian's ruby-liquid is installed), and python-liquid (when installed).

    python benchmarks/liquid_render.py [--renders 20000] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import time
from typing import Any

from seen_braze_harness.mocks.braze.liquid import compile_template

TEMPLATES = {
    "webhook body": (
        '[{"first_name":"{{${first_name}}}","last_name":"{{${last_name}}}",'
        '"email":"{{${email_address}}}","customer_id":"{{${braze_id}}}"}]'
    ),
    "filters and if": (
        '[{"first_name":"{{${first_name} | default: \'there\' | escape}}",'
        '"city":"{{${city} | upcase | truncate: 20}}",'
        '"vip":{% if custom_attribute.${points} > 100 %}true{% else %}false{% endif %},'
        "\"day\":\"{{ 'now' | date: '%Y-%m-%d' }}\"}]"
    ),
    "loop": (
        "{% for pet in custom_attribute.${pets} %}{{ forloop.index }}. {{ pet | capitalize }}"
        "{% unless forloop.last %}, {% endunless %}{% endfor %}"
    ),
}

USER = {
    "external_id": "user-1",
    "braze_id": "5f1a2b3c4d5e6f7a8b9c0d1e",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "home_city": "London",
    "points": 250,
    "pets": ["cat", "dog", "parrot", "tortoise"],
}

RUBY = r"""
require "json"; require "active_support"; require "active_support/core_ext"; require "liquid"
spec = JSON.parse($stdin.read)
out = {}
spec["templates"].each do |name, source|
  template = Liquid::Template.parse(source)
  n = spec["renders"]
  samples = []
  5.times do
    t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    n.times { template.render!(spec["context"]) }
    samples << (Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0) / n
  end
  out[name] = samples.sort[2]
end
puts JSON.generate(out)
"""


def ours(renders: int) -> dict[str, float]:
    results = {}
    for name, source in TEMPLATES.items():
        template = compile_template(source)
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(renders):
                template.render(USER, now=1_700_000_000)
            samples.append((time.perf_counter() - start) / renders)
        results[name] = statistics.median(samples)
    return results


def plain(source: str) -> tuple[str, dict[str, Any]]:
    return compile_template(source).as_plain_liquid(USER)


def ruby(renders: int) -> dict[str, float] | None:
    if shutil.which("ruby") is None:
        return None
    plains = {name: plain(source) for name, source in TEMPLATES.items()}
    context: dict[str, Any] = {}
    for _, data in plains.values():
        context.update(data)
    spec = {
        "templates": {name: source for name, (source, _) in plains.items()},
        "context": context,
        "renders": renders,
    }
    done = subprocess.run(
        ["ruby", "-e", RUBY], input=json.dumps(spec), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return None
    timings: dict[str, float] = json.loads(done.stdout)
    return timings


def python_liquid(renders: int) -> dict[str, float] | None:
    try:
        import liquid  # type: ignore[import-not-found]
    except ImportError:
        return None
    results = {}
    for name, source in TEMPLATES.items():
        text, data = plain(source)
        template = liquid.Template(text)
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(renders):
                template.render(**data)
            samples.append((time.perf_counter() - start) / renders)
        results[name] = statistics.median(samples)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {
        "renders": args.renders,
        "emulator": ours(args.renders),
        "ruby_liquid": ruby(args.renders),
        "python_liquid": python_liquid(args.renders),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"median time per render, {args.renders:,} renders x 5 (microseconds)")
    print(f"{'template':<16} {'emulator':>9} {'Ruby Liquid':>12} {'python-liquid':>14}")
    for name in TEMPLATES:
        cells = [report["emulator"][name] * 1e6]
        for other in ("ruby_liquid", "python_liquid"):
            found = report[other]
            cells.append(found[name] * 1e6 if found else float("nan"))
        print(f"{name:<16} {cells[0]:>9.1f} {cells[1]:>12.1f} {cells[2]:>14.1f}")


if __name__ == "__main__":
    main()
