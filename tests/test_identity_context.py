"""The request context the model derives for each kind of caller, and the policies in force.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
(aws:username only for IAM users; aws:userid user ID / role-id:session-name / account ID for root;
aws:PrincipalArn of a role session is the role's ARN; aws:PrincipalType User / AssumedRole / Account;
aws:TokenIssueTime and aws:MultiFactorAuthPresent only with temporary credentials),
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html (session tags override role tags),
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html (aws:TokenIssueTime revocation).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from spec.errors import IamError
from spec.identity.auth import authenticate, root
from spec.identity.authz import policy_set
from spec.identity.clock import DEFAULT_START, iso
from spec.identity.context import principal_context
from spec.identity.dispatch import invoke
from spec.identity.state import new_world

ACCT = "123456789012"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def creds(result: dict) -> dict:
    inner = result.get("AccessKey") or result["Credentials"]
    return {k: inner[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken") if k in inner}


@pytest.fixture
def world():
    w = new_world(ACCT)
    w, user = invoke(w, "root", "iam:CreateUser", {"UserName": "alice", "Tags": [{"Key": "team", "Value": "blue"}]})
    w, key = invoke(w, "root", "iam:CreateAccessKey", {"UserName": "alice"})
    w, role = invoke(w, "root", "iam:CreateRole", {
        "RoleName": "ops", "Tags": [{"Key": "team", "Value": "green"}, {"Key": "tier", "Value": "1"}],
        "AssumeRolePolicyDocument": doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/alice"},
                                         "Action": ["sts:AssumeRole", "sts:TagSession"]})})
    w, session = invoke(w, creds(key), "sts:AssumeRole", {"RoleArn": role["Role"]["Arn"], "RoleSessionName": "s1",
                                                          "Tags": [{"Key": "Team", "Value": "red"}]})
    return w, user["User"], creds(key), role["Role"], creds(session)


def test_user_context(world) -> None:
    w, user, key, _, _ = world
    ctx, types = principal_context(w, authenticate(w, key, "iam"))
    assert ctx["aws:username"] == "alice" and ctx["aws:userid"] == user["UserId"]
    assert ctx["aws:PrincipalArn"] == user["Arn"] and ctx["aws:PrincipalType"] == "User"
    assert ctx["aws:PrincipalAccount"] == ACCT and ctx["aws:PrincipalTag/team"] == "blue"
    assert "aws:TokenIssueTime" not in ctx and "aws:MultiFactorAuthPresent" not in ctx
    assert ctx["aws:CurrentTime"] == iso(DEFAULT_START) and ctx["aws:EpochTime"] == str(DEFAULT_START)
    assert ctx["aws:SecureTransport"] == "true" and types["aws:SourceIp"] == "ip"


def test_role_session_context(world) -> None:
    w, _, _, role, session = world
    ctx, _ = principal_context(w, authenticate(w, session, "iam"))
    assert "aws:username" not in ctx
    assert ctx["aws:userid"] == f"{role['RoleId']}:s1"
    assert ctx["aws:PrincipalArn"] == role["Arn"] and ctx["aws:PrincipalType"] == "AssumedRole"
    assert ctx["aws:TokenIssueTime"] == iso(DEFAULT_START) and ctx["aws:MultiFactorAuthPresent"] == "false"
    # Session tag "Team" overrides the role's "team" (keys compared without case); "tier" stays.
    assert ctx["aws:PrincipalTag/Team"] == "red" and "aws:PrincipalTag/team" not in ctx
    assert ctx["aws:PrincipalTag/tier"] == "1"


def test_root_context() -> None:
    w = new_world(ACCT)
    ctx, _ = principal_context(w, root(ACCT))
    assert ctx["aws:PrincipalType"] == "Account" and ctx["aws:userid"] == ACCT
    assert ctx["aws:PrincipalArn"] == f"arn:aws:iam::{ACCT}:root" and "aws:username" not in ctx


def test_session_policies_are_the_roles_not_the_callers(world) -> None:
    w, _, key, _, session = world
    w, _ = invoke(w, "root", "iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "mine",
                                                   "PolicyDocument": doc({"Effect": "Allow", "Action": "*",
                                                                          "Resource": "*"})})
    assert len(policy_set(w, authenticate(w, key, "iam")).identity) == 1
    assert policy_set(w, authenticate(w, session, "iam")).identity == ()


def test_current_time_condition_follows_the_model_clock(world) -> None:
    """aws:CurrentTime is the model's clock: a DateLessThan grant lapses when the clock passes it."""
    w, _, key, _, _ = world
    until = iso(DEFAULT_START + 60)
    w, _ = invoke(w, "root", "iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "until", "PolicyDocument": doc(
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"DateLessThan": {"aws:CurrentTime": until}}})})
    invoke(w, key, "iam:GetUser", {"UserName": "alice"})
    later = replace(w, now=w.now + 61)
    with pytest.raises(IamError) as err:
        invoke(later, key, "iam:GetUser", {"UserName": "alice"})
    assert err.value.code == "AccessDenied"


def test_revoking_older_sessions_with_token_issue_time(world) -> None:
    """Revoke sessions: deny requests whose aws:TokenIssueTime is before the revocation time (id_roles_use_revoke-sessions)."""
    w, _, key, role, old = world
    w, _ = invoke(w, "root", "iam:PutRolePolicy", {"RoleName": "ops", "PolicyName": "p", "PolicyDocument": doc(
        {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"})})
    w = replace(w, now=w.now + 100)
    w, _ = invoke(w, "root", "iam:PutRolePolicy", {"RoleName": "ops", "PolicyName": "revoke", "PolicyDocument": doc(
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"DateLessThan": {"aws:TokenIssueTime": iso(w.now)}}})})
    w, new = invoke(w, key, "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "s2"})
    with pytest.raises(IamError) as err:
        invoke(w, old, "iam:GetRole", {"RoleName": "ops"})
    assert err.value.code == "AccessDenied"
    invoke(w, creds(new), "iam:GetRole", {"RoleName": "ops"})
