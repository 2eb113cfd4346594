"""The layers of policy in force, each evaluated once against a request: which statements apply, and what each
layer then says (denies, allows, grants to the caller).

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (policy types),
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html (an Allow at
every level), https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spec.policy import Policy
from spec.principals import Caller, CallerKind, Grant
from spec.request import Request
from spec.statements import applying

if TYPE_CHECKING:
    from spec.authorize import PolicySet, TraceEntry

Labelled = tuple[tuple[str, Policy], ...]


@dataclass(frozen=True)
class Layers:
    """A PolicySet with a label per policy (``identity_policies[0]``, ``scps[1].policies[0]``) for traces."""

    identity: Labelled = ()
    group: Labelled = ()
    boundary: tuple[str, Policy] | None = None
    session: tuple[str, Policy] | None = None
    resource: tuple[str, Policy] | None = None
    scps: tuple[Labelled, ...] | None = None
    rcps: tuple[Labelled, ...] | None = None
    vpce: Labelled | None = None

    @staticmethod
    def of(ps: PolicySet) -> Layers:
        def lab(name: str, pols: tuple[Policy, ...]) -> Labelled:
            return tuple((f"{name}[{i}]", p) for i, p in enumerate(pols))

        def org(name: str, levels: tuple[tuple[Policy, ...], ...] | None) -> tuple[Labelled, ...] | None:
            if levels is None:
                return None
            return tuple(lab(f"{name}[{i}].policies", lvl) for i, lvl in enumerate(levels))

        return Layers(lab("identity_policies", ps.identity), lab("group_policies", ps.group),
                      ("permission_boundary", ps.boundary) if ps.boundary else None,
                      ("session_policy", ps.session) if ps.session else None,
                      ("resource_policy", ps.resource) if ps.resource else None,
                      org("scps", ps.scps), org("rcps", ps.rcps),
                      None if ps.vpce is None else lab("vpc_endpoint_policies", ps.vpce))


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

    def __init__(self, request: Request, caller: Caller, ev: Evaluated) -> None:
        from spec.authorize import TraceEntry

        self.request, self.caller, self.ev, self.entry = request, caller, ev, TraceEntry
        self.denied: list[str] = []

    def layer(self, kind: str, labelled: Labelled) -> tuple[bool, Grant]:
        """(some Allow applies, the strongest grant among the applicable Allows); records Denies."""
        allowed, grant, r = False, Grant.NONE, self.request
        for label, policy in labelled:
            for stmt, g in applying(policy, r.action, r.resource, r.context, self.caller):
                self.ev.trace.append(self.entry(kind, label, stmt.index, stmt.sid, stmt.effect,
                                                "applies" if g is Grant.DIRECT else f"applies ({g.name.lower()})"))
                if stmt.allows:
                    allowed, grant = True, max(grant, g)
                elif kind not in self.denied:
                    self.denied.append(kind)
        return allowed, grant

    def levels(self, kind: str, levels: tuple[Labelled, ...] | None) -> bool:
        """Rule *every level*: an Allow is needed at every level from the root to the account; a level with no
        policies allows nothing."""
        if levels is None:
            return True
        return all([self.layer(kind, lvl)[0] for lvl in levels])


def evaluate_layers(request: Request, caller: Caller, layers: Layers, trust: bool) -> Evaluated:
    """Evaluate every layer that applies to this caller (iam-semantics §4.1-4.5)."""
    principal_account = caller.account
    ev = Evaluated(cross_account=bool(request.resource_account and principal_account
                                      and request.resource_account != principal_account))
    walk = _Walk(request, caller, ev)
    exempt = outside_organization_policies(caller)
    iam_principal = caller.kind not in (CallerKind.SERVICE, CallerKind.ANONYMOUS)
    if not exempt and iam_principal:
        ev.scps_allow = walk.levels("scp", layers.scps)
    if not exempt:
        ev.rcps_allow = walk.levels("rcp", layers.rcps)
    if layers.vpce is not None:
        ev.vpce_allow = all([walk.layer("vpce", ((lab, p),))[0] for lab, p in layers.vpce])
    if layers.resource is not None and caller.kind is not CallerKind.UNSPECIFIED:
        _, ev.grant = walk.layer("resource", (layers.resource,))
    if iam_principal and caller.kind is not CallerKind.ROOT:
        ident, _ = walk.layer("identity", layers.identity)
        grp, _ = walk.layer("identity", layers.group)
        ev.identity_allows = ident or grp
        if layers.boundary is not None:
            ev.boundary_allows = walk.layer("boundary", (layers.boundary,))[0]
        if layers.session is not None:
            ev.has_session = True
            ev.session_allows = walk.layer("session", (layers.session,))[0]
    ev.denied_by = tuple(walk.denied)
    return ev
