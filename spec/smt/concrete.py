"""The encoding evaluated on one concrete request: the decision the Z3 formulas give, for comparing with the model
(DESIGN principle 3: the encoding is checked against the model, not trusted)."""

from __future__ import annotations

from typing import Any

import z3

from spec.authorize import PolicySet
from spec.case import parse_case
from spec.policy import Policy
from spec.request import Request
from spec.smt import decision
from spec.smt.context import scope_of
from spec.smt.encode import Encoder
from spec.smt.request import SymRequest


def policies_of(ps: PolicySet) -> list[Policy]:
    """Every policy of a set."""
    out = list(ps.identity) + list(ps.group)
    out += [p for p in (ps.boundary, ps.session, ps.resource) if p is not None]
    for levels in (ps.scps or ()), (ps.rcps or ()):
        for level in levels:
            out += list(level)
    return out + list(ps.vpce or ())


def decide(request: Request, ps: PolicySet) -> str:
    """``Allow`` | ``ImplicitDeny`` | ``ExplicitDeny`` by the encoding: the decision term over the constant
    request, simplified (or, if it does not fold, solved under the request's constraints)."""
    req = SymRequest.of(request, scope_of(policies_of(ps)))
    term = decision.decision(Encoder(req), ps)
    constraints = req.finish()
    folded = z3.simplify(term)
    if z3.is_int_value(folded):
        return decision.NAMES[folded.as_long()]
    solver = z3.Solver()
    solver.add(*constraints)
    if solver.check() != z3.sat:
        raise AssertionError(f"the constant request has no model: {request}")
    return decision.NAMES[solver.model().eval(term, model_completion=True).as_long()]


def decide_case(case: Any) -> str:
    """The encoding's decision for a decision case (``IamError`` if the model refuses the case)."""
    parsed = parse_case(case)
    return decide(parsed.request, parsed.policies)
