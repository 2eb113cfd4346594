"""What every translator needs from a decision case (``formats/decision-case.md``): its parts, read defensively."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# The account a translator uses when a target needs one and the case states none (no principal ARN, no
# resource_account). It is AWS's documentation example account.
DEFAULT_ACCOUNT = "123456789012"

_ACCOUNT = re.compile(r"^\d{12}$")


class CaseShapeError(ValueError):
    """The case is not a decision case a translator can read; ``where`` is a JSON path into it."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def as_error(self) -> dict:
        out = {"code": "ValidationError", "message": self.message}
        if self.where:
            out["where"] = self.where
        return out


@dataclass
class CaseParts:
    """A decision case split into what a target needs; policy documents are left exactly as given."""

    id: Any
    identity: list[Any] = field(default_factory=list)
    group: list[Any] = field(default_factory=list)
    boundary: Any = None
    scps: list[dict] | None = None
    rcps: list[dict] | None = None
    resource_policy: Any = None
    session_policy: Any = None
    vpce: list[Any] | None = None
    principal: str | None = None
    action: str = ""
    resource: str = "*"
    resource_account: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    context_types: dict[str, str] = field(default_factory=dict)

    def context_value(self, key: str) -> Any:
        """The context value of ``key`` (keys are case-insensitive), or ``None``."""
        lowered = key.lower()
        for name, value in self.context.items():
            if name.lower() == lowered:
                return value
        return None

    @property
    def principal_account(self) -> str | None:
        return account_of(self.principal)

    @property
    def same_account(self) -> bool:
        return self.resource_account is None or self.resource_account == self.principal_account


def _list(case: dict, key: str, nullable: bool) -> list | None:
    value = case.get(key)
    if value is None:
        if nullable:
            return None
        return []
    if not isinstance(value, list):
        raise CaseShapeError(f"{key} must be a list", key)
    return value


def _levels(case: dict, key: str) -> list[dict] | None:
    levels = _list(case, key, nullable=True)
    if not levels:
        return None
    for i, level in enumerate(levels):
        if not isinstance(level, dict) or not isinstance(level.get("policies", []), list):
            raise CaseShapeError(f'each level of {key} must be {{"level": ..., "policies": [...]}}', f"{key}[{i}]")
    return levels


def read_case(case: Any) -> CaseParts:
    """Split a decision case into :class:`CaseParts`, or raise :class:`CaseShapeError`."""
    if not isinstance(case, dict):
        raise CaseShapeError("a decision case must be a JSON object")
    request = case.get("request")
    if not isinstance(request, dict):
        raise CaseShapeError("the case has no request object", "request")
    action = request.get("action")
    if not isinstance(action, str) or not action:
        raise CaseShapeError("request.action must be a non-empty string", "request.action")
    resource = request.get("resource", "*")
    if resource is None:
        resource = "*"
    if not isinstance(resource, str):
        raise CaseShapeError("request.resource must be a string", "request.resource")
    principal = request.get("principal")
    if principal is not None and not isinstance(principal, str):
        raise CaseShapeError("request.principal must be a string or null", "request.principal")
    context = request.get("context") or {}
    if not isinstance(context, dict):
        raise CaseShapeError("request.context must be an object", "request.context")
    types = request.get("context_types") or {}
    if not isinstance(types, dict):
        raise CaseShapeError("request.context_types must be an object", "request.context_types")
    resource_account = request.get("resource_account")
    if resource_account is not None and not isinstance(resource_account, str):
        raise CaseShapeError("request.resource_account must be a string or null", "request.resource_account")
    return CaseParts(
        id=case.get("id"),
        identity=_list(case, "identity_policies", nullable=False) or [],
        group=_list(case, "group_policies", nullable=False) or [],
        boundary=case.get("permission_boundary"),
        scps=_levels(case, "scps"),
        rcps=_levels(case, "rcps"),
        resource_policy=case.get("resource_policy"),
        session_policy=case.get("session_policy"),
        vpce=_list(case, "vpc_endpoint_policies", nullable=True),
        principal=principal,
        action=action,
        resource=resource,
        resource_account=resource_account,
        context=dict(context),
        context_types=dict(types),
    )


def account_of(arn: str | None) -> str | None:
    """The 12-digit account of an IAM/STS ARN (or of a bare account id), else ``None``."""
    if not arn:
        return None
    if _ACCOUNT.match(arn):
        return arn
    parts = arn.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and _ACCOUNT.match(parts[4]):
        return parts[4]
    return None


def principal_kind(arn: str | None) -> str:
    """``user`` | ``role`` | ``assumed-role`` | ``federated-user`` | ``root`` | ``service`` | ``anonymous`` |
    ``unstated`` | ``other``: what kind of caller a case's ``request.principal`` names."""
    if arn is None:
        return "unstated"
    if arn == "anonymous" or arn == "*":
        return "anonymous"
    if arn.endswith(".amazonaws.com") and not arn.startswith("arn:"):
        return "service"
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "other"
    service, resource = parts[2], parts[5]
    if service == "iam" and resource == "root":
        return "root"
    if service == "iam" and resource.startswith("user/"):
        return "user"
    if service == "iam" and resource.startswith("role/"):
        return "role"
    if service == "sts" and resource.startswith("assumed-role/"):
        return "assumed-role"
    if service == "sts" and resource.startswith("federated-user/"):
        return "federated-user"
    return "other"


def role_of_session(arn: str) -> str | None:
    """The role ARN behind an assumed-role session ARN (``arn:aws:sts::A:assumed-role/R/S`` -> ``...:role/R``)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[5].startswith("assumed-role/"):
        return None
    role_name = parts[5].split("/")[1]
    return f"arn:{parts[1]}:iam::{parts[4]}:role/{role_name}"


def as_document(doc: Any) -> Any:
    """A policy document as a JSON value: a string holding JSON is parsed; anything else is returned unchanged."""
    if isinstance(doc, str):
        try:
            return json.loads(doc)
        except json.JSONDecodeError:
            return doc
    return doc


def as_text(doc: Any) -> str:
    """A policy document as the JSON text IAM would store (a string is returned unchanged)."""
    return doc if isinstance(doc, str) else json.dumps(doc)
