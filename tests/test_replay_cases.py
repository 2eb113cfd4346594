"""``iamspec replay`` on decision cases (a conformance report's NAME.cases.jsonl): each case is answered by the
target's evaluator and met when the decision equals ``expected``.

Expectation: a Deny in the identity policy overrides the Allow ("An explicit deny in any of these policies
overrides the allow", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _case(case_id: str, expected: str) -> dict:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}
    return {"id": case_id, "identity_policies": [policy], "expected": expected,
            "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:DeleteObject",
                        "resource": "arn:aws:s3:::bucket/key", "context": {}}}


def _replay(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", "replay", str(path), "--target", "model", *extra],
                          capture_output=True, text=True, timeout=60)


def test_cases_replay_and_a_wrong_expectation_is_not_met(tmp_path: Path) -> None:
    path = tmp_path / "x.cases.jsonl"
    path.write_text(json.dumps(_case("right", "ExplicitDeny")) + "\n")
    out = _replay(path, "--json", str(tmp_path / "out.json"))
    assert out.returncode == 0, out.stdout + out.stderr
    record = json.loads((tmp_path / "out.json").read_text())[0]
    assert record["met"] is True and record["outcome"]["decision"] == "ExplicitDeny"
    path.write_text(json.dumps(_case("wrong", "Allow")) + "\n")
    out = _replay(path)
    assert out.returncode == 1 and "NOT MET" in out.stdout
