"""The call dispatcher: one API call on the world, in AWS's order.

1. authenticate the credentials (``InvalidClientTokenId``, ``ExpiredToken``, ``SignatureDoesNotMatch``, ...);
2. validate the parameters (``ValidationError``);
3. authorize every check the call needs through ``spec.authorize`` (``AccessDenied``);
4. make the transition (the operation's own errors: ``NoSuchEntity``, ``EntityAlreadyExists``, ...).

A failure at any step raises ``IamError`` and the world the caller holds is the world before the call.
"""

from __future__ import annotations

from typing import Any

from spec.errors import IamError
from spec.identity import iam_attach, iam_inline, iam_keys, iam_managed, iam_roles, iam_users, s3, sts  # noqa: F401
from spec.identity.auth import Identity, anonymous, authenticate, root
from spec.identity.authz import require
from spec.identity.registry import OPERATIONS, Call
from spec.identity.shapes import validate
from spec.identity.state import World

ROOT = "root"


def identify(world: World, credentials: Any, service: str, account: str | None = None) -> Identity:
    """Who is calling: ``"root"`` (the root user of ``account``, default the world's main account), ``None`` (no
    credentials), or a credentials mapping (AccessKeyId, SecretAccessKey, SessionToken)."""
    if credentials == ROOT:
        acct = account or world.main
        world.account(acct)
        return root(acct)
    if credentials is None:
        if service != "s3":
            raise IamError("MissingAuthenticationToken", "Request is missing Authentication Token")
        return anonymous(account or world.main)
    if not isinstance(credentials, dict):
        raise IamError("ValidationError", "credentials must be \"root\", null or an object")
    return authenticate(world, credentials, service)


def perform(world: World, who: Identity, call: str, params: Any = None) -> tuple[World, dict]:
    """Run ``call`` (``service:Operation``) as ``who``: the new world and AWS's response, or ``IamError``."""
    op = OPERATIONS.get(call)
    if op is None:
        raise IamError("InvalidAction", f"The action {call} is not valid for this model (known: "
                       f"{', '.join(sorted(OPERATIONS))})")
    if who.kind == "anonymous" and not call.startswith("s3:"):
        raise IamError("MissingAuthenticationToken", "Request is missing Authentication Token")
    request = Call(world, who, validate(op.shape, params))
    for check in op.checks(request):
        require(world, who, check)
    return op.apply(request)


def invoke(world: World, credentials: Any, call: str, params: Any = None,
           account: str | None = None) -> tuple[World, dict]:
    """Authenticate, then perform: the whole of one API call."""
    return perform(world, identify(world, credentials, call.partition(":")[0], account), call, params)
