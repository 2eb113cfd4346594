"""``iamspec can`` on an imported authorization-details file (the README's "can X do Y on Z" question).

The fixture (spec/identity/data/example-authorization-details.json) was written by hand in the shape of
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html. Expectations:
- carol holds the AWS managed policy ReadOnlyAccess, whose statements allow ``s3:Get*`` and no write action
  (the policy's text, /work/shared/corpora/managed-policies.jsonl);
- DeployRole's trust policy names bob's user ARN only: "Add the user as a principal directly in the role's trust
  policy" lets him assume it; anyone else is refused ("no role trust policy allows", STS AssumeRole page,
  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DETAILS = str(Path(__file__).resolve().parents[1] / "spec" / "identity" / "data" / "example-authorization-details.json")
ACCOUNT = "111122223333"


def can(principal: str, action: str, resource: str = "*") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness", "can", f"arn:aws:iam::{ACCOUNT}:{principal}", action,
                           resource, "--details", DETAILS], capture_output=True, text=True, timeout=60)


def test_managed_read_only_policy_reads_but_does_not_write() -> None:
    assert can("user/carol", "s3:GetObject", "arn:aws:s3:::any-bucket/key").returncode == 0
    out = can("user/carol", "s3:PutObject", "arn:aws:s3:::any-bucket/key")
    assert out.returncode == 1 and out.stdout.startswith("ImplicitDeny")


def test_only_the_trusted_user_assumes_the_role() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/DeployRole"
    assert can("user/developers/bob", "sts:AssumeRole", role).returncode == 0
    out = can("user/carol", "sts:AssumeRole", role)
    assert out.returncode == 1 and "resource" in out.stdout


def test_unknown_principal_is_a_clear_error() -> None:
    out = can("user/nobody", "s3:GetObject")
    assert out.returncode == 2 and "NoSuchEntity" in out.stderr
