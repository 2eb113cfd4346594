"""The Z3 encoding evaluated on concrete requests gives the model's decision (DESIGN principle 3).

Hypothesis draws a set of policies of every kind (all condition operator families, IfExists, set operators, policy
variables, NotAction/NotResource, Principal/NotPrincipal, organization trees) and several requests for it (every
kind of caller, same- and cross-account, trust and KMS requests, contexts with absent, single, list and oddly typed
values); each (policies, request) pair is one case. The expectation is the model's own answer, because this test
checks the encoding against the model, not either against AWS.

The short run is part of the suite. ``IAMSPEC_SMT_CASES=1000000`` asks for a long run of that many cases (spread
over ``IAMSPEC_SMT_SHARDS`` parametrized shards, for ``pytest -n``).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spec.authorize import authorize
from spec.case import parse_case
from spec.errors import IamError
from spec.smt.concrete import decide

ACCT, OTHER = "111122223333", "444455556666"
PER_EXAMPLE = 12
CASES = int(os.environ.get("IAMSPEC_SMT_CASES", "0"))
SHARDS = int(os.environ.get("IAMSPEC_SMT_SHARDS", "1"))
EXAMPLES = max(1, CASES // PER_EXAMPLE // SHARDS) if CASES else 60

USER = f"arn:aws:iam::{ACCT}:user/alice"
ROLE = f"arn:aws:iam::{ACCT}:role/app"
PATH_ROLE = f"arn:aws:iam::{ACCT}:role/team/app"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/app/s1"
FED = f"arn:aws:sts::{ACCT}:federated-user/carol"
ROOT = f"arn:aws:iam::{ACCT}:root"
X_USER = f"arn:aws:iam::{OTHER}:user/xavier"
X_SESSION = f"arn:aws:sts::{OTHER}:assumed-role/app/s9"
SLR = f"arn:aws:iam::{ACCT}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX"
CALLERS = [None, USER, ROLE, PATH_ROLE, SESSION, FED, ROOT, X_USER, X_SESSION, SLR, "lambda.amazonaws.com",
           "anonymous", "accounts.google.com", f"arn:aws:iam::{ACCT}:oidc-provider/oidc.example.com",
           f"arn:aws-cn:iam::{ACCT}:user/alice"]
OWN_POLICIES = {None, USER, ROLE, PATH_ROLE, SESSION, FED, X_USER, X_SESSION, SLR, f"arn:aws-cn:iam::{ACCT}:user/alice"}

ACTIONS = ["s3:GetObject", "s3:getobject", "S3:PutObject", "ec2:RunInstances", "sts:AssumeRole", "kms:Decrypt",
           "iam:CreateUser", "s3:ListBucket"]
RESOURCES = ["arn:aws:s3:::b1/k1", "arn:aws:s3:::b1/home/alice/x", "arn:aws:s3:::b2/k:2", "*",
             f"arn:aws:iam::{ACCT}:role/target", f"arn:aws:kms:us-east-1:{ACCT}:key/k1",
             f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1", "arn:aws:s3:::B1/K1"]
ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:?utObject", "S3:GETOBJECT", "sts:AssumeRole", "kms:*", "ec2:Run*",
                   "iam:*User", "*:*Object", "s3:List?ucket"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::b1/*", "arn:aws:s3:::b?/k?", "arn:aws:s3:::*", "arn:aws:ec2:*",
                     "arn:aws:s3:::b1/home/${aws:username}/*", "arn:aws:s3:::b2/k${*}", "arn:aws:iam::*:role/*",
                     "arn:aws:s3:::${s3:prefix, 'b1'}/k1", "arn:aws:kms:*:*:key/*", "arn:aws:s3:::B1/*"]
PRINCIPALS = ["*", {"AWS": "*"}, {"AWS": ACCT}, {"AWS": f"arn:aws:iam::{ACCT}:root"}, {"AWS": USER},
              {"AWS": [USER, X_USER]}, {"AWS": X_USER}, {"AWS": ROLE}, {"AWS": SESSION}, {"AWS": OTHER},
              {"AWS": f"arn:aws:iam::{ACCT}:role/other/app"}, {"Service": "lambda.amazonaws.com"},
              {"Federated": "accounts.google.com"}, {"AWS": FED}, {"AWS": f"arn:aws-cn:iam::{ACCT}:root"},
              {"AWS": [USER, ROOT]}, {"AWS": [ROLE, SESSION, ROOT]}]  # the lists that exempt from a NotPrincipal Deny

KEYS = {
    "aws:username": ["alice", "bob", "a*", ""],
    "s3:prefix": ["b1", "home/", "home/alice", "x:y", "", "b*"],
    "aws:principaltag/team": ["red", "Red", "blue", "r*", "b?ue"],
    "aws:tagkeys": ["a", "b", "c", ""],
    "aws:sourceip": ["10.0.0.1", "10.1.2.3", "192.168.1.1", "2001:db8::1", "not-an-ip", "10.0.0.0/8"],
    "aws:multifactorauthage": ["0", "3600", "7200", "1e3", "abc", " 42 ", "3600.5"],
    "aws:currenttime": ["2024-01-01T00:00:00Z", "2019-06-01", "1700000000", "2025", "bad-date"],
    "aws:securetransport": ["true", "false", "TRUE", " true", "yes"],
    "aws:sourcearn": ["arn:aws:s3:::b1", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:s3:::b1:x",
                      "not:an:arn", "arn:aws:s3:::alice"],
    "s3:x-amz-content-sha256": ["aGVsbG8=", "d29ybGQ=", "!!"],
}
OPERATOR_VALUES: dict[str, tuple[str, list]] = {
    "StringEquals": ("aws:principaltag/team", ["red", "blue", "${aws:username}", "home/${aws:username}"]),
    "StringNotEquals": ("aws:principaltag/team", ["red", "blue", "${aws:username}"]),
    "StringEqualsIgnoreCase": ("aws:principaltag/team", ["RED", "blue"]),
    "StringNotEqualsIgnoreCase": ("aws:principaltag/team", ["red", "BLUE"]),
    "StringLike": ("s3:prefix", ["home/*", "b?", "home/${aws:username}*", "${*}", "x:*"]),
    "StringNotLike": ("s3:prefix", ["home/*", "b*"]),
    "NumericLessThan": ("aws:multifactorauthage", ["3600", "100.5", "abc"]),
    "NumericGreaterThanEquals": ("aws:multifactorauthage", ["3600", "0"]),
    "NumericNotEquals": ("aws:multifactorauthage", ["3600", "1000"]),
    "DateGreaterThan": ("aws:currenttime", ["2020-01-01T00:00:00Z", "1600000000", "2024-06"]),
    "DateNotEquals": ("aws:currenttime", ["2024-01-01T00:00:00Z"]),
    "Bool": ("aws:securetransport", ["true", "false"]),
    "BinaryEquals": ("s3:x-amz-content-sha256", ["aGVsbG8=", "bad"]),
    "IpAddress": ("aws:sourceip", ["10.0.0.0/8", "192.168.1.1", "2001:db8::/32"]),
    "NotIpAddress": ("aws:sourceip", ["10.0.0.0/16", "2001:db8::/64"]),
    "ArnLike": ("aws:sourcearn", ["arn:aws:s3:::*", "arn:aws:sns:*:*:topic", "arn:aws:s3:::${aws:username}", "*"]),
    "ArnNotEquals": ("aws:sourcearn", ["arn:aws:s3:::b1", "arn:*"]),
    "Null": ("aws:principaltag/team", ["true", "false"]),
}
SET_KEYS = ("aws:tagkeys", "s3:prefix", "aws:principaltag/team")


@st.composite
def condition(draw: st.DrawFn) -> dict:
    out: dict[str, dict] = {}
    for _ in range(draw(st.integers(1, 2))):
        op = draw(st.sampled_from(sorted(OPERATOR_VALUES)))
        key, options = OPERATOR_VALUES[op]
        label = op
        if op != "Null":
            qualifier = draw(st.sampled_from(["", "", "ForAllValues:", "ForAnyValue:"]))
            if qualifier and op.startswith("String"):
                key = draw(st.sampled_from(SET_KEYS))
            if draw(st.integers(0, 3)) == 0:
                label += "IfExists"
            label = qualifier + label
        values = draw(st.lists(st.sampled_from(options), min_size=1, max_size=2, unique=True))
        out.setdefault(label, {})[key] = values if len(values) > 1 else values[0]
    return out


def _one_or_list(options: list) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(options), st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True))


@st.composite
def statement(draw: st.DrawFn, kind: str) -> dict:
    s: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    if kind in ("resource", "trust", "rcp", "vpce") and draw(st.integers(0, 4)):
        negated = kind in ("resource", "vpce") and s["Effect"] == "Deny" and draw(st.integers(0, 3)) == 0
        s["NotPrincipal" if negated else "Principal"] = draw(st.sampled_from(PRINCIPALS))
    elif kind in ("resource", "trust"):
        s["Principal"] = "*"
    s["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = draw(_one_or_list(ACTION_PATTERNS))
    if kind != "trust" and (kind not in ("resource", "vpce") or draw(st.booleans())):
        s["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = draw(_one_or_list(RESOURCE_PATTERNS))
    if draw(st.integers(0, 2)) == 0:
        s["Condition"] = draw(condition())
    return s


def policy(kind: str) -> st.SearchStrategy[dict]:
    version = st.sampled_from(["2012-10-17", "2012-10-17", "2012-10-17", "2008-10-17"])
    return st.builds(lambda v, ss: {"Version": v, "Statement": ss}, version,
                     st.lists(statement(kind), min_size=1, max_size=3))


def org(kind: str) -> st.SearchStrategy[list | None]:
    full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    doc = st.one_of(st.just(full), policy(kind))
    levels = st.lists(st.lists(doc, max_size=2), min_size=1, max_size=2)
    return st.one_of(st.none(), st.none(), levels.map(lambda ls: [{"level": f"l{i}", "policies": p}
                                                                  for i, p in enumerate(ls)]))


@st.composite
def context(draw: st.DrawFn) -> dict:
    out: dict[str, Any] = {}
    for key, values in KEYS.items():
        choice = draw(st.integers(0, 4))
        if choice == 1:
            out[key] = draw(st.sampled_from(values))
        elif choice == 2:
            out[key] = draw(st.lists(st.sampled_from(values), max_size=3))
    return out


@st.composite
def request(draw: st.DrawFn, principal: str | None) -> dict:
    action = draw(st.sampled_from(ACTIONS))
    resource = draw(st.sampled_from(RESOURCES))
    if draw(st.integers(0, 3)) == 0:  # make trust and KMS requests common
        action, resource = draw(st.sampled_from([("sts:AssumeRole", RESOURCES[4]), ("kms:Decrypt", RESOURCES[5])]))
    out: dict[str, Any] = {"principal": principal, "action": action, "resource": resource, "context": draw(context())}
    if draw(st.integers(0, 3)) == 0:
        out["resource_account"] = draw(st.sampled_from([ACCT, OTHER]))
    return out


@st.composite
def scenario(draw: st.DrawFn) -> tuple[dict, list[dict]]:
    """A set of policies and ``PER_EXAMPLE`` requests by one caller."""
    principal = draw(st.sampled_from(CALLERS))
    requests = draw(st.lists(request(principal), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
    trust = draw(st.booleans())
    base: dict[str, Any] = {"id": "agreement"}
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    if principal in OWN_POLICIES:
        base["identity_policies"] = draw(st.lists(policy("identity"), max_size=2))
        if draw(st.booleans()):  # make Allow decisions common enough to matter
            base["identity_policies"].append(allow_all)
        base["group_policies"] = draw(st.lists(policy("identity"), max_size=1))
        base["permission_boundary"] = draw(st.one_of(st.none(), policy("boundary")))
        base["session_policy"] = draw(st.one_of(st.none(), policy("session")))
    base["resource_policy"] = draw(st.one_of(st.none(), policy("trust" if trust else "resource")))
    base["scps"] = draw(org("scp"))
    base["rcps"] = draw(org("rcp"))
    base["vpc_endpoint_policies"] = draw(st.one_of(st.none(), st.none(), st.none(), st.lists(policy("vpce"), max_size=2)))
    return base, requests


LOG = os.environ.get("IAMSPEC_SMT_LOG")
_COUNT = [0]


def check(base: dict, requests: list[dict]) -> int:
    """Compare encoding and model on every request; the number of cases compared (a long run logs its count to
    ``IAMSPEC_SMT_LOG`` every 10,000 cases)."""
    n = 0
    for req in requests:
        try:
            parsed = parse_case({**base, "request": req})
        except IamError:
            continue  # the model refuses the case (e.g. a trust policy read for a non-trust request)
        expected = authorize(parsed.request, parsed.policies).decision
        got = decide(parsed.request, parsed.policies)
        assert got == expected, f"encoding {got}, model {expected}: {({**base, 'request': req})}"
        n += 1
    _COUNT[0] += n
    if LOG and _COUNT[0] // 10000 != (_COUNT[0] - n) // 10000:
        with open(LOG, "a") as log:
            log.write(f"{_COUNT[0]} cases agree\n")
    return n


@pytest.mark.parametrize("shard", range(SHARDS))
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(scenario())
def test_encoding_agrees_with_model(shard: int, drawn: tuple[dict, list[dict]]) -> None:
    base, requests = drawn
    check(base, requests)


def test_simulator_cases_agree() -> None:
    """Every case of the AWS-simulator corpus: the encoding gives the model's answer."""
    import json
    from pathlib import Path

    path = Path(__file__).parent / "data" / "aws-simulator.jsonl"
    n = 0
    for line in path.read_text().splitlines():
        case = json.loads(line)
        n += check({k: v for k, v in case.items() if k != "request"}, [case["request"]])
    assert n >= 80
