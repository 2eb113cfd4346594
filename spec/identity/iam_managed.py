"""Customer managed policies and their versions: CreatePolicy, GetPolicy, CreatePolicyVersion, GetPolicyVersion,
DeletePolicyVersion, SetDefaultPolicyVersion, DeletePolicy.

Rules (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html and the pages of each call):
a new policy's only version is ``v1``, its default; at most 5 versions are kept ("If the policy has five versions,
you must delete an existing version", ``LimitExceeded``); version IDs are never reused; the default version cannot
be deleted; a managed policy is at most 6,144 characters, white space not counted (``LimitExceeded``); DeletePolicy
needs the policy detached from every user, group and role and its non-default versions deleted
(``DeleteConflict``). AWS managed policies are read-only to customers
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html).
Policy names are unique in the account without regard to case or path (iamspec decision, as for users).
"""

from __future__ import annotations

from dataclasses import replace

from spec.errors import IamError
from spec.identity.authz import Check
from spec.identity.clock import iso
from spec.identity.context import request_tag_context
from spec.identity.documents import MANAGED_QUOTA, as_object, check_quota, parsed, size
from spec.identity.entities import ManagedPolicy, PolicyVersion
from spec.identity.iam_common import check_policy_arn, managed_policy, policy_json, quota, usage
from spec.identity.ids import POLICY, policy_arn, unique_id
from spec.identity.managed import is_aws_managed
from spec.identity.registry import Call, operation
from spec.identity.shapes import ARN, DESCRIPTION, DOCUMENT, POLICY_NAME, POLICY_PATH, TAGS, Field
from spec.identity.state import find_customer_policy
from spec.policy import PolicyKind

MAX_VERSIONS = 5
VERSION_ID = Field("str", True, None, None, r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?")


def _valid_document(text: str) -> None:
    parsed(text, PolicyKind.IDENTITY)
    check_quota(size(text), MANAGED_QUOTA, "PolicySize")


def _arn_check(action: str):
    def checks(call: Call):
        arn = call.params["PolicyArn"]
        check_policy_arn(arn)
        account = None if is_aws_managed(arn) else arn.split(":")[4]
        return (Check(action, arn, account),)
    return checks


def _own(call: Call) -> ManagedPolicy:
    """The customer managed policy a call may change. AWS managed ones are refused with ``AccessDenied``
    (iamspec decision on the code: the references say only that customers cannot change them)."""
    arn = call.params["PolicyArn"]
    check_policy_arn(arn)
    if is_aws_managed(arn):
        managed_policy(call.world, call.who.account, arn)
        raise IamError("AccessDenied", f"Policy {arn} is an AWS managed policy and cannot be modified.")
    if arn.split(":")[4] != call.who.account:
        raise IamError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
    return find_customer_policy(call.account, arn)


def _store(call: Call, policy: ManagedPolicy):
    account = call.account
    return call.world.with_account(replace(account, policies=account.policies.set(policy.name.lower(), policy)))


def _create_checks(call: Call):
    p = call.params
    arn = policy_arn(call.who.account, p.get("Path", "/"), p["PolicyName"])
    return (Check("iam:CreatePolicy", arn, call.who.account, context=request_tag_context(p.get("Tags", ()))),)


@operation("iam:CreatePolicy", {"PolicyName": POLICY_NAME, "PolicyDocument": DOCUMENT, "Path": POLICY_PATH,
                                "Description": DESCRIPTION, "Tags": TAGS}, _create_checks)
def create_policy(call: Call):
    p, account = call.params, call.account
    name, path = p["PolicyName"], p.get("Path", "/")
    if name.lower() in account.policies:
        raise IamError("EntityAlreadyExists", f"A policy called {name} already exists. Duplicate names are not allowed.")
    quota(account, "policies")
    _valid_document(p["PolicyDocument"])
    world, serial = call.world.next_serial()
    policy = ManagedPolicy(name, path, unique_id(POLICY, serial), policy_arn(account.account_id, path, name),
                           world.now, world.now, (PolicyVersion("v1", p["PolicyDocument"], world.now),), "v1", 2,
                           p.get("Description"), p.get("Tags", ()))
    world = world.with_account(replace(account, policies=account.policies.set(name.lower(), policy)))
    return world, {"Policy": policy_json(policy)}


@operation("iam:GetPolicy", {"PolicyArn": ARN}, _arn_check("iam:GetPolicy"))
def get_policy(call: Call):
    policy = managed_policy(call.world, call.who.account, call.params["PolicyArn"])
    counts = (0, 0) if is_aws_managed(policy.arn) else usage(call.account, policy.arn)
    return call.world, {"Policy": policy_json(policy, *counts)}


def _version_json(policy: ManagedPolicy, version: PolicyVersion, document: bool = False) -> dict:
    out = {"VersionId": version.version_id, "IsDefaultVersion": version.version_id == policy.default,
           "CreateDate": iso(version.created)}
    if document:
        out["Document"] = as_object(version.text)
    return out


@operation("iam:CreatePolicyVersion", {"PolicyArn": ARN, "PolicyDocument": DOCUMENT,
                                       "SetAsDefault": Field("bool")}, _arn_check("iam:CreatePolicyVersion"))
def create_policy_version(call: Call):
    policy = _own(call)
    if len(policy.versions) >= MAX_VERSIONS:
        raise IamError("LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new "
                       "version, you must delete an existing version.")
    _valid_document(call.params["PolicyDocument"])
    version = PolicyVersion(f"v{policy.next_version}", call.params["PolicyDocument"], call.world.now)
    default = version.version_id if call.params.get("SetAsDefault") else policy.default
    policy = replace(policy, versions=(*policy.versions, version), default=default,
                     next_version=policy.next_version + 1, updated=call.world.now)
    return _store(call, policy), {"PolicyVersion": _version_json(policy, version)}


def _version(policy: ManagedPolicy, version_id: str) -> PolicyVersion:
    found = next((v for v in policy.versions if v.version_id == version_id), None)
    if found is None:
        raise IamError("NoSuchEntity", f"Policy {policy.arn} version {version_id} does not exist or is not "
                       "attachable.")
    return found


@operation("iam:GetPolicyVersion", {"PolicyArn": ARN, "VersionId": VERSION_ID}, _arn_check("iam:GetPolicyVersion"))
def get_policy_version(call: Call):
    policy = managed_policy(call.world, call.who.account, call.params["PolicyArn"])
    version = _version(policy, call.params["VersionId"])
    return call.world, {"PolicyVersion": _version_json(policy, version, document=True)}


@operation("iam:SetDefaultPolicyVersion", {"PolicyArn": ARN, "VersionId": VERSION_ID},
           _arn_check("iam:SetDefaultPolicyVersion"))
def set_default_policy_version(call: Call):
    policy = _own(call)
    version = _version(policy, call.params["VersionId"])
    return _store(call, replace(policy, default=version.version_id, updated=call.world.now)), {}


@operation("iam:DeletePolicyVersion", {"PolicyArn": ARN, "VersionId": VERSION_ID},
           _arn_check("iam:DeletePolicyVersion"))
def delete_policy_version(call: Call):
    policy = _own(call)
    version = _version(policy, call.params["VersionId"])
    if version.version_id == policy.default:
        raise IamError("DeleteConflict", "Cannot delete the default version of a policy.")
    return _store(call, replace(policy, versions=tuple(v for v in policy.versions if v is not version))), {}


@operation("iam:DeletePolicy", {"PolicyArn": ARN}, _arn_check("iam:DeletePolicy"))
def delete_policy(call: Call):
    """DeletePolicy. A policy still in use as a permissions boundary is a ``DeleteConflict`` too
    (iamspec decision: deleting it would leave users or roles with a boundary that no longer exists)."""
    policy = _own(call)
    attached, boundary = usage(call.account, policy.arn)
    if attached or boundary:
        raise IamError("DeleteConflict", "Cannot delete a policy attached to entities.")
    if len(policy.versions) > 1:
        raise IamError("DeleteConflict", "This policy has more than one version. Before you delete a policy, you "
                       "must delete the policy's versions. The default version is deleted with the policy.")
    account = call.account
    return call.world.with_account(replace(account, policies=account.policies.remove(policy.name.lower()))), {}
