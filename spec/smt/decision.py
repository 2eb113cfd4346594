"""The decision across every kind of policy, as a Z3 term: Allow (0), ImplicitDeny (1) or ExplicitDeny (2).

Mirrors ``spec.layers.evaluate_layers`` and ``spec.authorize.decide`` (iam-semantics §4.2-4.5, §5.2;
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html). Each rule is one function over
the layer results ``Ev``, so that the named invariants can be proved over symbolic layer results as well as over
the layers of concrete policies.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from spec.authorize import PolicySet
from spec.smt import caller as principals
from spec.smt.caller import SymCaller
from spec.smt.encode import Applied, Encoder

ALLOW, IMPLICIT, EXPLICIT = 0, 1, 2
NAMES = ("Allow", "ImplicitDeny", "ExplicitDeny")
NONE, ACCOUNT, VIA_ROLE, DIRECT = principals.NONE, principals.ACCOUNT, principals.VIA_ROLE, principals.DIRECT


@dataclass(frozen=True)
class Layer:
    """What one layer says: some Allow applies, the strongest grant among those Allows, some Deny applies."""

    allowed: z3.BoolRef
    grant: z3.ArithRef
    denied: z3.BoolRef


@dataclass(frozen=True)
class Level:
    """One level of an organization tree (``exists`` is false for the unused levels of a symbolic tree)."""

    exists: z3.BoolRef
    layer: Layer


@dataclass(frozen=True)
class LayerSet:
    """Every layer of a request, with whether each optional one is present: the input of ``combine``, built from
    concrete policies by ``layers_of`` or left symbolic by the named invariants."""

    identity: Layer
    group: Layer
    boundary: Layer
    has_boundary: z3.BoolRef
    session: Layer
    has_session: z3.BoolRef
    resource: Layer
    has_resource: z3.BoolRef
    scps: tuple[Level, ...]
    has_scps: z3.BoolRef
    rcps: tuple[Level, ...]
    has_rcps: z3.BoolRef
    vpce: tuple[Level, ...]
    has_vpce: z3.BoolRef


@dataclass(frozen=True)
class Ev:
    """What each layer says about the request (``spec.layers.Evaluated``), plus the facts the decision reads."""

    denied: z3.BoolRef
    identity_allows: z3.BoolRef
    boundary_allows: z3.BoolRef
    has_session: z3.BoolRef
    session_allows: z3.BoolRef
    grant: z3.ArithRef
    scps_allow: z3.BoolRef
    rcps_allow: z3.BoolRef
    vpce_allow: z3.BoolRef
    cross_account: z3.BoolRef
    trust: z3.BoolRef
    key_policy: z3.BoolRef


def _bool(x: z3.BoolRef | bool) -> z3.BoolRef:
    return z3.BoolVal(x) if isinstance(x, bool) else x


def layer(applied: list[Applied]) -> Layer:
    """Rule *OR across statements and policies*: "AWS applies a logical OR across the statements"; the grant is
    the strongest among the applicable Allow statements (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html).
    A statement's effect may itself be symbolic (``Applied.allows``)."""
    allows: list[z3.BoolRef] = []
    denies: list[z3.BoolRef] = []
    grant: z3.ArithRef = z3.IntVal(NONE)
    for a in applied:
        eff = a.allows
        if eff is True or eff is False:
            (allows if eff else denies).append(a.applies)
            on = a.applies if eff else None
        else:
            allows.append(z3.And(eff, a.applies))
            denies.append(z3.And(z3.Not(eff), a.applies))
            on = z3.And(eff, a.applies)
        if on is not None:
            g = z3.If(on, a.grant, NONE)
            grant = g if z3.is_int_value(grant) and grant.as_long() == NONE else z3.If(g > grant, g, grant)
    return Layer(z3.Or(*allows) if allows else z3.BoolVal(False), grant,
                 z3.Or(*denies) if denies else z3.BoolVal(False))


def every_level(levels: tuple[Level, ...]) -> z3.BoolRef:
    """Rule *every level*: an Allow is needed at every level from the root to the account; a level with no
    policies allows nothing (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html)."""
    return z3.And(*[z3.Implies(lv.exists, lv.layer.allowed) for lv in levels]) if levels else z3.BoolVal(True)


def any_denied(levels: tuple[Level, ...]) -> z3.BoolRef:
    return z3.Or(*[z3.And(lv.exists, lv.layer.denied) for lv in levels]) if levels else z3.BoolVal(False)


_EMPTY = Layer(z3.BoolVal(False), z3.IntVal(NONE), z3.BoolVal(False))


def layers_of(enc: Encoder, ps: PolicySet) -> LayerSet:
    """The layers of concrete policies: each policy's statements encoded over the encoder's request."""
    bounded = ps.boundary is not None

    def one(policies: tuple) -> Layer:
        return layer([a for p in policies for a in enc.policy(p, bounded)])

    def org(levels: tuple | None) -> tuple[Level, ...]:
        return tuple(Level(z3.BoolVal(True), one(lvl)) for lvl in levels or ())

    def opt(p: object) -> Layer:
        return one((p,)) if p is not None else _EMPTY

    return LayerSet(one(ps.identity), one(ps.group), opt(ps.boundary), _bool(bounded), opt(ps.session),
                    _bool(ps.session is not None), opt(ps.resource), _bool(ps.resource is not None), org(ps.scps),
                    _bool(ps.scps is not None), org(ps.rcps), _bool(ps.rcps is not None),
                    tuple(Level(z3.BoolVal(True), one((p,))) for p in ps.vpce or ()), _bool(ps.vpce is not None))


def combine(c: SymCaller, ls: LayerSet, trust: z3.BoolRef, key_policy: z3.BoolRef, cross: z3.BoolRef) -> Ev:
    """Which layers are evaluated for this caller, and what they say together (``spec.layers.evaluate_layers``):
    SCPs for IAM principals, RCPs for all, neither for service-linked roles ("SCPs do not affect service-linked
    roles"); the resource policy when a caller is given; identity policies, boundary and session policy for IAM
    principals other than the root user."""
    exempt = c.service_linked
    iam_principal = z3.Not(c.outside)
    scp_on = z3.And(ls.has_scps, z3.Not(exempt), iam_principal)
    rcp_on = z3.And(ls.has_rcps, z3.Not(exempt))
    res_on = z3.And(ls.has_resource, z3.Not(c.none))
    ident_on = z3.And(iam_principal, z3.Not(c.root))
    denied = z3.Or(z3.And(scp_on, any_denied(ls.scps)), z3.And(rcp_on, any_denied(ls.rcps)),
                   z3.And(ls.has_vpce, any_denied(ls.vpce)), z3.And(res_on, ls.resource.denied),
                   z3.And(ident_on, z3.Or(ls.identity.denied, ls.group.denied)),
                   z3.And(ident_on, ls.has_boundary, ls.boundary.denied),
                   z3.And(ident_on, ls.has_session, ls.session.denied))
    return Ev(denied=denied,
              identity_allows=z3.And(ident_on, z3.Or(ls.identity.allowed, ls.group.allowed)),
              boundary_allows=z3.Or(z3.Not(z3.And(ident_on, ls.has_boundary)), ls.boundary.allowed),
              has_session=z3.And(ident_on, ls.has_session),
              session_allows=z3.And(ident_on, ls.has_session, ls.session.allowed),
              grant=z3.If(res_on, ls.resource.grant, NONE),
              scps_allow=z3.Or(z3.Not(scp_on), every_level(ls.scps)),
              rcps_allow=z3.Or(z3.Not(rcp_on), every_level(ls.rcps)),
              vpce_allow=z3.Or(z3.Not(ls.has_vpce), every_level(ls.vpce)),
              cross_account=cross, trust=trust, key_policy=z3.And(ls.has_resource, key_policy))


def evaluate(enc: Encoder, ps: PolicySet) -> Ev:
    """Evaluate every layer that applies to this caller (``spec.layers.evaluate_layers``)."""
    req = enc.req
    # The trust and KMS tests only matter for a stated caller and with a resource policy: leaving them out
    # otherwise keeps their patterns out of the action and resource atoms.
    trust = z3.BoolVal(False) if req.caller.fixed_none else req.is_trust
    key = req.is_key_policy if ps.resource is not None else z3.BoolVal(False)
    return combine(req.caller, layers_of(enc, ps), trust, key, req.cross_account)


# ---- the decision (spec.authorize.decide), one rule per function ----------------------------------------------

def session_ok(c: SymCaller, ev: Ev) -> z3.BoolRef:
    """Rule *session policies* (step 7): not a session -> no limit; a session policy present -> it must allow;
    none -> a role session is allowed, a federated-user (GetFederationToken) session is not."""
    return z3.Or(z3.Not(c.is_session), z3.If(ev.has_session, ev.session_allows, z3.Not(c.federated)))


def identity_path(c: SymCaller, ev: Ev) -> z3.BoolRef:
    """Rules *identity policies*, *permissions boundary*, *session policies* (steps 5-7): an identity (or group)
    Allow is needed, and each limit present must allow too."""
    return z3.And(ev.identity_allows, ev.boundary_allows, session_ok(c, ev))


def guardrails_allow(ev: Ev) -> z3.BoolRef:
    """Rules *SCPs*, *RCPs*, *VPC endpoint policies*: each is a filter that must allow; none grants."""
    return z3.And(ev.scps_allow, ev.rcps_allow, ev.vpce_allow)


def root_allowed(ev: Ev) -> z3.BoolRef:
    """Rule *root*: full access in its account ("with the exception of the AWS account root user, which has full
    access"), never a role ("You cannot assume a role when you are signed in as the AWS account root user");
    across accounts only when the resource policy names it or its account."""
    return z3.And(z3.Not(ev.trust), z3.Or(z3.Not(ev.cross_account), ev.grant >= ACCOUNT))


def outside_caller_allowed(ev: Ev) -> z3.BoolRef:
    """Rule *services, identity providers and anonymous callers*: they have no identity policies, so only a
    resource policy naming them grants ("no policies to evaluate because the caller of the API isn't an AWS
    identity")."""
    return ev.grant == DIRECT


def cross_account_allowed(c: SymCaller, ev: Ev) -> z3.BoolRef:
    """Rule *cross-account*: "The request is allowed only if both evaluations return a decision of Allow"."""
    return z3.And(ev.grant != NONE, identity_path(c, ev))


def same_account_allowed(c: SymCaller, ev: Ev) -> z3.BoolRef:
    """Rules *resource-based grants* (iam-semantics §4.3) and *trust policies* (§5.2): a trust policy must allow;
    a grant to the caller itself needs nothing more (a user named in a trust policy still needs its boundary);
    a grant to the session's role is limited by the boundary and the session policy; otherwise the identity path."""
    pb_ok, sp_ok = ev.boundary_allows, session_ok(c, ev)
    return z3.If(z3.And(ev.trust, ev.grant == NONE), False,
                 z3.If(ev.grant == DIRECT, z3.Not(z3.And(ev.trust, c.user, z3.Not(pb_ok))),
                       z3.If(ev.grant == VIA_ROLE, z3.And(pb_ok, sp_ok), identity_path(c, ev))))


def explicit_deny(ev: Ev) -> z3.BoolRef:
    """Rule *explicit deny*: "If the enforcement code finds even one explicit deny that applies, the code returns
    a final decision of Deny"."""
    return ev.denied


def assume_refused(c: SymCaller, ev: Ev) -> z3.BoolRef:
    """Rule *who may assume a role*: "You must use credentials for an IAM user or an IAM role to call
    AssumeRole"; GetFederationToken credentials "cannot call any STS operations except GetCallerIdentity"."""
    return z3.And(ev.trust, z3.Or(c.federated, c.anonymous))


def key_policy_refused(ev: Ev) -> z3.BoolRef:
    """Rule *KMS key policies*: "Unless the key policy explicitly allows it, you cannot use IAM policies to allow
    access to a KMS key" (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html)."""
    return z3.And(ev.key_policy, ev.grant == NONE)


def decide(c: SymCaller, ev: Ev) -> z3.ArithRef:
    """The decision function of iam-semantics §4.4 with cross-account (§4.5), trust policies (§5.2) and KMS key
    policies (``spec.authorize.decide``), rule by rule in the model's order."""
    allowed = z3.If(c.root, root_allowed(ev),
                    z3.If(c.none, identity_path(c, ev),
                          z3.If(c.outside, outside_caller_allowed(ev),
                                z3.If(ev.cross_account, cross_account_allowed(c, ev), same_account_allowed(c, ev)))))
    allowed = z3.And(z3.Not(assume_refused(c, ev)), z3.Not(key_policy_refused(ev)), allowed)
    return z3.If(explicit_deny(ev), EXPLICIT, z3.If(z3.And(guardrails_allow(ev), allowed), ALLOW, IMPLICIT))


def decision(enc: Encoder, ps: PolicySet) -> z3.ArithRef:
    """The decision for the encoder's request under ``ps``."""
    return decide(enc.req.caller, evaluate(enc, ps))
