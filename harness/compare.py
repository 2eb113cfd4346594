"""Comparing the model's answer with a target's: one decision-case answer, or the outcomes of a scenario's steps.

Kinds of difference (formats/report.md): ``decision`` (allow versus deny, or which deny; also: one side refuses
the input, the other decides), ``error-code`` (both fail, with different codes), ``result`` (a returned field
differs), ``crash`` (the target failed: an exception, a timeout, an answer that is not one). A crash is never
agreement.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

DECISIONS = ("Allow", "ImplicitDeny", "ExplicitDeny")
# Result fields compared where both sides return them: names, paths, ARNs and states that the model predicts.
# Generated IDs, secrets, tokens and timestamps differ between implementations by design and are not compared.
RESULT_FIELDS = frozenset({"Arn", "UserName", "RoleName", "GroupName", "PolicyName", "Path", "Account", "Status",
                           "MaxSessionDuration", "IsDefaultVersion", "DefaultVersionId", "AttachmentCount"})


@dataclass(frozen=True)
class Difference:
    kind: str  # decision | error-code | result | crash
    model: Any  # what the model said (the answer, or the step's outcome)
    target: Any
    step: int | None = None  # scenarios: the first step that differs

    def signature(self) -> str:
        """What identifies this class of difference, whatever the input: the kind and both sides' gist."""
        return f"{self.kind}|{gist(self.model)}|{gist(self.target)}"


def gist(answer: Any) -> str:
    if not isinstance(answer, dict):
        return "garbage"
    if "crash" in answer:
        return "crash"
    if "decision" in answer:
        return str(answer["decision"])
    if answer.get("ok") is True:
        return "ok"
    error = answer.get("error")
    if isinstance(error, dict):
        return f"error:{error.get('code')}"
    if isinstance(error, str):
        return f"error:{error}"
    if "unsupported" in answer:
        return "unsupported"
    return "garbage"


def valid_answer(answer: Any) -> str | None:
    """Why a decision-case answer is garbage, or None if it is well formed."""
    if not isinstance(answer, dict):
        return f"the answer is a {type(answer).__name__}, not an object"
    if "crash" in answer:
        return None
    if answer.get("decision") in DECISIONS:
        return None
    error = answer.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return None
    return f"the answer has neither a decision nor an error code: {str(answer)[:200]}"


def compare_answers(model: dict, target: Any, explicit_vs_implicit: bool = True) -> Difference | None:
    """The difference between two answers to one decision case, or None when they agree.

    ``explicit_vs_implicit=False`` for a target that cannot tell an explicit from an implicit deny (a feature it
    declares unsupported): then only allow versus deny is compared."""
    why = valid_answer(target)
    if why is not None:
        return Difference("crash", model, {"crash": why})
    if "crash" in target:
        return Difference("crash", model, target)
    if "crash" in model:
        return Difference("crash", model, target)  # the model failed: never agreement (a model bug to report)
    m_dec, t_dec = model.get("decision"), target.get("decision")
    if m_dec and t_dec:
        if m_dec == t_dec:
            return None
        if not explicit_vs_implicit and m_dec != "Allow" and t_dec != "Allow":
            return None
        return Difference("decision", _strip(model), _strip(target))
    if m_dec or t_dec:
        return Difference("decision", _strip(model), _strip(target))
    if model["error"].get("code") == target["error"].get("code"):
        return None
    return Difference("error-code", _strip(model), _strip(target))


def _strip(answer: dict) -> dict:
    """An answer as shown in a report: the decision (and ``by``) or the error's code and message."""
    out = {k: answer[k] for k in ("decision", "by") if k in answer}
    error = answer.get("error")
    if isinstance(error, dict):
        out["error"] = {k: error.get(k) for k in ("code", "message") if k in error}
    elif "error" in answer:  # not an object: shown as it came
        out["error"] = error
    return out


def _results_differ(model: Any, target: Any) -> str | None:
    """The path of the first compared result field that differs, or None."""
    if isinstance(model, dict) and isinstance(target, dict):
        for key in sorted(set(model) & set(target)):
            if key in RESULT_FIELDS and not isinstance(model[key], (dict, list)):
                if model[key] != target[key]:
                    return key
            else:
                sub = _results_differ(model[key], target[key])
                if sub:
                    return f"{key}.{sub}"
    elif isinstance(model, list) and isinstance(target, list) and len(model) == len(target):
        for i, (a, b) in enumerate(zip(model, target, strict=True)):
            sub = _results_differ(a, b)
            if sub:
                return f"{i}.{sub}"
    return None


def compare_outcomes(model: list[dict], target: Any, steps: list) -> tuple[Difference | None, int]:
    """The first difference between the model's and a target's outcomes of a scenario's steps, and the number of
    steps compared before it (or before the first step the target reports unsupported)."""
    if not isinstance(target, list):
        return Difference("crash", None, {"crash": f"run_scenario returned a {type(target).__name__}"}, 0), 0
    for i, m in enumerate(model):
        t = target[i] if i < len(target) else {"crash": "the target returned fewer outcomes than steps"}
        if not isinstance(t, dict):
            return Difference("crash", m, {"crash": f"outcome {i} is not an object"}, i), i
        if "unsupported" in t:
            return None, i
        if "crash" in t or "crash" in m:
            return Difference("crash", m, t, i), i
        if m.get("ok") is True and t.get("ok") is True:
            field = _results_differ(m.get("result"), t.get("result"))
            if field:
                return Difference("result", {"ok": True, "field": field, "value": _at(m.get("result"), field)},
                                  {"ok": True, "field": field, "value": _at(t.get("result"), field)}, i), i
            continue
        if m.get("ok") is True or t.get("ok") is True:
            return Difference("decision", _outcome(m), _outcome(t), i), i
        if m.get("error") != t.get("error"):
            return Difference("error-code", _outcome(m), _outcome(t), i), i
    return None, len(model)


def _outcome(o: dict) -> dict:
    return {"ok": True} if o.get("ok") is True else {"ok": False, "error": o.get("error")}


def _at(result: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(result, list):
            result = result[int(part)]
        elif isinstance(result, dict):
            result = result.get(part)
    return result


def expectations(model: list[dict]) -> list[Any]:
    """Per step, the ``expect`` the model's outcome makes of it (formats/scenario.md), None where it makes none."""
    out: list[Any] = []
    for o in model:
        if not isinstance(o, dict) or "crash" in o or "unsupported" in o:
            out.append(None)
        elif o.get("ok") is True:
            out.append("ok")
        else:
            out.append({"error": o.get("error")})
    return out


def divergence_id(item: dict, feature: str, diff: Difference) -> str:
    """Stable: the same minimised input and difference always get the same id."""
    body = {k: v for k, v in item.items() if k not in ("id", "expected", "source", "notes")}
    if "steps" in body:
        body["steps"] = [{k: v for k, v in s.items() if k != "expect"} if isinstance(s, dict) else s
                         for s in body["steps"]]
    text = json.dumps([body, feature, diff.signature()], sort_keys=True, separators=(",", ":"))
    return "D-" + hashlib.sha256(text.encode()).hexdigest()[:8]
