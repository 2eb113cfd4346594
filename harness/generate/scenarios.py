"""Hypothesis strategies for scenarios (formats/scenario.md): sequences of IAM, STS and S3 calls, one strategy per
API-level feature.

A policy scenario builds a small world as root (a user with an access key, a bucket with an object, maybe a group,
a customer managed policy, a boundary, a bucket policy, a role to assume), draws the policies against the calls the
user will then make (:class:`~harness.generate.conditions.Aim`, with the request context those calls carry), and
ends with those calls made as the user or a role session. Conditions on keys whose values depend on the machine (the
clock, the client's address) use only values every environment agrees on. The IAM/STS invariants (names, quotas,
credentials, durations, expiry) are in :mod:`harness.generate.invariants`. No scenario says what a call must return:
the model predicts it.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from hypothesis import strategies as st

from harness.features import API, FEATURES
from harness.generate.conditions import Aim
from harness.generate.draws import between, flip, pick, picks
from harness.generate.policies import V12, malformed, policy, statement

ACCOUNT = "123456789012"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/deployer"
BUCKET, KEY = "iamspec-bucket", "home/alice/report.txt"
# Users created with a tag (team=blue), for aws:PrincipalTag conditions. Off while the model refuses CreateUser with
# Tags (ValidationError on aws:TagKeys, reported to the lead).
TAGGED_USERS = True
SCENARIO_FEATURES: tuple[str, ...] = tuple(f.id for f in FEATURES if API in f.levels)
# Calls the user makes: (call, params, the IAM action it is authorized as, the resource ARN).
PROBES: tuple[tuple[str, dict, str, str], ...] = (
    ("s3:GetObject", {"Bucket": BUCKET, "Key": KEY}, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/{KEY}"),
    ("s3:PutObject", {"Bucket": BUCKET, "Key": KEY, "Body": "data"}, "s3:PutObject", f"arn:aws:s3:::{BUCKET}/{KEY}"),
    ("s3:ListBuckets", {}, "s3:ListAllMyBuckets", "*"),
    ("iam:GetUser", {"UserName": "alice"}, "iam:GetUser", USER_ARN),
    ("iam:ListAccessKeys", {"UserName": "alice"}, "iam:ListAccessKeys", USER_ARN),
)
_POLICY_TOGGLES = tuple(f for f in SCENARIO_FEATURES if f.split(".")[0] in ("action", "resource", "condition", "variable")
                        or f == "decision.explicit-deny")
_TRUST = {"trust-policy.required", "trust-policy.explicit-deny", "trust-policy.names-user", "trust-policy.boundary",
          "trust-policy.account-principal", "trust-policy.external-id", "trust-policy.root-cannot-assume",
          "session.policy-caps", "sts.session-permissions", "sts.session-identity"}


def root(call: str, params: dict, save: str | None = None) -> dict:
    step = {"as": "root", "call": call, "params": params}
    if save:
        step["save"] = save
    return step


def user_setup(tags: bool) -> list[dict]:
    params: dict[str, Any] = {"UserName": "alice"}
    if tags:
        params["Tags"] = [{"Key": "team", "Value": "blue"}]
    return [root("iam:CreateUser", params), root("iam:CreateAccessKey", {"UserName": "alice"}, "alice"),
            root("s3:CreateBucket", {"Bucket": BUCKET}),
            root("s3:PutObject", {"Bucket": BUCKET, "Key": KEY, "Body": "hello"})]


def _aim(action: str, resource: str, principal: str, tagged: bool) -> Aim:
    ctx: dict[str, object] = {"aws:username": "alice", "aws:PrincipalArn": USER_ARN, "aws:PrincipalType": "User",
                              "aws:PrincipalAccount": ACCOUNT}
    if principal != USER_ARN:
        ctx = {"aws:PrincipalArn": ROLE_ARN, "aws:PrincipalType": "AssumedRole", "aws:PrincipalAccount": ACCOUNT}
    if tagged:
        ctx["aws:PrincipalTag/team"] = "blue"
    return Aim(action, resource, principal, ctx, {}, {"aws:CurrentTime": "date", "aws:EpochTime": "numeric",
                                                      "aws:SourceIp": "ip"})


def finish(feature: str, steps: list[dict]) -> dict:
    scenario = {"id": "", "account": ACCOUNT, "steps": steps}
    digest = hashlib.sha256(json.dumps(scenario, sort_keys=True).encode()).hexdigest()[:10]
    scenario["id"] = f"{feature}/{digest}"
    return scenario


def _identity_steps(draw: st.DrawFn, aim: Aim, toggles: frozenset[str]) -> list[dict]:
    """The user's identity policies: inline, through a group, as a managed policy."""
    steps = []
    if between(draw, 0, 4) or not toggles & {"identity.group-policies", "identity.managed-policy"}:
        doc = policy(draw, aim, toggles)
        if "policy.malformed" in toggles:
            doc = malformed(draw, doc)
        steps.append(root("iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "inline", "PolicyDocument": doc}))
    if "identity.group-policies" in toggles:
        steps += [root("iam:CreateGroup", {"GroupName": "devs"}),
                  root("iam:AddUserToGroup", {"GroupName": "devs", "UserName": "alice"}),
                  root("iam:PutGroupPolicy", {"GroupName": "devs", "PolicyName": "group",
                                              "PolicyDocument": policy(draw, aim, toggles)})]
    if "identity.managed-policy" in toggles:
        steps += [root("iam:CreatePolicy", {"PolicyName": "managed", "PolicyDocument": policy(draw, aim, toggles)}),
                  root("iam:AttachUserPolicy", {"UserName": "alice",
                                                "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/managed"})]
    return steps


def _boundary_steps(draw: st.DrawFn, aim: Aim, toggles: frozenset[str], entity: str = "User") -> list[dict]:
    doc = policy(draw, aim, toggles, max_statements=2)
    name = {"User": {"UserName": "alice"}, "Role": {"RoleName": "deployer"}}[entity]
    return [root("iam:CreatePolicy", {"PolicyName": "boundary", "PolicyDocument": doc}),
            root(f"iam:Put{entity}PermissionsBoundary",
                 {**name, "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary"})]


def _bucket_policy_steps(draw: st.DrawFn, aim: Aim, toggles: frozenset[str]) -> list[dict]:
    principals = [{"AWS": USER_ARN}, {"AWS": ACCOUNT}, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                  {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}]
    stmts = [statement(draw, aim, toggles, principal=pick(draw, principals))
             for _ in range(between(draw, 1, 2))]
    return [root("s3:PutBucketPolicy", {"Bucket": BUCKET, "Policy": {"Version": V12, "Statement": stmts}})]


@st.composite
def policy_scenario(draw: st.DrawFn, feature: str) -> dict:
    """A user with policies drawn against the calls it then makes (swarm: other policy features toggled on)."""
    toggles = frozenset(picks(draw, _POLICY_TOGGLES, max_size=4)) | {feature}
    tagged = TAGGED_USERS and flip(draw)
    probes = picks(draw, PROBES, min_size=1, max_size=3)  # their calls differ
    call, params, action, resource = probes[0]
    aim = _aim(action, resource, USER_ARN, tagged)
    steps = user_setup(tagged)
    if feature != "decision.default-deny" or flip(draw):
        steps += _identity_steps(draw, aim, toggles)
    if feature == "boundary.caps-identity":
        steps += _boundary_steps(draw, aim, toggles)
    if feature.startswith("resource-policy.") or between(draw, 0, 5) == 0:
        steps += _bucket_policy_steps(draw, aim, toggles)
    steps += [{"as": "alice", "call": c, "params": p} for c, p, _, _ in probes]
    if feature == "root.full-access":
        steps += [{"as": "root", "call": c, "params": p} for c, p, _, _ in probes]
    return finish(feature, steps)


def _trust_principal(draw: st.DrawFn, feature: str) -> Any:
    if feature == "trust-policy.names-user":
        return {"AWS": USER_ARN}
    if feature == "trust-policy.account-principal":
        return pick(draw, [{"AWS": ACCOUNT}, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}])
    return pick(draw, [{"AWS": USER_ARN}, {"AWS": ACCOUNT}, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                       {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}])


@st.composite
def trust_scenario(draw: st.DrawFn, feature: str) -> dict:
    """A role whose trust policy is drawn against alice's AssumeRole, then calls made with the session."""
    toggles = frozenset(picks(draw, _POLICY_TOGGLES, max_size=3)) | {feature}
    aim = _aim("sts:AssumeRole", ROLE_ARN, USER_ARN, False)
    stmts = [statement(draw, aim, toggles, effect="Allow", principal=_trust_principal(draw, feature), resource=False)]
    if feature == "trust-policy.external-id":
        stmts[0]["Condition"] = {"StringEquals": {"sts:ExternalId": "Unique-1234"}}
    if feature == "trust-policy.explicit-deny" or ("decision.explicit-deny" in toggles and flip(draw)):
        stmts.append({"Effect": "Deny", "Principal": _trust_principal(draw, feature), "Action": "sts:AssumeRole"})
    steps = user_setup(False)
    steps.append(root("iam:CreateRole", {"RoleName": "deployer",
                                         "AssumeRolePolicyDocument": {"Version": V12, "Statement": stmts}}))
    role_aim = _aim("s3:GetObject", f"arn:aws:s3:::{BUCKET}/{KEY}", f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/s1",
                    False)
    steps.append(root("iam:PutRolePolicy", {"RoleName": "deployer", "PolicyName": "role",
                                            "PolicyDocument": policy(draw, role_aim, toggles)}))
    if feature != "trust-policy.names-user" or flip(draw):
        grant = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": pick(draw, [ROLE_ARN, "*"])}
        own = [grant, statement(draw, role_aim, toggles)] if feature == "sts.session-permissions" else [grant]
        steps.append(root("iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "assume",
                                                "PolicyDocument": {"Version": V12, "Statement": own}}))
    if feature == "trust-policy.boundary":
        steps += _boundary_steps(draw, aim, toggles)
    assume: dict[str, Any] = {"RoleArn": ROLE_ARN, "RoleSessionName": "s1"}
    if feature == "trust-policy.external-id" and between(draw, 0, 2):
        assume["ExternalId"] = pick(draw, ["Unique-1234", "unique-1234", "Other-9999"])
    if feature == "session.policy-caps":
        assume["Policy"] = policy(draw, role_aim, toggles, max_statements=2)
    caller = "root" if feature == "trust-policy.root-cannot-assume" else "alice"
    steps.append({"as": caller, "call": "sts:AssumeRole", "params": assume, "save": "s1"})
    steps += [{"as": "s1", "call": "sts:GetCallerIdentity", "params": {}},
              {"as": "s1", "call": "s3:GetObject", "params": {"Bucket": BUCKET, "Key": KEY}}]
    return finish(feature, steps)


@cache
def scenario_for(feature: str) -> st.SearchStrategy[dict]:
    """The scenario strategy for one API-level feature (one object per feature, validated once by Hypothesis)."""
    from harness.generate.invariants import INVARIANTS

    if feature in INVARIANTS:
        return INVARIANTS[feature]()
    if feature in _TRUST:
        return trust_scenario(feature)
    return policy_scenario(feature)
