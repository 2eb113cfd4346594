"""``NAME.junit.xml``: one test case per feature, failed where divergent, errored where the target crashed,
skipped where unsupported (the JUnit XML that CI systems read)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from harness.report.results import RunResult


def target_junit(r: RunResult) -> str:
    rows = r.feature_rows()
    counts = {s: sum(1 for row in rows if row["status"] == s) for s in ("divergent", "error", "unsupported")}
    suite = ET.Element("testsuite", {
        "name": f"iamspec conformance: {r.target}", "tests": str(len(rows)), "failures": str(counts["divergent"]),
        "errors": str(counts["error"]), "skipped": str(counts["unsupported"]), "time": f"{r.seconds:.1f}",
        "timestamp": r.started})
    props = ET.SubElement(suite, "properties")
    for key, value in (("target", r.target), ("version", r.version or ""), ("mode", r.mode), ("seed", r.seed),
                       ("cases", r.cases), ("scenarios", r.scenarios)):
        ET.SubElement(props, "property", {"name": key, "value": str(value)})
    by_id = {d.id: d for d in r.divergences}
    for row in rows:
        case = ET.SubElement(suite, "testcase", {"classname": f"iamspec.{r.target}", "name": row["feature"]})
        tally = r.tallies.get(row["feature"])
        if row["status"] == "divergent":
            lines = [f"{row['divergent']} of {row['checked']} inputs differ from the model: {row['title']}"]
            for did in row["divergences"]:
                d = by_id.get(did)
                if d:
                    lines.append(f"{did} ({d.kind}): model {json.dumps(d.model)}, target {json.dumps(d.target)}")
            failure = ET.SubElement(case, "failure", {"message": lines[0], "type": "divergence"})
            failure.text = "\n".join(lines)
        elif row["status"] == "error":
            ET.SubElement(case, "error", {"message": f"the target crashed or timed out on {row['feature']}",
                                          "type": "crash"})
        elif row["status"] == "unsupported":
            reason = (tally.unsupported_reason if tally else None) or "the target cannot express this feature"
            ET.SubElement(case, "skipped", {"message": reason})
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"{row['checked']} inputs agree with the model"
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
