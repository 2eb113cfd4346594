"""Condition operators, missing keys, set qualifiers and policy variables.

Each check asks one decision through ``answer_case``: one identity policy with a single Allow statement carrying the
condition, an unstated caller, and the request context given. The decision is Allow exactly when the condition holds.

Sources (IAM User Guide):
- Operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- Condition element / case of key names:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
- Multiple keys and values, set qualifiers:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html and
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
- Policy variables: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- Version: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
- MFA key: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
"""

from __future__ import annotations

import pytest
from strategies import ACCT, OBJ, allow, case, decision, deny, doc

TEAM = "aws:PrincipalTag/team"
TAGKEYS = "aws:TagKeys"
IP = "aws:SourceIp"
NOW = "aws:CurrentTime"
ARN = "aws:SourceArn"
NUM = "s3:max-keys"
PREFIX = "s3:prefix"
USERNAME = "aws:username"


def holds(condition: dict, context: dict | None = None, *, version: str | None = "2012-10-17",
          context_types: dict | None = None) -> bool:
    """True when an Allow statement with ``condition`` applies to a request with ``context``."""
    c = case(identity=[doc(allow("s3:GetObject", "*", condition=condition), version=version)],
             context=context or {}, context_types=context_types)
    out = decision(c)
    assert out in ("Allow", "ImplicitDeny"), out
    return out == "Allow"


def check(operator: str, key: str, policy_value: object, request_value: object, expected: bool,
          context_types: dict | None = None) -> None:
    got = holds({operator: {key: policy_value}}, {key: request_value}, context_types=context_types)
    assert got is expected, f"{operator} {policy_value!r} vs request {request_value!r}: expected {expected}"


# ----------------------------------------------------------------------------------------------------------------
# string operators
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("StringEquals", "red", "red", True),
        ("StringEquals", "red", "Red", False),  # "Exact matching, case sensitive"
        ("StringEquals", "red", "re", False),
        ("StringEquals", "red", "red ", False),
        ("StringEquals", "t2.*", "t2.micro", False),  # wildcards only in ...Like: "You must specify wildcards"
        ("StringEquals", "t2.*", "t2.*", True),
        ("StringNotEquals", "red", "blue", True),
        ("StringNotEquals", "red", "red", False),
        ("StringNotEquals", "red", "Red", True),
        ("StringEqualsIgnoreCase", "RED", "red", True),
        ("StringEqualsIgnoreCase", "RED", "blue", False),
        ("StringNotEqualsIgnoreCase", "RED", "red", False),
        ("StringNotEqualsIgnoreCase", "RED", "blue", True),
        ("StringLike", "t2.*", "t2.micro", True),
        ("StringLike", "t2.*", "t3.micro", False),
        ("StringLike", "t2.*", "T2.micro", False),  # "Case-sensitive matching"
        ("StringLike", "t2.*", "t2Xmicro", False),  # "." is literal
        ("StringLike", "b?ue", "blue", True),
        ("StringLike", "b?ue", "bluue", False),
        ("StringLike", "*", "anything", True),
        ("StringNotLike", "t2.*", "t3.micro", True),
        ("StringNotLike", "t2.*", "t2.micro", False),
    ],
)
def test_string_operators(operator: str, policy_value: str, request_value: str, expected: bool) -> None:
    check(operator, TEAM, policy_value, request_value, expected)


# ----------------------------------------------------------------------------------------------------------------
# numeric operators: "integer or decimal", compared as numbers
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("NumericEquals", "10", "10", True),
        ("NumericEquals", "10", "11", False),
        ("NumericEquals", "10", "10.0", True),  # the same number
        ("NumericNotEquals", "10", "11", True),
        ("NumericNotEquals", "10", "10", False),
        ("NumericLessThan", "10", "9", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericLessThan", "10", "11", False),
        ("NumericLessThan", "10", "2.5", True),  # as text "2.5" > "10"; as numbers it is less
        ("NumericLessThan", "10", "-1", True),
        ("NumericLessThan", "1.5", "1.25", True),
        ("NumericLessThan", "1.5", "1.75", False),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericLessThanEquals", "10", "11", False),
        ("NumericGreaterThan", "10", "11", True),
        ("NumericGreaterThan", "10", "10", False),
        ("NumericGreaterThan", "10", "100", True),
        ("NumericGreaterThan", "10", "9", False),  # as text "9" > "10"
        ("NumericGreaterThanEquals", "10", "10", True),
        ("NumericGreaterThanEquals", "10", "9.99", False),
    ],
)
def test_numeric_operators(operator: str, policy_value: str, request_value: str, expected: bool) -> None:
    """Operators page: the request value is compared with the policy value (``NumericLessThanEquals s3:max-keys
    10`` allows up to 10 keys)."""
    check(operator, NUM, policy_value, request_value, expected, {NUM: "numeric"})


# ----------------------------------------------------------------------------------------------------------------
# date operators: "W3C implementation of the ISO 8601 date formats" or epoch (UNIX) time
# ----------------------------------------------------------------------------------------------------------------

JAN1 = "2020-01-01T00:00:00Z"
JAN1_EPOCH = "1577836800"


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("DateGreaterThan", JAN1, "2021-06-01T12:00:00Z", True),
        ("DateGreaterThan", JAN1, "2019-12-31T23:59:59Z", False),
        ("DateGreaterThan", JAN1, JAN1, False),
        ("DateGreaterThanEquals", JAN1, JAN1, True),
        ("DateLessThan", JAN1, "2019-12-31T23:59:59Z", True),
        ("DateLessThan", JAN1, JAN1, False),
        ("DateLessThanEquals", JAN1, JAN1, True),
        ("DateLessThanEquals", JAN1, "2020-01-01T00:00:01Z", False),
        ("DateEquals", JAN1, JAN1, True),
        ("DateEquals", JAN1, "2020-01-01T00:00:01Z", False),
        ("DateEquals", JAN1, JAN1_EPOCH, True),  # request in epoch seconds
        ("DateEquals", JAN1_EPOCH, JAN1, True),  # policy in epoch seconds
        ("DateEquals", JAN1, "2020-01-01T01:00:00+01:00", True),  # same instant, another offset
        ("DateEquals", JAN1, "2020-01-01T00:00:00.000Z", True),  # fractional seconds
        ("DateGreaterThanEquals", JAN1_EPOCH, "2019-12-31T23:59:59Z", False),
        ("DateGreaterThan", JAN1_EPOCH, "1577836801", True),
        ("DateLessThan", "2020-01-03", JAN1, True),  # W3C date-only form
        ("DateNotEquals", JAN1, "2020-01-02T00:00:00Z", True),
        ("DateNotEquals", JAN1, JAN1_EPOCH, False),
    ],
)
def test_date_operators(operator: str, policy_value: str, request_value: str, expected: bool) -> None:
    check(operator, NOW, policy_value, request_value, expected, {NOW: "date"})


# ----------------------------------------------------------------------------------------------------------------
# Bool, BinaryEquals
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy_value", "request_value", "expected"),
    [("true", "true", True), ("true", "false", False), ("false", "false", True), ("false", "true", False)],
)
def test_bool(policy_value: str, request_value: str, expected: bool) -> None:
    check("Bool", "aws:SecureTransport", policy_value, request_value, expected, {"aws:SecureTransport": "boolean"})


B64 = "QmluYXJ5VmFsdWVJbkJhc2U2NA=="  # the operators page's example value


@pytest.mark.parametrize(("request_value", "expected"), [(B64, True), ("QmluYXJ5VmFsdWVJbkJhc2U2NQ==", False)])
def test_binary_equals(request_value: str, expected: bool) -> None:
    """Operators page: BinaryEquals compares byte for byte with the base-64 value in the policy."""
    check("BinaryEquals", "aws:RequestTag/bin", B64, request_value, expected, {"aws:RequestTag/bin": "binary"})


# ----------------------------------------------------------------------------------------------------------------
# IP address operators
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
        ("IpAddress", "203.0.113.0/24", "203.0.113.255", True),
        ("IpAddress", "203.0.113.0/24", "203.0.114.7", False),
        ("IpAddress", "10.0.0.0/8", "10.200.1.1", True),
        # "If you specify an IP address without the associated routing prefix, IAM uses the default prefix value
        # of /32."
        ("IpAddress", "203.0.113.7", "203.0.113.7", True),
        ("IpAddress", "203.0.113.7", "203.0.113.8", False),
        # IPv6 with a prefix (the page's example 2001:DB8:1234:5678::/64); hex digits are case-insensitive
        ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", True),
        ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678:ffff:ffff:ffff:ffff", True),
        ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False),
        # IPv6 without a prefix: the same address in another spelling matches; an address outside even a /32 does
        # not (the page's "/32" default is written for IPv4, so nothing in between is asserted)
        ("IpAddress", "2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", True),
        ("IpAddress", "2001:db8::1", "2001:db9::1", False),
        ("IpAddress", "2001:db8::/32", "203.0.113.7", False),  # v4 request never in a v6 range
        ("IpAddress", "203.0.113.0/24", "2001:db8::1", False),
        ("IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "2001:db8:1234:5678::9", True),
        ("IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "203.0.113.9", True),
        ("IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "198.51.100.1", False),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
        ("NotIpAddress", "203.0.113.0/24", "203.0.113.7", False),
        ("NotIpAddress", "203.0.113.7", "203.0.113.8", True),
        ("NotIpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", False),
        ("NotIpAddress", "2001:DB8:1234:5678::/64", "2001:db8:ffff::1", True),
    ],
)
def test_ip_address_operators(operator: str, policy_value: object, request_value: str, expected: bool) -> None:
    check(operator, IP, policy_value, request_value, expected, {IP: "ip"})


# ----------------------------------------------------------------------------------------------------------------
# ARN operators: case-sensitive, "Each of the six colon-delimited components of the ARN is checked separately"
# ----------------------------------------------------------------------------------------------------------------

DOC_PATTERN = f"arn:aws:someservice:*:{ACCT}:finance/*"
DOC_VALUE = f"arn:aws:someservice:us-east-2:999999999999:store/abc:{ACCT}:finance/document.txt"


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("StringLike", True), ("ArnLike", False), ("ArnEquals", False), ("ArnNotLike", True), ("ArnNotEquals", True)],
)
def test_arn_operators_doc_example(operator: str, expected: bool) -> None:
    """Operators page example: the pattern ``arn:aws:someservice:*:111122223333:finance/*`` matches the value
    ``...:us-east-2:999999999999:store/abc:111122223333:finance/document.txt`` with StringLike but not with ArnLike,
    because ArnLike compares the account segment (999999999999) with 111122223333."""
    check(operator, ARN, DOC_PATTERN, DOC_VALUE, expected)


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("ArnLike", f"arn:aws:iam::{ACCT}:role/Admin*", f"arn:aws:iam::{ACCT}:role/AdminTeam", True),
        ("ArnLike", f"arn:aws:iam::{ACCT}:role/Admin*", f"arn:aws:iam::{ACCT}:role/UserTeam", False),
        ("ArnLike", f"arn:aws:iam::{ACCT}:role/Admin", f"arn:aws:iam::{ACCT}:role/admin", False),  # case-sensitive
        ("ArnEquals", f"arn:aws:sns:*:{ACCT}:topic-*", f"arn:aws:sns:us-east-1:{ACCT}:topic-a", True),  # = ArnLike
        ("ArnEquals", f"arn:aws:sns:us-east-1:{ACCT}:topic-?", f"arn:aws:sns:us-east-1:{ACCT}:topic-ab", False),
        ("ArnLike", f"arn:aws:sns:us-east-1:{ACCT}:*", f"arn:aws:sns:us-east-1:{ACCT}:topic:sub-1", True),
        ("ArnLike", f"arn:aws:sns:*:{ACCT}:topic", "arn:aws:sns:us-east-1:999999999999:topic", False),
        ("ArnNotLike", f"arn:aws:iam::{ACCT}:role/Admin*", f"arn:aws:iam::{ACCT}:role/UserTeam", True),
        ("ArnNotEquals", f"arn:aws:iam::{ACCT}:role/Admin*", f"arn:aws:iam::{ACCT}:role/AdminTeam", False),
    ],
)
def test_arn_operators(operator: str, policy_value: str, request_value: str, expected: bool) -> None:
    check(operator, ARN, policy_value, request_value, expected)


# ----------------------------------------------------------------------------------------------------------------
# Null and IfExists
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy_value", "present", "expected"),
    [("true", False, True), ("true", True, False), ("false", True, True), ("false", False, False)],
)
def test_null(policy_value: str, present: bool, expected: bool) -> None:
    """Operators page: ``Null`` true means the key is absent; false means it is present (and not null)."""
    context = {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"} if present else {}
    assert holds({"Null": {"aws:TokenIssueTime": policy_value}}, context) is expected


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("StringEqualsIfExists", "red", "red", True),
        ("StringEqualsIfExists", "red", "blue", False),
        ("StringEqualsIfExists", "red", None, True),
        ("StringNotEqualsIfExists", "prod", "prod", False),
        ("StringNotEqualsIfExists", "prod", "dev", True),
        ("StringNotEqualsIfExists", "prod", None, True),
        ("NumericLessThanIfExists", "10", "5", True),
        ("NumericLessThanIfExists", "10", "50", False),
        ("NumericLessThanIfExists", "10", None, True),
        ("IpAddressIfExists", "10.0.0.0/8", "192.168.0.1", False),
        ("IpAddressIfExists", "10.0.0.0/8", None, True),
        ("BoolIfExists", "true", "false", False),
        ("BoolIfExists", "true", None, True),
    ],
)
def test_if_exists(operator: str, policy_value: str, request_value: str | None, expected: bool) -> None:
    """Operators page: "If the policy key is present in the context of the request, process the key as specified in
    the policy. If the key is not present, evaluate the condition element as true."."""
    key = TEAM
    context = {} if request_value is None else {key: request_value}
    assert holds({operator: {key: policy_value}}, context) is expected


def test_deny_with_negated_if_exists_denies_when_key_missing() -> None:
    """Operators page: "If you are using an "Effect": "Deny" element with a negated condition operator like
    StringNotEqualsIfExists, the request is still denied even if the tag is missing."."""
    c = case(identity=[doc(allow(), deny("s3:*", "*", condition={
        "StringNotEqualsIfExists": {"aws:RequestTag/env": "prod"}}))])
    assert decision(c) == "ExplicitDeny"


def test_deny_mfa_false_does_not_apply_to_long_term_keys() -> None:
    """Condition-keys page (aws:MultiFactorAuthPresent): a Deny with ``Bool aws:MultiFactorAuthPresent false`` does
    not deny requests made with long-term keys, because the key is absent for them; ``BoolIfExists`` does."""
    plain = case(identity=[doc(allow(), deny("*", "*", condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))])
    assert decision(plain) == "Allow"
    if_exists = case(identity=[doc(allow(), deny("*", "*", condition={
        "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))])
    assert decision(if_exists) == "ExplicitDeny"


# ----------------------------------------------------------------------------------------------------------------
# the missing-key table (iam-semantics §3.2)
# ----------------------------------------------------------------------------------------------------------------

POSITIVE = [
    ("StringEquals", "x"), ("StringEqualsIgnoreCase", "x"), ("StringLike", "*"),
    ("NumericEquals", "1"), ("NumericLessThan", "1"), ("NumericLessThanEquals", "1"),
    ("NumericGreaterThan", "1"), ("NumericGreaterThanEquals", "1"),
    ("DateEquals", JAN1), ("DateLessThan", JAN1), ("DateLessThanEquals", JAN1),
    ("DateGreaterThan", JAN1), ("DateGreaterThanEquals", JAN1),
    ("Bool", "true"), ("BinaryEquals", B64), ("IpAddress", "0.0.0.0/0"),
    ("ArnEquals", "arn:aws:*:*:*:*"), ("ArnLike", "arn:*:*:*:*:*"),
]
NEGATED = [
    ("StringNotEquals", "x"), ("StringNotEqualsIgnoreCase", "x"), ("StringNotLike", "x*"),
    ("NumericNotEquals", "1"), ("DateNotEquals", JAN1), ("NotIpAddress", "10.0.0.0/8"),
    ("ArnNotEquals", "arn:aws:iam::111122223333:role/x"), ("ArnNotLike", "arn:aws:iam::111122223333:role/x*"),
]
ABSENT = "aws:PrincipalTag/absent"
OTHER_CONTEXT = {"aws:PrincipalTag/present": "x"}


@pytest.mark.parametrize(("operator", "value"), POSITIVE, ids=[o for o, _ in POSITIVE])
def test_missing_key_positive_operator_is_false(operator: str, value: str) -> None:
    """Operators page: "If the key that you specify in a policy condition is not present in the request context,
    the values do not match and the condition is false."."""
    assert holds({operator: {ABSENT: value}}, OTHER_CONTEXT) is False


@pytest.mark.parametrize(("operator", "value"), NEGATED, ids=[o for o, _ in NEGATED])
def test_missing_key_negated_operator_is_true(operator: str, value: str) -> None:
    """Operators page: "If the policy condition requires that the key is not matched, such as StringNotLike or
    ArnNotLike, and the right key is not present, the condition is true."."""
    assert holds({operator: {ABSENT: value}}, OTHER_CONTEXT) is True


@pytest.mark.parametrize(("operator", "value"), POSITIVE + NEGATED, ids=[o for o, _ in POSITIVE + NEGATED])
def test_missing_key_if_exists_is_true(operator: str, value: str) -> None:
    """Operators page (IfExists): "If the key is not present, evaluate the condition element as true."."""
    assert holds({operator + "IfExists": {ABSENT: value}}, OTHER_CONTEXT) is True


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False)])
def test_missing_key_null(value: str, expected: bool) -> None:
    assert holds({"Null": {ABSENT: value}}, OTHER_CONTEXT) is expected


@pytest.mark.parametrize("operator", ["StringEquals", "StringLike", "StringNotEquals", "StringNotLike"])
def test_missing_key_for_all_values_is_true(operator: str) -> None:
    """Multi-value page: ForAllValues "also returns true if there are no keys in the request"."""
    assert holds({f"ForAllValues:{operator}": {ABSENT: ["a", "b"]}}, OTHER_CONTEXT) is True


@pytest.mark.parametrize("operator", ["StringEquals", "StringLike", "StringNotEquals", "StringNotLike"])
def test_missing_key_for_any_value_is_false(operator: str) -> None:
    """Multi-value page: ForAnyValue: "For no matching key or a null dataset, the condition returns false."."""
    assert holds({f"ForAnyValue:{operator}": {ABSENT: ["a", "b"]}}, OTHER_CONTEXT) is False


# ----------------------------------------------------------------------------------------------------------------
# set qualifiers
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_value", "expected"),
    [(["env"], True), (["env", "team"], True), (["team", "env"], True), (["env", "cost"], False),
     (["cost"], False), ([], True), (None, True), ("env", True), ("cost", False)],
)
def test_for_all_values(request_value: list | str | None, expected: bool) -> None:
    """Multi-value page: ForAllValues "returns true if every key value in the request matches at least one value in
    the policy. It also returns true if there are no keys in the request, or if the key values resolve to a null
    data set"."""
    context = {} if request_value is None else {TAGKEYS: request_value}
    assert holds({"ForAllValues:StringEquals": {TAGKEYS: ["env", "team"]}}, context) is expected


@pytest.mark.parametrize(
    ("request_value", "expected"),
    [(["env"], True), (["env", "cost"], True), (["cost", "team"], True), (["cost"], False), ([], False),
     (None, False), ("team", True), ("cost", False)],
)
def test_for_any_value(request_value: list | str | None, expected: bool) -> None:
    """Multi-value page: ForAnyValue "returns true if any one of the key values in the request matches any one of
    the condition values ... For no matching key or a null dataset, the condition returns false."."""
    context = {} if request_value is None else {TAGKEYS: request_value}
    assert holds({"ForAnyValue:StringEquals": {TAGKEYS: ["env", "team"]}}, context) is expected


@pytest.mark.parametrize(
    ("operator", "request_value", "expected"),
    [
        ("ForAnyValue:StringLike", ["team-a", "cost"], True),
        ("ForAnyValue:StringLike", ["cost"], False),
        ("ForAllValues:StringLike", ["team-a", "team-b"], True),
        ("ForAllValues:StringLike", ["team-a", "cost"], False),
    ],
)
def test_set_qualifiers_with_like(operator: str, request_value: list, expected: bool) -> None:
    assert holds({operator: {TAGKEYS: "team-*"}}, {TAGKEYS: request_value}) is expected


@pytest.mark.parametrize(
    ("operator", "request_value", "expected"),
    [
        ("ForAnyValue:StringNotEquals", ["env", "cost"], True),  # cost is neither env nor team
        ("ForAnyValue:StringNotEquals", ["env", "team"], False),
        ("ForAllValues:StringNotEquals", ["cost", "owner"], True),
        ("ForAllValues:StringNotEquals", ["cost", "env"], False),
    ],
)
def test_set_qualifiers_with_negated_operator(operator: str, request_value: list, expected: bool) -> None:
    """iam-semantics §3.3 (synthesis of the multi-value page): with a negated base operator a request value matches
    when it equals none of the policy values; ForAnyValue needs one such value, ForAllValues needs all."""
    assert holds({operator: {TAGKEYS: ["env", "team"]}}, {TAGKEYS: request_value}) is expected


# ----------------------------------------------------------------------------------------------------------------
# iamspec decision (a): a plain operator meeting a multivalued request key
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "key", "policy_value", "request_value", "expected"),
    [
        ("StringEquals", TAGKEYS, "env", ["env"], False),
        ("StringEquals", TAGKEYS, ["env", "team"], ["env", "team"], False),
        ("StringLike", "ec2:InstanceType", ["t2.*", "t3.*"], ["t2.micro"], False),  # politest 11#0, AWS simulator
        ("StringEquals", "aws:RequestedRegion", ["us-east-1", "us-west-2"], ["us-east-1", "us-west-2"], False),
        ("NumericLessThan", NUM, "10", ["1"], False),
        ("StringNotEquals", TAGKEYS, "env", ["cost"], True),
        ("StringNotEquals", TAGKEYS, "env", ["env"], True),
        ("StringNotLike", TAGKEYS, "e*", ["env"], True),
    ],
)
def test_plain_operator_on_multivalued_key(operator: str, key: str, policy_value: object, request_value: list,
                                           expected: bool) -> None:
    """iamspec decision (a): a plain (unqualified) operator meeting a multivalued request key (a JSON list) does not
    match for positive operators and does match for negated operators (the negation of the positive).
    AWS docs: "Multivalued context keys require a condition set operator"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html);
    AWS's policy simulator answers the four cases tagged ``source-notes-simulator-limitation`` that way."""
    assert holds({operator: {key: policy_value}}, {key: request_value}) is expected


# ----------------------------------------------------------------------------------------------------------------
# AND / OR / NOR, case of key names
# ----------------------------------------------------------------------------------------------------------------


def test_and_across_keys() -> None:
    """Multi-value page: "multiple keys attached to a single condition operator ... are evaluated using a logical
    AND"."""
    cond = {"StringEquals": {TEAM: "red", "aws:PrincipalTag/env": "prod"}}
    assert holds(cond, {TEAM: "red", "aws:PrincipalTag/env": "prod"})
    assert not holds(cond, {TEAM: "red", "aws:PrincipalTag/env": "dev"})
    assert not holds(cond, {TEAM: "red"})


def test_and_across_operators() -> None:
    """Multi-value page: "If your policy has multiple condition operators ... evaluated using a logical AND"."""
    cond = {"StringEquals": {TEAM: "red"}, "IpAddress": {IP: "10.0.0.0/8"}}
    assert holds(cond, {TEAM: "red", IP: "10.1.2.3"})
    assert not holds(cond, {TEAM: "red", IP: "192.168.1.1"})
    assert not holds(cond, {TEAM: "blue", IP: "10.1.2.3"})


def test_or_across_values() -> None:
    """Multi-value page: "If a single condition operator includes multiple values for one key, that condition
    operator is evaluated using a logical OR."."""
    cond = {"StringEquals": {TEAM: ["red", "blue"]}}
    assert holds(cond, {TEAM: "blue"})
    assert holds(cond, {TEAM: "red"})
    assert not holds(cond, {TEAM: "green"})


@pytest.mark.parametrize(
    ("operator", "key", "values", "inside", "outside"),
    [
        ("StringNotEquals", TEAM, ["red", "blue"], ["red", "blue"], "green"),
        ("StringNotEqualsIgnoreCase", TEAM, ["red", "blue"], ["RED", "Blue"], "green"),
        ("StringNotLike", TEAM, ["a*", "b*"], ["alice", "bob"], "carl"),
        ("NumericNotEquals", NUM, ["1", "2"], ["1", "2"], "3"),
        ("DateNotEquals", NOW, [JAN1, "2021-01-01T00:00:00Z"], [JAN1, "2021-01-01T00:00:00Z"],
         "2022-01-01T00:00:00Z"),
        ("NotIpAddress", IP, ["10.0.0.0/8", "192.168.0.0/16"], ["10.1.1.1", "192.168.1.1"], "8.8.8.8"),
        ("ArnNotLike", ARN, [f"arn:aws:iam::{ACCT}:role/a*", f"arn:aws:iam::{ACCT}:role/b*"],
         [f"arn:aws:iam::{ACCT}:role/ax", f"arn:aws:iam::{ACCT}:role/bx"], f"arn:aws:iam::{ACCT}:role/cx"),
    ],
)
def test_negated_operator_with_several_values_is_nor(operator: str, key: str, values: list, inside: list,
                                                     outside: str) -> None:
    """Multi-value page: with a negated operator and several values "the effective permissions work like a logical
    AND ... the string cannot match any of the ... values listed to resolve the condition to true"."""
    for v in inside:
        assert not holds({operator: {key: values}}, {key: v}), v
    assert holds({operator: {key: values}}, {key: outside})


@pytest.mark.parametrize(
    ("policy_key", "request_key"),
    [("aws:PrincipalTag/team", "AWS:PRINCIPALTAG/TEAM"), ("AWS:PrincipalTag/Team", "aws:principaltag/team"),
     ("aws:SourceVpc", "aws:sourcevpc")],
)
def test_key_names_case_insensitive(policy_key: str, request_key: str) -> None:
    """Condition page: "Condition key names are not case-sensitive"; the tag-key part too ("matches a resource tag
    key named either TagKey1 or tagkey1"). Values keep the operator's case rule."""
    assert holds({"StringEquals": {policy_key: "red"}}, {request_key: "red"})
    assert not holds({"StringEquals": {policy_key: "red"}}, {request_key: "RED"})


# ----------------------------------------------------------------------------------------------------------------
# policy variables
# ----------------------------------------------------------------------------------------------------------------


def res_allowed(resource_pattern: object, resource: str, context: dict, *, version: str | None = "2012-10-17",
                not_resource: bool = False) -> bool:
    s = (allow("s3:GetObject", None, not_resource=resource_pattern) if not_resource
         else allow("s3:GetObject", resource_pattern))
    out = decision(case(identity=[doc(s, version=version)], resource=resource, context=context))
    assert out in ("Allow", "ImplicitDeny"), out
    return out == "Allow"


HOME = "arn:aws:s3:::bucket/${aws:username}/*"


def test_variable_in_resource() -> None:
    """Variables page: ``${aws:username}`` in Resource is replaced by the request's value."""
    ctx = {USERNAME: "alice"}
    assert res_allowed(HOME, "arn:aws:s3:::bucket/alice/notes.txt", ctx)
    assert not res_allowed(HOME, "arn:aws:s3:::bucket/bob/notes.txt", ctx)


def test_variable_key_case_insensitive() -> None:
    """Variables page: key names in variables are case-insensitive (``${aws:UserName}`` = ``${aws:username}``)."""
    assert res_allowed("arn:aws:s3:::bucket/${AWS:UserName}/*", "arn:aws:s3:::bucket/alice/x", {USERNAME: "alice"})


def test_variable_in_condition() -> None:
    cond = {"StringEquals": {PREFIX: "home/${aws:username}/"}}
    assert holds(cond, {PREFIX: "home/alice/", USERNAME: "alice"})
    assert not holds(cond, {PREFIX: "home/bob/", USERNAME: "alice"})
    like = {"StringLike": {PREFIX: ["home/${aws:username}/*"]}}
    assert holds(like, {PREFIX: "home/alice/docs/a.txt", USERNAME: "alice"})
    arn = {"ArnLike": {ARN: f"arn:aws:iam::{ACCT}:user/${{aws:username}}"}}
    assert holds(arn, {ARN: f"arn:aws:iam::{ACCT}:user/alice", USERNAME: "alice"})
    assert not holds(arn, {ARN: f"arn:aws:iam::{ACCT}:user/bob", USERNAME: "alice"})


def test_variable_default_value() -> None:
    """Variables page: ``${aws:PrincipalTag/team, 'company-wide'}`` uses the default when the key is absent."""
    cond = {"StringEquals": {PREFIX: "${aws:PrincipalTag/team, 'company-wide'}"}}
    assert holds(cond, {PREFIX: "company-wide"})
    assert holds(cond, {PREFIX: "red", TEAM: "red"})
    assert not holds(cond, {PREFIX: "company-wide", TEAM: "red"})
    pattern = "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'shared'}/*"
    assert res_allowed(pattern, "arn:aws:s3:::bucket/shared/x", {})
    assert res_allowed(pattern, "arn:aws:s3:::bucket/red/x", {TEAM: "red"})
    assert not res_allowed(pattern, "arn:aws:s3:::bucket/shared/x", {TEAM: "red"})


def test_special_characters() -> None:
    """Variables page: ``${*}``, ``${?}`` and ``${$}`` stand for a literal ``*``, ``?`` and ``$``."""
    assert res_allowed("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*", {})
    assert not res_allowed("arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/abc", {})
    assert holds({"StringLike": {PREFIX: "a${*}b"}}, {PREFIX: "a*b"})
    assert not holds({"StringLike": {PREFIX: "a${*}b"}}, {PREFIX: "axyb"})
    assert holds({"StringLike": {PREFIX: "a${?}b"}}, {PREFIX: "a?b"})
    assert not holds({"StringLike": {PREFIX: "a${?}b"}}, {PREFIX: "axb"})
    assert holds({"StringEquals": {PREFIX: "cost${$}"}}, {PREFIX: "cost$"})


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("StringEquals", False), ("StringLike", False), ("StringNotEquals", True), ("StringNotLike", True)],
)
def test_unresolvable_variable_in_condition(operator: str, expected: bool) -> None:
    """Variables page: "When you use a variable with no value in the condition element ..., condition operators like
    StringEquals or StringLike do not match ... Inverted condition operators like StringNotEquals or StringNotLike
    do match against a null value"."""
    assert holds({operator: {PREFIX: "${aws:username}"}}, {PREFIX: "alice"}) is expected
    # the unresolved variable is not the literal text either
    assert holds({operator: {PREFIX: "${aws:username}"}}, {PREFIX: "${aws:username}"}) is expected


def test_unresolvable_variable_in_resource() -> None:
    """Variables page: "If a variable that has no value in the authorization context is used as part of the Resource
    or NotResource element of a policy, the resource that includes a policy variable with no value will not match
    any resource."."""
    assert not res_allowed(HOME, "arn:aws:s3:::bucket/alice/x", {})
    assert not res_allowed(HOME, "arn:aws:s3:::bucket/${aws:username}/x", {})
    both = [HOME, "arn:aws:s3:::public/*"]
    assert res_allowed(both, "arn:aws:s3:::public/x", {})  # the other pattern still matches


def test_unresolvable_variable_in_not_resource() -> None:
    """Same quote; consequence (iam-semantics §3.5, synthesis): an unresolved pattern in NotResource excludes
    nothing, so the statement applies to every resource."""
    assert res_allowed(HOME, "arn:aws:s3:::bucket/alice/x", {}, not_resource=True)
    assert not res_allowed(HOME, "arn:aws:s3:::bucket/alice/x", {USERNAME: "alice"}, not_resource=True)
    assert res_allowed(HOME, "arn:aws:s3:::bucket/bob/x", {USERNAME: "alice"}, not_resource=True)


@pytest.mark.parametrize("version", ["2008-10-17", None], ids=["2008-10-17", "no-version"])
def test_variables_are_literal_without_2012_version(version: str | None) -> None:
    """Variables page: "If you don't include the Version element ... variables like ${aws:username} are treated as
    literal strings"; Version page: 2008-10-17 does not support policy variables."""
    ctx = {USERNAME: "alice"}
    assert not res_allowed(HOME, "arn:aws:s3:::bucket/alice/x", ctx, version=version)
    assert res_allowed(HOME, "arn:aws:s3:::bucket/${aws:username}/x", ctx, version=version)
    cond = {"StringEquals": {PREFIX: "${aws:username}"}}
    assert not holds(cond, {PREFIX: "alice", USERNAME: "alice"}, version=version)
    assert holds(cond, {PREFIX: "${aws:username}", USERNAME: "alice"}, version=version)


def test_condition_scoped_to_statement() -> None:
    """A condition limits only its own statement: another unconditioned Allow still applies."""
    c = case(identity=[doc(allow("s3:GetObject", OBJ, condition={"StringEquals": {TEAM: "red"}}),
                           allow("s3:GetObject", OBJ))], context={TEAM: "blue"})
    assert decision(c) == "Allow"
