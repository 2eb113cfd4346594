"""Patterns as tokens: IAM globs and ArnLike patterns in one form, with matching, containment and minimisation.

A pattern is a tuple of tokens: a character, ``STAR``/``QMARK`` (IAM's ``*`` and ``?``:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html) or ``NSTAR``/``NQMARK``
(the same inside one colon-separated part of an ARN, for ``ArnLike``:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

STAR, QMARK, NSTAR, NQMARK = "*all", "?all", "*part", "?part"
WILD = (STAR, QMARK, NSTAR, NQMARK)
Pattern = tuple[str, ...]


@lru_cache(maxsize=65536)
def glob(text: str) -> Pattern:
    """An IAM glob (``*`` any sequence, ``?`` any character) as tokens."""
    return tuple(STAR if ch == "*" else QMARK if ch == "?" else ch for ch in text)


def literal(text: str) -> Pattern:
    return tuple(text)


@lru_cache(maxsize=65536)
def arn_like(text: str) -> Pattern | None:
    """Rule *ArnLike* (``spec.patterns.compile_arn_like``): six colon-separated parts, each a glob within its part
    (the last keeps its colons); ``*`` alone is any value; fewer than six parts match nothing (None)."""
    if text == "*":
        return (STAR,)
    parts = text.split(":", 5)
    if len(parts) != 6:
        return None
    out: list[str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(":")
        inner = i < 5
        out += [(NSTAR if inner else STAR) if ch == "*" else (NQMARK if inner else QMARK) if ch == "?" else ch
                for ch in part]
    return tuple(out)


def is_literal(p: Pattern) -> bool:
    return not any(t in WILD for t in p)


def text(p: Pattern) -> str:
    return "".join(p)


def _token_regex(t: str) -> str:
    return {STAR: ".*", QMARK: ".", NSTAR: "[^:]*", NQMARK: "[^:]"}.get(t) or re.escape(t)


@lru_cache(maxsize=65536)
def list_matcher(patterns: tuple[Pattern, ...]) -> re.Pattern[str]:
    """One Python expression for "matches one of the patterns" (whole string)."""
    return re.compile("|".join(f"(?:{''.join(_token_regex(t) for t in p)})" for p in patterns) or "(?!)",
                      re.DOTALL)


def _absorbs(q: str, t: str) -> bool:
    """Token ``q`` (a ``*``) can absorb token ``t`` of the covered pattern."""
    return q == STAR or (t != ":" and t not in (STAR, QMARK))


def _one(q: str, t: str) -> bool:
    """Token ``q`` (not a ``*``) matches every string token ``t`` matches (one character)."""
    if q == QMARK:
        return t not in (STAR, NSTAR)
    if q == NQMARK:
        return t == NQMARK or (len(t) == 1 and t != ":")
    return q == t


@lru_cache(maxsize=262144)
def covers(q: Pattern, p: Pattern) -> bool:
    """Every string matching ``p`` matches ``q`` (a sufficient test, token by token)."""
    @cache
    def go(i: int, j: int) -> bool:
        if j == len(q):
            return i == len(p)
        if q[j] in (STAR, NSTAR):
            return go(i, j + 1) or (i < len(p) and _absorbs(q[j], p[i]) and go(i + 1, j))
        if i == len(p) or p[i] in (STAR, NSTAR):
            return False
        return _one(q[j], p[i]) and go(i + 1, j + 1)
    return go(0, 0)


def _head(p: Pattern) -> Pattern:
    """The literal tokens before the first wildcard; a pattern can cover ``p`` only if its head starts ``p``'s."""
    for i, t in enumerate(p):
        if t in WILD:
            return p[:i]
    return p


def minimal(patterns: Sequence[Pattern]) -> tuple[Pattern, ...]:
    """The patterns of a list that no other pattern of it covers (the list matches the same strings)."""
    uniq = set(patterns)
    wild = sorted((p for p in uniq if not is_literal(p)), key=lambda s: (len(s), s))
    by_head: dict[Pattern, list[Pattern]] = {}
    kept_wild: list[Pattern] = []
    for p in wild:
        head = _head(p)
        if any(covers(q, p) for k in range(len(head) + 1) for q in by_head.get(head[:k], ())):
            continue
        kept_wild.append(p)
        by_head.setdefault(head, []).append(p)
    kept = set(kept_wild)
    for p in reversed(kept_wild):  # a longer pattern may cover a shorter one ("*a*" covers "a?")
        head = _head(p)
        if any(q != p and q in kept and covers(q, p) for k in range(len(head) + 1) for q in by_head.get(head[:k], ())):
            kept.discard(p)
    matcher = list_matcher(tuple(sorted(kept))) if kept else None
    literals = {p for p in uniq if is_literal(p) and (matcher is None or matcher.fullmatch(text(p)) is None)}
    return tuple(sorted(kept | literals))
