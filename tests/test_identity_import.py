"""The JSON of ``aws iam get-account-authorization-details`` loads into the model, and "can X do Y on Z" is answered
from it.

The fixture ``spec/identity/data/example-authorization-details.json`` was written by hand in the response shape of
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html (one trust policy
URL-encoded as the raw API returns it; ``ReadOnlyAccess``, ``SecurityAudit`` and ``AWSLambdaBasicExecutionRole``
left out of ``Policies`` so that the bundled AWS managed policies are used for them). Expected answers follow the
evaluation rules of https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spec.errors import IamError
from spec.identity.dispatch import invoke
from spec.identity.importer import can_do, load_authorization_details

FIXTURE = Path(__file__).resolve().parents[1] / "spec" / "identity" / "data" / "example-authorization-details.json"
A = "111122223333"
ALICE, BOB, CAROL = f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:user/developers/bob", f"arn:aws:iam::{A}:user/carol"
DEPLOY, AUDIT, LEGACY = (f"arn:aws:iam::{A}:role/{n}" for n in ("DeployRole", "AuditRole", "LegacyRole"))


@pytest.fixture(scope="module")
def world():
    return load_authorization_details(FIXTURE)


def test_entities_are_loaded(world) -> None:
    account = world.account(A)
    assert set(account.users) == {"alice", "bob", "carol"}
    assert set(account.groups) == {"admins", "developers"}
    assert set(account.roles) == {"deployrole", "auditrole", "payments-fn-role", "legacyrole"}
    assert account.users["bob"].path == "/developers/"
    assert account.users["bob"].boundary == f"arn:aws:iam::{A}:policy/DeveloperBoundary"
    assert account.users["alice"].groups == ("admins",)
    assert account.roles["auditrole"].max_session == 43200
    assert account.policies["devs3access"].default == "v2"


def test_imported_world_answers_api_calls(world) -> None:
    """The imported state is an ordinary model state: GetRole and GetGroup work on it as root."""
    _, role = invoke(world, "root", "iam:GetRole", {"RoleName": "DeployRole"})
    assert role["Role"]["RoleId"] == "AROAEXAMPLEDEPLOY001"
    _, group = invoke(world, "root", "iam:GetGroup", {"GroupName": "Developers"})
    assert [u["UserName"] for u in group["Users"]] == ["bob"]


@pytest.mark.parametrize(("principal", "action", "resource", "context", "expected"), [
    # AdministratorAccess through the Admins group (group policies count like the user's own).
    (ALICE, "iam:CreateUser", f"arn:aws:iam::{A}:user/x", None, "Allow"),
    # DevS3Access v2 (the default version) through Developers, within the DeveloperBoundary.
    (BOB, "s3:GetObject", "arn:aws:s3:::dev-bucket/x", None, "Allow"),
    # v1 allowed s3:* on everything but is not the default version: not in force.
    (BOB, "s3:GetObject", "arn:aws:s3:::other-bucket/x", None, "ImplicitDeny"),
    (BOB, "s3:DeleteObject", "arn:aws:s3:::dev-bucket/x", None, "ImplicitDeny"),
    # The Developers group's inline Deny on iam:Create*.
    (BOB, "iam:CreateUser", f"arn:aws:iam::{A}:user/x", None, "ExplicitDeny"),
    # Trust names bob and his inline policy allows it; his boundary allows sts:AssumeRole.
    (BOB, "sts:AssumeRole", DEPLOY, None, "Allow"),
    # AdministratorAccess is not enough: the trust policy must allow (trust policies are an exception).
    (ALICE, "sts:AssumeRole", DEPLOY, None, "ImplicitDeny"),
    # The AuditRole trusts the account only with MFA.
    (ALICE, "sts:AssumeRole", AUDIT, None, "ImplicitDeny"),
    (ALICE, "sts:AssumeRole", AUDIT, {"aws:MultiFactorAuthPresent": "true"}, "Allow"),
    # ReadOnlyAccess (bundled AWS managed policy) allows reads, not writes.
    (CAROL, "s3:GetObject", "arn:aws:s3:::any-bucket/x", None, "Allow"),
    (CAROL, "s3:PutObject", "arn:aws:s3:::any-bucket/x", None, "ImplicitDeny"),
    # A role is asked about as a session of it.
    (DEPLOY, "s3:PutObject", "arn:aws:s3:::payments-artifacts/build.zip", None, "Allow"),
    (DEPLOY, "s3:DeleteObject", "arn:aws:s3:::payments-artifacts/build.zip", None, "ImplicitDeny"),
    (f"arn:aws:sts::{A}:assumed-role/DeployRole/ci", "s3:PutObject", "arn:aws:s3:::payments-artifacts/b", None, "Allow"),
    (AUDIT, "iam:GetAccountAuthorizationDetails", "*", None, "Allow"),
    (f"arn:aws:iam::{A}:role/service-role/payments-fn-role", "logs:PutLogEvents", "*", None, "Allow"),
    # The LegacyRole's trust names a deleted user (shown as its unique ID): nobody can assume it.
    (BOB, "sts:AssumeRole", LEGACY, None, "ImplicitDeny"),
    # The root user has full access.
    (f"arn:aws:iam::{A}:root", "iam:DeleteRole", DEPLOY, None, "Allow"),
])
def test_can_do(world, principal, action, resource, context, expected) -> None:
    assert can_do(world, principal, action, resource, context).decision == expected


def test_context_derived_and_overridden(world) -> None:
    """Bob's tag team=payments becomes aws:PrincipalTag/team (condition-keys page); a context given by the asker
    wins over what is derived."""
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                                   "Resource": "*",
                                                   "Condition": {"StringEquals": {"aws:PrincipalTag/team": "payments"}}}]}
    tagged, _ = invoke(world, "root", "iam:PutUserPolicy", {"UserName": "bob", "PolicyName": "tagged",
                                                             "PolicyDocument": doc})
    assert can_do(world, BOB, "s3:ListAllMyBuckets").decision == "ImplicitDeny"
    assert can_do(tagged, BOB, "s3:ListAllMyBuckets").decision == "Allow"
    assert can_do(tagged, BOB, "s3:ListAllMyBuckets", "*", {"aws:PrincipalTag/team": "other"}).decision == "ImplicitDeny"


def test_unknown_principal_is_no_such_entity(world) -> None:
    with pytest.raises(IamError) as err:
        can_do(world, f"arn:aws:iam::{A}:user/mallory", "s3:GetObject", "*")
    assert err.value.code == "NoSuchEntity"
    with pytest.raises(IamError) as err:
        can_do(world, f"arn:aws:iam::{A}:user/bob", "s3:GetObject", "*")  # bob's ARN has a path
    assert err.value.code == "NoSuchEntity"
    with pytest.raises(IamError) as err:
        can_do(world, "not-an-arn", "s3:GetObject", "*")
    assert err.value.code == "ValidationError"


def test_malformed_document_is_located(tmp_path) -> None:
    data = json.loads(FIXTURE.read_text())
    data["UserDetailList"][1]["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Effect"] = "allow"
    with pytest.raises(IamError) as err:
        load_authorization_details(data)
    assert err.value.code == "MalformedPolicyDocument"
    assert err.value.where.startswith("UserDetailList[1].UserPolicyList[0].PolicyDocument.Statement[0]")


def test_bad_files_give_clear_errors(tmp_path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(IamError) as err:
        load_authorization_details(missing)
    assert err.value.code == "ValidationError"
    broken = tmp_path / "broken.json"
    broken.write_text('{"UserDetailList": [{"UserName": "x"}]}')
    with pytest.raises(IamError) as err:
        load_authorization_details(broken)
    assert err.value.code == "ValidationError"


def test_raw_api_url_encoded_documents(world) -> None:
    """The payments-fn-role trust policy is URL-encoded in the fixture, as the raw API returns documents."""
    raw = json.loads(FIXTURE.read_text())["RoleDetailList"][2]["AssumeRolePolicyDocument"]
    assert isinstance(raw, str) and raw.startswith("%7B")
    _, role = invoke(world, "root", "iam:GetRole", {"RoleName": "payments-fn-role"})
    assert role["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_group_list_must_name_groups_of_the_dump() -> None:
    """A user can only be in a group that exists: AddUserToGroup answers ``NoSuchEntity`` for a group that does not
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddUserToGroup.html), so an imported GroupList naming one
    is refused the same way, located in the input."""
    data = json.loads(FIXTURE.read_text())
    data["UserDetailList"][2]["GroupList"] = ["Developers", "Contractors"]
    with pytest.raises(IamError) as err:
        load_authorization_details(data)
    assert err.value.code == "NoSuchEntity"
    assert "Contractors" in err.value.message
    assert err.value.where == "UserDetailList[2].GroupList[1]"
    # a role's name is not a group's either
    data["UserDetailList"][2]["GroupList"] = ["DeployRole"]
    with pytest.raises(IamError) as err:
        load_authorization_details(data)
    assert err.value.code == "NoSuchEntity"
    # groups that exist are kept, as the user's memberships
    data["UserDetailList"][2]["GroupList"] = ["Developers", "Admins"]
    assert load_authorization_details(data).account(A).users["carol"].groups == ("developers", "admins")


@pytest.mark.parametrize(("value", "constraint"), [
    (900, "greater than or equal to 3600"), (3599, "greater than or equal to 3600"),
    (43201, "less than or equal to 43200"), (129600, "less than or equal to 43200"),
    ("3600", "be an integer"), (True, "be an integer")])
def test_max_session_duration_out_of_bounds_is_refused(value: object, constraint: str) -> None:
    """MaxSessionDuration "can have a value from 1 hour to 12 hours": CreateRole and UpdateRole refuse anything else
    with ``ValidationError`` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html, Valid Range:
    Minimum value of 3600, maximum value of 43200); so does the importer, located in the input."""
    data = json.loads(FIXTURE.read_text())
    data["RoleDetailList"][1]["MaxSessionDuration"] = value
    with pytest.raises(IamError) as err:
        load_authorization_details(data)
    assert err.value.code == "ValidationError"
    assert constraint in err.value.message
    assert err.value.where == "RoleDetailList[1].MaxSessionDuration"


def test_max_session_duration_bounds_and_default_are_accepted() -> None:
    """Both ends of the range load; a role without the field gets CreateRole's default of 3600 seconds."""
    data = json.loads(FIXTURE.read_text())
    data["RoleDetailList"][0]["MaxSessionDuration"] = 3600
    data["RoleDetailList"][1]["MaxSessionDuration"] = 43200
    del data["RoleDetailList"][2]["MaxSessionDuration"]
    roles = load_authorization_details(data).account(A).roles
    assert (roles["deployrole"].max_session, roles["auditrole"].max_session) == (3600, 43200)
    assert roles["payments-fn-role"].max_session == 3600
