"""The iam-simulate target: @cloud-copilot/iam-simulate in one long-lived Node process (npm-installed on first use).
Expected answers: the AWS documentation (see test_targets_support)."""

from __future__ import annotations

import shutil
import sys
import time

import pytest
import test_targets_support as S

from harness.targets import node_setup
from harness.targets.base import TargetUnavailable, get_target
from harness.targets.iam_simulate import IamSimulateTarget

NODE = shutil.which("node") and shutil.which("npm")


@pytest.fixture(scope="session")
def simulator():
    if not NODE:
        pytest.skip("Node.js and npm are not installed here: the iam-simulate target cannot run")
    target = get_target("iam-simulate", timeout=10)
    target.start()
    yield target
    target.stop()


def test_iam_simulate_decides_as_aws_documents(simulator) -> None:
    got = S.decisions(simulator, [S.CASE_ALLOW, S.CASE_NO_POLICY, S.CASE_EXPLICIT_DENY, S.CASE_BOUNDARY, S.CASE_SCP_DENY, S.CASE_TRUST_OTHER, S.CASE_TRUST_CALLER])
    assert got["allow"] == {"id": "allow", "decision": "Allow"}
    assert got["no-policy"]["decision"] == "ImplicitDeny"
    assert got["explicit-deny"] == {"id": "explicit-deny", "decision": "ExplicitDeny", "by": ["identity"]}
    assert got["boundary-limits"]["decision"] == "ImplicitDeny" and got["boundary-limits"]["by"] == ["boundary"]
    assert got["scp-deny"]["decision"] == "ExplicitDeny" and got["scp-deny"]["by"] == ["scp"]
    assert got["trust-names-bob"]["decision"] == "ImplicitDeny"
    assert got["trust-names-alice"]["decision"] == "Allow"
    assert simulator.version() == node_setup.wanted_version()


def test_iam_simulate_validation_errors_carry_a_path(simulator) -> None:
    answer = simulator.decide(S.CASE_MALFORMED)
    assert answer["error"]["code"] == "MalformedPolicyDocument"
    assert answer["error"]["where"].startswith("identity_policies[0].Statement")


def test_iam_simulate_takes_the_context_as_given(simulator) -> None:
    # aws:username is not derived from the principal (the case is complete as given): a ${aws:username} grant
    # applies only when the case states the key (policy variables: reference_policies_variables.html).
    grant = S.policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bk/${aws:username}/*"})
    without = S.case("var-absent", "s3:GetObject", "arn:aws:s3:::bk/alice/k", [grant])
    with_key = S.case("var-given", "s3:GetObject", "arn:aws:s3:::bk/alice/k", [grant])
    with_key["request"]["context"] = {"aws:username": "alice"}
    assert simulator.decide(without)["decision"] == "ImplicitDeny"
    assert simulator.decide(with_key)["decision"] == "Allow"


def test_iam_simulate_has_no_api_level(simulator) -> None:
    assert simulator.levels == frozenset({"evaluator"})
    assert all("unsupported" in o for o in simulator.run_scenario(S.SMALL_SCENARIO))


HANGING_DRIVER = (
    "import json, sys, time\n"
    "for line in sys.stdin:\n"
    "    request = json.loads(line)\n"
    "    if request.get('op') == 'version':\n"
    "        print(json.dumps({'version': 'fake'}), flush=True)\n"
    "    elif request['simulation']['request']['action'] == 's3:GetObject':\n"
    "        time.sleep(60)\n"
    "    else:\n"
    "        print('this is not JSON', flush=True)\n"
)


def test_a_hanging_driver_yields_a_crash_within_the_timeout_and_the_run_goes_on() -> None:
    target = IamSimulateTarget(timeout=1.0, argv=[sys.executable, "-c", HANGING_DRIVER])
    target.start()
    try:
        began = time.monotonic()
        answer = target.decide(S.CASE_ALLOW)
        assert "crash" in answer and answer["id"] == "allow"
        assert time.monotonic() - began < 5
        garbage = target.decide(S.case("garbage", "s3:PutObject", "arn:aws:s3:::bk/key"))  # the driver restarted
        assert "crash" in garbage and "not JSON" in garbage["crash"]
    finally:
        target.stop()


def test_missing_node_is_unavailable_with_how_to_install(monkeypatch) -> None:
    monkeypatch.setattr(node_setup.shutil, "which", lambda name: None)
    with pytest.raises(TargetUnavailable) as info:
        get_target("iam-simulate").start()
    assert "Node.js" in info.value.how_to_install
