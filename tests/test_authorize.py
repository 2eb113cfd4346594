"""Policy evaluation logic (iam-semantics §4-5) through ``answer_case`` with decision cases.

Sources:
- Evaluation steps: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
  "By default, all requests are implicitly denied with the exception of the AWS account root user, which has full
  access. ... An explicit deny overrides an explicit allow."; "If the enforcement code finds even one explicit deny
  that applies, the code returns a final decision of Deny."
- Boundaries: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
- Session policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session and
  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
- SCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html and
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
- RCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
- VPC endpoint policies: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
- Principal element: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- Cross-account: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
- Trust policies: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html and
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
- Root: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html
- Federated users: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html

Where AWS calls a missing SCP/RCP Allow "explicitly denied, even if the denial is implicit", the tests only require
a denial (``ImplicitDeny`` or ``ExplicitDeny``) and the deciding kind in ``by``.
"""

from __future__ import annotations

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
    SLR,
    USER,
    USER_B,
    X_ROOT,
    X_USER,
    allow,
    answer,
    by,
    case,
    decision,
    deny,
    doc,
    levels,
)

DENIALS = ("ImplicitDeny", "ExplicitDeny")
TARGET = f"arn:aws:iam::{ACCT}:role/target"
GET = doc(allow("s3:GetObject", "*"))
PUT_ONLY = doc(allow("s3:PutObject", "*"))


def denied_by(c: dict, kind: str, explicit: bool | None = None) -> None:
    """Assert a denial of case ``c`` that names ``kind`` in ``by``."""
    out = answer(c)
    assert out["decision"] in DENIALS, out
    if explicit is True:
        assert out["decision"] == "ExplicitDeny", out
    if explicit is False:
        assert out["decision"] == "ImplicitDeny", out
    assert kind in (out.get("by") or []), out


def bucket_policy(*statements: dict) -> dict:
    return doc(*statements)


def grant(principal: object, action: str = "s3:GetObject", resource: str = OBJ) -> dict:
    return allow(action, resource, principal=principal)


# ----------------------------------------------------------------------------------------------------------------
# default deny and explicit deny
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", [USER, SESSION, None])
def test_default_deny(principal: str | None) -> None:
    """"By default, all requests are implicitly denied" (denyallow page)."""
    assert decision(case(principal=principal)) == "ImplicitDeny"


def test_identity_allow() -> None:
    assert decision(case(identity=[GET], principal=USER)) == "Allow"


def test_group_policies_count_like_identity_policies() -> None:
    """Evaluation page: identity-based policies of a user include the policies of all its groups."""
    assert decision(case(group=[GET], principal=USER)) == "Allow"
    denied_by(case(identity=[FULL], group=[doc(deny("s3:GetObject", "*"))], principal=USER), "identity", True)


DENY_GET = deny("s3:GetObject", "*")
DENY_GET_P = deny("s3:GetObject", "*", principal="*")


@pytest.mark.parametrize(
    ("overrides", "kind"),
    [
        ({"identity": [doc(allow(), DENY_GET)]}, "identity"),
        ({"identity": [FULL, doc(DENY_GET)]}, "identity"),
        ({"group": [doc(DENY_GET)]}, "identity"),
        ({"boundary": doc(allow(), DENY_GET)}, "boundary"),
        ({"session": doc(allow(), DENY_GET), "principal": SESSION}, "session"),
        ({"resource_policy": bucket_policy(grant({"AWS": USER}), deny("s3:GetObject", OBJ, principal={"AWS": USER}))},
         "resource"),
        ({"resource_policy": bucket_policy(DENY_GET_P)}, "resource"),
        ({"scps": levels([FULL, doc(DENY_GET)])}, "scp"),
        ({"scps": levels([FULL], [FULL, doc(DENY_GET)])}, "scp"),
        ({"rcps": levels([RCP_FULL, doc(DENY_GET_P)])}, "rcp"),
        ({"vpce": [doc(allow(principal="*"), DENY_GET_P)]}, "vpce"),
    ],
    ids=["identity", "identity-other-policy", "group", "boundary", "session", "resource-named", "resource-star",
         "scp-root-level", "scp-lower-level", "rcp", "vpce"],
)
def test_explicit_deny_wins_in_every_policy_kind(overrides: dict, kind: str) -> None:
    """Denyallow page step 1: an applicable Deny in any SCP, RCP, resource-based, identity-based, boundary or
    session policy gives a final Deny, whatever allows exist."""
    base = {"identity": [FULL], "principal": USER, "resource_policy": bucket_policy(grant({"AWS": USER}))}
    c = case(**{**base, **overrides})
    denied_by(c, kind, explicit=True)


# ----------------------------------------------------------------------------------------------------------------
# permissions boundary
# ----------------------------------------------------------------------------------------------------------------


def test_boundary_limits_identity_grants() -> None:
    """Boundaries page: the effective permissions are the intersection of identity-based policies and the
    boundary; denyallow step: boundary present and not allowing -> implicit deny."""
    denied_by(case(identity=[FULL], boundary=PUT_ONLY, principal=USER), "boundary", explicit=False)
    denied_by(case(group=[FULL], boundary=PUT_ONLY, principal=USER), "boundary", explicit=False)
    assert decision(case(identity=[FULL], boundary=GET, principal=USER)) == "Allow"


def test_boundary_alone_grants_nothing() -> None:
    """Boundaries page: a boundary "limits the user's permissions but does not provide permissions on its own"."""
    assert decision(case(boundary=FULL, principal=USER)) == "ImplicitDeny"


def test_boundary_of_a_role_session() -> None:
    """For a session the role's boundary applies (boundaries page, "session policies" section)."""
    denied_by(case(identity=[FULL], boundary=PUT_ONLY, principal=SESSION), "boundary")


# ----------------------------------------------------------------------------------------------------------------
# session policies
# ----------------------------------------------------------------------------------------------------------------


def test_session_policy_limits_role_session() -> None:
    """access_policies.html#policies_session: the session's permissions are "the intersection of the session
    policies and the identity-based policies"."""
    denied_by(case(identity=[FULL], session=PUT_ONLY, principal=SESSION), "session", explicit=False)
    assert decision(case(identity=[FULL], session=GET, principal=SESSION)) == "Allow"


def test_role_session_without_session_policy() -> None:
    """Denyallow step 7: "If there is no session policy, the code checks whether the principal is a role session.
    If the principal is a role session, then the request is Allowed."."""
    assert decision(case(identity=[GET], principal=SESSION)) == "Allow"


def test_session_policy_alone_grants_nothing() -> None:
    """AssumeRole API: session policies "cannot be used to grant more permissions than those allowed by the
    identity-based policy of the role that is being assumed"."""
    assert decision(case(session=FULL, principal=SESSION)) == "ImplicitDeny"


def test_session_and_boundary_both_apply() -> None:
    denied_by(case(identity=[FULL], session=GET, boundary=PUT_ONLY, principal=SESSION), "boundary")
    denied_by(case(identity=[FULL], session=PUT_ONLY, boundary=GET, principal=SESSION), "session")
    assert decision(case(identity=[FULL], session=GET, boundary=GET, principal=SESSION)) == "Allow"


# ----------------------------------------------------------------------------------------------------------------
# SCPs
# ----------------------------------------------------------------------------------------------------------------


def test_scp_every_level_needs_an_allow() -> None:
    """SCP evaluation page: an explicit Allow is needed at every level from the root through each OU to the
    account; "If the enforcement code does not find any applicable Allow statements in the SCPs, the request is
    explicitly denied, even if the denial is implicit."."""
    tree = levels([FULL], [FULL], [doc(allow("s3:*", "*"))])
    assert decision(case(identity=[FULL], scps=tree, principal=USER)) == "Allow"
    denied_by(case(identity=[FULL], scps=tree, principal=USER, action="ec2:RunInstances", resource="*"), "scp")
    middle = levels([FULL], [doc(allow("ec2:*", "*"))], [FULL])
    denied_by(case(identity=[FULL], scps=middle, principal=USER), "scp")


def test_scp_one_policy_per_level_suffices() -> None:
    """"A request must be allowed by at least one policy at every level" (decision-case format, after the SCP
    evaluation page)."""
    tree = levels([doc(allow("s3:Get*", "*")), doc(allow("s3:Put*", "*"))])
    assert decision(case(identity=[FULL], scps=tree, principal=USER)) == "Allow"
    assert decision(case(identity=[FULL], scps=tree, principal=USER, action="s3:PutObject")) == "Allow"
    denied_by(case(identity=[FULL], scps=tree, principal=USER, action="s3:DeleteObject"), "scp")


def test_scp_empty_level_allows_nothing() -> None:
    """SCP evaluation page: removing FullAWSAccess at a level without a replacement blocks everything below."""
    denied_by(case(identity=[FULL], scps=levels([FULL], []), principal=USER), "scp")


def test_no_organization() -> None:
    """Decision-case format: ``scps`` null or ``[]`` = the account is in no organization."""
    assert decision(case(identity=[FULL], scps=[], principal=USER)) == "Allow"
    assert decision(case(identity=[FULL], scps=None, principal=USER)) == "Allow"


def test_scp_never_grants() -> None:
    """SCP pages: SCPs "don't directly grant access"."""
    assert decision(case(scps=levels([FULL]), principal=USER)) == "ImplicitDeny"


def test_scp_limits_resource_policy_grants() -> None:
    """SCP page: "identity-based and resource-based policies grant permissions to entities only if those policies
    and the SCP allow the action"."""
    c = case(resource_policy=bucket_policy(grant({"AWS": USER})), scps=levels([doc(allow("ec2:*", "*"))]),
             principal=USER)
    denied_by(c, "scp")


def test_service_linked_role_not_subject_to_scps() -> None:
    """Organizations SCP page: SCPs do not affect service-linked roles (roles under the path
    ``/aws-service-role/``); other policies still apply."""
    deny_all = levels([FULL, doc(deny())])
    assert decision(case(identity=[FULL], scps=deny_all, principal=SLR)) == "Allow"
    assert decision(case(identity=[FULL], scps=levels([]), principal=SLR)) == "Allow"
    assert decision(case(identity=[FULL], scps=levels([doc(allow("ec2:*", "*"))]), principal=SLR)) == "Allow"
    denied_by(case(identity=[doc(allow(), DENY_GET)], scps=deny_all, principal=SLR), "identity", explicit=True)
    # the same SCP does bind an ordinary role
    denied_by(case(identity=[FULL], scps=deny_all, principal=ROLE), "scp", explicit=True)


# ----------------------------------------------------------------------------------------------------------------
# RCPs and VPC endpoint policies
# ----------------------------------------------------------------------------------------------------------------


def test_rcp_every_level_needs_an_allow() -> None:
    """RCP evaluation page: if no applicable Allow in the RCPs -> Deny; any RCP on the path root->OU->account can
    deny; "No permissions are granted by an RCP"."""
    tree = levels([RCP_FULL], [doc(allow("ec2:*", "*", principal="*"))])
    denied_by(case(identity=[FULL], rcps=tree, principal=USER), "rcp")
    denied_by(case(identity=[FULL], rcps=levels([RCP_FULL], []), principal=USER), "rcp")
    assert decision(case(identity=[FULL], rcps=levels([RCP_FULL], [RCP_FULL]), principal=USER)) == "Allow"
    assert decision(case(identity=[FULL], rcps=[], principal=USER)) == "Allow"
    assert decision(case(rcps=levels([RCP_FULL]), principal=USER)) == "ImplicitDeny"


def test_vpc_endpoint_policy() -> None:
    """PrivateLink page: the endpoint policy controls access through the endpoint; it does not grant on its own
    ("An endpoint policy does not override or replace identity-based policies or resource-based policies")."""
    denied_by(case(identity=[FULL], vpce=[doc(allow("s3:PutObject", "*", principal="*"))], principal=USER), "vpce")
    assert decision(case(identity=[FULL], vpce=[doc(allow("s3:GetObject", "*", principal="*"))],
                         principal=USER)) == "Allow"
    assert decision(case(vpce=[doc(allow(principal="*"))], principal=USER)) == "ImplicitDeny"


# ----------------------------------------------------------------------------------------------------------------
# root
# ----------------------------------------------------------------------------------------------------------------


def test_root_has_full_access() -> None:
    """Denyallow page: "with the exception of the AWS account root user, which has full access"."""
    assert decision(case(principal=ROOT)) == "Allow"
    assert decision(case(principal=ROOT, action="iam:CreateUser", resource=f"arn:aws:iam::{ACCT}:user/x")) == "Allow"


def test_root_explicit_deny_applies() -> None:
    denied_by(case(principal=ROOT, resource_policy=bucket_policy(DENY_GET_P)), "resource", explicit=True)
    denied_by(case(principal=ROOT, resource_policy=bucket_policy(deny("s3:*", "*", principal={"AWS": ACCT}))),
              "resource", explicit=True)


def test_root_subject_to_scps() -> None:
    """access_policies.html#access_policies-root: "If that account is a member of an organization ... the root user
    is affected by any SCPs"."""
    denied_by(case(principal=ROOT, scps=levels([doc(allow("ec2:*", "*"))])), "scp")
    denied_by(case(principal=ROOT, scps=levels([FULL, doc(DENY_GET)])), "scp", explicit=True)
    assert decision(case(principal=ROOT, scps=levels([FULL]))) == "Allow"


# ----------------------------------------------------------------------------------------------------------------
# same-account resource-based policies (iam-semantics §4.3)
# ----------------------------------------------------------------------------------------------------------------


def test_user_arn_named_needs_nothing_else() -> None:
    """Boundaries page: "Within the same account, resource-based policies that grant permissions to an IAM user ARN
    (that is not a federated user session) are not limited by an implicit deny in an identity-based policy or
    permissions boundary."."""
    rp = bucket_policy(grant({"AWS": USER}))
    assert decision(case(resource_policy=rp, principal=USER)) == "Allow"
    assert decision(case(resource_policy=rp, boundary=PUT_ONLY, principal=USER)) == "Allow"
    assert decision(case(resource_policy=rp, principal=USER_B)) == "ImplicitDeny"  # names someone else


def test_role_arn_named_is_limited_by_boundary_and_session_policy() -> None:
    """Boundaries page: "Resource-based policies that grant permissions to an IAM role ARN are limited by an
    implicit deny in a permissions boundary or session policy." (The identity policy is not needed: iam-semantics
    §4.3 note 1, benkehoe/permissions-boundary-test.)"""
    rp = bucket_policy(grant({"AWS": ROLE}))
    assert decision(case(resource_policy=rp, principal=SESSION)) == "Allow"
    denied_by(case(resource_policy=rp, boundary=PUT_ONLY, principal=SESSION), "boundary", explicit=False)
    denied_by(case(resource_policy=rp, session=PUT_ONLY, principal=SESSION), "session", explicit=False)
    assert decision(case(resource_policy=rp, session=GET, boundary=GET, principal=SESSION)) == "Allow"


def test_session_arn_named_needs_nothing_else() -> None:
    """Boundaries page: "Permissions granted directly to a session are not limited by an implicit deny in an
    identity-based policy, a permissions boundary, or session policy."."""
    rp = bucket_policy(grant({"AWS": SESSION}))
    assert decision(case(resource_policy=rp, boundary=PUT_ONLY, session=PUT_ONLY, principal=SESSION)) == "Allow"
    other_session = f"arn:aws:sts::{ACCT}:assumed-role/app/s2"
    assert decision(case(resource_policy=rp, principal=other_session)) == "ImplicitDeny"


@pytest.mark.parametrize("account", [ACCT, ROOT], ids=["account-id", "root-arn"])
def test_account_named_still_needs_identity_allow(account: str) -> None:
    """Principal page: naming the account "delegates authority to the account" ("does not limit permissions to only
    the root user"); a principal of the account still needs an identity-based Allow."""
    rp = bucket_policy(grant({"AWS": account}))
    assert decision(case(resource_policy=rp, principal=USER)) == "ImplicitDeny"
    assert decision(case(resource_policy=rp, identity=[GET], principal=USER)) == "Allow"


@pytest.mark.parametrize("everyone", ["*", {"AWS": "*"}], ids=["star", "aws-star"])
def test_everyone_named_same_account(everyone: object) -> None:
    """Principal page ("All principals"): for same-account IAM users and roles "no other permissions are required"."""
    rp = bucket_policy(grant(everyone))
    assert decision(case(resource_policy=rp, principal=USER)) == "Allow"


def test_federated_user_arn_named() -> None:
    """Boundaries page: a grant to the federated-user session ARN is not limited by implicit denies (iam-semantics
    §4.3 table)."""
    rp = bucket_policy(grant({"AWS": FED}))
    assert decision(case(resource_policy=rp, principal=FED)) == "Allow"


def test_resource_policy_not_applying_to_request() -> None:
    rp = bucket_policy(grant({"AWS": USER}, resource="arn:aws:s3:::other/*"))
    assert decision(case(resource_policy=rp, principal=USER)) == "ImplicitDeny"
    rp = bucket_policy(grant({"AWS": USER}, action="s3:PutObject"))
    assert decision(case(resource_policy=rp, principal=USER)) == "ImplicitDeny"


def test_not_principal_deny_exempts_listed() -> None:
    """NotPrincipal page: with Deny it denies everyone except the listed principals."""
    rp = bucket_policy(grant("*"), deny("s3:*", "*", not_principal={"AWS": [USER, ACCT]}))
    assert decision(case(resource_policy=rp, principal=USER)) == "Allow"
    denied_by(case(resource_policy=rp, principal=USER_B), "resource", explicit=True)


# ----------------------------------------------------------------------------------------------------------------
# cross-account (iam-semantics §4.5)
# ----------------------------------------------------------------------------------------------------------------


def xcase(**kw: object) -> dict:
    return case(principal=X_USER, resource_account=ACCT, **kw)  # type: ignore[arg-type]


def test_cross_account_needs_both_sides() -> None:
    """Cross-account page: "the requester ... must have an identity-based policy ... Additionally, the
    resource-based policy in AccountB must allow the requester" - "allowed only if both evaluations return a
    decision of Allow"."""
    rp = bucket_policy(grant({"AWS": X_USER}))
    assert decision(xcase(resource_policy=rp)) == "ImplicitDeny"
    assert decision(xcase(identity=[GET])) == "ImplicitDeny"
    assert decision(xcase(identity=[GET], resource_policy=rp)) == "Allow"


@pytest.mark.parametrize("principal", [{"AWS": OTHER}, {"AWS": X_ROOT}, "*"], ids=["account", "root", "star"])
def test_cross_account_account_grant(principal: object) -> None:
    rp = bucket_policy(grant(principal))
    assert decision(xcase(identity=[GET], resource_policy=rp)) == "Allow"
    assert decision(xcase(resource_policy=rp)) == "ImplicitDeny"


def test_cross_account_principal_side_guardrails_apply() -> None:
    """Cross-account page: the principal-side evaluation includes "any policies that can limit an identity-based
    policy" (boundary, session policy, SCPs)."""
    rp = bucket_policy(grant({"AWS": X_USER}))
    denied_by(xcase(identity=[GET], resource_policy=rp, boundary=PUT_ONLY), "boundary")


def test_cross_account_deny_on_either_side() -> None:
    rp = bucket_policy(grant({"AWS": X_USER}), deny("s3:GetObject", OBJ, principal={"AWS": X_USER}))
    denied_by(xcase(identity=[GET], resource_policy=rp), "resource", explicit=True)
    rp = bucket_policy(grant({"AWS": X_USER}))
    denied_by(xcase(identity=[doc(allow(), DENY_GET)], resource_policy=rp), "identity", explicit=True)


# ----------------------------------------------------------------------------------------------------------------
# trust policies and sts:AssumeRole (iam-semantics §5.2)
# ----------------------------------------------------------------------------------------------------------------


def assume(trust: dict, **kw: object) -> dict:
    return case(action="sts:AssumeRole", resource=TARGET, resource_policy=trust, **kw)  # type: ignore[arg-type]


def trust(*principals: object, **kw: object) -> dict:
    return doc(*[allow("sts:AssumeRole", None, principal=p, **kw) for p in principals])


ASSUME_ALLOWED = doc(allow("sts:AssumeRole", TARGET))


def test_trust_naming_account_needs_identity_allow() -> None:
    """AssumeRole API: "Attach a policy to the user that allows the user to call AssumeRole (as long as the role's
    trust policy trusts the account)"."""
    assert decision(assume(trust({"AWS": ACCT}), principal=USER)) == "ImplicitDeny"
    assert decision(assume(trust({"AWS": ACCT}), identity=[ASSUME_ALLOWED], principal=USER)) == "Allow"
    assert decision(assume(trust({"AWS": ROOT}), identity=[ASSUME_ALLOWED], principal=USER)) == "Allow"


def test_trust_naming_user_needs_no_identity_allow() -> None:
    """AssumeRole API: "Add the user as a principal directly in the role's trust policy ... When a resource-based
    policy grants access to a principal in the same account, no additional identity-based policy is required."."""
    assert decision(assume(trust({"AWS": USER}), principal=USER)) == "Allow"


def test_boundary_applies_even_when_trust_names_user() -> None:
    """Update-trust-policy page: "If a user is listed as the principal in a role's trust policy but cannot assume
    the role, check the user's permissions boundary. If a permissions boundary is set for the user, then it must
    allow the sts:AssumeRole action."."""
    denied_by(assume(trust({"AWS": USER}), boundary=doc(allow("s3:*", "*")), principal=USER), "boundary")
    assert decision(assume(trust({"AWS": USER}), boundary=doc(allow("sts:AssumeRole", "*")),
                           principal=USER)) == "Allow"


def test_trust_must_allow() -> None:
    """Denyallow step 4: "IAM role trust policies and KMS key policies are exceptions to this logic, because they
    must explicitly allow access for principals." An identity Allow alone is not enough."""
    assert decision(assume(trust({"AWS": USER_B}), identity=[ASSUME_ALLOWED], principal=USER)) == "ImplicitDeny"
    saml_only = doc(allow("sts:AssumeRoleWithSAML", None,
                          principal={"Federated": f"arn:aws:iam::{ACCT}:saml-provider/ADFS"}))
    assert decision(assume(saml_only, identity=[FULL], principal=USER)) == "ImplicitDeny"


def test_trust_explicit_deny() -> None:
    t = doc(allow("sts:AssumeRole", None, principal={"AWS": ACCT}), deny("sts:AssumeRole", None,
                                                                          principal={"AWS": USER}))
    denied_by(assume(t, identity=[ASSUME_ALLOWED], principal=USER), "resource", explicit=True)


def test_trust_condition() -> None:
    """AssumeRole: a caller that omits ExternalId has no ``sts:ExternalId`` key, so ``StringEquals`` fails."""
    t = trust({"AWS": USER}, condition={"StringEquals": {"sts:ExternalId": "x-123"}})
    assert decision(assume(t, principal=USER)) == "ImplicitDeny"
    assert decision(assume(t, principal=USER, context={"sts:ExternalId": "x-123"})) == "Allow"


def test_root_may_not_assume_a_role() -> None:
    """Switch-role API page: "You cannot assume a role when you are signed in as the AWS account root user."."""
    assert decision(assume(trust({"AWS": ACCT}), principal=ROOT)) in DENIALS
    assert decision(assume(trust({"AWS": ROOT}), principal=ROOT)) in DENIALS
    assert decision(assume(trust("*"), principal=ROOT)) in DENIALS


def test_cross_account_assume_role_needs_both() -> None:
    """AssumeRole API: "A user who wants to access a role in a different account must also have permissions that are
    delegated from the account administrator" - even if the trust names the user."""
    assert decision(assume(trust({"AWS": X_USER}), principal=X_USER, resource_account=ACCT)) == "ImplicitDeny"
    assert decision(assume(trust({"AWS": X_USER}), identity=[ASSUME_ALLOWED], principal=X_USER,
                           resource_account=ACCT)) == "Allow"
    assert decision(assume(trust({"AWS": OTHER}), identity=[ASSUME_ALLOWED], principal=X_USER,
                           resource_account=ACCT)) == "Allow"


# ----------------------------------------------------------------------------------------------------------------
# federated users and anonymous callers
# ----------------------------------------------------------------------------------------------------------------


def test_federated_user_without_session_policy_has_no_identity_permission() -> None:
    """GetFederationToken API: "if you do not pass a policy, then the resulting federated user session has no
    permissions"; denyallow step 7: not a role session and no session policy -> implicitly denied."""
    assert decision(case(identity=[FULL], principal=FED)) == "ImplicitDeny"
    assert decision(case(identity=[FULL], session=GET, principal=FED)) == "Allow"
    denied_by(case(identity=[FULL], session=PUT_ONLY, principal=FED), "session")


def test_anonymous_only_through_resource_policy_with_star() -> None:
    """Principal page: ``"*"`` means all principals "including anonymous users (public access)"; for
    ``{"AWS": "*"}`` the S3 guide (s3-bucket-user-policy-specifying-principal-intro.html) says "For anonymous users,
    these two methods are equivalent". Naming an account or a user does not cover an anonymous caller."""
    assert decision(case(principal="anonymous")) == "ImplicitDeny"
    assert decision(case(resource_policy=bucket_policy(grant("*")), principal="anonymous")) == "Allow"
    assert decision(case(resource_policy=bucket_policy(grant({"AWS": "*"})), principal="anonymous")) == "Allow"
    assert decision(case(resource_policy=bucket_policy(grant({"AWS": ACCT})), principal="anonymous")) == "ImplicitDeny"
    assert decision(case(resource_policy=bucket_policy(grant({"AWS": USER})), principal="anonymous")) == "ImplicitDeny"
    denied_by(case(resource_policy=bucket_policy(grant("*"), DENY_GET_P), principal="anonymous"), "resource", True)


def test_unstated_caller_evaluates_identity_side_only() -> None:
    """Decision-case format: ``principal`` null = "only identity-side policies are evaluated, as AWS's policy
    simulator does without a caller ARN"."""
    assert decision(case(resource_policy=bucket_policy(grant("*")))) == "ImplicitDeny"
    assert decision(case(identity=[GET])) == "Allow"
    assert "identity" in by(case(identity=[doc(allow(), DENY_GET)]))
