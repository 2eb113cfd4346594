"""The pieces the mutants of ``mutants.CATALOGUE`` are made of: wrappers and replacements of the model's rule
functions (``spec``) and of the encoding's (``spec.smt``), each getting one rule wrong."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import z3

from spec.smt import decision as sd
from spec.smt import strings


def ev_(original: Callable, **changes: Callable[[sd.Ev, Any], Any]) -> Callable:
    """Wrap ``decision.combine``: change fields of its result (``fn(ev, layerset)``)."""
    def combine(c, ls, trust, key_policy, cross):
        ev = original(c, ls, trust, key_policy, cross)
        return replace(ev, **{k: fn(ev, ls, c) for k, fn in changes.items()})
    return combine


def layers_(original: Callable, change: Callable[[Any, Any, Any], None]) -> Callable:
    """Wrap ``spec.layers.evaluate_layers``: ``change(ev, caller, policies)`` edits the evaluated layers."""
    def evaluate_layers(request, caller, ps):
        ev = original(request, caller, ps)
        change(ev, caller, ps)
        return ev
    return evaluate_layers


def iam_nonroot_(caller: Any) -> bool:
    from spec.callers import CallerKind
    return caller.kind not in (CallerKind.SERVICE, CallerKind.ANONYMOUS, CallerKind.PROVIDER, CallerKind.ROOT)


def absent_(clause: Any, context: Any) -> bool:
    value = context.get(clause.key)
    return value is None or value == ()


def missing_(original: Callable, rule: Callable[[Any], bool | None]) -> Callable:
    """Wrap ``spec.conditions.clause_holds``: for an absent key, ``rule(clause)`` decides unless it gives None."""
    def clause_holds(clause, context):
        if clause.operator.family != "null" and absent_(clause, context):
            got = rule(clause)
            if got is not None:
                return got
        return original(clause, context)
    return clause_holds


def grant_to_(source: int, target: int) -> Callable:
    from spec.principals import Grant

    def change(ev, _caller, _ps):
        if ev.grant is Grant(source):
            ev.grant = Grant(target)
    return change


def decide_wrapper_(original: Callable, before: Callable) -> Callable:
    def decide(request, caller, ev, key_policy=False):
        return before(original, request, caller, copy.copy(ev), key_policy)
    return decide


def allow_beats_deny_(orig, request, caller, ev, key_policy):
    from spec.principals import Grant
    if ev.denied_by and (ev.identity_allows or ev.grant is not Grant.NONE):
        ev.denied_by = ()
    return orig(request, caller, ev, key_policy)


def root_assumes_(orig, request, caller, ev, key_policy):
    from spec.callers import CallerKind
    if caller.kind is CallerKind.ROOT:
        request = replace(request, action="iamspec:NotAssumeRole")
    return orig(request, caller, ev, key_policy)


def one_side_(orig, request, caller, ev, key_policy):
    if ev.cross_account and iam_nonroot_(caller):
        ev.cross_account = False
    return orig(request, caller, ev, key_policy)


def first_only_(original: Callable) -> Callable:
    def applying(*args, **kwargs):
        return original(*args, **kwargs)[:1]
    return applying


def resolve_empty_(_original: Callable) -> Callable:
    """``Template.resolve`` where a variable without a value becomes the empty string."""
    from spec.variables import Escaped

    def resolve(self, context):
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append((part, True))
            elif isinstance(part, Escaped):
                out.append((part.char, False))
            else:
                value = context.get(part.key)
                value = part.default if value is None and part.default is not None else value
                out.append((value if isinstance(value, str) else "", False))
        return tuple(out)
    return resolve


def enc_resolve_empty_(_original: Callable) -> Callable:
    def _resolve(self, template):
        from spec.variables import Escaped, Variable
        pieces = []
        for part in template.parts:
            if isinstance(part, str):
                pieces.append((part, True))
            elif isinstance(part, Escaped):
                pieces.append((part.char, False))
            elif isinstance(part, Variable):
                key = self.req.keys[part.key]
                fallback = strings.sval(part.default if part.default is not None else "")
                absent_value = fallback if part.default is not None else strings.sval("")
                value = z3.If(key.is_single, key.single.mark_string(),
                              z3.If(key.is_absent, absent_value, strings.sval("")))
                pieces.append((value, False))
        return z3.BoolVal(True), self._fold(pieces)
    return _resolve


def role_as_user_(original: Callable) -> Callable:
    """``find_user`` that also finds a role of that name (as if it were a user)."""
    def find_user(account, name):
        from spec.errors import IamError
        from spec.identity.entities import User
        try:
            return original(account, name)
        except IamError:
            role = account.roles.get(name.lower())
            if role is None:
                raise
            return User(role.name, role.path, role.role_id, role.arn, role.created)
    return find_user


def fresh_clock_(original: Callable) -> Callable:
    def authenticate(world, creds, service):
        return original(replace(world, now=-(10 ** 12)), creds, service)
    return authenticate


def conditions_or_(clauses: Any, context: Any) -> bool:
    import spec.conditions as model
    return not clauses or any(model.clause_holds(c, context) for c in clauses)


def set_(value: Any) -> Callable[[Any], Any]:
    return lambda _original: value


def session_ok_model_(ignore_policy: bool, federated_free: bool) -> Callable:
    def make(original: Callable) -> Callable:
        def _session_ok(caller, ev):
            if caller.is_session and ev.has_session and ignore_policy:
                return True
            if caller.is_session and not ev.has_session and federated_free:
                return True
            return original(caller, ev)
        return _session_ok
    return make


def first_layer_(_original: Callable) -> Callable:
    """``decision.layer`` where the first applicable statement alone decides."""
    def layer(applied):
        allowed, denied, grant = z3.BoolVal(False), z3.BoolVal(False), z3.IntVal(sd.NONE)
        for a in reversed(applied):
            eff = z3.BoolVal(a.allows) if isinstance(a.allows, bool) else a.allows
            allowed = z3.If(a.applies, eff, allowed)
            denied = z3.If(a.applies, z3.Not(eff), denied)
            grant = z3.If(a.applies, z3.If(eff, a.grant, sd.NONE), grant)
        return sd.Layer(allowed, grant, denied)
    return layer


def _deny_after_allow_dropped(items: list, allows: Callable[[Any], bool | None]) -> list:
    """The items without the Deny ones (``allows`` False) that come after an Allow (``allows`` True)."""
    out, seen = [], False
    for item in items:
        if allows(item) is False and seen:
            continue
        seen = seen or allows(item) is True
        out.append(item)
    return out


def layer_drops_deny_(original: Callable) -> Callable:
    """``decision.layer`` where a statement with a concrete Deny effect after one with a concrete Allow is lost."""
    def layer(applied):
        return original(_deny_after_allow_dropped(list(applied), lambda a: a.allows if isinstance(a.allows, bool)
                                                  else None))
    return layer


def applying_drops_deny_(original: Callable) -> Callable:
    """``spec.statements.applying`` where a Deny statement after an applicable Allow in the same policy is lost."""
    def applying(*args, **kwargs):
        return _deny_after_allow_dropped(original(*args, **kwargs), lambda pair: pair[0].allows)
    return applying


def same_account_no_trust_boundary_(original: Callable) -> Callable:
    """``decision.same_account_allowed`` where a trust policy naming a user grants whatever its boundary says."""
    def same_account_allowed(c, ev):
        return z3.If(z3.And(ev.trust, ev.grant == sd.DIRECT), True, original(c, ev))
    return same_account_allowed


def trust_user_boundary_ignored_(orig, request, caller, ev, key_policy):
    from spec.authorize import is_trust_request
    from spec.callers import CallerKind
    from spec.principals import Grant
    if is_trust_request(request) and caller.kind is CallerKind.USER and ev.grant is Grant.DIRECT:
        ev.boundary_allows = True
    return orig(request, caller, ev, key_policy)


def root_cross_account_free_(orig, request, caller, ev, key_policy):
    from spec.callers import CallerKind
    if caller.kind is CallerKind.ROOT:
        ev.cross_account = False
    return orig(request, caller, ev, key_policy)


def key_policy_ignored_(orig, request, caller, ev, key_policy):
    return orig(request, caller, ev, False)


def scp_deny_spares_root_(original: Callable) -> Callable:
    """``decision.combine`` where an SCP Deny does not count for the account's root user."""
    def combine(c, ls, trust, key_policy, cross):
        ev = original(c, ls, trust, key_policy, cross)
        quiet = tuple(replace(lv, layer=replace(lv.layer, denied=z3.BoolVal(False))) for lv in ls.scps)
        spared = original(c, replace(ls, scps=quiet), trust, key_policy, cross)
        return replace(ev, denied=z3.If(c.root, spared.denied, ev.denied))
    return combine


def scp_deny_spares_root_model_(ev: Any, caller: Any, _ps: Any) -> None:
    from spec.callers import CallerKind
    if caller.kind is CallerKind.ROOT:
        ev.denied_by = tuple(k for k in ev.denied_by if k != "scp")


def if_exists_unread_(original: Callable) -> Callable:
    """A clause read without its ``...IfExists`` suffix (``conditions.key_truth`` or ``spec.conditions.clause_holds``,
    whose first argument is the clause)."""
    def wrapper(clause, *rest):
        return original(replace(clause, if_exists=False), *rest)
    return wrapper


def _without_defaults(template: Any) -> Any:
    from spec.variables import Template, Variable
    return Template(template.raw, tuple(Variable(p.key) if isinstance(p, Variable) else p for p in template.parts))


def enc_no_default_(original: Callable) -> Callable:
    """``Encoder._resolve`` with every ``${key, 'default'}`` read as ``${key}``."""
    def _resolve(self, template):
        return original(self, _without_defaults(template))
    return _resolve


def no_default_(original: Callable) -> Callable:
    """``Template.resolve`` with every ``${key, 'default'}`` read as ``${key}``."""
    def resolve(self, context):
        return original(_without_defaults(self), context)
    return resolve
