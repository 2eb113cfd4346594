"""The request context over the keys the policies use: for each key a presence mode (absent, one value, a list)
and its values.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html.
A list is bounded: with ``c`` distinct set-qualified clauses (``ForAllValues``/``ForAnyValue``) on a key, lists of at most
``max(1, c)`` values decide every formula a list can decide. Each such clause is ``∀v∈R: M(v)`` or ``∃v∈R: M(v)``,
so a true ``∃`` or a false ``∀`` needs one witness value and the others only constrain all values; keeping one
witness per clause (and one value, so that a non-empty list stays non-empty) keeps every clause's truth. A plain
operator on a list and a policy variable naming a list do not look at the values at all (``spec.conditions``,
``spec.variables``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from spec.policy import Policy
from spec.smt.values import SymValue
from spec.variables import Template, Variable

ABSENT, SINGLE, LIST = 0, 1, 2


@dataclass
class KeyUse:
    """How the policies use one key: its distinct set-qualified clauses, and whether it is a policy variable."""

    set_forms: set = field(default_factory=set)
    variable: bool = False

    @property
    def set_clauses(self) -> int:
        return len(self.set_forms)


@dataclass
class Scope:
    """What a query needs from the request: the keys used and the non-ASCII characters in action patterns."""

    keys: dict[str, KeyUse] = field(default_factory=dict)
    action_chars: set[str] = field(default_factory=set)

    def key(self, name: str) -> KeyUse:
        return self.keys.setdefault(name, KeyUse())


def _template_vars(scope: Scope, template: Template) -> None:
    for part in template.parts:
        if isinstance(part, Variable):
            scope.key(part.key).variable = True


def scope_of(policies: list[Policy]) -> Scope:
    """The keys and characters that ``policies`` use."""
    scope = Scope()
    for policy in policies:
        for stmt in policy.statements:
            for pattern in stmt.actions:
                scope.action_chars.update(ch for ch in pattern if ord(ch) > 0x7E)
            for template in stmt.resources or ():
                _template_vars(scope, template)
            for clause in stmt.conditions:
                use = scope.key(clause.key)
                if clause.qualifier is not None:  # identical clauses are true together: one witness serves all
                    use.set_forms.add((clause.operator, clause.qualifier, clause.if_exists, clause.values))
                if clause.operator.variables:
                    for template in clause.values:
                        _template_vars(scope, template)
    return scope


class SymKey:
    """One context key: ``mode`` (ABSENT, SINGLE, LIST), the single value, and a list of ``n`` values."""

    def __init__(self, name: str, key: str, bound: int, value: str | tuple[str, ...] | None = None,
                 concrete: bool = False) -> None:
        self.key = key
        self.concrete = concrete
        self.constraints: list[z3.BoolRef] = []
        if concrete:
            self.mode = z3.IntVal(ABSENT if value is None else LIST if isinstance(value, tuple) else SINGLE)
            self.single = SymValue(f"{name}.v", value if isinstance(value, str) else "")
            items = value if isinstance(value, tuple) else ()
            self.n = z3.IntVal(len(items))
            self.items = [SymValue(f"{name}.l{i}", t) for i, t in enumerate(items)]
        else:
            self.mode, self.n = z3.Int(f"{name}.mode"), z3.Int(f"{name}.n")
            self.single = SymValue(f"{name}.v")
            self.items = [SymValue(f"{name}.l{i}") for i in range(bound)]
            self.constraints += [self.mode >= ABSENT, self.mode <= LIST, self.n >= 0, self.n <= bound]

    @property
    def is_single(self) -> z3.BoolRef:
        return self.mode == SINGLE

    @property
    def is_list(self) -> z3.BoolRef:
        return self.mode == LIST

    @property
    def is_absent(self) -> z3.BoolRef:
        return self.mode == ABSENT

    @property
    def present(self) -> z3.BoolRef:
        """Rule *missing key*: a key is present when it has a value; an empty list counts as absent
        (``spec.conditions.clause_holds``: ``value is not None and value != ()``)."""
        return z3.Or(self.mode == SINGLE, z3.And(self.mode == LIST, self.n > 0))

    def values(self) -> list[SymValue]:
        return [self.single, *self.items]

    def all_constraints(self) -> list[z3.BoolRef]:
        out = list(self.constraints)
        for v in self.values():
            out += v.finish()
        return out

    @property
    def approximate(self) -> bool:
        return any(v.mixed for v in self.values())
