"""Inline policies: Put/Get/Delete User, Group and Role policies.

Rules (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html and the Group/Role pages):
Put replaces a policy of the same name; the document must be a valid identity-based policy
(``MalformedPolicyDocument``); the aggregate size of an entity's inline policies, white space not counted, is at
most 2,048 (user), 5,120 (group), 10,240 (role) characters (``LimitExceeded``, wire message "Maximum policy size
of 10240 bytes exceeded", iam-semantics §1.3). Get and Delete of a name that is not there is ``NoSuchEntity``.
Inline policy names are compared exactly, with case (iamspec decision: the references are silent).
"""

from __future__ import annotations

from dataclasses import replace

from spec.errors import IamError
from spec.identity.documents import (
    GROUP_INLINE_QUOTA,
    ROLE_INLINE_QUOTA,
    USER_INLINE_QUOTA,
    as_object,
    parsed,
    size,
)
from spec.identity.iam_common import group_check, role_check, user_check
from spec.identity.registry import Call, operation
from spec.identity.shapes import DOCUMENT, GROUP_NAME, POLICY_NAME, ROLE_NAME, USER_REF
from spec.identity.state import find_group, find_role, find_user
from spec.policy import PolicyKind

KINDS = {
    # kind: (name parameter, name field for Put, name field for Get/Delete, account table, finder, check, quota)
    "User": ("UserName", USER_REF, USER_REF, "users", find_user, user_check, USER_INLINE_QUOTA),
    "Group": ("GroupName", GROUP_NAME, GROUP_NAME, "groups", find_group, group_check, GROUP_INLINE_QUOTA),
    "Role": ("RoleName", ROLE_NAME, ROLE_NAME, "roles", find_role, role_check, ROLE_INLINE_QUOTA),
}


def _store(call: Call, kind: str, entity) -> tuple:
    table = KINDS[kind][3]
    account = call.account
    updated = replace(account, **{table: getattr(account, table).set(entity.name.lower(), entity)})
    return call.world.with_account(updated)


def _make(kind: str) -> None:
    param, put_field, ref_field, _, find, check, limit = KINDS[kind]

    def checks(action: str):
        return lambda c: (check(c, action, c.params[param]),)

    @operation(f"iam:Put{kind}Policy", {param: put_field, "PolicyName": POLICY_NAME, "PolicyDocument": DOCUMENT},
               checks(f"iam:Put{kind}Policy"))
    def put(call: Call):
        entity = find(call.account, call.params[param])
        name, text = call.params["PolicyName"], call.params["PolicyDocument"]
        parsed(text, PolicyKind.IDENTITY)
        total = size(text) + sum(size(t) for n, t in entity.inline.items() if n != name)
        if total > limit:
            raise IamError("LimitExceeded", f"Maximum policy size of {limit} bytes exceeded for "
                           f"{kind.lower()} {entity.name}")
        return _store(call, kind, replace(entity, inline=entity.inline.set(name, text))), {}

    @operation(f"iam:Get{kind}Policy", {param: ref_field, "PolicyName": POLICY_NAME}, checks(f"iam:Get{kind}Policy"))
    def get(call: Call):
        entity = find(call.account, call.params[param])
        name = call.params["PolicyName"]
        if name not in entity.inline:
            raise IamError("NoSuchEntity", f"The {kind.lower()} policy with name {name} cannot be found.")
        return call.world, {param: entity.name, "PolicyName": name, "PolicyDocument": as_object(entity.inline[name])}

    @operation(f"iam:Delete{kind}Policy", {param: ref_field, "PolicyName": POLICY_NAME},
               checks(f"iam:Delete{kind}Policy"))
    def delete(call: Call):
        entity = find(call.account, call.params[param])
        name = call.params["PolicyName"]
        if name not in entity.inline:
            raise IamError("NoSuchEntity", f"The {kind.lower()} policy with name {name} cannot be found.")
        return _store(call, kind, replace(entity, inline=entity.inline.remove(name))), {}


for _kind in KINDS:
    _make(_kind)
