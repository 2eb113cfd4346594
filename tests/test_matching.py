"""Action and resource matching: IAM wildcards, literal characters, case rules, NotAction and NotResource.

Each test asks the model one decision through ``answer_case`` with a single identity policy and an unstated caller,
so that the decision is Allow exactly when the statement matches.

Sources (IAM User Guide):
- Action: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
  "The prefix and the action name are case insensitive. For example, iam:ListAccessKeys is the same as
  IAM:listaccesskeys."; wildcards ``*`` (any sequence) and ``?`` (one character).
- Resource: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
  "You can use wildcard characters (* and ?) within the individual segments of an ARN ... If the * wildcard is the
  last character of a resource ARN segment, it can expand to match beyond the colon boundaries."; the
  ``BUCKET/*/test/*`` example; "In the Resource element, the IAM user name is case sensitive."
- NotAction: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
- NotResource: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
- Glob rule used by the project (iam-semantics §2.5, a synthesis of the pages above): ``*`` any sequence, ``?`` one
  character, every other character literal, whole-string match.
"""

from __future__ import annotations

import pytest
from strategies import ACCT, OBJ, allow, case, decision, deny, doc


def allowed(statement: dict, action: str, resource: str = OBJ) -> bool:
    out = decision(case(identity=[doc(statement)], action=action, resource=resource))
    assert out in ("Allow", "ImplicitDeny"), out
    return out == "Allow"


# ----------------------------------------------------------------------------------------------------------------
# actions
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "match"),
    [
        ("s3:GetObject", "s3:GetObject", True),
        ("s3:GetObject", "s3:GetObjectAcl", False),  # whole-string match
        ("s3:GetObject", "s3:PutObject", False),
        ("s3:*", "s3:DeleteBucket", True),
        ("s3:*", "s3express:CreateSession", False),  # the colon is literal: "s3:" is not a prefix of "s3express:"
        ("s3:Get*", "s3:GetObject", True),
        ("s3:Get*", "s3:Get", True),  # * matches the empty sequence
        ("s3:Get*", "s3:PutObject", False),
        ("iam:*AccessKey*", "iam:ListAccessKeys", True),  # Action page example
        ("iam:*AccessKey*", "iam:CreateAccessKey", True),
        ("iam:*AccessKey*", "iam:ListUsers", False),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:Getbject", False),  # ? is exactly one character
        ("s3:Get?bject", "s3:GetOObject", False),
        ("s3:???Object", "s3:PutObject", True),
        ("s3:???Object", "s3:GetObjectX", False),
        ("*", "ec2:RunInstances", True),  # "Action": "*" matches every action of every service
    ],
)
def test_action_wildcards(pattern: str, action: str, match: bool) -> None:
    assert allowed(allow(pattern, "*"), action) is match


@pytest.mark.parametrize(
    ("pattern", "action"),
    [
        ("iam:ListAccessKeys", "IAM:listaccesskeys"),  # the Action page's own example
        ("IAM:listaccesskeys", "iam:ListAccessKeys"),
        ("S3:GETOBJECT", "s3:getobject"),
        ("s3:get*", "S3:GETOBJECT"),
        ("S3:GET?BJECT", "s3:getobject"),
    ],
)
def test_actions_case_insensitive_both_sides(pattern: str, action: str) -> None:
    """"The prefix and the action name are case insensitive" - on the policy side and on the request side."""
    assert allowed(allow(pattern, "*"), action)


@pytest.mark.parametrize(
    ("pattern", "literal_action", "regex_would_match"),
    [
        ("s3:Get.bject", "s3:Get.bject", "s3:GetObject"),  # "." is not "any character"
        ("s3:Get+Object", "s3:Get+Object", "s3:GettObject"),  # "+" is not "one or more"
        ("s3:Get[O]bject", "s3:Get[O]bject", "s3:GetObject"),  # "[...]" is not a character class
        ("s3:Get(O|X)bject", "s3:Get(O|X)bject", "s3:GetObject"),  # "(...)" and "|" are not groups/alternation
    ],
)
def test_action_other_characters_are_literal(pattern: str, literal_action: str, regex_would_match: str) -> None:
    """Only ``*`` and ``?`` are wildcards; every other character stands for itself."""
    assert allowed(allow(pattern, "*"), literal_action)
    assert not allowed(allow(pattern, "*"), regex_would_match)


def test_action_list_is_or() -> None:
    s = allow(["s3:GetObject", "ec2:Describe*"], "*")
    assert allowed(s, "s3:GetObject")
    assert allowed(s, "ec2:DescribeInstances")
    assert not allowed(s, "s3:PutObject")


# ----------------------------------------------------------------------------------------------------------------
# resources
# ----------------------------------------------------------------------------------------------------------------

TEST_PATTERN = "arn:aws:s3:::BUCKET/*/test/*"


@pytest.mark.parametrize(
    "key",
    [
        "1/test/object.jpg",
        "1/2/test/object.jpg",
        "1/2/test/3/object.jpg",
        "1/2/3/test/4/object.jpg",
        "1///test///object.jpg",
        "1/test/.jpg",
        "/test/object.jpg",  # BUCKET//test/object.jpg
        "1/test/",
    ],
)
def test_resource_doc_example_matches(key: str) -> None:
    """Resource page: ``arn:aws:s3:::BUCKET/*/test/*`` "applies to all of the following objects in the bucket";
    "/ ... is treated the same as any other valid character"."""
    assert allowed(allow("s3:GetObject", TEST_PATTERN), "s3:GetObject", f"arn:aws:s3:::BUCKET/{key}")


@pytest.mark.parametrize("key", ["1-test/object.jpg", "test/object.jpg"])
def test_resource_doc_example_does_not_match(key: str) -> None:
    """Resource page: the same ARN "would not match" ``BUCKET/1-test/object.jpg`` or ``BUCKET/test/object.jpg``."""
    assert not allowed(allow("s3:GetObject", TEST_PATTERN), "s3:GetObject", f"arn:aws:s3:::BUCKET/{key}")


@pytest.mark.parametrize(
    ("pattern", "resource", "match"),
    [
        (f"arn:aws:iam::{ACCT}:user/accounting/*", f"arn:aws:iam::{ACCT}:user/accounting/bob", True),  # doc example
        (f"arn:aws:iam::{ACCT}:user/accounting/*", f"arn:aws:iam::{ACCT}:user/sales/bob", False),
        ("arn:aws:s3:::example?bucket/*", "arn:aws:s3:::example1bucket/k", True),
        ("arn:aws:s3:::example?bucket/*", "arn:aws:s3:::example12bucket/k", False),
        ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", False),  # whole-string match
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket/key", True),
        ("*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", True),
        ("*", "*", True),
    ],
)
def test_resource_wildcards(pattern: str, resource: str, match: bool) -> None:
    assert allowed(allow("*", pattern), "s3:GetObject", resource) is match


@pytest.mark.parametrize(
    ("pattern", "resource"),
    [
        ("arn:aws:ec2:us-east-1:*", f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1"),
        ("arn:aws:ec2:*", f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1"),
        (f"arn:aws:logs:us-east-1:{ACCT}:log-group:*", f"arn:aws:logs:us-east-1:{ACCT}:log-group:app:log-stream:s1"),
        (f"arn:aws:ec2:*:{ACCT}:*", f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1"),
    ],
)
def test_trailing_star_of_a_segment_crosses_colons(pattern: str, resource: str) -> None:
    """Resource page: "If the * wildcard is the last character of a resource ARN segment, it can expand to match
    beyond the colon boundaries"."""
    assert allowed(allow("*", pattern), "ec2:RunInstances", resource)


@pytest.mark.parametrize(
    ("pattern", "resource"),
    [
        ("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/key"),
        ("arn:aws:s3:::bucket/Key", "arn:aws:s3:::bucket/key"),
        (f"arn:aws:iam::{ACCT}:user/Bob", f"arn:aws:iam::{ACCT}:user/bob"),  # "the IAM user name is case sensitive"
    ],
)
def test_resources_case_sensitive(pattern: str, resource: str) -> None:
    """Resource page: "In the Resource element, the IAM user name is case sensitive"; the project models resource
    matching as case-sensitive throughout (iam-semantics §2.4, consistent with the case-sensitive ArnLike)."""
    assert not allowed(allow("*", pattern), "s3:GetObject", resource)
    assert allowed(allow("*", pattern), "s3:GetObject", pattern)


@pytest.mark.parametrize(
    ("pattern", "literal", "regex_would_match"),
    [
        ("arn:aws:s3:::my.bucket/k", "arn:aws:s3:::my.bucket/k", "arn:aws:s3:::myXbucket/k"),
        ("arn:aws:s3:::a+b/k", "arn:aws:s3:::a+b/k", "arn:aws:s3:::aab/k"),
        ("arn:aws:s3:::x[ab]/k", "arn:aws:s3:::x[ab]/k", "arn:aws:s3:::xa/k"),
        ("arn:aws:s3:::x(a|b)/k", "arn:aws:s3:::x(a|b)/k", "arn:aws:s3:::xa/k"),
        ("arn:aws:s3:::x{2}/k", "arn:aws:s3:::x{2}/k", "arn:aws:s3:::xx/k"),
        ("arn:aws:s3:::^x/k", "arn:aws:s3:::^x/k", "arn:aws:s3:::x/k"),
    ],
)
def test_resource_other_characters_are_literal(pattern: str, literal: str, regex_would_match: str) -> None:
    assert allowed(allow("*", pattern), "s3:GetObject", literal)
    assert not allowed(allow("*", pattern), "s3:GetObject", regex_would_match)


def test_resource_list_is_or() -> None:
    s = allow("s3:*", ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"])
    assert allowed(s, "s3:GetObject", "arn:aws:s3:::a/1")
    assert allowed(s, "s3:GetObject", "arn:aws:s3:::b/1")
    assert not allowed(s, "s3:GetObject", "arn:aws:s3:::c/1")


# ----------------------------------------------------------------------------------------------------------------
# NotAction / NotResource
# ----------------------------------------------------------------------------------------------------------------


def test_not_action_with_allow() -> None:
    """NotAction page: with Allow, "all of the applicable actions or services that are not listed are allowed"."""
    s = allow(None, "*", not_action="iam:*")
    assert allowed(s, "s3:GetObject")
    assert allowed(s, "ec2:RunInstances")
    assert not allowed(s, "iam:CreateUser")
    assert not allowed(s, "IAM:createuser")  # the exclusion is case-insensitive too


def test_not_action_list() -> None:
    s = allow(None, "*", not_action=["iam:*", "s3:Delete*"])
    assert allowed(s, "s3:GetObject")
    assert not allowed(s, "s3:DeleteBucket")
    assert not allowed(s, "iam:ListUsers")


def test_not_action_doc_example_is_scoped_by_resource() -> None:
    """NotAction page: ``Allow NotAction s3:DeleteBucket Resource arn:aws:s3:::*`` "does not allow ...
    ListAllMyBuckets ... because that action requires the "*" resource" and "does not allow actions in other
    services, because other service actions are not applicable to the S3 resources"."""
    s = allow(None, "arn:aws:s3:::*", not_action="s3:DeleteBucket")
    assert allowed(s, "s3:GetObject", "arn:aws:s3:::bucket/key")
    assert not allowed(s, "s3:DeleteBucket", "arn:aws:s3:::bucket")
    assert not allowed(s, "s3:ListAllMyBuckets", "*")
    assert not allowed(s, "ec2:RunInstances", f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1")


def test_not_action_with_deny() -> None:
    """NotAction page: with Deny it explicitly denies every action that is not listed."""
    c = case(identity=[doc(allow(), deny(None, "*", not_action="s3:*"))], action="ec2:RunInstances", resource="*")
    assert decision(c) == "ExplicitDeny"
    c = case(identity=[doc(allow(), deny(None, "*", not_action="s3:*"))], action="s3:GetObject")
    assert decision(c) == "Allow"


def test_not_resource_with_allow() -> None:
    """NotResource page: matches every resource except those listed."""
    s = allow("s3:*", None, not_resource=["arn:aws:s3:::secret", "arn:aws:s3:::secret/*"])
    assert allowed(s, "s3:GetObject", "arn:aws:s3:::public/k")
    assert not allowed(s, "s3:GetObject", "arn:aws:s3:::secret/k")
    assert not allowed(s, "s3:ListBucket", "arn:aws:s3:::secret")
    assert not allowed(s, "ec2:RunInstances", f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1")  # Action still limits


def test_not_resource_with_deny() -> None:
    c = case(identity=[doc(allow(), deny("s3:*", None, not_resource="arn:aws:s3:::ok/*"))],
             resource="arn:aws:s3:::other/k")
    assert decision(c) == "ExplicitDeny"
    c = case(identity=[doc(allow(), deny("s3:*", None, not_resource="arn:aws:s3:::ok/*"))],
             resource="arn:aws:s3:::ok/k")
    assert decision(c) == "Allow"


def test_not_resource_case_sensitive() -> None:
    s = allow("s3:*", None, not_resource="arn:aws:s3:::Secret/*")
    assert allowed(s, "s3:GetObject", "arn:aws:s3:::secret/k")  # not excluded: different case


def test_star_everything() -> None:
    """``"Action": "*"`` with ``"Resource": "*"`` matches every request."""
    for action, resource in [("s3:GetObject", OBJ), ("iam:CreateUser", f"arn:aws:iam::{ACCT}:user/x"),
                             ("ec2:DescribeInstances", "*")]:
        assert allowed(allow("*", "*"), action, resource)
