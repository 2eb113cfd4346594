"""Stateful tests of the identity model's invariants (iam-semantics §7): random sequences of IAM, STS and S3 calls
by root, users and sessions, with the clock moving, and after every step:

- roles never hold long-term keys; every long-term key authenticates as a user or the root user (§7.6);
- group members are users, and every membership names an existing group (§7.7);
- at most 2 access keys per user and root, at most 10 groups per user, at most 10 managed policies per entity,
  at most 5 versions per policy (§7.8); names unique without regard to case (§7.16);
- attached policies and boundaries exist (referential deletes, §7.17);
- a failed operation changes nothing, and neither does a read (§7.8, "leave state unchanged");
- no session outlives its bound: 900 <= duration <= MaxSessionDuration at issue, <= 3600 when chained (§7.11);
- expired credentials never authorize: every call with them fails with ExpiredToken (§7.12);
- GetCallerIdentity with valid credentials never fails (§7.21).

Run with the active Hypothesis profile (tests/conftest.py): ``ci`` by default, ``thorough`` (>= 1,000 examples)
with ``IAMSPEC_PROFILE=thorough`` or ``--hypothesis-profile=thorough``.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from spec.errors import IamError
from spec.identity.auth import authenticate
from spec.identity.authz import managed_text
from spec.identity.dispatch import invoke
from spec.identity.state import World, new_world

ACCT = "123456789012"
USERS = ("alice", "bob", "Alice", "carol")
GROUPS = ("devs", "ops", "DEVS")
ROLES = ("deployer", "auditor", "Deployer")
POLICIES = ("p1", "p2")
AWS_POLICIES = ("arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/IAMFullAccess")
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DOCS = (
    ALLOW_ALL,
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:*", "sts:*"], "Resource": "*"}]},
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:Create*", "Resource": "*"}]},
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]},
    {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]},  # malformed
)


def trust(principal: object) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
                                                    "Action": "sts:AssumeRole"}]}


TRUSTS = (trust({"AWS": f"arn:aws:iam::{ACCT}:root"}), trust({"AWS": f"arn:aws:iam::{ACCT}:user/alice"}),
          trust({"AWS": f"arn:aws:iam::{ACCT}:role/deployer"}), trust("*"), trust({"AWS": f"arn:aws:iam::{ACCT}:group/devs"}))
arn_of = {"user": lambda n: f"arn:aws:iam::{ACCT}:user/{n}", "role": lambda n: f"arn:aws:iam::{ACCT}:role/{n}",
          "policy": lambda n: f"arn:aws:iam::{ACCT}:policy/{n}"}
MANAGED = tuple(arn_of["policy"](p) for p in POLICIES) + AWS_POLICIES + (arn_of["policy"]("missing"),)
ENTITY = {"User": ("UserName", USERS), "Group": ("GroupName", GROUPS), "Role": ("RoleName", ROLES)}
READS = {"iam:GetUser", "iam:GetGroup", "iam:GetRole", "iam:ListGroupsForUser", "iam:GetUserPolicy",
         "iam:GetGroupPolicy", "iam:GetRolePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListAccessKeys",
         "sts:GetCallerIdentity", "s3:ListBuckets", "s3:GetObject"}


def params_for(call: str, draw) -> dict:
    """Plausible parameters for ``call`` from small vocabularies, so that names collide and entities exist."""
    pick = lambda xs: draw(st.sampled_from(xs))  # noqa: E731
    service, _, op = call.partition(":")
    for kind, (param, names) in ENTITY.items():
        if op in (f"Create{kind}", f"Get{kind}", f"Delete{kind}"):
            p = {param: pick(names)}
            if op == "CreateRole":
                p.update(AssumeRolePolicyDocument=pick(TRUSTS), MaxSessionDuration=pick((3600, 7200, 43200)))
            return p
        if op in (f"Put{kind}Policy", f"Get{kind}Policy", f"Delete{kind}Policy"):
            p = {param: pick(names), "PolicyName": pick(("a", "b"))}
            return {**p, "PolicyDocument": pick(DOCS)} if op.startswith("Put") else p
        if op in (f"Attach{kind}Policy", f"Detach{kind}Policy"):
            return {param: pick(names), "PolicyArn": pick(MANAGED)}
        if op in (f"Put{kind}PermissionsBoundary", f"Delete{kind}PermissionsBoundary"):
            p = {param: pick(names)}
            return {**p, "PermissionsBoundary": pick(MANAGED)} if op.startswith("Put") else p
    if op in ("AddUserToGroup", "RemoveUserFromGroup"):
        return {"GroupName": pick(GROUPS), "UserName": pick(USERS + ROLES[:1])}
    if op == "ListGroupsForUser":
        return {"UserName": pick(USERS)}
    if op == "UpdateRole":
        return {"RoleName": pick(ROLES), "MaxSessionDuration": pick((3600, 7200, 43200))}
    if op == "UpdateAssumeRolePolicy":
        return {"RoleName": pick(ROLES), "PolicyDocument": pick(TRUSTS)}
    if op == "CreatePolicy":
        return {"PolicyName": pick(POLICIES), "PolicyDocument": pick(DOCS)}
    if op in ("GetPolicy", "DeletePolicy"):
        return {"PolicyArn": pick(MANAGED)}
    if op == "CreatePolicyVersion":
        return {"PolicyArn": pick(MANAGED), "PolicyDocument": pick(DOCS), "SetAsDefault": draw(st.booleans())}
    if op in ("SetDefaultPolicyVersion", "DeletePolicyVersion", "GetPolicyVersion"):
        return {"PolicyArn": pick(MANAGED), "VersionId": pick(("v1", "v2", "v3", "v6"))}
    if op in ("CreateAccessKey", "ListAccessKeys"):
        return draw(st.sampled_from(({}, {"UserName": pick(USERS + ROLES[:1])})))
    if op == "AssumeRole":
        p = {"RoleArn": arn_of["role"](pick(ROLES)), "RoleSessionName": pick(("s1", "s2", "x"))}
        duration = draw(st.sampled_from((None, 899, 900, 3600, 3601, 7200, 43200)))
        return p if duration is None else {**p, "DurationSeconds": duration}
    if op == "GetSessionToken":
        duration = draw(st.sampled_from((None, 900, 3600, 7200, 129600)))
        return {} if duration is None else {"DurationSeconds": duration}
    if service == "s3":
        return {"CreateBucket": {"Bucket": "bucket-one"}, "PutObject": {"Bucket": "bucket-one", "Key": "k", "Body": "x"},
                "GetObject": {"Bucket": "bucket-one", "Key": pick(("k", "missing"))}, "ListBuckets": {}}[op]
    return {}


CALLS = (
    "iam:CreateUser", "iam:GetUser", "iam:DeleteUser", "iam:CreateGroup", "iam:GetGroup", "iam:DeleteGroup",
    "iam:AddUserToGroup", "iam:RemoveUserFromGroup", "iam:ListGroupsForUser", "iam:CreateRole", "iam:GetRole",
    "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:PutUserPolicy", "iam:GetUserPolicy",
    "iam:DeleteUserPolicy", "iam:PutGroupPolicy", "iam:DeleteGroupPolicy", "iam:PutRolePolicy",
    "iam:DeleteRolePolicy", "iam:CreatePolicy", "iam:GetPolicy", "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:AttachUserPolicy",
    "iam:DetachUserPolicy", "iam:AttachGroupPolicy", "iam:DetachGroupPolicy", "iam:AttachRolePolicy",
    "iam:DetachRolePolicy", "iam:PutUserPermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary", "iam:CreateAccessKey",
    "iam:ListAccessKeys", "sts:AssumeRole", "sts:GetSessionToken", "sts:GetCallerIdentity", "s3:CreateBucket",
    "s3:PutObject", "s3:GetObject", "s3:ListBuckets",
)


class IdentityMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world: World = new_world(ACCT)
        self.handles: dict[str, dict] = {}

    @initialize()
    def seed(self) -> None:
        """A user with a key and broad permissions, so that non-root callers act from the start."""
        self.world, _ = invoke(self.world, "root", "iam:CreateUser", {"UserName": "alice"})
        self.world, _ = invoke(self.world, "root", "iam:PutUserPolicy", {"UserName": "alice", "PolicyName": "all",
                                                                         "PolicyDocument": ALLOW_ALL})
        self._save("alice", invoke(self.world, "root", "iam:CreateAccessKey", {"UserName": "alice"}))
        self.world, _ = invoke(self.world, "root", "iam:CreateRole", {"RoleName": "deployer", "MaxSessionDuration": 43200,
                                                                      "AssumeRolePolicyDocument": TRUSTS[0]})
        self.world, _ = invoke(self.world, "root", "iam:PutRolePolicy", {"RoleName": "deployer", "PolicyName": "all",
                                                                         "PolicyDocument": ALLOW_ALL})

    def _save(self, handle: str, outcome: tuple[World, dict]) -> None:
        self.world, result = outcome
        inner = result.get("AccessKey") or result.get("Credentials")
        self.handles[handle] = {k: inner[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken") if k in inner}

    def _expired(self, creds: dict) -> bool:
        session = self.world.sessions.get(creds["AccessKeyId"])
        return session is not None and self.world.now >= session.expires

    @rule(data=st.data(), call=st.sampled_from(CALLS))
    def call(self, data, call: str) -> None:
        who = data.draw(st.sampled_from(["root", *sorted(self.handles)]), label="as")
        creds = "root" if who == "root" else self.handles[who]
        params = params_for(call, lambda s: data.draw(s))
        before, snapshot = self.world, repr(self.world)
        expired = creds != "root" and self._expired(creds)
        try:
            world, result = invoke(before, creds, call, params)
        except IamError as err:
            assert repr(before) == snapshot, f"{call} failed with {err.code} and changed the state"
            if expired:
                assert err.code == "ExpiredToken"
            if call == "sts:GetCallerIdentity" and creds == "root":
                raise AssertionError("GetCallerIdentity was refused to root") from err
            return
        assert not expired, f"{call} succeeded with expired credentials"
        assert repr(before) == snapshot, "a call changed the state it was given"
        if call in READS:
            assert world == before, f"the read {call} changed the state"
        if call == "sts:AssumeRole":
            self._check_session(creds, params, result, world)
        if call in ("iam:CreateAccessKey", "sts:AssumeRole", "sts:GetSessionToken"):
            self._save(f"h{len(self.handles)}", (world, result))
        self.world = world

    def _check_session(self, creds: object, params: dict, result: dict, world: World) -> None:
        """No session outlives its bound (§7.11) and its identity has the documented shape (§7.13)."""
        session = world.sessions[result["Credentials"]["AccessKeyId"]]
        role_name = params["RoleArn"].rsplit("/", 1)[-1]
        role = self.world.account(ACCT).roles[role_name.lower()]
        length = session.expires - session.issued
        assert creds != "root"
        assert 900 <= length <= role.max_session
        assert length == params.get("DurationSeconds", 3600)
        if session.chained or self.world.sessions.get(creds["AccessKeyId"]) is not None:  # type: ignore[index]
            assert length <= 3600
        assert result["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCT}:assumed-role/{role.name}/{params['RoleSessionName']}"
        assert result["AssumedRoleUser"]["AssumedRoleId"] == f"{role.role_id}:{params['RoleSessionName']}"
        assert session.key_id.startswith("ASIA")

    @precondition(lambda self: bool(self.handles))
    @rule(data=st.data(), duration=st.sampled_from((None, 900, 3600, 7200, 43200)))
    def assume_role(self, data, duration: int | None) -> None:
        """AssumeRole with well-formed parameters, so that sessions and chains are made often."""
        handle = data.draw(st.sampled_from(sorted(self.handles)))
        params = {"RoleArn": arn_of["role"]("deployer"), "RoleSessionName": f"s{len(self.handles)}"}
        if duration is not None:
            params["DurationSeconds"] = duration
        creds = self.handles[handle]
        try:
            world, result = invoke(self.world, creds, "sts:AssumeRole", params)
        except IamError as err:
            if self._expired(creds):
                assert err.code == "ExpiredToken"
            return
        assert not self._expired(creds)
        self._check_session(creds, params, result, world)
        self._save(f"h{len(self.handles)}", (world, result))

    @rule(user=st.sampled_from(USERS[:2]))
    def create_access_key(self, user: str) -> None:
        """CreateAccessKey as root for a user (often, so that the 2-key quota is reached)."""
        try:
            self._save(f"h{len(self.handles)}", invoke(self.world, "root", "iam:CreateAccessKey", {"UserName": user}))
        except IamError as err:
            assert err.code in ("LimitExceeded", "NoSuchEntity"), err.code

    @rule(seconds=st.sampled_from((1, 899, 900, 3599, 3600, 43200)))
    def advance(self, seconds: int) -> None:
        from dataclasses import replace

        self.world = replace(self.world, now=self.world.now + seconds)

    @precondition(lambda self: bool(self.handles))
    @rule(data=st.data())
    def update_key(self, data) -> None:
        """Deactivate or reactivate a saved long-term key (UpdateAccessKey), or delete it."""
        handle = data.draw(st.sampled_from(sorted(self.handles)))
        key_id = self.handles[handle]["AccessKeyId"]
        if not key_id.startswith("AKIA"):
            return
        for account in self.world.accounts.values():
            owner = next((u.name for u in account.users.values() if any(k.key_id == key_id for k in u.keys)), None)
            if owner is None:
                continue
            call = data.draw(st.sampled_from(("iam:UpdateAccessKey", "iam:DeleteAccessKey")))
            params = {"UserName": owner, "AccessKeyId": key_id}
            if call == "iam:UpdateAccessKey":
                params["Status"] = data.draw(st.sampled_from(("Active", "Inactive")))
            self.world, _ = invoke(self.world, "root", call, params)

    @invariant()
    def roles_hold_no_long_term_keys(self) -> None:
        for account in self.world.accounts.values():
            for user in account.users.values():
                for key in user.keys:
                    assert key.key_id.startswith("AKIA")
                    if key.status == "Active":
                        who = authenticate(self.world, {"AccessKeyId": key.key_id, "SecretAccessKey": key.secret}, "sts")
                        assert who.kind == "user" and who.user_name == user.name
            for role in account.roles.values():
                assert not hasattr(role, "keys")
            assert len(account.root_keys) <= 2
        for session in self.world.sessions.values():
            assert session.key_id.startswith("ASIA") and session.kind in ("role", "user", "root")

    @invariant()
    def memberships_and_cardinalities(self) -> None:
        for account in self.world.accounts.values():
            for table in (account.users, account.groups, account.roles, account.policies):
                assert all(key == value.name.lower() for key, value in table.items())
            for user in account.users.values():
                assert len(user.keys) <= 2 and len(user.groups) <= 10 and len(set(user.groups)) == len(user.groups)
                assert all(g in account.groups for g in user.groups)
            for entity in (*account.users.values(), *account.groups.values(), *account.roles.values()):
                assert len(entity.attached) <= 10
                boundary = getattr(entity, "boundary", None)
                for arn in (*entity.attached, *([boundary] if boundary else [])):
                    assert managed_text(self.world, account.account_id, arn) is not None, arn
            for policy in account.policies.values():
                assert 1 <= len(policy.versions) <= 5
                assert any(v.version_id == policy.default for v in policy.versions)

    @invariant()
    def expired_credentials_never_authorize(self) -> None:
        for creds in self.handles.values():
            if self._expired(creds):
                for call in ("sts:GetCallerIdentity", "iam:GetUser", "s3:ListBuckets"):
                    try:
                        invoke(self.world, creds, call, {"UserName": "alice"} if call == "iam:GetUser" else {})
                    except IamError as err:
                        assert err.code == "ExpiredToken"
                    else:
                        raise AssertionError(f"{call} succeeded with expired credentials")

    @invariant()
    def caller_identity_cannot_be_denied(self) -> None:
        for creds in self.handles.values():
            key_id = creds["AccessKeyId"]
            session = self.world.sessions.get(key_id)
            valid = (session is not None and self.world.now < session.expires) or any(
                k.key_id == key_id and k.status == "Active"
                for a in self.world.accounts.values() for u in a.users.values() for k in u.keys)
            if valid:
                invoke(self.world, creds, "sts:GetCallerIdentity")


IdentityMachine.TestCase.settings = settings(settings.default, stateful_step_count=30)
TestIdentityInvariants = IdentityMachine.TestCase
