"""The ``iamspec decide`` and ``iamspec explain`` commands, end to end through the command line.

Expectations: formats/decision-case.md (one answer line per input line, error lines with an AWS error code, ``--check``
exits non-zero on a mismatch) and the Effect page ("Valid values for Effect are Allow and Deny",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ALLOW_GET = {"Version": "2012-10-17",
             "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def _case(case_id: str, policy: dict, action: str = "s3:GetObject", expected: str | None = None) -> str:
    case = {"id": case_id, "identity_policies": [policy],
            "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": action,
                        "resource": "arn:aws:s3:::bucket/key", "context": {}}}
    if expected:
        case["expected"] = expected
    return json.dumps(case)


def _iamspec(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=60)


def test_one_answer_per_line_and_errors_in_place(tmp_path: Path) -> None:
    bad_effect = {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}
    lines = [_case("c1", ALLOW_GET), "{this is not json", _case("c3", bad_effect), _case("c4", ALLOW_GET, "s3:PutObject")]
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines) + "\n")
    out = _iamspec("decide", str(cases))
    assert out.returncode == 0, out.stderr
    answers = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(answers) == 4
    assert answers[0] == {"id": "c1", "decision": "Allow"}
    assert answers[1]["error"]["code"]
    assert answers[2]["id"] == "c3" and answers[2]["error"]["code"] == "MalformedPolicyDocument"
    assert answers[2]["error"]["where"] == "identity_policies[0].Statement[0].Effect"
    assert answers[3]["decision"] == "ImplicitDeny" and answers[3]["by"] == ["identity"]


def test_check_exits_non_zero_on_a_mismatch(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(_case("ok", ALLOW_GET, expected="Allow") + "\n")
    assert _iamspec("decide", str(cases), "--check").returncode == 0
    cases.write_text(_case("wrong", ALLOW_GET, expected="ImplicitDeny") + "\n")
    out = _iamspec("decide", str(cases), "--check")
    assert out.returncode == 1
    assert "1 mismatch" in out.stderr


def test_explain_names_the_statement_and_the_failing_condition(tmp_path: Path) -> None:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "FromOffice", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
    case = json.loads(_case("x", policy))
    case["request"]["context"] = {"aws:SourceIp": "198.51.100.7"}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    out = _iamspec("explain", str(path))
    assert out.returncode == 0, out.stderr
    assert "ImplicitDeny" in out.stdout
    assert "Sid=FromOffice" in out.stdout and "IpAddress" in out.stdout and "198.51.100.7" in out.stdout


def test_root_with_identity_policies_is_refused_not_answered() -> None:
    """"You cannot attach identity-based policies to the root user, and you cannot set the permissions boundary for
    the root user" (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#access_policies-root):
    such a case describes no real principal and gets an error line."""
    from spec.decide import answer_case

    case = json.loads(_case("root", ALLOW_GET))
    case["request"]["principal"] = "arn:aws:iam::111122223333:root"
    out = answer_case(case)
    assert out["error"]["code"] == "ValidationError" and out["error"]["where"] == "identity_policies"
    del case["identity_policies"]
    assert answer_case(case)["decision"] == "Allow"  # "the AWS account root user, which has full access"
