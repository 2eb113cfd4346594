"""A catalogue of deliberately wrong semantics: each mutant replaces one rule in the encoding (spec.smt) and the same
rule in the model (spec), so that a sound proof suite refutes at least one invariant and the model's tests fail.

Model patches wrap or replace a rule function at run time (nothing in spec/ is edited); ``mutation`` applies them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import z3

from spec.smt import conditions as sc
from spec.smt import decision as sd
from spec.smt import encode as se
from spec.smt import strings
from spec.smt import transitions as st


@dataclass(frozen=True)
class Patch:
    """Replace ``module.attr`` by ``make(original)``; with ``everywhere`` also every other reference to the same
    object in spec's modules (names imported with ``from ... import``)."""

    module: str
    attr: str
    make: Callable[[Any], Any]
    everywhere: bool = True


@dataclass(frozen=True)
class Mutant:
    name: str
    wrong: str  # what the mutant gets wrong, in one sentence
    encoding: tuple[Patch, ...]
    model: tuple[Patch, ...]
    expect: tuple[str, ...] = field(default=())  # invariants expected to be refuted (for the report)


def _ev(original: Callable, **changes: Callable[[sd.Ev, Any], Any]) -> Callable:
    """Wrap ``decision.combine``: change fields of its result (``fn(ev, layerset)``)."""
    def combine(c, ls, trust, key_policy, cross):
        ev = original(c, ls, trust, key_policy, cross)
        return replace(ev, **{k: fn(ev, ls, c) for k, fn in changes.items()})
    return combine


def _layers(original: Callable, change: Callable[[Any, Any, Any], None]) -> Callable:
    """Wrap ``spec.layers.evaluate_layers``: ``change(ev, caller, policies)`` edits the evaluated layers."""
    def evaluate_layers(request, caller, ps):
        ev = original(request, caller, ps)
        change(ev, caller, ps)
        return ev
    return evaluate_layers


def _iam_nonroot(caller: Any) -> bool:
    from spec.callers import CallerKind
    return caller.kind not in (CallerKind.SERVICE, CallerKind.ANONYMOUS, CallerKind.PROVIDER, CallerKind.ROOT)


def _absent(clause: Any, context: Any) -> bool:
    value = context.get(clause.key)
    return value is None or value == ()


def _missing(original: Callable, rule: Callable[[Any], bool | None]) -> Callable:
    """Wrap ``spec.conditions.clause_holds``: for an absent key, ``rule(clause)`` decides unless it gives None."""
    def clause_holds(clause, context):
        if clause.operator.family != "null" and _absent(clause, context):
            got = rule(clause)
            if got is not None:
                return got
        return original(clause, context)
    return clause_holds


def _grant_to(source: int, target: int) -> Callable:
    from spec.principals import Grant

    def change(ev, _caller, _ps):
        if ev.grant is Grant(source):
            ev.grant = Grant(target)
    return change


def _decide_wrapper(original: Callable, before: Callable) -> Callable:
    def decide(request, caller, ev, key_policy=False):
        return before(original, request, caller, copy.copy(ev), key_policy)
    return decide


def _allow_beats_deny(orig, request, caller, ev, key_policy):
    from spec.principals import Grant
    if ev.denied_by and (ev.identity_allows or ev.grant is not Grant.NONE):
        ev.denied_by = ()
    return orig(request, caller, ev, key_policy)


def _root_assumes(orig, request, caller, ev, key_policy):
    from spec.callers import CallerKind
    if caller.kind is CallerKind.ROOT:
        request = replace(request, action="iamspec:NotAssumeRole")
    return orig(request, caller, ev, key_policy)


def _one_side(orig, request, caller, ev, key_policy):
    if ev.cross_account and _iam_nonroot(caller):
        ev.cross_account = False
    return orig(request, caller, ev, key_policy)


def _first_only(original: Callable) -> Callable:
    def applying(*args, **kwargs):
        return original(*args, **kwargs)[:1]
    return applying


def _resolve_empty(_original: Callable) -> Callable:
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


def _enc_resolve_empty(_original: Callable) -> Callable:
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


def _role_as_user(original: Callable) -> Callable:
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


def _fresh_clock(original: Callable) -> Callable:
    def authenticate(world, creds, service):
        return original(replace(world, now=-(10 ** 12)), creds, service)
    return authenticate


def _conditions_or(clauses: Any, context: Any) -> bool:
    import spec.conditions as model
    return not clauses or any(model.clause_holds(c, context) for c in clauses)


def _set(value: Any) -> Callable[[Any], Any]:
    return lambda _original: value


def _session_ok_model(ignore_policy: bool, federated_free: bool) -> Callable:
    def make(original: Callable) -> Callable:
        def _session_ok(caller, ev):
            if caller.is_session and ev.has_session and ignore_policy:
                return True
            if caller.is_session and not ev.has_session and federated_free:
                return True
            return original(caller, ev)
        return _session_ok
    return make


def _first_layer(_original: Callable) -> Callable:
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


M = Mutant
L = "spec.layers"
A = "spec.authorize"
C = "spec.conditions"
SC = "spec.smt.conditions"
SD = "spec.smt.decision"
ST = "spec.smt.transitions"
T = Patch

CATALOGUE: tuple[Mutant, ...] = (
    M("allow_beats_deny", "an applicable Allow overrides an explicit Deny",
      (T(SD, "explicit_deny", lambda o: lambda ev: z3.And(o(ev), z3.Not(z3.Or(ev.identity_allows, ev.grant != sd.NONE)))),),
      (T(A, "decide", lambda o: _decide_wrapper(o, _allow_beats_deny)),), ("explicit_deny_wins",)),
    M("resource_deny_ignored", "Deny statements in resource-based policies are not counted",
      (T(SD, "combine", lambda o: lambda c, ls, *a: o(c, replace(ls, resource=replace(ls.resource, denied=z3.BoolVal(False))), *a)),),
      (T(L, "evaluate_layers", lambda o: _layers(o, lambda ev, c, ps: setattr(ev, "denied_by", tuple(k for k in ev.denied_by if k != "resource")))),),
      ("explicit_deny_wins",)),
    M("boundary_ignored", "a permissions boundary never limits",
      (T(SD, "combine", lambda o: _ev(o, boundary_allows=lambda ev, ls, c: z3.BoolVal(True))),),
      (T(L, "evaluate_layers", lambda o: _layers(o, lambda ev, c, ps: setattr(ev, "boundary_allows", True))),),
      ("boundary_caps_identity_grants",)),
    M("boundary_grants", "a permissions boundary's Allow counts as an identity-based Allow",
      (T(SD, "combine", lambda o: _ev(o, identity_allows=lambda ev, ls, c: z3.Or(ev.identity_allows, z3.And(
          ls.has_boundary, ls.boundary.allowed, z3.Not(c.outside), z3.Not(c.root))))),),
      (T(L, "evaluate_layers", lambda o: _layers(o, lambda ev, c, ps: setattr(ev, "identity_allows", ev.identity_allows or (
          ps.boundary is not None and _iam_nonroot(c) and ev.boundary_allows)))),),
      ("boundary_never_grants",)),
    M("scp_any_level", "an Allow at one level of the organization tree suffices",
      (T(SD, "every_level", lambda o: lambda levels: z3.Or(*[z3.And(lv.exists, lv.layer.allowed) for lv in levels]) if levels else z3.BoolVal(True)),),
      (T("spec.layers", "_Walk.levels", lambda o: lambda self, kind, levels: True if levels is None else any(
          [self.layer(kind, f"{kind}s[{i}].policies", lvl)[0] for i, lvl in enumerate(levels)])),),
      ("organization_policies_filter",)),
    M("scp_grants", "an SCP Allow counts as an identity-based Allow",
      (T(SD, "combine", lambda o: _ev(o, identity_allows=lambda ev, ls, c: z3.Or(ev.identity_allows, z3.And(
          ls.has_scps, sd.every_level(ls.scps), z3.Not(c.outside), z3.Not(c.root), z3.Not(c.service_linked))))),),
      (T(L, "evaluate_layers", lambda o: _layers(o, lambda ev, c, ps: setattr(ev, "identity_allows", ev.identity_allows or (
          ps.scps is not None and _iam_nonroot(c) and not c.service_linked and ev.scps_allow)))),),
      ("scps_never_grant",)),
    M("rcp_ignored", "a resource control policy without an applicable Allow does not block",
      (T(SD, "combine", lambda o: _ev(o, rcps_allow=lambda ev, ls, c: z3.BoolVal(True))),),
      (T(L, "evaluate_layers", lambda o: _layers(o, lambda ev, c, ps: setattr(ev, "rcps_allow", True))),),
      ("organization_policies_filter",)),
    M("session_policy_ignored", "a session policy never limits a session",
      (T(SD, "session_ok", lambda o: lambda c, ev: z3.Or(z3.Not(c.is_session), z3.If(ev.has_session, True, z3.Not(c.federated)))),),
      (T(A, "_session_ok", _session_ok_model(True, False)),), ("session_within_role",)),
    M("federated_without_session_allowed", "a federated-user session without a session policy keeps its user's permissions",
      (T(SD, "session_ok", lambda o: lambda c, ev: z3.Or(z3.Not(c.is_session), z3.If(ev.has_session, ev.session_allows, True))),),
      (T(A, "_session_ok", _session_ok_model(False, True)),), ("federated_session_needs_session_policy",)),
    M("trust_ignored", "AssumeRole is decided like any request: the trust policy need not allow",
      (T(SD, "decide", lambda o: lambda c, ev: o(c, replace(ev, trust=z3.BoolVal(False)))),),
      (T(A, "is_trust_request", _set(lambda request: False)),), ("assume_role_requires_trust",)),
    M("root_can_assume", "the root user may assume roles",
      (T(SD, "root_allowed", lambda o: lambda ev: z3.Or(z3.Not(ev.cross_account), ev.grant >= sd.ACCOUNT)),),
      (T(A, "decide", lambda o: _decide_wrapper(o, _root_assumes)),), ("only_users_and_roles_assume_roles",)),
    M("cross_account_one_side", "a cross-account request needs only the caller's identity policy",
      (T(SD, "cross_account_allowed", lambda o: lambda c, ev: sd.identity_path(c, ev)),),
      (T(A, "decide", lambda o: _decide_wrapper(o, _one_side)),), ("cross_account_needs_both",)),
    M("role_grant_as_direct", "a resource policy naming a session's role is not limited by its boundary or session policy",
      (T(SD, "combine", lambda o: _ev(o, grant=lambda ev, ls, c: z3.If(ev.grant == sd.VIA_ROLE, sd.DIRECT, ev.grant))),),
      (T(L, "evaluate_layers", lambda o: _layers(o, _grant_to(2, 3))),), ("session_within_role",)),
    M("account_grant_as_direct", "a resource policy naming the caller's account grants without an identity policy",
      (T(SD, "combine", lambda o: _ev(o, grant=lambda ev, ls, c: z3.If(ev.grant == sd.ACCOUNT, sd.DIRECT, ev.grant))),),
      (T(L, "evaluate_layers", lambda o: _layers(o, _grant_to(1, 3))),), ("default_deny",)),
    M("negated_false_on_missing", "a negated operator is false when the key is missing",
      (T(SC, "missing_key", lambda o: lambda n, ie, fa, fy: z3.If(z3.Or(ie, fa), True, False)),),
      (T(C, "clause_holds", lambda o: _missing(o, lambda c: False if c.operator.negated and not c.if_exists and c.qualifier is None else None)),),
      ("missing_key_table",)),
    M("ifexists_ignored", "...IfExists does not make a missing key's condition true",
      (T(SC, "missing_key", lambda o: lambda n, ie, fa, fy: z3.If(fa, True, z3.If(fy, False, n))),),
      (T(C, "clause_holds", lambda o: _missing(o, lambda c: None if not c.if_exists or c.qualifier == "ForAllValues" else (
          False if c.qualifier == "ForAnyValue" else c.operator.negated))),), ("missing_key_table",)),
    M("forall_false_on_missing", "ForAllValues is false when the key is missing",
      (T(SC, "missing_key", lambda o: lambda n, ie, fa, fy: z3.If(ie, True, z3.If(z3.Or(fa, fy), False, n))),),
      (T(C, "clause_holds", lambda o: _missing(o, lambda c: False if c.qualifier == "ForAllValues" and not c.if_exists else None)),),
      ("missing_key_table",)),
    M("forany_true_on_missing", "ForAnyValue is true when the key is missing",
      (T(SC, "missing_key", lambda o: lambda n, ie, fa, fy: z3.If(z3.Or(ie, fa, fy), True, n)),),
      (T(C, "clause_holds", lambda o: _missing(o, lambda c: True if c.qualifier == "ForAnyValue" else None)),),
      ("missing_key_table",)),
    M("negated_as_or", "a negated operator holds when the value differs from some (not every) policy value",
      (T(SC, "matches_one", lambda o: lambda negated, hits: z3.If(negated, z3.Or(*[z3.Not(h) for h in hits]) if hits else z3.BoolVal(False), z3.Or(*hits) if hits else z3.BoolVal(False))),),
      (T(C, "_matches_one", lambda o: lambda clause, tests, value: any(not t(value) for t in tests) if clause.operator.negated else any(t(value) for t in tests)),),
      ("negated_operator_is_complement",)),
    M("conditions_or", "the conditions of a statement are OR-ed",
      (T(SC, "all_hold", lambda o: lambda truths: z3.Or(*truths) if truths else z3.BoolVal(True)),),
      (T(C, "conditions_hold", lambda o: _conditions_or),),
      ("conditions_are_conjunctive",)),
    M("unresolved_variable_matches", "a policy variable without a value reads as the empty string",
      (T("spec.smt.encode", "Encoder._resolve", _enc_resolve_empty),),
      (T("spec.variables", "Template.resolve", _resolve_empty),), ("unresolved_variable_never_matches",)),
    M("first_statement_decides", "the first applicable statement decides, as in a firewall",
      (T(SD, "layer", _first_layer),), (T("spec.statements", "applying", _first_only),),
      ("order_and_duplicates_irrelevant",)),
    M("null_inverted", "Null: true means the key is present",
      (T(SC, "null_holds", lambda o: lambda wt, wf, present: o(wt, wf, z3.Not(present))),),
      (T(C, "_null", lambda o: lambda clause, present: o(clause, not present)),), ("missing_key_table",)),
    M("chaining_uncapped", "a session made by role chaining may last up to the role's MaxSessionDuration",
      (T(ST, "assume_duration_ok", lambda o: lambda d, m, temporary: o(d, m, z3.BoolVal(False))),),
      (T("spec.identity.sts", "CHAINED_MAX", _set(43200), False),), ("session_duration_within_bounds",)),
    M("keys_for_roles", "a role can be given a long-term access key",
      (T(ST, "can_hold_keys", lambda o: lambda kind: z3.Or(kind == st.USER, kind == st.ROLE)),),
      (T("spec.identity.iam_keys", "find_user", _role_as_user, False),), ("roles_hold_no_standing_credentials",)),
    M("third_key", "a user may hold a third access key",
      (T(ST, "key_quota", lambda o: lambda count: count < 3),),
      (T("spec.identity.iam_keys", "KEYS_PER_USER", _set(3), False),), ("at_most_two_keys",)),
    M("expired_credentials_accepted", "expired temporary credentials still authenticate",
      (T(ST, "credentials_valid", lambda o: lambda s, i: s.live[i]),),
      (T("spec.identity.auth", "authenticate", _fresh_clock),), ("expired_credentials_never_authorize",)),
    M("roles_join_groups", "a role can be added to a group",
      (T(ST, "can_join_group", lambda o: lambda kind: z3.Or(kind == st.USER, kind == st.ROLE)),),
      (T("spec.identity.iam_users", "find_user", _role_as_user, False),), ("group_members_are_users",)),
)

BY_NAME = {m.name: m for m in CATALOGUE}
_ = (se, sc)  # the encoding modules patched by name above
