"""A real account in: the JSON of ``aws iam get-account-authorization-details`` loaded into the model's state, and
"can principal X do action Y on resource Z" answered from it.

The response shape is the IAM API Reference's
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html): ``UserDetailList``,
``GroupDetailList``, ``RoleDetailList`` and ``Policies`` (customer and AWS managed, with ``PolicyVersionList``).
Policy documents are accepted as the CLI prints them (JSON objects), as JSON text, or URL-encoded as the raw API
returns them ("The policy document returned in this structure is URL-encoded compliant with RFC 3986").
Access keys are not part of the dump; sessions are not either. A role is asked about as a session of that role
with no session policy.

The state loaded is one the IAM API could have made, so that what holds of every state the operations reach (the
identity-state invariants of ``spec.smt.transitions``) holds of it: a user's ``GroupList`` may name only groups of
the dump (``NoSuchEntity``, as AddUserToGroup answers for a group that does not exist), and a role's
``MaxSessionDuration`` must be an integer from 3600 to 43200 (``ValidationError``, as CreateRole and UpdateRole
answer; https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from spec.authorize import TRUST_ACTIONS, Decision
from spec.errors import IamError
from spec.identity.auth import Identity, root
from spec.identity.authz import Check, decide
from spec.identity.clock import DEFAULT_START, parse_iso
from spec.identity.documents import capture, effective_text, parsed
from spec.identity.entities import Account, Document, Group, ManagedPolicy, PolicyVersion, Role, Session, User
from spec.identity.frozen import FrozenMap
from spec.identity.ids import parse_iam_arn, parse_session_arn, session_arn
from spec.identity.managed import is_aws_managed
from spec.identity.shapes import MAX_SESSION, validate
from spec.identity.state import World, new_world
from spec.policy import PolicyKind

CAN_DO_SESSION = "iamspec"


def _text(doc: Any, where: str, kind: PolicyKind) -> str:
    """A document as JSON text, validated (``MalformedPolicyDocument`` located in the input)."""
    if isinstance(doc, str):
        text = doc if doc.lstrip().startswith("{") else unquote(doc)
    elif isinstance(doc, dict):
        text = json.dumps(doc)
    else:
        raise IamError("MalformedPolicyDocument", "a policy document must be an object or JSON text", where)
    try:
        parsed(effective_text(None, Document(text)) if kind is PolicyKind.TRUST else text, kind)
    except IamError as err:
        raise err.at(where) from None
    return text


def _date(value: Any) -> int:
    return parse_iso(value) if isinstance(value, str) else DEFAULT_START


def _list(data: Mapping, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise IamError("ValidationError", f"{key} must be a list", key)
    return value


def _inline(items: list, where: str) -> FrozenMap[str, str]:
    return FrozenMap((p["PolicyName"], _text(p["PolicyDocument"], f"{where}[{i}].PolicyDocument", PolicyKind.IDENTITY))
                     for i, p in enumerate(items or []))


def _attached(items: list) -> tuple[str, ...]:
    return tuple(p["PolicyArn"] for p in items or [])


def _boundary(entity: Mapping) -> str | None:
    return (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")


def _tags(entity: Mapping) -> tuple[tuple[str, str], ...]:
    return tuple((t["Key"], t["Value"]) for t in entity.get("Tags") or [])


def _policy(p: Mapping, where: str) -> ManagedPolicy:
    versions = tuple(PolicyVersion(v["VersionId"], _text(v["Document"], f"{where}.PolicyVersionList[{i}].Document",
                                                         PolicyKind.IDENTITY), _date(v.get("CreateDate")))
                     for i, v in enumerate(p.get("PolicyVersionList") or []))
    default = p.get("DefaultVersionId") or next((v["VersionId"] for v in p.get("PolicyVersionList") or []
                                                 if v.get("IsDefaultVersion")), "v1")
    if not any(v.version_id == default for v in versions):
        raise IamError("ValidationError", f"policy {p.get('Arn')} has no document for its default version {default}",
                       where)
    numbers = [int(v.version_id[1:]) for v in versions if v.version_id[1:].isdigit()]
    return ManagedPolicy(p["PolicyName"], p.get("Path", "/"), p.get("PolicyId", ""), p["Arn"],
                         _date(p.get("CreateDate")), _date(p.get("UpdateDate")), versions, default,
                         max(numbers, default=0) + 1)


def _groups_of(user: Mapping, groups: Mapping[str, Group], where: str) -> tuple[str, ...]:
    """The groups a user is in: each must be a group of the dump (AddUserToGroup's ``NoSuchEntity`` otherwise)."""
    names = _list(user, "GroupList")
    for j, name in enumerate(names):
        if not isinstance(name, str) or name.lower() not in groups:
            raise IamError("NoSuchEntity", f"The group with name {name} cannot be found.", f"{where}.GroupList[{j}]")
    return tuple(name.lower() for name in names)


def _max_session(role: Mapping, where: str) -> int:
    """A role's ``MaxSessionDuration``: 3600 (CreateRole's default) when absent, else an integer from 3600 to 43200
    ("This setting can have a value from 1 hour to 12 hours"; CreateRole's ``ValidationError`` otherwise)."""
    try:
        return validate({"MaxSessionDuration": MAX_SESSION}, {"MaxSessionDuration": role.get("MaxSessionDuration")}) \
            .get("MaxSessionDuration", 3600)
    except IamError as err:
        raise err.at(where) from None


def _account_of(data: Mapping) -> str:
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        for item in _list(data, key):
            parsed_arn = parse_iam_arn(item.get("Arn", "")) if isinstance(item, dict) else None
            if parsed_arn is not None and parsed_arn[0] != "aws":
                return parsed_arn[0]
    raise IamError("ValidationError", "no ARN in the authorization details names the account")


def load_authorization_details(data: Mapping | str | Path, account: str | None = None) -> World:
    """A world holding the account the dump describes (its users, groups, roles and managed policies)."""
    if isinstance(data, (str, Path)):
        try:
            data = json.loads(Path(data).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IamError("ValidationError", f"cannot read authorization details {data}: {exc}") from None
    if not isinstance(data, Mapping):
        raise IamError("ValidationError", "authorization details must be a JSON object")
    try:
        return _load(data, account or _account_of(data))
    except (KeyError, TypeError, AttributeError) as exc:
        raise IamError("ValidationError", f"authorization details are missing a field or have a wrong type: {exc}") \
            from None


def _load(data: Mapping, account_id: str) -> World:
    customer, aws = {}, {}
    for i, p in enumerate(_list(data, "Policies")):
        policy = _policy(p, f"Policies[{i}]")
        if is_aws_managed(policy.arn):
            aws[policy.arn] = policy
        else:
            customer[policy.name.lower()] = policy
    groups = {}
    for i, g in enumerate(_list(data, "GroupDetailList")):
        groups[g["GroupName"].lower()] = Group(g["GroupName"], g.get("Path", "/"), g.get("GroupId", ""), g["Arn"],
                                               _date(g.get("CreateDate")),
                                               _inline(g.get("GroupPolicyList"), f"GroupDetailList[{i}].GroupPolicyList"),
                                               _attached(g.get("AttachedManagedPolicies")))
    users = {}
    for i, u in enumerate(_list(data, "UserDetailList")):
        users[u["UserName"].lower()] = User(
            u["UserName"], u.get("Path", "/"), u.get("UserId", ""), u["Arn"], _date(u.get("CreateDate")),
            _groups_of(u, groups, f"UserDetailList[{i}]"),
            _inline(u.get("UserPolicyList"), f"UserDetailList[{i}].UserPolicyList"),
            _attached(u.get("AttachedManagedPolicies")), _boundary(u), tags=_tags(u))
    roles = {}
    for i, r in enumerate(_list(data, "RoleDetailList")):
        trust = _text(r["AssumeRolePolicyDocument"], f"RoleDetailList[{i}].AssumeRolePolicyDocument", PolicyKind.TRUST)
        roles[r["RoleName"].lower()] = Role(
            r["RoleName"], r.get("Path", "/"), r.get("RoleId", ""), r["Arn"], _date(r.get("CreateDate")),
            Document(trust), _max_session(r, f"RoleDetailList[{i}]"), r.get("Description"),
            _inline(r.get("RolePolicyList"), f"RoleDetailList[{i}].RolePolicyList"),
            _attached(r.get("AttachedManagedPolicies")), _boundary(r), _tags(r))
    account = Account(account_id, FrozenMap(users), FrozenMap(groups), FrozenMap(roles), FrozenMap(customer))
    world = replace(new_world(account_id).with_account(account), aws_policies=FrozenMap(aws))
    remembered = {key: replace(role, trust=capture(world, role.trust.text, PolicyKind.TRUST, strict=False))
                  for key, role in roles.items()}
    return world.with_account(replace(account, roles=FrozenMap(remembered)))


def _identity(world: World, principal_arn: str) -> Identity:
    """The caller a principal ARN stands for: root, a user, or a session of a role (``assumed-role`` ARNs name
    the session; a role ARN stands for a session named ``iamspec`` with no session policy)."""
    session = parse_session_arn(principal_arn)
    arn = parse_iam_arn(principal_arn)
    if principal_arn.endswith(":root") and principal_arn.startswith("arn:aws:iam::"):
        return root(principal_arn.split(":")[4])
    if session is not None:
        account_id, role_name, session_name = session
    elif arn is not None and arn[1] in ("user", "role"):
        account_id, role_name, session_name = arn[0], arn[3], CAN_DO_SESSION
    else:
        raise IamError("ValidationError", f"not a user, role, session or root ARN: {principal_arn}")
    account = world.account(account_id)
    if arn is not None and arn[1] == "user":
        user = account.users.get(arn[3].lower())
        if user is None or user.arn != principal_arn:
            raise IamError("NoSuchEntity", f"The user with ARN {principal_arn} cannot be found.")
        return Identity("user", account_id, user.arn, user_name=user.name)
    role = account.roles.get(role_name.lower())
    if role is None or (arn is not None and role.arn != principal_arn) or role.name != role_name:
        raise IamError("NoSuchEntity", f"The role of {principal_arn} cannot be found.")
    s = Session("", "", "", "role", account_id, role.role_id, role.name, session_arn(account_id, role.name, session_name),
                session_name, world.now, world.now + 3600)
    return Identity("session", account_id, s.arn, session=s)


def can_do(state: World, principal_arn: str, action: str, resource: str = "*",
           context: Mapping[str, Any] | None = None) -> Decision:
    """Can ``principal_arn`` do ``action`` on ``resource``? The policies in force are the principal's (a user's with
    its groups', or a role's), its boundary, and for ``sts:AssumeRole`` on a role of the state that role's trust
    policy, or for an S3 resource the bucket's policy; the context is what AWS would derive for the principal, then
    ``context`` (which wins)."""
    who = _identity(state, principal_arn)
    resource_policy, resource_account = None, None
    target = parse_iam_arn(resource)
    if target is not None and target[0] in state.accounts:
        resource_account = target[0]
        if target[1] == "role" and action.lower() in TRUST_ACTIONS:
            role = state.accounts[target[0]].roles.get(target[3].lower())
            if role is not None and role.arn == resource:
                resource_policy = parsed(effective_text(state, role.trust), PolicyKind.TRUST)
    elif resource.startswith("arn:aws:s3:::"):
        bucket = state.buckets.get(resource[len("arn:aws:s3:::"):].split("/", 1)[0])
        if bucket is not None:
            resource_account = bucket.owner
            if bucket.policy is not None:
                resource_policy = parsed(bucket.policy.text, PolicyKind.RESOURCE)
    return decide(state, who, Check(action, resource, resource_account, resource_policy, dict(context or {})))
