"""Conformance reports (formats/report.md): ``NAME.md``, ``NAME.html``, ``NAME.json``, ``NAME.junit.xml`` and the
cross-target ``index.md`` of the folder.

Beside them, for replay: ``NAME.scenarios.jsonl`` (every divergent scenario, each step's ``expect`` the model's
outcome: ``iamspec replay reports/NAME.scenarios.jsonl --target NAME``) and ``NAME.cases.jsonl`` (every divergent
decision case, ``expected`` the model's decision: ``iamspec decide reports/NAME.cases.jsonl --check``).
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.report.html import target_html
from harness.report.junit import target_junit
from harness.report.markdown import index_markdown, load_reports, target_markdown
from harness.report.results import RunResult


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_reports(result: RunResult, out: str | Path) -> list[Path]:
    """Write one target's reports into ``out`` and refresh the folder's ``index.md``; return the paths written."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    name = result.target
    written = []
    for suffix, text in ((".json", json.dumps(result.as_json(), indent=1) + "\n"), (".md", target_markdown(result)),
                         (".html", target_html(result)), (".junit.xml", target_junit(result))):
        path = folder / f"{name}{suffix}"
        _write(path, text)
        written.append(path)
    for suffix, key in ((".scenarios.jsonl", "scenario"), (".cases.jsonl", "case")):
        items = [getattr(d, key) for d in sorted(result.divergences, key=lambda d: d.id) if getattr(d, key)]
        path = folder / f"{name}{suffix}"
        if items:
            _write(path, "".join(json.dumps(i, sort_keys=True) + "\n" for i in items))
            written.append(path)
        elif path.exists():
            path.unlink()
    index = folder / "index.md"
    _write(index, index_markdown(load_reports(folder)))
    written.append(index)
    return written
