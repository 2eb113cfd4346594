"""How one policy document is scanned for the features it exercises, by itself and against a request.

A document's request-independent part (elements, operators, wildcards, variables, which keys its conditions test) is
computed once per document and cached by its identity: a batch of generated cases shares its documents, so each
further case only pays for the checks that depend on its request (a pattern that matches only ignoring case, a
condition key the request lacks or spells in another case, a variable the request cannot resolve). Resource-based
policies are also scanned for how they name the caller. Feature ids are plain strings; ``harness.features`` filters
them against THE list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from spec.patterns import compile_glob

_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "numericnotequals", "datenotequals",
            "notipaddress", "arnnotequals", "arnnotlike"}
_FAMILY = (("stringequalsignorecase", "condition.string-ignore-case"),
           ("stringnotequalsignorecase", "condition.string-ignore-case"),
           ("stringlike", "condition.string-like"), ("stringnotlike", "condition.string-like"),
           ("string", "condition.string"), ("numeric", "condition.numeric"), ("date", "condition.date"),
           ("bool", "condition.bool"), ("binary", "condition.binary"), ("ipaddress", "condition.ip-address"),
           ("notipaddress", "condition.ip-address"), ("arn", "condition.arn"), ("null", "condition.null"))
_VAR = re.compile(r"\$\{([^}]*)\}")


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _doc(value: Any) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _statements(doc: Any) -> list[dict]:
    return [s for s in as_list(_doc(doc).get("Statement", [])) if isinstance(s, dict)]


def _glob(pattern: str, value: str, fold: bool) -> bool:
    return compile_glob(pattern, fold)(value)


def _operator(op: str) -> tuple[str, str, bool]:
    """(qualifier, base lower-cased, IfExists) of a condition operator."""
    qualifier, _, base = op.rpartition(":")
    base = base.lower()
    if_exists = base.endswith("ifexists")
    return qualifier.lower(), base[:-8] if if_exists else base, if_exists


def _scan_condition(cond: Any, context: dict | None, out: set[str]) -> None:
    if not isinstance(cond, dict):
        return
    keys = 0
    lower_ctx = {k.lower(): k for k in (context or {})}
    for op, block in cond.items():
        if not isinstance(block, dict) or not isinstance(op, str):
            continue
        qualifier, base, if_exists = _operator(op)
        keys += len(block)
        out.update(f for prefix, f in _FAMILY if base.startswith(prefix))
        if if_exists:
            out.add("condition.if-exists")
        if qualifier == "forallvalues":
            out.add("condition.for-all-values")
        elif qualifier == "foranyvalue":
            out.add("condition.for-any-value")
        for key, values in block.items():
            if len(as_list(values)) > 1:
                out.add("condition.multiple-values")
            if any(isinstance(v, str) and "${" in v for v in as_list(values)):
                out.add("condition.variable")
            if context is None or not isinstance(key, str):
                continue
            actual = lower_ctx.get(key.lower())
            if actual is not None and actual != key:
                out.add("condition.key-case-insensitive")
            if actual is None and base != "null" and not if_exists and not qualifier:
                out.add("condition.negated-missing-key" if base in _NEGATED else "condition.missing-key")
    if keys > 1:
        out.add("condition.multiple-keys")


@dataclass(frozen=True)
class _PolicyScan:
    """What a document exercises whatever the request, and what the request-dependent checks need."""

    static: frozenset[str]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition_keys: tuple[tuple[str, str, str, bool], ...]  # (key lower-cased, key, operator base, untested if absent)
    variables: tuple[str, ...]
    case_only: dict[tuple[bool, str], bool]  # (resource?, value) -> a pattern matches it only ignoring case (memo)

    def matches_only_ignoring_case(self, is_resource: bool, value: str) -> bool:
        known = self.case_only.get((is_resource, value))
        if known is None:
            patterns = self.resources if is_resource else self.actions
            known = any(_glob(p, value, True) and not _glob(p, value, False) for p in patterns)
            if len(self.case_only) > 256:
                self.case_only.clear()
            self.case_only[(is_resource, value)] = known
        return known


_SCANS: dict[tuple[int, str], tuple[Any, _PolicyScan]] = {}  # (id(doc), layer) -> (doc, scan); doc kept alive


def _policy_scan(doc: Any, layer: str) -> _PolicyScan:
    """The request-independent scan of ``doc``, cached by identity (a batch of cases shares its documents)."""
    key = (id(doc), layer)
    hit = _SCANS.get(key)
    if hit is not None and hit[0] is doc:
        return hit[1]
    d = _doc(doc)
    out: set[str] = set()
    actions: list[str] = []
    resources: list[str] = []
    condition_keys = []
    for st in _statements(d):
        if st.get("Effect") == "Deny":
            out.add("decision.explicit-deny")
        elif layer == "identity" and st.get("Effect") == "Allow":
            out.add("identity.allow")
        if "NotAction" in st:
            out.add("action.not-action")
        if "NotResource" in st:
            out.add("resource.not-resource")
        for pattern in [p for k in ("Action", "NotAction") for p in as_list(st.get(k, [])) if isinstance(p, str)]:
            out.update({"action.question-mark"} if "?" in pattern else set())
            out.update({"action.wildcard"} if "*" in pattern else set())
            actions.append(pattern)
        for pattern in [p for k in ("Resource", "NotResource") for p in as_list(st.get(k, [])) if isinstance(p, str)]:
            out.update({"resource.question-mark"} if "?" in pattern else set())
            out.update({"resource.wildcard"} if "*" in pattern and pattern != "*" else set())
            out.update({"variable.resource"} if "${" in pattern else set())
            resources.append(pattern)
        _scan_condition(st.get("Condition"), None, out)
        condition_keys += _condition_keys(st.get("Condition"))
    names = tuple(_VAR.findall(json.dumps(d)))
    if names and d.get("Version") != "2012-10-17":
        out.add("variable.version")
    for name in names:
        if name in ("*", "?", "$"):
            out.add("variable.escape")
        elif ", '" in name:
            out.add("variable.default")
    if "condition.variable" in out:  # a variable in a condition value is the variables rule's case
        out.discard("condition.variable")
        out.add("variable.condition")
    scan = _PolicyScan(frozenset(out), tuple(actions), tuple(resources), tuple(condition_keys), names, {})
    if len(_SCANS) > 2048:
        _SCANS.clear()
    _SCANS[key] = (doc, scan)
    return scan


def _condition_keys(cond: Any) -> list[tuple[str, str, str, bool]]:
    """Each key a Condition element tests: (lower-cased, as written, operator base, whether a missing key makes
    the test a plain operator's: not Null, not IfExists, no set qualifier)."""
    out = []
    for op, block in (cond.items() if isinstance(cond, dict) else ()):
        if isinstance(block, dict) and isinstance(op, str):
            qualifier, base, if_exists = _operator(op)
            plain = base != "null" and not if_exists and not qualifier
            out += [(key.lower(), key, base, plain) for key in block if isinstance(key, str)]
    return out


def scan_policy(doc: Any, layer: str, request: dict | None, out: set[str]) -> None:
    """Features a policy document exercises (``request`` present: also those that depend on the request)."""
    out |= policy_static(doc, layer)
    if request is not None:
        out |= policy_line(doc, layer, request.get("action"), request.get("resource"))
        context = request.get("context")
        out |= policy_context(doc, layer, lower_keys(context if isinstance(context, dict) else {}))


def policy_static(doc: Any, layer: str) -> frozenset[str]:
    """What ``doc`` exercises whatever the request (a variable in a condition counts as ``variable.condition``)."""
    return _policy_scan(doc, layer).static


def policy_line(doc: Any, layer: str, action: Any, resource: Any) -> set[str]:
    """What ``doc`` exercises because of the request's action and resource: a pattern that matches it only when
    case is ignored."""
    scan, found = _policy_scan(doc, layer), set()
    if isinstance(action, str) and scan.matches_only_ignoring_case(False, action):
        found.add("action.case-insensitive")
    if isinstance(resource, str) and scan.matches_only_ignoring_case(True, resource):
        found.add("resource.case-sensitive")
    return found


def lower_keys(context: dict) -> dict[str, str]:
    """The request context's keys, lower-cased, to the spelling the request uses."""
    return {k.lower(): k for k in context if isinstance(k, str)}


def policy_context(doc: Any, layer: str, lower_ctx: dict[str, str]) -> set[str]:
    """What ``doc`` exercises because of which keys the request context holds (``lower_ctx``: see
    :func:`lower_keys`): a key spelt in another case, a tested key that is missing, a variable left unresolved."""
    scan, found = _policy_scan(doc, layer), set()
    for lower, key, base, plain in scan.condition_keys:
        actual = lower_ctx.get(lower)
        if actual is not None and actual != key:
            found.add("condition.key-case-insensitive")
        if actual is None and plain:
            found.add("condition.negated-missing-key" if base in _NEGATED else "condition.missing-key")
    if any(n not in ("*", "?", "$") and ", '" not in n and n.strip().lower() not in lower_ctx for n in scan.variables):
        found.add("variable.unresolved")
    return found


def principals_named(doc: Any) -> list[str]:
    """Every AWS principal named in the Principal / NotPrincipal elements of a resource-based policy."""
    out = []
    for st in _statements(doc):
        for key in ("Principal", "NotPrincipal"):
            value = st.get(key)
            if value == "*":
                out.append("*")
            elif isinstance(value, dict):
                out += [p for k, v in value.items() for p in as_list(v) if isinstance(p, str)]
    return out


def account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else (arn if arn.isdigit() else None)


_RESOURCE_SCANS: dict[tuple[int, str | None, bool], tuple[Any, frozenset[str]]] = {}


def scan_resource_policy(doc: Any, principal: str | None, trust: bool, out: set[str]) -> None:
    """The resource-based policy's features for this caller, cached by the document's identity (see _policy_scan)."""
    key = (id(doc), principal, trust)
    hit = _RESOURCE_SCANS.get(key)
    if hit is None or hit[0] is not doc:
        found: set[str] = set()
        _scan_resource_policy_uncached(doc, principal, trust, found)
        if len(_RESOURCE_SCANS) > 2048:
            _RESOURCE_SCANS.clear()
        hit = _RESOURCE_SCANS[key] = (doc, frozenset(found))
    out |= hit[1]


def _scan_resource_policy_uncached(doc: Any, principal: str | None, trust: bool, out: set[str]) -> None:
    named = principals_named(doc)
    sts_role = None
    if principal and ":assumed-role/" in principal:
        acct, rest = principal.split(":")[4], principal.split(":assumed-role/", 1)[1]
        sts_role = f"arn:aws:iam::{acct}:role/{rest.split('/')[0]}"
    names_caller = principal in named if principal is not None else any(":user/" in p for p in named)
    names_account = any(p.isdigit() or p.endswith(":root") for p in named)
    if trust:
        out.add("trust-policy.required")
        if any(st.get("Effect") == "Deny" for st in _statements(doc)):
            out.add("trust-policy.explicit-deny")
        if names_caller:
            out.add("trust-policy.names-user")
        if names_account:
            out.add("trust-policy.account-principal")
        if "sts:externalid" in json.dumps(_doc(doc)).lower():
            out.add("trust-policy.external-id")
        return
    if names_caller:
        out.add("resource-policy.names-caller")
    if names_account:
        out.add("resource-policy.account-principal")
    if sts_role and (sts_role in named or names_caller):
        out.add("resource-policy.role-vs-session")
    if any("NotPrincipal" in st for st in _statements(doc)):
        out.add("resource-policy.not-principal")
    if "*" in named and principal is not None and (principal == "anonymous" or principal.endswith(".amazonaws.com")):
        out.add("resource-policy.anonymous")
