"""Cheap choices for the generators, made with Hypothesis's ``draw`` function.

``draw(st.sampled_from(<a fresh list>))``, ``draw(st.integers(a, b))`` and ``draw(some_composite(args))`` make
Hypothesis build (or look up in its strategy cache) and validate a strategy object on every call; in the case and
scenario generators that was most of the cost of a draw. These helpers draw through a few strategies built once: an
integer in a range (cached per range) and a boolean. What is drawn is the same as with the strategies they replace,
and so is the direction of shrinking: an index shrinks toward 0 (the first option, as with ``sampled_from``), a
count toward its minimum, a boolean toward False.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TypeVar

from hypothesis import strategies as st

T = TypeVar("T")
_BOOLEANS = st.booleans()


@cache
def _integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


def between(draw: st.DrawFn, lo: int, hi: int) -> int:
    """An integer in ``[lo, hi]`` (as ``st.integers(lo, hi)``)."""
    return lo if lo == hi else draw(_integers(lo, hi))


def pick(draw: st.DrawFn, seq: Sequence[T]) -> T:
    """One element of ``seq`` (as ``st.sampled_from(seq)``; one element is returned without a draw, as there)."""
    return seq[0] if len(seq) == 1 else seq[draw(_integers(0, len(seq) - 1))]


def flip(draw: st.DrawFn) -> bool:
    """A boolean (as ``st.booleans()``)."""
    return draw(_BOOLEANS)


def picks(draw: st.DrawFn, seq: Sequence[T], min_size: int = 0, max_size: int | None = None) -> list[T]:
    """Distinct elements of ``seq`` (by position), in the order drawn: ``min_size`` to ``max_size`` of them, as
    ``st.lists(st.sampled_from(seq), unique=True)`` or ``st.sets`` (the size is uniform in its range)."""
    rest = list(seq)
    top = len(rest) if max_size is None else min(max_size, len(rest))
    return [rest.pop(between(draw, 0, len(rest) - 1)) for _ in range(between(draw, min(min_size, top), top))]
