"""Decision cases (../shared/formats/decision-case.md): one authorization question as JSON, read into a request
and the policies in force, refusing what is malformed with AWS's error code and where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spec.authorize import PolicySet, is_trust_request
from spec.callers import CallerKind, parse_caller
from spec.errors import IamError
from spec.policy import Policy, PolicyKind, try_parse
from spec.request import Request, make_request

DECISIONS = ("Allow", "ImplicitDeny", "ExplicitDeny")


@dataclass(frozen=True)
class DecisionCase:
    id: str | None
    request: Request
    policies: PolicySet
    expected: str | None


def _list(case: dict, key: str, kind: PolicyKind) -> tuple[Policy, ...]:
    value = case.get(key) or []
    if not isinstance(value, list):
        raise IamError("ValidationError", f"{key} must be a list of policy documents", key)
    return tuple(try_parse(doc, kind, f"{key}[{i}]") for i, doc in enumerate(value))


def _one(case: dict, key: str, kind: PolicyKind) -> Policy | None:
    value = case.get(key)
    return None if value is None else try_parse(value, kind, key)


def _org(case: dict, key: str, kind: PolicyKind) -> tuple[tuple[Policy, ...], ...] | None:
    """SCPs/RCPs as the organization tree, root first: ``[{"level": ..., "policies": [doc, ...]}, ...]``;
    ``null`` or ``[]`` is no organization."""
    value = case.get(key)
    if not value:
        return None
    if not isinstance(value, list):
        raise IamError("ValidationError", f"{key} must be a list of levels", key)
    levels = []
    for i, level in enumerate(value):
        if not isinstance(level, dict) or not isinstance(level.get("policies", None), list):
            raise IamError("ValidationError", f'{key}[{i}] must be {{"level": ..., "policies": [...]}}', f"{key}[{i}]")
        levels.append(tuple(try_parse(d, kind, f"{key}[{i}].policies[{j}]") for j, d in enumerate(level["policies"])))
    return tuple(levels)


def _check_principal_policies(request: Request, policies: PolicySet) -> None:
    """Rule *root has no identity policies*: "You cannot attach identity-based policies to the root user, and you
    cannot set the permissions boundary for the root user"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#access_policies-root); nor can anyone
    attach them to a service principal or an anonymous caller. A case that gives them is refused
    (``ValidationError``) rather than answered for a principal that cannot exist."""
    caller = parse_caller(request.principal)
    if caller.kind not in (CallerKind.ROOT, CallerKind.SERVICE, CallerKind.ANONYMOUS, CallerKind.PROVIDER):
        return
    for key, present in (("identity_policies", policies.identity), ("group_policies", policies.group),
                         ("permission_boundary", policies.boundary), ("session_policy", policies.session)):
        if present:
            raise IamError("ValidationError", f"a {caller.kind.value} principal cannot have {key.replace('_', ' ')}",
                           key)


def parse_request(raw: Any) -> Request:
    if not isinstance(raw, dict):
        raise IamError("ValidationError", "request must be an object", "request")
    if "action" not in raw:
        raise IamError("ValidationError", "the request has no action", "request.action")
    context = raw.get("context") or {}
    types = raw.get("context_types") or {}
    if not isinstance(context, dict) or not isinstance(types, dict):
        raise IamError("ValidationError", "context and context_types must be objects", "request.context")
    return make_request(raw["action"], raw.get("resource", "*"), raw.get("principal"), raw.get("resource_account"),
                        context, types)


def parse_case(case: Any) -> DecisionCase:
    """Read one case; raise ``IamError`` (``MalformedPolicyDocument`` for a policy, ``ValidationError`` for the
    rest). The resource policy of a request to assume a role is read as a trust policy."""
    if not isinstance(case, dict):
        raise IamError("ValidationError", "a decision case must be a JSON object")
    case_id = case.get("id")
    request = parse_request(case.get("request"))
    resource_kind = PolicyKind.TRUST if is_trust_request(request) else PolicyKind.RESOURCE
    vpce = case.get("vpc_endpoint_policies")
    policies = PolicySet(
        identity=_list(case, "identity_policies", PolicyKind.IDENTITY),
        group=_list(case, "group_policies", PolicyKind.IDENTITY),
        boundary=_one(case, "permission_boundary", PolicyKind.BOUNDARY),
        session=_one(case, "session_policy", PolicyKind.SESSION),
        resource=_one(case, "resource_policy", resource_kind),
        scps=_org(case, "scps", PolicyKind.SCP),
        rcps=_org(case, "rcps", PolicyKind.RCP),
        vpce=None if vpce is None else _list(case, "vpc_endpoint_policies", PolicyKind.VPCE),
    )
    _check_principal_policies(request, policies)
    expected = case.get("expected")
    if expected is not None and expected not in DECISIONS:
        raise IamError("ValidationError", f"expected must be one of {', '.join(DECISIONS)}", "expected")
    return DecisionCase(None if case_id is None else str(case_id), request, policies, expected)
