"""The identity rules that ``spec.smt.transitions`` encodes, held on the identity model by AWS's documented answers
(the transition relation's invariants are proved in ``test_smt_prove``; these tests tie its rules to the model;
``test_smt_relation`` checks the relation against the model's calls). The last section holds the model's
authorization on what the relation leaves free (AssumeRole's trust check) and on cross-account root access, a rule
a decision invariant states."""

from __future__ import annotations

from dataclasses import replace

import pytest

from spec.errors import IamError
from spec.identity.dispatch import invoke
from spec.identity.state import new_world

ACCT = "123456789012"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def trust(principal: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal},
                                                    "Action": "sts:AssumeRole"}]}


def creds(result: dict) -> dict:
    inner = result.get("AccessKey") or result["Credentials"]
    return {k: inner[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken") if k in inner}


def fails(code: str, *args: object) -> None:
    with pytest.raises(IamError) as err:
        invoke(*args)  # type: ignore[arg-type]
    assert err.value.code == code, err.value


@pytest.fixture
def world():
    w = new_world(ACCT)
    w, _ = invoke(w, "root", "iam:CreateUser", {"UserName": "alice"})
    w, _ = invoke(w, "root", "iam:CreateGroup", {"GroupName": "ops"})
    w, _ = invoke(w, "root", "iam:CreateRole", {"RoleName": "app", "AssumeRolePolicyDocument": trust(ACCT),
                                                "MaxSessionDuration": 43200})
    w, _ = invoke(w, "root", "iam:PutRolePolicy", {"RoleName": "app", "PolicyName": "all", "PolicyDocument": ALLOW_ALL})
    w, _ = invoke(w, "root", "iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "all",
                                                   "PolicyDocument": ALLOW_ALL})
    return w


# "a role does not have standard long-term credentials such as a password or access keys associated with it"
# (id_roles_terms-and-concepts.html); CreateAccessKey takes a UserName (API_CreateAccessKey.html).
def test_a_role_gets_no_access_key(world) -> None:
    fails("NoSuchEntity", world, "root", "iam:CreateAccessKey", {"UserName": "app"})


# "You can have a maximum of two access keys (active or inactive) at a time" (id_credentials_access-keys.html).
def test_two_keys_at_most(world) -> None:
    w, _ = invoke(world, "root", "iam:CreateAccessKey", {"UserName": "alice"})
    w, _ = invoke(w, "root", "iam:CreateAccessKey", {"UserName": "alice"})
    fails("LimitExceeded", w, "root", "iam:CreateAccessKey", {"UserName": "alice"})


# "User groups can't be nested; they can contain only users" (id_groups.html).
def test_only_users_join_groups(world) -> None:
    fails("NoSuchEntity", world, "root", "iam:AddUserToGroup", {"GroupName": "ops", "UserName": "app"})
    w, _ = invoke(world, "root", "iam:AddUserToGroup", {"GroupName": "ops", "UserName": "alice"})
    assert w.account(ACCT).users["alice"].groups == ("ops",)


# Role chaining: "if you assume a role using role chaining and provide a DurationSeconds parameter value greater
# than one hour, the operation fails" (API_AssumeRole.html); the role allows 12 hours to a user.
def test_role_chaining_is_capped_at_one_hour(world) -> None:
    w, key = invoke(world, "root", "iam:CreateAccessKey", {"UserName": "alice"})
    arn = f"arn:aws:iam::{ACCT}:role/app"
    w, first = invoke(w, creds(key), "sts:AssumeRole", {"RoleArn": arn, "RoleSessionName": "s1",
                                                         "DurationSeconds": 7200})
    fails("ValidationError", w, creds(first), "sts:AssumeRole", {"RoleArn": arn, "RoleSessionName": "s2",
                                                                 "DurationSeconds": 7200})
    invoke(w, creds(first), "sts:AssumeRole", {"RoleArn": arn, "RoleSessionName": "s2", "DurationSeconds": 3600})


# "After temporary security credentials expire, they cannot be reused" (id_credentials_temp.html); the wire code
# is ExpiredToken (iam-semantics §6.2).
def test_expired_credentials_are_refused(world) -> None:
    w, key = invoke(world, "root", "iam:CreateAccessKey", {"UserName": "alice"})
    w, session = invoke(w, creds(key), "sts:AssumeRole", {"RoleArn": f"arn:aws:iam::{ACCT}:role/app",
                                                           "RoleSessionName": "s1", "DurationSeconds": 900})
    invoke(w, creds(session), "sts:GetCallerIdentity")
    later = replace(w, now=w.now + 900)
    fails("ExpiredToken", later, creds(session), "sts:GetCallerIdentity")
    fails("ExpiredToken", later, creds(session), "iam:CreateUser", {"UserName": "mallory"})


def _decided(formula, *facts) -> bool:
    """Whether ``facts`` force ``formula`` true (True) or false (False); fails if they leave it open."""
    import z3

    for value in (True, False):
        solver = z3.Solver()
        solver.add(*facts, formula if not value else z3.Not(formula))
        if solver.check() == z3.unsat:
            return value
    raise AssertionError(f"{formula} is not decided by {facts}")


# Credentials "expire" at their Expiration ("The date on which the current credentials expire", API_Credentials.html;
# "After the credentials expire, AWS no longer recognizes them", id_credentials_temp.html): valid one second before,
# refused with ExpiredToken from that instant on (iamspec decision, iam-semantics §6.2). The relation's
# ``credentials_valid`` must say the same as the model's authentication at both instants.
@pytest.mark.parametrize(("offset", "valid"), [(-1, True), (0, False), (1, False)])
def test_credentials_valid_agrees_with_authentication(world, offset: int, valid: bool) -> None:
    from spec.identity.auth import authenticate
    from spec.smt import transitions as tr

    w, key = invoke(world, "root", "iam:CreateAccessKey", {"UserName": "alice"})
    w, result = invoke(w, creds(key), "sts:AssumeRole", {"RoleArn": f"arn:aws:iam::{ACCT}:role/app",
                                                          "RoleSessionName": "s1", "DurationSeconds": 900})
    session = w.sessions[result["Credentials"]["AccessKeyId"]]
    at = replace(w, now=session.expires + offset)
    try:
        authenticate(at, creds(result), "sts")
        model = True
    except IamError as err:
        assert err.code == "ExpiredToken", err
        model = False
    s = tr.state("c")
    facts = (s.live[0], s.issued[0] == session.issued, s.expires[0] == session.expires, s.now == at.now)
    assert model is valid
    assert _decided(tr.credentials_valid(s, 0), *facts) is valid


# ---- authorization through the identity model: the rules the relation leaves free or the decision invariants state

def _policy(effect: str, action: str, principal: object = None, **extra: object) -> dict:
    stmt: dict = {"Effect": effect, "Action": action, **extra}
    if principal is not None:
        stmt["Principal"] = principal
    else:
        stmt["Resource"] = "*"
    return {"Version": "2012-10-17", "Statement": [stmt]}


ALICE = f"arn:aws:iam::{ACCT}:user/alice"
ASSUME = _policy("Allow", "sts:AssumeRole")
EXTERNAL_ID = {"StringEquals": {"sts:ExternalId": "x-123"}}


# The relation's AssumeRole has a free guard ``trust_allows``: the model decides it with ``spec.authorize`` on the
# role ARN, with the trust policy as the resource-based policy. Expected answers, from API_AssumeRole.html: "Attach a
# policy to the user that allows the user to call AssumeRole (as long as the role's trust policy trusts the
# account). Add the user as a principal directly in the role's trust policy ... no additional identity-based policy
# is required"; a boundary set on the user "must allow the sts:AssumeRole action"
# (id_roles_update-role-trust-policy.html); an explicit Deny wins; a missing ExternalId fails StringEquals.
@pytest.mark.parametrize(("trust_policy", "identity", "boundary", "allowed"), [
    (trust(ACCT), ASSUME, None, True),
    (trust(ACCT), None, None, False),
    (trust(ALICE), None, None, True),
    (trust(ALICE), None, _policy("Allow", "s3:*"), False),
    (trust(ALICE), None, ASSUME, True),
    (trust(f"arn:aws:iam::{ACCT}:user/bob"), ASSUME, None, False),
    ({"Version": "2012-10-17", "Statement": [*trust(ACCT)["Statement"],
                                             *_policy("Deny", "sts:AssumeRole", {"AWS": ALICE})["Statement"]]},
     ASSUME, None, False),
    (_policy("Allow", "sts:AssumeRole", {"AWS": ACCT}, Condition=EXTERNAL_ID), ASSUME, None, False),
], ids=["account+identity", "account-only", "user-named", "user-named-boundary-denies", "user-named-boundary-allows",
        "other-user-named", "trust-denies", "external-id-missing"])
def test_assume_role_succeeds_iff_authorize_allows(trust_policy: dict, identity: dict | None,
                                                   boundary: dict | None, allowed: bool) -> None:
    from spec.authorize import PolicySet, authorize
    from spec.policy import PolicyKind, parse_policy
    from spec.request import make_request

    w = new_world(ACCT)
    w, _ = invoke(w, "root", "iam:CreateUser", {"UserName": "alice"})
    w, _ = invoke(w, "root", "iam:CreateUser", {"UserName": "bob"})
    w, key = invoke(w, "root", "iam:CreateAccessKey", {"UserName": "alice"})
    w, _ = invoke(w, "root", "iam:CreateRole", {"RoleName": "app", "AssumeRolePolicyDocument": trust_policy})
    if identity is not None:
        w, _ = invoke(w, "root", "iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "p",
                                                       "PolicyDocument": identity})
    if boundary is not None:
        w, made = invoke(w, "root", "iam:CreatePolicy", {"PolicyName": "b", "PolicyDocument": boundary})
        w, _ = invoke(w, "root", "iam:PutUserPermissionsBoundary", {"UserName": "alice",
                                                                    "PermissionsBoundary": made["Policy"]["Arn"]})
    role = f"arn:aws:iam::{ACCT}:role/app"
    try:
        invoke(w, creds(key), "sts:AssumeRole", {"RoleArn": role, "RoleSessionName": "s1"})
        model = True
    except IamError as err:
        assert err.code == "AccessDenied", err
        model = False
    ps = PolicySet(identity=() if identity is None else (parse_policy(identity),),
                   boundary=None if boundary is None else parse_policy(boundary, PolicyKind.BOUNDARY),
                   resource=parse_policy(trust_policy, PolicyKind.TRUST))
    request = make_request("sts:AssumeRole", role, ALICE, ACCT, {"sts:RoleSessionName": "s1"})
    assert (authorize(request, ps).decision == "Allow") is model is allowed


# Cross-account: "the resource-based policy in AccountB must allow the requester in AccountA to access the resource"
# (reference_policies_evaluation-logic-cross-account.html) -- the root user of the other account included; the
# root user's "full access" is to its own account's resources.
def test_root_of_another_account_needs_the_bucket_policy() -> None:
    other = "444455556666"
    w = new_world(ACCT, (other,))
    w, _ = invoke(w, "root", "s3:CreateBucket", {"Bucket": "data-bucket"})
    w, _ = invoke(w, "root", "s3:PutObject", {"Bucket": "data-bucket", "Key": "k", "Body": "x"})
    invoke(w, "root", "s3:GetObject", {"Bucket": "data-bucket", "Key": "k"})
    fails("AccessDenied", w, "root", "s3:GetObject", {"Bucket": "data-bucket", "Key": "k"}, other)
    grant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": other},
                                                     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-bucket/*"}]}
    w, _ = invoke(w, "root", "s3:PutBucketPolicy", {"Bucket": "data-bucket", "Policy": grant})
    invoke(w, "root", "s3:GetObject", {"Bucket": "data-bucket", "Key": "k"}, other)
