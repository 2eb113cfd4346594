"""Symbolic worlds for the named invariants: any caller kind, and any outcome of each policy layer.

A world leaves free what concrete policies would fix: which kind of principal calls, whether each optional policy
is present, and for every layer whether some Allow and some Deny apply and how the resource policy names the
caller. The decision is then built by the same ``decision.combine`` and ``decision.decide`` that decide concrete
requests, so a proof over a world covers every set of policies whose layers could say those things. A world can
also build each layer with ``decision.layer`` from a few symbolic statements (``make_world(statements=...)``), for
invariants whose hypothesis is about statements rather than layer outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import z3

from spec.smt import decision
from spec.smt.decision import ACCOUNT, DIRECT, NONE, VIA_ROLE, Layer, LayerSet, Level
from spec.smt.encode import Applied

KINDS = ("none", "anonymous", "service", "provider", "root", "user", "role", "session", "federated")


class AbstractCaller:
    """A caller of a free kind, with the attributes ``decision`` reads (as ``caller.SymCaller`` has them)."""

    def __init__(self, name: str) -> None:
        for kind in KINDS:
            setattr(self, kind, z3.Bool(f"{name}.{kind}"))
        self.service_linked = z3.Bool(f"{name}.service_linked")
        self.outside = z3.Or(self.service, self.anonymous, self.provider)
        self.is_session = z3.Or(self.role, self.session, self.federated)
        self.has_account = z3.Or(self.root, self.user, self.role, self.session, self.federated, self.provider)
        kinds = [getattr(self, k) for k in KINDS]
        self.constraints = [z3.PbEq([(k, 1) for k in kinds], 1),
                            z3.Implies(self.service_linked, z3.Or(self.role, self.session))]

    def kind_of(self, model: z3.ModelRef) -> str:
        return next(k for k in KINDS if z3.is_true(model.eval(getattr(self, k), model_completion=True)))


def free_layer(name: str, grants: bool = False) -> tuple[Layer, list[z3.BoolRef]]:
    """A layer whose Allow, Deny and (for a resource policy) grant are free; an Allow applies exactly when the
    grant is not NONE (a statement only applies to a caller it names)."""
    allowed, denied = z3.Bool(f"{name}.allow"), z3.Bool(f"{name}.deny")
    if not grants:
        return Layer(allowed, z3.If(allowed, DIRECT, NONE), denied), []
    grant = z3.Int(f"{name}.grant")
    return Layer(allowed, grant, denied), [grant >= NONE, grant <= DIRECT, allowed == (grant > NONE)]


def statement_layer(name: str, effects: tuple[bool | None, ...], grants: bool = False,
                    ) -> tuple[Layer, list[Applied], list[z3.BoolRef]]:
    """A layer built by ``decision.layer`` from statements that may or may not apply: an effect ``None`` is
    symbolic, ``True``/``False`` a concrete Allow/Deny (each takes its own branch of ``decision.layer``). A
    statement applies only to a caller it names: identity-side ones to the principal they are attached to
    (``DIRECT``), a resource policy's ones (``grants``) in any way."""
    stmts, cons = [], []
    for i, effect in enumerate(effects):
        if grants:
            g = z3.Int(f"{name}[{i}].grant")
            cons += [g >= NONE, g <= DIRECT]
        else:
            g = z3.IntVal(DIRECT)
        allows = z3.Bool(f"{name}[{i}].allow") if effect is None else effect
        stmts.append(Applied(None, z3.And(z3.Bool(f"{name}[{i}].applies"), g > NONE), g, allows))
    return decision.layer(stmts), stmts, cons


def grant_limits(caller: AbstractCaller, g: z3.ArithRef) -> list[z3.BoolRef]:
    """The grants a resource policy can make to this caller (``caller.grant_for``): a role ARN names only roles and
    sessions, an account only a principal with an account, and services, providers and anonymous callers only
    directly."""
    return [z3.Implies(g == VIA_ROLE, z3.Or(caller.role, caller.session)),
            z3.Implies(g == ACCOUNT, caller.has_account),
            z3.Implies(z3.Or(caller.outside, caller.none), z3.Or(g == NONE, g == DIRECT))]


@dataclass
class World:
    """One symbolic world: a caller, the layers, and the request facts (trust, KMS key policy, cross-account)."""

    caller: AbstractCaller
    layers: LayerSet
    trust: z3.BoolRef
    key_policy: z3.BoolRef
    cross: z3.BoolRef
    constraints: list[z3.BoolRef]
    statements: dict[str, list[Applied]] = field(default_factory=dict)  # per layer, when built from statements
    name: str = "w"  # the prefix of its variables

    def ev(self, layers: LayerSet | None = None) -> decision.Ev:
        return decision.combine(self.caller, layers or self.layers, self.trust, self.key_policy, self.cross)

    def decision(self, layers: LayerSet | None = None) -> z3.ArithRef:
        return decision.decide(self.caller, self.ev(layers))

    def without(self, **absent: bool) -> LayerSet:
        """The same layers with some optional ones removed (``boundary=True`` removes the boundary, ...)."""
        flags = {f"has_{k}": z3.BoolVal(False) for k, v in absent.items() if v}
        return replace(self.layers, **flags)

    def unbounded(self) -> tuple[LayerSet, list[z3.BoolRef]]:
        """The layers with the permissions boundary removed, and what ties them to these. Rule *NotPrincipal and
        boundaries*: a NotPrincipal Deny "will always deny any IAM principal that has a permissions boundary policy
        attached" (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html), so removing
        the boundary can only make fewer Denies apply in the policies that accept NotPrincipal: a resource-based
        policy and VPC endpoint policies (``spec.policy`` refuses it everywhere else, trust policies included).
        Their Allows and grants, and every other layer, are the same."""
        def fewer_denies(lyr: Layer, key: str) -> tuple[Layer, z3.BoolRef]:
            denied = z3.Bool(f"{self.name}.{key}.deny_unbounded")
            return Layer(lyr.allowed, lyr.grant, denied), z3.Implies(denied, lyr.denied)

        resource, tie = fewer_denies(self.layers.resource, "resource")
        ties, vpce = [tie], []
        for i, level in enumerate(self.layers.vpce):
            lyr, tie = fewer_denies(level.layer, f"vpce[{i}]")
            vpce.append(replace(level, layer=lyr))
            ties.append(tie)
        return replace(self.without(boundary=True), resource=resource, vpce=tuple(vpce)), ties


ORG_LEVELS = 7  # the root, up to five nested OUs, and the account
ENDPOINTS = 2


def make_world(name: str = "w", levels: int = ORG_LEVELS, endpoints: int = ENDPOINTS,
               statements: tuple[bool | None, ...] = ()) -> World:
    """A world with up to ``levels`` organization levels (SCPs and RCPs each) and ``endpoints`` VPC endpoint
    policies. "For service control policies, the limit is five" levels of nested OUs
    (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html), and policies
    attach to the root, each OU and the account, so seven levels are every SCP tree AWS allows. With
    ``statements`` (their effects, as ``statement_layer`` reads them), every layer is built from that many
    symbolic statements, kept in ``World.statements`` under the layer's name ("identity", "scps[0]", ...)."""
    cons: list[z3.BoolRef] = []
    caller = AbstractCaller(f"{name}.caller")
    cons += caller.constraints
    by_layer: dict[str, list[Applied]] = {}

    def lay(key: str, grants: bool = False) -> Layer:
        if not statements:
            lyr, more = free_layer(f"{name}.{key}", grants)
            cons.extend(more)
            return lyr
        lyr, by_layer[key], more = statement_layer(f"{name}.{key}", statements, grants)
        cons.extend(more)
        cons.extend(c for a in by_layer[key] for c in (grant_limits(caller, a.grant) if grants else ()))
        return lyr

    def tree(key: str, n: int) -> tuple[tuple[Level, ...], z3.BoolRef]:
        present = z3.Bool(f"{name}.has_{key}")
        exists = [z3.Bool(f"{name}.{key}[{i}].exists") for i in range(n)]
        # Levels run from the root: a level exists only if the one above does; a tree has at least one level.
        cons.extend(z3.Implies(exists[i], exists[i - 1]) for i in range(1, n))
        cons.append(z3.Implies(present, exists[0]) if n else z3.BoolVal(True))
        return tuple(Level(exists[i], lay(f"{key}[{i}]")) for i in range(n)), present

    scps, has_scps = tree("scps", levels)
    rcps, has_rcps = tree("rcps", levels)
    vpce, has_vpce = tree("vpce", endpoints)
    layers = LayerSet(lay("identity"), lay("group"), lay("boundary"), z3.Bool(f"{name}.has_boundary"),
                      lay("session"), z3.Bool(f"{name}.has_session"), lay("resource", True),
                      z3.Bool(f"{name}.has_resource"), scps, has_scps, rcps, has_rcps, vpce, has_vpce)
    trust, key_policy, cross = (z3.Bool(f"{name}.{k}") for k in ("trust", "key_policy", "cross"))
    # Request facts that exclude each other or need a principal with an account (``SymRequest``), and the grants a
    # resource policy can make to this caller (for a world of statements, each statement's grant is limited).
    cons += [z3.Not(z3.And(trust, key_policy)), z3.Implies(cross, caller.has_account)]
    cons += grant_limits(caller, layers.resource.grant) if not statements else []
    return World(caller, layers, trust, key_policy, cross, cons, by_layer, name)


GRANT_NAMES = {NONE: "none", ACCOUNT: "account", VIA_ROLE: "role", DIRECT: "direct"}
