"""Who can assume a role: every principal of an account's authorization details, and every class of principal
outside them that the role's trust policy names, each checked by the solver (some context lets ``sts:AssumeRole``
through) and backed by a replayed decision case.

The world is the JSON of ``aws iam get-account-authorization-details`` (``UserDetailList``, ``GroupDetailList``,
``RoleDetailList``, ``Policies``: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
A principal outside the details is assumed to have an identity policy that allows everything (its own account
decides that; the question is whether this role's side lets it in).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

from spec.errors import IamError
from spec.smt.questions import FULL, NO, UNKNOWN, ask

_ACCOUNT = re.compile(r"^\d{12}$")
OUTSIDE_ACCOUNT = "999999999999"


def _doc(raw: Any) -> Any:
    """A policy document as the details give it: an object, or (URL-encoded) JSON text."""
    if isinstance(raw, str):
        text = urllib.parse.unquote(raw) if raw.lstrip().startswith("%") else raw
        return json.loads(text)
    return raw


def _managed(details: dict[str, Any], arn: str) -> Any | None:
    for policy in details.get("Policies", []):
        if policy.get("Arn") == arn:
            for version in policy.get("PolicyVersionList", []):
                if version.get("IsDefaultVersion"):
                    return _doc(version.get("Document"))
    return None


def _attached(details: dict[str, Any], entity: dict[str, Any], inline_key: str) -> list[Any]:
    docs = [_doc(p["PolicyDocument"]) for p in entity.get(inline_key, [])]
    for att in entity.get("AttachedManagedPolicies", []):
        doc = _managed(details, att.get("PolicyArn", ""))
        if doc is not None:
            docs.append(doc)
    return docs


def _boundary(details: dict[str, Any], entity: dict[str, Any]) -> Any | None:
    pb = entity.get("PermissionsBoundary") or {}
    return _managed(details, pb.get("PermissionsBoundaryArn", "")) if pb else None


def _find_role(details: dict[str, Any], role: str) -> dict[str, Any]:
    for r in details.get("RoleDetailList", []):
        if role in (r.get("Arn"), r.get("RoleName")):
            return r
    raise IamError("NoSuchEntity", f"The role with name {role} cannot be found.")


def _classes(trust: dict[str, Any], home: str) -> list[tuple[str, str, str | None]]:
    """Principals outside the details that the trust policy names: (label, representative caller, account)."""
    out: list[tuple[str, str, str | None]] = []
    stmts = trust.get("Statement", [])
    for stmt in stmts if isinstance(stmts, list) else [stmts]:
        principal = stmt.get("Principal")
        if stmt.get("Effect") != "Allow" or principal is None:
            continue
        if principal == "*":
            out.append(("anyone (any account)", f"arn:aws:iam::{OUTSIDE_ACCOUNT}:user/anyone", OUTSIDE_ACCOUNT))
            continue
        for key, values in principal.items():
            for value in values if isinstance(values, list) else [values]:
                if key in ("Service", "Federated"):
                    out.append((f"{key.lower()} {value}", value, None))
                elif value == "*":
                    out.append(("anyone (any account)", f"arn:aws:iam::{OUTSIDE_ACCOUNT}:user/anyone",
                                OUTSIDE_ACCOUNT))
                elif _ACCOUNT.match(value) or value.endswith(":root"):
                    acct = value if _ACCOUNT.match(value) else value.split(":")[4]
                    if acct != home:
                        out.append((f"any principal of account {acct}", f"arn:aws:iam::{acct}:user/any", acct))
                else:
                    acct = value.split(":")[4] if value.count(":") >= 5 else None
                    if acct != home:
                        out.append((value, value, acct))
    seen: set[str] = set()
    return [c for c in out if not (c[0] in seen or seen.add(c[0]))]


def who_can_assume(details: dict[str, Any], role: str, timeout_ms: int = 5000) -> dict[str, Any]:
    """Every principal (in the details) and class of principal (named by the trust policy) that can assume
    ``role`` (a name or ARN), each with a replayed witness; ``unknown`` lists those the solver could not decide."""
    target = _find_role(details, role)
    arn = target["Arn"]
    home = arn.split(":")[4]
    trust = _doc(target["AssumeRolePolicyDocument"])
    groups = {g["GroupName"]: g for g in details.get("GroupDetailList", [])}
    candidates: list[tuple[str, str, dict[str, Any], str | None]] = []
    for user in details.get("UserDetailList", []):
        group_docs = [d for name in user.get("GroupList", []) if name in groups
                      for d in _attached(details, groups[name], "GroupPolicyList")]
        candidates.append((user["Arn"], user["Arn"], {
            "identity_policies": _attached(details, user, "UserPolicyList"), "group_policies": group_docs,
            "permission_boundary": _boundary(details, user)}, None))
    for other in details.get("RoleDetailList", []):
        session = f"arn:aws:sts::{home}:assumed-role/{other['RoleName']}/session"
        candidates.append((other["Arn"], session, {
            "identity_policies": _attached(details, other, "RolePolicyList"),
            "permission_boundary": _boundary(details, other)}, None))
    for label, caller, acct in _classes(trust, home):
        own = {"identity_policies": [FULL]} if caller.startswith("arn:") and ":user/" in caller else {}
        candidates.append((label, caller, own, acct if acct != home else None))
    allowed, unknown = [], []
    for label, caller, policies, account in candidates:
        case = {**{k: v for k, v in policies.items() if v}, "resource_policy": trust}
        action = "sts:AssumeRoleWithSAML" if "saml-provider/" in caller else \
            "sts:AssumeRoleWithWebIdentity" if label.startswith("federated") else "sts:AssumeRole"
        template: dict[str, Any] = {"principal": caller, "action": action, "resource": arn}
        if account is not None:
            template["resource_account"] = home
        answer = ask(case, template, False, timeout_ms)  # "always denied?" -- a "no" is a way in
        if answer.answer == NO:
            allowed.append({"principal": label, "caller": caller, "witness": {**case, **answer.counterexample}})
        elif answer.answer == UNKNOWN:
            unknown.append({"principal": label, "notes": answer.notes})
    return {"role": arn, "can_assume": allowed, "unknown": unknown}
