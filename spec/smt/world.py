"""Symbolic worlds for the named invariants: any caller kind, and any outcome of each policy layer.

A world leaves free what concrete policies would fix: which kind of principal calls, whether each optional policy
is present, and for every layer whether some Allow and some Deny apply and how the resource policy names the
caller. The decision is then built by the same ``decision.combine`` and ``decision.decide`` that decide concrete
requests, so a proof over a world covers every set of policies whose layers could say those things.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import z3

from spec.smt import decision
from spec.smt.decision import ACCOUNT, DIRECT, NONE, Layer, LayerSet, Level

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


@dataclass
class World:
    """One symbolic world: a caller, the layers, and the request facts (trust, KMS key policy, cross-account)."""

    caller: AbstractCaller
    layers: LayerSet
    trust: z3.BoolRef
    key_policy: z3.BoolRef
    cross: z3.BoolRef
    constraints: list[z3.BoolRef]

    def ev(self, layers: LayerSet | None = None) -> decision.Ev:
        return decision.combine(self.caller, layers or self.layers, self.trust, self.key_policy, self.cross)

    def decision(self, layers: LayerSet | None = None) -> z3.ArithRef:
        return decision.decide(self.caller, self.ev(layers))

    def without(self, **absent: bool) -> LayerSet:
        """The same layers with some optional ones removed (``boundary=True`` removes the boundary, ...)."""
        flags = {f"has_{k}": z3.BoolVal(False) for k, v in absent.items() if v}
        return replace(self.layers, **flags)


ORG_LEVELS = 7  # the root, up to five nested OUs, and the account
ENDPOINTS = 2


def make_world(name: str = "w", levels: int = ORG_LEVELS, endpoints: int = ENDPOINTS) -> World:
    """A world with up to ``levels`` organization levels (SCPs and RCPs each) and ``endpoints`` VPC endpoint
    policies. "For service control policies, the limit is five" levels of nested OUs
    (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html), and policies
    attach to the root, each OU and the account, so seven levels are every SCP tree AWS allows."""
    cons: list[z3.BoolRef] = []
    caller = AbstractCaller(f"{name}.caller")
    cons += caller.constraints

    def lay(key: str, grants: bool = False) -> Layer:
        lyr, more = free_layer(f"{name}.{key}", grants)
        cons.extend(more)
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
    # Request facts that exclude each other or need a principal with an account (``SymRequest``), and grants a
    # resource policy can make to this caller (``caller.grant_for``): a role ARN names only roles and sessions, an
    # account only a principal with an account, and services, providers and anonymous callers only directly.
    g = layers.resource.grant
    cons += [z3.Not(z3.And(trust, key_policy)), z3.Implies(cross, caller.has_account),
             z3.Implies(g == 2, z3.Or(caller.role, caller.session)),
             z3.Implies(g == ACCOUNT, caller.has_account),
             z3.Implies(z3.Or(caller.outside, caller.none), z3.Or(g == NONE, g == DIRECT))]
    return World(caller, layers, trust, key_policy, cross, cons)


GRANT_NAMES = {NONE: "none", ACCOUNT: "account", 2: "role", DIRECT: "direct"}
