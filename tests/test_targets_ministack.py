"""The MiniStack target: its evaluator in-process (evaluator level) and its server in a subprocess (API level).
Expected answers: the AWS documentation (see test_targets_support)."""

from __future__ import annotations

import os

import pytest
import test_targets_support as S

from harness.targets.base import get_target


@pytest.fixture(scope="session")
def ministack():
    target = get_target("ministack", timeout=10)
    target.start()
    yield target
    target.stop()


def test_ministack_decides_as_aws_documents(ministack) -> None:
    got = S.decisions(ministack, [S.CASE_ALLOW, S.CASE_NO_POLICY, S.CASE_EXPLICIT_DENY, S.CASE_BOUNDARY, S.CASE_TRUST_OTHER, S.CASE_TRUST_CALLER])
    assert got["allow"]["decision"] == "Allow"
    assert got["no-policy"]["decision"] == "ImplicitDeny"
    assert got["explicit-deny"]["decision"] == "ExplicitDeny"
    assert got["boundary-limits"]["decision"] == "ImplicitDeny"
    assert got["trust-names-bob"]["decision"] == "ImplicitDeny"
    assert got["trust-names-alice"]["decision"] == "Allow"


def test_ministack_resource_policy_deny_is_explicit_and_named(ministack) -> None:
    # "An explicit deny in any policy overrides any allows", a resource-based policy included (evaluation logic).
    bucket_policy = S.policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    answer = ministack.decide(S.case("bucket-deny", "s3:GetObject", "arn:aws:s3:::bk/key", [S.ALLOW_GET], resource_policy=bucket_policy))
    assert answer["decision"] == "ExplicitDeny" and answer["by"] == ["resource"]


def test_ministack_refuses_malformed_policies_and_says_it_has_no_scps(ministack) -> None:
    assert ministack.decide(S.CASE_MALFORMED)["error"]["code"] == "MalformedPolicyDocument"
    assert {"scp.filter", "rcp.filter", "vpce.filter"} <= ministack.unsupported


def test_ministack_server_runs_the_small_scenario_and_stops(ministack) -> None:
    outcomes = ministack.run_scenario(S.SMALL_SCENARIO)
    steps = S.SMALL_SCENARIO["steps"]
    for step, outcome in list(zip(steps, outcomes, strict=True))[:8]:
        expect = step["expect"]
        assert (outcome.get("ok") is True) if expect == "ok" else (outcome == {"ok": False, "error": expect["error"]}), (step, outcome)
    assert outcomes[2]["result"]["Arn"] == S.ALICE
    assert all("unsupported" in o for o in outcomes[8:])
    assert ministack.endpoint_url.startswith("http://127.0.0.1:")
    pid = ministack.pid
    assert pid is not None
    ministack.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    ministack.start()  # the session fixture's teardown stops it again


def test_an_operation_boto3_does_not_know_is_still_sent(ministack) -> None:
    # "InvalidAction: The action or operation requested is invalid."
    # (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html)
    scenario = {"id": "no-such-operation", "account": S.ACCOUNT, "steps": [
        {"as": "root", "call": "iam:AddRoleToGroup", "params": {"GroupName": "g", "RoleName": "r"}},
    ]}
    assert ministack.run_scenario(scenario) == [{"ok": False, "error": "InvalidAction"}]
