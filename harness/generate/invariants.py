"""Hypothesis strategies for scenarios of the IAM and STS API invariants (iam-semantics §1.3, §5.3, §6, §7):
unique names, NoSuchEntity, DeleteConflict, the access-key quota, MaxSessionDuration and DurationSeconds bounds,
session names, expiry, and credentials that are unknown, wrongly signed, inactive or deleted. Each mixes calls that
must fail with calls that must succeed, at and around the documented bounds.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from harness.generate.draws import between, flip, pick, picks
from harness.generate.policies import V12
from harness.generate.scenarios import ACCOUNT, BUCKET, KEY, ROLE_ARN, USER_ARN, finish, root, user_setup

TRUST_ALICE = {"Version": V12, "Statement": [{"Effect": "Allow", "Principal": {"AWS": USER_ARN},
                                               "Action": "sts:AssumeRole"}]}
ALLOW_ALL = {"Version": V12, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DENY_ALL = {"Version": V12, "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
_PROBE_CALLS = (("sts:GetCallerIdentity", {}), ("iam:GetUser", {"UserName": "alice"}),
                ("s3:GetObject", {"Bucket": BUCKET, "Key": KEY}), ("s3:ListBuckets", {}))


def _role(max_session: int | None = None) -> dict:
    params = {"RoleName": "deployer", "AssumeRolePolicyDocument": TRUST_ALICE}
    if max_session is not None:
        params["MaxSessionDuration"] = max_session
    return root("iam:CreateRole", params)


def _assume(**extra: object) -> dict:
    return {"as": "alice", "call": "sts:AssumeRole", "params": {"RoleArn": ROLE_ARN, "RoleSessionName": "s1", **extra},
            "save": "s1"}


@st.composite
def name_unique(draw: st.DrawFn) -> dict:
    kind, key = pick(draw, [("User", "UserName"), ("Group", "GroupName"), ("Role", "RoleName")])
    first = pick(draw, ["alice", "Deployers", "ops-team"])
    second = pick(draw, [first, first.upper(), first.lower(), first.swapcase(), first + "2"])
    extra = {"AssumeRolePolicyDocument": TRUST_ALICE} if kind == "Role" else {}
    return finish("iam.name-unique", [root(f"iam:Create{kind}", {key: first, **extra}),
                                      root(f"iam:Create{kind}", {key: second, **extra}),
                                      root(f"iam:Get{kind}", {key: second})])


@st.composite
def no_such_entity(draw: st.DrawFn) -> dict:
    calls = [("iam:GetUser", {"UserName": "bob"}), ("iam:DeleteUser", {"UserName": "bob"}),
             ("iam:GetRole", {"RoleName": "ghost"}), ("iam:GetGroup", {"GroupName": "ghosts"}),
             ("iam:AddUserToGroup", {"GroupName": "ghosts", "UserName": "alice"}),
             ("iam:AttachUserPolicy", {"UserName": "alice", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/ghost"}),
             ("iam:PutUserPolicy", {"UserName": "bob", "PolicyName": "p", "PolicyDocument": ALLOW_ALL}),
             ("iam:DeleteAccessKey", {"UserName": "alice", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE"})]
    chosen = picks(draw, calls, min_size=1, max_size=3)  # they all differ
    return finish("iam.no-such-entity", [root("iam:CreateUser", {"UserName": "alice"})]
                  + [root(c, p) for c, p in chosen])


@st.composite
def delete_conflict(draw: st.DrawFn) -> dict:
    kind = pick(draw, ["user-policy", "user-key", "user-group", "group-member", "role-policy", "clean"])
    steps = [root("iam:CreateUser", {"UserName": "alice"})]
    if kind == "user-policy":
        steps += [root("iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "p", "PolicyDocument": ALLOW_ALL})]
    elif kind == "user-key":
        steps += [root("iam:CreateAccessKey", {"UserName": "alice"})]
    elif kind in ("user-group", "group-member"):
        steps += [root("iam:CreateGroup", {"GroupName": "devs"}),
                  root("iam:AddUserToGroup", {"GroupName": "devs", "UserName": "alice"})]
    elif kind == "role-policy":
        steps += [_role(), root("iam:PutRolePolicy", {"RoleName": "deployer", "PolicyName": "p",
                                                      "PolicyDocument": ALLOW_ALL})]
    target = {"group-member": root("iam:DeleteGroup", {"GroupName": "devs"}),
              "role-policy": root("iam:DeleteRole", {"RoleName": "deployer"})}.get(kind, root("iam:DeleteUser",
                                                                                              {"UserName": "alice"}))
    return finish("iam.delete-conflict", [*steps, target])


@st.composite
def access_key_quota(draw: st.DrawFn) -> dict:
    n = between(draw, 2, 4)
    steps = [root("iam:CreateUser", {"UserName": "alice"})]
    steps += [root("iam:CreateAccessKey", {"UserName": "alice"}, f"k{i}") for i in range(n)]
    if flip(draw):
        steps.append(root("iam:UpdateAccessKey", {"UserName": "alice", "AccessKeyId": {"$saved": "k0.AccessKeyId"},
                                                  "Status": "Inactive"}))
        steps.append(root("iam:CreateAccessKey", {"UserName": "alice"}))
    return finish("iam.access-key-quota", steps)


@st.composite
def role_max_session(draw: st.DrawFn) -> dict:
    value = pick(draw, [3599, 3600, 7200, 43200, 43201, 0])
    return finish("iam.role-max-session", [_role(value), root("iam:GetRole", {"RoleName": "deployer"})])


def _with_role(steps_after: list[dict], max_session: int | None = None) -> list[dict]:
    return [*user_setup(False), _role(max_session),
            root("iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "p", "PolicyDocument": ALLOW_ALL}),
            *steps_after]


@st.composite
def duration_bounds(draw: st.DrawFn) -> dict:
    max_session = pick(draw, [None, 3600, 7200, 43200])
    limit = max_session or 3600
    duration = pick(draw, [899, 900, 3600, limit, limit + 1, 43200, 43201])
    return finish("sts.duration-bounds", _with_role([_assume(DurationSeconds=duration)], max_session))


@st.composite
def expiry(draw: st.DrawFn) -> dict:
    duration = pick(draw, [900, 3600])
    wait = pick(draw, [duration - 1, duration, duration + 1, duration + 600])
    call, params = pick(draw, _PROBE_CALLS)
    return finish("sts.expiry", _with_role([_assume(DurationSeconds=duration), {"advance": wait},
                                            {"as": "s1", "call": call, "params": params}]))


@st.composite
def session_name(draw: st.DrawFn) -> dict:
    name = pick(draw, ["a", "ab", "s" * 64, "s" * 65, "bad name", "ok=+,.@-_1", "slash/no", ""])
    return finish("sts.session-name", _with_role([{"as": "alice", "call": "sts:AssumeRole",
                                                   "params": {"RoleArn": ROLE_ARN, "RoleSessionName": name}}]))


@st.composite
def caller_identity(draw: st.DrawFn) -> dict:
    doc = pick(draw, [None, DENY_ALL, ALLOW_ALL])
    steps = user_setup(False)
    if doc is not None:
        steps.append(root("iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "p", "PolicyDocument": doc}))
    steps.append({"as": "alice", "call": "sts:GetCallerIdentity", "params": {}})
    return finish("sts.caller-identity", steps)


@st.composite
def credentials(draw: st.DrawFn, feature: str) -> dict:
    """Calls with credentials that must not authenticate (and, around them, ones that must)."""
    call, params = pick(draw, _PROBE_CALLS)
    steps = [*user_setup(False),
             root("iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "p", "PolicyDocument": ALLOW_ALL})]
    if feature == "auth.no-credentials":  # the handle of a step that failed holds no credentials
        steps.append({"as": "alice", "call": "sts:AssumeRole", "save": "ghost",
                      "params": {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/missing", "RoleSessionName": "s1"}})
        who: object = "ghost"
    elif feature == "auth.unknown-key":
        who = {"AccessKeyId": pick(draw, ["AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE"]),
               "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
    elif feature == "auth.bad-signature":
        who = {"handle": "alice", "SecretAccessKey": pick(draw, ["wrong", "x" * 40])}
    else:
        who = "alice"
        if feature == "auth.inactive-key":
            status = pick(draw, ["Inactive", "Inactive", "Active"])
            steps.append(root("iam:UpdateAccessKey", {"UserName": "alice", "Status": status,
                                                      "AccessKeyId": {"$saved": "alice.AccessKeyId"}}))
        else:
            steps.append(root("iam:DeleteAccessKey", {"UserName": "alice",
                                                      "AccessKeyId": {"$saved": "alice.AccessKeyId"}}))
    steps.append({"as": who, "call": call, "params": params})
    return finish(feature, steps)


INVARIANTS: dict[str, Callable[[], st.SearchStrategy[dict]]] = {
    "iam.name-unique": name_unique, "iam.no-such-entity": no_such_entity, "iam.delete-conflict": delete_conflict,
    "iam.access-key-quota": access_key_quota, "iam.role-max-session": role_max_session,
    "sts.duration-bounds": duration_bounds, "sts.expiry": expiry, "sts.session-name": session_name,
    "sts.caller-identity": caller_identity,
    "auth.unknown-key": lambda: credentials("auth.unknown-key"),
    "auth.bad-signature": lambda: credentials("auth.bad-signature"),
    "auth.inactive-key": lambda: credentials("auth.inactive-key"),
    "auth.deleted-key": lambda: credentials("auth.deleted-key"),
    "auth.no-credentials": lambda: credentials("auth.no-credentials"),
}
