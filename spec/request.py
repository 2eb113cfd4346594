"""The request: who asks to do what to which resource, in what context.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/intro-structure.html#intro-structure-request
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from spec.errors import IamError

ContextValue = str | tuple[str, ...]
LIST_TYPES = frozenset({"stringlist", "numericlist", "booleanlist", "datelist", "iplist", "binarylist", "arnlist"})


@dataclass(frozen=True)
class Request:
    """One request. ``context`` keys are lower-cased ("Condition key names are not case-sensitive",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html); a tuple value
    is a multivalued key."""

    action: str
    resource: str = "*"
    principal: str | None = None
    resource_account: str | None = None
    context: Mapping[str, ContextValue] = field(default_factory=lambda: MappingProxyType({}))
    context_types: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def service(self) -> str:
        return self.action.partition(":")[0].lower()


def _context_value(key: str, value: object, typ: str | None) -> ContextValue:
    if isinstance(value, (list, tuple)):
        return tuple(_scalar(key, v) for v in value)
    text = _scalar(key, value)
    return (text,) if typ and typ.lower() in LIST_TYPES else text


def _scalar(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise IamError("ValidationError", f"context value of {key!r} must be a string or a list of strings",
                   f"request.context.{key}")


def make_request(action: str, resource: str = "*", principal: str | None = None,
                 resource_account: str | None = None, context: Mapping[str, object] | None = None,
                 context_types: Mapping[str, str] | None = None) -> Request:
    """Build a request, refusing what cannot be a request (``ValidationError``): an action that is not
    ``service:Name`` (wildcards are not allowed in a request's action), a resource that is empty."""
    if not isinstance(action, str) or action.count(":") != 1 or not all(action.partition(":")[::2]) \
            or "*" in action or "?" in action:
        raise IamError("ValidationError", f"the request's action must be service:ActionName, got {action!r}",
                       "request.action")
    if not isinstance(resource, str) or not resource:
        raise IamError("ValidationError", "the request's resource must be an ARN or \"*\"", "request.resource")
    if principal is not None and not isinstance(principal, str):
        raise IamError("ValidationError", "the request's principal must be a string or null", "request.principal")
    if resource_account is not None and not (isinstance(resource_account, str) and resource_account.isdigit()
                                             and len(resource_account) == 12):
        raise IamError("ValidationError", "resource_account must be a 12-digit account id",
                       "request.resource_account")
    types = {k.lower(): str(v) for k, v in (context_types or {}).items()}
    ctx = {k.lower(): _context_value(k, v, types.get(k.lower())) for k, v in (context or {}).items()}
    return Request(action, resource, principal, resource_account, MappingProxyType(ctx), MappingProxyType(types))
