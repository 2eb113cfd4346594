"""The decision: a request and the policies in force -> Allow | ImplicitDeny | ExplicitDeny, and why.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html (iam-semantics §4, §5).
"""

from __future__ import annotations

from dataclasses import dataclass

from spec.callers import Caller, CallerKind, parse_caller
from spec.layers import Evaluated, evaluate_layers
from spec.policy import Policy
from spec.principals import Grant
from spec.request import Request

ALLOW, IMPLICIT, EXPLICIT = "Allow", "ImplicitDeny", "ExplicitDeny"
TRUST_ACTIONS = frozenset({"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
                           "sts:tagsession", "sts:setsourceidentity"})


@dataclass(frozen=True)
class PolicySet:
    """The policies in force for one request (see spec/__init__ and formats/decision-case.md)."""

    identity: tuple[Policy, ...] = ()
    group: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    session: Policy | None = None
    resource: Policy | None = None
    scps: tuple[tuple[Policy, ...], ...] | None = None
    rcps: tuple[tuple[Policy, ...], ...] | None = None
    vpce: tuple[Policy, ...] | None = None


@dataclass(frozen=True)
class TraceEntry:
    """A statement that applied: its policy kind, where it is, its Sid and Effect, and why it mattered."""

    kind: str
    policy: str
    statement: int
    sid: str | None
    effect: str
    why: str

    def as_json(self) -> dict:
        return {"kind": self.kind, "policy": self.policy, "statement": self.statement, "sid": self.sid,
                "effect": self.effect, "why": self.why}


@dataclass(frozen=True)
class Decision:
    decision: str
    by: tuple[str, ...] = ()
    trace: tuple[TraceEntry, ...] = ()
    reason: str = ""


def is_trust_request(request: Request) -> bool:
    """Rule *trust policy*: for ``sts:AssumeRole*`` (and the permission-only ``sts:TagSession``,
    ``sts:SetSourceIdentity``) on a role ARN, the resource-based policy is the role's trust policy, which "must
    explicitly allow access for principals" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html)."""
    return request.action.lower() in TRUST_ACTIONS and ":role/" in request.resource


def is_key_policy_request(request: Request, ps: PolicySet) -> bool:
    """Rule *KMS key policies*: "Unless the key policy explicitly allows it, you cannot use IAM policies to allow
    access to a KMS key", and no principal, the root user included, has access the key policy does not give
    (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html). Applies to a ``kms:`` action on a key
    ARN when the case gives the key policy as its resource policy (with none given, the key policy is unknown and
    only the identity side is evaluated)."""
    return ps.resource is not None and request.action.lower().startswith("kms:") \
        and request.resource.startswith("arn:") and ":kms:" in request.resource and ":key/" in request.resource


def _session_ok(caller: Caller, ev: Evaluated) -> bool:
    """Rule *session policies* (step 7): not a session -> no limit; a session policy present -> it must allow;
    none -> a role session is allowed, a federated-user (GetFederationToken) session is not."""
    if not caller.is_session:
        return True
    if ev.has_session:
        return ev.session_allows
    return caller.kind is not CallerKind.FEDERATED


def _guardrail_denials(ev: Evaluated) -> list[str]:
    """Rules *SCPs*, *RCPs*, *VPC endpoint policies*: each is a filter that must allow; none grants.
    An SCP or RCP level without an applicable Allow denies (AWS's message may call this an explicit deny, but
    no Deny statement matched: iamspec reports ImplicitDeny, tag ``scp.missing-allow``)."""
    out = []
    if not ev.scps_allow:
        out.append("scp")
    if not ev.rcps_allow:
        out.append("rcp")
    if not ev.vpce_allow:
        out.append("vpce")
    return out


def decide(request: Request, caller: Caller, ev: Evaluated, key_policy: bool = False,
           ) -> tuple[str, tuple[str, ...], str]:
    """The decision function of iam-semantics §4.4, with cross-account (§4.5), trust policies (§5.2) and KMS key
    policies (the two resource policies that "must explicitly allow access for principals")."""
    if ev.denied_by:
        return EXPLICIT, ev.denied_by, "an applicable Deny statement"  # Rule: "An explicit deny overrides"
    blocked = _guardrail_denials(ev)
    if blocked:
        return IMPLICIT, tuple(blocked), "no applicable Allow in " + ", ".join(blocked)
    trust = is_trust_request(request)
    if trust and caller.kind in (CallerKind.FEDERATED, CallerKind.ANONYMOUS):
        # "You must use credentials for an IAM user or an IAM role to call AssumeRole"; GetFederationToken
        # credentials "cannot call any STS operations except GetCallerIdentity" (STS API Reference).
        return IMPLICIT, ("resource",), "only IAM users and role sessions may assume a role"
    if key_policy and ev.grant is Grant.NONE:
        return IMPLICIT, ("resource",), "the KMS key policy does not allow the caller (nor its account)"
    if caller.kind is CallerKind.ROOT:
        if trust:  # "You cannot assume a role when you are signed in as the AWS account root user."
            return IMPLICIT, ("resource",), "Roles may not be assumed by root accounts"
        if not ev.cross_account or ev.grant >= Grant.ACCOUNT:
            return ALLOW, (), "the account root user has full access"
        return IMPLICIT, ("resource",), "cross-account: the resource policy does not grant the root user"
    if caller.kind is CallerKind.UNSPECIFIED:
        return _identity_path(caller, ev, "no caller given: identity-side policies only")
    if caller.kind in (CallerKind.SERVICE, CallerKind.ANONYMOUS, CallerKind.PROVIDER):
        # Services, identity providers and anonymous callers have no identity policies: only a resource policy
        # can grant ("no policies to evaluate because the caller of the API isn't an AWS identity").
        if ev.grant is Grant.DIRECT:
            return ALLOW, (), "the resource policy names the caller"
        return IMPLICIT, ("resource",), "no resource policy names the caller"
    pb_ok, sp_ok = ev.boundary_allows, _session_ok(caller, ev)
    if ev.cross_account:
        # "The request is allowed only if both evaluations return a decision of Allow."
        sides = []
        if ev.grant is Grant.NONE:
            sides.append("resource")
        principal_side = _identity_path(caller, ev, "")
        if principal_side[0] != ALLOW:
            sides.extend(principal_side[1])
        if sides:
            return IMPLICIT, tuple(sides), "cross-account: both accounts must allow"
        return ALLOW, (), "cross-account: the principal's and the resource's accounts both allow"
    if trust and ev.grant is Grant.NONE:
        return IMPLICIT, ("resource",), "no role trust policy allows the sts:AssumeRole action"
    if ev.grant is Grant.DIRECT:
        if trust and caller.kind is CallerKind.USER and not pb_ok:
            # "If a permissions boundary is set for the user, then it must allow the sts:AssumeRole action."
            return IMPLICIT, ("boundary",), "the trust policy names the user, but its boundary does not allow"
        return ALLOW, (), "the resource policy names the caller itself"
    if ev.grant is Grant.VIA_ROLE:
        # "Resource-based policies that grant permissions to an IAM role ARN are limited by an implicit deny in a
        # permissions boundary or session policy."
        if pb_ok and sp_ok:
            return ALLOW, (), "the resource policy names the caller's role"
        return IMPLICIT, tuple(k for k, ok in (("boundary", pb_ok), ("session", sp_ok)) if not ok), \
            "the resource policy names the role, and the session's limits do not allow"
    return _identity_path(caller, ev, "")


def _identity_path(caller: Caller, ev: Evaluated, note: str) -> tuple[str, tuple[str, ...], str]:
    """Rules *identity policies*, *permissions boundary*, *session policies* (steps 5-7): an identity (or group)
    Allow is needed, and each limit present must allow too."""
    failed = []
    if not ev.identity_allows:
        failed.append("identity")
    if not ev.boundary_allows:
        failed.append("boundary")
    if not _session_ok(caller, ev):
        failed.append("session")
    suffix = f" ({note})" if note else ""
    if failed:
        return IMPLICIT, tuple(failed), "no applicable Allow in " + ", ".join(failed) + suffix
    return ALLOW, (), "an identity-based Allow, within every limit" + suffix


def authorize(request: Request, policies: PolicySet) -> Decision:
    """Decide ``request`` under ``policies``: Allow, ImplicitDeny or ExplicitDeny, the kinds that decided a
    denial (``by``) and the trace of every statement that applied."""
    caller = parse_caller(request.principal)
    ev = evaluate_layers(request, caller, policies)
    decision, by, reason = decide(request, caller, ev, is_key_policy_request(request, policies))
    return Decision(decision, by, tuple(ev.trace), reason)
