"""IAM wildcards and matching of actions, resources and ARNs.

Rules (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN):
``*`` matches any sequence of characters, ``?`` any one character, every other character is literal.
Patterns are compiled once and cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

Matcher = Callable[[str], bool]


def _always(_: str) -> bool:
    return True


def glob_regex(parts: Sequence[tuple[str, bool]]) -> str:
    """The regular expression of an IAM glob given as parts ``(text, is_pattern)``.

    In a pattern part ``*`` is ``.*`` and ``?`` is ``.``; a literal part (a resolved policy variable, or
    ``${*}``, ``${?}``, ``${$}``) matches itself only.
    """
    out = []
    for text, is_pattern in parts:
        if not is_pattern:
            out.append(re.escape(text))
            continue
        for ch in text:
            out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return "".join(out)


@lru_cache(maxsize=65536)
def compile_glob(pattern: str, ignore_case: bool = False) -> Matcher:
    """Rule *wildcards*: a whole-string match of ``pattern`` where only ``*`` and ``?`` are special."""
    if pattern == "*":
        return _always
    if "*" not in pattern and "?" not in pattern:
        if ignore_case:
            folded = pattern.lower()
            return lambda s: s.lower() == folded
        return pattern.__eq__
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    regex = re.compile(glob_regex([(pattern, True)]), flags)
    return lambda s: regex.fullmatch(s) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Rule *action case*: "The prefix and the action name are case insensitive"; wildcards ``*`` and ``?``.

    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    return compile_glob(pattern.lower())(action.lower())


def resource_matches(pattern: str, resource: str) -> bool:
    """Rule *resource match*: case-sensitive glob over the whole ARN; ``*`` may cross ``/`` and ``:``.

    The page states that ``/`` is an ordinary character and that a trailing ``*`` in a segment can match beyond
    the colon; iamspec lets every ``*`` cross colons (iam-semantics §2.5 synthesis). Resource matching is
    case-sensitive (iamspec decision, consistent with ArnLike; the page states it for user names).
    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    return compile_glob(pattern)(resource)


def arn_segments(arn: str) -> list[str] | None:
    """The six colon-separated parts of an ARN (the last keeps its own colons), or None when it has fewer."""
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 else None


def _split_pieces(pieces: Sequence[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """Split pattern pieces at colons into at most six ARN parts (the last keeps its colons)."""
    parts: list[list[tuple[str, bool]]] = [[]]
    for text, is_pattern in pieces:
        chunks = text.split(":")
        for i, chunk in enumerate(chunks):
            if i and len(parts) < 6:
                parts.append([])
            elif i:
                parts[-1].append((":", False))
            if chunk:
                parts[-1].append((chunk, is_pattern))
    return parts


@lru_cache(maxsize=16384)
def compile_arn_like_pieces(pieces: tuple[tuple[str, bool], ...]) -> Matcher:
    """Rule *ArnLike/ArnEquals*: "Each of the six colon-delimited components of the ARN is checked separately and
    each can include multi-character match wildcards (*) or single-character match wildcards (?)"; case-sensitive.
    Literal pieces (resolved policy variables, ``${*}``) match themselves only.

    A pattern of fewer than six parts matches only if it is exactly ``*`` (iamspec decision: ``*`` alone means any
    value, as it does everywhere else in IAM).
    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
    """
    if pieces == (("*", True),):
        return _always
    parts = _split_pieces(pieces)
    if len(parts) != 6:
        return lambda _s: False
    regexes = [re.compile(glob_regex(part), re.DOTALL) for part in parts]

    def match(value: str) -> bool:
        vsegs = arn_segments(value)
        return vsegs is not None and all(r.fullmatch(v) is not None for r, v in zip(regexes, vsegs, strict=True))

    return match


def compile_arn_like(pattern: str) -> Matcher:
    """ArnLike with a plain pattern (no policy variables)."""
    return compile_arn_like_pieces(((pattern, True),))


def compile_action_set(patterns: Sequence[str]) -> Matcher:
    """One matcher for an Action list (already lower-cased): true when any pattern matches a lower-cased action.
    Exact names are a set lookup; wildcard patterns share one compiled expression."""
    if "*" in patterns:
        return _always
    exact = frozenset(p for p in patterns if "*" not in p and "?" not in p)
    wild = [p for p in patterns if p not in exact]
    if not wild:
        return exact.__contains__
    regex = re.compile("|".join(f"(?:{glob_regex([(p, True)])})" for p in wild), re.DOTALL)
    if not exact:
        return lambda a: regex.fullmatch(a) is not None
    return lambda a: a in exact or regex.fullmatch(a) is not None
