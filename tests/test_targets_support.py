"""Shared inputs for the target tests (no tests of its own): decision cases and a small scenario whose expected
answers come from the AWS documentation named beside each, never from running the model.

Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import copy
from typing import Any

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def case(cid: str, action: str, resource: str, identity: list[dict] | None = None, **extra: Any) -> dict:
    out = {
        "id": cid,
        "identity_policies": identity or [],
        "group_policies": [],
        "permission_boundary": None,
        "scps": None,
        "rcps": None,
        "resource_policy": None,
        "session_policy": None,
        "vpc_endpoint_policies": None,
        "request": {"principal": ALICE, "action": action, "resource": resource, "resource_account": None, "context": {}},
    }
    out.update(copy.deepcopy(extra))
    return out


ALLOW_GET = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bk/*"})
DENY_ALL_S3 = policy({"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
ALLOW_ASSUME = policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})


def trust(principal_arn: str) -> dict:
    return policy({"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sts:AssumeRole"})


# "an explicit allow in an identity-based policy" grants the request (evaluation logic page).
CASE_ALLOW = case("allow", "s3:GetObject", "arn:aws:s3:::bk/key", [ALLOW_GET])
# "By default, all requests are implicitly denied" (evaluation logic page).
CASE_NO_POLICY = case("no-policy", "s3:GetObject", "arn:aws:s3:::bk/key")
# "An explicit deny in any policy overrides any allows" (evaluation logic page).
CASE_EXPLICIT_DENY = case("explicit-deny", "s3:GetObject", "arn:aws:s3:::bk/key", [ALLOW_GET, DENY_ALL_S3])
# A permissions boundary limits what identity policies grant; a request outside it is implicitly denied
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
CASE_BOUNDARY = case(
    "boundary-limits",
    "s3:PutObject",
    "arn:aws:s3:::bk/key",
    [policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})],
    permission_boundary=ALLOW_GET,
)
# A Deny in an SCP denies even what identity policies allow
# (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
CASE_SCP_DENY = case(
    "scp-deny",
    "s3:GetObject",
    "arn:aws:s3:::bk/key",
    [ALLOW_GET],
    scps=[{"level": "r-root", "policies": [policy({"Effect": "Allow", "Action": "*", "Resource": "*"}), DENY_ALL_S3]}],
)
# An identity-policy statement must have Resource or NotResource: IAM refuses it with MalformedPolicyDocument
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html: "resource_block" is required
# in identity policies; IAM API: "Policy statement must contain resources").
CASE_MALFORMED = case("malformed", "s3:GetObject", "arn:aws:s3:::bk/key", [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}])
# AssumeRole needs the role's trust policy to name the caller
# (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
CASE_TRUST_OTHER = case("trust-names-bob", "sts:AssumeRole", ROLE, [ALLOW_ASSUME], resource_policy=trust(f"arn:aws:iam::{ACCOUNT}:user/bob"))
CASE_TRUST_CALLER = case("trust-names-alice", "sts:AssumeRole", ROLE, [ALLOW_ASSUME], resource_policy=trust(ALICE))

# A small scenario; each expectation from the page named in its step's "source".
SMALL_SCENARIO = {
    "id": "targets-smoke",
    "account": ACCOUNT,
    "steps": [
        {"as": "root", "call": "iam:CreateUser", "params": {"UserName": "alice"}, "expect": "ok"},
        {"as": "root", "call": "iam:CreateAccessKey", "params": {"UserName": "alice"}, "save": "alice", "expect": "ok"},
        # "No permissions are required to perform this operation."
        # (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
        {"as": "alice", "call": "sts:GetCallerIdentity", "expect": "ok"},
        # default deny: a user with no policy may not list users (evaluation logic page)
        {"as": "alice", "call": "iam:ListUsers", "expect": {"error": "AccessDenied"}},
        {
            "as": "root",
            "call": "iam:PutUserPolicy",
            "params": {"UserName": "alice", "PolicyName": "list", "PolicyDocument": policy({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"})},
            "expect": "ok",
        },
        {"as": "alice", "call": "iam:ListUsers", "expect": "ok"},
        # a wrong secret key: SignatureDoesNotMatch (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html)
        {"as": {"handle": "alice", "SecretAccessKey": "not-the-secret"}, "call": "sts:GetCallerIdentity", "expect": {"error": "SignatureDoesNotMatch"}},
        # an access key that does not exist: InvalidClientTokenId (same page)
        {"as": {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "x"}, "call": "sts:GetCallerIdentity", "expect": {"error": "InvalidClientTokenId"}},
        {"advance": 60},
        {"as": "alice", "call": "sts:GetCallerIdentity", "expect": "ok"},
    ],
}


def decisions(target: Any, cases: list[dict]) -> dict[str, dict]:
    return {c["id"]: target.decide(c) for c in cases}
