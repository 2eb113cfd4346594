"""Questions about concrete policies, answered by the solver with witnesses replayed through the model:
check-no-new-access, always-allows, always-denies, is-public (``compare`` is in ``spec.smt.compare``,
who-can-assume in ``spec.smt.assume``).

A question is a decision case whose request is partly left free: the policies are fixed, and the request's parts
that the question does not fix (action, resource, caller, resource account, context keys) range over every value.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import z3

from spec.case import parse_case
from spec.errors import IamError
from spec.smt import atoms, decision
from spec.smt.compare import TIMEOUT_MS, compare_policies
from spec.smt.concrete import policies_of
from spec.smt.context import scope_of
from spec.smt.encode import Encoder
from spec.smt.request import SymRequest
from spec.smt.who import representatives
from spec.smt.witness import Unrealizable, decision_of, decode_request, replay

YES, NO, UNKNOWN = "yes", "no", "unknown"
_PLACEHOLDER = {"action": "iamspec:Placeholder", "resource": "*"}


def _placeholder(template: dict[str, Any]) -> dict[str, Any]:
    """A request to read the policies with: the template's action and resource when they are plain (so that a
    role's trust policy is read as one)."""
    out = dict(_PLACEHOLDER)
    for part in ("action", "resource"):
        value = template.get(part)
        if isinstance(value, str) and atoms.is_literal(atoms.glob(value)):
            out[part] = value
    return out


@dataclass
class Answer:
    """``yes``/``no``/``unknown``; a ``no`` comes with a replayed counterexample request."""

    answer: str
    seconds: float
    counterexample: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"answer": self.answer, "seconds": round(self.seconds, 4)}
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
        if self.notes:
            out["notes"] = self.notes
        return out


def check_no_new_access(old: Any, new: Any, timeout_ms: int = TIMEOUT_MS) -> dict[str, Any]:
    """Does the new identity policy grant nothing the old one does not? ``ok`` with the witnesses of any new
    access (Zelkova's "check-no-new-access")."""
    cmp = compare_policies(old, new, timeout_ms)
    ok = cmp.relation in ("equivalent", "less")
    return {"ok": ok if cmp.relation != "unknown" else None, "relation": cmp.relation,
            "seconds": round(cmp.seconds, 4),
            "new_access": [w for w in cmp.witnesses if w["new"] == "Allow" and w["old"] != "Allow"]}


def _free_request(case: dict[str, Any], template: dict[str, Any], scope, policies: list,
                  ) -> tuple[SymRequest, list[z3.BoolRef]]:
    """The symbolic request of a template: ``action``/``resource`` fixed or given as globs, ``principal``
    fixed, ``"*"`` for any caller or absent for none, ``resource_account`` likewise, ``context`` keys fixed."""
    principal = template.get("principal")
    caller: Any = ... if principal == "*" else principal
    ra = template.get("resource_account")
    fixed = {k.lower(): (tuple(v) if isinstance(v, list) else v) for k, v in (template.get("context") or {}).items()}
    callers = representatives(policies) if caller is ... else None
    req = SymRequest.symbolic(scope, "q", caller, resource_account=... if ra == "*" else ra, fixed_context=fixed,
                              callers=callers)
    extra: list[z3.BoolRef] = []
    for part, var in (("action", req.action), ("resource", req.resource)):
        if template.get(part) is not None:
            text = template[part].lower() if part == "action" else template[part]
            extra.append(var.member((atoms.glob(text),)))
    if caller is ...:
        c = req.caller
        extra.append(c.valid)
        if any(case.get(k) for k in ("identity_policies", "group_policies", "permission_boundary", "session_policy")):
            # spec.case refuses policies of one's own for the root user, services, providers and anonymous callers
            extra.append(z3.Not(z3.Or(c.root, c.outside)))
    return req, extra


def ask(case: dict[str, Any], template: dict[str, Any], want_allow: bool, timeout_ms: int = TIMEOUT_MS) -> Answer:
    """Is every request of ``template`` allowed (``want_allow``) or denied (not) under the case's policies?"""
    start = time.perf_counter()
    base = {k: v for k, v in case.items() if k not in ("request", "expected", "id")}
    parsed = parse_case({**base, "request": _placeholder(template)})
    ps = parsed.policies
    req, extra = _free_request(base, template, scope_of(policies_of(ps)), policies_of(ps))
    term = decision.decision(Encoder(req), ps)
    solver = z3.Solver()
    solver.set(timeout=timeout_ms)
    solver.add(*req.finish(), *extra)
    solver.add(term != decision.ALLOW if want_allow else term == decision.ALLOW)
    result = solver.check()
    seconds = time.perf_counter() - start
    if result == z3.unsat:
        if req.approximate:
            return Answer(UNKNOWN, seconds, notes=["approximate encoding: no counterexample in a narrowed space"])
        return Answer(YES, seconds)
    if result != z3.sat:
        return Answer(UNKNOWN, seconds, notes=[solver.reason_unknown()])
    model = solver.model()
    try:
        request = decode_request(req, model)
    except Unrealizable as exc:
        return Answer(UNKNOWN, seconds, notes=[str(exc)])
    got = decision_of(model, term)
    replay({**base, "request": request}, got)
    return Answer(NO, time.perf_counter() - start, {"request": request, "decision": got})


def always_allows(case: dict[str, Any], template: dict[str, Any] | None = None, **kw: Any) -> Answer:
    return ask(case, template or {}, True, **kw)


def always_denies(case: dict[str, Any], template: dict[str, Any] | None = None, **kw: Any) -> Answer:
    return ask(case, template or {}, False, **kw)


# ---- is-public -----------------------------------------------------------------------------------------------

OUTSIDER_ACCOUNT = "999999999999"
# Keys that describe the caller: for an outsider they are absent or take the outsider's own values.
_CALLER_KEYS = ("aws:principalorgid", "aws:principalorgpaths", "aws:sourceaccount", "aws:sourcearn",
                "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceorgid", "aws:sourceorgpaths",
                "aws:principalservicename", "aws:principalservicenameslist", "aws:calledvia", "aws:vpcsourceip")
FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def is_public(policy: Any, owner: str = "111122223333", timeout_ms: int = TIMEOUT_MS) -> dict[str, Any]:
    """Can someone outside the accounts the resource policy names get an Allow? The outsiders tried are an
    anonymous caller and a user of an account the policy never mentions (whose own identity policy allows
    everything); keys that describe the caller (organization, source account/ARN/VPC, ...) are absent for them,
    ``aws:PrincipalAccount``/``aws:PrincipalArn`` are theirs, every other key is free. ``public`` with the replayed
    request, or not, or unknown."""
    text = str(policy)
    account = OUTSIDER_ACCOUNT
    while account in text or account == owner:
        account = str(int(account) - 1).zfill(12)
    user = f"arn:aws:iam::{account}:user/outsider"
    fixed: dict[str, Any] = {k: None for k in _CALLER_KEYS}
    outsiders = [
        ("anonymous", {"resource_policy": policy}, {"principal": "anonymous", "context": fixed}),
        ("another account", {"resource_policy": policy, "identity_policies": [FULL]},
         {"principal": user, "resource_account": owner,
          "context": {**fixed, "aws:principalaccount": account, "aws:principalarn": user,
                      "aws:username": "outsider"}}),
    ]
    start = time.perf_counter()
    notes = []
    for label, case, template in outsiders:
        try:
            answer = ask(case, template, False, timeout_ms)
        except IamError as err:
            return {"public": None, "error": err.as_json()}
        if answer.answer == NO:
            return {"public": True, "who": label, "seconds": round(time.perf_counter() - start, 4),
                    "witness": answer.counterexample}
        if answer.answer == UNKNOWN:
            notes += answer.notes
    return {"public": None if notes else False, "seconds": round(time.perf_counter() - start, 4),
            **({"notes": notes} if notes else {})}
