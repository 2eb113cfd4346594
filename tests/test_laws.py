"""Laws of IAM evaluation, checked on random cases with Hypothesis (iam-semantics §7).

Each law holds by construction in IAM per the cited rules; none needs an expected decision for a particular case.
Random cases come from ``strategies.cases()``: non-root callers (a same-account user, a role session, a
cross-account user, an unstated caller), identity/group/boundary/session/resource policies, SCP and RCP trees and
VPC endpoint policies over a small universe of actions, resources, principals and condition keys.

Sources:
- Explicit deny: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
  "If the enforcement code finds even one explicit deny that applies, the code returns a final decision of Deny."
- Default deny / no grant without identity or resource Allow: same page, "By default, all requests are implicitly
  denied" and steps 4-5.
- Order: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies-introduction "AWS applies a
  logical OR across the statements ... logical OR across all of those policies"; multi-value conditions page (OR
  across values).
- Guardrails never grant: boundaries "does not provide permissions on its own"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html); "No permissions are granted by
  an RCP" (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html); SCPs "don't
  directly grant access"; session policies "cannot be used to grant more permissions than those allowed by the
  identity-based policy" (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
"""

from __future__ import annotations

import copy
import random

from hypothesis import given, note
from hypothesis import strategies as st
from strategies import (
    FULL,
    RCP_FULL,
    SESSION,
    all_documents,
    answer,
    cases,
    deny,
    doc,
    guardrail,
    levels,
    shuffled,
    statements,
    without_allows,
)


def decide(c: dict) -> str:
    note(f"case: {c}")
    return answer(c)["decision"]


def _append(d: dict, statement: dict) -> None:
    s = d["Statement"]
    d["Statement"] = (s if isinstance(s, list) else [s]) + [statement]


def _targets(c: dict) -> list[str]:
    """Where a statement can be added to ``c`` so that it is evaluated for this caller."""
    out = ["identity-new", "identity"] if c["identity_policies"] else ["identity-new"]
    if c["group_policies"]:
        out.append("group")
    out.append("boundary")
    if c["request"]["principal"] is not None:
        out += ["resource", "scp", "rcp", "vpce"]
    if c["request"]["principal"] == SESSION:
        out.append("session")
    return out


def with_statement(c: dict, target: str, statement: dict, rnd: random.Random) -> dict:
    """``c`` with ``statement`` added to the policy of kind ``target`` (creating that policy if needed, with an
    Allow-everything companion for guardrails so that creating it does not by itself deny)."""
    c = copy.deepcopy(c)
    needs_principal = target in ("resource", "rcp", "vpce")
    statement = dict(statement)
    if needs_principal:
        statement.setdefault("Principal", "*")
    else:
        statement.pop("Principal", None)
    if target == "identity-new":
        c["identity_policies"].append(doc(statement))
    elif target in ("identity", "group"):
        key = "identity_policies" if target == "identity" else "group_policies"
        _append(rnd.choice(c[key]), statement)
    elif target in ("boundary", "session", "resource"):
        key = {"boundary": "permission_boundary", "session": "session_policy", "resource": "resource_policy"}[target]
        if c[key] is None:
            c[key] = doc(statement) if target == "resource" else doc(*FULL["Statement"], statement)
        else:
            _append(c[key], statement)
    elif target in ("scp", "rcp"):
        key, full = ("scps", FULL) if target == "scp" else ("rcps", RCP_FULL)
        if not c[key]:
            c[key] = levels([copy.deepcopy(full), doc(statement)])
        else:
            lvl = rnd.choice(c[key])
            if lvl["policies"]:
                _append(rnd.choice(lvl["policies"]), statement)
            else:
                lvl["policies"].append(doc(statement))
    elif target == "vpce":
        if not c["vpc_endpoint_policies"]:
            c["vpc_endpoint_policies"] = [doc(*RCP_FULL["Statement"], statement)]
        else:
            _append(rnd.choice(c["vpc_endpoint_policies"]), statement)
    else:  # pragma: no cover - a typo in a test
        raise AssertionError(target)
    return c


# ----------------------------------------------------------------------------------------------------------------
# the laws
# ----------------------------------------------------------------------------------------------------------------


@given(c=cases(), data=st.data())
def test_explicit_deny_dominates(c: dict, data: st.DataObject) -> None:
    """Invariant 1: a matching Deny in any evaluated policy kind makes the decision ExplicitDeny, whatever else."""
    target = data.draw(st.sampled_from(_targets(c)), label="target")
    action = c["request"]["action"]
    stmt = data.draw(st.sampled_from([deny(), deny(action, "*"), deny(action.upper(), "*"),
                                      deny(action, c["request"]["resource"])]), label="deny")
    after = with_statement(c, target, stmt, random.Random(data.draw(st.integers(0, 2**16))))
    assert decide(after) == "ExplicitDeny"


@given(c=cases())
def test_no_allow_without_identity_or_resource_allow(c: dict) -> None:
    """Invariants 2-3: for a non-root caller, Allow needs an identity- or resource-based Allow; with every such
    Allow statement removed the decision is a denial whatever the guardrails say."""
    assert decide(without_allows(c)) in ("ImplicitDeny", "ExplicitDeny")


@given(c=cases(), seed=st.integers(0, 2**32 - 1))
def test_order_does_not_matter(c: dict, seed: int) -> None:
    """Invariant 23: the decision depends on the set of statements, not on statement, policy or value order."""
    assert decide(shuffled(c, random.Random(seed))) == decide(c)


@given(c=cases(), seed=st.integers(0, 2**32 - 1))
def test_sids_do_not_matter(c: dict, seed: int) -> None:
    """Invariant 23: ``Sid`` does not change a decision (fresh, unique, alphanumeric Sids on every statement)."""
    before = decide(c)
    c = copy.deepcopy(c)
    n = 0
    for _, d in all_documents(c):
        ss = d["Statement"] if isinstance(d["Statement"], list) else [d["Statement"]]
        for s in ss:
            n += 1
            s["Sid"] = f"S{seed % 997}x{n}"
    assert decide(c) == before


@given(c=cases(), data=st.data())
def test_adding_an_allow_never_takes_a_permission_away(c: dict, data: st.DataObject) -> None:
    """Allow statements are OR-ed (access_policies.html); widening a guardrail never turns Allow into Deny
    (invariant 3). So adding an Allow statement to any existing or new identity policy, or to any existing policy
    of any kind, keeps an Allow an Allow and an ExplicitDeny an ExplicitDeny."""
    before = decide(c)
    existing = ["identity-new"] + [t for t in _targets(c) if t != "identity-new" and _exists(c, t)]
    target = data.draw(st.sampled_from(existing), label="target")
    stmt = data.draw(statements(effect="Allow"), label="allow")
    after = decide(with_statement(c, target, stmt, random.Random(data.draw(st.integers(0, 2**16)))))
    if before == "Allow":
        assert after == "Allow"
    if before == "ExplicitDeny":
        assert after == "ExplicitDeny"


@given(c=cases(), data=st.data())
def test_adding_a_deny_never_grants(c: dict, data: st.DataObject) -> None:
    """Deny statements only ever take permissions away (denyallow page): a denial stays a denial."""
    before = decide(c)
    target = data.draw(st.sampled_from([t for t in _targets(c) if t == "identity-new" or _exists(c, t)]),
                       label="target")
    stmt = data.draw(statements(effect="Deny"), label="deny")
    after = decide(with_statement(c, target, stmt, random.Random(data.draw(st.integers(0, 2**16)))))
    if before != "Allow":
        assert after != "Allow"
    if before == "ExplicitDeny":
        assert after == "ExplicitDeny"


@given(c=cases(), data=st.data())
def test_adding_a_guardrail_never_turns_a_denial_into_allow(c: dict, data: st.DataObject) -> None:
    """Invariant 3: guardrails (boundary, role-session policy, SCP level, RCP level, VPC endpoint policy) never
    grant. Adding one where there was none (or adding an org level) never turns a denial into Allow.
    (Not for federated-user sessions, whose permissions need a session policy: none are generated here.)"""
    before = decide(c)
    kinds = ["boundary"] if c["permission_boundary"] is None else []
    if c["request"]["principal"] is not None:
        kinds += ["scp", "rcp", "vpce"]
    if c["request"]["principal"] == SESSION and c["session_policy"] is None:
        kinds.append("session")
    if not kinds:
        return
    kind = data.draw(st.sampled_from(kinds), label="guardrail")
    c = copy.deepcopy(c)
    if kind == "boundary":
        c["permission_boundary"] = data.draw(guardrail())
    elif kind == "session":
        c["session_policy"] = data.draw(guardrail())
    elif kind in ("scp", "rcp"):
        key = "scps" if kind == "scp" else "rcps"
        level = data.draw(st.lists(guardrail(kind == "rcp"), max_size=2), label="level")
        c[key] = (c[key] or []) + levels(level)
        c[key][-1]["level"] = f"added-{len(c[key])}"
    else:
        c["vpc_endpoint_policies"] = (c["vpc_endpoint_policies"] or []) + [data.draw(guardrail(True))]
    after = decide(c)
    if before != "Allow":
        assert after != "Allow"
    if before == "ExplicitDeny":
        assert after == "ExplicitDeny"


@given(c=cases())
def test_guardrails_alone_never_grant(c: dict) -> None:
    """Invariant 3, stated directly: with identity, group and resource policies emptied and every guardrail set to
    allow everything, a non-root caller is still denied."""
    c = copy.deepcopy(c)
    c["identity_policies"], c["group_policies"], c["resource_policy"] = [], [], None
    c["permission_boundary"] = copy.deepcopy(FULL)
    if c["request"]["principal"] == SESSION:
        c["session_policy"] = copy.deepcopy(FULL)
    if c["request"]["principal"] is not None:
        c["scps"] = levels([copy.deepcopy(FULL)])
        c["rcps"] = levels([copy.deepcopy(RCP_FULL)])
        c["vpc_endpoint_policies"] = [copy.deepcopy(RCP_FULL)]
    assert decide(c) == "ImplicitDeny"


def _exists(c: dict, target: str) -> bool:
    key = {"identity": "identity_policies", "group": "group_policies", "boundary": "permission_boundary",
           "session": "session_policy", "resource": "resource_policy", "scp": "scps", "rcp": "rcps",
           "vpce": "vpc_endpoint_policies"}[target]
    if target in ("scp", "rcp"):
        return bool(c[key]) and any(lvl["policies"] for lvl in c[key])
    return bool(c[key])
