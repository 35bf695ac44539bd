"""`Array#sort { |a, b| ... }` exactly as Ruby 3.1.2 on Debian x86_64 (glibc 2.36) sorts.

Liquid's `sort` and `sort_natural` filters sort with a comparison block, so which of two equal
elements comes first, what an inconsistent comparator (Liquid's `nil` versus `nil` is 1 both
ways round) produces, and which pair of incompatible values raises first all depend on the
algorithm behind `Array#sort`. Python's `sorted()` is a different algorithm (Timsort) and
orders those cases differently, so the engine sorts with `ruby_sort` instead.

Which algorithm that is: `rb_ary_sort_bang` (array.c) calls `ruby_qsort`, and Ruby's
include/ruby/util.h has `#ifdef HAVE_GNU_QSORT_R / # define ruby_qsort qsort_r`; its configure
finds glibc's qsort_r to be the GNU one ("checking whether qsort_r is GNU version... yes"), and
util.c then compiles its own quicksort (the "mmkubo" qs6) only `#if !defined HAVE_GNU_QSORT_R`.
Debian's libruby-3.1.so.3.1 indeed imports `qsort_r@GLIBC_2.8` and has no `ruby_qsort` symbol.
glibc 2.36's `qsort_r` (`__qsort_r` in stdlib/msort.c) is Mike Haertel's top-down merge sort,
`msort_with_tmp`, which this module follows. (glibc falls back to its `_quicksort` only when the
temporary buffer would exceed a quarter of physical memory, i.e. for arrays of hundreds of
millions of elements, or when malloc fails; neither happens to a Liquid template's array.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

__all__ = ["ruby_sort"]


def ruby_sort(items: Sequence[T], compare: Callable[[T, T], int]) -> list[T]:
    """`items.sort { |a, b| compare(a, b) }`: the same order, from the same calls to `compare`.

    `compare` is called with the same pairs, in the same order, as Ruby calls the block, so
    an exception it raises surfaces at the same pair as in Ruby; it propagates unchanged and
    `items` is never modified (Ruby, too, sorts a copy). Like Ruby's `rb_cmpint`, only the sign
    of what `compare` returns matters. Ties keep their input order (the sort is stable).
    """
    return _msort_with_tmp(list(items), compare)


def _msort_with_tmp(run: list[T], compare: Callable[[T, T], int]) -> list[T]:
    """glibc's `msort_with_tmp`: sort the first n/2 elements, then the rest, then merge.

    The merge takes from the left run while `compare(left, right) <= 0` and from the right run
    otherwise, and stops comparing as soon as either run is used up.
    """
    n = len(run)
    if n <= 1:
        return run
    n1 = n // 2
    left = _msort_with_tmp(run[:n1], compare)
    right = _msort_with_tmp(run[n1:], compare)
    merged: list[T] = []
    i = j = 0
    while i < n1 and j < n - n1:
        if compare(left[i], right[j]) <= 0:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            j += 1
    merged.extend(left[i:])
    merged.extend(right[j:])
    return merged
