"""STS: AssumeRole, GetSessionToken, GetCallerIdentity (iam-semantics §5, §6.2).

AssumeRole (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html):
- callers are IAM users and role sessions: "You cannot assume a role when you are signed in as the AWS account root
  user" (wire: ``AccessDenied`` "Roles may not be assumed by root accounts.");
- authorized as ``sts:AssumeRole`` on the role ARN with the role's trust policy as the resource policy, the caller's
  own policies, boundary and session policy, and its account's SCPs (plus ``sts:TagSession`` when tags are passed,
  ``sts:SetSourceIdentity`` when a source identity is); a role that does not exist is refused the same way
  (``AccessDenied``: STS does not reveal whether a role exists -- iamspec decision); ``RoleArn`` must name the role
  exactly ("Role names are case sensitive when you assume a role");
- ``DurationSeconds`` 900..43200, default 3600, at most the role's ``MaxSessionDuration`` and at most 3600 when the
  caller holds temporary credentials (role chaining) -- ``ValidationError``, never clamped; the last two are
  checked after authorization (iamspec decision: the role's settings are not revealed to who may not assume it);
- several session policies (inline and by ARN) together form the session policy: a request is within it when
  one of them allows it and none denies it (iamspec decision, as for several identity policies);
- the session is ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION``, ``AssumedRoleId`` = ``ROLEID:SESSION``, key
  ``ASIA...``; source identity and transitive tags carry down a chain and cannot be changed.
GetSessionToken (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html): users and root
only; "No permissions are required"; users 900..129600 s, default 43200; root at most 3600 ("defaults to one hour").
GetCallerIdentity: "No permissions are required ... you can still perform this operation" even under an explicit
deny (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
"""

from __future__ import annotations

from dataclasses import replace

from spec.errors import IamError
from spec.identity.authz import Check, managed_text
from spec.identity.clock import iso
from spec.identity.context import request_tag_context
from spec.identity.documents import effective_text, parsed
from spec.identity.entities import Role, Session
from spec.identity.ids import TEMPORARY_KEY, parse_iam_arn, secret_key, session_arn, session_token, unique_id
from spec.identity.registry import Call, no_checks, operation
from spec.identity.shapes import DOC_CHARS, TAGS, Field
from spec.identity.state import World
from spec.policy import PolicyKind

CHAINED_MAX = 3600
NAME_CHARS = r"[\w+=,.@-]*"
MFA = {"SerialNumber": Field("str", False, 9, 256, r"[\w+=/:,.@-]*"),
       "TokenCode": Field("str", False, 6, 6, r"[\d]*")}
ASSUME_ROLE = {
    "RoleArn": Field("str", True, 20, 2048), "RoleSessionName": Field("str", True, 2, 64, NAME_CHARS),
    "PolicyArns": Field("arns", False, 0, 10), "Policy": Field("doc", False, 1, 2048, DOC_CHARS),
    "DurationSeconds": Field("int", False, 900, 43200), "Tags": TAGS,
    "TransitiveTagKeys": Field("keys", False, 0, 50), "ExternalId": Field("str", False, 2, 1224, r"[\w+=,.@:\/-]*"),
    "SourceIdentity": Field("str", False, 2, 64, NAME_CHARS), **MFA,
}


def _role(world: World, arn: str) -> Role | None:
    """The role ``RoleArn`` names, matched exactly (name case and path as stored)."""
    parsed_arn = parse_iam_arn(arn)
    if parsed_arn is None or parsed_arn[1] != "role" or parsed_arn[0] not in world.accounts:
        return None
    role = world.accounts[parsed_arn[0]].roles.get(parsed_arn[3].lower())
    return role if role is not None and role.arn == arn else None


def _mfa(params) -> bool:
    """MFA information is present when both ``SerialNumber`` and ``TokenCode`` are given. The model keeps no MFA
    devices, so any well-formed pair counts as valid (iamspec decision); one without the other is refused."""
    given = ("SerialNumber" in params, "TokenCode" in params)
    if given[0] != given[1]:
        raise IamError("ValidationError", "SerialNumber and TokenCode must be given together")
    return all(given)


def _assume_role_checks(call: Call) -> tuple[Check, ...]:
    p, who = call.params, call.who
    if who.kind == "root":
        raise IamError("AccessDenied", "Roles may not be assumed by root accounts.")
    if p.get("SourceIdentity", "").lower().startswith("aws:"):
        raise IamError("ValidationError", "SourceIdentity must not start with aws:")
    role = _role(call.world, p["RoleArn"])
    trust = parsed(effective_text(call.world, role.trust), PolicyKind.TRUST) if role is not None else None
    arn_account = p["RoleArn"].split(":")[4] if p["RoleArn"].count(":") >= 5 else ""
    account = arn_account if arn_account.isdigit() and len(arn_account) == 12 else None
    ctx: dict = {"sts:RoleSessionName": p["RoleSessionName"], **request_tag_context(p.get("Tags", ()))}
    for param, key in (("ExternalId", "sts:ExternalId"), ("SourceIdentity", "sts:SourceIdentity")):
        if param in p:
            ctx[key] = p[param]
    if "TransitiveTagKeys" in p:
        ctx["sts:TransitiveTagKeys"] = p["TransitiveTagKeys"]
    if _mfa(p):
        ctx.update({"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"})
    checks = [Check("sts:AssumeRole", p["RoleArn"], account, trust, ctx)]
    if "Tags" in p or "TransitiveTagKeys" in p:
        checks.append(Check("sts:TagSession", p["RoleArn"], account, trust, ctx))
    if "SourceIdentity" in p:
        checks.append(Check("sts:SetSourceIdentity", p["RoleArn"], account, trust, ctx))
    return tuple(checks)


def _session_policies(world: World, role: Role, params) -> tuple[str, ...]:
    """The inline session policy, then each ``PolicyArns`` policy (AWS managed, or customer managed in the role's
    account: "must exist in the same account as the role"). An ARN that names no such policy is refused with
    ``MalformedPolicyDocument`` (iamspec decision on the code)."""
    texts = []
    if "Policy" in params:
        parsed(params["Policy"], PolicyKind.SESSION)
        texts.append(params["Policy"])
    role_account = role.arn.split(":")[4]
    for arn in params.get("PolicyArns", ()):
        parsed_arn = parse_iam_arn(arn.replace("::aws:", "::000000000000:", 1))
        text = managed_text(world, role_account, arn) if parsed_arn and parsed_arn[1] == "policy" else None
        if text is None:
            raise IamError("MalformedPolicyDocument", f"Policy {arn} does not exist or is not attachable.")
        parsed(text, PolicyKind.SESSION)
        texts.append(text)
    return tuple(texts)


def _tags(caller: Session | None, params) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Session tags: the caller's incoming transitive tags plus the ones passed. Passing a key equal to an
    inherited transitive one fails, and ``TransitiveTagKeys`` must name passed tags
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining); both
    refusals are ``ValidationError`` (iamspec decision on the code)."""
    inherited = tuple((k, v) for k, v in caller.tags if k.lower() in caller.transitive) if caller else ()
    passed = params.get("Tags", ())
    taken = {k.lower() for k, _ in inherited}
    clash = next((k for k, _ in passed if k.lower() in taken), None)
    if clash is not None:
        raise IamError("ValidationError", f"Tag key {clash} is an inherited transitive session tag and cannot be set")
    passed_keys = {k.lower() for k, _ in passed}
    extra = next((k for k in params.get("TransitiveTagKeys", ()) if k.lower() not in passed_keys), None)
    if extra is not None:
        raise IamError("ValidationError", f"Transitive tag key {extra} is not one of the session tags")
    transitive = tuple(sorted(taken | {k.lower() for k in params.get("TransitiveTagKeys", ())}))
    return inherited + passed, transitive


@operation("sts:AssumeRole", ASSUME_ROLE, _assume_role_checks)
def assume_role(call: Call):
    p, who = call.params, call.who
    role = _role(call.world, p["RoleArn"])
    if role is None:  # unreachable after authorization; kept as a guard
        raise IamError("AccessDenied", f"User: {who.arn} is not authorized to perform: sts:AssumeRole on resource: "
                       f"{p['RoleArn']}")
    duration = p.get("DurationSeconds", 3600)
    if duration > role.max_session:
        raise IamError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for "
                       "this role.")
    if who.temporary and duration > CHAINED_MAX:
        raise IamError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                       "assumed by role chaining.")
    caller = who.session if who.kind == "session" else None
    source = caller.source_identity if caller else None
    # "After you set the source identity, it cannot be changed": a different value later in the chain is
    # ValidationError (iamspec decision on the code).
    if "SourceIdentity" in p and source is not None and p["SourceIdentity"] != source:
        raise IamError("ValidationError", "The source identity of a role chain cannot be changed")
    tags, transitive = _tags(caller, p)
    policies = _session_policies(call.world, role, p)
    world, serial = call.world.next_serial()
    account = role.arn.split(":")[4]
    name = p["RoleSessionName"]
    session = Session(unique_id(TEMPORARY_KEY, serial), secret_key(serial), session_token(serial), "role", account,
                      role.role_id, role.name, session_arn(account, role.name, name), name, world.now,
                      world.now + duration, policies, tuple(p.get("PolicyArns", ())),
                      p.get("SourceIdentity", source), tags, transitive, who.temporary, _mfa(p))
    world = replace(world, sessions=world.sessions.set(session.key_id, session))
    out = {"Credentials": _credentials(session),
           "AssumedRoleUser": {"AssumedRoleId": f"{role.role_id}:{name}", "Arn": session.arn}}
    if session.source_identity is not None:
        out["SourceIdentity"] = session.source_identity
    return world, out


def _credentials(session: Session) -> dict:
    return {"AccessKeyId": session.key_id, "SecretAccessKey": session.secret, "SessionToken": session.token,
            "Expiration": iso(session.expires)}


@operation("sts:GetSessionToken", {"DurationSeconds": Field("int", False, 900, 129600), **MFA}, no_checks)
def get_session_token(call: Call):
    who, p = call.who, call.params
    if who.temporary:
        raise IamError("AccessDenied", "Cannot call GetSessionToken with session credentials")
    if who.kind == "root":
        duration = min(p.get("DurationSeconds", 3600), 3600)
        entity_id, name = who.account, None
    else:
        duration = p.get("DurationSeconds", 43200)
        user = call.account.users.get((who.user_name or "").lower())
        entity_id, name = (user.user_id if user else ""), who.user_name
    world, serial = call.world.next_serial()
    session = Session(unique_id(TEMPORARY_KEY, serial), secret_key(serial), session_token(serial),
                      "root" if who.kind == "root" else "user", who.account, entity_id, name or "", who.arn, None,
                      world.now, world.now + duration, mfa=_mfa(p))
    world = replace(world, sessions=world.sessions.set(session.key_id, session))
    return world, {"Credentials": _credentials(session)}


@operation("sts:GetCallerIdentity", {}, no_checks)
def get_caller_identity(call: Call):
    who = call.who
    if who.kind == "root":
        user_id = who.account
    elif who.kind == "session":
        user_id = f"{who.session.entity_id}:{who.session.session_name}"  # type: ignore[union-attr]
    elif who.session is not None:
        user_id = who.session.entity_id
    else:
        user = call.account.users.get((who.user_name or "").lower())
        user_id = user.user_id if user else ""
    return call.world, {"UserId": user_id, "Account": who.account, "Arn": who.arn}
