"""The principalmapper worker: a separate Python process that answers decision cases with PMapper, one JSON line
per JSON line, so that nothing PMapper does (an import failure, an exception, a hang) can stop the harness.

Run as ``python -m harness.targets.pmapper_worker``. Requests and answers:
``{"op": "version"}`` -> ``{"version": "1.1.5"}`` (or ``{"unavailable": why}``);
``{"case": {...}}`` -> ``{"allowed": bool}`` | ``{"unsupported": why}`` | ``{"exception": why}``.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _load() -> str | None:
    """Import principalmapper (after its shim); the reason it cannot be, or ``None``."""
    from harness.translate.principalmapper import apply_shim

    apply_shim()
    try:
        import principalmapper  # noqa: F401
        from principalmapper.querying import query_interface  # noqa: F401
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def answer(request: Any, problem: str | None) -> dict:
    if not isinstance(request, dict):
        return {"exception": "a request must be a JSON object"}
    if request.get("op") == "version":
        if problem:
            return {"unavailable": problem}
        from importlib.metadata import version

        return {"version": version("principalmapper")}
    if problem:
        return {"exception": f"principalmapper cannot be imported: {problem}"}
    from harness.translate.common import CaseShapeError, read_case
    from harness.translate.principalmapper import Unsupported, allowed

    try:
        return {"allowed": allowed(read_case(request.get("case")))}
    except Unsupported as exc:
        return {"unsupported": str(exc)}
    except CaseShapeError as exc:
        return {"shape": exc.as_error()}
    except Exception as exc:
        return {"exception": f"{type(exc).__name__}: {str(exc)[:300]}"}


def main() -> int:
    problem = _load()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            out = {"exception": f"not JSON: {exc}"}
        else:
            out = answer(request, problem)
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
