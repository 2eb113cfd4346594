"""IAM roles: CreateRole, GetRole, DeleteRole, UpdateAssumeRolePolicy, UpdateRole.

Rules: "A role trust policy is a required resource-based policy"; a role has no long-term credentials
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html); ``MaxSessionDuration`` is
3600..43200 seconds, default 3600 (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html); the
trust policy counts against the "role trust policy length" quota of 2,048 characters
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html; wire message "Cannot exceed quota
for ACLSizePerRole: 2048"); DeleteRole fails with ``DeleteConflict`` while the role has inline or attached
policies (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html).
"""

from __future__ import annotations

from dataclasses import replace

from spec.errors import IamError
from spec.identity.context import request_tag_context
from spec.identity.documents import TRUST_QUOTA, capture, check_quota, size
from spec.identity.entities import Document, Role
from spec.identity.iam_common import managed_policy, quota, role_check, role_json
from spec.identity.ids import ROLE, role_arn, unique_id
from spec.identity.registry import Call, operation
from spec.identity.shapes import DESCRIPTION, DOCUMENT, MAX_SESSION, PATH_FIELD, ROLE_NAME, TAGS, Field
from spec.identity.state import World, find_role
from spec.policy import PolicyKind


def trust_document(world: World, text: str) -> Document:
    """A trust policy as IAM saves it: valid as a trust policy (``MalformedPolicyDocument``), within the quota
    (``LimitExceeded``), its user and role principals existing and remembered by unique ID."""
    document = capture(world, text, PolicyKind.TRUST)
    check_quota(size(text), TRUST_QUOTA, "ACLSizePerRole")
    return document


def _create_role_checks(call: Call):
    p = call.params
    ctx = request_tag_context(p.get("Tags", ()))
    if "PermissionsBoundary" in p:
        ctx["iam:PermissionsBoundary"] = p["PermissionsBoundary"]
    return (role_check(call, "iam:CreateRole", p["RoleName"], p.get("Path", "/"), **ctx),)


@operation("iam:CreateRole", {"RoleName": ROLE_NAME, "AssumeRolePolicyDocument": DOCUMENT, "Path": PATH_FIELD,
                              "Description": DESCRIPTION, "MaxSessionDuration": MAX_SESSION,
                              "PermissionsBoundary": Field("str", False, 20, 2048), "Tags": TAGS},
           _create_role_checks)
def create_role(call: Call):
    """CreateRole (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html)."""
    p, account = call.params, call.account
    name, path = p["RoleName"], p.get("Path", "/")
    if name.lower() in account.roles:
        raise IamError("EntityAlreadyExists", f"Role with name {name} already exists.")
    quota(account, "roles")
    trust = trust_document(call.world, p["AssumeRolePolicyDocument"])
    boundary = p.get("PermissionsBoundary")
    if boundary is not None:
        managed_policy(call.world, account.account_id, boundary)
    world, serial = call.world.next_serial()
    role = Role(name, path, unique_id(ROLE, serial), role_arn(account.account_id, path, name), world.now, trust,
                max_session=p.get("MaxSessionDuration", 3600), description=p.get("Description"),
                boundary=boundary, tags=p.get("Tags", ()))
    world = world.with_account(replace(account, roles=account.roles.set(name.lower(), role)))
    return world, {"Role": role_json(world, role)}


@operation("iam:GetRole", {"RoleName": ROLE_NAME}, lambda c: (role_check(c, "iam:GetRole", c.params["RoleName"]),))
def get_role(call: Call):
    """GetRole: the role, with its trust policy as IAM now shows it (a deleted principal as its unique ID)."""
    return call.world, {"Role": role_json(call.world, find_role(call.account, call.params["RoleName"]))}


@operation("iam:DeleteRole", {"RoleName": ROLE_NAME},
           lambda c: (role_check(c, "iam:DeleteRole", c.params["RoleName"]),))
def delete_role(call: Call):
    """DeleteRole: only a role without policies. Its existing sessions keep working until they expire but carry
    no permissions of the role any more (iamspec decision, following "sessions follow the role's unique ID")."""
    account = call.account
    role = find_role(account, call.params["RoleName"])
    if role.inline or role.attached:
        raise IamError("DeleteConflict", "Cannot delete entity, must delete policies first.")
    return call.world.with_account(replace(account, roles=account.roles.remove(role.name.lower()))), {}


@operation("iam:UpdateAssumeRolePolicy", {"RoleName": ROLE_NAME, "PolicyDocument": DOCUMENT},
           lambda c: (role_check(c, "iam:UpdateAssumeRolePolicy", c.params["RoleName"]),))
def update_assume_role_policy(call: Call):
    """UpdateAssumeRolePolicy: replace the trust policy, validated as on CreateRole
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html)."""
    account = call.account
    role = find_role(account, call.params["RoleName"])
    role = replace(role, trust=trust_document(call.world, call.params["PolicyDocument"]))
    return call.world.with_account(replace(account, roles=account.roles.set(role.name.lower(), role))), {}


@operation("iam:UpdateRole", {"RoleName": ROLE_NAME, "Description": DESCRIPTION, "MaxSessionDuration": MAX_SESSION},
           lambda c: (role_check(c, "iam:UpdateRole", c.params["RoleName"]),))
def update_role(call: Call):
    """UpdateRole: description and ``MaxSessionDuration`` (3600..43200, ``ValidationError`` outside). Sessions
    already issued keep their expiry (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateRole.html)."""
    account = call.account
    role = find_role(account, call.params["RoleName"])
    role = replace(role, max_session=call.params.get("MaxSessionDuration", role.max_session),
                   description=call.params.get("Description", role.description))
    return call.world.with_account(replace(account, roles=account.roles.set(role.name.lower(), role))), {}
