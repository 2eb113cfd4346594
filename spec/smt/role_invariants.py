"""Named invariants of role sessions and of assuming a role: what a session may do compared with its role, and who
may assume a role under which policies. Proved over the symbolic worlds of ``spec.smt.world``, like the decision
invariants of ``invariants``, whose registry they join (``iamspec prove`` lists them in ``prove.ORDER``).
"""

from __future__ import annotations

import z3

from spec.smt import decision
from spec.smt.decision import ALLOW, DIRECT, NONE, VIA_ROLE
from spec.smt.invariants import Claim, identity_allows, invariant, never_grants, resource_grant
from spec.smt.world import AbstractCaller, make_world


@invariant
def session_policy_never_grants() -> Claim:
    """For any caller but a federated-user session, passing a session policy never turns a denial into an Allow.
    (A GetFederationToken session has no identity-path permissions without one.)

    Source: session policies "cannot be used to grant more permissions than those allowed by the identity-based
    policy" (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html); step 7 of
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html."""
    w = make_world()
    return never_grants(w, "session", z3.Not(w.caller.federated))


@invariant
def session_within_role() -> Claim:
    """A role session's permissions stay within its role's: unless a resource-based policy names the session ARN
    itself, an Allow for a role session needs the role's boundary and the session policy to allow, and an
    identity-based Allow of the role or a resource-based grant to the role.

    Source: "Permissions granted directly to a session are not limited by an implicit deny in an identity-based
    policy, a permissions boundary, or session policy"; "Resource-based policies that grant permissions to an IAM
    role ARN are limited by an implicit deny in a permissions boundary or session policy"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)."""
    w = make_world()
    ls = w.layers
    limits = z3.And(z3.Or(z3.Not(ls.has_boundary), ls.boundary.allowed),
                    z3.Or(z3.Not(ls.has_session), ls.session.allowed),
                    z3.Or(identity_allows(w), resource_grant(w) == VIA_ROLE))
    holds = z3.Implies(z3.And(w.caller.session, resource_grant(w) != DIRECT, w.decision() == ALLOW), limits)
    return Claim(holds, w.constraints, w)


@invariant
def assume_role_requires_trust() -> Claim:
    """A stated caller may assume a role only if the role's trust policy allows it; when the trust policy names
    only the caller's account, or when an IAM user or role session assumes a role in another account, the caller's
    identity policy must allow too.

    Source: role trust policies "must explicitly allow access for principals"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html);
    "the requester ... must have an identity-based policy" across accounts
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)."""
    w = make_world()
    grant = resource_grant(w)
    needs_identity = z3.Or(grant == decision.ACCOUNT,
                           z3.And(w.cross, z3.Not(w.caller.root), z3.Not(w.caller.outside)))
    ok = z3.And(grant != NONE, z3.Implies(needs_identity, identity_allows(w)))
    holds = z3.Implies(z3.And(w.trust, z3.Not(w.caller.none), w.decision() == ALLOW), ok)
    return Claim(holds, w.constraints, w)


@invariant
def only_users_and_roles_assume_roles() -> Claim:
    """The root user, federated-user sessions and anonymous callers can never assume a role.

    Source: "You cannot assume a role when you are signed in as the AWS account root user"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html); GetFederationToken
    credentials "cannot call any STS operations except GetCallerIdentity"
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html)."""
    w = make_world()
    c = w.caller
    barred = z3.Or(c.root, c.federated, c.anonymous)
    return Claim(z3.Implies(z3.And(w.trust, barred), w.decision() != ALLOW), w.constraints, w)


@invariant
def federated_session_needs_session_policy() -> Claim:
    """A federated-user session without a session policy is allowed only by a resource-based policy that names it
    directly.

    Source: "If there is no session policy, the code checks whether the principal is a role session. If the
    principal is a role session, then the request is Allowed. Otherwise, the request is implicitly denied"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html)."""
    w = make_world()
    holds = z3.Implies(z3.And(w.caller.federated, z3.Not(w.layers.has_session), w.decision() == ALLOW),
                       resource_grant(w) == DIRECT)
    return Claim(holds, w.constraints, w)


@invariant
def session_within_its_role() -> Claim:
    """Under the same policies, whatever a role session is allowed to do, its role is allowed to do as a principal
    with no session policy -- unless a resource-based policy names the session ARN itself.

    Source: the session's permissions are "the intersection of the role's identity-based policy and the session
    policies" (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html); "Permissions granted
    directly to a session are not limited by an implicit deny in an identity-based policy, a permissions boundary,
    or session policy" (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)."""
    w = make_world()
    role = AbstractCaller("w.role")
    as_role = decision.decide(role, decision.combine(role, w.without(session=True), w.trust, w.key_policy, w.cross))
    holds = z3.Implies(z3.And(w.caller.session, resource_grant(w) != DIRECT, w.decision() == ALLOW), as_role == ALLOW)
    same_role = [role.role, role.service_linked == w.caller.service_linked]
    return Claim(holds, w.constraints + role.constraints + same_role, w, {"decision as the role": as_role})


@invariant
def trust_naming_user_keeps_boundary() -> Claim:
    """An IAM user with a permissions boundary may assume a role only if the boundary allows it, even when the
    role's trust policy names the user directly.

    Source: "If a user is listed as the principal in a role's trust policy but cannot assume the role, check the
    user's permissions boundary. If a permissions boundary is set for the user, then it must allow the
    sts:AssumeRole action" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html;
    iam-semantics §4.3)."""
    w = make_world()
    ls = w.layers
    holds = z3.Implies(z3.And(w.trust, w.caller.user, ls.has_boundary, w.decision() == ALLOW), ls.boundary.allowed)
    return Claim(holds, w.constraints, w)
