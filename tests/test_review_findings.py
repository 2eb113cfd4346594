"""Review of the policy-evaluation model (spec/*.py) against the AWS documentation: findings and checks.

Every expectation below is written from the AWS page quoted in the test's docstring, never from the model's output.
Tests marked FINDING describe behaviour where the model disagrees with AWS at the time of the review; they are
meant to fail until the model is fixed (they are not xfailed on purpose). The other tests cover rules the review
checked and found right, but that no other test exercised.

Conventions: the cases are decision cases (formats/decision-case.md) built with ``tests/strategies.py`` and answered
through ``spec.decide.answer_case``, as every other tool answers them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from strategies import (
    ACCT,
    FED,
    FULL,
    OBJ,
    OTHER,
    RCP_FULL,
    ROLE,
    ROOT,
    SESSION,
    USER,
    USER_B,
    X_USER,
    allow,
    answer,
    case,
    decision,
    deny,
    doc,
    levels,
)

from spec.decide import answer_case
from spec.errors import IamError
from spec.policy import PolicyKind, parse_policy

DENIALS = ("ImplicitDeny", "ExplicitDeny")
TARGET = f"arn:aws:iam::{ACCT}:role/target"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def refused(document: dict, kind: PolicyKind) -> IamError:
    with pytest.raises(IamError) as info:
        parse_policy(document, kind)
    assert info.value.code == "MalformedPolicyDocument", info.value
    return info.value


def kms(**kw: object) -> dict:
    return case(action="kms:Decrypt", resource=KEY, **kw)  # type: ignore[arg-type]


def assume(trust: dict, action: str = "sts:AssumeRole", **kw: object) -> dict:
    return case(action=action, resource=TARGET, resource_policy=trust, **kw)  # type: ignore[arg-type]


# ================================================================================================================
# FINDING 1 (high): KMS key policies must allow; IAM policies alone grant nothing on a KMS key
# ================================================================================================================


def test_finding_kms_identity_allow_without_key_policy_permission_is_denied() -> None:
    """FINDING. https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html: "Unless the key policy
    explicitly allows it, you cannot use IAM policies to allow access to a KMS key. Without permission from the key
    policy, IAM policies that allow permissions have no effect." Denyallow page step 4: "IAM role trust policies and
    KMS key policies are exceptions to this logic, because they must explicitly allow access for principals."

    Input: alice has ``kms:*`` on ``*``; the key policy grants only bob. AWS: denied. The model allows (it treats a
    key policy like any resource policy, so the identity Allow suffices)."""
    key_policy = doc(allow("kms:*", "*", principal={"AWS": USER_B}))
    assert decision(kms(identity=[FULL], resource_policy=key_policy, principal=USER)) in DENIALS


def test_finding_kms_root_without_key_policy_permission_is_denied() -> None:
    """FINDING. key-policies.html: "No AWS principal, including the account root user or key creator, has any
    permissions to a KMS key unless they are explicitly allowed, and never denied, in a key policy, IAM policy, or
    grant." The root user has no IAM policies, so without the key policy it has nothing.

    Input: root calls kms:Decrypt; the key policy names only bob. AWS: denied. The model: Allow ("root has full
    access")."""
    key_policy = doc(allow("kms:*", "*", principal={"AWS": USER_B}))
    assert decision(kms(resource_policy=key_policy, principal=ROOT)) in DENIALS


def test_kms_key_policy_enabling_iam_policies() -> None:
    """key-policy-default.html: the default statement gives "the AWS account that owns the KMS key permission to use
    IAM policies to allow access"; with it, an identity Allow works, and without an identity Allow a user has
    nothing (the account principal delegates, principal page)."""
    key_policy = doc(allow("kms:*", "*", principal={"AWS": ROOT}))
    assert decision(kms(identity=[FULL], resource_policy=key_policy, principal=USER)) == "Allow"
    assert decision(kms(resource_policy=key_policy, principal=USER)) == "ImplicitDeny"
    assert decision(kms(resource_policy=key_policy, principal=ROOT)) == "Allow"


def test_kms_key_policy_naming_the_user_needs_no_iam_policy() -> None:
    """key-policies.html: "The statements in the key policy determine who has permission to use the KMS key"; a
    principal named in the key policy is allowed without an IAM policy."""
    key_policy = doc(allow("kms:Decrypt", "*", principal={"AWS": USER}))
    assert decision(kms(resource_policy=key_policy, principal=USER)) == "Allow"


def test_kms_iam_deny_applies_without_key_policy_permission() -> None:
    """key-policies.html: "(You can use an IAM policy to deny a permission to a KMS key without permission from a key
    policy.)"."""
    key_policy = doc(allow("kms:*", "*", principal={"AWS": USER}))
    c = kms(identity=[doc(deny("kms:Decrypt", "*"))], resource_policy=key_policy, principal=USER)
    assert answer(c)["decision"] == "ExplicitDeny"


# ================================================================================================================
# FINDING 2 (high): Sid values of resource-based policies are refused unless alphanumeric
# ================================================================================================================

KMS_DEFAULT_POLICY = {  # AWS KMS guide, CloudTrail PutKeyPolicy example (the default key policy)
    "Version": "2012-10-17",
    "Id": "key-default-1",
    "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                   "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*", "Resource": "*"}],
}
SQS_EXAMPLE = {  # Amazon SQS guide, "Basic examples of Amazon SQS policies", example 1
    "Version": "2012-10-17",
    "Id": "Queue1_Policy_UUID",
    "Statement": [{"Sid": "Queue1_SendMessage", "Effect": "Allow", "Principal": {"AWS": ["111122223333"]},
                   "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-2:444455556666:queue1"}],
}


@pytest.mark.parametrize("document", [KMS_DEFAULT_POLICY, SQS_EXAMPLE], ids=["kms-default-key-policy", "sqs-example"])
def test_finding_resource_policy_sids_from_aws_docs_parse(document: dict) -> None:
    """FINDING. The alphanumeric rule is IAM's: reference_policies_elements_sid.html says "In IAM, the Sid value must
    be unique ..." and "Some AWS services (for example, Amazon SQS or Amazon SNS) might require this element and have
    uniqueness requirements for it. For service-specific information ... refer to the documentation for the
    service". AWS's own resource policies use other characters: the KMS default key policy
    (https://docs.aws.amazon.com/kms/latest/developerguide/ct-put-key-policy.html) has ``"Sid" : "Enable IAM User
    Permissions"``; the SQS example
    (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-customer-managed-policy-examples.html)
    has ``"Sid":"Queue1_SendMessage"``. The model refuses both with MalformedPolicyDocument, so every decision case
    holding a default KMS key policy is an error line."""
    p = parse_policy(document, PolicyKind.RESOURCE)
    assert len(p.statements) == 1


def test_finding_default_key_policy_decides() -> None:
    """FINDING (same as above, end to end): a user with ``kms:*`` and the default key policy is allowed
    (key-policy-default.html)."""
    out = answer_case(kms(identity=[FULL], resource_policy=KMS_DEFAULT_POLICY, principal=USER))
    assert out.get("decision") == "Allow", out


# ================================================================================================================
# FINDING 3 (high): NotPrincipal + Deny always denies a principal that has a permissions boundary
# ================================================================================================================


def test_finding_not_principal_deny_always_denies_a_principal_with_a_boundary() -> None:
    """FINDING. https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html (and the NotPrincipal
    page, key points): "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a
    permissions boundary policy attached, regardless of the values specified in the NotPrincipal element."

    Input: bucket policy allows alice and denies everyone except [alice, her account]; alice has ``*`` and a
    boundary allowing ``*``. AWS: ExplicitDeny. The model: Allow (the exemption ignores the boundary)."""
    rp = doc(allow("s3:GetObject", OBJ, principal={"AWS": USER}),
             deny("s3:*", "*", not_principal={"AWS": [USER, ACCT]}))
    assert decision(case(resource_policy=rp, identity=[FULL], principal=USER)) == "Allow"  # control: no boundary
    assert decision(case(resource_policy=rp, identity=[FULL], boundary=FULL, principal=USER)) == "ExplicitDeny"


def test_finding_not_principal_deny_always_denies_a_role_session_with_a_boundary() -> None:
    """FINDING. Same quote, for roles ("IAM users or roles that have a permissions boundary policy attached"): the
    session, its role and the account are all listed, the role has a boundary. AWS: ExplicitDeny."""
    rp = doc(allow("s3:GetObject", OBJ, principal={"AWS": ROLE}),
             deny("s3:*", "*", not_principal={"AWS": [SESSION, ROLE, ACCT]}))
    assert decision(case(resource_policy=rp, identity=[FULL], principal=SESSION)) == "Allow"  # control
    assert decision(case(resource_policy=rp, identity=[FULL], boundary=FULL, principal=SESSION)) == "ExplicitDeny"


# ================================================================================================================
# NotPrincipal with Allow: the pages disagree (not a README decision yet); check only what both readings agree on
# ================================================================================================================


def test_not_principal_with_allow_never_grants_the_listed_principal() -> None:
    """The current NotPrincipal page says "NotPrincipal must be used with "Effect":"Deny". Using it with
    "Effect":"Allow" is not supported."; the 2023 page said it "allows all principals except the one named in the
    NotPrincipal element" (https://github.com/awsdocs/iam-user-guide, reference_policies_elements_notprincipal.md).
    The model follows the 2023 reading (it grants everyone else, anonymous included) without saying so in the
    README's decisions table. Both readings agree that the listed principal gets nothing from the statement."""
    rp = doc(allow("s3:GetObject", OBJ, not_principal={"AWS": [USER_B, ACCT]}))
    assert decision(case(resource_policy=rp, principal=USER_B)) == "ImplicitDeny"


# ================================================================================================================
# FINDING 3b (low): NotPrincipal in RCPs
# ================================================================================================================


def test_finding_not_principal_is_not_supported_in_rcps() -> None:
    """FINDING (low). NotPrincipal page, key points: "Service control policies (SCPs) and resource control policies
    (RCPs) do not support the NotPrincipal element." The model refuses Principal/NotPrincipal in SCPs but accepts
    NotPrincipal in an RCP."""
    refused(doc(deny("s3:*", "*", not_principal={"AWS": ACCT})), PolicyKind.RCP)


def test_not_principal_is_refused_in_scps() -> None:
    """NotPrincipal page: SCPs "do not support the NotPrincipal element"."""
    refused(doc(allow(), deny("s3:*", "*", not_principal={"AWS": ACCT})), PolicyKind.SCP)


# ================================================================================================================
# FINDING 4 (medium): who may call AssumeRole (federated-user sessions, anonymous callers)
# ================================================================================================================


def test_finding_federated_user_session_cannot_assume_a_role() -> None:
    """FINDING. https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html: "You must use credentials for
    an IAM user or an IAM role to call AssumeRole."; GetFederationToken credentials "cannot call any STS operations
    except GetCallerIdentity" (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html,
    iam-semantics §5.1 and invariant 9).

    Input: a GetFederationToken session calls sts:AssumeRole; the trust policy names its ARN (or the account, with
    identity and session policies allowing everything). AWS: denied. The model: Allow."""
    assert decision(assume(doc(allow("sts:AssumeRole", None, principal={"AWS": FED})), principal=FED)) in DENIALS
    by_account = assume(doc(allow("sts:AssumeRole", None, principal={"AWS": ACCT})), identity=[FULL], session=FULL,
                        principal=FED)
    assert decision(by_account) in DENIALS


def test_finding_anonymous_caller_cannot_assume_a_role() -> None:
    """FINDING. API_AssumeRole.html: "You must use credentials for an IAM user or an IAM role to call AssumeRole."
    An unsigned (anonymous) request has no credentials.

    Input: trust policy ``Principal: "*"``, caller anonymous. AWS: the call fails. The model: Allow."""
    assert decision(assume(doc(allow("sts:AssumeRole", None, principal="*")), principal="anonymous")) in DENIALS


def test_finding_federated_trust_principal_names_the_identity_provider() -> None:
    """FINDING (missing rule; the decision-case format has no caller kind for an identity provider). Principal page
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity):
    a trust policy names a web identity provider with ``"Principal": {"Federated": "cognito-identity.amazonaws.com"}``
    and allows ``sts:AssumeRoleWithWebIdentity``; for those calls "no policies to evaluate because the caller of the
    API isn't an AWS identity" (id_credentials_temp_control-access_assumerole.html). The model parses ``Federated``
    but never matches it against any caller, so such a trust policy allows nobody."""
    trust = doc(allow("sts:AssumeRoleWithWebIdentity", None, principal={"Federated": "cognito-identity.amazonaws.com"}))
    c = assume(trust, action="sts:AssumeRoleWithWebIdentity", principal="cognito-identity.amazonaws.com")
    assert decision(c) == "Allow"


# ================================================================================================================
# FINDING 5 (medium): principals in partitions other than "aws"
# ================================================================================================================

CN_ACCT_ROOT = f"arn:aws-cn:iam::{ACCT}:root"
CN_USER = f"arn:aws-cn:iam::{ACCT}:user/alice"
CN_OBJ = "arn:aws-cn:s3:::bucket/key"


def test_finding_account_principal_in_aws_cn_names_its_users() -> None:
    """FINDING. Principal page: naming the account ARN "delegates authority to the account ... does not limit
    permissions to only the root user"; ARNs carry their partition
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns, e.g. ``aws-cn``).

    Input: in the China partition, a bucket policy denies ``{"AWS": "arn:aws-cn:iam::111122223333:root"}``; alice of
    that account has ``*``. AWS: ExplicitDeny (the Deny names her account). The model: Allow, because it builds the
    account ARN as ``arn:aws:iam::ACCOUNT:root`` whatever the caller's partition (principals.grant_for)."""
    rp = doc(allow("s3:GetObject", CN_OBJ, principal={"AWS": CN_USER}),
             deny("s3:GetObject", CN_OBJ, principal={"AWS": CN_ACCT_ROOT}))
    assert decision(case(resource_policy=rp, identity=[FULL], principal=CN_USER, resource=CN_OBJ)) == "ExplicitDeny"


def test_finding_cross_account_grant_in_aws_cn() -> None:
    """FINDING. Cross-account page: access needs the identity policy and the resource policy to allow; the resource
    policy names the caller's account by its aws-cn root ARN. AWS: Allow. The model: ImplicitDeny (by resource)."""
    caller = "arn:aws-cn:iam::444455556666:user/xavier"
    rp = doc(allow("s3:GetObject", CN_OBJ, principal={"AWS": "arn:aws-cn:iam::444455556666:root"}))
    c = case(resource_policy=rp, identity=[FULL], principal=caller, resource=CN_OBJ, resource_account=ACCT)
    assert decision(c) == "Allow"


# ================================================================================================================
# FINDING 6 (low): escapes and substituted values in ArnLike/ArnEquals are treated as wildcards
# ================================================================================================================


@pytest.mark.parametrize("operator", ["ArnLike", "ArnEquals"])
def test_finding_escape_variables_are_literal_in_arn_operators(operator: str) -> None:
    """FINDING. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html: ``${*}``,
    ``${?}`` and ``${$}`` stand for the literal characters (the page lists them as "special characters" to use "when
    you need to use a literal character that otherwise has special meaning"). The model keeps them literal in
    Resource and StringLike, but in ArnLike/ArnEquals it joins the resolved text and compiles it as a pattern, so
    ``topic${?}`` matches ``topicX``.

    Expected: ``topic${?}`` matches the ARN ending ``topic?`` only."""
    pattern = f"arn:aws:sns:us-east-1:{ACCT}:topic${{?}}"

    def holds(value: str) -> bool:
        c = case(identity=[doc(allow("s3:GetObject", "*", condition={operator: {"aws:SourceArn": pattern}}))],
                 context={"aws:SourceArn": value})
        return decision(c) == "Allow"

    assert holds(f"arn:aws:sns:us-east-1:{ACCT}:topic?")
    assert not holds(f"arn:aws:sns:us-east-1:{ACCT}:topicX")


# ================================================================================================================
# FINDING 7 (low): sessions of service-linked roles are still held to SCPs
# ================================================================================================================


def test_finding_service_linked_role_session_not_subject_to_scps() -> None:
    """FINDING (moderate confidence). Organizations SCP page: "SCPs do not affect service-linked roles" (the model
    implements it for a caller given as the role ARN under ``/aws-service-role/``). A service-linked role acts
    through sessions whose ARN is ``arn:aws:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION`` (principal page, role
    sessions) and carries no path; service-linked role names carry the service-provided prefix
    (``AWSServiceRoleFor...``, API_CreateServiceLinkedRole.html: CustomSuffix "is combined with the service-provided
    prefix to form the complete role name"). The model applies a deny-all SCP to such a session."""
    slr_session = f"arn:aws:sts::{ACCT}:assumed-role/AWSServiceRoleForElasticBeanstalk/session"
    deny_all = levels([FULL, doc(deny())])
    assert decision(case(identity=[FULL], scps=deny_all, principal=slr_session)) == "Allow"


# ================================================================================================================
# FINDING 8 (low): date values in the W3C year-month form
# ================================================================================================================


def test_finding_w3c_year_month_date() -> None:
    """FINDING (low). Operators page: date values use "W3C implementations of the ISO 8601 date formats" (the model's
    own docstring, operators.parse_date); the W3C profile (https://www.w3.org/TR/NOTE-datetime) lists "Year and month:
    YYYY-MM (eg 1997-07)". The model reads ``2020-06`` as no date, so the condition never holds."""
    c = case(identity=[doc(allow("s3:GetObject", "*", condition={"DateGreaterThan": {"aws:CurrentTime": "2020-06"}}))],
             context={"aws:CurrentTime": "2021-06-01T00:00:00Z"})
    assert decision(c) == "Allow"


def test_w3c_hours_and_minutes_date() -> None:
    """W3C profile: "Complete date plus hours and minutes: YYYY-MM-DDThh:mmTZD"."""
    c = case(identity=[doc(allow("s3:GetObject", "*", condition={
        "DateLessThan": {"aws:CurrentTime": "2020-01-01T10:30Z"}}))], context={"aws:CurrentTime": "2020-01-01T10:29:59Z"})
    assert decision(c) == "Allow"


# ================================================================================================================
# FINDING 9 (low): a request value that is an empty string is a null data set for the set operators
# ================================================================================================================


def test_finding_for_all_values_with_empty_string_is_true() -> None:
    """FINDING (low). Multi-value page (2023 copy, iam-semantics §3.3): ForAllValues "also returns true if there are
    no keys in the request, or if the key values resolve to a null data set, such as an empty string"."""
    c = case(identity=[doc(allow("s3:GetObject", "*", condition={
        "ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}))], context={"aws:TagKeys": ""})
    assert decision(c) == "Allow"


def test_finding_for_any_value_with_empty_string_is_false() -> None:
    """FINDING (low). Multi-value page: ForAnyValue: "For no matching key or a null dataset, the condition returns
    false." With a negated base operator the model answers true for the empty string."""
    c = case(identity=[doc(allow("s3:GetObject", "*", condition={
        "ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}))], context={"aws:TagKeys": ""})
    assert decision(c) == "ImplicitDeny"


# ================================================================================================================
# FINDING 10 (low): a group ARN is accepted as a principal by the policy grammar
# ================================================================================================================


@pytest.mark.parametrize("kind", [PolicyKind.TRUST, PolicyKind.RESOURCE])
def test_finding_group_is_never_a_principal(kind: PolicyKind) -> None:
    """FINDING (low). https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html: "You cannot identify a user
    group as a Principal in a policy". spec/identity refuses it ("Invalid principal in policy"), but the grammar
    (spec.policy / spec.principals.parse_principal) accepts it, so ``iamspec decide`` answers such a case."""
    group = {"AWS": f"arn:aws:iam::{ACCT}:group/developers"}
    statement = (allow("sts:AssumeRole", None, principal=group) if kind is PolicyKind.TRUST
                 else allow("s3:GetObject", OBJ, principal=group))
    refused(doc(statement), kind)


# ================================================================================================================
# FINDING 12 (medium): a principal string of no known form is taken for a service principal
# ================================================================================================================


@pytest.mark.parametrize("principal", [
    "alice",
    f"arn:aws:iam::{ACCT}:User/alice",
    f"arn:aws:iam::{ACCT}:group/devs",
    f"arn:aws:sts::{ACCT}:assumed-role/app",
    "arn:aws:iam::1111:user/alice",
])
def test_finding_malformed_principal_is_refused_not_taken_for_a_service(principal: str) -> None:
    """FINDING. formats/decision-case.md lists the caller forms (user or role ARN, session ARN
    ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``, federated-user ARN, root ARN, a service principal such as
    ``lambda.amazonaws.com``, or ``"anonymous"``); the house rule is that bad input gets a clear error with AWS's code.
    Groups never make requests ("groups relate to permissions, not authentication",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html), and a session ARN has a session name
    (principal page, role sessions).

    spec.principals.parse_caller turns any string it does not recognise into a *service* caller, which is exempt
    from SCPs and identity policies: with a deny-all SCP and a ``Principal: "*"`` bucket policy, each of these typos
    is answered Allow. Expected: an error line (``ValidationError`` at ``request.principal``)."""
    c = case(identity=[FULL], scps=levels([doc(deny())]), resource_policy=doc(allow(principal="*")),
             principal=principal)
    out = answer_case(c)
    assert "decision" not in out, out
    assert out["error"]["code"] == "ValidationError", out


# ================================================================================================================
# FINDING 11 (low): decide echoes the id differently on decisions and on errors
# ================================================================================================================


def test_finding_answer_id_is_the_same_string_on_errors_and_decisions() -> None:
    """FINDING (low). formats/decision-case.md: ``id`` is a string, and every answer line carries the case's id. A
    numeric id comes back as the string ``"5"`` on a decision but as the number ``5`` on an error line."""
    good = case(identity=[FULL])
    good["id"] = 5
    bad = dict(good, request=None)
    assert answer_case(good)["id"] == answer_case(bad)["id"]


# ================================================================================================================
# Checked and right (not covered elsewhere)
# ================================================================================================================

CORPUS = Path(__file__).resolve().parents[1] / "harness" / "data" / "managed-policy-versions.jsonl.gz"  # copy of the shared corpus


@pytest.mark.skipif(not CORPUS.exists(), reason="managed-policy corpus not present")
def test_every_historical_aws_managed_policy_version_parses_as_identity_policy() -> None:
    """Every one of the 6,194 historical versions of AWS managed policies was stored by IAM (outside oracle: IAM
    accepted them), so each must parse as an identity policy. At the start of the review one was refused
    (AmazonEC2SpotFleetTaggingRole v1, condition key ``PassedToService`` without a service prefix); fixed in
    ac5d653."""
    refusals = []
    count = 0
    with gzip.open(CORPUS, "rt") as f:
        for line in f:
            record = json.loads(line)
            count += 1
            try:
                parse_policy(record["document"], PolicyKind.IDENTITY)
            except IamError as err:
                refusals.append((record["name"], record["version"], err.message, err.where))
    assert count == 6194
    assert refusals == []


def test_condition_key_without_service_prefix_is_accepted() -> None:
    """AmazonEC2SpotFleetTaggingRole v1 (stored by IAM in 2017) uses ``"StringEquals": {"PassedToService":
    "ec2.amazonaws.com"}``; the grammar's ``<condition_key_string>`` is a plain string
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)."""
    p = parse_policy(doc(allow("iam:PassRole", "*", condition={"StringEquals": {"PassedToService": "ec2.amazonaws.com"}})),
                     PolicyKind.IDENTITY)
    assert len(p.statements) == 1


def test_self_assumption_needs_the_trust_policy() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_roles.html: "To allow users to assume the current
    role again within a role session, specify the role ARN or AWS account ARN as a principal in the role trust
    policy." Self-trust is not implicit: an identity Allow alone does not let a session re-assume its role."""
    own_role = f"arn:aws:iam::{ACCT}:role/app"  # SESSION is a session of role "app"

    def again(trust_principal: object, **kw: object) -> str:
        trust = doc(allow("sts:AssumeRole", None, principal=trust_principal))
        return decision(case(action="sts:AssumeRole", resource=own_role, resource_policy=trust, principal=SESSION,
                             **kw))  # type: ignore[arg-type]

    assert again({"AWS": USER_B}, identity=[doc(allow("sts:AssumeRole", own_role))]) == "ImplicitDeny"
    assert again({"AWS": ROLE}) == "Allow"
    assert again({"AWS": ACCT}) == "ImplicitDeny"  # the account delegates: an identity Allow is needed
    assert again({"AWS": ACCT}, identity=[doc(allow("sts:AssumeRole", own_role))]) == "Allow"


def test_cross_account_trust_naming_the_role_still_needs_identity_allow() -> None:
    """API_AssumeRole.html: "A user who wants to access a role in a different account must also have permissions that
    are delegated from the account administrator" - also when the trust names the caller's role."""
    other_role = f"arn:aws:iam::{OTHER}:role/app"
    caller = f"arn:aws:sts::{OTHER}:assumed-role/app/s"
    trust = doc(allow("sts:AssumeRole", None, principal={"AWS": other_role}))
    assert decision(assume(trust, principal=caller, resource_account=ACCT)) == "ImplicitDeny"
    assert decision(assume(trust, identity=[doc(allow("sts:AssumeRole", TARGET))], principal=caller,
                           resource_account=ACCT)) == "Allow"


def test_root_of_another_account_cannot_assume_a_role() -> None:
    """Switch-role API page: "You cannot assume a role when you are signed in as the AWS account root user." - also
    across accounts, whatever the trust policy names."""
    x_root = f"arn:aws:iam::{OTHER}:root"
    trust = doc(allow("sts:AssumeRole", None, principal={"AWS": OTHER}))
    assert decision(assume(trust, principal=x_root, resource_account=ACCT)) in DENIALS


def test_scps_do_not_restrict_service_principals() -> None:
    """https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html: SCPs "affect only
    IAM users and roles that are managed by accounts that are part of the organization" (and the root user); a
    service principal named in a resource policy is not one of them."""
    rp = doc(allow("s3:PutObject", OBJ, principal={"Service": "cloudtrail.amazonaws.com"}))
    c = case(resource_policy=rp, scps=levels([FULL, doc(deny())]), action="s3:PutObject",
             principal="cloudtrail.amazonaws.com")
    assert decision(c) == "Allow"


def test_rcps_do_restrict_service_principals() -> None:
    """https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html gives RCPs that require
    "AWS service principals" to act only for the organization: an RCP Deny applies to a service principal."""
    rp = doc(allow("s3:PutObject", OBJ, principal={"Service": "cloudtrail.amazonaws.com"}))
    rcps = levels([RCP_FULL, doc(deny("s3:*", "*", principal="*"))])
    c = case(resource_policy=rp, rcps=rcps, action="s3:PutObject", principal="cloudtrail.amazonaws.com")
    assert answer(c)["decision"] == "ExplicitDeny"


def test_service_principal_is_case_sensitive() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html: "Do not try to guess the
    service principal, because it is case-sensitive"."""
    trust = doc(allow("sts:AssumeRole", None, principal={"Service": "EC2.amazonaws.com"}))
    assert decision(assume(trust, principal="ec2.amazonaws.com")) == "ImplicitDeny"
    trust = doc(allow("sts:AssumeRole", None, principal={"Service": "ec2.amazonaws.com"}))
    assert decision(assume(trust, principal="ec2.amazonaws.com")) == "Allow"


def test_multivalued_key_cannot_be_a_variable() -> None:
    """Variables page: "You can use any single-valued condition key as a variable. You can't use a multivalued
    condition key as a variable." Such a variable has no value: a positive condition does not match and a Resource
    holding it matches nothing ("the resource that includes a policy variable with no value will not match any
    resource")."""
    ctx = {"aws:TagKeys": ["env"], "s3:prefix": "env"}
    cond = case(identity=[doc(allow("s3:GetObject", "*", condition={"StringEquals": {"s3:prefix": "${aws:TagKeys}"}}))],
                context=ctx)
    assert decision(cond) == "ImplicitDeny"
    res = case(identity=[doc(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:TagKeys}"))],
               resource="arn:aws:s3:::bucket/env", context=ctx)
    assert decision(res) == "ImplicitDeny"


def test_cross_account_session_needs_both_sides_even_when_named() -> None:
    """Cross-account page: both evaluations must allow; "Permissions granted directly to a session are not limited
    by an implicit deny ..." is a same-account rule (boundaries page: "Within the same account ...")."""
    x_session = f"arn:aws:sts::{OTHER}:assumed-role/app/s"
    rp = doc(allow("s3:GetObject", OBJ, principal={"AWS": x_session}))
    assert decision(case(resource_policy=rp, principal=x_session, resource_account=ACCT)) == "ImplicitDeny"
    assert decision(case(resource_policy=rp, identity=[FULL], principal=x_session, resource_account=ACCT)) == "Allow"


def test_cross_account_user_named_ignores_same_account_shortcut() -> None:
    """Cross-account page: "the requester in the trusted AccountA must have an identity-based policy" - naming the
    user ARN does not waive it, and the requester's boundary still applies."""
    rp = doc(allow("s3:GetObject", OBJ, principal={"AWS": X_USER}))
    assert decision(case(resource_policy=rp, boundary=FULL, principal=X_USER, resource_account=ACCT)) == "ImplicitDeny"
