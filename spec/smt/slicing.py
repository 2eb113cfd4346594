"""Slicing a comparison to the statements that can matter (the "encode only what the pair needs" of issue 4).

For the question "does NEW allow a request that OLD does not?", a witness request is allowed by NEW, so some Allow
of NEW applies to it; and either no Allow of OLD applies (then that Allow of NEW is not also in OLD), or a Deny of
OLD applies that is not in NEW. So the witness's action matches one of the Action lists of NEW's Allows that OLD
lacks or of OLD's Denies that NEW lacks. A statement whose Action list cannot match any of those actions never
applies to a witness, and leaving it out changes neither the answer nor any witness (which is replayed on the
whole policies anyway).
"""

from __future__ import annotations

from spec.policy import Policy, Statement

Shape = tuple


def shape(s: Statement) -> Shape:
    """A statement without its position and Sid, its lists as sets and its conditions as a set: the order of
    values, of conditions and of statements does not matter (invariants ``order_and_duplicates_irrelevant`` and
    ``conditions_are_conjunctive``; Action, Resource and condition values are OR-ed)."""
    clauses = frozenset((c.operator, c.qualifier, c.if_exists, c.key, frozenset(c.values)) for c in s.conditions)
    resources = None if s.resources is None else frozenset(s.resources)
    return (s.effect, frozenset(s.actions), s.not_action, resources, s.not_resource, clauses, s.principal,
            s.not_principal)


def _head(p: str) -> str:
    cut = min((i for i in (p.find("*"), p.find("?")) if i >= 0), default=len(p))
    return p[:cut]


def _tail(p: str) -> str:
    cut = max(p.rfind("*"), p.rfind("?"))
    return p[cut + 1:]


def may_overlap(p: str, q: str) -> bool:
    """Some string matches both globs (a sound test: False only when no string does)."""
    hp, hq = _head(p), _head(q)
    if not (hp.startswith(hq) or hq.startswith(hp)):
        return False
    tp, tq = _tail(p), _tail(q)
    if not (tp.endswith(tq) or tq.endswith(tp)):
        return False
    if p == hp and q == hq:  # both literal
        return p == q
    return True


class _Universe:
    """The action patterns a witness can match, indexed by service prefix for a quick overlap test."""

    def __init__(self, statements: list[Statement]) -> None:
        self.everything = any(s.not_action for s in statements)
        self.by_service: dict[str, list[str]] = {}
        self.wild: list[str] = []
        for s in statements:
            for p in s.actions:
                service = p.partition(":")[0]
                (self.wild if "*" in service or "?" in service else self.by_service.setdefault(service, [])).append(p)
        self.literal = {p for ps in self.by_service.values() for p in ps if "*" not in p and "?" not in p}

    def overlaps(self, stmt: Statement) -> bool:
        if self.everything or stmt.not_action:
            return True
        for a in stmt.actions:
            service = a.partition(":")[0]
            if "*" in service or "?" in service:
                pool = [p for ps in self.by_service.values() for p in ps] + self.wild
            elif "*" not in a and "?" not in a and a in self.literal:
                return True
            else:
                pool = self.by_service.get(service, []) + self.wild
            if any(may_overlap(a, b) for b in pool):
                return True
        return False


def slice_for(gainer: Policy, loser: Policy) -> tuple[Policy, Policy]:
    """``gainer`` and ``loser`` without the statements that cannot apply to a request ``gainer`` allows and
    ``loser`` does not."""
    g_shapes = {shape(s) for s in gainer.statements}
    l_shapes = {shape(s) for s in loser.statements}
    universe = [s for s in gainer.statements if s.allows and shape(s) not in l_shapes]
    universe += [s for s in loser.statements if not s.allows and shape(s) not in g_shapes]

    index = _Universe(universe)

    def keep(p: Policy) -> Policy:
        stmts = tuple(s for s in p.statements if index.overlaps(s))
        return p if len(stmts) == len(p.statements) else Policy(p.version, stmts, p.kind, p.id)

    return keep(gainer), keep(loser)
