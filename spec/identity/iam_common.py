"""What the IAM operations share: the ARN each call is authorized on, managed-policy lookup, responses.

The resource of an IAM action is the entity it acts on (the Service Authorization Reference's resource types for
IAM, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html):
the user ARN for user calls (including iam:CreateAccessKey), the group ARN for group calls (including
iam:AddUserToGroup), the role ARN for role calls, the policy ARN for policy calls. For an entity that does not
exist (yet) the ARN is built from the name and the given path, default ``/`` (iamspec decision: AWS authorizes
before it looks the entity up, and a missing entity has no stored path).
"""

from __future__ import annotations

from spec.errors import IamError
from spec.identity.authz import Check
from spec.identity.clock import iso
from spec.identity.context import resource_tag_context
from spec.identity.entities import Account, ManagedPolicy, Role, User
from spec.identity.ids import group_arn, parse_iam_arn, role_arn, user_arn
from spec.identity.managed import aws_managed_policy, is_aws_managed
from spec.identity.registry import Call
from spec.identity.state import World, find_customer_policy

ENTITY_QUOTAS = {"users": ("UsersPerAccount", 5000), "groups": ("GroupsPerAccount", 300),
                 "roles": ("RolesPerAccount", 1000), "policies": ("PoliciesPerAccount", 1500)}


def quota(account: Account, table: str) -> None:
    """Account quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, defaults)."""
    name, limit = ENTITY_QUOTAS[table]
    if len(getattr(account, table)) >= limit:
        raise IamError("LimitExceeded", f"Cannot exceed quota for {name}: {limit}")


def user_check(call: Call, action: str, name: str, path: str = "/", **context) -> Check:
    user = call.account.users.get(name.lower())
    arn = user.arn if user is not None else user_arn(call.who.account, path, name)
    tags = resource_tag_context(user.tags) if user is not None else {}
    return Check(action, arn, call.who.account, context={**tags, **context})


def group_check(call: Call, action: str, name: str, path: str = "/", **context) -> Check:
    group = call.account.groups.get(name.lower())
    arn = group.arn if group is not None else group_arn(call.who.account, path, name)
    return Check(action, arn, call.who.account, context=context)


def role_check(call: Call, action: str, name: str, path: str = "/", **context) -> Check:
    role = call.account.roles.get(name.lower())
    arn = role.arn if role is not None else role_arn(call.who.account, path, name)
    tags = resource_tag_context(role.tags) if role is not None else {}
    return Check(action, arn, call.who.account, context={**tags, **context})


def check_policy_arn(arn: str) -> None:
    """A policy ARN that is not ``arn:aws:iam::ACCOUNT|aws:policy/PATH/NAME`` is ``InvalidInput``."""
    parsed = parse_iam_arn(arn.replace("::aws:", "::000000000000:", 1)) if is_aws_managed(arn) else parse_iam_arn(arn)
    if parsed is None or parsed[1] != "policy":
        raise IamError("InvalidInput", f"ARN {arn} is not valid.")


def managed_policy(world: World, account_id: str, arn: str) -> ManagedPolicy:
    """The managed policy an ARN names, for use in ``account_id``: AWS managed, or customer managed in that
    account (a customer managed policy of another account cannot be used, iamspec decision: "not attachable")."""
    check_policy_arn(arn)
    if is_aws_managed(arn):
        policy = world.aws_policies.get(arn) or aws_managed_policy(arn)
        if policy is None:
            raise IamError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
        return policy
    if parse_iam_arn(arn)[0] != account_id:  # type: ignore[index]
        raise IamError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
    return find_customer_policy(world.account(account_id), arn)


def boundary_json(arn: str | None) -> dict:
    if arn is None:
        return {}
    return {"PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                    "PermissionsBoundaryArn": arn}}


def tags_json(tags: tuple[tuple[str, str], ...]) -> dict:
    return {"Tags": [{"Key": k, "Value": v} for k, v in tags]} if tags else {}


def user_json(user: User) -> dict:
    return {"Path": user.path, "UserName": user.name, "UserId": user.user_id, "Arn": user.arn,
            "CreateDate": iso(user.created), **boundary_json(user.boundary), **tags_json(user.tags)}


def role_json(world: World, role: Role) -> dict:
    from spec.identity.documents import as_object, effective_text

    out = {"Path": role.path, "RoleName": role.name, "RoleId": role.role_id, "Arn": role.arn,
           "CreateDate": iso(role.created), "AssumeRolePolicyDocument": as_object(effective_text(world, role.trust, display=True)),
           "MaxSessionDuration": role.max_session, **boundary_json(role.boundary), **tags_json(role.tags)}
    if role.description is not None:
        out["Description"] = role.description
    return out


def policy_json(policy: ManagedPolicy, attachments: int = 0, boundary_uses: int = 0) -> dict:
    out = {"PolicyName": policy.name, "PolicyId": policy.policy_id, "Arn": policy.arn, "Path": policy.path,
           "DefaultVersionId": policy.default, "AttachmentCount": attachments,
           "PermissionsBoundaryUsageCount": boundary_uses, "IsAttachable": True,
           "CreateDate": iso(policy.created), "UpdateDate": iso(policy.updated), **tags_json(policy.tags)}
    if policy.description is not None:
        out["Description"] = policy.description
    return out


def usage(account: Account, arn: str) -> tuple[int, int]:
    """(attachments to users, groups and roles; uses as a permissions boundary) of a managed policy."""
    entities = [*account.users.values(), *account.groups.values(), *account.roles.values()]
    attached = sum(1 for e in entities if arn in e.attached)
    boundary = sum(1 for e in entities if getattr(e, "boundary", None) == arn)
    return attached, boundary


def own_user_name(call: Call, given: str | None) -> str | None:
    """The user a key call acts on: ``UserName``, else the caller's own user (root: ``None``, the root user).
    "If a temporary access key is used, then UserName is required" -> ``ValidationError``
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html)."""
    if given is not None:
        return given
    if call.who.kind == "user":
        return call.who.user_name
    if call.who.kind == "root":
        return None
    raise IamError("ValidationError", "Must specify userName when calling with non-User credentials")
