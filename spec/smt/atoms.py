"""Atoms of a string variable: the finitely many ways a string can fall in or out of a set of pattern lists.

An action, a resource or a context value matters to a query only through which pattern lists it matches (the
Action list of each statement, the values of each condition, ...). So instead of a Z3 string, the query can take
one integer "atom" per variable, and each list becomes the set of atoms that match it; the solver then needs no
string reasoning for that variable. Atoms are computed here, exactly:

- a pattern is a tuple of tokens: a character, ``STAR``/``QMARK`` (IAM's ``*`` and ``?``) or ``NSTAR``/``NQMARK``
  (the same inside one colon-separated part of an ARN, for ``ArnLike``);
- every literal pattern is a point: its vector is read off by matching it against the lists;
- every other string is classified by a breadth-first walk of the product of the pattern automata with the shape of
  the variable (``service:name`` for actions, non-empty for resources, any text for context values), over the
  characters the patterns name plus one character that no pattern names. A string that uses that character is no
  literal pattern, so it stands for its whole region.

Atoms with the same vector are merged; each keeps one representative string, which is what a witness decodes to.
When the walk would be too large, or a region is seen only through literal strings, the caller falls back to Z3
strings (``None``).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from spec.smt.tokens import (
    NQMARK,
    NSTAR,
    QMARK,
    STAR,
    WILD,
    Pattern,
    arn_like,
    covers,
    glob,
    is_literal,
    list_matcher,
    literal,
    minimal,
    text,
)

__all__ = ["NQMARK", "NSTAR", "QMARK", "STAR", "WILD", "Atoms", "Pattern", "arn_like", "compute", "covers", "glob",
           "is_literal", "list_matcher", "literal", "minimal", "text", "valid"]

MAX_STATES = 500000
MAX_SECONDS = 5.0  # the walk gives up (and the caller falls back to Z3 strings) after this long
_ACTION_FRESH = "etaoinshrdlucmfwypvbgkjqxz0123456789-_.@#%&+=!,;<>[]{}|~^`'\"/()$"
_ANY_FRESH = "xqzjkvbwymfgpucldrhsnioate0123456789-_./"


@dataclass(frozen=True)
class Atoms:
    """``vectors[i][k]``: atom ``i`` matches list ``k``; ``examples[i]`` a string of atom ``i``."""

    vectors: tuple[tuple[bool, ...], ...]
    examples: tuple[str, ...]


def _action_char_ok(ch: str) -> bool:
    """Characters of a symbolic action: printable ASCII without upper case, ``:``, ``*``, ``?`` (see
    ``strings.action_alphabet``), or a non-ASCII character that is its own lower case."""
    if ord(ch) > 0x7E:
        return ch.lower() == ch
    return ord(ch) >= 0x20 and ch not in ":*?" and not ("A" <= ch <= "Z")


def _shape_step(kind: str, state: int, ch: str) -> int | None:
    """The shape automaton: actions ``[a]+ ":" [a]+`` (states 0-3, 3 accepts); resources non-empty (0-1);
    context values any text (0)."""
    if kind == "text":
        return 0
    if kind != "action":
        return 1
    if ch == ":":
        return 2 if state == 1 else None
    if not _action_char_ok(ch):
        return None
    return {0: 1, 1: 1, 2: 3, 3: 3}[state]


def _shape_accepts(kind: str, state: int) -> bool:
    return state == 3 if kind == "action" else state == 1 if kind == "any" else True


def valid(kind: str, s: str) -> bool:
    if kind == "text":
        return True
    if kind != "action":
        return bool(s)
    service, sep, name = s.partition(":")
    return bool(sep and service and name) and all(_action_char_ok(c) for c in service + name)


def _fresh(kind: str, used: set[str]) -> str:
    for ch in _ACTION_FRESH if kind == "action" else _ANY_FRESH:
        if ch not in used:
            return ch
    raise ValueError("no free character")


def compute(lists: Sequence[tuple[Pattern, ...]], kind: str) -> Atoms | None:
    """The atoms of a string of shape ``kind`` (``"action"``, ``"any"`` or ``"text"``) over ``lists`` of patterns,
    or None when the walk is too large (cached: the two directions of a comparison, and consecutive versions of a
    policy, ask for the same atoms)."""
    return _compute(tuple(tuple(lst) for lst in lists), kind)


class _Trie:
    """The wildcard patterns as one automaton sharing their common prefixes: node ``n`` means "the pattern text up
    to ``n`` is matched"; a node entered by a ``*`` token keeps itself on every character (``NSTAR``: every
    character but ``:``); ``accept[n]`` and ``below[n]`` are the lists whose patterns end at ``n`` and end at or
    under ``n``."""

    def __init__(self, patterns: list[Pattern], owner: list[int]) -> None:
        self.children: list[dict[str, int]] = [{}]
        self.loop: list[str | None] = [None]
        self.accept: list[int] = [0]
        for p, mask in zip(patterns, owner, strict=True):
            node = 0
            for tok in p:
                nxt = self.children[node].get(tok)
                if nxt is None:
                    nxt = len(self.children)
                    self.children[node][tok] = nxt
                    self.children.append({})
                    self.loop.append(tok if tok in (STAR, NSTAR) else None)
                    self.accept.append(0)
                node = nxt
            self.accept[node] |= mask
        self.below = list(self.accept)
        for n in range(len(self.children) - 1, -1, -1):  # children have larger ids
            for m in self.children[n].values():
                self.below[n] |= self.below[m]
        self.forever = [self.loop[n] == STAR and self.accept[n] != 0 for n in range(len(self.children))]

    def closure(self, nodes: set[int]) -> frozenset[int]:
        stack = list(nodes)
        while stack:
            n = stack.pop()
            for tok in (STAR, NSTAR):
                m = self.children[n].get(tok)
                if m is not None and m not in nodes:
                    nodes.add(m)
                    stack.append(m)
        return frozenset(nodes)

    def step(self, active: frozenset[int], ch: str) -> frozenset[int]:
        nxt: set[int] = set()
        for n in active:
            loop = self.loop[n]
            if loop == STAR or (loop == NSTAR and ch != ":"):
                nxt.add(n)
            kids = self.children[n]
            for tok in (ch, QMARK):
                m = kids.get(tok)
                if m is not None:
                    nxt.add(m)
            if ch != ":" and NQMARK in kids:
                nxt.add(kids[NQMARK])
        return self.closure(nxt) if nxt else frozenset()

    def relevant(self, active: frozenset[int]) -> set[str]:
        return {tok for n in active for tok in self.children[n] if tok not in WILD}


@lru_cache(maxsize=1024)
def _compute(lists: tuple[tuple[Pattern, ...], ...], kind: str) -> Atoms | None:
    """``compute``, on hashable arguments.

    The walk's state is the shape state, the set of automaton nodes still able to change the vector, whether the
    fresh character was used, and the lists matched for good (a pattern past its final ``*`` matches whatever
    follows). Transitions of the first three are computed once each."""
    lists = tuple(minimal(lst) for lst in lists)
    matchers = [list_matcher(tuple(lst)) for lst in lists]

    def vector(s: str) -> tuple[bool, ...]:
        return tuple(m.fullmatch(s) is not None for m in matchers)

    found: dict[tuple[bool, ...], str] = {}
    literals = {text(p) for lst in lists for p in lst if is_literal(p)}
    for lit in sorted(literals):
        if valid(kind, lit):
            found.setdefault(vector(lit), lit)
    wild = sorted({p for lst in lists for p in lst if not is_literal(p)})
    owner = [sum(1 << k for k, lst in enumerate(lists) if p in lst) for p in wild]
    trie = _Trie(wild, owner)
    used = {tok for p in wild for tok in p if tok not in WILD} | {ch for lit in literals for ch in lit}
    other = _fresh(kind, used)
    n_lists = len(lists)
    steps: dict[tuple, tuple | None] = {}

    def settle(active: frozenset[int], done: int) -> tuple[frozenset[int], int]:
        for n in active:
            if trie.forever[n]:
                done |= trie.accept[n]
        return frozenset(n for n in active if trie.below[n] & ~done), done

    def step(core: tuple, ch: str) -> tuple | None:
        key = (core, ch)
        if key not in steps:
            shape, active, fresh = core
            nshape = _shape_step(kind, shape, ch)
            steps[key] = None if nshape is None else (nshape, trie.step(active, ch), fresh or ch == other)
        return steps[key]

    deadline = time.perf_counter() + MAX_SECONDS
    active0, done0 = settle(trie.closure({0}), 0)
    start = ((0, active0, False), done0)
    seen = {start: ""}
    queue = deque([start])
    literal_only: set[tuple[bool, ...]] = set()
    pending: dict[tuple, tuple[bool, ...]] = {}  # states first reached by a literal pattern, and their vector
    while queue:
        state = queue.popleft()
        here = seen[state]
        core, done = state
        shape, active, fresh = core
        if _shape_accepts(kind, shape):
            mask = done
            for n in active:
                mask |= trie.accept[n]
            vec = tuple(bool(mask >> k & 1) for k in range(n_lists))
            if vec not in found:
                if fresh or here not in literals:
                    found[vec] = here
                else:
                    literal_only.add(vec)
                    pending[state] = vec
        relevant = trie.relevant(active) | {":"}
        if kind == "action":
            relevant = {ch for ch in relevant if ch == ":" or _action_char_ok(ch)}
        for ch in (other, *sorted(relevant)):  # every character outside ``relevant`` acts like ``other`` here
            moved = step(core, ch)
            if moved is None:
                continue
            nactive, ndone = settle(moved[1], done)
            nxt = ((moved[0], nactive, moved[2]), ndone)
            if nxt not in seen:
                if len(seen) >= MAX_STATES or (len(seen) % 2048 == 0 and time.perf_counter() > deadline):
                    return None
                seen[nxt] = here + ch
                queue.append(nxt)
            elif seen[nxt] in literals and here + ch not in literals and nxt in pending:
                found.setdefault(pending[nxt], here + ch)  # another way into a state first reached by a literal
    if literal_only - set(found):
        return None
    vecs = sorted(found)
    return Atoms(tuple(vecs), tuple(found[v] for v in vecs))
