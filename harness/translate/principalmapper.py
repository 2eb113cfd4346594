"""Decision case -> principalmapper (PMapper 1.1.5) ``Node``/``Group``/``Policy`` objects and its local simulation.

Runs only inside the principalmapper worker process (``harness.targets.pmapper_worker``), which imports
principalmapper (AGPL-3.0, used unmodified) after the ``collections`` shim it needs on Python >= 3.10.

The caller becomes a ``Node``: an IAM user keeps its ARN; an assumed-role session becomes its role's node, with
the case's session policy passed as PMapper's session policy; a case without a principal gets a placeholder user
in the resource's account and, as the decision-case format says, only its identity-side policies are evaluated.
Identity policies are the node's attached policies, group policies those of one group it belongs to, the
boundary its permissions boundary, SCP levels PMapper's SCP groups (root first). PMapper has no notion of the
root user, anonymous or service callers, federated users, RCPs or VPC endpoint policies: a case that needs one of
the callers is refused with :class:`Unsupported`; RCPs and endpoint policies are not passed.

PMapper fills in ``aws:CurrentTime``, ``aws:EpochTime``, ``aws:userid``, ``aws:username``, ``aws:SecureTransport``,
``aws:PrincipalAccount`` and ``aws:PrincipalArn`` itself when the context lacks them; that is its behaviour and
cannot be turned off.
"""

from __future__ import annotations

from typing import Any

from harness.translate.common import DEFAULT_ACCOUNT, CaseParts, as_document, principal_kind, role_of_session

PLACEHOLDER_USER = "arn:aws:iam::{account}:user/iamspec-unstated-principal"
PLACEHOLDER_ID = "AIDAIAMSPECPLACEHOLDER"


class Unsupported(Exception):
    """The case needs something principalmapper cannot express."""


def apply_shim() -> None:
    """principalmapper 1.1.5 imports ``collections.Mapping``, gone since Python 3.10 (nccgroup/PMapper#106)."""
    import collections
    import collections.abc

    for name in ("Mapping", "MutableMapping"):
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))


def _doc(value: Any, where: str) -> dict:
    doc = as_document(value)
    if not isinstance(doc, dict):
        raise Unsupported(f"{where} is not a JSON object; principalmapper only takes parsed policy documents")
    return doc


def build_node(parts: CaseParts) -> tuple[Any, dict | None]:
    """(the caller's ``Node``, PMapper's session policy or ``None``)."""
    from principalmapper.common import Group, Node, Policy

    kind = principal_kind(parts.principal)
    session_policy = _doc(parts.session_policy, "session_policy") if parts.session_policy is not None else None
    if kind == "unstated":
        arn = PLACEHOLDER_USER.format(account=parts.resource_account or DEFAULT_ACCOUNT)
    elif kind in ("user", "role"):
        arn = parts.principal or ""
    elif kind == "assumed-role":
        arn = role_of_session(parts.principal or "") or ""
    else:
        raise Unsupported(f"principalmapper cannot take a {kind} caller ({parts.principal!r}): its principals are IAM users and roles")
    prefix = arn.split(":user/")[0] if ":user/" in arn else arn.split(":role/")[0]
    attached = [Policy(arn, f"identity_policies[{i}]", _doc(d, f"identity_policies[{i}]")) for i, d in enumerate(parts.identity)]
    groups = []
    if parts.group:
        group_arn = prefix + ":group/iamspec-group"
        groups.append(Group(group_arn, [Policy(group_arn, f"group_policies[{i}]", _doc(d, f"group_policies[{i}]")) for i, d in enumerate(parts.group)]))
    boundary = None
    if parts.boundary is not None:
        boundary = Policy(prefix + ":policy/iamspec-boundary", "permission_boundary", _doc(parts.boundary, "permission_boundary"))
    trust = {"Version": "2012-10-17", "Statement": []} if ":role/" in arn else None
    node = Node(arn, PLACEHOLDER_ID, attached, groups, trust, None, 0, False, False, boundary, False, {})
    return node, session_policy


def _scp_groups(parts: CaseParts) -> list[list[Any]] | None:
    from principalmapper.common import Policy

    if not parts.scps:
        return None
    out = []
    for i, level in enumerate(parts.scps):
        policies = level.get("policies") or []
        out.append([Policy(f"arn:aws:organizations::{DEFAULT_ACCOUNT}:policy/scp-{i}-{j}", f"scps[{i}].policies[{j}]", _doc(d, f"scps[{i}].policies[{j}]")) for j, d in enumerate(policies)])
    return out


def allowed(parts: CaseParts) -> bool:
    """PMapper's ``local_check_authorization_full`` on the case."""
    from principalmapper.querying.query_interface import local_check_authorization_full

    node, session_policy = build_node(parts)
    resource_policy = None
    owner = None
    if parts.resource_policy is not None and parts.principal is not None:
        resource_policy = _doc(parts.resource_policy, "resource_policy")
        owner = parts.resource_account or parts.principal_account or DEFAULT_ACCOUNT
    context = {str(k): v for k, v in parts.context.items()}
    return bool(
        local_check_authorization_full(
            node,
            parts.action,
            parts.resource,
            context,
            resource_policy=resource_policy,
            resource_owner=owner,
            service_control_policy_groups=_scp_groups(parts),
            session_policy=session_policy,
        )
    )
