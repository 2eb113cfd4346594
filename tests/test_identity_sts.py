"""STS results and the shape of sessions (iam-semantics §5.4, §6.2, §7.11-13).

Sources: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (Credentials, AssumedRoleUser:
``arn:aws:sts::ACCOUNT:assumed-role/ROLE-NAME/ROLE-SESSION-NAME``, AssumedRoleId ``ROLEID:SESSIONNAME``, default
duration one hour), https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html (UserId, Account,
Arn), https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes (ASIA).
"""

from __future__ import annotations

import pytest

from spec.errors import IamError
from spec.identity.clock import DEFAULT_START, iso
from spec.identity.dispatch import invoke
from spec.identity.state import new_world

ACCT = "123456789012"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def trust(principal: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal},
                                                    "Action": "sts:AssumeRole"}]}


def creds(result: dict) -> dict:
    inner = result.get("AccessKey") or result["Credentials"]
    return {k: inner[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken") if k in inner}


@pytest.fixture
def setup():
    w = new_world(ACCT)
    w, user = invoke(w, "root", "iam:CreateUser", {"UserName": "alice"})
    w, key = invoke(w, "root", "iam:CreateAccessKey", {"UserName": "alice"})
    w, role = invoke(w, "root", "iam:CreateRole", {"RoleName": "deployer", "Path": "/team/",
                                                   "AssumeRolePolicyDocument": trust(f"arn:aws:iam::{ACCT}:user/alice"),
                                                   "MaxSessionDuration": 7200})
    w, _ = invoke(w, "root", "iam:PutRolePolicy", {"RoleName": "deployer", "PolicyName": "p",
                                                   "PolicyDocument": ALLOW_ALL})
    return w, user["User"], creds(key), role["Role"]


def test_assume_role_result(setup) -> None:
    w, _, alice, role = setup
    w, out = invoke(w, alice, "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "build-42"})
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCT}:assumed-role/deployer/build-42"
    assert out["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:build-42"
    assert role["RoleId"].startswith("AROA")
    c = out["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA") and c["SessionToken"] and len(c["SecretAccessKey"]) == 40
    assert c["Expiration"] == iso(DEFAULT_START + 3600)
    _, me = invoke(w, creds(out), "sts:GetCallerIdentity")
    assert me == {"UserId": f"{role['RoleId']}:build-42", "Account": ACCT,
                  "Arn": f"arn:aws:sts::{ACCT}:assumed-role/deployer/build-42"}


def test_duration_sets_expiration(setup) -> None:
    w, _, alice, role = setup
    _, out = invoke(w, alice, "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "s1",
                                                 "DurationSeconds": 7200})
    assert out["Credentials"]["Expiration"] == iso(DEFAULT_START + 7200)


def test_role_arn_with_path_is_required(setup) -> None:
    """The role has path /team/: its ARN includes it, and AssumeRole must name that ARN."""
    w, _, alice, role = setup
    assert role["Arn"] == f"arn:aws:iam::{ACCT}:role/team/deployer"
    with pytest.raises(IamError) as err:
        invoke(w, alice, "sts:AssumeRole", {"RoleArn": f"arn:aws:iam::{ACCT}:role/deployer", "RoleSessionName": "s1"})
    assert err.value.code == "AccessDenied"


def test_get_caller_identity_for_user_and_root(setup) -> None:
    w, user, alice, _ = setup
    assert invoke(w, alice, "sts:GetCallerIdentity")[1] == {"UserId": user["UserId"], "Account": ACCT,
                                                          "Arn": user["Arn"]}
    assert invoke(w, "root", "sts:GetCallerIdentity")[1] == {"UserId": ACCT, "Account": ACCT,
                                                           "Arn": f"arn:aws:iam::{ACCT}:root"}


def test_get_session_token_result(setup) -> None:
    w, user, alice, _ = setup
    w, out = invoke(w, alice, "sts:GetSessionToken", {"DurationSeconds": 900})
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert out["Credentials"]["Expiration"] == iso(DEFAULT_START + 900)
    assert invoke(w, creds(out), "sts:GetCallerIdentity")[1]["Arn"] == user["Arn"]


def test_failed_assume_role_changes_nothing(setup) -> None:
    w, _, alice, role = setup
    for params in ({"RoleArn": role["Arn"], "RoleSessionName": "s1", "DurationSeconds": 7201},
                   {"RoleArn": role["Arn"], "RoleSessionName": "x"},
                   {"RoleArn": role["Arn"] + "x", "RoleSessionName": "s1"}):
        with pytest.raises(IamError):
            invoke(w, alice, "sts:AssumeRole", params)
    assert len(w.sessions) == 0


def test_source_identity_carries_down_the_chain(setup) -> None:
    """"Once set, the source identity cannot be changed" and it persists through role chaining
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html)."""
    w, _, alice, role = setup
    both = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": [
        f"arn:aws:iam::{ACCT}:user/alice", role["Arn"]]}, "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]}
    w, _ = invoke(w, "root", "iam:UpdateAssumeRolePolicy", {"RoleName": "deployer", "PolicyDocument": both})
    w, first = invoke(w, alice, "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "s1",
                                                   "SourceIdentity": "alice"})
    assert first["SourceIdentity"] == "alice"
    w, second = invoke(w, creds(first), "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "s2"})
    assert second["SourceIdentity"] == "alice"
    with pytest.raises(IamError):
        invoke(w, creds(first), "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "s3",
                                                   "SourceIdentity": "mallory"})


def test_transitive_tags_pass_down_the_chain(setup) -> None:
    """Transitive session tags pass to later sessions of a chain, and cannot be set again
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining)."""
    w, _, alice, role = setup
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": [
        f"arn:aws:iam::{ACCT}:user/alice", role["Arn"]]}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
    w, _ = invoke(w, "root", "iam:UpdateAssumeRolePolicy", {"RoleName": "deployer", "PolicyDocument": doc})
    w, first = invoke(w, alice, "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "s1",
                                                   "Tags": [{"Key": "team", "Value": "blue"},
                                                            {"Key": "cost", "Value": "7"}],
                                                   "TransitiveTagKeys": ["team"]})
    w, second = invoke(w, creds(first), "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "s2"})
    session = w.sessions[second["Credentials"]["AccessKeyId"]]
    assert session.tags == (("team", "blue"),) and session.chained
    with pytest.raises(IamError):
        invoke(w, creds(first), "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "s3",
                                                   "Tags": [{"Key": "TEAM", "Value": "red"}]})
    with pytest.raises(IamError):
        invoke(w, alice, "sts:AssumeRole", {"RoleArn": role["Arn"], "RoleSessionName": "s4",
                                            "Tags": [{"Key": "a", "Value": "1"}], "TransitiveTagKeys": ["b"]})
