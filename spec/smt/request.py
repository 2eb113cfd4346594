"""The symbolic request: action, resource, caller, resource account and the context keys a query needs.

Mirrors ``spec.request`` (https://docs.aws.amazon.com/IAM/latest/UserGuide/intro-structure.html#intro-structure-request).
The action is held lower-cased, since the model matches ``action.lower()`` against lower-cased patterns (rule *action
case*, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html). A request is either
symbolic (free variables with the shape constraints of ``spec.request.make_request``) or concrete (constants, for
evaluating the encoding on one request).
"""

from __future__ import annotations

from functools import lru_cache

import z3

from spec.authorize import TRUST_ACTIONS
from spec.request import Request
from spec.smt import atoms, strings
from spec.smt.caller import SymCaller
from spec.smt.context import Scope, SymKey
from spec.smt.strvar import StrVar
from spec.smt.who import ChoiceCaller

_ASCII_DIGITS = z3.Loop(z3.Range("0", "9"), 12, 12)
_TRUST = tuple(atoms.literal(a) for a in sorted(TRUST_ACTIONS))
_ROLE_ARN = (atoms.glob("*:role/*"),)


@lru_cache(maxsize=256)
def _concrete_caller(principal: str | None) -> SymCaller:
    """The caller of a concrete principal (its terms are constants; shared between requests)."""
    return SymCaller("c.caller", principal)


class SymRequest:
    """A request as Z3 terms; ``constraints`` hold the shape of a valid request and the definitions of the
    auxiliary terms; ``finish()`` must be called once everything is encoded."""

    def __init__(self, action: StrVar, resource: StrVar, caller: SymCaller, ra_none: z3.BoolRef,
                 ra: z3.SeqRef, keys: dict[str, SymKey], constraints: list[z3.BoolRef], concrete: bool) -> None:
        self.action, self.resource, self.caller = action, resource, caller
        self.ra_none, self.ra, self.keys = ra_none, ra, keys
        self.constraints = constraints
        self.concrete = concrete
        self.restrictions: list[z3.BoolRef] = []  # narrowings of the request space made by approximations

    @staticmethod
    def symbolic(scope: Scope, name: str = "r", caller: str | None | type[Ellipsis] = None,
                 action: str | None = None, resource: str | None = None,
                 resource_account: str | None | type[Ellipsis] = None,
                 fixed_context: dict[str, str | tuple[str, ...] | None] | None = None,
                 callers: list[str] | None = None) -> SymRequest:
        """A request with free parts. ``caller``: ``None`` (no principal), a principal string, or ``...`` for any
        caller; ``action``/``resource`` fix those parts when given; ``resource_account``: ``None``, an account,
        or ``...`` for any (or none); ``fixed_context`` fixes some keys (lower-case; None: absent); ``callers``: with
        ``caller=...``, the representatives the caller is chosen among (``spec.smt.who``) instead of any string."""
        cons: list[z3.BoolRef] = []
        act = StrVar(f"{name}.action", "action", action.lower() if action is not None else None,
                     frozenset(scope.action_chars))
        res = StrVar(f"{name}.resource", "any", resource)
        if caller is ... and callers is not None:
            who = ChoiceCaller(f"{name}.caller", callers)
        elif caller is ...:
            who = SymCaller(f"{name}.caller", None, symbolic=True)
        else:
            who = SymCaller(f"{name}.caller", caller)
        cons += who.constraints
        if resource_account is ...:
            ra_none, ra = z3.Bool(f"{name}.ra.none"), z3.String(f"{name}.ra")
            cons.append(z3.InRe(ra, _ASCII_DIGITS))
        else:
            ra_none, ra = z3.BoolVal(resource_account is None), strings.sval(resource_account or "")
        fixed = fixed_context or {}
        keys = {key: SymKey(f"{name}.ctx[{key}]", key, 0, fixed[key], concrete=True) if key in fixed
                else SymKey(f"{name}.ctx[{key}]", key, max(1, use.set_clauses))
                for key, use in sorted(scope.keys.items())}
        return SymRequest(act, res, who, ra_none, ra, keys, cons, False)

    @staticmethod
    def of(request: Request, scope: Scope, name: str = "c") -> SymRequest:
        """The concrete request ``request`` (context keys outside ``scope`` play no part)."""
        who = _concrete_caller(request.principal)
        keys = {key: SymKey(f"{name}.ctx[{key}]", key, 0, request.context.get(key), concrete=True)
                for key in sorted(scope.keys)}
        return SymRequest(StrVar(f"{name}.action", "action", request.action.lower()),
                          StrVar(f"{name}.resource", "any", request.resource), who,
                          z3.BoolVal(request.resource_account is None), strings.sval(request.resource_account or ""),
                          keys, list(who.constraints), True)

    def finish(self) -> list[z3.BoolRef]:
        """Every constraint of the request, once the policies are encoded."""
        out = list(self.constraints) + self.action.finish() + self.resource.finish() + list(self.restrictions)
        for key in self.keys.values():
            out += key.all_constraints()
        return out

    @property
    def approximate(self) -> bool:
        return bool(self.restrictions) or any(k.approximate for k in self.keys.values())

    @property
    def is_trust(self) -> z3.BoolRef:
        """Rule *trust policy* (``spec.authorize.is_trust_request``): ``sts:AssumeRole*``, ``sts:TagSession`` or
        ``sts:SetSourceIdentity`` on a role ARN."""
        return z3.And(self.action.member(_TRUST), self.resource.member(_ROLE_ARN))

    @property
    def is_key_policy(self) -> z3.BoolRef:
        """Rule *KMS key policies* (``spec.authorize.is_key_policy_request``): a ``kms:`` action on a key ARN
        (the caller adds: a resource policy is given)."""
        g = atoms.glob
        return z3.And(self.action.member((g("kms:*"),)), self.resource.member((g("arn:*"),)),
                      self.resource.member((g("*:kms:*"),)), self.resource.member((g("*:key/*"),)))

    @property
    def cross_account(self) -> z3.BoolRef:
        """The resource's account is given and differs from the caller's (``spec.layers.evaluate_layers``)."""
        return z3.And(z3.Not(self.ra_none), self.caller.has_account, self.ra != self.caller.account)
