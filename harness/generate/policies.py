"""Policy documents that look like real ones, drawn with Hypothesis (functions of its ``draw``, called from the
strategies of :mod:`harness.generate.cases` and :mod:`harness.generate.scenarios`).

Statements are drawn against the request they are meant for (an :class:`~harness.generate.conditions.Aim`):
Action patterns that match its action exactly, in another case, through ``*`` or ``?``, or just miss it (another
real action of the same service); Resource patterns that match its ARN exactly, through ``*`` (crossing ``/`` and
``:``), ``?`` or a policy variable, or just miss it (one character changed, another case); NotAction and
NotResource; Conditions. Which of these an example uses is decided by its toggles (swarm testing: each example turns
a random subset of features on, always including the one it is generated for).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from harness.generate.conditions import Aim, _swapcase_one, condition
from harness.generate.corpus import actions_by_service
from harness.generate.draws import between, flip, pick

V12 = "2012-10-17"


@cache
def _others(service: str, action_lower: str) -> tuple[str, ...]:
    """The other actions of ``service`` (near misses for an Action pattern)."""
    return tuple(a.name for a in actions_by_service().get(service, ()) if a.name.lower() != action_lower)


def action_pattern(draw: st.DrawFn, action: str, toggles: frozenset[str], match: bool) -> str:
    """An Action pattern for ``action``: one that matches it (``match``) or a near miss."""
    service, _, name = action.partition(":")
    if not match:
        others = _others(service, action.lower())
        choices = [f"{service}:{name}x", f"{service}:{name[:-1]}?{name[-1]}?" if len(name) > 1 else f"{service}:??"]
        if others:
            choices.append(pick(draw, others))
        return pick(draw, choices)
    forms = [action]
    if "action.case-insensitive" in toggles:
        forms.append(_swapcase_one(draw, action) if flip(draw) else action.lower())
    if "action.wildcard" in toggles:
        cut = between(draw, 0, len(name))
        forms += [f"{service}:{name[:cut]}*", "*", f"{service}:*", f"{service}:*{name[cut:]}"]
    if "action.question-mark" in toggles and name:
        i = between(draw, 0, len(name) - 1)
        forms.append(f"{service}:{name[:i]}?{name[i + 1:]}")
    return pick(draw, forms)


def resource_pattern(draw: st.DrawFn, aim: Aim, toggles: frozenset[str], match: bool) -> str:
    """A Resource pattern for ``aim.resource``: one that matches it (``match``) or a near miss."""
    arn = aim.resource
    if arn == "*":
        return "*" if match else "arn:aws:s3:::other-bucket"
    if not match:
        misses = [arn[:-1] + ("x" if arn[-1] != "x" else "y"), arn + "/x", "arn:aws:s3:::other-bucket/*"]
        if "resource.case-sensitive" in toggles:
            misses.append(_swapcase_one(draw, arn))
        return pick(draw, misses)
    forms = [arn]
    if "resource.wildcard" in toggles:
        cut = between(draw, len("arn:aws:"), len(arn))
        forms += ["*", arn[:cut] + "*", arn[:cut] + "*" + arn[-1:]]
    if "resource.question-mark" in toggles:
        i = between(draw, len("arn:aws:"), len(arn) - 1)
        forms.append(arn[:i] + "?" + arn[i + 1:])
    name = aim.context.get("aws:username")
    if "variable.resource" in toggles and isinstance(name, str) and name and name in arn:
        forms.append(arn.replace(name, "${aws:username}", 1))
    if "variable.escape" in toggles:
        forms.append(arn[: len(arn) // 2] + "${*}")
    if "variable.default" in toggles:
        forms.append(arn[: len(arn) // 2] + "${aws:PrincipalTag/cost-center, '" + arn[len(arn) // 2:] + "'}")
    if "variable.unresolved" in toggles:
        forms.append(arn[: len(arn) // 2] + "${aws:RequestTag/env}")
    return pick(draw, forms)


def _one_or_list(draw: st.DrawFn, items: list[str]) -> Any:
    return items[0] if len(items) == 1 and flip(draw) else items


def statement(draw: st.DrawFn, aim: Aim, toggles: frozenset[str], effect: str | None = None,
              principal: Any = None, resource: bool = True) -> dict:
    """One statement aimed at ``aim``. ``principal`` (a Principal element) makes it resource-based;
    ``resource=False`` leaves Resource out (trust policies)."""
    if effect is None:
        deny = "decision.explicit-deny" in toggles and between(draw, 0, 3) == 0
        effect = "Deny" if deny else "Allow"
    st_: dict[str, Any] = {"Effect": effect}
    if between(draw, 0, 4) == 0:
        st_["Sid"] = pick(draw, ["Stmt1", "AllowRead", "DenyAll", "S3"])
    if principal is not None:
        st_["Principal"] = principal
    not_action = "action.not-action" in toggles and flip(draw)
    hit = between(draw, 0, 4) > 0
    actions = [action_pattern(draw, aim.action, toggles, hit != not_action)]
    if between(draw, 0, 3) == 0:
        actions.append(action_pattern(draw, aim.action, toggles, False))
    st_["NotAction" if not_action else "Action"] = _one_or_list(draw, actions)
    if resource:
        not_resource = "resource.not-resource" in toggles and flip(draw)
        hit = between(draw, 0, 4) > 0
        resources = [resource_pattern(draw, aim, toggles, hit != not_resource)]
        st_["NotResource" if not_resource else "Resource"] = _one_or_list(draw, resources)
    wants_condition = toggles & {t for t in toggles if t.startswith("condition.") or t == "variable.condition"}
    if wants_condition and between(draw, 0, 3) > 0:
        st_["Condition"] = condition(draw, aim, toggles)
    return st_


def policy(draw: st.DrawFn, aim: Aim, toggles: frozenset[str], max_statements: int = 3, **kw: Any) -> dict:
    """A policy document of one to ``max_statements`` statements aimed at ``aim``."""
    stmts = [statement(draw, aim, toggles, **kw) for _ in range(between(draw, 1, max_statements))]
    doc: dict[str, Any] = {"Version": V12, "Statement": stmts if len(stmts) > 1 or flip(draw) else stmts[0]}
    if "variable.version" in toggles and flip(draw):
        if flip(draw):
            doc["Version"] = "2008-10-17"
        else:
            del doc["Version"]
    return doc


_MALFORMATIONS = ("effect-case", "no-action", "bad-version", "unknown-element", "bad-operator", "empty-statement",
                  "action-and-notaction")


def malformed(draw: st.DrawFn, doc: dict) -> dict:
    """``doc`` broken in one of the ways the policy grammar forbids
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)."""
    doc = {k: (list(v) if isinstance(v, list) else v) for k, v in doc.items()}
    stmts = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    first = dict(stmts[0])
    how = pick(draw, _MALFORMATIONS)
    if how == "effect-case":
        first["Effect"] = first["Effect"].lower()
    elif how == "no-action":
        first.pop("Action", None)
        first.pop("NotAction", None)
    elif how == "bad-version":
        doc["Version"] = "2012-10-18"
    elif how == "unknown-element":
        first["Actions"] = first.get("Action", "s3:GetObject")
    elif how == "bad-operator":
        first["Condition"] = {"StringEqualz": {"aws:username": "alice"}}
    elif how == "empty-statement":
        doc["Statement"] = []
        return doc
    else:
        first["NotAction"] = "s3:DeleteBucket"
        first.setdefault("Action", "s3:GetObject")
    doc["Statement"] = [first, *stmts[1:]]
    return doc
