"""IAM users and groups: Create/Get/Delete User and Group, AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser.

Rules (IAM API Reference, https://docs.aws.amazon.com/IAM/latest/APIReference/, and iam-semantics §1, §6.3):
names are unique in the account without regard to case; a name that differs from a taken one only in case is
``EntityAlreadyExists`` (iamspec decision on the code); IAM calls find an entity by name without regard to case
(iamspec decision, following the uniqueness rule; STS's ``RoleArn`` is matched exactly); a group holds users only,
at most 10 groups per user (``LimitExceeded``); DeleteUser fails with ``DeleteConflict`` while the user has access
keys, inline or attached policies or group memberships; DeleteGroup while it has members or policies.
"""

from __future__ import annotations

from dataclasses import replace

from spec.errors import IamError
from spec.identity.clock import iso
from spec.identity.context import request_tag_context
from spec.identity.entities import Group, User
from spec.identity.iam_common import (
    group_check,
    managed_policy,
    quota,
    user_check,
    user_json,
)
from spec.identity.ids import GROUP, USER, group_arn, root_arn, unique_id, user_arn
from spec.identity.registry import Call, operation
from spec.identity.shapes import GROUP_NAME, PATH_FIELD, TAGS, USER_NAME, USER_REF, Field
from spec.identity.state import find_group, find_user

GROUPS_PER_USER = 10


def _create_user_checks(call: Call):
    p = call.params
    ctx = request_tag_context(p.get("Tags", ()))
    if "PermissionsBoundary" in p:
        ctx["iam:PermissionsBoundary"] = p["PermissionsBoundary"]
    return (user_check(call, "iam:CreateUser", p["UserName"], p.get("Path", "/"), **ctx),)


@operation("iam:CreateUser", {"UserName": USER_NAME, "Path": PATH_FIELD,
                              "PermissionsBoundary": Field("str", False, 20, 2048), "Tags": TAGS},
           _create_user_checks)
def create_user(call: Call):
    """CreateUser: a new user with no credentials of any kind
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html)."""
    p, account = call.params, call.account
    name, path = p["UserName"], p.get("Path", "/")
    if name.lower() in account.users:
        raise IamError("EntityAlreadyExists", f"User with name {name} already exists.")
    quota(account, "users")
    boundary = p.get("PermissionsBoundary")
    if boundary is not None:
        managed_policy(call.world, account.account_id, boundary)
    world, serial = call.world.next_serial()
    user = User(name, path, unique_id(USER, serial), user_arn(account.account_id, path, name), world.now,
                boundary=boundary, tags=p.get("Tags", ()))
    world = world.with_account(replace(account, users=account.users.set(name.lower(), user)))
    return world, {"User": user_json(user)}


def _get_user_checks(call: Call):
    name = call.params.get("UserName")
    if name is None and call.who.kind == "root":
        from spec.identity.authz import Check

        return (Check("iam:GetUser", root_arn(call.who.account), call.who.account),)
    if name is None and call.who.kind != "user":
        raise IamError("ValidationError", "Must specify userName when calling with non-User credentials")
    return (user_check(call, "iam:GetUser", name or call.who.user_name or ""),)


@operation("iam:GetUser", {"UserName": Field("str", False, 1, 128, USER_REF.pattern)}, _get_user_checks)
def get_user(call: Call):
    """GetUser: the named user, or the caller's own user; for the root user, its account ID and ARN only
    (iamspec decision: the model keeps no creation date or name for the root user)."""
    name = call.params.get("UserName")
    if name is None and call.who.kind == "root":
        return call.world, {"User": {"UserId": call.who.account, "Arn": call.who.arn}}
    return call.world, {"User": user_json(find_user(call.account, name or call.who.user_name or ""))}


@operation("iam:DeleteUser", {"UserName": USER_REF},
           lambda c: (user_check(c, "iam:DeleteUser", c.params["UserName"]),))
def delete_user(call: Call):
    """DeleteUser: "you must delete the items attached to the user manually, or the deletion fails"
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html) -> ``DeleteConflict``."""
    account = call.account
    user = find_user(account, call.params["UserName"])
    if user.keys:
        raise IamError("DeleteConflict", "Cannot delete entity, must delete access keys first.")
    if user.inline or user.attached:
        raise IamError("DeleteConflict", "Cannot delete entity, must delete policies first.")
    if user.groups:
        raise IamError("DeleteConflict", "Cannot delete entity, must remove users from group first.")
    world = call.world.with_account(replace(account, users=account.users.remove(user.name.lower())))
    return world, {}


def _group_json(group: Group) -> dict:
    return {"Path": group.path, "GroupName": group.name, "GroupId": group.group_id, "Arn": group.arn,
            "CreateDate": iso(group.created)}


@operation("iam:CreateGroup", {"GroupName": GROUP_NAME, "Path": PATH_FIELD},
           lambda c: (group_check(c, "iam:CreateGroup", c.params["GroupName"], c.params.get("Path", "/")),))
def create_group(call: Call):
    """CreateGroup (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html)."""
    p, account = call.params, call.account
    name, path = p["GroupName"], p.get("Path", "/")
    if name.lower() in account.groups:
        raise IamError("EntityAlreadyExists", f"Group with name {name} already exists.")
    quota(account, "groups")
    world, serial = call.world.next_serial()
    group = Group(name, path, unique_id(GROUP, serial), group_arn(account.account_id, path, name), world.now)
    return world.with_account(replace(account, groups=account.groups.set(name.lower(), group))), \
        {"Group": _group_json(group)}


def _members(call: Call, group: Group) -> list[User]:
    return [u for u in call.account.users.values() if group.name.lower() in u.groups]


@operation("iam:GetGroup", {"GroupName": GROUP_NAME},
           lambda c: (group_check(c, "iam:GetGroup", c.params["GroupName"]),))
def get_group(call: Call):
    """GetGroup: the group and its users (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetGroup.html)."""
    group = find_group(call.account, call.params["GroupName"])
    return call.world, {"Group": _group_json(group), "Users": [user_json(u) for u in _members(call, group)],
                        "IsTruncated": False}


@operation("iam:DeleteGroup", {"GroupName": GROUP_NAME},
           lambda c: (group_check(c, "iam:DeleteGroup", c.params["GroupName"]),))
def delete_group(call: Call):
    """DeleteGroup: "The group must not contain any users or have any attached policies"
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteGroup.html); inline policies count too."""
    account = call.account
    group = find_group(account, call.params["GroupName"])
    if _members(call, group):
        raise IamError("DeleteConflict", "Cannot delete entity, must remove users from group first.")
    if group.inline or group.attached:
        raise IamError("DeleteConflict", "Cannot delete entity, must delete policies first.")
    return call.world.with_account(replace(account, groups=account.groups.remove(group.name.lower()))), {}


MEMBERSHIP = {"GroupName": GROUP_NAME, "UserName": USER_REF}


@operation("iam:AddUserToGroup", MEMBERSHIP,
           lambda c: (group_check(c, "iam:AddUserToGroup", c.params["GroupName"]),))
def add_user_to_group(call: Call):
    """AddUserToGroup: only a user can join, only a group can be joined; at most 10 groups per user
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). Adding a user that is already a
    member succeeds and changes nothing (iamspec decision: the API lists no error for it)."""
    account = call.account
    group = find_group(account, call.params["GroupName"])
    user = find_user(account, call.params["UserName"])
    key = group.name.lower()
    if key in user.groups:
        return call.world, {}
    if len(user.groups) >= GROUPS_PER_USER:
        raise IamError("LimitExceeded", f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}")
    user = replace(user, groups=(*user.groups, key))
    return call.world.with_account(replace(account, users=account.users.set(user.name.lower(), user))), {}


@operation("iam:RemoveUserFromGroup", MEMBERSHIP,
           lambda c: (group_check(c, "iam:RemoveUserFromGroup", c.params["GroupName"]),))
def remove_user_from_group(call: Call):
    """RemoveUserFromGroup. Removing a user that is not a member is ``NoSuchEntity`` (iamspec decision)."""
    account = call.account
    group = find_group(account, call.params["GroupName"])
    user = find_user(account, call.params["UserName"])
    key = group.name.lower()
    if key not in user.groups:
        raise IamError("NoSuchEntity", f"User {user.name} is not in group {group.name}.")
    user = replace(user, groups=tuple(g for g in user.groups if g != key))
    return call.world.with_account(replace(account, users=account.users.set(user.name.lower(), user))), {}


@operation("iam:ListGroupsForUser", {"UserName": USER_REF},
           lambda c: (user_check(c, "iam:ListGroupsForUser", c.params["UserName"]),))
def list_groups_for_user(call: Call):
    """ListGroupsForUser (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListGroupsForUser.html)."""
    account = call.account
    user = find_user(account, call.params["UserName"])
    return call.world, {"Groups": [_group_json(account.groups[g]) for g in user.groups], "IsTruncated": False}
