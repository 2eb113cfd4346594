"""``NAME.md`` (summary, feature matrix, each divergence with its input and reproducer) and the cross-target
``index.md``, tables through tabulate (formats/report.md)."""

from __future__ import annotations

import json
from pathlib import Path

from tabulate import tabulate

from harness.features import BY_ID, FEATURE_IDS
from harness.report.results import STATUSES, RunResult

MARK = {"conformant": "conformant", "divergent": "**divergent**", "unsupported": "unsupported", "error": "*error*"}


def _target_line(r: RunResult) -> str:
    version = r.version or "version unknown"
    return f"`{r.target}` {version} ({r.mode or 'mode unknown'}; levels: {', '.join(r.levels) or 'none'})"


def target_markdown(r: RunResult) -> str:
    data = r.as_json()
    lines = [f"# Conformance of {r.target} to the iamspec model", "",
             f"Target: {_target_line(r)}. iamspec {data['iamspec']}. Started {r.started}, "
             f"{r.seconds:.1f} s, seed {r.seed}: {r.cases} decision cases and {r.scenarios} scenarios compared.", ""]
    if r.unavailable:
        lines += [f"**The target was unavailable:** {r.unavailable}", ""]
    if r.interrupted:
        lines += ["**Interrupted:** this report holds what was known when the run was stopped.", ""]
    s = data["summary"]
    lines += ["## Summary", "", tabulate([[s["features"]] + [s[k] for k in STATUSES]],
                                         headers=["features", *STATUSES], tablefmt="github"), ""]
    lines += ["A feature is *conformant* when every input that exercised it got the model's answer, *divergent* "
              "when some did not, *unsupported* when the target cannot express it (said by the target, not "
              "guessed), *error* when the target crashed or timed out there. The model is the reference: "
              "`spec/`, each rule with its AWS source.", ""]
    rows = []
    for row in data["features"]:
        t = r.tallies.get(row["feature"])
        note = t.unsupported_reason if t and t.unsupported_reason else ""
        rows.append([f"`{row['feature']}`", row["title"], MARK[row["status"]], row["checked"], row["divergent"],
                     " ".join(f"[{d}](#{d.lower()})" for d in row["divergences"]), note])
    lines += ["## Features", "", tabulate(rows, headers=["feature", "rule", "status", "checked", "divergent",
                                                         "divergences", "note"], tablefmt="github"), ""]
    if r.notes:
        lines += ["## Notes", "", *[f"- {n}" for n in r.notes], ""]
    lines += ["## Divergences", ""]
    if not r.divergences:
        lines += ["None found.", ""]
    for d in sorted(r.divergences, key=lambda d: (FEATURE_IDS.index(d.feature) if d.feature in BY_ID else 999, d.id)):
        title = BY_ID[d.feature].title if d.feature in BY_ID else d.feature
        item = d.scenario if d.scenario is not None else d.case
        what = "scenario" if d.scenario is not None else "decision case"
        where = f" at step {d.step}" if d.step is not None else ""
        lines += [f"### {d.id}", "", f"Feature `{d.feature}`: {title}. Kind: {d.kind}{where}; "
                  f"found by the {'regression corpus' if d.origin == 'regression' else d.origin + ' examples'}.", "",
                  f"- model: `{json.dumps(d.model)}`", f"- target: `{json.dumps(d.target)}`", "",
                  f"The {what} (minimised):", "", "```json", json.dumps(item, indent=1), "```", ""]
        if d.scenario is not None:
            lines += [f"Replay: save it as `{d.id}.json`, then `iamspec replay {d.id}.json --target {r.target}` "
                      "(and `--target model`); each step's `expect` is the model's outcome.", ""]
        else:
            lines += [f"Replay: `iamspec decide {d.id}.jsonl --check` gives the model's answer (`expected`).", ""]
        lines += ["Reproducer (boto3):", "", "```python", d.reproducer.rstrip(), "```", ""]
    return "\n".join(lines)


def index_markdown(reports: list[dict]) -> str:
    """The matrix of every target reported in one folder, side by side, from their ``NAME.json`` reports."""
    reports = sorted(reports, key=lambda d: d["target"]["name"])
    lines = ["# iamspec conformance: every target", "",
             "Each column is one target's report (`NAME.md`, `NAME.html`, `NAME.json`, `NAME.junit.xml` beside "
             "this file). The model is the reference; a divergence is a difference from it.", ""]
    head = ["target", "version", "mode", "seconds", "cases", "scenarios", *STATUSES]
    summary = []
    for d in reports:
        t, run, s = d["target"], d["run"], d["summary"]
        summary.append([f"[{t['name']}]({t['name']}.md)", t.get("version") or "", t.get("mode") or "",
                        f"{run['seconds']:.0f}", run["cases"], run["scenarios"], *[s.get(k, 0) for k in STATUSES]])
    lines += [tabulate(summary, headers=head, tablefmt="github"), ""]
    status = {d["target"]["name"]: {row["feature"]: row for row in d["features"]} for d in reports}
    rows = []
    for fid in FEATURE_IDS:
        cells = []
        for d in reports:
            row = status[d["target"]["name"]].get(fid)
            cells.append("" if row is None else MARK.get(row["status"], row["status"]) +
                         (f" ({len(row['divergences'])})" if row.get("divergences") else ""))
        rows.append([f"`{fid}`", *cells])
    lines += ["## Feature matrix", "", "(n) = distinct divergences.", "",
              tabulate(rows, headers=["feature", *[d["target"]["name"] for d in reports]], tablefmt="github"), ""]
    return "\n".join(lines)


def load_reports(folder: Path) -> list[dict]:
    """Every ``NAME.json`` conformance report (schema 1) in ``folder``."""
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("schema") == 1 and "features" in data:
            out.append(data)
    return out
