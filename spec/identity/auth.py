"""Authentication: which principal a set of credentials is, or AWS's refusal of them.

Rules:
- an unknown access key ID is ``InvalidClientTokenId`` ("The security token included in the request is invalid";
  S3: ``InvalidAccessKeyId``), https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html;
- an ``Inactive`` key "cannot be used" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html):
  refused as an unknown one;
- expired temporary credentials: "AWS no longer recognizes them" -> ``ExpiredToken`` ("The security token included
  in the request is expired"; iam-semantics §6.2), checked before any policy; credentials are expired from the
  instant ``Expiration`` itself (iamspec decision: ``now >= Expiration``);
- a wrong secret is ``SignatureDoesNotMatch``; a missing or wrong session token on temporary credentials, or one on
  long-term ones, is ``InvalidClientTokenId`` (S3: ``InvalidToken``) (iamspec decision for the last case);
- GetSessionToken credentials "cannot call any IAM API operations unless MFA authentication information is
  included" (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html); AWS answers
  ``InvalidClientTokenId`` (observed: https://github.com/aws/aws-sdk-js/issues/460).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spec.errors import IamError
from spec.identity.entities import Session
from spec.identity.ids import root_arn
from spec.identity.state import World, find_access_key


@dataclass(frozen=True)
class Identity:
    """The authenticated caller of one request."""

    kind: str  # "root" | "user" | "session" (role session) | "user-session" (GetSessionToken) | "anonymous"
    account: str
    arn: str  # the request's principal: root, user or assumed-role session ARN ("anonymous" if none)
    user_name: str | None = None  # for "user" and "user-session"
    session: Session | None = None
    key_id: str | None = None

    @property
    def temporary(self) -> bool:
        return self.session is not None


def root(account: str) -> Identity:
    return Identity("root", account, root_arn(account))


def anonymous(account: str) -> Identity:
    """A request without credentials (S3 only evaluates it, against the bucket policy)."""
    return Identity("anonymous", account, "anonymous")


def _refuse(service: str, iam_code: str, s3_code: str, message: str) -> IamError:
    return IamError(s3_code if service == "s3" else iam_code, message)


def authenticate(world: World, creds: dict[str, Any], service: str) -> Identity:
    """The principal that ``creds`` (AccessKeyId, SecretAccessKey, SessionToken) authenticate, at ``world.now``."""
    key_id, secret, token = creds.get("AccessKeyId"), creds.get("SecretAccessKey"), creds.get("SessionToken")
    invalid_key = "The security token included in the request is invalid."
    if not isinstance(key_id, str) or not key_id:
        raise IamError("MissingAuthenticationToken", "Request is missing Authentication Token")
    session = world.sessions.get(key_id)
    if session is not None:
        if token != session.token:
            raise _refuse(service, "InvalidClientTokenId", "InvalidToken", invalid_key)
        if world.now >= session.expires:
            raise IamError("ExpiredToken", "The security token included in the request is expired")
        if secret != session.secret:
            raise IamError("SignatureDoesNotMatch", "The request signature we calculated does not match the "
                           "signature you provided. Check your AWS Secret Access Key and signing method.")
        if session.kind in ("user", "root") and service == "iam" and not session.mfa:
            raise IamError("InvalidClientTokenId", invalid_key)
        if session.kind == "role":
            return Identity("session", session.account, session.arn, session=session, key_id=key_id)
        if session.kind == "root":
            return Identity("root", session.account, session.arn, session=session, key_id=key_id)
        return Identity("user-session", session.account, session.arn, user_name=session.entity_name,
                        session=session, key_id=key_id)
    found = find_access_key(world, key_id)
    if found is None or found[2].status != "Active":
        raise _refuse(service, "InvalidClientTokenId", "InvalidAccessKeyId",
                      "The AWS Access Key Id you provided does not exist in our records." if service == "s3"
                      else invalid_key)
    if token is not None:
        raise _refuse(service, "InvalidClientTokenId", "InvalidToken", invalid_key)
    account, user, key = found
    if secret != key.secret:
        raise IamError("SignatureDoesNotMatch", "The request signature we calculated does not match the signature "
                       "you provided. Check your AWS Secret Access Key and signing method.")
    if user is None:
        return Identity("root", account, root_arn(account), key_id=key_id)
    return Identity("user", account, user.arn, user_name=user.name, key_id=key_id)
