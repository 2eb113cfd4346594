"""Decision case -> MiniStack's in-process evaluator (``ministack.core.iam_evaluator``), combined as its server does.

MiniStack's server decides a request in ``enforce``: ``evaluate(ctx, identity_policies, *limits)`` with the
permissions boundary and session policies as limits, then ``combine_resource_policy`` when the resource has a
policy of its own (S3, SQS, SNS, KMS, ...). ``sts:AssumeRole`` passes ``enforce`` on the role ARN (identity side)
and then, in the STS handler, ``evaluate_trust_policy`` (the role's trust policy). This module calls those
functions, unmodified, with an ``EvalContext`` built from the case.

The request context is the case's, as given (keys lower-cased, as MiniStack stores them). MiniStack reads a few
keys from fields of its context object rather than from the context map; the translator fills those fields from
the case's context and leaves them empty (absent) when the case does not state them, except
``aws:SecureTransport``, which MiniStack always has a value for (``false`` unless the case says ``true``), and
the principal keys (``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``, ``aws:CurrentTime``)
that it always derives. It has no SCPs, RCPs or VPC endpoint policies; those parts of a case are not passed.

Stored documents are first checked with ``validate_policy_document``, as MiniStack's IAM API does on
``PutUserPolicy``/``CreatePolicy``; a refusal is the answer ``MalformedPolicyDocument``.
"""

from __future__ import annotations

from typing import Any

from harness.translate.common import DEFAULT_ACCOUNT, CaseParts, principal_kind

_PRINCIPAL_TYPES = {
    "user": "User",
    "assumed-role": "AssumedRole",
    "federated-user": "FederatedUser",
    "root": "Root",
    "role": "Role",
    "service": "Service",
    "anonymous": "Anonymous",
}

# Services whose resource policy MiniStack requires even in the owner's account (its `_POLICY_REQUIRED`).
_POLICY_REQUIRED = frozenset({"kms"})


def validation_error(parts: CaseParts) -> dict | None:
    """MiniStack's refusal of one of the case's stored documents, as an answer ``error`` object, or ``None``."""
    from ministack.core.iam_evaluator import validate_policy_document

    checks = [(f"identity_policies[{i}]", d) for i, d in enumerate(parts.identity)]
    checks += [(f"group_policies[{i}]", d) for i, d in enumerate(parts.group)]
    if parts.boundary is not None:
        checks.append(("permission_boundary", parts.boundary))
    for where, doc in checks:
        message = validate_policy_document(doc)
        if message:
            return {"code": "MalformedPolicyDocument", "message": f"ministack: {message}", "where": where}
    return None


def _context(parts: CaseParts) -> Any:
    from ministack.core.iam_evaluator import EvalContext

    context = {str(k).lower(): (list(v) if isinstance(v, list | tuple) else v) for k, v in parts.context.items()}
    secure = str(context.get("aws:securetransport", "false")).lower() == "true"
    account = parts.principal_account or parts.resource_account or DEFAULT_ACCOUNT
    return EvalContext(
        principal_arn=parts.principal or "",
        principal_type=_PRINCIPAL_TYPES.get(principal_kind(parts.principal), "Unknown"),
        principal_account=account,
        action=parts.action,
        resource_arn=parts.resource,
        region=context.get("aws:requestedregion"),
        source_ip=context.get("aws:sourceip"),
        secure_transport=secure,
        service_context=context,
        principal_keys={},
    )


def decide(parts: CaseParts) -> tuple[str, list[str]]:
    """(decision, by) as MiniStack reaches it: ``Allow`` | ``ExplicitDeny`` | ``ImplicitDeny``."""
    from ministack.core import iam_evaluator as ev

    ctx = _context(parts)
    policies = [ev.parse_policy_document(doc) for doc in [*parts.identity, *parts.group]]
    limits = []
    if parts.boundary is not None:
        limits.append([ev.parse_policy_document(parts.boundary)])
    if parts.session_policy is not None:
        limits.append([ev.parse_policy_document(parts.session_policy)])
    result = ev.evaluate(ctx, policies, *limits)
    resource_policy = parts.resource_policy if parts.principal is not None else None
    if parts.action.lower() == "sts:assumerole" and resource_policy is not None:
        if result.decision == "Deny":
            return "ExplicitDeny", []
        if not ev.evaluate_trust_policy(resource_policy, parts.principal or "", ctx):
            return "ImplicitDeny", []  # MiniStack's trust check answers a boolean: it cannot say which deny
        return ("Allow", []) if result.decision == "Allow" else ("ImplicitDeny", [])
    if resource_policy is not None:
        service = parts.action.split(":", 1)[0].lower()
        result = ev.combine_resource_policy(
            result,
            ctx,
            resource_policy,
            parts.resource_account,
            required=service in _POLICY_REQUIRED,
            limits=tuple(limits),
        )
        if result.decision == "Deny" and result.resource_policy_arn:
            return "ExplicitDeny", ["resource"]
    if result.decision == "Allow":
        return "Allow", []
    if result.decision == "Deny":
        return "ExplicitDeny", []
    return "ImplicitDeny", []
