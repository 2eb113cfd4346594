"""The Z3 encoding on concrete requests, held to the AWS documentation (each expectation cites its page).

These run the encoding alone (``spec.smt.concrete.decide_case``), not the model: they are what tells a wrong
encoding from a right one when the model and the encoding are wrong together (the mutation runner relies on it).
"""

from __future__ import annotations

import pytest

from spec.smt.concrete import decide_case

V = "2012-10-17"
ACCT, OTHER = "111122223333", "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/alice"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/app/s1"
FED = f"arn:aws:sts::{ACCT}:federated-user/carol"
ROOT = f"arn:aws:iam::{ACCT}:root"
X_USER = f"arn:aws:iam::{OTHER}:user/xavier"
ROLE_ARN = f"arn:aws:iam::{ACCT}:role/target"


def doc(*statements: dict, version: str | None = V) -> dict:
    out: dict = {"Statement": list(statements)}
    if version:
        out["Version"] = version
    return out


def allow(action: object = "*", resource: object = "*", **extra: object) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: object = "*", resource: object = "*", **extra: object) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def case(identity: list | None = None, request: dict | None = None, **kw: object) -> dict:
    req = {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", **(request or {})}
    return {"identity_policies": identity or [], "request": req, **kw}


def enc(c: dict) -> str:
    return decide_case(c)


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html:
# "An explicit deny overrides an explicit allow"; "By default, all requests are implicitly denied with the exception
# of the AWS account root user, which has full access."
def test_explicit_deny_overrides_allow() -> None:
    assert enc(case([doc(allow(), deny("s3:GetObject"))])) == "ExplicitDeny"


def test_default_deny_and_root() -> None:
    assert enc(case([])) == "ImplicitDeny"
    assert enc({"request": {"principal": ROOT, "action": "s3:GetObject", "resource": "*"}}) == "Allow"


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html: "The prefix and the
# action name are case insensitive. For example, iam:ListAccessKeys is the same as IAM:listaccesskeys."
def test_action_case_insensitive() -> None:
    c = case([doc(allow("iam:ListAccessKeys"))], {"action": "IAM:listaccesskeys", "resource": "*"})
    assert enc(c) == "Allow"


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html: "arn:aws:s3:::BUCKET/*/
# test/*" matches the first three, not the last two ("'/' ... is treated the same as any other valid character").
@pytest.mark.parametrize(("resource", "expected"), [
    ("arn:aws:s3:::BUCKET/1/2/test/3/o.jpg", "Allow"), ("arn:aws:s3:::BUCKET//test/object.jpg", "Allow"),
    ("arn:aws:s3:::BUCKET/1/test/", "Allow"), ("arn:aws:s3:::BUCKET/test/object.jpg", "ImplicitDeny"),
    ("arn:aws:s3:::BUCKET/1-test/object.jpg", "ImplicitDeny")])
def test_resource_wildcards(resource: str, expected: str) -> None:
    c = case([doc(allow("s3:GetObject", "arn:aws:s3:::BUCKET/*/test/*"))], {"resource": resource})
    assert enc(c) == expected


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN:
# "arn:aws:someservice:*:111122223333:finance/*" against "...:store/abc:111122223333:finance/document.txt": StringLike
# matches, ArnLike does not ("Each of the six colon-delimited components of the ARN is checked separately").
def test_arnlike_checks_each_part() -> None:
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    for op, expected in (("StringLike", "Allow"), ("ArnLike", "ImplicitDeny")):
        c = case([doc(allow(Condition={op: {"aws:SourceArn": pattern}}))], {"context": {"aws:SourceArn": value}})
        assert enc(c) == expected, op


# Missing keys (operators page): "the values do not match and the condition is false"; negated operators true;
# "...IfExists ... If the key is not present, evaluate the condition element as true"; ForAllValues "returns true
# if there are no keys in the request"; ForAnyValue "For no matching key ... returns false"; Null true = absent.
@pytest.mark.parametrize(("operator", "expected"), [
    ("StringEquals", "ImplicitDeny"), ("StringNotLike", "Allow"), ("StringEqualsIfExists", "Allow"),
    ("ForAllValues:StringEquals", "Allow"), ("ForAnyValue:StringEquals", "ImplicitDeny"),
    ("NumericLessThan", "ImplicitDeny"), ("NotIpAddress", "Allow")])
def test_missing_key(operator: str, expected: str) -> None:
    value = "10.0.0.0/8" if "Ip" in operator else "5" if "Numeric" in operator else "x"
    c = case([doc(allow(Condition={operator: {"aws:SomeKey": value}}))])
    assert enc(c) == expected


def test_null_operator() -> None:
    present = case([doc(allow(Condition={"Null": {"aws:TokenIssueTime": "false"}}))],
                   {"context": {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}})
    absent = case([doc(allow(Condition={"Null": {"aws:TokenIssueTime": "true"}}))])
    assert enc(present) == "Allow" and enc(absent) == "Allow"


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html:
# a negated operator with several values: "the string cannot match any of the ... values listed".
def test_negated_operator_several_values() -> None:
    policy = doc(allow(Condition={"StringNotEquals": {"aws:PrincipalAccount": ["111", "222"]}}))
    assert enc(case([policy], {"context": {"aws:PrincipalAccount": "222"}})) == "ImplicitDeny"
    assert enc(case([policy], {"context": {"aws:PrincipalAccount": "333"}})) == "Allow"


# "If you specify an IP address without the associated routing prefix, IAM uses the default prefix value of /32".
def test_ip_without_prefix_is_a_host() -> None:
    policy = doc(allow(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.5"}}))
    assert enc(case([policy], {"context": {"aws:SourceIp": "203.0.113.5"}})) == "Allow"
    assert enc(case([policy], {"context": {"aws:SourceIp": "203.0.113.6"}})) == "ImplicitDeny"


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html: a variable with no value makes
# the Resource match nothing; with Version 2008-10-17 variables are literal text.
def test_policy_variables() -> None:
    home = "arn:aws:s3:::b/home/${aws:username}/*"
    mine = {"resource": "arn:aws:s3:::b/home/alice/x", "context": {"aws:username": "alice"}}
    assert enc(case([doc(allow("s3:GetObject", home))], mine)) == "Allow"
    assert enc(case([doc(allow("s3:GetObject", home))], {"resource": "arn:aws:s3:::b/home/alice/x"})) == "ImplicitDeny"
    assert enc(case([doc(allow("s3:GetObject", home), version="2008-10-17")], mine)) == "ImplicitDeny"
    literal = {"resource": "arn:aws:s3:::b/home/${aws:username}/x"}
    assert enc(case([doc(allow("s3:GetObject", home), version="2008-10-17")], literal)) == "Allow"
    # "the resource that includes a policy variable with no value will not match any resource": not even the one
    # an empty value would give; and condition operators like StringEquals "do not match".
    assert enc(case([doc(allow("s3:GetObject", home))], {"resource": "arn:aws:s3:::b/home//x"})) == "ImplicitDeny"
    prefix = doc(allow(Condition={"StringEquals": {"s3:prefix": "home/${aws:username}"}}))
    assert enc(case([prefix], {"context": {"s3:prefix": "home/"}})) == "ImplicitDeny"
    # the model answers the same (the encoding and the model are held to the same page)
    from spec.decide import answer_case

    assert answer_case(case([prefix], {"context": {"s3:prefix": "home/"}}))["decision"] == "ImplicitDeny"
    empty_home = case([doc(allow("s3:GetObject", home))], {"resource": "arn:aws:s3:::b/home//x"})
    assert answer_case(empty_home)["decision"] == "ImplicitDeny"


# https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html: a boundary "does not provide
# permissions on its own", and limits the identity-based ones.
def test_boundary_limits() -> None:
    assert enc(case([doc(allow())], permission_boundary=doc(allow("ec2:*")))) == "ImplicitDeny"
    assert enc(case([], permission_boundary=doc(allow()))) == "ImplicitDeny"
    assert enc(case([doc(allow())], permission_boundary=doc(allow("s3:*")))) == "Allow"


# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html: an Allow is
# needed at every level from the root to the account.
def test_scp_every_level() -> None:
    full = doc(allow())
    levels = [{"level": "root", "policies": [full]}, {"level": "ou", "policies": [doc(allow("ec2:*"))]}]
    assert enc(case([full], scps=levels)) == "ImplicitDeny"
    levels[1]["policies"].append(doc(allow("s3:GetObject")))
    assert enc(case([full], scps=levels)) == "Allow"


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html: "The
# request is allowed only if both evaluations return a decision of Allow."
def test_cross_account_needs_both() -> None:
    bucket = doc({"Effect": "Allow", "Principal": {"AWS": X_USER}, "Action": "s3:GetObject", "Resource": "*"})
    req = {"principal": X_USER, "resource_account": ACCT}
    assert enc(case([doc(allow())], req, resource_policy=bucket)) == "Allow"
    assert enc(case([], req, resource_policy=bucket)) == "ImplicitDeny"
    assert enc(case([doc(allow())], req)) == "ImplicitDeny"


# Trust policies "must explicitly allow access for principals" (denyallow page); "You cannot assume a role when you
# are signed in as the AWS account root user" (id_roles_use_switch-role-api.html).
def test_trust_policy_and_root() -> None:
    trust = doc({"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "sts:AssumeRole"})
    assume = {"action": "sts:AssumeRole", "resource": ROLE_ARN}
    assert enc(case([doc(allow("sts:AssumeRole"))], assume)) == "ImplicitDeny"
    assert enc(case([doc(allow("sts:AssumeRole"))], assume, resource_policy=trust)) == "Allow"
    assert enc({"request": {**assume, "principal": ROOT}, "resource_policy": trust}) == "ImplicitDeny"


# Step 7 of the denyallow page: a session that is not a role session and has no session policy is denied; a role
# session without one is not limited.
def test_session_policies() -> None:
    assert enc(case([doc(allow())], {"principal": FED})) == "ImplicitDeny"
    assert enc(case([doc(allow())], {"principal": FED}, session_policy=doc(allow()))) == "Allow"
    assert enc(case([doc(allow())], {"principal": SESSION})) == "Allow"
    assert enc(case([doc(allow())], {"principal": SESSION}, session_policy=doc(allow("ec2:*")))) == "ImplicitDeny"


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent:
# a Deny with Bool aws:MultiFactorAuthPresent false does not apply to requests made with long-term keys (the key is
# absent); BoolIfExists does.
def test_mfa_deny_and_missing_key() -> None:
    bool_deny = deny(Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})
    if_exists = deny(Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})
    assert enc(case([doc(allow(), bool_deny)])) == "Allow"
    assert enc(case([doc(allow(), if_exists)])) == "ExplicitDeny"


# NotAction "matches everything except the specified list of actions"
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html).
def test_not_action() -> None:
    policy = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert enc(case([policy])) == "Allow"
    assert enc(case([policy], {"action": "iam:CreateUser"})) == "ImplicitDeny"


# "An SCP restricts permissions for IAM users and roles in member accounts, including the member account's root
# user" (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html); "If the
# enforcement code finds even one explicit deny that applies, the code returns a final decision of Deny" (denyallow
# page). The root user's full access still holds for what the SCPs allow.
def test_scp_deny_applies_to_the_root_user() -> None:
    from spec.decide import answer_case

    scps = [{"level": "root", "policies": [doc(allow(), deny("s3:GetObject"))]}]
    denied = {"request": {"principal": ROOT, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}, "scps": scps}
    allowed = {"request": {"principal": ROOT, "action": "s3:PutObject", "resource": "arn:aws:s3:::b/k"}, "scps": scps}
    assert enc(denied) == "ExplicitDeny" and answer_case(denied)["decision"] == "ExplicitDeny"
    assert enc(allowed) == "Allow" and answer_case(allowed)["decision"] == "Allow"


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html: a default value (section
# "Specifying default values", the page's ${aws:PrincipalTag/team, 'company-wide'} bucket) is used when the key is
# not present; "You can't use a multivalued condition key as a variable".
def test_policy_variables_defaults_and_multivalued_keys() -> None:
    from spec.decide import answer_case

    bucket = allow("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket-${aws:PrincipalTag/team, 'company-wide'}/*")
    wide, yellow = "arn:aws:s3:::amzn-s3-demo-bucket-company-wide/x", "arn:aws:s3:::amzn-s3-demo-bucket-yellow/x"
    tagged = {"aws:PrincipalTag/team": "yellow"}
    for request, expected in (({"resource": wide}, "Allow"), ({"resource": yellow}, "ImplicitDeny"),
                              ({"resource": yellow, "context": tagged}, "Allow"),
                              ({"resource": wide, "context": tagged}, "ImplicitDeny")):
        c = case([doc(bucket)], request)
        assert (enc(c), answer_case(c)["decision"]) == (expected, expected), request
    keys = doc(allow(Condition={"StringLike": {"s3:prefix": "${aws:TagKeys}/*"}}))
    listed = case([keys], {"context": {"aws:TagKeys": ["a"], "s3:prefix": "a/x"}})
    assert enc(listed) == "ImplicitDeny" and answer_case(listed)["decision"] == "ImplicitDeny"
