"""Compare two identity policies: equivalent, more, less, incomparable (or unknown), with a replayed witness
request for each direction that differs.

Each document is taken as the only identity policy of one principal, and "granted" means the decision is Allow
(the question Zelkova answers for a policy change: is UNSAT(⟦new⟧ ∧ ¬⟦old⟧)?). Only the keys and characters the two
documents use are encoded; each direction is a fresh solver with a timeout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import z3

from spec.authorize import PolicySet
from spec.errors import IamError
from spec.policy import Policy, PolicyKind, try_parse
from spec.smt import decision
from spec.smt.context import scope_of
from spec.smt.encode import Encoder
from spec.smt.request import SymRequest
from spec.smt.witness import Unrealizable, decision_of, decode_request, replay

TIMEOUT_MS = 1400
RELATIONS = ("equivalent", "more", "less", "incomparable", "unknown")


@dataclass
class Comparison:
    relation: str
    seconds: float
    witnesses: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self, pair_id: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {"id": pair_id, "relation": self.relation, "seconds": round(self.seconds, 4),
                               "witnesses": self.witnesses}
        if self.notes:
            out["notes"] = self.notes
        return out


def _shape(policy: Policy) -> frozenset:
    """The statements without their position and Sid: a policy's meaning does not depend on them (invariant
    ``order_and_duplicates``)."""
    return frozenset((s.effect, s.actions, s.not_action, s.resources, s.not_resource, s.conditions)
                     for s in policy.statements)


def _case(doc: Any, request: dict[str, Any]) -> dict[str, Any]:
    return {"identity_policies": [doc], "request": request}


def differ(constraints: list[z3.BoolRef], granted: z3.BoolRef, denied: z3.BoolRef, timeout_ms: int) -> tuple[str, z3.ModelRef | None]:
    """Is there a request granted by one side and not the other? ``sat`` with its model, ``unsat`` or ``unknown``."""
    solver = z3.Solver()
    solver.set(timeout=timeout_ms)
    solver.add(*constraints)
    solver.add(granted, z3.Not(denied))
    result = solver.check()
    return str(result), (solver.model() if result == z3.sat else None)


def compare_policies(old_doc: Any, new_doc: Any, timeout_ms: int = TIMEOUT_MS) -> Comparison:
    """Compare two identity policy documents (dicts or JSON text); ``IamError`` if either is malformed."""
    start = time.perf_counter()
    old = try_parse(old_doc, PolicyKind.IDENTITY, "old")
    new = try_parse(new_doc, PolicyKind.IDENTITY, "new")
    if _shape(old) == _shape(new):
        return Comparison("equivalent", time.perf_counter() - start)
    req = SymRequest.symbolic(scope_of([old, new]), "q")
    enc = Encoder(req)
    d_old = decision.decision(enc, PolicySet(identity=(old,)))
    d_new = decision.decision(enc, PolicySet(identity=(new,)))
    g_old, g_new = d_old == decision.ALLOW, d_new == decision.ALLOW
    results, witnesses, notes = [], [], []
    constraints = req.finish()
    for granted, denied in ((g_new, g_old), (g_old, g_new)):
        result, model = differ(constraints, granted, denied, timeout_ms)
        if result == "unsat" and req.approximate:
            result, _ = "unknown", notes.append("approximate encoding: no difference found in a narrowed space")
        if model is not None:
            try:
                request = decode_request(req, model)
            except Unrealizable as exc:
                result, _ = "unknown", notes.append(str(exc))
            else:
                want_old, want_new = decision_of(model, d_old), decision_of(model, d_new)
                replay(_case(old_doc, request), want_old)
                replay(_case(new_doc, request), want_new)
                witnesses.append({"request": request, "old": want_old, "new": want_new})
        results.append(result)
    relation = _relation(results[0], results[1])
    return Comparison(relation, time.perf_counter() - start, witnesses, notes)


def _relation(more: str, less: str) -> str:
    """``more``: new grants what old does not (and not the reverse); ``less`` the reverse."""
    if "unknown" in (more, less):
        return "unknown"
    return {("unsat", "unsat"): "equivalent", ("sat", "unsat"): "more", ("unsat", "sat"): "less",
            ("sat", "sat"): "incomparable"}[(more, less)]


def compare_line(line: dict[str, Any], timeout_ms: int = TIMEOUT_MS) -> dict[str, Any]:
    """One line of ``compare --pairs``: ``{"id","old","new"}`` in, ``{"id","relation","seconds","witnesses"}``
    out; a malformed document gives ``{"id","error"}`` and the run goes on."""
    pair_id = line.get("id") if isinstance(line, dict) else None
    start = time.perf_counter()
    try:
        if not isinstance(line, dict) or "old" not in line or "new" not in line:
            raise IamError("ValidationError", 'a pair must be {"id", "old", "new"}')
        return compare_policies(line["old"], line["new"], timeout_ms).as_json(pair_id)
    except IamError as err:
        return {"id": pair_id, "error": err.as_json(), "seconds": round(time.perf_counter() - start, 4)}
