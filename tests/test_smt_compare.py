"""Policy questions answered by the Z3 encoding: compare, check-no-new-access, always-allows/denies, is-public,
who-can-assume. Expectations follow from the AWS documentation (Action wildcards and case, Deny overriding Allow,
NotAction, trust policies); every witness is also replayed here through the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from spec.decide import answer_case
from spec.smt.assume import who_can_assume
from spec.smt.compare import compare_line, compare_policies
from spec.smt.questions import always_allows, always_denies, check_no_new_access, is_public

V = "2012-10-17"
ACCT = "111122223333"


def doc(*statements: dict) -> dict:
    return {"Version": V, "Statement": list(statements)}


def allow(action: object, resource: object = "*", **kw: object) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **kw}


def deny(action: object, resource: object = "*", **kw: object) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **kw}


def model_decision(policy: dict, request: dict) -> str:
    return answer_case({"identity_policies": [policy], "request": request})["decision"]


def check_witnesses(old: dict, new: dict, witnesses: list[dict]) -> None:
    for w in witnesses:
        assert model_decision(old, w["request"]) == w["old"]
        assert model_decision(new, w["request"]) == w["new"]
        assert (w["old"] == "Allow") != (w["new"] == "Allow")


# Action matching is case-insensitive and "s3:*" covers every s3 action; statements are OR-ed
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
def test_equivalent() -> None:
    old = doc(allow("s3:*"))
    new = doc(allow(["S3:*", "s3:GetObject"]), allow("s3:ListBucket", "arn:aws:s3:::b"))
    assert compare_policies(old, new).relation == "equivalent"


def test_more_and_less_with_witnesses() -> None:
    old, new = doc(allow("s3:GetObject")), doc(allow("s3:Get*"))
    more = compare_policies(old, new)
    assert more.relation == "more" and len(more.witnesses) == 1
    check_witnesses(old, new, more.witnesses)
    less = compare_policies(new, old)
    assert less.relation == "less"
    check_witnesses(new, old, less.witnesses)


# "An explicit deny overrides an explicit allow": adding a Deny removes access, a different Allow adds some.
def test_incomparable() -> None:
    old = doc(allow("s3:*"))
    new = doc(allow(["s3:*", "ec2:DescribeInstances"]), deny("s3:DeleteObject"))
    result = compare_policies(old, new)
    assert result.relation == "incomparable" and len(result.witnesses) == 2
    check_witnesses(old, new, result.witnesses)


# NotAction "matches everything except the specified list of actions".
def test_not_action() -> None:
    old = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    new = doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    result = compare_policies(old, new)
    assert result.relation == "less"
    check_witnesses(old, new, result.witnesses)
    assert result.witnesses[0]["request"]["action"].startswith("organizations:")


def test_conditions_and_variables() -> None:
    old = doc(allow("s3:GetObject", "arn:aws:s3:::b/home/${aws:username}/*"))
    new = doc(allow("s3:GetObject", "arn:aws:s3:::b/home/*"))
    result = compare_policies(old, new)
    assert result.relation == "more"
    check_witnesses(old, new, result.witnesses)
    mfa_old = doc(allow("s3:*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    mfa_new = doc(allow("s3:*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}))
    result = compare_policies(mfa_old, mfa_new)
    assert result.relation == "more"
    check_witnesses(mfa_old, mfa_new, result.witnesses)


def test_pairs_lines_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pairs = tmp_path / "pairs.jsonl"
    lines = [{"id": "a", "old": doc(allow("s3:GetObject")), "new": doc(allow("s3:Get*"))},
             {"id": "b", "old": doc(allow("s3:*")), "new": {"Statement": [{"Effect": "Maybe"}]}},
             {"id": "c", "old": doc(allow("s3:*")), "new": doc(allow("s3:*"))}]
    pairs.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    assert main(["compare", "--pairs", str(pairs), "--json"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", None]
    assert out[0]["relation"] == "more" and set(out[0]) >= {"id", "relation", "seconds", "witnesses"}
    assert out[1]["error"]["code"] == "MalformedPolicyDocument"
    assert out[2] == {**out[2], "relation": "equivalent", "witnesses": []}
    assert out[3]["error"]["code"] == "ValidationError"
    assert compare_line({"id": "x"})["error"]["code"] == "ValidationError"


def test_check_no_new_access() -> None:
    old = doc(allow(["s3:GetObject", "s3:PutObject"]))
    assert check_no_new_access(old, doc(allow("s3:GetObject")))["ok"] is True
    result = check_no_new_access(old, doc(allow("s3:*Object")))
    assert result["ok"] is False and result["new_access"]


def test_always_allows_and_denies() -> None:
    case = {"identity_policies": [doc(allow("s3:*"), deny("s3:Delete*", Condition={
        "Bool": {"aws:MultiFactorAuthPresent": "false"}}))]}
    assert always_allows(case, {"action": "s3:Get*"}).answer == "yes"
    answer = always_allows(case, {"action": "s3:*"})
    assert answer.answer == "no"
    replayed = answer_case({**case, "request": answer.counterexample["request"]})
    assert replayed["decision"] == answer.counterexample["decision"] != "Allow"
    assert always_denies(case, {"action": "ec2:*"}).answer == "yes"
    assert always_denies(case, {"action": "s3:*"}).answer == "no"


# "Principal": "*" includes "anonymous users (public access)"; naming an account delegates to that account only
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
def test_is_public() -> None:
    public = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    result = is_public(public)
    assert result["public"] is True
    replayed = answer_case({"resource_policy": public, "request": result["witness"]["request"]})
    assert replayed["decision"] == "Allow"
    account_only = doc({"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "s3:*", "Resource": "*"})
    assert is_public(account_only)["public"] is False
    org_only = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}})
    assert is_public(org_only)["public"] is False


def _details() -> dict:
    trust = doc({"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"sts:ExternalId": "xyz"}}},
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    return {
        "UserDetailList": [
            {"UserName": "alice", "Arn": f"arn:aws:iam::{ACCT}:user/alice", "GroupList": ["ops"]},
            {"UserName": "bob", "Arn": f"arn:aws:iam::{ACCT}:user/bob", "GroupList": [],
             "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": doc(allow("s3:*"))}]}],
        "GroupDetailList": [{"GroupName": "ops", "GroupPolicyList": [
            {"PolicyName": "a", "PolicyDocument": doc(allow("sts:AssumeRole"))}]}],
        "RoleDetailList": [{"RoleName": "admin", "Arn": f"arn:aws:iam::{ACCT}:role/admin",
                            "AssumeRolePolicyDocument": trust}],
        "Policies": []}


# A trust policy naming the account delegates to it: its principals also need an identity-based Allow
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html); the other account's
# principals need the external ID the condition asks for; the service is named directly.
def test_who_can_assume(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    result = who_can_assume(_details(), "admin")
    names = {a["principal"] for a in result["can_assume"]}
    assert names == {f"arn:aws:iam::{ACCT}:user/alice", "any principal of account 444455556666",
                     "service ec2.amazonaws.com"}
    external = next(a for a in result["can_assume"] if a["principal"].startswith("any principal"))
    assert external["witness"]["request"]["context"] == {"sts:externalid": "xyz"}
    for a in result["can_assume"]:
        w = a["witness"]
        assert answer_case({k: v for k, v in w.items() if k != "decision"})["decision"] == "Allow"
    world = tmp_path / "details.json"
    world.write_text(json.dumps(_details()))
    assert main(["who-can-assume", "admin", "--world", str(world)]) == 0
    assert "alice" in capsys.readouterr().out


# Resource-based policies: "*" names everyone, anonymous users included; an account ID names the account's
# principals (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
def test_resource_policies() -> None:
    account = doc({"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "s3:GetObject", "Resource": "*"})
    anyone = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    result = compare_policies(account, anyone, kind="resource")
    assert result.relation == "more"
    witness = result.witnesses[0]
    # a caller the account grant does not name (outside the account, anonymous, or an identity provider), which
    # "*" does name; the witness was replayed through the model
    assert witness["old"] != "Allow" and witness["new"] == "Allow"
    assert witness["request"]["principal"] != f"arn:aws:iam::{ACCT}:root"
    assert compare_policies(anyone, anyone, kind="resource").relation == "equivalent"
    tls = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
              {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
               "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    result = compare_policies(anyone, tls, kind="resource")
    assert result.relation == "less"
    assert result.witnesses[0]["request"]["context"] == {"aws:securetransport": "false"}


# Any caller is searched among representatives (spec/smt/who.py): if some concrete caller is allowed, the question
# "is every caller denied?" must find one too (and every "no" is replayed).
POOL = ["anonymous", "lambda.amazonaws.com", f"arn:aws:iam::{ACCT}:root", f"arn:aws:iam::{ACCT}:user/alice",
        f"arn:aws:iam::{ACCT}:role/team/app", f"arn:aws:sts::{ACCT}:assumed-role/app/s1",
        "arn:aws:iam::444455556666:user/x", "arn:aws:sts::444455556666:assumed-role/r/s",
        f"arn:aws:sts::{ACCT}:federated-user/carol", "arn:aws-cn:iam::444455556666:root"]
NAMED = ["*", {"AWS": ACCT}, {"AWS": f"arn:aws:iam::{ACCT}:role/app"}, {"AWS": "444455556666"},
         {"AWS": f"arn:aws:sts::{ACCT}:assumed-role/app/s1"}, {"Service": "lambda.amazonaws.com"},
         {"AWS": "arn:aws-cn:iam::444455556666:root"}, {"AWS": f"arn:aws:iam::{ACCT}:user/alice"}]


@pytest.mark.parametrize("named", NAMED, ids=lambda n: json.dumps(n))
def test_any_caller_is_found(named: object) -> None:
    policy = doc({"Effect": "Allow", "Principal": named, "Action": "s3:GetObject", "Resource": "*"},
                 {"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCT}:user/alice"}, "Action": "s3:Get*",
                  "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    case = {"resource_policy": policy}
    someone = any(answer_case({**case, "request": {"principal": p, "action": "s3:GetObject", "resource": "*",
                                                    "resource_account": ACCT}})["decision"] == "Allow" for p in POOL)
    answer = always_denies(case, {"principal": "*", "action": "s3:GetObject", "resource_account": ACCT})
    assert answer.answer == ("no" if someone else "yes") or (answer.answer == "no" and not someone), answer
