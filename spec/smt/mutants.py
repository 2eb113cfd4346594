"""A catalogue of deliberately wrong semantics: each mutant replaces one rule in the encoding (spec.smt) and the same
rule in the model (spec), so that a sound proof suite refutes at least one invariant and the model's tests fail.

Model patches wrap or replace a rule function at run time (nothing in spec/ is edited); ``mutation`` applies them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import z3

from spec.smt import decision as sd
from spec.smt import transitions as st
from spec.smt.mutant_patches import (
    allow_beats_deny_,
    applying_drops_deny_,
    conditions_or_,
    decide_wrapper_,
    enc_no_default_,
    enc_resolve_empty_,
    ev_,
    first_layer_,
    first_only_,
    fresh_clock_,
    grant_to_,
    iam_nonroot_,
    if_exists_unread_,
    key_policy_ignored_,
    layer_drops_deny_,
    layers_,
    missing_,
    no_default_,
    one_side_,
    resolve_empty_,
    role_as_user_,
    root_assumes_,
    root_cross_account_free_,
    same_account_no_trust_boundary_,
    scp_deny_spares_root_,
    scp_deny_spares_root_model_,
    session_ok_model_,
    set_,
    trust_user_boundary_ignored_,
)


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
      (T(A, "decide", lambda o: decide_wrapper_(o, allow_beats_deny_)),), ("explicit_deny_wins",)),
    M("resource_deny_ignored", "Deny statements in resource-based policies are not counted",
      (T(SD, "combine", lambda o: lambda c, ls, *a: o(c, replace(ls, resource=replace(ls.resource, denied=z3.BoolVal(False))), *a)),),
      (T(L, "evaluate_layers", lambda o: layers_(o, lambda ev, c, ps: setattr(ev, "denied_by", tuple(k for k in ev.denied_by if k != "resource")))),),
      ("explicit_deny_wins",)),
    M("scp_deny_spares_root", "an SCP Deny does not apply to the member account's root user",
      (T(SD, "combine", scp_deny_spares_root_),),
      (T(L, "evaluate_layers", lambda o: layers_(o, scp_deny_spares_root_model_)),), ("explicit_deny_wins",)),
    M("boundary_ignored", "a permissions boundary never limits",
      (T(SD, "combine", lambda o: ev_(o, boundary_allows=lambda ev, ls, c: z3.BoolVal(True))),),
      (T(L, "evaluate_layers", lambda o: layers_(o, lambda ev, c, ps: setattr(ev, "boundary_allows", True))),),
      ("boundary_caps_identity_grants",)),
    M("boundary_grants", "a permissions boundary's Allow counts as an identity-based Allow",
      (T(SD, "combine", lambda o: ev_(o, identity_allows=lambda ev, ls, c: z3.Or(ev.identity_allows, z3.And(
          ls.has_boundary, ls.boundary.allowed, z3.Not(c.outside), z3.Not(c.root))))),),
      (T(L, "evaluate_layers", lambda o: layers_(o, lambda ev, c, ps: setattr(ev, "identity_allows", ev.identity_allows or (
          ps.boundary is not None and iam_nonroot_(c) and ev.boundary_allows)))),),
      ("boundary_never_grants",)),
    M("scp_any_level", "an Allow at one level of the organization tree suffices",
      (T(SD, "every_level", lambda o: lambda levels: z3.Or(*[z3.And(lv.exists, lv.layer.allowed) for lv in levels]) if levels else z3.BoolVal(True)),),
      (T("spec.layers", "_Walk.levels", lambda o: lambda self, kind, levels: True if levels is None else any(
          [self.layer(kind, f"{kind}s[{i}].policies", lvl)[0] for i, lvl in enumerate(levels)])),),
      ("organization_policies_filter",)),
    M("scp_grants", "an SCP Allow counts as an identity-based Allow",
      (T(SD, "combine", lambda o: ev_(o, identity_allows=lambda ev, ls, c: z3.Or(ev.identity_allows, z3.And(
          ls.has_scps, sd.every_level(ls.scps), z3.Not(c.outside), z3.Not(c.root), z3.Not(c.service_linked))))),),
      (T(L, "evaluate_layers", lambda o: layers_(o, lambda ev, c, ps: setattr(ev, "identity_allows", ev.identity_allows or (
          ps.scps is not None and iam_nonroot_(c) and not c.service_linked and ev.scps_allow)))),),
      ("scps_never_grant",)),
    M("rcp_ignored", "a resource control policy without an applicable Allow does not block",
      (T(SD, "combine", lambda o: ev_(o, rcps_allow=lambda ev, ls, c: z3.BoolVal(True))),),
      (T(L, "evaluate_layers", lambda o: layers_(o, lambda ev, c, ps: setattr(ev, "rcps_allow", True))),),
      ("organization_policies_filter",)),
    M("session_policy_ignored", "a session policy never limits a session",
      (T(SD, "session_ok", lambda o: lambda c, ev: z3.Or(z3.Not(c.is_session), z3.If(ev.has_session, True, z3.Not(c.federated)))),),
      (T(A, "_session_ok", session_ok_model_(True, False)),), ("session_within_role",)),
    M("session_policy_grants", "a session policy's Allow counts as an identity-based Allow for a session",
      (T(SD, "combine", lambda o: ev_(o, identity_allows=lambda ev, ls, c: z3.Or(ev.identity_allows, ev.session_allows))),),
      (T(L, "evaluate_layers", lambda o: layers_(o, lambda ev, c, ps: setattr(ev, "identity_allows", ev.identity_allows or (
          ps.session is not None and iam_nonroot_(c) and ev.session_allows)))),),
      ("session_within_its_role", "session_policy_never_grants")),
    M("federated_without_session_allowed", "a federated-user session without a session policy keeps its user's permissions",
      (T(SD, "session_ok", lambda o: lambda c, ev: z3.Or(z3.Not(c.is_session), z3.If(ev.has_session, ev.session_allows, True))),),
      (T(A, "_session_ok", session_ok_model_(False, True)),), ("federated_session_needs_session_policy",)),
    M("trust_ignored", "AssumeRole is decided like any request: the trust policy need not allow",
      (T(SD, "decide", lambda o: lambda c, ev: o(c, replace(ev, trust=z3.BoolVal(False)))),),
      (T(A, "is_trust_request", set_(lambda request: False)),), ("assume_role_requires_trust",)),
    M("root_can_assume", "the root user may assume roles",
      (T(SD, "root_allowed", lambda o: lambda ev: z3.Or(z3.Not(ev.cross_account), ev.grant >= sd.ACCOUNT)),),
      (T(A, "decide", lambda o: decide_wrapper_(o, root_assumes_)),), ("only_users_and_roles_assume_roles",)),
    M("trust_user_boundary_ignored", "a trust policy naming a user lets it assume the role whatever its boundary says",
      (T(SD, "same_account_allowed", same_account_no_trust_boundary_),),
      (T(A, "decide", lambda o: decide_wrapper_(o, trust_user_boundary_ignored_)),),
      ("trust_naming_user_keeps_boundary",)),
    M("root_cross_account_free", "the root user has full access to other accounts' resources too",
      (T(SD, "root_allowed", lambda o: lambda ev: z3.Not(ev.trust)),),
      (T(A, "decide", lambda o: decide_wrapper_(o, root_cross_account_free_)),), ("root_cross_account_needs_grant",)),
    M("key_policy_ignored", "a KMS key policy need not allow: identity-based policies suffice",
      (T(SD, "key_policy_refused", lambda o: lambda ev: z3.BoolVal(False)),),
      (T(A, "decide", lambda o: decide_wrapper_(o, key_policy_ignored_)),), ("key_policy_must_grant",)),
    M("cross_account_one_side", "a cross-account request needs only the caller's identity policy",
      (T(SD, "cross_account_allowed", lambda o: lambda c, ev: sd.identity_path(c, ev)),),
      (T(A, "decide", lambda o: decide_wrapper_(o, one_side_)),), ("cross_account_needs_both",)),
    M("role_grant_as_direct", "a resource policy naming a session's role is not limited by its boundary or session policy",
      (T(SD, "combine", lambda o: ev_(o, grant=lambda ev, ls, c: z3.If(ev.grant == sd.VIA_ROLE, sd.DIRECT, ev.grant))),),
      (T(L, "evaluate_layers", lambda o: layers_(o, grant_to_(2, 3))),), ("session_within_role",)),
    M("account_grant_as_direct", "a resource policy naming the caller's account grants without an identity policy",
      (T(SD, "combine", lambda o: ev_(o, grant=lambda ev, ls, c: z3.If(ev.grant == sd.ACCOUNT, sd.DIRECT, ev.grant))),),
      (T(L, "evaluate_layers", lambda o: layers_(o, grant_to_(1, 3))),), ("default_deny",)),
    M("negated_false_on_missing", "a negated operator is false when the key is missing",
      (T(SC, "missing_key", lambda o: lambda n, ie, fa, fy: z3.If(z3.Or(ie, fa), True, False)),),
      (T(C, "clause_holds", lambda o: missing_(o, lambda c: False if c.operator.negated and not c.if_exists and c.qualifier is None else None)),),
      ("missing_key_table",)),
    M("ifexists_ignored", "...IfExists does not make a missing key's condition true",
      (T(SC, "missing_key", lambda o: lambda n, ie, fa, fy: z3.If(fa, True, z3.If(fy, False, n))),),
      (T(C, "clause_holds", lambda o: missing_(o, lambda c: None if not c.if_exists or c.qualifier == "ForAllValues" else (
          False if c.qualifier == "ForAnyValue" else c.operator.negated))),), ("missing_key_table",)),
    M("forall_false_on_missing", "ForAllValues is false when the key is missing",
      (T(SC, "missing_key", lambda o: lambda n, ie, fa, fy: z3.If(ie, True, z3.If(z3.Or(fa, fy), False, n))),),
      (T(C, "clause_holds", lambda o: missing_(o, lambda c: False if c.qualifier == "ForAllValues" and not c.if_exists else None)),),
      ("missing_key_table",)),
    M("forany_true_on_missing", "ForAnyValue is true when the key is missing",
      (T(SC, "missing_key", lambda o: lambda n, ie, fa, fy: z3.If(z3.Or(ie, fa, fy), True, n)),),
      (T(C, "clause_holds", lambda o: missing_(o, lambda c: True if c.qualifier == "ForAnyValue" else None)),),
      ("missing_key_table",)),
    M("if_exists_unread", "a condition is read without its ...IfExists suffix",
      (T(SC, "key_truth", if_exists_unread_),), (T(C, "clause_holds", if_exists_unread_),), ("missing_key_table",)),
    M("negated_as_or", "a negated operator holds when the value differs from some (not every) policy value",
      (T(SC, "matches_one", lambda o: lambda negated, hits: z3.If(negated, z3.Or(*[z3.Not(h) for h in hits]) if hits else z3.BoolVal(False), z3.Or(*hits) if hits else z3.BoolVal(False))),),
      (T(C, "_matches_one", lambda o: lambda clause, tests, value: any(not t(value) for t in tests) if clause.operator.negated else any(t(value) for t in tests)),),
      ("negated_operator_is_complement",)),
    M("conditions_or", "the conditions of a statement are OR-ed",
      (T(SC, "all_hold", lambda o: lambda truths: z3.Or(*truths) if truths else z3.BoolVal(True)),),
      (T(C, "conditions_hold", lambda o: conditions_or_),),
      ("conditions_are_conjunctive",)),
    M("unresolved_variable_matches", "a policy variable without a value reads as the empty string",
      (T("spec.smt.encode", "Encoder._resolve", enc_resolve_empty_),),
      (T("spec.variables", "Template.resolve", resolve_empty_),), ("unresolved_variable_never_matches",)),
    M("variable_default_ignored", "a policy variable's default is never used: an absent key leaves it unresolved",
      (T("spec.smt.encode", "Encoder._resolve", enc_no_default_),),
      (T("spec.variables", "Template.resolve", no_default_),), ("unresolved_variable_never_matches",)),
    M("first_statement_decides", "the first applicable statement decides, as in a firewall",
      (T(SD, "layer", first_layer_),), (T("spec.statements", "applying", first_only_),),
      ("order_and_duplicates_irrelevant", "explicit_deny_wins")),
    M("deny_after_allow_dropped", "a Deny statement that follows an Allow statement is lost",
      (T(SD, "layer", layer_drops_deny_),), (T("spec.statements", "applying", applying_drops_deny_),),
      ("order_and_duplicates_irrelevant", "explicit_deny_wins")),
    M("null_inverted", "Null: true means the key is present",
      (T(SC, "null_holds", lambda o: lambda wt, wf, present: o(wt, wf, z3.Not(present))),),
      (T(C, "_null", lambda o: lambda clause, present: o(clause, not present)),), ("missing_key_table",)),
    M("chaining_uncapped", "a session made by role chaining may last up to the role's MaxSessionDuration",
      (T(ST, "assume_duration_ok", lambda o: lambda d, m, temporary: o(d, m, z3.BoolVal(False))),),
      (T("spec.identity.sts", "CHAINED_MAX", set_(43200), False),), ("session_duration_within_bounds",)),
    M("keys_for_roles", "a role can be given a long-term access key",
      (T(ST, "can_hold_keys", lambda o: lambda kind: z3.Or(kind == st.USER, kind == st.ROLE)),),
      (T("spec.identity.iam_keys", "find_user", role_as_user_, False),), ("roles_hold_no_standing_credentials",)),
    M("third_key", "a user may hold a third access key",
      (T(ST, "key_quota", lambda o: lambda count: count < 3),),
      (T("spec.identity.iam_keys", "KEYS_PER_USER", set_(3), False),), ("at_most_two_keys",)),
    M("expired_credentials_accepted", "expired temporary credentials still authenticate",
      (T(ST, "credentials_valid", lambda o: lambda s, i: s.live[i]),),
      (T("spec.identity.auth", "authenticate", fresh_clock_),), ("expired_credentials_never_authorize",)),
    M("roles_join_groups", "a role can be added to a group",
      (T(ST, "can_join_group", lambda o: lambda kind: z3.Or(kind == st.USER, kind == st.ROLE)),),
      (T("spec.identity.iam_users", "find_user", role_as_user_, False),), ("group_members_are_users",)),
)

BY_NAME = {m.name: m for m in CATALOGUE}
