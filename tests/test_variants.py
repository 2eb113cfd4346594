"""Request variants (harness/generate/variants.py): more cases from one drawn policy set, and still sound inputs.

What must hold for the conformance run to stay honest when it asks many requests of one drawn case: the policies and
the caller are the drawn case's own; the keys AWS sets from the caller are never changed; every action is a real
action of the request's service; a trust request stays a trust request; no request is asked twice; the first ``n``
variants are the same whatever the batch size (so a divergent case can be replayed and shrunk from its index).
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.generate.batch import Batch
from harness.generate.cases import CASE_FEATURES, NAMES, case_batch_for
from harness.generate.corpus import actions
from harness.generate.scenario_variants import SESSION_PROBES, scenario_batch_for
from harness.generate.scenarios import PROBES, ROLE_ARN, SCENARIO_FEATURES
from harness.generate.variants import FIXED_KEYS, variants
from spec.decide import answer_case

REAL_ACTIONS = {a.name for a in actions()}
POLICY_FIELDS = ("identity_policies", "group_policies", "permission_boundary", "session_policy", "resource_policy",
                 "scps", "rcps", "vpc_endpoint_policies")
BATCHES = st.sampled_from(CASE_FEATURES).flatmap(case_batch_for)
PROBE_CALLS = {c for c, *_ in PROBES} | {c for c, _ in SESSION_PROBES} | {"sts:AssumeRole"}
SETTINGS = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(BATCHES)
def test_variants_keep_policies_caller_and_the_keys_aws_sets(batch: Batch) -> None:
    base = batch.base
    for case in batch.items(64)[1:]:
        for field in POLICY_FIELDS:
            assert case[field] is base[field]
        assert case["request"]["principal"] == base["request"]["principal"]
        assert case["request"].get("resource_account") == base["request"].get("resource_account")
        assert case["tags"] == base["tags"] and case["id"].startswith(base["id"] + ".v")
        ctx, base_ctx = case["request"]["context"], base["request"]["context"]
        for key, value in base_ctx.items():
            if key.lower() in FIXED_KEYS:
                assert ctx.get(key) == value, key


@SETTINGS
@given(BATCHES)
def test_variant_actions_are_real_and_of_the_same_service(batch: Batch) -> None:
    base_action = batch.base["request"]["action"]
    service = base_action.split(":")[0].lower()
    for case in batch.items(64)[1:]:
        action = case["request"]["action"]
        if action != base_action:
            assert action in REAL_ACTIONS and action.split(":")[0].lower() == service
            assert not action.startswith("sts:AssumeRole")


@SETTINGS
@given(BATCHES)
def test_trust_requests_vary_only_the_context(batch: Batch) -> None:
    request = batch.base["request"]
    if request["action"].lower() != "sts:assumerole":
        return
    for case in batch.items(32)[1:]:
        assert (case["request"]["action"], case["request"]["resource"]) == (request["action"], request["resource"])


@SETTINGS
@given(BATCHES)
def test_no_request_is_asked_twice_and_prefixes_are_stable(batch: Batch) -> None:
    cases = batch.items(48)
    keys = [repr(sorted(c["request"].items())) for c in cases]
    assert len(keys) == len(set(keys))
    assert batch.items(7) == cases[:7]
    assert batch.item(5) == (cases[5] if len(cases) > 5 else None)


@SETTINGS
@given(BATCHES)
def test_the_model_refuses_a_variant_only_when_it_refuses_the_drawn_case(batch: Batch) -> None:
    """Variants are well-formed decision cases: changing the request never makes a case the model cannot read."""
    base_error = "error" in answer_case(batch.base)
    for case in batch.items(16)[1:]:
        assert ("error" in answer_case(case)) == base_error, case


def test_variants_reach_both_allow_and_deny_from_one_policy_set() -> None:
    """The point of variants: nearby requests land on both sides of the policies. A user allowed s3:GetObject on one
    bucket, asked about other S3 actions and resources."""
    case = {"id": "t", "identity_policies": [{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::examplebucket/*"}]}],
        "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
                    "resource": "arn:aws:s3:::examplebucket/home/alice/report.txt", "context": {}}}
    decisions = {answer_case(v)["decision"] for v in variants(case, random.Random(1), NAMES)}
    assert decisions == {"Allow", "ImplicitDeny"}


SCENARIO_BATCHES = st.sampled_from(SCENARIO_FEATURES).flatmap(scenario_batch_for)  # invariants included


@SETTINGS
@given(SCENARIO_BATCHES)
def test_scenario_variants_keep_the_world_and_change_only_the_probes(batch: Batch) -> None:
    base = batch.base["steps"]
    world = base[:next((i for i, s in enumerate(base) if s.get("as") != "root"), len(base))]
    items = batch.items(8)
    assert items[0] is batch.base and batch.items(3) == items[:3]
    tails = [repr(s["steps"][len(world):]) for s in items]
    assert len(tails) == len(set(tails))
    for scenario in items[1:]:
        assert scenario["steps"][: len(world)] == world and len(scenario["steps"]) > len(world)
        for step in scenario["steps"][len(world):]:
            assert step["call"] in PROBE_CALLS, step
        assume = [s for s in scenario["steps"][len(world):] if s["call"] == "sts:AssumeRole"]
        assert len(assume) <= 1 and all(s["params"]["RoleArn"] == ROLE_ARN for s in assume)


def test_invariant_scenarios_have_no_variants() -> None:
    """An IAM/STS invariant scenario's steps are the point (quotas, durations, expiry): none is replaced."""
    from harness.generate.invariants import INVARIANTS

    @SETTINGS
    @given(st.sampled_from(sorted(INVARIANTS)).flatmap(scenario_batch_for))
    def check(batch: Batch) -> None:
        assert batch.items(4) == [batch.base]

    check()


def test_batch_size_keeps_drawing_within_its_share_of_the_targets_time() -> None:
    """One input per draw until draws and target calls have been measured; then the smallest power of two that
    brings drawing under GENERATION_SHARE of the target's time, capped at MAX_BATCH."""
    from harness.costs import GENERATION_SHARE, MAX_BATCH, LevelCosts

    assert LevelCosts().batch_size() == 1
    assert LevelCosts(draw_s=0.005, draws=1).batch_size() == 1  # the target not measured yet
    slow = LevelCosts(draw_s=0.005, draws=1, target_s=1.0, inputs=10)  # 100 ms an input: drawing is 5% of one
    assert slow.batch_size() == 2
    fast = LevelCosts(draw_s=0.004, draws=1, target_s=0.001, inputs=10)  # 0.1 ms an input
    size = fast.batch_size()
    assert size & (size - 1) == 0 and size <= MAX_BATCH
    assert 0.004 / size <= GENERATION_SHARE * 0.0001 or size == MAX_BATCH
    assert LevelCosts(draw_s=1.0, draws=1, target_s=1e-6, inputs=1).batch_size() == MAX_BATCH
