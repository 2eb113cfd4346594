"""Patterns with policy variables (``spec.variables``) as tokens: the pattern every resolution of a template is an
instance of, and ArnLike over resolved pieces (``spec.patterns.compile_arn_like_pieces``)."""

from __future__ import annotations

from spec.smt import atoms, strings
from spec.variables import Escaped, Template


def star_tokens(template: Template, wildcards: bool) -> atoms.Pattern:
    """The template with ``*`` for each variable: a pattern that every resolution of it is an instance of (text
    parts are globs when ``wildcards``, else literal)."""
    out: list[str] = []
    for part in template.parts:
        if isinstance(part, str):
            out += atoms.glob(part) if wildcards else atoms.literal(part)
        elif isinstance(part, Escaped):
            out.append(part.char)
        else:
            out.append(atoms.STAR)
    return tuple(out)


def arn_tokens(pieces: list[strings.Piece]) -> atoms.Pattern | None:
    """``spec.patterns.compile_arn_like_pieces`` on known pieces: split at every colon into at most six parts
    (the last keeps its colons), literal pieces literal; ``*`` alone is any value; fewer parts match nothing."""
    if pieces == [("*", True)]:
        return (atoms.STAR,)
    parts: list[list[tuple[str, bool]]] = [[]]
    for text, is_pattern in pieces:
        for i, chunk in enumerate(text.split(":")):
            if i and len(parts) < 6:
                parts.append([])
            elif i:
                parts[-1].append((":", False))
            if chunk:
                parts[-1].append((chunk, is_pattern))
    if len(parts) != 6:
        return None
    out: list[str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(":")
        for text, is_pattern in part:
            if not is_pattern:
                out += list(text)
            elif i < 5:
                out += [atoms.NSTAR if c == "*" else atoms.NQMARK if c == "?" else c for c in text]
            else:
                out += list(atoms.glob(text))
    return tuple(out)
