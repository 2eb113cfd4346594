"""The identity rules that ``spec.smt.transitions`` encodes, held on the identity model by AWS's documented answers
(the transition relation's invariants are proved in ``test_smt_prove``; these tests tie its rules to the model)."""

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
