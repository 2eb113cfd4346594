"""Access keys: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys.

Rules (iam-semantics §6.1): long-term keys belong to IAM users and the root user only -- there is no way to name a
role, so "a role cannot hold an access key" holds by construction; at most 2 keys, active or inactive
("You can have a maximum of two access keys (active or inactive) at a time"; third -> ``LimitExceeded`` "Cannot
exceed quota for AccessKeysPerUser: 2"); new keys are ``Active``; the secret is returned only by CreateAccessKey;
without ``UserName`` a call acts on the caller's own user, or on the root user for root credentials
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html).
"""

from __future__ import annotations

from dataclasses import replace

from spec.errors import IamError
from spec.identity.authz import Check
from spec.identity.clock import iso
from spec.identity.entities import AccessKey
from spec.identity.iam_common import own_user_name, user_check
from spec.identity.ids import LONG_TERM_KEY, root_arn, secret_key, unique_id
from spec.identity.registry import Call, operation
from spec.identity.shapes import KEY_ID, Field
from spec.identity.state import World, find_user

KEYS_PER_USER = 2
OPTIONAL_USER = Field("str", False, 1, 128, r"[\w+=,.@-]+")


def _checks(action: str):
    def checks(call: Call):
        name = own_user_name(call, call.params.get("UserName"))
        if name is None:
            return (Check(action, root_arn(call.who.account), call.who.account),)
        return (user_check(call, action, name),)
    return checks


def _keys(call: Call) -> tuple[str | None, tuple[AccessKey, ...]]:
    name = own_user_name(call, call.params.get("UserName"))
    if name is None:
        return None, call.account.root_keys
    user = find_user(call.account, name)
    return user.name, user.keys


def _store(call: Call, name: str | None, keys: tuple[AccessKey, ...]) -> World:
    account = call.account
    if name is None:
        return call.world.with_account(replace(account, root_keys=keys))
    user = replace(find_user(account, name), keys=keys)
    return call.world.with_account(replace(account, users=account.users.set(user.name.lower(), user)))


def _key_json(name: str | None, key: AccessKey) -> dict:
    out = {"AccessKeyId": key.key_id, "Status": key.status, "CreateDate": iso(key.created)}
    return {"UserName": name, **out} if name is not None else out


@operation("iam:CreateAccessKey", {"UserName": OPTIONAL_USER}, _checks("iam:CreateAccessKey"))
def create_access_key(call: Call):
    name, keys = _keys(call)
    if len(keys) >= KEYS_PER_USER:
        raise IamError("LimitExceeded", f"Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}")
    world, serial = call.world.next_serial()
    key = AccessKey(unique_id(LONG_TERM_KEY, serial), secret_key(serial), "Active", world.now)
    world = _store(Call(world, call.who, call.params), name, (*keys, key))
    return world, {"AccessKey": {**_key_json(name, key), "SecretAccessKey": key.secret}}


def _find_key(keys: tuple[AccessKey, ...], key_id: str, name: str | None) -> AccessKey:
    found = next((k for k in keys if k.key_id == key_id), None)
    if found is None:
        raise IamError("NoSuchEntity", f"The Access Key with id {key_id} cannot be found.")
    return found


@operation("iam:UpdateAccessKey", {"UserName": OPTIONAL_USER, "AccessKeyId": KEY_ID,
                                   "Status": Field("str", True, enum=("Active", "Inactive", "Expired"))},
           _checks("iam:UpdateAccessKey"))
def update_access_key(call: Call):
    """UpdateAccessKey: Active <-> Inactive. ``Expired`` is in the API's enumeration but is not a status a
    caller can set (iamspec decision: ``InvalidInput``)."""
    status = call.params["Status"]
    if status == "Expired":
        raise IamError("InvalidInput", "Status Expired cannot be set by UpdateAccessKey.")
    name, keys = _keys(call)
    key = _find_key(keys, call.params["AccessKeyId"], name)
    return _store(call, name, tuple(replace(k, status=status) if k is key else k for k in keys)), {}


@operation("iam:DeleteAccessKey", {"UserName": OPTIONAL_USER, "AccessKeyId": KEY_ID}, _checks("iam:DeleteAccessKey"))
def delete_access_key(call: Call):
    name, keys = _keys(call)
    key = _find_key(keys, call.params["AccessKeyId"], name)
    return _store(call, name, tuple(k for k in keys if k is not key)), {}


@operation("iam:ListAccessKeys", {"UserName": OPTIONAL_USER}, _checks("iam:ListAccessKeys"))
def list_access_keys(call: Call):
    name, keys = _keys(call)
    return call.world, {"AccessKeyMetadata": [_key_json(name, k) for k in keys], "IsTruncated": False}
