"""IAM wildcards as Z3 regular expressions, and the alphabets of symbolic strings.

Mirrors ``spec.patterns`` (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html): ``*`` is any sequence,
``?`` any one character, every other character literal, matched over the whole string. Regular expressions are built
once per pattern and cached.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import z3

from spec.smt import atoms

STR = z3.StringSort()
RE = z3.ReSort(STR)
ANY_CHAR = z3.AllChar(RE)
ANY = z3.Star(ANY_CHAR)

Piece = tuple["str | z3.SeqRef", bool]  # (text, is_pattern); symbolic text is always literal


MAX_CHAR = 0x2FFFF  # Z3's unicode alphabet
_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}")


def sval(text: str) -> z3.SeqRef:
    """A Z3 string constant holding exactly ``text`` (``z3.StringVal`` would read a literal ``\\u{41}`` as ``A``).
    Characters beyond Z3's alphabet (U+2FFFF) cannot be represented: ``ValueError``."""
    out = []
    for ch in text:
        code = ord(ch)
        if code > MAX_CHAR:
            raise ValueError(f"character U+{code:X} is outside the solver's alphabet")
        out.append(ch if 32 <= code < 127 and ch != "\\" else f"\\u{{{code:x}}}")
    return z3.SeqRef(z3.Z3_mk_string(z3.main_ctx().ref(), "".join(out)), z3.main_ctx())


def text_of(value: z3.ExprRef) -> str:
    """The Python string of a Z3 string value from a model."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value.as_string())


def _literal(text: str) -> z3.ReRef:
    return z3.Re(sval(text))


def glob_pieces(pieces: Sequence[Piece]) -> z3.ReRef:
    """The regular expression of an IAM glob given as pieces ``(text, is_pattern)``: in a pattern piece ``*`` is
    any sequence and ``?`` any character; a literal piece (a resolved policy variable, or ``${*}``) matches itself.
    A symbolic piece (a context value) is literal and makes the expression non-ground."""
    parts: list[z3.ReRef] = []
    for text, is_pattern in pieces:
        if not isinstance(text, str):
            parts.append(z3.Re(text))
            continue
        if not is_pattern:
            if text:
                parts.append(_literal(text))
            continue
        run = []
        for ch in text:
            if ch in "*?":
                if run:
                    parts.append(_literal("".join(run)))
                    run = []
                parts.append(ANY if ch == "*" else ANY_CHAR)
            else:
                run.append(ch)
        if run:
            parts.append(_literal("".join(run)))
    if not parts:
        return z3.Re(sval(""))
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


@lru_cache(maxsize=65536)
def glob(pattern: str) -> z3.ReRef:
    """Rule *wildcards* (``spec.patterns.compile_glob``) as a Z3 regular expression, cached."""
    return glob_pieces(((pattern, True),))


def glob_member(s: z3.SeqRef, pattern: str) -> z3.BoolRef:
    """``s`` matches the glob ``pattern``."""
    return patterns_member(s, (atoms.glob(pattern),))


def _token_re(t: str) -> z3.ReRef:
    return {atoms.STAR: ANY, atoms.QMARK: ANY_CHAR, atoms.NSTAR: NO_COLON, atoms.NQMARK: NOT_COLON}[t]


@lru_cache(maxsize=65536)
def pattern_re(p: atoms.Pattern) -> z3.ReRef:
    """A token pattern (``spec.smt.atoms``) as a Z3 regular expression."""
    parts: list[z3.ReRef] = []
    run: list[str] = []
    for t in p:
        if t in atoms.WILD:
            if run:
                parts.append(_literal("".join(run)))
                run = []
            parts.append(_token_re(t))
        else:
            run.append(t)
    if run:
        parts.append(_literal("".join(run)))
    if not parts:
        return z3.Re(sval(""))
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def pattern_member(s: z3.SeqRef, p: atoms.Pattern) -> z3.BoolRef:
    """``s`` matches ``p``: an equality for a literal, a prefix test for ``text*``, ``True`` for ``*``, else a
    regular-expression membership."""
    if p == (atoms.STAR,):
        return z3.BoolVal(True)
    if atoms.is_literal(p):
        return s == sval(atoms.text(p))
    if p[-1] == atoms.STAR and atoms.is_literal(p[:-1]):
        return z3.PrefixOf(sval(atoms.text(p[:-1])), s)
    return z3.InRe(s, pattern_re(p))


def patterns_member(s: z3.SeqRef, patterns: Sequence[atoms.Pattern]) -> z3.BoolRef:
    """``s`` matches one of ``patterns``."""
    terms = [pattern_member(s, p) for p in atoms.minimal(patterns)]
    if not terms:
        return z3.BoolVal(False)
    return terms[0] if len(terms) == 1 else z3.Or(*terms)


# --------------------------------------------------------------------------------------------------------------
# Alphabets
# --------------------------------------------------------------------------------------------------------------

def _ranges(pairs: Sequence[tuple[int, int]]) -> z3.ReRef:
    items = [z3.Range(chr(a), chr(b)) if a != b else _literal(chr(a)) for a, b in pairs]
    return items[0] if len(items) == 1 else z3.Union(*items)


# Printable ASCII without upper-case letters and without ``:``, ``*`` and ``?``.
_ACTION_ASCII = ((0x20, 0x29), (0x2B, 0x39), (0x3B, 0x3E), (0x40, 0x40), (0x5B, 0x7E))


def action_alphabet(extra: frozenset[str] = frozenset()) -> z3.ReRef:
    """The characters of a symbolic action (the lower-cased action of the request).

    Rule *action case* ("The prefix and the action name are case insensitive") is encoded by matching the
    lower-cased action against lower-cased patterns (policy.py lower-cases them). The symbolic action ranges over
    printable ASCII without upper-case letters (so it is its own lower case and decodes to a valid request), plus
    the non-ASCII characters that occur in the patterns (``extra``). This loses no request: a character that occurs
    in no pattern is matched only by ``*`` and ``?``, so it can be swapped for any other such character, and the
    alphabet keeps many of those.
    """
    pairs = list(_ACTION_ASCII)
    pairs += [(ord(c), ord(c)) for c in sorted(extra) if ord(c) > 0x7E and c.lower() == c]
    return _ranges(pairs)


@lru_cache(maxsize=256)
def action_shape(extra: frozenset[str] = frozenset()) -> z3.ReRef:
    """Rule *request action*: ``service:ActionName``, one colon, no wildcard (``spec.request.make_request``)."""
    word = z3.Plus(action_alphabet(extra))
    return z3.Concat(word, _literal(":"), word)


NOT_COLON = z3.Intersect(ANY_CHAR, z3.Complement(_literal(":")))
NO_COLON = z3.Star(NOT_COLON)
NOT_SLASH = z3.Intersect(ANY_CHAR, z3.Complement(_literal("/")))
DIGIT = z3.Range("0", "9")
ACCOUNT_ID = z3.Loop(DIGIT, 12, 12)


@lru_cache(maxsize=1)
def _upper_of() -> dict[str, tuple[str, ...]]:
    """For each character, the other characters whose ``str.lower()`` is that one character."""
    out: dict[str, list[str]] = {}
    for code in range(MAX_CHAR + 1):
        ch = chr(code)
        low = ch.lower()
        if low != ch and len(low) == 1:
            out.setdefault(low, []).append(ch)
    return {k: tuple(v) for k, v in out.items()}


_DOTTED_I = "i\u0307"  # "\u0130".lower(): the one character whose lower case is two characters


@lru_cache(maxsize=16384)
def ignore_case(folded: str) -> z3.ReRef:
    """The strings ``x`` with ``x.lower() == folded`` (rule *StringEqualsIgnoreCase*: both sides lower-cased)."""
    def one(ch: str) -> z3.ReRef:
        options = [c for c in (ch, *_upper_of().get(ch, ())) if c.lower() == ch]
        if not options:
            return z3.Empty(RE)
        return _literal(options[0]) if len(options) == 1 else z3.Union(*[_literal(c) for c in options])

    tail: z3.ReRef = z3.Re(sval(""))
    n = len(folded)
    suffixes: list[z3.ReRef] = [tail] * (n + 2)
    for j in range(n - 1, -1, -1):
        here = z3.Concat(one(folded[j]), suffixes[j + 1])
        if folded[j:j + 2] == _DOTTED_I:
            here = z3.Union(here, z3.Concat(_literal("\u0130"), suffixes[j + 2]))
        suffixes[j] = here
    return suffixes[0]


def case_variants(folded: str, limit: int = 256) -> list[str] | None:
    """Every string whose ``str.lower()`` is ``folded``, when there are at most ``limit`` (else None)."""
    if "\u0307" in folded:
        return None
    options = [[c for c in (ch, *_upper_of().get(ch, ())) if c.lower() == ch] for ch in folded]
    total = 1
    for opt in options:
        total *= len(opt)
        if total > limit:
            return None
    out = [""]
    for opt in options:
        out = [prefix + c for prefix in out for c in opt]
    return out


_CHAR = z3.Const("c", z3.CharSort())
_ASCII_LOWER = z3.Lambda([_CHAR], z3.If(z3.And(_CHAR.to_int() >= 65, _CHAR.to_int() <= 90),
                                        z3.CharFromBv(z3.Int2BV(_CHAR.to_int() + 32, 18)), _CHAR))


def ascii_lower(s: z3.SeqRef) -> z3.SeqRef:
    """``s`` with ASCII upper-case letters lowered: an approximation of ``str.lower()`` for symbolic text."""
    return z3.SeqMap(_ASCII_LOWER, s)
