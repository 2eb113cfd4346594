"""The policy grammar: every form IAM stores is accepted, and every malformed document is refused.

Sources (IAM User Guide):
- Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
- Version: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
- Effect: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
- Sid: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
- Principal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- NotPrincipal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- Action: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- Resource: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- Condition operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- Error code: ``MalformedPolicyDocument`` (400), IAM API Reference, e.g.
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html

``where`` is a JSON path inside the document (``Statement[1].Effect``); the tests check that it names the offending
element without fixing the prefix format beyond that (contract: paths look like ``Statement[1].Effect``).
"""

from __future__ import annotations

import json

import pytest
from strategies import ACCT, FED, OBJ, ROLE, SESSION, USER, X_USER, allow, case, decision, deny, doc

from spec.errors import IamError
from spec.policy import Policy, PolicyKind, parse_policy

# ----------------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------------


def refused(document: dict | str, kind: PolicyKind = PolicyKind.IDENTITY) -> IamError:
    """Parse ``document`` expecting IAM's refusal; return the error for further checks."""
    with pytest.raises(IamError) as info:
        parse_policy(document, kind)
    err = info.value
    assert err.code == "MalformedPolicyDocument", (err.code, err.message)
    assert isinstance(err.message, str) and err.message.strip(), "the refusal must say why"
    return err


def where(err: IamError) -> str:
    assert err.where, f"the refusal must say where: {err.message}"
    return err.where


# ----------------------------------------------------------------------------------------------------------------
# accepted forms
# ----------------------------------------------------------------------------------------------------------------


def test_statement_as_single_object() -> None:
    """Grammar: ``"Statement": statement | [statement, ...]``; a lone statement may be an object."""
    p = parse_policy({"Version": "2012-10-17", "Statement": allow("s3:GetObject", OBJ)})
    assert isinstance(p, Policy)
    assert len(p.statements) == 1
    assert p.kind is PolicyKind.IDENTITY
    assert p.version == "2012-10-17"


def test_statement_as_list() -> None:
    p = parse_policy(doc(allow("s3:GetObject", OBJ), deny("s3:PutObject", OBJ), allow("ec2:*", "*")))
    assert len(p.statements) == 3


@pytest.mark.parametrize("version", ["2012-10-17", "2008-10-17"])
def test_both_versions(version: str) -> None:
    """Version page: the only two values are 2012-10-17 and 2008-10-17."""
    p = parse_policy(doc(allow(), version=version))
    assert p.version == version


def test_no_version() -> None:
    """A document without Version is stored by IAM (variables page: "If you don't include the Version element ...
    variables ... are treated as literal strings"), so it must parse, with no version recorded."""
    p = parse_policy(doc(allow(), version=None))
    assert p.version is None
    assert len(p.statements) == 1


def test_policy_given_as_json_text() -> None:
    """IAM stores documents as JSON text; ``parse_policy`` takes the text as well as the object."""
    text = json.dumps(doc(allow("s3:GetObject", OBJ)), indent=2)
    p = parse_policy(text)
    assert len(p.statements) == 1


def test_id_and_sids_kept() -> None:
    """Grammar: optional ``Id`` on the policy and optional ``Sid`` per statement."""
    d = doc(allow("s3:GetObject", OBJ, sid="ReadOnly", principal="*"), deny("s3:PutObject", OBJ, sid="NoWrite",
                                                                              principal="*"))
    d["Id"] = "bucket-policy-1"
    p = parse_policy(d, PolicyKind.RESOURCE)
    assert p.id == "bucket-policy-1"
    assert len(p.statements) == 2


@pytest.mark.parametrize(
    "statement",
    [
        allow("s3:GetObject", OBJ),
        allow(["s3:GetObject"], [OBJ]),
        allow(["s3:GetObject", "s3:PutObject"], [OBJ, "arn:aws:s3:::bucket"]),
        allow("*", "*"),
        allow(None, "*", not_action="iam:*"),
        allow(None, "*", not_action=["iam:*", "organizations:*"]),
        allow("s3:*", None, not_resource="arn:aws:s3:::secret/*"),
        allow("s3:*", None, not_resource=["arn:aws:s3:::secret/*", "arn:aws:s3:::secret"]),
        allow("iam:*AccessKey*", f"arn:aws:iam::{ACCT}:user/*"),
        allow("s3:Get?bject", OBJ),
        allow("IAM:listaccesskeys", "*"),
        allow("s3:GetObject", OBJ, condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}),
        allow("s3:GetObject", OBJ, condition={"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}),
        allow("s3:GetObject", OBJ, condition={
            "StringLike": {"s3:prefix": ["home/*"]},
            "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]},
            "Bool": {"aws:SecureTransport": "true"},
            "NumericLessThanEquals": {"s3:max-keys": "10"},
            "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
            "Null": {"aws:TokenIssueTime": "false"},
            "ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"},
            "BinaryEquals": {"aws:SomeBinary": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="},
            "StringNotEqualsIfExists": {"aws:RequestTag/env": "prod"},
            "ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]},
            "ForAnyValue:StringLike": {"aws:TagKeys": "t*"},
        }),
    ],
    ids=lambda s: json.dumps(s, sort_keys=True)[:60],
)
def test_statement_forms_accepted(statement: dict) -> None:
    """Grammar: string-or-list values ("If the element takes an array ... but only one value is included, the
    brackets are optional"), Action|NotAction, Resource|NotResource, every condition family."""
    p = parse_policy(doc(statement))
    assert len(p.statements) == 1


@pytest.mark.parametrize(
    "principal",
    [
        "*",
        {"AWS": "*"},
        {"AWS": ACCT},
        {"AWS": f"arn:aws:iam::{ACCT}:root"},
        {"AWS": USER},
        {"AWS": ROLE},
        {"AWS": SESSION},
        {"AWS": FED},
        {"AWS": [USER, X_USER, ACCT]},
        {"Service": "ec2.amazonaws.com"},
        {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
        {"Federated": "cognito-identity.amazonaws.com"},
        {"Federated": f"arn:aws:iam::{ACCT}:saml-provider/ADFS"},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
        {"AWS": USER, "Service": "ec2.amazonaws.com"},
    ],
    ids=lambda p: json.dumps(p)[:60],
)
def test_principal_forms_in_resource_policy(principal: object) -> None:
    """Principal page: "*", account ID or root ARN, user/role/session/federated ARNs, Service, Federated,
    CanonicalUser; a list of values in one key is allowed."""
    p = parse_policy(doc(allow("s3:GetObject", OBJ, principal=principal)), PolicyKind.RESOURCE)
    assert p.kind is PolicyKind.RESOURCE
    assert len(p.statements) == 1


@pytest.mark.parametrize("principal", [{"AWS": [USER, ROLE, ACCT]}, {"AWS": USER}])
def test_not_principal_with_deny_in_resource_policy(principal: object) -> None:
    """NotPrincipal page: with Deny it denies everyone except the listed principals (resource-based policies)."""
    p = parse_policy(doc(deny("s3:*", OBJ, not_principal=principal)), PolicyKind.RESOURCE)
    assert len(p.statements) == 1


@pytest.mark.parametrize(
    "statement",
    [
        allow("sts:AssumeRole", None, principal={"AWS": ACCT}),
        allow("sts:AssumeRole", None, principal={"AWS": USER}),
        allow("sts:AssumeRole", None, principal={"Service": "ec2.amazonaws.com"}),
        allow("sts:AssumeRoleWithSAML", None, principal={"Federated": f"arn:aws:iam::{ACCT}:saml-provider/ADFS"},
              condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}),
        allow(["sts:AssumeRole", "sts:TagSession"], None, principal={"AWS": USER},
              condition={"StringEquals": {"sts:ExternalId": "x-123"}}),
    ],
    ids=lambda s: json.dumps(s.get("Principal"))[:50],
)
def test_trust_policy_forms(statement: dict) -> None:
    """A role trust policy names a Principal and, normally, no Resource (the role it is attached to)."""
    p = parse_policy(doc(statement), PolicyKind.TRUST)
    assert p.kind is PolicyKind.TRUST


@pytest.mark.parametrize(
    ("kind", "document"),
    [
        (PolicyKind.BOUNDARY, doc(allow("s3:*", "*"))),
        (PolicyKind.SESSION, doc(allow("s3:GetObject", OBJ))),
        (PolicyKind.SCP, doc(allow(), deny("organizations:LeaveOrganization", "*"))),
        (PolicyKind.RCP, doc(allow(principal="*"), deny("s3:*", "*", principal="*",
                                                         condition={"Bool": {"aws:SecureTransport": "false"}}))),
        (PolicyKind.VPCE, doc(allow("s3:GetObject", OBJ, principal="*"))),
    ],
    ids=lambda x: getattr(x, "name", ""),
)
def test_every_policy_kind_parses(kind: PolicyKind, document: dict) -> None:
    p = parse_policy(document, kind)
    assert p.kind is kind


def test_single_value_and_single_element_list_mean_the_same() -> None:
    """Grammar: "If the element takes an array ... but only one value is included, the brackets are optional"."""
    as_string = case(identity=[doc(allow("s3:GetObject", OBJ,
                                         condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}))],
                     context={"aws:PrincipalTag/team": "red"})
    as_list = case(identity=[doc(allow(["s3:GetObject"], [OBJ],
                                       condition={"StringEquals": {"aws:PrincipalTag/team": ["red"]}}))],
                   context={"aws:PrincipalTag/team": "red"})
    assert decision(as_string) == "Allow"
    assert decision(as_list) == "Allow"


# ----------------------------------------------------------------------------------------------------------------
# refusals
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("effect", ["allow", "DENY", "Permit", "", None, 1])
def test_bad_effect(effect: object) -> None:
    """Effect page: "Valid values for Effect are Allow and Deny. The Effect value is case sensitive."."""
    bad = {"Effect": effect, "Action": "s3:GetObject", "Resource": "*"}
    err = refused(doc(allow(), bad))
    assert where(err).endswith("Statement[1].Effect")


def test_missing_effect() -> None:
    """Grammar: ``statement = { ..., Effect, ... }`` (Effect is required)."""
    err = refused(doc(allow(), {"Action": "s3:GetObject", "Resource": "*"}))
    assert "Statement[1]" in where(err)


@pytest.mark.parametrize("operator", ["StringEqualsX", "StringEqual", "stringequals", "ForSomeValues:StringEquals",
                                      "NullIfExists", "IpAddressIfExist"])
def test_unknown_condition_operator(operator: str) -> None:
    """Condition operators page lists the only operators; ``IfExists`` applies to all "except the Null condition";
    ForAllValues/ForAnyValue are the only set qualifiers."""
    err = refused(doc(allow("s3:GetObject", OBJ, condition={operator: {"aws:PrincipalTag/team": "red"}})))
    assert "Statement[0].Condition" in where(err)


@pytest.mark.parametrize("element", ["Action", "NotAction"])
@pytest.mark.parametrize("value", ["GetObject", ["s3:GetObject", "GetObject"], "s3GetObject", ":GetObject"])
def test_action_without_service_prefix(element: str, value: object) -> None:
    """Action page: actions are ``service-prefix:action-name`` (``"*"`` alone is the only prefix-less form).
    IAM's own message: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."."""
    s = {"Effect": "Allow", element: value, "Resource": "*"}
    err = refused(doc(s))
    assert f"Statement[0].{element}" in where(err)


@pytest.mark.parametrize("version", ["2012-10-18", "2012-10-17 ", "2024-01-01", "1", ""])
def test_unknown_version(version: str) -> None:
    """Version page: the Version values are 2012-10-17 and 2008-10-17 only."""
    err = refused(doc(allow(), version=version))
    assert where(err).endswith("Version")


@pytest.mark.parametrize("statement", ["Allow everything", 42, True])
def test_statement_not_object_or_list(statement: object) -> None:
    """Grammar: ``Statement = statement | [statement, ...]`` where a statement is a JSON object."""
    err = refused({"Version": "2012-10-17", "Statement": statement})
    assert where(err).endswith("Statement")


def test_statement_list_element_not_object() -> None:
    err = refused({"Version": "2012-10-17", "Statement": [allow(), "oops"]})
    assert "Statement[1]" in where(err)


def test_action_and_not_action_both_present() -> None:
    """Grammar: ``(Action | NotAction)``: one or the other."""
    s = {"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:DeleteBucket", "Resource": "*"}
    err = refused(doc(s))
    assert "Statement[0]" in where(err)


def test_resource_and_not_resource_both_present() -> None:
    """Grammar: ``(Resource | NotResource)``: one or the other."""
    s = {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "NotResource": OBJ}
    err = refused(doc(s))
    assert "Statement[0]" in where(err)


def test_missing_action() -> None:
    err = refused(doc(allow(), {"Effect": "Allow", "Resource": "*"}))
    assert "Statement[1]" in where(err)


def test_missing_resource_in_identity_policy() -> None:
    """Resource page: "Statements must include either a Resource or a NotResource element." (Identity-based
    policies; resource-based policies may omit it, access_policies.html.)"""
    err = refused(doc({"Effect": "Allow", "Action": "s3:GetObject"}))
    assert "Statement[0]" in where(err)


def test_duplicate_sid() -> None:
    """Sid page: "In IAM, the Sid value must be unique within a JSON policy"."""
    err = refused(doc(allow("s3:GetObject", OBJ, sid="Same"), allow("s3:PutObject", OBJ, sid="Same")))
    w = where(err)
    assert "Statement[" in w and "Sid" in w


@pytest.mark.parametrize("sid", ["my-sid", "sid 1", "sid_1", "sid.1", "Ünïcode"])
def test_non_alphanumeric_sid(sid: str) -> None:
    """Sid page: "The Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers
    (0-9)."."""
    err = refused(doc(allow("s3:GetObject", OBJ, sid=sid)))
    assert where(err).endswith("Statement[0].Sid")


@pytest.mark.parametrize("kind", [PolicyKind.IDENTITY, PolicyKind.BOUNDARY])
def test_principal_in_identity_policy(kind: PolicyKind) -> None:
    """Grammar notes: Principal "must not be included in identity-based policies" (IAM: "Policy document should not
    specify a principal.")."""
    err = refused(doc(allow("s3:GetObject", OBJ, principal={"AWS": USER})), kind)
    assert where(err).endswith("Statement[0].Principal")


def test_not_principal_in_identity_policy() -> None:
    """NotPrincipal page: "You cannot use the NotPrincipal element in an IAM identity-based policy"."""
    err = refused(doc(deny("s3:GetObject", OBJ, not_principal={"AWS": USER})))
    assert where(err).endswith("Statement[0].NotPrincipal")


@pytest.mark.parametrize("kind", [PolicyKind.TRUST, PolicyKind.RESOURCE])
def test_missing_principal_in_trust_or_resource_policy(kind: PolicyKind) -> None:
    """Grammar notes: Principal "is required in resource-based policies ... and in trust policies for IAM roles"."""
    if kind is PolicyKind.TRUST:
        good, bad = allow("sts:AssumeRole", None, principal={"AWS": ACCT}), allow("sts:AssumeRole", None)
    else:
        good, bad = allow("s3:GetObject", OBJ, principal="*"), allow("s3:GetObject", OBJ)
    err = refused(doc(good, bad), kind)
    assert "Statement[1]" in where(err)


def test_not_principal_in_trust_policy() -> None:
    """NotPrincipal page: "You cannot use the NotPrincipal element in an IAM identity-based policy or in an IAM role
    trust policy."."""
    err = refused(doc(deny("sts:AssumeRole", None, not_principal={"AWS": USER})), PolicyKind.TRUST)
    assert where(err).endswith("Statement[0].NotPrincipal")


def test_resource_in_trust_policy() -> None:
    """A role trust policy applies to its role; IAM refuses a Resource element in it ("Has prohibited field
    Resource", CreateRole/UpdateAssumeRolePolicy: MalformedPolicyDocument)."""
    err = refused(doc(allow("sts:AssumeRole", ROLE, principal={"AWS": USER})), PolicyKind.TRUST)
    assert where(err).endswith("Statement[0].Resource")


def test_principal_and_not_principal_both_present() -> None:
    """Grammar: ``(Principal | NotPrincipal)?``: at most one of them."""
    s = deny("s3:*", OBJ, principal="*", not_principal={"AWS": USER})
    err = refused(doc(s), PolicyKind.RESOURCE)
    assert "Statement[0]" in where(err)


@pytest.mark.parametrize("text", ["{", "not json", '{"Version": "2012-10-17", "Statement": [}'])
def test_text_that_is_not_json(text: str) -> None:
    """IAM refuses a document that is not JSON with MalformedPolicyDocument ("This policy contains invalid Json")."""
    refused(text)


@pytest.mark.parametrize("document", [[allow()], "[]", 7])
def test_document_not_an_object(document: object) -> None:
    """Grammar: ``policy = { Version?, Id?, Statement }`` - a JSON object."""
    with pytest.raises(IamError) as info:
        parse_policy(document, PolicyKind.IDENTITY)  # type: ignore[arg-type]
    assert info.value.code == "MalformedPolicyDocument"


# ----------------------------------------------------------------------------------------------------------------
# refusals located inside a decision case (contract: the case key prefixes the path)
# ----------------------------------------------------------------------------------------------------------------

BAD = {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}  # case-sensitive Effect


@pytest.mark.parametrize(
    ("overrides", "prefix"),
    [
        ({"identity": [doc(allow()), doc(allow(), BAD)]}, "identity_policies[1]"),
        ({"group": [doc(allow(), BAD)]}, "group_policies[0]"),
        ({"boundary": doc(allow(), BAD)}, "permission_boundary"),
        ({"session": doc(allow(), BAD), "principal": SESSION}, "session_policy"),
        ({"scps": [{"level": "r", "policies": [doc(allow()), doc(allow(), BAD)]}]}, "scps[0]"),
        ({"rcps": [{"level": "r", "policies": [doc(allow(principal="*"), {**BAD, "Principal": "*"})]}]}, "rcps[0]"),
        ({"resource_policy": doc(allow(principal="*"), {**BAD, "Principal": "*"}), "principal": USER},
         "resource_policy"),
        ({"vpce": [doc(allow(principal="*"), {**BAD, "Principal": "*"})], "principal": USER},
         "vpc_endpoint_policies[0]"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_refusal_in_a_case_is_located_by_case_key(overrides: dict, prefix: str) -> None:
    """decision-case format: a malformed policy yields ``error`` with ``MalformedPolicyDocument`` and a path such
    as ``identity_policies[0].Statement[1].Condition``."""
    from spec.decide import answer_case

    c = case(**{"identity": [doc(allow())], **overrides}, id="bad-case")
    out = answer_case(c)
    assert "decision" not in out
    assert out["id"] == "bad-case"
    err = out["error"]
    assert err["code"] == "MalformedPolicyDocument"
    assert err["message"]
    assert err["where"].startswith(prefix), err["where"]
    assert err["where"].endswith("Statement[1].Effect"), err["where"]
