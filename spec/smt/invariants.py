"""Named invariants of the authorization semantics, each proved by the unsatisfiability of its negation.

Each function's docstring states the invariant in English (first paragraph) and where it comes from (``Source:``);
it returns a ``Claim``: the formula that must hold for every world, the constraints that define the worlds, and
terms to show in a counterexample. Worlds are those of ``spec.smt.world`` (any caller, any layer outcomes) or
symbolic condition clauses; the formulas are built by the same functions that encode concrete policies.
Those about role sessions and assuming roles are in ``spec.smt.role_invariants``, those about statements and
conditions in ``spec.smt.clause_invariants`` (both register here); identity-state invariants (proved inductively over
the IAM/STS operations) live in ``spec.smt.transitions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import z3

from spec.smt.decision import ALLOW, DIRECT, EXPLICIT, NONE, VIA_ROLE
from spec.smt.encode import Applied
from spec.smt.world import World, make_world

DENY_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html"


@dataclass
class Claim:
    """``holds`` must be true in every model of ``constraints``; ``world`` and ``show`` explain a counterexample."""

    holds: z3.BoolRef
    constraints: list[z3.BoolRef] = field(default_factory=list)
    world: World | None = None
    show: dict[str, z3.ExprRef] = field(default_factory=dict)


REGISTRY: dict[str, Callable[[], Claim]] = {}


def invariant(fn: Callable[[], Claim]) -> Callable[[], Claim]:
    REGISTRY[fn.__name__] = fn
    return fn


def statement_of(fn: Callable[[], Claim]) -> str:
    return " ".join((fn.__doc__ or "").split("\n\n")[0].split())


def _world() -> World:
    return make_world()


# Which policies are in force for which caller (iam-semantics §4.1), by caller kind (``world.KINDS``; "none" is a
# request whose caller is not stated: the policies given are those of the principal under test).
PRINCIPALS = ("user", "role", "session", "federated")  # IAM principals with identity-based policies
SESSIONS = ("role", "session", "federated")  # callers that can carry a session policy
STATEMENTS = (None, True, False)  # per layer: a statement of any effect, an Allow, then a Deny (decision.layer)


def _kind(w: World, kinds: tuple[str, ...]) -> z3.BoolRef:
    return z3.Or(*[getattr(w.caller, k) for k in kinds])


def in_force(w: World) -> dict[str, z3.BoolRef]:
    """For each layer of a world of statements, whether its policy is in force for the caller: identity-based
    policies (a user's groups' too) and the permissions boundary of the principal they are attached to; the session
    policy of a role or federated-user session; the resource-based policy for a stated caller; SCPs, at each level
    of the tree, for the principals of the account (its root user included) but not its service-linked roles; RCPs,
    at each level, for every caller but service-linked roles; each VPC endpoint policy on the path for every
    request."""
    ls, linked = w.layers, w.caller.service_linked
    identity = _kind(w, (*PRINCIPALS, "none"))
    out = {"identity": identity, "group": identity, "boundary": z3.And(ls.has_boundary, identity),
           "session": z3.And(ls.has_session, _kind(w, SESSIONS)),
           "resource": z3.And(ls.has_resource, z3.Not(w.caller.none))}
    scp_kinds = _kind(w, ("root", *PRINCIPALS, "none"))
    for key, levels, present, who in (("scps", ls.scps, ls.has_scps, z3.And(scp_kinds, z3.Not(linked))),
                                      ("rcps", ls.rcps, ls.has_rcps, z3.Not(linked)),
                                      ("vpce", ls.vpce, ls.has_vpce, z3.BoolVal(True))):
        out.update({f"{key}[{i}]": z3.And(present, lv.exists, who) for i, lv in enumerate(levels)})
    return out


def deny_applies(a: Applied) -> z3.BoolRef:
    """The statement is a Deny (a concrete one, or a symbolic effect that is Deny) and it applies."""
    if isinstance(a.allows, bool):
        return z3.BoolVal(False) if a.allows else a.applies
    return z3.And(z3.Not(a.allows), a.applies)


def resource_grant(w: World) -> z3.ArithRef:
    """How the resource-based policy names the caller, when one is in force (a caller is stated)."""
    return z3.If(z3.And(w.layers.has_resource, z3.Not(w.caller.none)), w.layers.resource.grant, NONE)


def identity_allows(w: World) -> z3.BoolRef:
    """An identity-based (or group) Allow applies to an IAM principal other than the root user."""
    c, ls = w.caller, w.layers
    return z3.And(z3.Not(c.outside), z3.Not(c.root), z3.Or(ls.identity.allowed, ls.group.allowed))


# ---- the decision --------------------------------------------------------------------------------------------

@invariant
def explicit_deny_wins() -> Claim:
    """An applicable Deny statement in any policy in force for the request makes the decision ExplicitDeny,
    whatever Allows apply and whoever the caller is.

    The hypothesis is about statements: every layer of the world is built by ``decision.layer`` from three
    statements (one of any effect, an Allow, then a Deny, each applying or not), and which policies are in force
    for which kind of caller is the table of ``in_force``, written from the sources below rather than taken from
    ``decision.combine``.

    Source: "If the enforcement code finds even one explicit deny that applies, the code returns a final decision of
    Deny" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html);
    the policy types and whom they apply to: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html;
    "An SCP restricts permissions for IAM users and roles in member accounts, including the member account's root
    user" and "SCPs do not affect service-linked roles"
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html); RCPs set "the
    maximum available permissions for resources in your organization"
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html)."""
    w = make_world(statements=STATEMENTS)
    force = in_force(w)
    denied = [z3.And(force[key], deny_applies(a)) for key, stmts in w.statements.items() for a in stmts]
    assert len(denied) == len(force) * len(STATEMENTS)  # every layer of the world is covered
    return Claim(z3.Implies(z3.Or(*denied), w.decision() == EXPLICIT), w.constraints, w)


@invariant
def default_deny() -> Claim:
    """A request by anyone but the root user is allowed only if an identity-based Allow applies, or a
    resource-based Allow names the caller itself or its role: without policies, everything is denied.

    Source: "By default, all requests are implicitly denied with the exception of the AWS account root user"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html)."""
    w = _world()
    granted = z3.Or(identity_allows(w), resource_grant(w) >= VIA_ROLE)
    return Claim(z3.Implies(z3.And(z3.Not(w.caller.root), w.decision() == ALLOW), granted), w.constraints, w)


def never_grants(w: World, part: str, guard: z3.BoolRef | bool = True) -> Claim:
    """Whenever ``guard`` holds, an Allow with the optional layer ``part`` present stays an Allow without it."""
    removed = w.decision(w.without(**{part: True}))
    return Claim(z3.Implies(z3.And(guard, w.decision() == ALLOW), removed == ALLOW), w.constraints, w,
                 {"decision without it": removed})


@invariant
def boundary_never_grants() -> Claim:
    """Adding a permissions boundary never turns a denial into an Allow (removing one never turns an Allow into a
    denial).

    Source: a boundary "limits the user's permissions but does not provide permissions on its own"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html). Without the boundary, a
    NotPrincipal Deny of the resource policy or a VPC endpoint policy may stop applying (``World.unbounded``)."""
    w = _world()
    layers, ties = w.unbounded()
    removed = w.decision(layers)
    return Claim(z3.Implies(w.decision() == ALLOW, removed == ALLOW), [*w.constraints, *ties], w,
                 {"decision without it": removed})


@invariant
def scps_never_grant() -> Claim:
    """Putting the account under service control policies never turns a denial into an Allow.

    Source: SCPs "don't directly grant access"
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples.html)."""
    return never_grants(_world(), "scps")


@invariant
def rcps_never_grant() -> Claim:
    """Putting the resource under resource control policies never turns a denial into an Allow.

    Source: "No permissions are granted by an RCP"
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html)."""
    return never_grants(_world(), "rcps")


@invariant
def boundary_caps_identity_grants() -> Claim:
    """When a permissions boundary is set and no resource-based policy names the caller or its role, an Allow
    implies that the boundary allows the request.

    Source: "If a permissions boundary is set ... it must allow"; "Resource-based policies that grant permissions to
    an IAM role ARN are limited by an implicit deny in a permissions boundary"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)."""
    w = _world()
    bounded = z3.And(w.layers.has_boundary, z3.Not(w.caller.root), z3.Not(w.caller.outside), resource_grant(w) < DIRECT)
    return Claim(z3.Implies(z3.And(bounded, w.decision() == ALLOW), w.layers.boundary.allowed), w.constraints, w)


@invariant
def cross_account_needs_both() -> Claim:
    """A cross-account request by an IAM principal (not the root user) is allowed only if the resource's policy
    names the caller (or its role or account) and the caller's identity-based policies allow it.

    Source: "The request is allowed only if both evaluations return a decision of Allow"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."""
    w = _world()
    c = w.caller
    iam = z3.And(z3.Not(c.root), z3.Not(c.outside), z3.Not(c.none))
    holds = z3.Implies(z3.And(w.cross, iam, w.decision() == ALLOW), z3.And(resource_grant(w) != NONE, identity_allows(w)))
    return Claim(holds, w.constraints, w)


@invariant
def organization_policies_filter() -> Claim:
    """An allowed request has an applicable Allow at every level of the SCP tree (for IAM principals other than
    service-linked roles) and of the RCP tree, and in every VPC endpoint policy it passed through.

    Source: an explicit Allow is needed at every level from the root to the account
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html,
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html)."""
    w = _world()
    c, ls = w.caller, w.layers

    def every(levels: tuple) -> z3.BoolRef:
        return z3.And(*[z3.Implies(lv.exists, lv.layer.allowed) for lv in levels])

    scp = z3.Implies(z3.And(ls.has_scps, z3.Not(c.outside), z3.Not(c.service_linked)), every(ls.scps))
    rcp = z3.Implies(z3.And(ls.has_rcps, z3.Not(c.service_linked)), every(ls.rcps))
    vpce = z3.Implies(ls.has_vpce, every(ls.vpce))
    return Claim(z3.Implies(w.decision() == ALLOW, z3.And(scp, rcp, vpce)), w.constraints, w)


@invariant
def root_cross_account_needs_grant() -> Claim:
    """The root user is allowed a request on another account's resource only if that resource's policy names it
    or its account.

    Source: "the resource-based policy in AccountB must allow the requester in AccountA to access the resource"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."""
    w = _world()
    holds = z3.Implies(z3.And(w.caller.root, w.cross, w.decision() == ALLOW), resource_grant(w) != NONE)
    return Claim(holds, w.constraints, w)


@invariant
def key_policy_must_grant() -> Claim:
    """A request on a KMS key whose key policy is known is allowed only if the key policy names the caller, its
    role or its account, whoever the caller is (the root user included) and whatever identity-based policies allow.

    Source: "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key"
    (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html); IAM role trust policies and KMS key
    policies "must explicitly allow access for principals"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html)."""
    w = _world()
    holds = z3.Implies(z3.And(w.key_policy, w.layers.has_resource, w.decision() == ALLOW), resource_grant(w) != NONE)
    return Claim(holds, w.constraints, w)
