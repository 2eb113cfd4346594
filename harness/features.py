"""THE list of features (``area.rule``) that conformance reports are organised by, and how a decision case or a
scenario is classified to them.

A feature is one rule of IAM (iam-semantics.md, the section named in the comment of each group) that a target can
get right or wrong. Every feature has the levels at which the harness can check it: ``evaluator`` (decision cases,
``formats/decision-case.md``) and/or ``api`` (scenarios, ``formats/scenario.md``). A target offering none of a
feature's levels reports it ``unsupported``.

Classification is structural: what the input holds (a ``NotResource``, an ``IfExists`` operator, a trust policy,
a ``DurationSeconds``), plus the model's answer where it tells more (an error code), plus the feature an input was
generated for (a case's ``tags``, a scenario's ``id`` prefix ``FEATURE/...``). :func:`blame` picks the one feature a
divergence is reported under.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.featurescan import code_feature, scan_case, scan_scenario

EVAL, API = "evaluator", "api"
BOTH = frozenset({EVAL, API})
E_ONLY, A_ONLY = frozenset({EVAL}), frozenset({API})


@dataclass(frozen=True)
class Feature:
    id: str
    title: str
    levels: frozenset[str]


def _f(fid: str, levels: frozenset[str], title: str) -> Feature:
    return Feature(fid, title, levels)


FEATURES: tuple[Feature, ...] = (
    # §4.2 the decision
    _f("decision.default-deny", BOTH, "With no applicable Allow a request is implicitly denied"),
    _f("decision.explicit-deny", BOTH, "An applicable Deny overrides every Allow"),
    _f("decision.explicit-vs-implicit", E_ONLY, "A denial is told apart: explicit (a Deny applied) or implicit (no Allow)"),
    _f("identity.allow", BOTH, "An identity-based Allow grants the request"),
    _f("identity.group-policies", BOTH, "The policies of a user's groups count like the user's own"),
    _f("identity.managed-policy", A_ONLY, "An attached customer managed policy grants like an inline one"),
    _f("root.full-access", BOTH, "The account root user has full access without any policy"),
    # §2.3 Action / NotAction
    _f("action.wildcard", BOTH, "`*` in Action matches any run of characters"),
    _f("action.question-mark", BOTH, "`?` in Action matches exactly one character"),
    _f("action.case-insensitive", BOTH, "Action names match without regard to case"),
    _f("action.not-action", BOTH, "NotAction matches every action except those listed"),
    # §2.4 Resource / NotResource
    _f("resource.wildcard", BOTH, "`*` in Resource matches any run of characters, `/` and `:` included"),
    _f("resource.question-mark", BOTH, "`?` in Resource matches exactly one character"),
    _f("resource.case-sensitive", BOTH, "Resource ARNs match case-sensitively"),
    _f("resource.not-resource", BOTH, "NotResource matches every resource except those listed"),
    # §3.1-3.4 conditions
    _f("condition.string", BOTH, "StringEquals / StringNotEquals compare exactly"),
    _f("condition.string-ignore-case", BOTH, "StringEqualsIgnoreCase / StringNotEqualsIgnoreCase ignore case"),
    _f("condition.string-like", BOTH, "StringLike / StringNotLike match `*` and `?` wildcards"),
    _f("condition.numeric", BOTH, "Numeric operators compare numbers"),
    _f("condition.date", BOTH, "Date operators compare ISO 8601 dates and epoch seconds"),
    _f("condition.bool", E_ONLY, "Bool compares true/false"),
    _f("condition.binary", E_ONLY, "BinaryEquals compares base-64 values byte for byte"),
    _f("condition.ip-address", BOTH, "IpAddress / NotIpAddress match CIDR ranges"),
    _f("condition.arn", BOTH, "ArnEquals / ArnLike match ARNs segment by segment"),
    _f("condition.null", BOTH, "Null tests whether a key is absent"),
    _f("condition.if-exists", BOTH, "An ...IfExists operator is true when its key is absent"),
    _f("condition.missing-key", BOTH, "A positive operator on an absent key is false"),
    _f("condition.negated-missing-key", BOTH, "A negated operator on an absent key is true"),
    _f("condition.multiple-values", BOTH, "Several values for one key are ORed (NORed for negated operators)"),
    _f("condition.multiple-keys", BOTH, "Several keys and operators in one Condition are ANDed"),
    _f("condition.key-case-insensitive", BOTH, "Condition key names match without regard to case"),
    _f("condition.for-all-values", E_ONLY, "ForAllValues: every request value must match (true when none)"),
    _f("condition.for-any-value", E_ONLY, "ForAnyValue: some request value must match (false when none)"),
    # §3.5 policy variables
    _f("variable.resource", BOTH, "Policy variables in Resource take the request's values"),
    _f("variable.condition", BOTH, "Policy variables in condition values take the request's values"),
    _f("variable.default", E_ONLY, "A variable's default value applies when its key is absent"),
    _f("variable.unresolved", E_ONLY, "A variable without a value matches nothing"),
    _f("variable.escape", E_ONLY, "${*}, ${?} and ${$} stand for literal characters"),
    _f("variable.version", BOTH, "Without Version 2012-10-17 a variable is literal text"),
    # §2.1 grammar
    _f("policy.malformed", BOTH, "An invalid policy document is refused with MalformedPolicyDocument"),
    # §4.1-4.3 guardrails and other policy types
    _f("boundary.caps-identity", BOTH, "A permissions boundary limits identity-based grants and grants nothing"),
    _f("session.policy-caps", BOTH, "A session policy limits the role session's permissions"),
    _f("session.federated", E_ONLY, "A federated-user session without a session policy gets nothing from identity policies"),
    _f("resource-policy.names-caller", BOTH, "In one account a resource policy naming the caller grants without an identity Allow"),
    _f("resource-policy.account-principal", BOTH, "A resource policy naming the account delegates: an identity Allow is still needed"),
    _f("resource-policy.cross-account", E_ONLY, "Across accounts both the identity and the resource policy must allow"),
    _f("resource-policy.role-vs-session", E_ONLY, "A grant to the role ARN is limited by boundary and session policy; one to the session ARN is not"),
    _f("resource-policy.not-principal", E_ONLY, "NotPrincipal with Deny denies everyone but those listed"),
    _f("resource-policy.anonymous", E_ONLY, "Principal \"*\" admits anonymous and service callers"),
    _f("scp.filter", E_ONLY, "An SCP must allow the request: it limits and never grants"),
    _f("scp.every-level", E_ONLY, "An SCP Allow is needed at every level of the organization"),
    _f("scp.root-user", E_ONLY, "SCPs limit the member account's root user"),
    _f("scp.service-linked-role", E_ONLY, "SCPs do not limit service-linked roles"),
    _f("rcp.filter", E_ONLY, "An RCP must allow access to the resource: it limits and never grants"),
    _f("vpce.filter", E_ONLY, "A VPC endpoint policy must allow requests through the endpoint"),
    # §5 AssumeRole
    _f("trust-policy.required", BOTH, "AssumeRole needs an Allow in the role's trust policy"),
    _f("trust-policy.explicit-deny", BOTH, "A Deny in a role's trust policy blocks AssumeRole"),
    _f("trust-policy.names-user", BOTH, "A trust policy naming a same-account user needs no identity Allow"),
    _f("trust-policy.account-principal", BOTH, "A trust policy naming the account needs an identity Allow for sts:AssumeRole"),
    _f("trust-policy.boundary", BOTH, "The caller's permissions boundary must allow sts:AssumeRole"),
    _f("trust-policy.external-id", BOTH, "sts:ExternalId conditions in a trust policy"),
    _f("trust-policy.root-cannot-assume", BOTH, "The root user cannot assume a role"),
    # §6 credentials and STS results
    _f("auth.unknown-key", A_ONLY, "An unknown access key fails with InvalidClientTokenId"),
    _f("auth.bad-signature", A_ONLY, "A wrong secret key fails with SignatureDoesNotMatch"),
    _f("auth.inactive-key", A_ONLY, "An Inactive access key no longer authenticates"),
    _f("auth.deleted-key", A_ONLY, "A deleted access key no longer authenticates"),
    _f("auth.no-credentials", A_ONLY, "A request without credentials is refused (MissingAuthenticationToken; S3: anonymous)"),
    _f("sts.caller-identity", A_ONLY, "GetCallerIdentity tells the caller's ARN and needs no permission"),
    _f("sts.session-identity", A_ONLY, "AssumeRole returns the session ARN assumed-role/ROLE/SESSION"),
    _f("sts.session-permissions", A_ONLY, "A role session acts with the role's permissions, not the caller's"),
    _f("sts.duration-bounds", A_ONLY, "DurationSeconds outside 900..MaxSessionDuration fails with ValidationError"),
    _f("sts.expiry", A_ONLY, "Temporary credentials stop working when they expire (ExpiredToken)"),
    _f("sts.session-name", A_ONLY, "RoleSessionName must be 2-64 characters of [\\w+=,.@-]"),
    # §1.3, §6.3 IAM API invariants
    _f("iam.name-unique", A_ONLY, "User, group and role names are unique without regard to case (EntityAlreadyExists)"),
    _f("iam.no-such-entity", A_ONLY, "Calls on a missing user, group, role or policy fail with NoSuchEntity"),
    _f("iam.delete-conflict", A_ONLY, "An entity with policies, keys or members attached cannot be deleted (DeleteConflict)"),
    _f("iam.access-key-quota", A_ONLY, "A user has at most two access keys (LimitExceeded)"),
    _f("iam.role-max-session", A_ONLY, "A role's MaxSessionDuration must be 3600..43200 seconds"),
)

BY_ID: dict[str, Feature] = {f.id: f for f in FEATURES}
FEATURE_IDS: tuple[str, ...] = tuple(f.id for f in FEATURES)
# Features present in almost every input: a divergence is blamed on them only when nothing more specific is present.
GENERIC = frozenset({"decision.default-deny", "decision.explicit-deny", "identity.allow"})


def features_at(levels: frozenset[str] | set[str]) -> tuple[str, ...]:
    """The features checkable at any of ``levels``."""
    return tuple(f.id for f in FEATURES if f.levels & set(levels))


def declared(tags_or_id: object) -> set[str]:
    """The features an input says it was written for: a case's ``tags`` (a list) or a scenario id ``FEATURE/...``."""
    if isinstance(tags_or_id, list):
        return {t for t in tags_or_id if t in BY_ID}
    if isinstance(tags_or_id, str):
        head = tags_or_id.split("/", 1)[0]
        return {head} if head in BY_ID else set()
    return set()


def classify_answer(model_answer: dict | None) -> set[str]:
    """The features the model's answer to a case shows: a refused document, a denial of either kind."""
    found = set()
    if isinstance(model_answer, dict):
        error = model_answer.get("error")
        if isinstance(error, dict) and error.get("code") == "MalformedPolicyDocument":
            found.add("policy.malformed")
        if model_answer.get("decision") in ("ImplicitDeny", "ExplicitDeny"):
            found.add("decision.explicit-vs-implicit")
    return found


def classify_case(case: dict, model_answer: dict | None = None, with_declared: bool = True) -> set[str]:
    """Every feature a decision case exercises: its structure, the model's answer, and its declared tags."""
    found = scan_case(case) if isinstance(case, dict) else set()
    found |= classify_answer(model_answer)
    if isinstance(case, dict) and with_declared:
        found |= declared(case.get("tags"))
    return {f for f in found if f in BY_ID}


def classify_scenario(scenario: dict, model_outcomes: list[dict] | None = None, with_declared: bool = True) -> set[str]:
    """Every feature a scenario exercises: its calls and policies, the model's outcomes, and its id prefix."""
    found = scan_scenario(scenario, model_outcomes) if isinstance(scenario, dict) else set()
    if isinstance(scenario, dict) and with_declared:
        found |= declared(scenario.get("id"))
    return {f for f in found if f in BY_ID}


def blame(present: set[str], focus: set[str], codes: tuple = (), step: object = None) -> str:
    """The one feature a divergence is reported under: the feature an error code on either side is about (a
    document one side refuses is ``policy.malformed``); else the declared focus when the input still exercises
    it (``present`` is the structural classification); else the most specific feature present (list order breaks
    ties); else a generic one."""
    for code in codes:
        feature = code_feature(code, step)
        if feature in BY_ID:
            return feature
    present = present - {"decision.explicit-vs-implicit"}  # only ever blamed for a deny-versus-deny difference
    specific = [f for f in FEATURE_IDS if f in present and f not in GENERIC]
    for f in specific:
        if f in focus:
            return f
    if specific:
        return specific[0]
    for f in FEATURE_IDS:
        if f in focus or f in present:
            return f
    return "decision.default-deny"


def blame_difference(diff: Any, structural: set[str] | frozenset[str], present: set[str] | frozenset[str],
                     focus: set[str], step: object = None) -> str:
    """The feature a difference (``harness.compare.Difference``) is reported under: a deny-versus-deny decision is
    ``decision.explicit-vs-implicit``; otherwise :func:`blame` over the input's structural features and what else it
    exercised (``present``, its declared ``focus`` aside), with the error codes on either side."""
    if deny_versus_deny(diff):
        return "decision.explicit-vs-implicit"
    return blame(set(structural) | (set(present) - focus), focus, error_codes(diff), step)


def deny_versus_deny(diff: Any) -> bool:
    """Both sides decided, and neither allowed: the difference is which deny (explicit or implicit)."""
    model, target = diff.model, diff.target
    return diff.kind == "decision" and isinstance(model, dict) and isinstance(target, dict) and "decision" in model \
        and "decision" in target and "Allow" not in (model["decision"], target["decision"])


def error_codes(diff: Any) -> tuple:
    """The error codes on either side of a difference."""
    return tuple(c for side in (diff.model, diff.target) for c in [error_code(side)] if c)


def error_code(answer: Any) -> Any:
    """The error code of an answer or a step's outcome (``{"error": {"code": ...}}`` or ``{"error": "Code"}``)."""
    if not isinstance(answer, dict):
        return None
    error = answer.get("error")
    return error.get("code") if isinstance(error, dict) else error if isinstance(error, str) else None
