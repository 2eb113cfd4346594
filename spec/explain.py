"""Explanations for a person: the decision, the layer that decided it, and for every statement that names the
requested action whether it applied and, if not, which element or condition failed and why."""

from __future__ import annotations

from dataclasses import dataclass

from spec.authorize import Decision, PolicySet, authorize
from spec.callers import parse_caller
from spec.layers import labelled
from spec.request import Request
from spec.statements import action_applies, why_not


@dataclass(frozen=True)
class StatementNote:
    policy: str
    statement: int
    sid: str | None
    effect: str
    verdict: str  # "applies" or why it does not


@dataclass(frozen=True)
class Explanation:
    decision: Decision
    notes: tuple[StatementNote, ...]


def explain(request: Request, policies: PolicySet) -> Explanation:
    """The decision with a note on every statement whose Action (or NotAction) covers the requested action."""
    caller = parse_caller(request.principal)
    notes = []
    for _kind, label, policy in labelled(policies):
        for stmt in policy.statements:
            if action_applies(stmt, request.action):
                verdict = why_not(stmt, request.action, request.resource, request.context, caller)
                notes.append(StatementNote(label, stmt.index, stmt.sid, stmt.effect, verdict))
    return Explanation(authorize(request, policies), tuple(notes))


def render(expl: Explanation, request: Request) -> str:
    """The explanation as text."""
    d = expl.decision
    lines = [f"{request.principal or '(caller not stated)'} -> {request.action} on {request.resource}",
             f"decision: {d.decision}" + (f"  (decided by: {', '.join(d.by)})" if d.by else ""),
             f"because: {d.reason}", ""]
    if not expl.notes:
        lines.append("no statement in any policy names this action")
    for n in expl.notes:
        sid = f" Sid={n.sid}" if n.sid else ""
        mark = "APPLIES" if n.verdict == "applies" else "skipped"
        lines.append(f"  {mark:8} {n.effect:5} {n.policy}.Statement[{n.statement}]{sid}"
                     + ("" if n.verdict == "applies" else f": {n.verdict}"))
    return "\n".join(lines)
