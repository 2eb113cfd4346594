"""The principalmapper target: PMapper 1.1.5 in a worker subprocess. Expected answers: the AWS documentation (see
test_targets_support); PMapper answers booleans, so a denial is ImplicitDeny whichever kind it is."""

from __future__ import annotations

import os
import signal
import sys

import pytest
import test_targets_support as S

from harness.targets.base import EXPLICIT_VS_IMPLICIT, TargetUnavailable, get_target
from harness.targets.principalmapper import PrincipalMapperTarget


@pytest.fixture(scope="session")
def pmapper():
    target = get_target("principalmapper", timeout=10)
    target.start()
    yield target
    target.stop()


def test_principalmapper_decides_as_aws_documents(pmapper) -> None:
    got = S.decisions(pmapper, [S.CASE_ALLOW, S.CASE_NO_POLICY, S.CASE_EXPLICIT_DENY, S.CASE_BOUNDARY, S.CASE_SCP_DENY, S.CASE_TRUST_OTHER, S.CASE_TRUST_CALLER])
    assert got["allow"] == {"id": "allow", "decision": "Allow"}
    for denied in ("no-policy", "explicit-deny", "boundary-limits", "scp-deny", "trust-names-bob"):
        assert got[denied]["decision"] == "ImplicitDeny", denied
    assert got["trust-names-alice"]["decision"] == "Allow"
    assert EXPLICIT_VS_IMPLICIT in pmapper.unsupported
    assert pmapper.version() == "1.1.5"


def test_a_caller_principalmapper_cannot_model_is_a_crash_that_says_so(pmapper) -> None:
    case = S.case("root", "s3:GetObject", "arn:aws:s3:::bk/key")
    case["request"]["principal"] = f"arn:aws:iam::{S.ACCOUNT}:root"
    answer = pmapper.decide(case)
    assert "unsupported by principalmapper" in answer["crash"]
    assert "root.full-access" in pmapper.unsupported


def test_a_worker_that_dies_costs_one_answer_only(pmapper) -> None:
    os.kill(pmapper._proc.pid, signal.SIGKILL)
    first = pmapper.decide(S.CASE_ALLOW)  # a crash, or already the restarted worker's answer if the death was seen
    assert "crash" in first or first.get("decision") == "Allow"  # before the request went out
    assert pmapper.decide(S.CASE_ALLOW)["decision"] == "Allow"  # restarted


def test_principalmapper_that_cannot_import_is_unavailable() -> None:
    fake = [sys.executable, "-c", "import json, sys\nfor line in sys.stdin: print(json.dumps({'unavailable': 'ImportError: no'}), flush=True)"]
    with pytest.raises(TargetUnavailable) as info:
        PrincipalMapperTarget(argv=fake).start()
    assert "principalmapper" in info.value.how_to_install
