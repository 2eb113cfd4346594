"""A string of the request (the action, the resource, a context value) as the encoding sees it: the encoder asks
only "does it match one of these patterns?" (``member``) unless it needs the text itself (``text()``: a policy
variable, a case-insensitive comparison, a value read in several ways).

A symbolic string whose every use is ``member`` is solved over atoms (``spec.smt.atoms``): one integer, with each
pattern list the set of atoms that match it. Otherwise it is a Z3 string and each list a string formula. A concrete
string answers ``member`` directly.
"""

from __future__ import annotations

import z3

from spec.smt import atoms, strings
from spec.smt.atoms import Pattern


class StrVar:
    """One string of the request; ``kind`` is ``"action"``, ``"any"`` (non-empty) or ``"text"`` (any)."""

    def __init__(self, name: str, kind: str, fixed: str | None = None, extra: frozenset[str] = frozenset()) -> None:
        self.name, self.kind, self.fixed = name, kind, fixed
        self.s = strings.sval(fixed) if fixed is not None else z3.String(name)
        self.extra = extra
        self.lists: dict[tuple[Pattern, ...], z3.BoolRef] = {}
        self.atom = z3.Int(f"{name}.atom")
        self.atoms: atoms.Atoms | None = None
        self.as_string = fixed is not None

    @property
    def used(self) -> bool:
        return bool(self.lists) or (self.as_string and self.fixed is None)

    def member(self, patterns: tuple[Pattern, ...]) -> z3.BoolRef:
        """The string matches one of ``patterns``."""
        if self.fixed is not None:
            return z3.BoolVal(atoms.list_matcher(patterns).fullmatch(self.fixed) is not None)
        found = self.lists.get(patterns)
        if found is None:
            found = self.lists[patterns] = z3.Bool(f"{self.name}.in[{len(self.lists)}]")
        return found

    def text(self) -> z3.SeqRef:
        """The string as a Z3 string (the variable is then solved as a string)."""
        self.as_string = True
        return self.s

    def finish(self) -> list[z3.BoolRef]:
        """The constraints that give each list its meaning (atoms, or string formulas)."""
        if self.fixed is not None:
            return []
        lists = list(self.lists)
        if not self.as_string:
            self.atoms = atoms.compute(lists, self.kind)
        if self.atoms is not None:
            n = len(self.atoms.vectors)
            out = [self.atom >= 0, self.atom < n]
            for k, lst in enumerate(lists):
                hits = [i for i, vec in enumerate(self.atoms.vectors) if vec[k]]
                out.append(self.lists[lst] == _one_of(self.atom, hits, n))
            return out
        out = [self.lists[lst] == strings.patterns_member(self.s, lst) for lst in lists]
        if self.kind == "action":
            out.append(z3.InRe(self.s, strings.action_shape(self.extra)))
        elif self.kind == "any":
            out.append(z3.Length(self.s) > 0)
        return out

    def decode(self, model: z3.ModelRef) -> str:
        if self.fixed is not None:
            return self.fixed
        if self.atoms is not None:
            return self.atoms.examples[model.eval(self.atom, model_completion=True).as_long()]
        return strings.text_of(model.eval(self.s, model_completion=True))


def _one_of(atom: z3.ArithRef, hits: list[int], n: int) -> z3.BoolRef:
    if not hits:
        return z3.BoolVal(False)
    if len(hits) == n:
        return z3.BoolVal(True)
    if len(hits) * 2 > n:
        missing = set(range(n)) - set(hits)
        return z3.And(*[atom != i for i in sorted(missing)])
    return z3.Or(*[atom == i for i in hits])
