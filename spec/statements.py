"""Whether a statement applies to a request: Principal, Action, Resource and Condition all match.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (a statement
"matches" when each element matches), and the element pages cited per rule. Policies are indexed once by the
service prefix of their actions, so a request only visits the statements that can name its action.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from spec.callers import Caller
from spec.conditions import Context, conditions_hold, failing_clause
from spec.patterns import compile_glob, glob_regex, resource_matches
from spec.policy import Policy, Statement
from spec.principals import Grant, grant_for, not_principal_excludes
from spec.variables import Template


def action_applies(stmt: Statement, action: str) -> bool:
    """Rule *Action/NotAction*: Action matches when one of its patterns matches; NotAction matches "everything
    except the specified list of actions".
    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"""
    hit = stmt.action_match(action.lower())
    return not hit if stmt.not_action else hit


@lru_cache(maxsize=65536)
def _pieces_matcher(pieces: tuple[tuple[str, bool], ...]) -> re.Pattern[str]:
    return re.compile(glob_regex(pieces), re.DOTALL)


def _template_matches(template: Template, resource: str, context: Context) -> bool | None:
    """True/False, or None when the pattern holds a variable with no value."""
    if not template.has_variables:
        return resource_matches(template.raw, resource)
    pieces = template.resolve(context)
    if pieces is None:
        return None
    if all(is_pattern for _, is_pattern in pieces):
        return compile_glob("".join(t for t, _ in pieces))(resource)
    return _pieces_matcher(pieces).fullmatch(resource) is not None


def resource_applies(stmt: Statement, resource: str, context: Context) -> bool:
    """Rule *Resource/NotResource*: Resource matches when one of its patterns matches; NotResource when none does;
    a statement with neither (resource-based and trust policies) applies to the resource the policy is attached
    to. Rule *unresolvable variable*: "the resource that includes a policy variable with no value will not match
    any resource", so in NotResource such a pattern excludes nothing.
    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"""
    if stmt.resources is None:
        return True
    hit = any(_template_matches(t, resource, context) is True for t in stmt.resources)
    return not hit if stmt.not_resource else hit


def principal_grant(stmt: Statement, caller: Caller, bounded: bool = False) -> Grant:
    """How the statement's Principal/NotPrincipal names the caller; identity-side statements (no element) apply
    to the principal they are attached to (``Grant.DIRECT``). Rule *NotPrincipal and boundaries*: "The
    NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions boundary
    policy attached, regardless of the values specified in the NotPrincipal element"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)."""
    if stmt.principal is not None:
        return grant_for(stmt.principal, caller)
    if stmt.not_principal is not None:
        if bounded and not stmt.allows:
            return Grant.DIRECT
        return Grant.NONE if not_principal_excludes(stmt.not_principal, caller) else Grant.DIRECT
    return Grant.DIRECT


def candidates(policy: Policy, action: str) -> tuple[Statement, ...]:
    """The statements of ``policy`` whose Action could name ``action``: those naming its service prefix exactly,
    plus those with a wildcard service or NotAction (``Policy.by_service``, built once per policy)."""
    exact = policy.by_service.get(action.partition(":")[0].lower(), ())
    if not policy.any_service:
        return exact
    if not exact:
        return policy.any_service
    return tuple(sorted(exact + policy.any_service, key=lambda s: s.index))


def applying(policy: Policy, action: str, resource: str, context: Mapping, caller: Caller, bounded: bool = False,
             ) -> list[tuple[Statement, Grant]]:
    """Every statement of ``policy`` that applies to the request, with how it names the caller."""
    out = []
    key = action.lower()
    for stmt in candidates(policy, key):
        if not stmt.action_match(key) if not stmt.not_action else stmt.action_match(key):
            continue
        if not stmt.any_resource and not resource_applies(stmt, resource, context):
            continue
        grant = principal_grant(stmt, caller, bounded) if stmt.principal or stmt.not_principal else Grant.DIRECT
        if grant is Grant.NONE:
            continue
        if stmt.conditions and not conditions_hold(stmt.conditions, context):
            continue
        out.append((stmt, grant))
    return out


def why_not(stmt: Statement, action: str, resource: str, context: Context, caller: Caller) -> str:
    """A person's explanation of why a statement does not apply (for ``iamspec explain``)."""
    if not action_applies(stmt, action):
        return f"{'NotAction lists' if stmt.not_action else 'Action does not match'} {action}"
    if not resource_applies(stmt, resource, context):
        return f"{'NotResource lists' if stmt.not_resource else 'Resource does not match'} {resource}"
    if principal_grant(stmt, caller) is Grant.NONE:
        return "Principal does not name the caller"
    clause = failing_clause(stmt.conditions, context)
    if clause is not None:
        got = context.get(clause.key)
        shown = "absent" if got is None else repr(list(got) if isinstance(got, tuple) else got)
        return f"condition {clause.label} on {clause.key} fails: request value {shown}, policy values " \
               f"{[t.raw for t in clause.values]}"
    return "applies"
