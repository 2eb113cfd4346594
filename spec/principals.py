"""The Principal and NotPrincipal elements: their grammar, and whether they name a caller.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from spec.callers import Caller, CallerKind, parse_caller  # noqa: F401  (parse_caller: re-exported)
from spec.errors import malformed

_ACCOUNT = re.compile(r"^\d{12}$")
# Rule *unique IDs in trust policies*: IAM stores a named user or role as its unique ID and shows the bare ID
# (AIDA..., AROA...) once that principal is deleted; such a value names no current caller.
_UNIQUE_ID = re.compile(r"^A(IDA|ROA|GPA|IPA)[A-Z0-9]{8,}$")
_PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
_ARN = re.compile(r"^arn:(?P<partition>[^:]+):(?P<service>[^:]*):[^:]*:(?P<account>[^:]*):(?P<resource>.*)$")


class Grant(enum.IntEnum):
    """How a resource-policy statement names the caller (iam-semantics §4.3)."""

    NONE = 0
    ACCOUNT = 1  # the caller's account: delegation, an identity-policy allow is still needed
    VIA_ROLE = 2  # the role ARN of the calling session: the session's boundary and session policy still apply
    DIRECT = 3  # the caller itself (user, session, federated-user ARN, service) or "*"


@dataclass(frozen=True)
class PrincipalSpec:
    """A Principal or NotPrincipal element: ``"*"`` or principals listed by type. An account may be listed by its
    12-digit ID or its root ARN ("123456789012" is the same as arn:aws:iam::123456789012:root)."""

    wildcard: bool
    aws: frozenset[str]  # account IDs appear here as arn:aws:iam::ID:root
    service: frozenset[str]
    federated: frozenset[str]
    canonical: frozenset[str]
    accounts: frozenset[str] = frozenset()  # the account IDs listed bare, which name the account in any partition

    def names_account(self, caller: Caller) -> bool:
        return caller.account in self.accounts or caller.account_root in self.aws


def _aws_value(v: str, where: str) -> None:
    """Rule *AWS principal values*: ``"*"``, an account ID, or an ARN of an account root, user, role, assumed-role
    session or federated user. "You cannot use a wildcard to match part of a principal name or ARN"; a group is
    never a principal ("You cannot identify a user group as a Principal in a policy",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html)."""
    if v == "*" or _ACCOUNT.match(v) or _UNIQUE_ID.match(v):
        return
    m = _ARN.match(v)
    if m is None or "*" in v or "?" in v or (m["service"] == "iam" and m["resource"].startswith("group/")):
        raise malformed(f"Invalid principal in policy: {v!r}", where)


def parse_principal(raw: Any, where: str) -> PrincipalSpec:
    """Rule *principal forms*: ``"*"``, or an object with keys AWS, Service, Federated, CanonicalUser each holding a
    string or a list."""
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
                _aws_value(v, f"{where}.AWS")
        values[key] = frozenset(items)
    aws = values.get("AWS", frozenset())
    accounts = frozenset(v for v in aws if _ACCOUNT.match(v))
    aws = frozenset(f"arn:aws:iam::{v}:root" if v in accounts else v for v in aws)
    return PrincipalSpec("*" in aws, aws - {"*"}, values.get("Service", frozenset()),
                         values.get("Federated", frozenset()), values.get("CanonicalUser", frozenset()), accounts)


def _names_role(spec: PrincipalSpec, caller: Caller) -> bool:
    """A role ARN (any path) in the element names the calling session's role, in the caller's partition."""
    for arn in spec.aws:
        m = _ARN.match(arn)
        if m and m["partition"] == caller.partition and m["service"] == "iam" and m["account"] == caller.account \
                and m["resource"].startswith("role/") and m["resource"].rsplit("/", 1)[-1] == caller.role_name:
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
    if caller.kind in (CallerKind.SERVICE, CallerKind.PROVIDER):
        # Rule *Federated*: a trust policy names a SAML/OIDC provider with "Federated" (Cognito's is also a host
        # name); a service with "Service".
        return Grant.DIRECT if caller.arn in spec.service or caller.arn in spec.federated else Grant.NONE
    if caller.arn in spec.aws and caller.kind not in (CallerKind.ROLE, CallerKind.ROOT):
        return Grant.DIRECT
    if caller.kind in (CallerKind.ROLE, CallerKind.SESSION) and _names_role(spec, caller):
        return Grant.VIA_ROLE
    if spec.names_account(caller):
        return Grant.ACCOUNT
    return Grant.NONE


def not_principal_excludes(spec: PrincipalSpec, caller: Caller) -> bool:
    """Rule *NotPrincipal*: the statement applies to every caller except those listed. AWS "may validate the
    account, then the role, then the session", so a caller is exempt only when each of its identities (account,
    role, session; or account, user) is listed (iam-semantics §2.2)."""
    if spec.wildcard:
        return True
    if caller.kind in (CallerKind.SERVICE, CallerKind.PROVIDER):
        return caller.arn in spec.service or caller.arn in spec.federated
    if caller.kind in (CallerKind.UNSPECIFIED, CallerKind.ANONYMOUS):
        return False
    if not spec.names_account(caller):
        return False
    if caller.kind is CallerKind.ROOT:
        return True
    if caller.kind in (CallerKind.ROLE, CallerKind.SESSION):
        return _names_role(spec, caller) and (caller.kind is CallerKind.ROLE or caller.arn in spec.aws)
    return caller.arn in spec.aws
