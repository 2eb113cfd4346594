"""The generators: cases and scenarios in the shared formats, real actions with ARNs of the right shape, every
condition operator family, the feature each example is generated for, and swarm toggles that leave out what a
target cannot express."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.features import BY_ID, FEATURE_IDS, classify_case, classify_scenario
from harness.generate.cases import CASE_FEATURES, case_for
from harness.generate.conditions import _OPS
from harness.generate.corpus import actions, arn_patterns
from harness.generate.scenarios import SCENARIO_FEATURES, scenario_for

FAST = settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
CASE_KEYS = {"id", "identity_policies", "group_policies", "permission_boundary", "scps", "rcps", "resource_policy",
             "session_policy", "vpc_endpoint_policies", "request", "tags"}


def test_every_feature_has_a_generator_at_some_level():
    for fid in FEATURE_IDS:
        assert fid in CASE_FEATURES or fid in SCENARIO_FEATURES, fid
        assert BY_ID[fid].levels


@FAST
@given(st.sampled_from(CASE_FEATURES).flatmap(lambda f: st.tuples(st.just(f), case_for(f))))
def test_cases_are_decision_cases_for_their_feature(pair):
    feature, case = pair
    assert set(case) == CASE_KEYS
    assert case["id"].startswith(feature + "/") and case["tags"] == [feature]
    assert feature in classify_case(case)
    json.dumps(case)  # plain JSON
    assert set(case["request"]) == {"principal", "action", "resource", "resource_account", "context", "context_types"}


@FAST
@given(st.sampled_from(SCENARIO_FEATURES).flatmap(lambda f: st.tuples(st.just(f), scenario_for(f))))
def test_scenarios_are_scenarios_for_their_feature(pair):
    feature, scenario = pair
    assert scenario["id"].startswith(feature + "/") and re.fullmatch(r"\d{12}", scenario["account"])
    for step in scenario["steps"]:
        assert ("advance" in step) or (re.fullmatch(r"(iam|sts|s3):[A-Z]\w+", step["call"]) and "as" in step)
    assert feature in classify_scenario(scenario)


def test_actions_are_real_and_their_resource_types_have_arn_patterns():
    names = {a.name for a in actions()}
    assert {"s3:GetObject", "iam:CreateUser", "sts:AssumeRole", "dynamodb:GetItem"} <= names
    patterns = arn_patterns()
    for a in actions():
        for t in a.resource_types:
            assert patterns[(a.name.split(":")[0], t)].startswith("arn:${Partition}:")


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from([f for f in CASE_FEATURES if f.startswith("condition.")]).flatmap(case_for))
def test_condition_operators_used(case):
    """Collects operators across examples; the check is in the next test (every family of the operators page,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)."""
    for op in re.findall(r'"((?:ForAllValues:|ForAnyValue:)?[A-Z][A-Za-z]+)": \{', json.dumps(case)):
        SEEN.add(op.split(":")[-1].removesuffix("IfExists"))


SEEN: set[str] = set()


def test_every_operator_family_appears():
    test_condition_operators_used()
    families = {name for ops in _OPS.values() for name in ops}
    assert len(families & SEEN) >= len(families) - 4, sorted(families - SEEN)
    for must in ("StringLike", "NumericLessThan", "DateGreaterThan", "Bool", "BinaryEquals", "IpAddress",
                 "ArnLike", "Null", "StringEqualsIgnoreCase"):
        assert must in SEEN or any(s.startswith(must[:6]) for s in SEEN), must


@FAST
@given(case_for("condition.null", frozenset(f for f in FEATURE_IDS if f.split(".")[0] in ("scp", "rcp", "vpce"))))
def test_avoided_features_are_not_generated(case):
    assert case["scps"] is None and case["rcps"] is None and case["vpc_endpoint_policies"] is None
