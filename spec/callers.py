"""Callers: who makes a request, read from the request's principal string.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html (iam-semantics §1.1).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache

from spec.errors import IamError

_IAM_ARN = re.compile(r"^arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):(?P<service>iam|sts)::"
                      r"(?P<account>\d{12}):(?P<resource>.+)$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com)$")
_NAME = r"[\w+=,.@-]+"
_USER = re.compile(rf"^user/(?:[\x21-\x7e]*/)?{_NAME}$")
_ROLE = re.compile(rf"^role/(?P<path>(?:[\x21-\x7e]*/)?)(?P<name>{_NAME})$")
_SESSION = re.compile(rf"^assumed-role/(?P<role>{_NAME})/(?P<session>{_NAME})$")
_FEDERATED = re.compile(rf"^federated-user/{_NAME}$")
_PROVIDER_ARN = re.compile(r"^(saml-provider|oidc-provider)/.+$")
# Web identity providers named by host in trust policies, besides Cognito (a service host): Login with Amazon,
# Facebook, Google (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
_PROVIDER_HOSTS = frozenset({"www.amazon.com", "graph.facebook.com", "accounts.google.com"})


class CallerKind(enum.Enum):
    """The kinds of principal that make requests."""

    UNSPECIFIED = "unspecified"  # no caller given: only identity-side policies are evaluated
    ROOT = "root"
    USER = "user"
    ROLE = "role"  # a request made as the role (a session of unknown name)
    SESSION = "session"  # arn:aws:sts::ACCT:assumed-role/ROLE/SESSION
    FEDERATED = "federated"  # arn:aws:sts::ACCT:federated-user/NAME (GetFederationToken)
    SERVICE = "service"  # lambda.amazonaws.com (also cognito-identity.amazonaws.com as a web identity provider)
    PROVIDER = "provider"  # a SAML or OIDC identity provider, for AssumeRoleWithSAML / AssumeRoleWithWebIdentity
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Caller:
    """A parsed request principal: its kind, ARN, account and partition, and for a session its role's name."""

    kind: CallerKind
    arn: str | None = None
    account: str | None = None
    role_name: str | None = None
    service_linked: bool = False
    partition: str = "aws"

    @property
    def is_session(self) -> bool:
        return self.kind in (CallerKind.ROLE, CallerKind.SESSION, CallerKind.FEDERATED)

    @property
    def account_root(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:root"


def is_service_linked(role_path: str, role_name: str) -> bool:
    """Rule *service-linked role*: its path is ``/aws-service-role/`` and AWS names it ``AWSServiceRoleFor...``; a
    session ARN carries no path, so a session is recognised by the name
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html)."""
    return role_path.startswith("aws-service-role/") or role_name.startswith("AWSServiceRoleFor")


@lru_cache(maxsize=4096)
def parse_caller(principal: str | None) -> Caller:
    """Read the request's principal (formats/decision-case.md): a user, role, assumed-role session or federated-user
    ARN, the account root, a service principal (``name.amazonaws.com``), ``"anonymous"``, or None; and, for
    ``sts:AssumeRoleWithSAML``/``WithWebIdentity``, the identity provider as a trust policy's ``Federated`` names it
    (a ``saml-provider/``/``oidc-provider/`` ARN or a provider host: iamspec's extension of the format). Anything else
    is refused with ``ValidationError`` (a group is never a principal: "You cannot identify a user group as a
    Principal", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html)."""
    if principal is None:
        return Caller(CallerKind.UNSPECIFIED)
    if principal == "anonymous":
        return Caller(CallerKind.ANONYMOUS, "anonymous")
    if _SERVICE.match(principal):
        return Caller(CallerKind.SERVICE, principal)
    if principal in _PROVIDER_HOSTS:
        return Caller(CallerKind.PROVIDER, principal)
    m = _IAM_ARN.match(principal)
    if m is not None:
        account, resource, service, part = m["account"], m["resource"], m["service"], m["partition"]
        if service == "iam" and resource == "root":
            return Caller(CallerKind.ROOT, principal, account, partition=part)
        if service == "iam" and _USER.match(resource):
            return Caller(CallerKind.USER, principal, account, partition=part)
        if service == "iam" and (r := _ROLE.match(resource)):
            return Caller(CallerKind.ROLE, principal, account, r["name"], is_service_linked(r["path"], r["name"]), part)
        if service == "sts" and (s := _SESSION.match(resource)):
            return Caller(CallerKind.SESSION, principal, account, s["role"], is_service_linked("", s["role"]), part)
        if service == "sts" and _FEDERATED.match(resource):
            return Caller(CallerKind.FEDERATED, principal, account, partition=part)
        if service == "iam" and _PROVIDER_ARN.match(resource):
            return Caller(CallerKind.PROVIDER, principal, account, partition=part)
    raise IamError("ValidationError", f"the request's principal {principal!r} is not a user, role, assumed-role "
                   "session, federated-user or root ARN, a service principal, or \"anonymous\"", "request.principal")
