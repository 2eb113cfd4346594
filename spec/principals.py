"""Principals: who is calling, and whether a Principal/NotPrincipal element names them.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spec.errors import malformed

_ACCOUNT = re.compile(r"^\d{12}$")
# Rule *unique IDs in trust policies*: IAM stores a named user or role as its unique ID and shows the bare ID
# (AIDA..., AROA...) once that principal is deleted; such a value names no current caller
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
_UNIQUE_ID = re.compile(r"^A(IDA|ROA|GPA|IPA)[A-Z0-9]{8,}$")
_PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
_IAM_ARN = re.compile(r"^arn:(?P<partition>[^:]+):(?P<service>iam|sts)::(?P<account>\d{12}):(?P<resource>.+)$")


class CallerKind(enum.Enum):
    """The kinds of principal that make requests (iam-semantics §1.1)."""

    UNSPECIFIED = "unspecified"  # no caller given: only identity-side policies are evaluated
    ROOT = "root"
    USER = "user"
    ROLE = "role"  # a request made as the role (a session of unknown name)
    SESSION = "session"  # arn:aws:sts::ACCT:assumed-role/ROLE/SESSION
    FEDERATED = "federated"  # arn:aws:sts::ACCT:federated-user/NAME (GetFederationToken)
    SERVICE = "service"  # lambda.amazonaws.com
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Caller:
    """A parsed request principal: its kind, account, ARN, and for a session its role's name."""

    kind: CallerKind
    arn: str | None = None
    account: str | None = None
    role_name: str | None = None
    service_linked: bool = False

    @property
    def is_session(self) -> bool:
        return self.kind in (CallerKind.ROLE, CallerKind.SESSION, CallerKind.FEDERATED)


@lru_cache(maxsize=4096)
def parse_caller(principal: str | None) -> Caller:
    """Read the request's principal string (formats/decision-case.md) into a ``Caller``.

    A role whose path begins ``/aws-service-role/`` is a service-linked role
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html).
    """
    if principal is None:
        return Caller(CallerKind.UNSPECIFIED)
    if principal == "anonymous":
        return Caller(CallerKind.ANONYMOUS, "anonymous")
    m = _IAM_ARN.match(principal)
    if m is None:
        return Caller(CallerKind.SERVICE, principal)
    account, resource, service = m["account"], m["resource"], m["service"]
    if service == "iam" and resource == "root":
        return Caller(CallerKind.ROOT, principal, account)
    if service == "iam" and resource.startswith("user/"):
        return Caller(CallerKind.USER, principal, account)
    if service == "iam" and resource.startswith("role/"):
        name = resource.rsplit("/", 1)[-1]
        return Caller(CallerKind.ROLE, principal, account, name, resource.startswith("role/aws-service-role/"))
    if service == "sts" and resource.startswith("assumed-role/") and resource.count("/") >= 2:
        role = resource.split("/")[1]
        return Caller(CallerKind.SESSION, principal, account, role)
    if service == "sts" and resource.startswith("federated-user/"):
        return Caller(CallerKind.FEDERATED, principal, account)
    return Caller(CallerKind.SERVICE, principal, account)


class Grant(enum.IntEnum):
    """How a resource-policy statement names the caller (iam-semantics §4.3)."""

    NONE = 0
    ACCOUNT = 1  # the caller's account: delegation, an identity-policy allow is still needed
    VIA_ROLE = 2  # the role ARN of the calling session: the session's boundary and session policy still apply
    DIRECT = 3  # the caller itself (user, session, federated-user ARN, service) or "*"


@dataclass(frozen=True)
class PrincipalSpec:
    """A Principal or NotPrincipal element: ``"*"`` or principals listed by type."""

    wildcard: bool
    aws: frozenset[str]
    service: frozenset[str]
    federated: frozenset[str]
    canonical: frozenset[str]


def _account_root(value: str) -> str:
    """Rule *account principal*: ``"123456789012"`` is the same as ``arn:aws:iam::123456789012:root``."""
    return f"arn:aws:iam::{value}:root" if _ACCOUNT.match(value) else value


def parse_principal(raw: Any, where: str) -> PrincipalSpec:
    """Rule *principal forms*: ``"*"``, or an object with keys AWS, Service, Federated, CanonicalUser each holding a
    string or a list; "You cannot use a wildcard to match part of a principal name or ARN"."""
    if raw == "*":
        return PrincipalSpec(True, frozenset(), frozenset(), frozenset(), frozenset())
    if not isinstance(raw, dict) or not raw:
        raise malformed('Invalid principal in policy: must be "*" or an object', where)
    values: dict[str, frozenset[str]] = {}
    for key, value in raw.items():
        if key not in _PRINCIPAL_KEYS:
            raise malformed(f"Invalid principal in policy: unknown principal type {key!r}", f"{where}.{key}")
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, str) and v for v in items):
            raise malformed("Invalid principal in policy: values must be non-empty strings", f"{where}.{key}")
        if key == "AWS":
            for v in items:
                if v != "*" and not (_ACCOUNT.match(v) or _UNIQUE_ID.match(v)
                                     or (v.startswith("arn:") and "*" not in v and "?" not in v)):
                    raise malformed(f"Invalid principal in policy: {v!r}", f"{where}.AWS")
            items = [_account_root(v) for v in items]
        values[key] = frozenset(items)
    aws = values.get("AWS", frozenset())
    return PrincipalSpec("*" in aws, aws - {"*"}, values.get("Service", frozenset()),
                         values.get("Federated", frozenset()), values.get("CanonicalUser", frozenset()))


def _role_arns(spec: PrincipalSpec, caller: Caller) -> bool:
    """A role ARN (any path) in the element names the calling session's role."""
    for arn in spec.aws:
        m = _IAM_ARN.match(arn)
        if m and m["service"] == "iam" and m["account"] == caller.account and m["resource"].startswith("role/") \
                and m["resource"].rsplit("/", 1)[-1] == caller.role_name:
            return True
    return False


def grant_for(spec: PrincipalSpec, caller: Caller) -> Grant:
    """Rule *whom a Principal names*: ``"*"`` is everyone, anonymous included; an account names every principal of
    that account ("does not limit permissions to only the root user"); a user, session or federated-user ARN names
    exactly that caller (case-sensitively); a role ARN names the sessions of that role (the session's own limits
    still apply, iam-semantics §4.3); ``Service`` names that service principal (case-sensitive)."""
    if spec.wildcard:
        return Grant.DIRECT
    if caller.kind in (CallerKind.UNSPECIFIED, CallerKind.ANONYMOUS):
        return Grant.NONE
    if caller.kind is CallerKind.SERVICE:
        return Grant.DIRECT if caller.arn in spec.service else Grant.NONE
    if caller.arn in spec.aws and caller.kind is not CallerKind.ROLE:
        return Grant.DIRECT if caller.kind is not CallerKind.ROOT else Grant.ACCOUNT
    if caller.kind in (CallerKind.ROLE, CallerKind.SESSION) and _role_arns(spec, caller):
        return Grant.VIA_ROLE
    if f"arn:aws:iam::{caller.account}:root" in spec.aws:
        return Grant.ACCOUNT
    return Grant.NONE


def not_principal_excludes(spec: PrincipalSpec, caller: Caller) -> bool:
    """Rule *NotPrincipal*: the statement applies to every caller except those listed. AWS "may validate the
    account, then the role, then the session", so a caller is exempt only when each of its identities (account,
    role, session; or account, user) is listed (iam-semantics §2.2)."""
    if spec.wildcard:
        return True
    if caller.kind is CallerKind.SERVICE:
        return caller.arn in spec.service
    if caller.kind in (CallerKind.UNSPECIFIED, CallerKind.ANONYMOUS):
        return False
    chain = [f"arn:aws:iam::{caller.account}:root"]
    if caller.kind in (CallerKind.ROLE, CallerKind.SESSION):
        chain_ok = _role_arns(spec, caller)
        if caller.kind is CallerKind.SESSION:
            chain_ok = chain_ok and caller.arn in spec.aws
        return chain_ok and chain[0] in spec.aws
    if caller.kind is not CallerKind.ROOT:
        chain.append(caller.arn or "")
    return all(c in spec.aws for c in chain)
