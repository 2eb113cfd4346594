"""``iamspec prove``: every named invariant is PROVED, quickly, and a wrong semantics is REFUTED with a
counterexample that replays through the (equally wrong) model.

Issue 4's requirement: at least 12 named invariants, all proved in under a minute on this machine; a refuted proof
comes with a decoded counterexample; UNKNOWN is never shown as proved.
"""

from __future__ import annotations

import json
import time

import z3

from harness.cli import main
from spec.smt import invariants, mutation, prove
from spec.smt.mutants import BY_NAME


def test_every_invariant_is_proved_within_a_minute() -> None:
    start = time.perf_counter()
    results = prove.prove_all()
    elapsed = time.perf_counter() - start
    assert len(results) >= 12
    assert [r.name for r in results if r.status != prove.PROVED] == []
    assert elapsed < 60


def test_each_invariant_states_itself_and_its_source() -> None:
    for name, fn in prove.registry().items():
        doc = fn.__doc__ or ""
        assert invariants.statement_of(fn), name
        assert "Source:" in doc or "https://docs.aws.amazon.com" in doc, name


def test_prove_json(capsys) -> None:
    assert main(["prove", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {tuple(sorted(r)) for r in rows} == {("name", "seconds", "statement", "status")}
    assert all(r["status"] == "PROVED" for r in rows)


def test_a_wrong_semantics_is_refuted_with_a_replayed_counterexample() -> None:
    with mutation.applied(BY_NAME["allow_beats_deny"]):
        result = prove.prove("explicit_deny_wins")
        assert result.status == prove.REFUTED
        example = result.counterexample
        assert example and "case" in example, example
        # the counterexample is a decision case where a Deny applies and the (mutated) decision is not ExplicitDeny
        assert example["case"]["expected"] != "ExplicitDeny"


def test_prove_exits_nonzero_when_a_proof_fails(capsys) -> None:
    with mutation.applied(BY_NAME["conditions_or"]):
        assert main(["prove", "--only", "conditions_are_conjunctive"]) == 1
    assert "REFUTED" in capsys.readouterr().out


def test_listing_order_is_kept_across_the_decision_modules() -> None:
    """The invariants over worlds live in two modules (decisions, role sessions and assuming roles); ``iamspec
    prove`` still lists them in ``prove.ORDER``, then the statement and condition ones, then identity state."""
    names = list(prove.registry())
    assert names[:len(prove.ORDER)] == list(prove.ORDER)
    assert names[len(prove.ORDER)] == "order_and_duplicates_irrelevant"
    assert names[-1] == "expired_credentials_never_authorize"
    modules = {prove.registry()[n].__module__ for n in prove.ORDER}
    assert modules == {"spec.smt.invariants", "spec.smt.role_invariants"}


def test_policies_in_force_for_each_kind_of_caller() -> None:
    """The hypothesis of ``explicit_deny_wins``: which policies are in force for whom (iam-semantics §4.1; SCPs
    restrict the member account's root user but not service-linked roles; RCPs apply to whoever calls; only
    sessions carry a session policy; services and anonymous callers have no identity-based policies)."""
    import z3

    from spec.smt.world import make_world

    w = make_world(statements=invariants.STATEMENTS)
    force, ls = invariants.in_force(w), w.layers
    everything = [ls.has_boundary, ls.has_session, ls.has_resource, ls.has_scps, ls.has_rcps, ls.has_vpce,
                  *[lv.exists for lv in ls.scps + ls.rcps + ls.vpce]]

    def in_force(kind: str, key: str, linked: bool = False) -> bool:
        s = z3.Solver()
        s.add(*w.constraints, *everything, getattr(w.caller, kind), w.caller.service_linked == linked)
        assert s.check() == z3.sat
        s.add(z3.Not(force[key]))
        return s.check() == z3.unsat

    assert in_force("root", "scps[6]") and not in_force("root", "identity") and not in_force("root", "boundary")
    assert in_force("user", "identity") and in_force("user", "boundary") and not in_force("user", "session")
    assert in_force("session", "session") and in_force("federated", "session") and in_force("session", "scps[0]")
    assert not in_force("session", "scps[0]", linked=True) and not in_force("role", "rcps[0]", linked=True)
    assert in_force("anonymous", "rcps[3]") and in_force("anonymous", "resource") and in_force("service", "vpce[1]")
    assert not in_force("anonymous", "identity") and not in_force("service", "scps[0]")
    assert not in_force("none", "resource")


def test_removing_a_boundary_only_removes_not_principal_denies() -> None:
    """``World.unbounded``'s tie, on the real encoder: with a boundary a NotPrincipal Deny applies to everyone
    (access_policies_boundaries.html); without it, the resource policy's and a VPC endpoint policy's Allows and
    grants are the same and their Denies apply to the same callers or fewer. The difference is real: alice, exempt
    from the NotPrincipal Deny (her account is listed too, iam-semantics §2.2), is denied only because of the
    boundary (so ``boundary_never_grants`` needs the tie). Each statement decides its own action, so a boundary
    that wrongly touched a NotPrincipal Allow or a Principal statement would show."""
    from spec.authorize import PolicySet
    from spec.policy import PolicyKind, parse_policy
    from spec.smt.context import scope_of
    from spec.smt.decision import layers_of
    from spec.smt.encode import Encoder
    from spec.smt.request import SymRequest
    from spec.smt.who import representatives

    alice = "arn:aws:iam::111122223333:user/alice"
    statements = [
        {"Effect": "Deny", "NotPrincipal": {"AWS": [alice, "arn:aws:iam::111122223333:root"]}, "Action": "s3:GetObject",
         "Resource": "*"},
        {"Effect": "Allow", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/bob",
                                                     "arn:aws:iam::111122223333:root"]}, "Action": "s3:GetObject",
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:ListBucket", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"}]
    resource = parse_policy({"Version": "2012-10-17", "Statement": statements}, PolicyKind.RESOURCE)
    vpce = parse_policy({"Version": "2012-10-17", "Statement": statements}, PolicyKind.VPCE)
    boundary = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                                     "Resource": "*"}]}, PolicyKind.BOUNDARY)
    req = SymRequest.symbolic(scope_of([resource, vpce]), "q", ..., resource_account="111122223333",
                              callers=representatives([resource, vpce]))
    enc = Encoder(req)
    bounded = layers_of(enc, PolicySet(boundary=boundary, resource=resource, vpce=(vpce,)))
    unbounded = layers_of(enc, PolicySet(resource=resource, vpce=(vpce,)))
    cons = req.finish()
    for with_it, without in ((bounded.resource, unbounded.resource), (bounded.vpce[0].layer, unbounded.vpce[0].layer)):
        tie = z3.And(with_it.allowed == without.allowed, with_it.grant == without.grant,
                     z3.Implies(without.denied, with_it.denied))
        solver = z3.Solver()
        solver.add(*cons, z3.Not(tie))
        assert solver.check() == z3.unsat
        solver = z3.Solver()
        solver.add(*cons, with_it.denied, z3.Not(without.denied))
        assert solver.check() == z3.sat


def test_a_boundary_denies_a_caller_a_not_principal_deny_exempts() -> None:
    """The rule on concrete cases, in the model and in the encoder: a NotPrincipal Deny listing the caller and its
    account (and, for a session, its role) exempts it; with a permissions boundary attached it "will always deny"
    (access_policies_boundaries.html), in a resource policy and in a VPC endpoint policy alike. A caller it does not
    list is denied either way."""
    from spec.authorize import authorize
    from spec.case import parse_case
    from spec.smt.concrete import decide

    account = "111122223333"
    user, role = f"arn:aws:iam::{account}:user/alice", f"arn:aws:iam::{account}:role/app"
    session = f"arn:aws:sts::{account}:assumed-role/app/s1"
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": [user, role, session, f"arn:aws:iam::{account}:root"]},
         "Action": "s3:*", "Resource": "*"}]}
    for caller, exempt in ((user, True), (session, True), (f"arn:aws:iam::{account}:user/bob", False)):
        for where in ("resource_policy", "vpc_endpoint_policies"):
            for bounded in (False, True):
                case: dict = {"id": "t", "identity_policies": [everything], "request": {
                    "principal": caller, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
                    "resource_account": account, "context": {}}}
                case[where] = policy if where == "resource_policy" else [policy]
                if bounded:
                    case["permission_boundary"] = everything
                parsed = parse_case(case)
                expected = "Allow" if exempt and not bounded else "ExplicitDeny"
                assert authorize(parsed.request, parsed.policies).decision == expected, (caller, where, bounded)
                assert decide(parsed.request, parsed.policies) == expected, (caller, where, bounded)
