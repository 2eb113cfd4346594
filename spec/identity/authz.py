"""Authorization of one call: the policies that really apply to the caller, the request context AWS derives,
and the decision of ``spec.authorize``.

Policies in force (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
a user's inline and attached managed policies plus those of its groups, and its boundary; for a role session,
the role's policies and boundary (never the original caller's: "The policies that are attached to the credentials
that made the original call to AssumeRole are not evaluated",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_assumerole.html) and the
session policy; the resource's policy (bucket policy, or the trust policy for sts:AssumeRole); the SCPs of the
caller's account when it is a member of an organization (the management account is exempt).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from spec.authorize import TRUST_ACTIONS, Decision, PolicySet, authorize
from spec.errors import IamError
from spec.identity.auth import Identity
from spec.identity.context import principal_context
from spec.identity.documents import parsed
from spec.identity.entities import Account
from spec.identity.managed import aws_managed_policy, is_aws_managed
from spec.identity.state import World, role_by_id, user_by_id
from spec.policy import Policy, PolicyKind, index_by_service
from spec.request import make_request


@dataclass(frozen=True)
class Check:
    """One authorization a call needs: an action on a resource, with the resource's policy and the call's own
    condition keys."""

    action: str
    resource: str
    resource_account: str | None = None
    resource_policy: Policy | None = None
    context: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)


def managed_text(world: World, account_id: str, arn: str) -> str | None:
    """The default version of a managed policy (customer managed in ``account_id``, or AWS managed)."""
    if is_aws_managed(arn):
        policy = world.aws_policies.get(arn) or aws_managed_policy(arn)
        return None if policy is None else policy.document()
    account = world.accounts.get(account_id)
    policy = None if account is None else account.policies.get(arn.rsplit("/", 1)[-1].lower())
    return policy.document() if policy is not None and policy.arn == arn else None


def _policies(world: World, account_id: str, inline: Mapping[str, str], attached: tuple[str, ...],
              kind: PolicyKind = PolicyKind.IDENTITY) -> tuple[Policy, ...]:
    texts = list(inline.values()) + [t for t in (managed_text(world, account_id, a) for a in attached) if t]
    return tuple(parsed(t, kind) for t in texts)


def _boundary(world: World, account_id: str, arn: str | None) -> Policy | None:
    text = managed_text(world, account_id, arn) if arn else None
    return parsed(text, PolicyKind.BOUNDARY) if text else None


def organization_scps(world: World, account_id: str) -> tuple[tuple[Policy, ...], ...] | None:
    """The SCP levels over ``account_id`` (root first), or ``None`` when no SCP applies to its principals."""
    org = world.org
    if org is None or account_id == org.management or account_id not in org.scps:
        return None
    return tuple(tuple(parsed(t, PolicyKind.SCP) for t in level) for level in org.scps[account_id])


def session_policy(texts: tuple[str, ...]) -> Policy | None:
    """The session policies of a session (inline and by ARN) as one policy: a request is within the session's
    limits when one of them allows it ("The resulting session's permissions are the intersection of the role's
    identity-based policy and the session policies", https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)."""
    if not texts:
        return None
    policies = [parsed(t, PolicyKind.SESSION) for t in texts]
    if len(policies) == 1:
        return policies[0]
    statements = tuple(replace(s, index=i) for i, s in enumerate(s for p in policies for s in p.statements))
    return Policy(policies[0].version, statements, PolicyKind.SESSION, None, *index_by_service(statements))


def policy_set(world: World, who: Identity, resource_policy: Policy | None = None) -> PolicySet:
    """Every policy in force for a request by ``who`` (the resource's policy given by the caller)."""
    scps = organization_scps(world, who.account) if who.kind != "anonymous" else None
    if who.kind in ("root", "anonymous"):
        return PolicySet(resource=resource_policy, scps=scps)
    account: Account | None = world.accounts.get(who.account)
    if who.kind == "session":
        assert who.session is not None
        role = role_by_id(world, who.account, who.session.entity_id)
        session = session_policy(who.session.policies)
        if role is None:  # the role was deleted: its sessions keep no permissions of their own
            return PolicySet(session=session, resource=resource_policy, scps=scps)
        return PolicySet(identity=_policies(world, who.account, role.inline, role.attached),
                         boundary=_boundary(world, who.account, role.boundary), session=session,
                         resource=resource_policy, scps=scps)
    user = None
    if who.session is not None:
        user = user_by_id(world, who.account, who.session.entity_id)
    elif account is not None and who.user_name is not None:
        user = account.users.get(who.user_name.lower())
    if user is None or account is None:
        return PolicySet(resource=resource_policy, scps=scps)
    groups = tuple(p for g in user.groups if g in account.groups
                   for p in _policies(world, who.account, account.groups[g].inline, account.groups[g].attached))
    return PolicySet(identity=_policies(world, who.account, user.inline, user.attached), group=groups,
                     boundary=_boundary(world, who.account, user.boundary), resource=resource_policy, scps=scps)


def decide(world: World, who: Identity, check: Check) -> Decision:
    """The decision of the policy model on this check, with the context AWS would send."""
    ctx, types = principal_context(world, who)
    ctx.update({k: list(v) if isinstance(v, tuple) else v for k, v in check.context.items()})
    request = make_request(check.action, check.resource, who.arn, check.resource_account, ctx, types)
    return authorize(request, policy_set(world, who, check.resource_policy))


def denial_message(who: Identity, check: Check, decision: Decision) -> str:
    """AWS's AccessDenied message: "User: <ARN> is not authorized to perform: <action> on resource: <ARN>
    because no <type> policy allows the <action> action" (or "with an explicit deny in a <type> policy"),
    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html."""
    names = {"identity": "identity-based", "resource": "resource-based", "boundary": "permissions boundary",
             "session": "session", "scp": "service control", "rcp": "resource control", "vpce": "VPC endpoint"}
    kind = names.get(decision.by[0], decision.by[0]) if decision.by else "identity-based"
    if check.action.lower() in TRUST_ACTIONS and kind == "resource-based":
        kind = "role trust"
    head = f"User: {who.arn} is not authorized to perform: {check.action} on resource: {check.resource}"
    if decision.decision == "ExplicitDeny":
        return f"{head} with an explicit deny in a {kind} policy"
    return f"{head} because no {kind} policy allows the {check.action} action"


def require(world: World, who: Identity, check: Check) -> None:
    """Raise ``AccessDenied`` unless the check is allowed."""
    decision = decide(world, who, check)
    if decision.decision != "Allow":
        raise IamError("AccessDenied", denial_message(who, check, decision))
