"""``NAME.html``: the report as one self-contained page (inline CSS, no script, no network), with the feature
matrix colour-coded by status."""

from __future__ import annotations

import html
import json

from harness.features import BY_ID
from harness.report.results import STATUSES, RunResult

COLOURS = {"conformant": "#c8e6c9", "divergent": "#ffcdd2", "unsupported": "#e0e0e0", "error": "#ffe0b2"}
CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 80em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
code { font-size: 0.9em; }
""" + "".join(f".{k} {{ background: {v}; }}\n" for k, v in COLOURS.items())


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def target_html(r: RunResult) -> str:
    data = r.as_json()
    s = data["summary"]
    out = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
           f"<title>iamspec conformance: {_e(r.target)}</title><style>{CSS}</style></head><body>",
           f"<h1>Conformance of {_e(r.target)} to the iamspec model</h1>",
           f"<p>Target <code>{_e(r.target)}</code> {_e(r.version or 'version unknown')} ({_e(r.mode)}; levels "
           f"{_e(', '.join(r.levels))}). iamspec {_e(data['iamspec'])}. Started {_e(r.started)}, "
           f"{r.seconds:.1f} s, seed {r.seed}: {r.cases} decision cases and {r.scenarios} scenarios compared.</p>"]
    if r.unavailable:
        out.append(f"<p><strong>The target was unavailable:</strong> {_e(r.unavailable)}</p>")
    if r.interrupted:
        out.append("<p><strong>Interrupted:</strong> what was known when the run was stopped.</p>")
    out.append("<h2>Summary</h2><table><tr><th>features</th>" + "".join(f"<th class='{k}'>{k}</th>" for k in STATUSES)
               + f"</tr><tr><td>{s['features']}</td>" + "".join(f"<td>{s[k]}</td>" for k in STATUSES) + "</tr></table>")
    out.append("<h2>Features</h2><table><tr><th>feature</th><th>rule</th><th>status</th><th>checked</th>"
               "<th>divergent</th><th>divergences</th><th>note</th></tr>")
    for row in data["features"]:
        t = r.tallies.get(row["feature"])
        note = t.unsupported_reason if t and t.unsupported_reason else ""
        links = " ".join(f"<a href='#{_e(d)}'>{_e(d)}</a>" for d in row["divergences"])
        out.append(f"<tr class='{row['status']}'><td><code>{_e(row['feature'])}</code></td><td>{_e(row['title'])}</td>"
                   f"<td>{row['status']}</td><td>{row['checked']}</td><td>{row['divergent']}</td><td>{links}</td>"
                   f"<td>{_e(note)}</td></tr>")
    out.append("</table>")
    if r.notes:
        out.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in r.notes) + "</ul>")
    out.append("<h2>Divergences</h2>")
    if not r.divergences:
        out.append("<p>None found.</p>")
    for d in sorted(r.divergences, key=lambda d: (d.feature, d.id)):
        item = d.scenario if d.scenario is not None else d.case
        title = BY_ID[d.feature].title if d.feature in BY_ID else d.feature
        where = f" at step {d.step}" if d.step is not None else ""
        out += [f"<h3 id='{_e(d.id)}'>{_e(d.id)}</h3>",
                f"<p>Feature <code>{_e(d.feature)}</code>: {_e(title)}. Kind: {_e(d.kind)}{_e(where)}.</p>",
                f"<p>model: <code>{_e(json.dumps(d.model))}</code><br>target: <code>{_e(json.dumps(d.target))}</code></p>",
                f"<pre>{_e(json.dumps(item, indent=1))}</pre>",
                f"<details><summary>Reproducer (boto3)</summary><pre>{_e(d.reproducer)}</pre></details>"]
    out.append("</body></html>")
    return "\n".join(out)
