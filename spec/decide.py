"""``iamspec decide``'s core: one decision case in, one answer line out, whatever the input holds."""

from __future__ import annotations

from typing import Any

import orjson

from spec.authorize import authorize
from spec.case import parse_case
from spec.errors import IamError


def _id_of(case: Any) -> Any:
    return case.get("id") if isinstance(case, dict) else None


def answer_case(case: Any, explain: bool = False) -> dict:
    """The answer to one case, in the format of formats/decision-case.md: ``{"id", "decision", "by"?}``, or
    ``{"id", "error": {"code", "message", "where"?}}`` for a case the model refuses; ``trace`` with ``explain``."""
    try:
        parsed = parse_case(case)
        result = authorize(parsed.request, parsed.policies)
    except IamError as err:
        return {"id": _id_of(case), "error": err.as_json()}
    out: dict[str, Any] = {"id": _id_of(case), "decision": result.decision}
    if result.by:
        out["by"] = list(result.by)
    if explain:
        out["trace"] = [t.as_json() for t in result.trace]
        out["reason"] = result.reason
    return out


def answer_line(line: str | bytes, explain: bool = False) -> dict:
    """Answer one line of a JSON Lines file; a line that is not JSON gets an error answer
    (``ValidationError``, the code AWS gives a request it cannot read)."""
    try:
        case = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return {"id": None, "error": {"code": "ValidationError", "message": f"the line is not JSON: {exc}"}}
    return answer_case(case, explain)
