"""Builders for decision cases and Hypothesis strategies for policies and requests (tests only).

The builders write decision cases exactly as ``formats/decision-case.md`` describes them, so the tests drive the
model through its public entry point ``spec.decide.answer_case`` with the same JSON every other tool uses.
Nothing here computes an expected decision: expectations live in the tests, taken from the AWS documentation.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from hypothesis import strategies as st

# --------------------------------------------------------------------------------------------------------------
# Principals and resources used across the tests
# --------------------------------------------------------------------------------------------------------------

ACCT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/alice"
USER_B = f"arn:aws:iam::{ACCT}:user/bob"
ROLE = f"arn:aws:iam::{ACCT}:role/app"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/app/s1"
FED = f"arn:aws:sts::{ACCT}:federated-user/carol"
ROOT = f"arn:aws:iam::{ACCT}:root"
X_USER = f"arn:aws:iam::{OTHER}:user/xavier"
X_ROOT = f"arn:aws:iam::{OTHER}:root"
SLR = f"arn:aws:iam::{ACCT}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk"
OBJ = "arn:aws:s3:::bucket/key"
V = "2012-10-17"

_KEYS = {
    "sid": "Sid",
    "principal": "Principal",
    "not_principal": "NotPrincipal",
    "not_action": "NotAction",
    "not_resource": "NotResource",
    "condition": "Condition",
}


def _stmt(effect: str, action: Any, resource: Any, **kw: Any) -> dict:
    s: dict[str, Any] = {"Effect": effect}
    for name, value in kw.items():
        s[_KEYS[name]] = value
    if action is not None:
        s["Action"] = action
    if resource is not None:
        s["Resource"] = resource
    return s


def allow(action: Any = "*", resource: Any = "*", **kw: Any) -> dict:
    """An Allow statement. ``action=None`` / ``resource=None`` leave the element out (use ``not_action=`` ...)."""
    return _stmt("Allow", action, resource, **kw)


def deny(action: Any = "*", resource: Any = "*", **kw: Any) -> dict:
    """A Deny statement, same keywords as :func:`allow`."""
    return _stmt("Deny", action, resource, **kw)


def doc(*statements: dict, version: str | None = V) -> dict:
    """A policy document holding ``statements`` (always as a list)."""
    d: dict[str, Any] = {}
    if version is not None:
        d["Version"] = version
    d["Statement"] = list(statements)
    return d


FULL = doc(allow())  # the shape of FullAWSAccess
RCP_FULL = doc(allow(principal="*"))  # the shape of RCPFullAWSAccess


def levels(*per_level: list[dict]) -> list[dict]:
    """An organization tree for ``scps`` / ``rcps``: one list of documents per level, root first."""
    return [{"level": f"level-{i}", "policies": list(ps)} for i, ps in enumerate(per_level)]


def case(
    *,
    identity: list[dict] | tuple = (),
    group: list[dict] | tuple = (),
    boundary: dict | None = None,
    scps: list[dict] | None = None,
    rcps: list[dict] | None = None,
    resource_policy: dict | None = None,
    session: dict | None = None,
    vpce: list[dict] | None = None,
    action: str = "s3:GetObject",
    resource: str = OBJ,
    principal: str | None = None,
    resource_account: str | None = None,
    context: dict | None = None,
    context_types: dict | None = None,
    id: str = "t",
) -> dict:
    """A complete decision case (every key of the format present)."""
    request: dict[str, Any] = {
        "principal": principal,
        "action": action,
        "resource": resource,
        "resource_account": resource_account,
        "context": dict(context or {}),
    }
    if context_types is not None:
        request["context_types"] = dict(context_types)
    return {
        "id": id,
        "identity_policies": list(identity),
        "group_policies": list(group),
        "permission_boundary": boundary,
        "scps": scps,
        "rcps": rcps,
        "resource_policy": resource_policy,
        "session_policy": session,
        "vpc_endpoint_policies": vpce,
        "request": request,
    }


def answer(c: dict, explain: bool = False) -> dict:
    """The model's answer line for case ``c``; fails the test if the model refused the case."""
    from spec.decide import answer_case

    out = answer_case(c, explain=explain)
    assert "error" not in out, f"the model refused a valid case: {out['error']}"
    assert out.get("id") == c["id"], out
    return out


def decision(c: dict) -> str:
    """``Allow`` | ``ImplicitDeny`` | ``ExplicitDeny`` for case ``c``."""
    return answer(c)["decision"]


def by(c: dict) -> list[str]:
    """The ``by`` list of a denial (``[]`` when absent)."""
    return list(answer(c).get("by") or [])


# --------------------------------------------------------------------------------------------------------------
# Hypothesis strategies: small universes so that matches are frequent
# --------------------------------------------------------------------------------------------------------------

ACTIONS = ["s3:GetObject", "s3:PutObject", "ec2:RunInstances", "iam:CreateUser"]
RESOURCES = ["arn:aws:s3:::b1/k1", "arn:aws:s3:::b2/k2", f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1", "*"]
ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:?utObject", "ec2:*", "iam:CreateUser", "S3:GETOBJECT", "s3:PutObject"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::b1/*", "arn:aws:s3:::b?/k?", "arn:aws:s3:::*", "arn:aws:ec2:*", "arn:aws:s3:::b2/k2"]
PRINCIPALS = ["*", {"AWS": "*"}, {"AWS": ACCT}, {"AWS": USER}, {"AWS": [USER, X_USER]}, {"AWS": X_USER},
              {"AWS": ROLE}, {"AWS": SESSION}, {"AWS": OTHER}]
TEAM = "aws:PrincipalTag/team"
TAGKEYS = "aws:TagKeys"


def _one_or_list(options: list) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(options), st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True))


def conditions() -> st.SearchStrategy[dict]:
    """A Condition block of 1-2 operators over a single-valued key (team) and a multivalued one (TagKeys)."""
    team_values = st.lists(st.sampled_from(["red", "blue", "r*", "b?ue"]), min_size=1, max_size=3, unique=True)
    tag_values = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True)
    ops = {
        "StringEquals": team_values.map(lambda v: {TEAM: v}),
        "StringNotEquals": team_values.map(lambda v: {TEAM: v}),
        "StringLike": team_values.map(lambda v: {TEAM: v}),
        "StringEqualsIfExists": team_values.map(lambda v: {TEAM: v}),
        "Null": st.sampled_from(["true", "false"]).map(lambda v: {TEAM: v}),
        "ForAnyValue:StringEquals": tag_values.map(lambda v: {TAGKEYS: v}),
        "ForAllValues:StringEquals": tag_values.map(lambda v: {TAGKEYS: v}),
    }
    return st.lists(st.sampled_from(sorted(ops)), min_size=1, max_size=2, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({n: ops[n] for n in names})
    )


def contexts() -> st.SearchStrategy[dict]:
    team = st.sampled_from([None, "red", "blue", "green"])
    tags = st.sampled_from([None, [], ["a"], ["a", "b"], ["c", "a"]])

    def build(t: str | None, k: list | None) -> dict:
        out: dict[str, Any] = {}
        if t is not None:
            out[TEAM] = t
        if k is not None:
            out[TAGKEYS] = list(k)
        return out

    return st.builds(build, team, tags)


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None, with_principal: bool = False) -> dict:
    s: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Allow", "Allow", "Deny"]))}
    if with_principal:
        s["Principal"] = draw(st.sampled_from(PRINCIPALS))
    if draw(st.integers(0, 4)) == 0:
        s["NotAction"] = draw(_one_or_list(ACTION_PATTERNS))
    else:
        s["Action"] = draw(_one_or_list(ACTION_PATTERNS))
    if draw(st.integers(0, 4)) == 0:
        s["NotResource"] = draw(_one_or_list(RESOURCE_PATTERNS))
    else:
        s["Resource"] = draw(_one_or_list(RESOURCE_PATTERNS))
    if draw(st.integers(0, 2)) == 0:
        s["Condition"] = draw(conditions())
    return s


def policies(with_principal: bool = False, effect: str | None = None) -> st.SearchStrategy[dict]:
    return st.lists(statements(effect=effect, with_principal=with_principal), min_size=1, max_size=3).map(
        lambda ss: doc(*ss)
    )


def guardrail(with_principal: bool = False) -> st.SearchStrategy[dict]:
    """A guardrail policy: mostly the full-access shape, otherwise a random (mostly Allow) policy."""
    full = RCP_FULL if with_principal else FULL
    return st.integers(0, 2).flatmap(
        lambda i: policies(with_principal=with_principal) if i == 0 else st.just(copy.deepcopy(full)))


def org(with_principal: bool = False) -> st.SearchStrategy[list[dict] | None]:
    lvl = st.lists(guardrail(with_principal), min_size=1, max_size=2)
    tree = st.lists(lvl, min_size=1, max_size=2).map(lambda ls: levels(*ls))
    return st.integers(0, 2).flatmap(lambda i: tree if i == 0 else st.none())


# (principal, resource_account): a same-account user, a role session, a cross-account user, an unstated caller
CALLERS = [(USER, None), (SESSION, None), (X_USER, ACCT), (None, None)]


@st.composite
def cases(draw: st.DrawFn) -> dict:
    """A random, valid decision case for a non-root caller.

    Half the time the identity side (and, for a cross-account caller, the resource policy) also gets a statement
    allowing exactly the request, so that Allow decisions are common enough for the laws to bite."""
    principal, resource_account = draw(st.sampled_from(CALLERS))
    stated = principal is not None
    action = draw(st.sampled_from(ACTIONS))
    resource = draw(st.sampled_from(RESOURCES))
    identity = draw(st.lists(policies(), max_size=2))
    resource_policy = draw(st.one_of(st.none(), policies(with_principal=True))) if stated else None
    if draw(st.booleans()):
        identity.append(doc(allow(action, draw(st.sampled_from(["*", resource])))))
        if principal == X_USER and draw(st.booleans()):
            who = draw(st.sampled_from([{"AWS": X_USER}, {"AWS": OTHER}, "*"]))
            extra = allow(action, resource, principal=who)
            resource_policy = doc(extra) if resource_policy is None else doc(*resource_policy["Statement"], extra)
    return case(
        identity=draw(st.permutations(identity)),
        group=draw(st.lists(policies(), max_size=1)) if principal in (USER, X_USER, None) else [],
        boundary=draw(st.one_of(st.none(), guardrail())),
        session=draw(st.one_of(st.none(), guardrail())) if principal == SESSION else None,
        resource_policy=resource_policy,
        scps=draw(org()) if stated else None,
        rcps=draw(org(with_principal=True)) if stated else None,
        vpce=draw(st.lists(guardrail(True), min_size=1, max_size=2)) if stated and draw(st.integers(0, 3)) == 0
        else None,
        action=action,
        resource=resource,
        principal=principal,
        resource_account=resource_account,
        context=draw(contexts()),
    )


# --------------------------------------------------------------------------------------------------------------
# Transformations of cases used by the laws
# --------------------------------------------------------------------------------------------------------------

def all_documents(c: dict) -> list[tuple[str, dict]]:
    """Every policy document of the case with its kind name (``identity`` covers group policies)."""
    out: list[tuple[str, dict]] = [("identity", d) for d in c["identity_policies"]]
    out += [("identity", d) for d in c["group_policies"]]
    for key, kind in (("permission_boundary", "boundary"), ("session_policy", "session"),
                      ("resource_policy", "resource")):
        if c[key] is not None:
            out.append((kind, c[key]))
    for key, kind in (("scps", "scp"), ("rcps", "rcp")):
        for lvl in c[key] or []:
            out += [(kind, d) for d in lvl["policies"]]
    out += [("vpce", d) for d in c["vpc_endpoint_policies"] or []]
    return out


def _statements_of(d: dict) -> list[dict]:
    s = d["Statement"]
    return s if isinstance(s, list) else [s]


def shuffled(c: dict, rnd: random.Random) -> dict:
    """The same case with every order that IAM ignores permuted: statements, policies, and list values."""
    c = copy.deepcopy(c)

    def perm(xs: list) -> list:
        xs = list(xs)
        rnd.shuffle(xs)
        return xs

    def perm_values(v: Any) -> Any:
        return perm(v) if isinstance(v, list) else v

    for _, d in all_documents(c):
        d["Statement"] = perm(_statements_of(d))
        for s in d["Statement"]:
            for k in ("Action", "NotAction", "Resource", "NotResource"):
                if k in s:
                    s[k] = perm_values(s[k])
            if isinstance(s.get("Principal"), dict):
                s["Principal"] = {k: perm_values(v) for k, v in s["Principal"].items()}
            for op, block in (s.get("Condition") or {}).items():
                s["Condition"][op] = {k: perm_values(v) for k, v in block.items()}
    c["identity_policies"] = perm(c["identity_policies"])
    c["group_policies"] = perm(c["group_policies"])
    for key in ("scps", "rcps"):
        for lvl in c[key] or []:
            lvl["policies"] = perm(lvl["policies"])
    if c["vpc_endpoint_policies"]:
        c["vpc_endpoint_policies"] = perm(c["vpc_endpoint_policies"])
    c["request"]["context"] = {k: perm_values(v) for k, v in c["request"]["context"].items()}
    return c


def without_allows(c: dict) -> dict:
    """The case with every Allow statement of identity, group and resource policies removed."""
    c = copy.deepcopy(c)

    def keep_denies(docs: list[dict]) -> list[dict]:
        out = []
        for d in docs:
            kept = [s for s in _statements_of(d) if s["Effect"] != "Allow"]
            if kept:
                out.append({**d, "Statement": kept})
        return out

    c["identity_policies"] = keep_denies(c["identity_policies"])
    c["group_policies"] = keep_denies(c["group_policies"])
    if c["resource_policy"] is not None:
        kept = keep_denies([c["resource_policy"]])
        c["resource_policy"] = kept[0] if kept else None
    return c
