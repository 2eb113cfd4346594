"""Decision case -> moto's own evaluator (``moto.iam.access_control``), called as moto calls it.

moto decides a request in ``IAMRequestBase.check_action_permitted(resource)``: it collects the caller's policies
(``collect_policies``: a user's inline + managed + groups' policies, or an assumed role's policies), runs
``IAMPolicy(doc).is_action_permitted`` on each, and, for ``sts:AssumeRole`` on a role that exists in the caller's
account, also the role's trust policy with the caller's ARN and the ``ExternalId`` request parameter. This module
builds an ``IAMRequest`` (moto's class, unmodified) whose caller, action and account come from the case instead of
from an HTTP request, and calls that method; nothing of moto's logic is re-implemented here.

What moto does not look at (permissions boundary, session policy, SCPs, RCPs, VPC endpoint policies, resource
policies other than trust policies, any request context other than ``sts:ExternalId``) is not passed: that is
moto's behaviour, and the conformance report shows it as divergence.

Before deciding, the documents are checked with moto's own validators, as moto checks them when they are stored
(``PutUserPolicy``, ``CreatePolicy``, ``CreateRole``): a refusal is the answer ``MalformedPolicyDocument``.
"""

from __future__ import annotations

import functools
from typing import Any

from harness.translate.common import DEFAULT_ACCOUNT, CaseParts, as_text


def validation_error(parts: CaseParts) -> dict | None:
    """moto's refusal of one of the case's stored documents, as an answer ``error`` object, or ``None``."""
    checks: list[tuple[str, Any, bool]] = []
    checks += [(f"identity_policies[{i}]", d, False) for i, d in enumerate(parts.identity)]
    checks += [(f"group_policies[{i}]", d, False) for i, d in enumerate(parts.group)]
    if parts.boundary is not None:
        checks.append(("permission_boundary", parts.boundary, False))
    if _is_trust_check(parts):
        checks.append(("resource_policy", parts.resource_policy, True))
    for where, doc, trust in checks:
        refused = _refusal(as_text(doc), trust)
        if refused is not None:
            code, message = refused
            return {"code": code, "message": f"moto: {message}", "where": where}
    return None


@functools.lru_cache(maxsize=4096)
def _refusal(text: str, trust: bool) -> tuple[str, str] | None:
    """(code, message) if moto's validator refuses the document (a pure function of its text, hence cached)."""
    from moto.core.exceptions import ServiceException
    from moto.iam.policy_validation import IAMPolicyDocumentValidator, IAMTrustPolicyDocumentValidator

    validator = IAMTrustPolicyDocumentValidator if trust else IAMPolicyDocumentValidator
    try:
        validator(text).validate()
    except ServiceException as exc:  # moto's MalformedPolicyDocument; anything else propagates as a crash
        return str(exc.code), str(exc.message)
    return None


def _is_trust_check(parts: CaseParts) -> bool:
    return parts.action.lower() == "sts:assumerole" and parts.resource_policy is not None


def _caller_arn(parts: CaseParts) -> str:
    # moto has no notion of an unstated caller; it is only used in trust-policy matching and error messages.
    return parts.principal or f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/iamspec-unstated-principal"


def permitted(parts: CaseParts) -> bool:
    """Whether moto's ``check_action_permitted`` lets the case's request through."""
    from moto.core.exceptions import AccessDeniedError
    from moto.iam.exceptions import NotFoundException

    account = parts.principal_account or DEFAULT_ACCOUNT
    documents = [as_text(d) for d in [*parts.identity, *parts.group]]
    caller = _Caller(_caller_arn(parts), documents)
    trust = as_text(parts.resource_policy) if _is_trust_check(parts) else None
    backend = _Backend(parts.resource, trust, NotFoundException)
    external_id = parts.context_value("sts:ExternalId")
    data = {"ExternalId": [external_id if isinstance(external_id, str) else str(external_id)]} if external_id is not None else {}

    request = _CaseRequest(account, parts.action, caller, backend, data)
    try:
        request.check_action_permitted(parts.resource)
    except AccessDeniedError:
        return False
    return True


class _Caller:
    """Stands in for moto's IAMUserAccessKey/AssumedRoleAccessKey: the caller's ARN and collected policies."""

    def __init__(self, arn: str, documents: list[str]) -> None:
        self.arn = arn
        self._documents = documents

    def collect_policies(self) -> list[str]:
        return list(self._documents)


class _Role:
    def __init__(self, document: str) -> None:
        self.assume_role_policy_document = document


class _Backend:
    """Stands in for moto's IAMBackend: the case's resource is a role in the caller's account iff the case gives
    its trust policy (moto looks roles up in the caller's account only)."""

    def __init__(self, resource: str, trust: str | None, not_found: type) -> None:
        self._resource = resource
        self._trust = trust
        self._not_found = not_found

    def get_role_by_arn(self, arn: str) -> _Role:
        if self._trust is not None and arn == self._resource:
            return _Role(self._trust)
        raise self._not_found(f"Role {arn} not found")


def _request_class() -> type:
    from moto.iam.access_control import IAMRequest

    class CaseRequest(IAMRequest):
        """moto's IAMRequest, with the caller, action and account taken from a decision case."""

        def __init__(self, account_id: str, action: str, caller: _Caller, backend: _Backend, data: dict) -> None:
            # IAMRequestBase.__init__ parses an HTTP request; here the parts it would set are given directly.
            self.account_id = account_id
            self._region = "us-east-1"
            self._service = action.split(":", 1)[0]
            self._action = action
            self._access_key = caller
            self._data = data
            self._headers = {}
            self._case_backend = backend

        @property
        def backend(self) -> Any:  # type: ignore[override]
            return self._case_backend

    return CaseRequest


_CLASS: type | None = None


def _CaseRequest(*args: Any) -> Any:
    global _CLASS
    if _CLASS is None:
        _CLASS = _request_class()
    return _CLASS(*args)
