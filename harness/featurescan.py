"""How a decision case or a scenario is scanned for the features it exercises (the list is ``harness.features``).

The scan is structural: which elements, operators, variables, policy layers, calls and parameters an input holds,
and, for a scenario, the error codes the model answered. It returns feature ids as plain strings;
``harness.features`` filters them against THE list.
"""

from __future__ import annotations

import re
from collections.abc import Container
from operator import itemgetter

from harness.policyscan import (
    account_of,
    as_list,
    lower_keys,
    policy_context,
    policy_line,
    policy_static,
    principals_named,
    scan_policy,
    scan_resource_policy,
)

_DOC_PARAMS = ("PolicyDocument", "AssumeRolePolicyDocument", "Policy")

def scan_case(case: dict) -> set[str]:
    """Every feature a decision case (formats/decision-case.md) exercises, by its structure."""
    return set(CaseScan(case).features(case.get("request")))


class CaseScan:
    """The structural scan of one decision case, made to be asked of many requests with the same documents and
    caller (the variants of a drawn case): ``features(request)`` is what the case holding ``request`` exercises.

    It is the union of three parts, each computed once: what the documents and the caller exercise whatever the
    request; what depends on the action and resource (a pattern matching only ignoring case; whether it is a trust
    request); what depends on which keys the context holds (a tested key missing or spelt in another case, a
    variable left unresolved). Context values never matter to the scan."""

    def __init__(self, case: dict, keep: Container[str] | None = None) -> None:
        """``keep``: only features in it are returned by ``features`` (None: all)."""
        request = case.get("request") if isinstance(case.get("request"), dict) else {}
        self.case, self.keep = case, keep
        self.principal = request.get("principal") if isinstance(request.get("principal"), str) else None
        self.docs: list[tuple[object, str]] = [(d, "identity") for d in as_list(case.get("identity_policies") or [])]
        self.docs += [(d, "identity") for d in as_list(case.get("group_policies") or [])]
        self.docs += [(case[key], "other") for key in ("permission_boundary", "session_policy", "resource_policy")
                      if case.get(key) is not None]
        for key in ("scps", "rcps"):
            levels = case.get(key) or []
            for level in levels if isinstance(levels, list) else []:
                self.docs += [(d, "other") for d in as_list(level.get("policies", []) if isinstance(level, dict) else [])]
        self.docs += [(d, "other") for d in as_list(case.get("vpc_endpoint_policies") or [])]
        self.static = self._static(case, request)
        self._lines: dict[tuple, frozenset[str]] = {}
        self._contexts: dict[tuple, frozenset[str]] = {}
        self._context_objects: dict[int, tuple[object, frozenset[str]]] = {}
        self._unions: dict[tuple[frozenset[str], frozenset[str]], frozenset[str]] = {}

    def _static(self, case: dict, request: dict) -> frozenset[str]:
        out = {"decision.default-deny"}
        for doc, layer in self.docs:
            out |= policy_static(doc, layer)
        if case.get("group_policies"):
            out.add("identity.group-policies")
        for key, feature in (("permission_boundary", "boundary.caps-identity"),
                             ("session_policy", "session.policy-caps")):
            if case.get(key) is not None:
                out.add(feature)
        for key, feature in (("scps", "scp.filter"), ("rcps", "rcp.filter")):
            levels = case.get(key) or []
            if isinstance(levels, list) and levels:
                out.add(feature)
                if key == "scps" and len(levels) > 1:
                    out.add("scp.every-level")
        if case.get("vpc_endpoint_policies"):
            out.add("vpce.filter")
        principal, resource_account = self.principal, request.get("resource_account")
        if principal and resource_account and account_of(principal) not in (None, resource_account):
            out.add("resource-policy.cross-account")
        if principal and principal.endswith(":root") and case.get("scps"):
            out.add("scp.root-user")
        if principal and ":federated-user/" in principal:
            out.add("session.federated")
        if principal and "/aws-service-role/" in principal and case.get("scps"):
            out.add("scp.service-linked-role")
        return frozenset(out)

    def line(self, action: object, resource: object) -> frozenset[str]:
        """What the request's action and resource add (memoised)."""
        key = (action, resource) if isinstance(action, str) and isinstance(resource, str) else None
        known = self._lines.get(key) if key is not None else None
        if known is None:
            out: set[str] = set()
            for doc, layer in self.docs:
                out |= policy_line(doc, layer, action, resource)
            trust = str(action).lower().startswith("sts:assumerole") and ":role/" in str(resource)
            if self.case.get("resource_policy") is not None:
                scan_resource_policy(self.case["resource_policy"], self.principal, trust, out)
            if self.principal and self.principal.endswith(":root"):
                out.add("trust-policy.root-cannot-assume" if trust else "root.full-access")
            if trust and self.case.get("permission_boundary") is not None:
                out.add("trust-policy.boundary")
            known = frozenset(out)
            if key is not None:
                self._lines[key] = known
        return known

    def context(self, context: object) -> frozenset[str]:
        """What the keys of the request's context add (memoised by the keys, in order, and by the context object:
        variants share their context dicts)."""
        hit = self._context_objects.get(id(context))
        if hit is not None and hit[0] is context:
            return hit[1]
        ctx = context if isinstance(context, dict) else {}
        key = tuple(ctx)
        known = self._contexts.get(key)
        if known is None:
            lower_ctx = lower_keys(ctx)
            out: set[str] = set()
            for doc, layer in self.docs:
                out |= policy_context(doc, layer, lower_ctx)
            known = self._contexts[key] = frozenset(out)
        self._context_objects[id(context)] = (context, known)  # the object is kept, so its id is not reused
        return known

    def features(self, request: object) -> frozenset[str]:
        """Every feature the case exercises when it asks ``request`` (same caller and resource account)."""
        req = request if isinstance(request, dict) else {}
        return self._union((self.line(req.get("action", ""), req.get("resource")), self.context(req.get("context"))))

    def _union(self, parts: tuple[frozenset[str], frozenset[str]]) -> frozenset[str]:
        """The static part with an action-and-resource part and a context part (only features in ``keep``),
        memoised by the pair."""
        known = self._unions.get(parts)
        if known is None:
            union = self.static | parts[0] | parts[1]
            known = self._unions[parts] = union if self.keep is None else frozenset(f for f in union if f in self.keep)
        return known

    def features_of(self, requests: list[object]) -> list[frozenset[str]]:
        """``[features(r) for r in requests]``, made in a few passes that run in C when every request is a dict
        holding an action, a resource and a context (variants do): the parts are computed once per distinct action
        and resource, context object and pair of parts, then looked up for every request."""
        if set(map(type, requests)) != {dict}:  # a request that is not a plain dict (or none): one by one
            return [self.features(r) for r in requests]
        try:
            lines = list(map(_ACTION_RESOURCE, requests))
            contexts = list(map(_CONTEXT, requests))
            line_parts = {line: self.line(*line) for line in set(lines)}
        except (KeyError, TypeError):  # a request without one of them, or unhashable: one by one
            return [self.features(r) for r in requests]
        by_id = {id(c): self.context(c) for c in {id(c): c for c in contexts}.values()}  # contexts live as long
        pairs = list(zip(map(line_parts.__getitem__, lines), map(by_id.__getitem__, map(id, contexts)), strict=True))
        for parts in set(pairs).difference(self._unions):
            self._union(parts)
        return list(map(self._unions.__getitem__, pairs))


_ACTION_RESOURCE = itemgetter("action", "resource")
_CONTEXT = itemgetter("context")

_ERROR_FEATURES = {"EntityAlreadyExists": "iam.name-unique", "NoSuchEntity": "iam.no-such-entity",
                   "DeleteConflict": "iam.delete-conflict", "MalformedPolicyDocument": "policy.malformed",
                   "ExpiredToken": "sts.expiry", "InvalidClientTokenId": "auth.unknown-key",
                   "SignatureDoesNotMatch": "auth.bad-signature", "MissingAuthenticationToken": "auth.no-credentials"}
_ERROR_FEATURES["MalformedPolicy"] = "policy.malformed"  # S3's code for a bucket policy it refuses


def code_feature(code: object, step: object = None) -> str | None:
    """The feature an error code is about (``MalformedPolicyDocument`` -> ``policy.malformed``), if any."""
    if not isinstance(code, str):  # a garbage answer's code (a list, a number): about no feature
        return None
    if code in _ERROR_FEATURES:
        return _ERROR_FEATURES[code]
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
