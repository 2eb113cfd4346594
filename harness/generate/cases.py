"""Hypothesis strategies for decision cases (formats/decision-case.md), one strategy per feature.

``case_for(feature)`` draws a swarm of toggles (a random subset of the evaluator-level features, always with
``feature``), a caller of the kind the toggles need, a real action with a resource ARN of the right shape, a request
context, and every policy layer the toggles ask for, each drawn against that request so that the decision is not
trivially a default deny. The case is tagged with ``feature`` and its id starts with it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from functools import cache
from typing import Any

from hypothesis import strategies as st

from harness.features import EVAL, FEATURES
from harness.generate.batch import Batch
from harness.generate.conditions import Aim, context
from harness.generate.corpus import ACCT, OTHER_ACCT, actions, actions_by_service, resource_for
from harness.generate.draws import between, flip, pick, picks
from harness.generate.policies import V12, malformed, policy, statement
from harness.generate.variants import variants

CASE_FEATURES: tuple[str, ...] = tuple(f.id for f in FEATURES if EVAL in f.levels)
USER = f"arn:aws:iam::{ACCT}:user/alice"
ROLE = f"arn:aws:iam::{ACCT}:role/app"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/app/build-42"
FEDERATED = f"arn:aws:sts::{ACCT}:federated-user/carol"
ROOT = f"arn:aws:iam::{ACCT}:root"
SLR = f"arn:aws:iam::{ACCT}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk"
TARGET_ROLE = f"arn:aws:iam::{ACCT}:role/deployer"
NAMES = {"BucketName": "examplebucket", "ObjectName": "home/alice/report.txt", "TableName": "Orders",
         "QueueName": "jobs", "TopicName": "alerts", "FunctionName": "resize", "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
         "UserNameWithPath": "alice", "RoleNameWithPath": "app", "GroupNameWithPath": "devs", "SecretId": "db-pass-AbCdEf",
         "InstanceId": "i-0abcd1234efgh5678", "LogGroupName": "app-logs", "PolicyNameWithPath": "ReadOnly"}
_FOCUS_SERVICES = ("s3", "s3", "s3", "dynamodb", "sqs", "iam", "ec2", "kms", "lambda", "sns", "secretsmanager")
_TRUST = {"trust-policy.required", "trust-policy.explicit-deny", "trust-policy.names-user", "trust-policy.boundary",
          "trust-policy.account-principal", "trust-policy.external-id", "trust-policy.root-cannot-assume"}
_RESOURCE_POLICY = {"resource-policy.names-caller", "resource-policy.account-principal", "resource-policy.cross-account",
                    "resource-policy.role-vs-session", "resource-policy.not-principal", "resource-policy.anonymous"}


def _caller(draw: st.DrawFn, toggles: frozenset[str]) -> str | None:
    if "trust-policy.root-cannot-assume" in toggles or "root.full-access" in toggles or "scp.root-user" in toggles:
        return ROOT
    if "scp.service-linked-role" in toggles:
        return SLR
    if "session.federated" in toggles:
        return FEDERATED
    if "resource-policy.anonymous" in toggles:
        return pick(draw, ["anonymous", "lambda.amazonaws.com"])
    if toggles & {"session.policy-caps", "resource-policy.role-vs-session"}:
        return SESSION
    if toggles & _TRUST:
        return USER
    return pick(draw, [USER, USER, USER, SESSION, None])


def _base_context(draw: st.DrawFn, principal: str | None, toggles: frozenset[str]) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    if principal == USER and (flip(draw) or toggles & {"variable.resource", "variable.condition"}):
        ctx["aws:username"] = "alice"
    if principal not in (None, "anonymous", "lambda.amazonaws.com") and flip(draw):
        ctx["aws:PrincipalArn"] = ROLE if principal == SESSION else principal
    if "trust-policy.external-id" in toggles and between(draw, 0, 2) > 0:
        ctx["sts:ExternalId"] = pick(draw, ["Unique-1234", "unique-1234"])
    return ctx


def _principal_element(draw: st.DrawFn, principal: str | None, toggles: frozenset[str]) -> Any:
    """A Principal element: the caller itself, its role, its account, everyone, or someone else."""
    choices: list[Any] = [{"AWS": ACCT}, {"AWS": ROOT}, {"AWS": f"arn:aws:iam::{ACCT}:user/bob"}]
    if principal and principal.startswith("arn:"):
        choices += [{"AWS": principal}, {"AWS": principal}]
    if principal == SESSION:
        choices.append({"AWS": ROLE})
    if "resource-policy.anonymous" in toggles or between(draw, 0, 5) == 0:
        choices += ["*", {"AWS": "*"}, {"Service": "lambda.amazonaws.com"}]
    if "resource-policy.cross-account" in toggles:
        choices.append({"AWS": f"arn:aws:iam::{OTHER_ACCT}:root"})
    return pick(draw, choices)


def _resource_policy(draw: st.DrawFn, aim: Aim, toggles: frozenset[str], trust: bool) -> dict:
    stmts = []
    for _ in range(between(draw, 1, 2)):
        p = _principal_element(draw, aim.principal, toggles)
        s = statement(draw, aim, toggles, principal=p, resource=not trust)
        if "resource-policy.not-principal" in toggles and not trust and flip(draw):
            s["Effect"], s["NotPrincipal"] = "Deny", s.pop("Principal")
        if trust and "trust-policy.external-id" in toggles and flip(draw):
            s["Condition"] = {"StringEquals": {"sts:ExternalId": "Unique-1234"}}
        stmts.append(s)
    if trust and "trust-policy.explicit-deny" in toggles and not any(s["Effect"] == "Deny" for s in stmts):
        stmts.append({"Effect": "Deny", "Principal": _principal_element(draw, aim.principal, toggles),
                      "Action": "sts:AssumeRole"})
    return {"Version": V12, "Statement": stmts}


def _org(draw: st.DrawFn, aim: Aim, toggles: frozenset[str], every_level: bool) -> list[dict]:
    full = {"Version": V12, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    levels = []
    for name in ["r-root", "ou-abcd-11111111", ACCT][: between(draw, 2 if every_level else 1, 3)]:
        pols = [full] if flip(draw) else []
        pols += [policy(draw, aim, toggles, max_statements=2) for _ in range(between(draw, 0, 1 if pols else 2))]
        levels.append({"level": name, "policies": pols})
    return levels


@st.composite
def case_for(draw: st.DrawFn, feature: str, avoid: frozenset[str] = frozenset()) -> dict:
    """A decision case generated for ``feature`` (swarm: some other features toggled on too, none of ``avoid``:
    the features a target cannot express)."""
    pool = [f for f in CASE_FEATURES if f not in avoid]
    toggles = frozenset(picks(draw, pool, max_size=6)) | {feature}
    can = {area for area in ("session", "resource-policy") if not any(f.startswith(area) for f in avoid)}
    principal = _caller(draw, toggles)
    trust = bool(toggles & _TRUST)
    if trust:
        action_name, resource = "sts:AssumeRole", TARGET_ROLE
    else:
        pool = actions_by_service()[pick(draw, _FOCUS_SERVICES)]
        act = pick(draw, pool) if between(draw, 0, 9) else pick(draw, actions())
        if act.name.startswith("sts:AssumeRole"):
            act = pool[0]
        action_name, resource = act.name, resource_for(act, between(draw, 0, 3), NAMES)
    ctx, types = context(draw, _base_context(draw, principal, toggles), toggles)
    aim = Aim(action_name, resource, principal, ctx, types)
    case: dict[str, Any] = {"id": "", "identity_policies": [], "group_policies": [], "permission_boundary": None,
                            "scps": None, "rcps": None, "resource_policy": None, "session_policy": None,
                            "vpc_endpoint_policies": None}
    n_identity = between(draw, 0 if toggles & (_RESOURCE_POLICY | _TRUST) else 1, 2)
    case["identity_policies"] = [policy(draw, aim, toggles) for _ in range(n_identity)]
    if "identity.group-policies" in toggles:
        case["group_policies"] = [policy(draw, aim, toggles) for _ in range(between(draw, 1, 2))]
    if toggles & {"boundary.caps-identity", "trust-policy.boundary", "resource-policy.role-vs-session"}:
        case["permission_boundary"] = policy(draw, aim, toggles, max_statements=2)
    if principal in (SESSION, FEDERATED) and (toggles & {"session.policy-caps", "resource-policy.role-vs-session"}
                                              or ("session" in can and between(draw, 0, 3) == 0)):
        case["session_policy"] = policy(draw, aim, toggles, max_statements=2)
    if trust or toggles & _RESOURCE_POLICY or ("resource-policy" in can and between(draw, 0, 5) == 0):
        case["resource_policy"] = _resource_policy(draw, aim, toggles, trust)
    if toggles & {"scp.filter", "scp.every-level", "scp.root-user", "scp.service-linked-role"} and \
            "scp.filter" not in avoid:
        case["scps"] = _org(draw, aim, toggles, "scp.every-level" in toggles)
    if "rcp.filter" in toggles:
        case["rcps"] = _org(draw, aim, toggles, False)
    if "vpce.filter" in toggles:
        case["vpc_endpoint_policies"] = [policy(draw, aim, toggles, max_statements=2)
                                         for _ in range(between(draw, 1, 2))]
    if principal in (ROOT, "anonymous", "lambda.amazonaws.com"):
        # "You cannot attach identity-based policies to the root user, and you cannot set the permissions boundary
        # for the root user" (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#access_policies-root);
        # anonymous and service callers have no identity either.
        case.update(identity_policies=[], group_policies=[], permission_boundary=None, session_policy=None)
    if principal in ("anonymous", "lambda.amazonaws.com"):  # SCPs limit the principals of member accounts only
        case["scps"] = None
    if "policy.malformed" in toggles:
        layer = "identity_policies" if case["identity_policies"] else "group_policies"
        if case[layer]:
            case[layer][0] = malformed(draw, case[layer][0])
    cross = "resource-policy.cross-account" in toggles and principal not in (None, "anonymous", "lambda.amazonaws.com")
    case["request"] = {"principal": principal, "action": action_name, "resource": resource,
                       "resource_account": OTHER_ACCT if cross else None, "context": ctx, "context_types": types}
    case["tags"] = [feature]
    digest = hashlib.sha256(json.dumps(case, sort_keys=True).encode()).hexdigest()[:10]
    case["id"] = f"{feature}/{digest}"
    return case



def _request_variants(case: dict, rng: random.Random) -> Iterator[dict]:
    return variants(case, rng, NAMES)


@cache
def case_batch_for(feature: str, avoid: frozenset[str] = frozenset()) -> st.SearchStrategy[Batch]:
    """A :class:`~harness.generate.batch.Batch` whose drawn case is generated for ``feature`` (one strategy object per feature and
    ``avoid``, so that Hypothesis validates it once rather than on every ``flatmap`` draw)."""
    return st.builds(Batch, case_for(feature, avoid), st.integers(0, 2**32 - 1), st.just(_request_variants))
