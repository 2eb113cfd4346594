"""The request context AWS derives for a caller: the global condition keys of the principal and the request.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html (iam-semantics §3.5):
- ``aws:username`` is present only for IAM users; ``aws:userid`` is the user ID, ``ROLEID:session-name`` for a
  role session, the account ID for root; ``aws:PrincipalArn`` is the user's, the root's, or for a role session
  the *role's* ARN; ``aws:PrincipalType`` is ``User``, ``AssumedRole`` or ``Account``;
- ``aws:PrincipalTag/*``: the user's tags, or the role's tags overridden by the session tags (case-insensitive
  keys, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html);
- ``aws:TokenIssueTime`` and ``aws:MultiFactorAuthPresent`` are present only for temporary credentials ("never
  present when an API or CLI command is called with long-term credentials");
- ``aws:CurrentTime``, ``aws:EpochTime``, ``aws:SecureTransport``, ``aws:SourceIp``, ``aws:RequestedRegion``,
  ``aws:PrincipalIsAWSService``, ``aws:ViaAWSService`` are present on every signed request.

The source IP and region of a request are fixed (iamspec decision: a scenario has no network):
``SOURCE_IP`` and ``REGION`` below; every call is made over HTTPS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spec.identity.clock import iso
from spec.identity.state import World, role_by_id, user_by_id

if TYPE_CHECKING:
    from spec.identity.auth import Identity

SOURCE_IP = "203.0.113.10"  # TEST-NET-3 (RFC 5737): a documentation address
REGION = "us-east-1"  # IAM and STS's global endpoint; S3 buckets are created here


def _tags(ctx: dict, tags: tuple[tuple[str, str], ...]) -> None:
    for key, value in tags:
        ctx[f"aws:PrincipalTag/{key}"] = value


def _merged_tags(base: tuple[tuple[str, str], ...], over: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Role tags overridden by session tags with the same key, compared without regard to case."""
    keys = {k.lower() for k, _ in over}
    return tuple((k, v) for k, v in base if k.lower() not in keys) + over


def principal_context(world: World, who: Identity) -> tuple[dict, dict]:
    """The context keys (and their types) that describe the caller and the moment of the request."""
    ctx: dict = {"aws:CurrentTime": iso(world.now), "aws:EpochTime": str(world.now),
                 "aws:SecureTransport": "true", "aws:SourceIp": SOURCE_IP, "aws:RequestedRegion": REGION,
                 "aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"}
    types = {"aws:CurrentTime": "date", "aws:EpochTime": "numeric", "aws:SecureTransport": "boolean",
             "aws:SourceIp": "ip", "aws:PrincipalIsAWSService": "boolean", "aws:ViaAWSService": "boolean"}
    if who.kind == "anonymous":
        return ctx, types
    ctx["aws:PrincipalAccount"] = who.account
    if who.kind == "root":
        ctx.update({"aws:PrincipalArn": who.arn, "aws:PrincipalType": "Account", "aws:userid": who.account})
    elif who.kind == "session":
        assert who.session is not None
        s = who.session
        role = role_by_id(world, who.account, s.entity_id)
        role_arn = role.arn if role is not None else f"arn:aws:iam::{s.account}:role/{s.entity_name}"
        ctx.update({"aws:PrincipalArn": role_arn, "aws:PrincipalType": "AssumedRole",
                    "aws:userid": f"{s.entity_id}:{s.session_name}"})
        _tags(ctx, _merged_tags(role.tags if role is not None else (), s.tags))
        if s.source_identity is not None:
            ctx["aws:SourceIdentity"] = s.source_identity
    else:
        user = None
        if who.session is not None:
            user = user_by_id(world, who.account, who.session.entity_id)
        else:
            account = world.accounts.get(who.account)
            user = account.users.get((who.user_name or "").lower()) if account is not None else None
        ctx.update({"aws:PrincipalArn": who.arn, "aws:PrincipalType": "User", "aws:username": who.user_name or "",
                    "aws:userid": user.user_id if user is not None else (who.session.entity_id if who.session else "")})
        if user is not None:
            _tags(ctx, user.tags)
    if who.session is not None:
        ctx["aws:TokenIssueTime"] = iso(who.session.issued)
        ctx["aws:MultiFactorAuthPresent"] = "true" if who.session.mfa else "false"
        types.update({"aws:TokenIssueTime": "date", "aws:MultiFactorAuthPresent": "boolean"})
        if who.session.mfa:
            ctx["aws:MultiFactorAuthAge"] = str(world.now - who.session.issued)
            types["aws:MultiFactorAuthAge"] = "numeric"
    return ctx, types


def resource_tag_context(tags: tuple[tuple[str, str], ...]) -> dict:
    """``aws:ResourceTag/*`` and ``iam:ResourceTag/*`` of the IAM user or role a call acts on
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html)."""
    out = {}
    for key, value in tags:
        out[f"aws:ResourceTag/{key}"] = value
        out[f"iam:ResourceTag/{key}"] = value
    return out


def request_tag_context(tags: tuple[tuple[str, str], ...]) -> dict:
    """``aws:RequestTag/*`` and ``aws:TagKeys`` of a call that passes tags."""
    if not tags:
        return {}
    out: dict = {f"aws:RequestTag/{k}": v for k, v in tags}
    out["aws:TagKeys"] = tuple(k for k, _ in tags)
    return out
