"""The moto targets (in-process and ThreadedMotoServer): moto's own evaluator called as moto calls it, and
scenarios through real boto3 clients. Expected answers: the AWS documentation (see test_targets_support), and,
where moto is known to differ, the hands-on findings in ../shared/reference/targets.md (§1.1)."""

from __future__ import annotations

import pytest
import test_targets_support as S

from harness.targets.base import EXPLICIT_VS_IMPLICIT, get_target


@pytest.fixture(scope="session")
def moto_target():
    target = get_target("moto", timeout=10)
    target.start()
    yield target
    target.stop()


@pytest.fixture(scope="session")
def moto_server():
    target = get_target("moto-server", timeout=10)
    target.start()
    yield target
    target.stop()


def test_moto_decides_as_aws_documents_where_moto_implements_it(moto_target) -> None:
    got = S.decisions(moto_target, [S.CASE_ALLOW, S.CASE_NO_POLICY, S.CASE_TRUST_OTHER, S.CASE_TRUST_CALLER])
    assert got["allow"] == {"id": "allow", "decision": "Allow"}
    assert got["no-policy"]["decision"] == "ImplicitDeny"
    assert got["trust-names-bob"]["decision"] == "ImplicitDeny"
    assert got["trust-names-alice"]["decision"] == "Allow"


def test_moto_answers_booleans_so_every_denial_is_implicit_and_it_says_so(moto_target) -> None:
    assert moto_target.decide(S.CASE_EXPLICIT_DENY)["decision"] == "ImplicitDeny"
    assert EXPLICIT_VS_IMPLICIT in moto_target.unsupported


def test_moto_deny_with_notresource_grants_as_targets_md_found(moto_target) -> None:
    # targets.md §1.1: "A statement without Resource (i.e. NotResource ...) returns PERMITTED whatever its Effect".
    # AWS would deny (evaluation logic page): this checks that the adapter runs moto's real code, bug included.
    deny = S.policy({"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*"})
    answer = moto_target.decide(S.case("notresource", "s3:PutObject", "arn:aws:s3:::bk/key", [deny]))
    assert answer["decision"] == "Allow"


def test_moto_refuses_a_malformed_policy_with_its_own_validator(moto_target) -> None:
    answer = moto_target.decide(S.CASE_MALFORMED)
    assert answer["error"]["code"] == "MalformedPolicyDocument"
    assert answer["error"]["where"] == "identity_policies[0]"


def test_a_case_that_is_not_a_case_is_an_error_not_a_crash(moto_target) -> None:
    answer = moto_target.decide({"id": "x", "request": {"principal": S.ALICE}})
    assert answer["id"] == "x" and answer["error"]["code"] == "ValidationError"


@pytest.mark.parametrize("fixture", ["moto_target", "moto_server"])
def test_moto_runs_the_small_scenario(fixture: str, request) -> None:
    target = request.getfixturevalue(fixture)
    outcomes = target.run_scenario(S.SMALL_SCENARIO)
    steps = S.SMALL_SCENARIO["steps"]
    assert len(outcomes) == len(steps)
    for step, outcome in list(zip(steps, outcomes, strict=True))[:8]:
        expect = step["expect"]
        assert (outcome.get("ok") is True) if expect == "ok" else (outcome == {"ok": False, "error": expect["error"]}), (step, outcome)
    # results carry the fields the model predicts; ARN format: reference_identifiers.html
    assert outcomes[2]["result"]["Arn"] == S.ALICE
    assert outcomes[1]["result"]["AccessKey"]["AccessKeyId"].startswith("AKIA")
    assert outcomes[0]["result"]["User"]["CreateDate"].endswith("Z")
    # moto has no clock: the advance and every later step are unsupported, never passed
    assert all("unsupported" in o for o in outcomes[8:])


def test_moto_scenarios_do_not_leak_state(moto_target) -> None:
    first = moto_target.run_scenario(S.SMALL_SCENARIO)
    second = moto_target.run_scenario(S.SMALL_SCENARIO)
    assert first[0]["ok"] and second[0]["ok"]  # CreateUser alice again: the state was wiped between them


def test_moto_server_leaves_enforcement_off_between_scenarios(moto_server) -> None:
    from moto import settings

    moto_server.run_scenario(S.SMALL_SCENARIO)
    count = settings.INITIAL_NO_AUTH_ACTION_COUNT
    assert count == float("inf")
