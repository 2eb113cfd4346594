"""The layers of policy in force, each evaluated once against a request: which statements apply, and what each
layer then says (denies, allows, grants to the caller).

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (policy types),
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html (an Allow at
every level), https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spec.callers import Caller, CallerKind
from spec.policy import Policy
from spec.principals import Grant
from spec.request import Request
from spec.statements import applying

if TYPE_CHECKING:
    from spec.authorize import PolicySet, TraceEntry

Labelled = tuple[tuple[str, Policy], ...]


def labelled(ps: PolicySet) -> list[tuple[str, str, Policy]]:
    """Every policy of the set as ``(kind, label, policy)``, labels as in formats/decision-case.md
    (``identity_policies[0]``, ``scps[1].policies[0]``); for explanations."""
    out = [("identity", f"identity_policies[{i}]", p) for i, p in enumerate(ps.identity)]
    out += [("identity", f"group_policies[{i}]", p) for i, p in enumerate(ps.group)]
    for kind, label, p in (("boundary", "permission_boundary", ps.boundary), ("session", "session_policy", ps.session),
                           ("resource", "resource_policy", ps.resource)):
        if p is not None:
            out.append((kind, label, p))
    for kind, levels in (("scp", ps.scps), ("rcp", ps.rcps)):
        for i, level in enumerate(levels or ()):
            out += [(kind, f"{kind}s[{i}].policies[{j}]", p) for j, p in enumerate(level)]
    out += [("vpce", f"vpc_endpoint_policies[{i}]", p) for i, p in enumerate(ps.vpce or ())]
    return out


@dataclass
class Evaluated:
    """What each layer says about one request."""

    denied_by: tuple[str, ...] = ()
    identity_allows: bool = False
    boundary_allows: bool = True
    has_session: bool = False
    session_allows: bool = False
    grant: Grant = Grant.NONE
    scps_allow: bool = True
    rcps_allow: bool = True
    vpce_allow: bool = True
    cross_account: bool = False
    trace: list[TraceEntry] = field(default_factory=list)


def outside_organization_policies(caller: Caller) -> bool:
    """Rule *service-linked roles*: SCPs (and RCPs) do not restrict service-linked roles, which AWS services use
    on the account's behalf (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html:
    "SCPs do not affect service-linked roles"; the same exemption is taken for RCPs, iamspec decision)."""
    return caller.service_linked


class _Walk:
    """Evaluates layers, recording every applicable statement in the trace."""

    def __init__(self, request: Request, caller: Caller, ev: Evaluated, bounded: bool) -> None:
        from spec.authorize import TraceEntry

        self.request, self.caller, self.ev, self.entry, self.bounded = request, caller, ev, TraceEntry, bounded
        self.denied: list[str] = []

    def layer(self, kind: str, label: str, policies: tuple[Policy, ...], single: bool = False) -> tuple[bool, Grant]:
        """(some Allow applies, the strongest grant among the applicable Allows); records Denies. ``label`` names
        the policies in the trace (``label[i]``, or ``label`` alone for a ``single`` policy)."""
        allowed, grant, r = False, Grant.NONE, self.request
        for i, policy in enumerate(policies):
            for stmt, g in applying(policy, r.action, r.resource, r.context, self.caller, self.bounded):
                self.ev.trace.append(self.entry(kind, label if single else f"{label}[{i}]", stmt.index, stmt.sid,
                                                stmt.effect,
                                                "applies" if g is Grant.DIRECT else f"applies ({g.name.lower()})"))
                if stmt.allows:
                    allowed, grant = True, max(grant, g)
                elif kind not in self.denied:
                    self.denied.append(kind)
        return allowed, grant

    def levels(self, kind: str, levels: tuple[tuple[Policy, ...], ...] | None) -> bool:
        """Rule *every level*: an Allow is needed at every level from the root to the account; a level with no
        policies allows nothing."""
        if levels is None:
            return True
        return all([self.layer(kind, f"{kind}s[{i}].policies", lvl)[0] for i, lvl in enumerate(levels)])


def evaluate_layers(request: Request, caller: Caller, ps: PolicySet) -> Evaluated:
    """Evaluate every layer that applies to this caller (iam-semantics §4.1-4.5)."""
    principal_account = caller.account
    ev = Evaluated(cross_account=bool(request.resource_account and principal_account
                                      and request.resource_account != principal_account))
    walk = _Walk(request, caller, ev, ps.boundary is not None)
    exempt = outside_organization_policies(caller)
    iam_principal = caller.kind not in (CallerKind.SERVICE, CallerKind.ANONYMOUS, CallerKind.PROVIDER)
    if not exempt and iam_principal:
        ev.scps_allow = walk.levels("scp", ps.scps)
    if not exempt:
        ev.rcps_allow = walk.levels("rcp", ps.rcps)
    if ps.vpce is not None:
        ev.vpce_allow = all([walk.layer("vpce", f"vpc_endpoint_policies[{i}]", (p,), True)[0]
                             for i, p in enumerate(ps.vpce)])
    if ps.resource is not None and caller.kind is not CallerKind.UNSPECIFIED:
        _, ev.grant = walk.layer("resource", "resource_policy", (ps.resource,), True)
    if iam_principal and caller.kind is not CallerKind.ROOT:
        ident = walk.layer("identity", "identity_policies", ps.identity)[0] if ps.identity else False
        grp = walk.layer("identity", "group_policies", ps.group)[0] if ps.group else False
        ev.identity_allows = ident or grp
        if ps.boundary is not None:
            ev.boundary_allows = walk.layer("boundary", "permission_boundary", (ps.boundary,), True)[0]
        if ps.session is not None:
            ev.has_session = True
            ev.session_allows = walk.layer("session", "session_policy", (ps.session,), True)[0]
    ev.denied_by = tuple(walk.denied)
    return ev
