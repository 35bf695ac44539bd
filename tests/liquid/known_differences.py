"""The one reviewed list of deliberate differences between the emulator's Liquid and Ruby's.

Every differential test (the corpus in each error mode, the date filter, Braze's documented
examples, the fuzzer) skips the cases named here and fails when a named case stops differing,
so the list never goes stale. Each entry is a case id and the reason the emulator renders it
otherwise on purpose. The goal, for plain Liquid, is that it stays empty; what is Braze's and
not Shopify's (Braze's filters and tags, `[0]` on a nested object, Canvas context times) is
checked against Braze's documentation instead, in test_braze_doc_examples.py.
"""

from __future__ import annotations

KNOWN_DIFFERENCES: dict[str, str] = {}
"""Case id -> why the emulator renders it differently from Ruby Liquid on purpose."""
