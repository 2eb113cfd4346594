"""Proving the named invariants: the negation of each is handed to a fresh solver with a timeout, and the answer is
PROVED (unsatisfiable), REFUTED (with a decoded counterexample) or UNKNOWN (never shown as proved)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import z3

from spec.smt import clause_invariants, invariants, role_invariants, transitions
from spec.smt.decision import NAMES
from spec.smt.invariants import Claim

PROVED, REFUTED, UNKNOWN = "PROVED", "REFUTED", "UNKNOWN"
TIMEOUT_MS = 10000


@dataclass
class Result:
    name: str
    statement: str
    status: str
    seconds: float
    counterexample: dict[str, Any] | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "statement": self.statement, "status": self.status,
                               "seconds": round(self.seconds, 3)}
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
        return out


# The order in which the invariants over symbolic worlds are listed (they are defined in two modules: ``invariants``
# and ``role_invariants``); the statement and condition invariants, then the identity-state ones, follow.
ORDER = ("explicit_deny_wins", "default_deny", "boundary_never_grants", "scps_never_grant", "rcps_never_grant",
         "session_policy_never_grants", "boundary_caps_identity_grants", "session_within_role",
         "assume_role_requires_trust", "only_users_and_roles_assume_roles", "cross_account_needs_both",
         "federated_session_needs_session_policy", "organization_policies_filter", "session_within_its_role",
         "trust_naming_user_keeps_boundary", "root_cross_account_needs_grant", "key_policy_must_grant")


def registry() -> dict[str, Callable[[], Claim]]:
    """Every named invariant: authorization (``invariants``, ``role_invariants``, ``clause_invariants``) in the order
    of ``ORDER`` first, then identity state (``transitions``)."""
    assert clause_invariants.REGISTRY is invariants.REGISTRY  # their invariants register there
    assert role_invariants.invariant is invariants.invariant
    rank = {name: i for i, name in enumerate(ORDER)}
    named = sorted(invariants.REGISTRY.items(), key=lambda item: rank.get(item[0], len(ORDER)))  # stable
    return {**dict(named), **transitions.REGISTRY}


def _value(model: z3.ModelRef, term: z3.ExprRef) -> Any:
    v = model.eval(term, model_completion=True)
    if z3.is_true(v) or z3.is_false(v):
        return z3.is_true(v)
    if z3.is_int_value(v):
        return v.as_long()
    return str(v)


def decode(claim: Claim, model: z3.ModelRef) -> dict[str, Any]:
    """A counterexample as named values, and for a world its decision case replayed through the model."""
    out: dict[str, Any] = {k: _value(model, t) for k, t in claim.show.items()}
    if claim.world is not None:
        from spec.smt.counterexample import world_case

        out["decision"] = NAMES[_value(model, claim.world.decision())]
        out["case"] = world_case(claim.world, model)
    return out


def prove(name: str, timeout_ms: int = TIMEOUT_MS) -> Result:
    """Prove one invariant by the unsatisfiability of its negation."""
    fn = registry()[name]
    start = time.perf_counter()
    claim = fn()
    solver = z3.Solver()
    solver.set(timeout=timeout_ms)
    solver.add(*claim.constraints)
    solver.add(z3.Not(claim.holds))
    result = solver.check()
    seconds = time.perf_counter() - start
    statement = invariants.statement_of(fn)
    if result == z3.unsat:
        return Result(name, statement, PROVED, seconds)
    if result == z3.sat:
        try:
            example = decode(claim, solver.model())
        except Exception as exc:  # noqa: BLE001 - a refutation stands even when its case cannot be rebuilt
            example = {"error": f"{type(exc).__name__}: {exc}"}
        return Result(name, statement, REFUTED, time.perf_counter() - start, example)
    return Result(name, statement, UNKNOWN, seconds, notes=[solver.reason_unknown()])


def prove_all(timeout_ms: int = TIMEOUT_MS, names: list[str] | None = None) -> list[Result]:
    return [prove(n, timeout_ms) for n in (names or list(registry()))]
