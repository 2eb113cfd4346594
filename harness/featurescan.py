"""How a decision case or a scenario is scanned for the features it exercises (the list is ``harness.features``).

The scan is structural: which elements, operators, variables, policy layers, calls and parameters an input holds,
and, for a scenario, the error codes the model answered. It returns feature ids as plain strings;
``harness.features`` filters them against THE list.
"""

from __future__ import annotations

import re

from harness.policyscan import account_of, as_list, principals_named, scan_policy, scan_resource_policy

_DOC_PARAMS = ("PolicyDocument", "AssumeRolePolicyDocument", "Policy")

def scan_case(case: dict) -> set[str]:
    """Every feature a decision case (formats/decision-case.md) exercises, by its structure."""
    out = {"decision.default-deny"}
    request = case.get("request") if isinstance(case.get("request"), dict) else {}
    principal = request.get("principal") if isinstance(request.get("principal"), str) else None
    action = str(request.get("action", "")).lower()
    trust = action.startswith("sts:assumerole") and ":role/" in str(request.get("resource", ""))
    for doc in as_list(case.get("identity_policies") or []):
        scan_policy(doc, "identity", request, out)
    if case.get("group_policies"):
        out.add("identity.group-policies")
        for doc in as_list(case["group_policies"]):
            scan_policy(doc, "identity", request, out)
    single = (("permission_boundary", "boundary.caps-identity"), ("session_policy", "session.policy-caps"),
              ("resource_policy", None))
    for key, feature in single:
        if case.get(key) is not None:
            scan_policy(case[key], "other", request, out)
            out.update({feature} if feature else set())
    for key, feature in (("scps", "scp.filter"), ("rcps", "rcp.filter")):
        levels = case.get(key) or []
        if isinstance(levels, list) and levels:
            out.add(feature)
            if key == "scps" and len(levels) > 1:
                out.add("scp.every-level")
            for level in levels:
                for doc in as_list(level.get("policies", []) if isinstance(level, dict) else []):
                    scan_policy(doc, "other", request, out)
    if case.get("vpc_endpoint_policies"):
        out.add("vpce.filter")
        for doc in as_list(case["vpc_endpoint_policies"]):
            scan_policy(doc, "other", request, out)
    if case.get("resource_policy") is not None:
        scan_resource_policy(case["resource_policy"], principal, trust, out)
    resource_account = request.get("resource_account")
    if principal and resource_account and account_of(principal) not in (None, resource_account):
        out.add("resource-policy.cross-account")
    if principal and principal.endswith(":root"):
        out.add("trust-policy.root-cannot-assume" if trust else "root.full-access")
        if case.get("scps"):
            out.add("scp.root-user")
    if principal and ":federated-user/" in principal:
        out.add("session.federated")
    if principal and "/aws-service-role/" in principal and case.get("scps"):
        out.add("scp.service-linked-role")
    if trust and case.get("permission_boundary") is not None:
        out.add("trust-policy.boundary")
    return out


_ERROR_FEATURES = {"EntityAlreadyExists": "iam.name-unique", "NoSuchEntity": "iam.no-such-entity",
                   "DeleteConflict": "iam.delete-conflict", "MalformedPolicyDocument": "policy.malformed",
                   "ExpiredToken": "sts.expiry", "InvalidClientTokenId": "auth.unknown-key",
                   "SignatureDoesNotMatch": "auth.bad-signature", "MissingAuthenticationToken": "auth.no-credentials"}
_ERROR_FEATURES["MalformedPolicy"] = "policy.malformed"  # S3's code for a bucket policy it refuses


def code_feature(code: object, step: object = None) -> str | None:
    """The feature an error code is about (``MalformedPolicyDocument`` -> ``policy.malformed``), if any."""
    if code in _ERROR_FEATURES:
        return _ERROR_FEATURES[str(code)]
    if isinstance(step, dict) and step.get("call") == "iam:CreateAccessKey" and code == "LimitExceeded":
        return "iam.access-key-quota"
    if isinstance(step, dict) and step.get("call") == "sts:AssumeRole" and code == "ValidationError":
        return "sts.duration-bounds" if "DurationSeconds" in (step.get("params") or {}) else "sts.session-name"
    if isinstance(step, dict) and step.get("call") == "iam:CreateRole" and code == "ValidationError":
        return "iam.role-max-session"
    return None


_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")


def _scan_step(step: dict, out: set[str]) -> None:
    call, params = str(step.get("call", "")), step.get("params") if isinstance(step.get("params"), dict) else {}
    op = call.split(":", 1)[-1]
    who = step.get("as")
    if isinstance(who, dict):
        out.add("auth.bad-signature" if who.get("handle") else "auth.unknown-key")
    for key in _DOC_PARAMS:
        if key in params:
            trust = key == "AssumeRolePolicyDocument"
            scan_policy(params[key], "identity" if key == "PolicyDocument" else "other", None, out)
            if trust:
                scan_resource_policy(params[key], None, True, out)
            if call == "s3:PutBucketPolicy":
                named = principals_named(params[key])
                if any(":user/" in p or ":role/" in p for p in named):
                    out.add("resource-policy.names-caller")
                if any(p.isdigit() or p.endswith(":root") for p in named):
                    out.add("resource-policy.account-principal")
    if "PermissionsBoundary" in params:
        out.add("boundary.caps-identity")
    if op == "AddUserToGroup":
        out.add("identity.group-policies")
    if op.startswith("Attach") and op.endswith("Policy"):
        out.add("identity.managed-policy")
    if op == "UpdateAccessKey" and params.get("Status") == "Inactive":
        out.add("auth.inactive-key")
    if op == "DeleteAccessKey":
        out.add("auth.deleted-key")
    if op == "CreateRole" and "MaxSessionDuration" in params:
        out.add("iam.role-max-session")
    if call == "sts:GetCallerIdentity":
        out.add("sts.caller-identity")
    if call == "sts:AssumeRole":
        out.update({"trust-policy.required", "sts.session-identity"})
        if "Policy" in params:
            out.add("session.policy-caps")
        if "DurationSeconds" in params:
            out.add("sts.duration-bounds")
        if "ExternalId" in params:
            out.add("trust-policy.external-id")
        if not _SESSION_NAME.fullmatch(str(params.get("RoleSessionName", ""))):
            out.add("sts.session-name")
        if who == "root":
            out.add("trust-policy.root-cannot-assume")


def scan_scenario(scenario: dict, outcomes: list[dict] | None = None) -> set[str]:
    """Every feature a scenario (formats/scenario.md) exercises: its calls, their parameters and policies, and the
    error codes in the model's outcomes (``outcomes``, one per step, when given)."""
    out = {"decision.default-deny"}
    steps = scenario.get("steps") if isinstance(scenario.get("steps"), list) else []
    saved_sessions = set()
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        if "advance" in step:
            out.add("sts.expiry")
            continue
        _scan_step(step, out)
        if step.get("call") == "sts:AssumeRole" and step.get("save"):
            saved_sessions.add(step["save"])
        if isinstance(step.get("as"), str) and step["as"] in saved_sessions:
            out.add("sts.session-permissions")
        outcome = outcomes[index] if outcomes and index < len(outcomes) else None
        code = outcome.get("error") if isinstance(outcome, dict) else None
        if code in _ERROR_FEATURES:
            out.add(_ERROR_FEATURES[code])
        if code == "LimitExceeded" and step.get("call") == "iam:CreateAccessKey":
            out.add("iam.access-key-quota")
        if code == "ValidationError" and step.get("call") == "sts:AssumeRole":
            out.add("sts.duration-bounds" if "DurationSeconds" in (step.get("params") or {}) else "sts.session-name")
    return out
