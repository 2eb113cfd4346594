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
from spec.smt.slicing import shape, slice_for
from spec.smt.who import representatives
from spec.smt.witness import Unrealizable, decision_of, decode_request, replay

TIMEOUT_MS = 4000
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
    """The statements as a set of ``slicing.shape``: a policy's meaning does not depend on order or Sids."""
    return frozenset(shape(s) for s in policy.statements)


FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
HOME = "000000000000"  # the resource's account in a resource-policy comparison (a caller never has it)


def _case(doc: Any, request: dict[str, Any], resource: bool = False) -> dict[str, Any]:
    if not resource:
        return {"identity_policies": [doc], "request": request}
    case: dict[str, Any] = {"resource_policy": doc, "request": request}
    from spec.callers import CallerKind, parse_caller

    if parse_caller(request.get("principal")).kind not in (CallerKind.SERVICE, CallerKind.ANONYMOUS,
                                                            CallerKind.PROVIDER, CallerKind.ROOT):
        case["identity_policies"] = [FULL]
    return case


def differ(constraints: list[z3.BoolRef], granted: z3.BoolRef, denied: z3.BoolRef, timeout_ms: int,
           ) -> tuple[str, z3.ModelRef | None]:
    """Is there a request granted by one side and not the other? ``sat`` with its model, ``unsat`` or ``unknown``."""
    solver = z3.Solver()
    solver.set(timeout=max(1, timeout_ms))
    solver.add(*constraints)
    solver.add(granted, z3.Not(denied))
    result = solver.check()
    return str(result), (solver.model() if result == z3.sat else None)


@dataclass
class _Query:
    """Both policies encoded over one symbolic request (some context keys possibly fixed)."""

    req: SymRequest
    d_old: z3.ArithRef
    d_new: z3.ArithRef
    constraints: list[z3.BoolRef]


def _encode(old: Policy, new: Policy, fixed: dict[str, Any] | None = None, abstract: bool = False) -> _Query:
    """Identity policies: the only policy of a principal (no caller stated). Resource policies: the only policy of
    a resource in account ``HOME``, asked by any caller of another account whose own identity policy allows
    everything (so the resource policy alone decides), or by a service, a provider or an anonymous caller."""
    resource = old.kind is PolicyKind.RESOURCE
    callers = representatives([old, new], frozenset({HOME})) if resource else None
    req = SymRequest.symbolic(scope_of([old, new]), "q", ... if resource else None,
                              resource_account=HOME if resource else None, fixed_context=fixed, callers=callers)
    enc = Encoder(req, abstract)
    if resource:
        full = try_parse(FULL, PolicyKind.IDENTITY, "identity")
        sets = (PolicySet(identity=(full,), resource=old), PolicySet(identity=(full,), resource=new))
        req.constraints.append(z3.Not(req.caller.root))
    else:
        sets = (PolicySet(identity=(old,)), PolicySet(identity=(new,)))
    d_old, d_new = decision.decision(enc, sets[0]), decision.decision(enc, sets[1])
    return _Query(req, d_old, d_new, req.finish())


def _string_bound(q: _Query) -> bool:
    """The query reasons about strings (a policy variable, a case-insensitive match): slower for the solver."""
    return q.req.resource.as_string or any(v.sv.as_string and v.symbolic for k in q.req.keys.values()
                                          for v in k.values())


def _direction(old: Policy, new: Policy, full: _Query, forward: bool, timeout_ms: int,
               ) -> tuple[str, _Query, z3.ModelRef | None]:
    """One direction (new grants what old does not, or the reverse). A query that reasons about strings is first
    tried briefly; if that does not settle it, the same question is asked with the policy variables' keys fixed
    (absent, then one value): a difference found there is a real one (the narrowed requests are requests), so only
    its absence falls back to the full query for the rest of the time."""
    def ask(q: _Query, ms: int) -> tuple[str, z3.ModelRef | None]:
        g_old, g_new = q.d_old == decision.ALLOW, q.d_new == decision.ALLOW
        return differ(q.constraints, g_new, g_old, ms) if forward else differ(q.constraints, g_old, g_new, ms)

    start = time.perf_counter()
    if not _string_bound(full) and not full.req.approximate:
        result, model = ask(full, timeout_ms)
        return result, full, model
    result, model = ask(full, timeout_ms // 5)
    if result == "sat" or (result == "unsat" and not full.req.approximate):
        return result, full, model
    variables = sorted(k for k, use in scope_of([old, new]).keys.items() if use.variable)
    for value in (None, "iamspec"):
        narrowed = _encode(old, new, {k: value for k in variables})
        if _string_bound(narrowed):
            continue
        got, model = ask(narrowed, timeout_ms // 5)
        if got == "sat":
            return got, narrowed, model
    # Every test that needs strings left as a free Boolean (the same test in both policies, the same Boolean): more
    # requests than real ones, so "no difference" there is "no difference" for real.
    abstract = _encode(old, new, abstract=True)
    if not _string_bound(abstract) and not abstract.req.approximate and ask(abstract, timeout_ms // 5)[0] == "unsat":
        return "unsat", abstract, None
    if result == "unsat":  # only in a narrowed space: say so
        return result, full, None
    left = timeout_ms - int((time.perf_counter() - start) * 1000)
    result, model = ask(full, left)
    return result, full, model


def compare_policies(old_doc: Any, new_doc: Any, timeout_ms: int = TIMEOUT_MS, kind: str = "identity",
                     ) -> Comparison:
    """Compare two policy documents (dicts or JSON text) as identity policies (``kind="identity"``) or as
    resource-based policies (``"resource"``); ``IamError`` if either is malformed."""
    start = time.perf_counter()
    pk = PolicyKind.RESOURCE if kind == "resource" else PolicyKind.IDENTITY
    old = try_parse(old_doc, pk, "old")
    new = try_parse(new_doc, pk, "new")
    if _shape(old) == _shape(new):
        return Comparison("equivalent", time.perf_counter() - start)
    results, witnesses, notes = [], [], []
    for forward in (True, False):
        gainer, loser = slice_for(new, old) if forward else slice_for(old, new)
        o, n = (loser, gainer) if forward else (gainer, loser)
        if not any(s.allows for s in (gainer.statements)):
            results.append("unsat")  # nothing of the gainer can apply to a witness
            continue
        result, q, model = _direction(o, n, _encode(o, n), forward, timeout_ms)
        if result == "unsat" and q.req.approximate:
            result = "unknown"
            notes.append("approximate encoding: no difference found in a narrowed space")
        if model is not None:
            try:
                request = decode_request(q.req, model)
            except Unrealizable as exc:
                result = "unknown"
                notes.append(str(exc))
            else:
                want_old, want_new = decision_of(model, q.d_old), decision_of(model, q.d_new)
                replay(_case(old_doc, request, pk is PolicyKind.RESOURCE), want_old)
                replay(_case(new_doc, request, pk is PolicyKind.RESOURCE), want_new)
                witnesses.append({"request": request, "old": want_old, "new": want_new})
        results.append(result)
    return Comparison(_relation(results[0], results[1]), time.perf_counter() - start, witnesses, notes)


def _relation(more: str, less: str) -> str:
    """``more``: new grants what old does not (and not the reverse); ``less`` the reverse."""
    if "unknown" in (more, less):
        return "unknown"
    return {("unsat", "unsat"): "equivalent", ("sat", "unsat"): "more", ("unsat", "sat"): "less",
            ("sat", "sat"): "incomparable"}[(more, less)]


def compare_line(line: dict[str, Any], timeout_ms: int = TIMEOUT_MS, kind: str = "identity") -> dict[str, Any]:
    """One line of ``compare --pairs``: ``{"id","old","new"}`` in, ``{"id","relation","seconds","witnesses"}``
    out; a malformed document gives ``{"id","error"}`` and the run goes on."""
    pair_id = line.get("id") if isinstance(line, dict) else None
    start = time.perf_counter()
    try:
        if not isinstance(line, dict) or "old" not in line or "new" not in line:
            raise IamError("ValidationError", 'a pair must be {"id", "old", "new"}')
        return compare_policies(line["old"], line["new"], timeout_ms, kind).as_json(pair_id)
    except IamError as err:
        return {"id": pair_id, "error": err.as_json(), "seconds": round(time.perf_counter() - start, 4)}
