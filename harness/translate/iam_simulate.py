"""Decision case -> @cloud-copilot/iam-simulate ``Simulation`` input, and its answer -> a decision-case answer line.

The simulation takes the case's policies one for one (identity and group policies are both identity policies, the
SCP/RCP levels keep their order, root first). Nothing is added to the request context: iam-simulate derives no
context key itself, which is exactly the decision-case rule "complete as given". Where the simulator needs a value
the case leaves open (a principal ARN when ``principal`` is null, the resource's account), the translator uses the
principal's own account or ``DEFAULT_ACCOUNT``; a case without a principal is evaluated on identity-side policies
only, as the format says, so its resource policy is not sent.
"""

from __future__ import annotations

from typing import Any

from harness.translate.common import DEFAULT_ACCOUNT, CaseParts, as_document

UNSTATED_PRINCIPAL = "arn:aws:iam::{account}:user/iamspec-unstated-principal"

_DECISIONS = {"Allowed": "Allow", "ExplicitlyDenied": "ExplicitDeny", "ImplicitlyDenied": "ImplicitDeny"}
_LAYER_KINDS = ("identity", "resource", "boundary", "session", "scp", "rcp", "vpce")


def _named(prefix: str, docs: list[Any]) -> list[dict]:
    return [{"name": f"{prefix}[{i}]", "policy": as_document(doc)} for i, doc in enumerate(docs)]


def _levels(key: str, levels: list[dict] | None) -> list[dict]:
    out = []
    for i, level in enumerate(levels or []):
        out.append(
            {
                "orgIdentifier": str(level.get("level") or f"level-{i}"),
                "policies": _named(f"{key}[{i}].policies", level.get("policies") or []),
            }
        )
    return out


def _context(parts: CaseParts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parts.context.items():
        if isinstance(value, list | tuple):
            out[str(key)] = [v if isinstance(v, str) else _scalar(v) for v in value]
        else:
            out[str(key)] = value if isinstance(value, str) else _scalar(value)
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_simulation(parts: CaseParts) -> dict:
    """The ``Simulation`` object for ``runSimulation`` that asks the case's question."""
    account = parts.resource_account or parts.principal_account or DEFAULT_ACCOUNT
    principal: Any
    if parts.principal is None:
        principal = UNSTATED_PRINCIPAL.format(account=parts.principal_account or account)
    elif parts.principal == "anonymous":
        principal = {"type": "Anonymous"}
    else:
        principal = parts.principal
    simulation: dict[str, Any] = {
        "request": {
            "principal": principal,
            "action": parts.action,
            "resource": {"resource": parts.resource, "accountId": account},
            "contextVariables": _context(parts),
        },
        "identityPolicies": _named("identity_policies", parts.identity) + _named("group_policies", parts.group),
        "serviceControlPolicies": _levels("scps", parts.scps),
        "resourceControlPolicies": _levels("rcps", parts.rcps),
    }
    if parts.boundary is not None:
        simulation["permissionBoundaryPolicies"] = [{"name": "permission_boundary", "policy": as_document(parts.boundary)}]
    if parts.session_policy is not None:
        simulation["sessionPolicy"] = as_document(parts.session_policy)
    if parts.resource_policy is not None and parts.principal is not None:
        simulation["resourcePolicy"] = as_document(parts.resource_policy)
    if parts.vpce:
        simulation["vpcEndpointPolicies"] = _named("vpc_endpoint_policies", parts.vpce)
    return simulation


def _first_policy_error(errors: dict) -> tuple[str, str] | None:
    """(where, message) of the first policy validation error iam-simulate reported, if any."""
    single = {"sessionPolicyErrors": "session_policy", "resourcePolicyErrors": "resource_policy"}
    for key, where in single.items():
        for err in errors.get(key) or []:
            return _join(where, err.get("path")), str(err.get("message", "invalid policy"))
    for key in (
        "identityPolicyErrors",
        "permissionBoundaryErrors",
        "serviceControlPolicyErrors",
        "resourceControlPolicyErrors",
        "vpcEndpointErrors",
    ):
        for name, errs in (errors.get(key) or {}).items():
            for err in errs or []:
                return _join(str(name), err.get("path")), str(err.get("message", "invalid policy"))
    return None


def _join(prefix: str, path: Any) -> str:
    if not path:
        return prefix
    path = str(path)
    return prefix + ("" if path.startswith("[") else ".") + path


def _by(answer: dict, wanted: str) -> list[str]:
    layers: list[dict] = []
    if isinstance(answer.get("layers"), dict):
        layers.append(answer["layers"])
    for result in answer.get("results") or []:
        if isinstance(result, dict) and isinstance(result.get("layers"), dict):
            layers.append(result["layers"])
    found = {kind for layer in layers for kind, result in layer.items() if result == wanted}
    return [kind for kind in _LAYER_KINDS if kind in found]


def from_answer(case_id: Any, answer: dict) -> dict:
    """The decision-case answer line for iam-simulate's answer (see ``harness/targets/node/drive.mjs``)."""
    if "exception" in answer:
        return {"id": case_id, "crash": f"iam-simulate threw: {str(answer['exception'])[:500]}"}
    kind = answer.get("resultType")
    if kind == "error":
        errors = answer.get("errors") if isinstance(answer.get("errors"), dict) else {}
        policy_error = _first_policy_error(errors)
        if policy_error is not None:
            where, message = policy_error
            return {"id": case_id, "error": {"code": "MalformedPolicyDocument", "message": message, "where": where}}
        message = str(errors.get("message") or "iam-simulate refused the request")
        return {"id": case_id, "error": {"code": "InvalidInput", "message": f"iam-simulate: {message}"}}
    decision = _DECISIONS.get(answer.get("overallResult"))  # type: ignore[arg-type]
    if kind not in ("single", "wildcard") or decision is None:
        return {"id": case_id, "crash": f"iam-simulate answered something unexpected: {str(answer)[:300]}"}
    out: dict[str, Any] = {"id": case_id, "decision": decision}
    if decision != "Allow":
        by = _by(answer, answer["overallResult"])
        if by:
            out["by"] = by
    return out
