"""IAM operations: what each returns, and that a failure leaves the state as it was.

Sources: the IAM API Reference page of each operation (https://docs.aws.amazon.com/IAM/latest/APIReference/),
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html (principal ARNs in a
trust policy are stored as unique IDs), https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html.
"""

from __future__ import annotations

import pytest

from spec.errors import IamError
from spec.identity.dispatch import invoke
from spec.identity.state import new_world

ACCT = "123456789012"
DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def run(world, *calls):
    for call, params in calls:
        world, _ = invoke(world, "root", call, params)
    return world


@pytest.fixture
def world():
    return new_world(ACCT)


def test_create_user_response(world) -> None:
    _, out = invoke(world, "root", "iam:CreateUser", {"UserName": "Bob", "Path": "/division_abc/subdivision_xyz/",
                                                     "Tags": [{"Key": "team", "Value": "x"}]})
    user = out["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCT}:user/division_abc/subdivision_xyz/Bob"
    assert user["UserId"].startswith("AIDA") and user["Path"] == "/division_abc/subdivision_xyz/"
    assert user["Tags"] == [{"Key": "team", "Value": "x"}] and "PermissionsBoundary" not in user


def test_failed_operation_returns_no_new_state(world) -> None:
    """A refused call raises; the caller's state value is untouched (it is immutable)."""
    w = run(world, ("iam:CreateUser", {"UserName": "alice"}))
    before = repr(w)
    for call, params in (("iam:CreateUser", {"UserName": "ALICE"}), ("iam:DeleteGroup", {"GroupName": "g"}),
                         ("iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "p", "PolicyDocument": "{"}),
                         ("iam:CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": DOC})):
        with pytest.raises(IamError):
            invoke(w, "root", call, params)
    assert repr(w) == before


def test_lookups_ignore_case_but_keep_the_stored_name(world) -> None:
    w = run(world, ("iam:CreateUser", {"UserName": "Alice"}))
    _, out = invoke(w, "root", "iam:GetUser", {"UserName": "alice"})
    assert out["User"]["UserName"] == "Alice"


def test_get_group_lists_members_and_list_groups_in_join_order(world) -> None:
    w = run(world, ("iam:CreateUser", {"UserName": "u"}), ("iam:CreateGroup", {"GroupName": "b"}),
            ("iam:CreateGroup", {"GroupName": "a"}), ("iam:AddUserToGroup", {"GroupName": "b", "UserName": "u"}),
            ("iam:AddUserToGroup", {"GroupName": "a", "UserName": "u"}))
    _, groups = invoke(w, "root", "iam:ListGroupsForUser", {"UserName": "u"})
    assert [g["GroupName"] for g in groups["Groups"]] == ["b", "a"]
    _, group = invoke(w, "root", "iam:GetGroup", {"GroupName": "a"})
    assert [u["UserName"] for u in group["Users"]] == ["u"] and group["Group"]["GroupId"].startswith("AGPA")


def test_trust_policy_shows_the_unique_id_of_a_deleted_principal(world) -> None:
    """"If you delete and recreate a role referenced in a trust policy's Principal element, you must edit the role
    in the policy" -- IAM shows the old unique ID in its place."""
    w, user = invoke(world, "root", "iam:CreateUser", {"UserName": "alice"})
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["User"]["Arn"]},
                                                     "Action": "sts:AssumeRole"}]}
    w = run(w, ("iam:CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": trust}))
    shown = invoke(w, "root", "iam:GetRole", {"RoleName": "r"})[1]["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"]["AWS"] == user["User"]["Arn"]
    w = run(w, ("iam:DeleteUser", {"UserName": "alice"}), ("iam:CreateUser", {"UserName": "alice"}))
    shown = invoke(w, "root", "iam:GetRole", {"RoleName": "r"})[1]["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"]["AWS"] == user["User"]["UserId"]


def test_policy_version_ids_are_never_reused(world) -> None:
    arn = f"arn:aws:iam::{ACCT}:policy/p"
    w = run(world, ("iam:CreatePolicy", {"PolicyName": "p", "PolicyDocument": DOC}),
            ("iam:CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": DOC}),
            ("iam:DeletePolicyVersion", {"PolicyArn": arn, "VersionId": "v2"}))
    _, out = invoke(w, "root", "iam:CreatePolicyVersion", {"PolicyArn": arn, "PolicyDocument": DOC,
                                                          "SetAsDefault": True})
    assert out["PolicyVersion"] == {"VersionId": "v3", "IsDefaultVersion": True, "CreateDate": "2026-01-01T00:00:00Z"}


def test_get_policy_counts_attachments_and_boundary_uses(world) -> None:
    arn = f"arn:aws:iam::{ACCT}:policy/p"
    w = run(world, ("iam:CreatePolicy", {"PolicyName": "p", "PolicyDocument": DOC}),
            ("iam:CreateUser", {"UserName": "u"}), ("iam:CreateGroup", {"GroupName": "g"}),
            ("iam:AttachUserPolicy", {"UserName": "u", "PolicyArn": arn}),
            ("iam:AttachGroupPolicy", {"GroupName": "g", "PolicyArn": arn}),
            ("iam:PutUserPermissionsBoundary", {"UserName": "u", "PermissionsBoundary": arn}))
    policy = invoke(w, "root", "iam:GetPolicy", {"PolicyArn": arn})[1]["Policy"]
    assert (policy["AttachmentCount"], policy["PermissionsBoundaryUsageCount"]) == (2, 1)
    assert policy["DefaultVersionId"] == "v1" and policy["PolicyId"].startswith("ANPA")


def test_access_key_secret_only_at_creation(world) -> None:
    w = run(world, ("iam:CreateUser", {"UserName": "u"}))
    w, created = invoke(w, "root", "iam:CreateAccessKey", {"UserName": "u"})
    key = created["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and key["Status"] == "Active" and len(key["SecretAccessKey"]) == 40
    listed = invoke(w, "root", "iam:ListAccessKeys", {"UserName": "u"})[1]["AccessKeyMetadata"]
    assert listed == [{"UserName": "u", "AccessKeyId": key["AccessKeyId"], "Status": "Active",
                       "CreateDate": key["CreateDate"]}]


def test_get_user_policy_returns_the_document(world) -> None:
    w = run(world, ("iam:CreateUser", {"UserName": "u"}),
            ("iam:PutUserPolicy", {"UserName": "u", "PolicyName": "p", "PolicyDocument": DOC}))
    out = invoke(w, "root", "iam:GetUserPolicy", {"UserName": "u", "PolicyName": "p"})[1]
    assert out == {"UserName": "u", "PolicyName": "p", "PolicyDocument": DOC}


def test_unknown_call_and_parameters(world) -> None:
    for call, params, code in (("iam:AddRoleToGroup", {}, "InvalidAction"),
                               ("iam:CreateUser", {"UserName": "u", "Colour": "red"}, "ValidationError"),
                               ("iam:CreateUser", {"UserName": 7}, "ValidationError"),
                               ("iam:CreateUser", "not an object", "ValidationError")):
        with pytest.raises(IamError) as err:
            invoke(world, "root", call, params)
        assert err.value.code == code


def test_validation_message_shape(world) -> None:
    """AWS's message: "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: ..."."""
    with pytest.raises(IamError) as err:
        invoke(world, "root", "iam:CreateUser", {"UserName": "a b"})
    assert err.value.message.startswith("1 validation error detected: Value 'a b' at 'userName' failed to satisfy "
                                        "constraint: Member must satisfy regular expression pattern")


def test_access_denied_message_shape(world) -> None:
    """"User: <ARN> is not authorized to perform: <action> on resource: <ARN> because no identity-based policy
    allows the <action> action" (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html)."""
    w = run(world, ("iam:CreateUser", {"UserName": "u"}))
    w, key = invoke(w, "root", "iam:CreateAccessKey", {"UserName": "u"})
    creds = {k: key["AccessKey"][k] for k in ("AccessKeyId", "SecretAccessKey")}
    with pytest.raises(IamError) as err:
        invoke(w, creds, "iam:DeleteUser", {"UserName": "u"})
    assert err.value.message == (f"User: arn:aws:iam::{ACCT}:user/u is not authorized to perform: iam:DeleteUser on "
                                 f"resource: arn:aws:iam::{ACCT}:user/u because no identity-based policy allows the "
                                 "iam:DeleteUser action")
