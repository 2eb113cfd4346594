"""Managed policies on entities: Attach/Detach User, Group and Role policies; Put/Delete User and Role
permissions boundaries.

Rules: at most 10 managed policies per user, group or role (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
``LimitExceeded``); the policy must exist (``NoSuchEntity``); "You cannot use a managed policy as the role's trust
policy" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html); a boundary is one managed
policy per user or role, and groups have none (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPermissionsBoundary.html).
Attaching a policy that is already attached changes nothing; detaching one that is not attached is
``NoSuchEntity``; deleting a boundary that is not set succeeds (iamspec decisions: the references are silent).
Condition key ``iam:PolicyARN`` (attach/detach) and ``iam:PermissionsBoundary`` (boundaries) are in the context
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html).
"""

from __future__ import annotations

from dataclasses import replace

from spec.errors import IamError
from spec.identity.iam_common import group_check, managed_policy, role_check, user_check
from spec.identity.registry import Call, operation
from spec.identity.shapes import ARN, GROUP_NAME, ROLE_NAME, USER_NAME
from spec.identity.state import find_group, find_role, find_user

MANAGED_PER_ENTITY = 10
KINDS = {
    "User": ("UserName", USER_NAME, "users", find_user, user_check, "PoliciesPerUser"),
    "Group": ("GroupName", GROUP_NAME, "groups", find_group, group_check, "PoliciesPerGroup"),
    "Role": ("RoleName", ROLE_NAME, "roles", find_role, role_check, "PoliciesPerRole"),
}


def _store(call: Call, table: str, entity):
    account = call.account
    return call.world.with_account(replace(account, **{table: getattr(account, table).set(entity.name.lower(), entity)}))


def _make(kind: str) -> None:
    param, field, table, find, check, quota_name = KINDS[kind]

    def checks(action: str, key: str, arn_param: str):
        return lambda c: (check(c, action, c.params[param], **{key: c.params[arn_param]}),)

    @operation(f"iam:Attach{kind}Policy", {param: field, "PolicyArn": ARN},
               checks(f"iam:Attach{kind}Policy", "iam:PolicyARN", "PolicyArn"))
    def attach(call: Call):
        entity = find(call.account, call.params[param])
        policy = managed_policy(call.world, call.who.account, call.params["PolicyArn"])
        if policy.arn in entity.attached:
            return call.world, {}
        if len(entity.attached) >= MANAGED_PER_ENTITY:
            raise IamError("LimitExceeded", f"Cannot exceed quota for {quota_name}: {MANAGED_PER_ENTITY}")
        return _store(call, table, replace(entity, attached=(*entity.attached, policy.arn))), {}

    @operation(f"iam:Detach{kind}Policy", {param: field, "PolicyArn": ARN},
               checks(f"iam:Detach{kind}Policy", "iam:PolicyARN", "PolicyArn"))
    def detach(call: Call):
        entity = find(call.account, call.params[param])
        arn = call.params["PolicyArn"]
        if arn not in entity.attached:
            raise IamError("NoSuchEntity", f"Policy {arn} was not found.")
        return _store(call, table, replace(entity, attached=tuple(a for a in entity.attached if a != arn))), {}

    if kind == "Group":
        return  # "Permissions boundaries are supported only for users and roles"

    @operation(f"iam:Put{kind}PermissionsBoundary", {param: field, "PermissionsBoundary": ARN},
               checks(f"iam:Put{kind}PermissionsBoundary", "iam:PermissionsBoundary", "PermissionsBoundary"))
    def put_boundary(call: Call):
        entity = find(call.account, call.params[param])
        policy = managed_policy(call.world, call.who.account, call.params["PermissionsBoundary"])
        return _store(call, table, replace(entity, boundary=policy.arn)), {}

    def delete_checks(c: Call):
        entity = getattr(c.account, table).get(c.params[param].lower())
        ctx = {"iam:PermissionsBoundary": entity.boundary} if entity is not None and entity.boundary else {}
        return (check(c, f"iam:Delete{kind}PermissionsBoundary", c.params[param], **ctx),)

    @operation(f"iam:Delete{kind}PermissionsBoundary", {param: field}, delete_checks)
    def delete_boundary(call: Call):
        entity = find(call.account, call.params[param])
        return _store(call, table, replace(entity, boundary=None)), {}


for _kind in KINDS:
    _make(_kind)
