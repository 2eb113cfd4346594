"""The report files of formats/report.md: exact JSON keys, Markdown tables, self-contained HTML, JUnit XML with one
test case per feature, the cross-target index, and merging the partial results of several workers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report import write_reports
from harness.report.results import Divergence, RunResult, Tally, merge

SCENARIO = {"id": "trust-policy.explicit-deny/D-00000001", "account": "123456789012", "steps": [
    {"as": "root", "call": "iam:CreateUser", "params": {"UserName": "alice"}, "expect": "ok"}]}


def _result(target: str = "moto") -> RunResult:
    r = RunResult(target=target, mode="in-process", version="5.2.5", levels=("api",), seed=1234,
                  started="2026-11-29T14:00:00Z", seconds=81.2, cases=0, scenarios=40)
    r.tallies = {"trust-policy.explicit-deny": Tally(checked=120, divergent=17),
                 "sts.expiry": Tally(unsupported_reason="no clock"),
                 "iam.name-unique": Tally(checked=30),
                 "iam.delete-conflict": Tally(checked=3, crashed=1)}
    r.add_divergence(Divergence("D-00000001", "trust-policy.explicit-deny", "decision",
                                {"ok": False, "error": "AccessDenied"}, {"ok": True}, scenario=SCENARIO,
                                reproducer="import boto3\n", step=0))
    return r


def test_json_has_exactly_the_documented_shape(tmp_path: Path):
    write_reports(_result(), tmp_path)
    data = json.loads((tmp_path / "moto.json").read_text())
    assert list(data) == ["schema", "target", "iamspec", "run", "summary", "features", "divergences"]
    assert data["schema"] == 1 and data["target"] == {"name": "moto", "version": "5.2.5", "mode": "in-process"}
    assert set(data["run"]) == {"seed", "started", "seconds", "cases", "scenarios"}
    assert data["summary"] == {"features": 4, "conformant": 1, "divergent": 1, "unsupported": 1, "error": 1}
    row = next(f for f in data["features"] if f["feature"] == "trust-policy.explicit-deny")
    assert set(row) == {"feature", "title", "status", "checked", "divergent", "divergences"}
    assert row["status"] == "divergent" and row["divergences"] == ["D-00000001"]
    d = data["divergences"][0]
    assert set(d) == {"id", "feature", "kind", "model", "target", "scenario", "case", "reproducer"}
    assert d["scenario"] == SCENARIO and d["case"] is None


def test_markdown_html_junit_and_replay_files(tmp_path: Path):
    write_reports(_result(), tmp_path)
    md = (tmp_path / "moto.md").read_text()
    assert "| `trust-policy.explicit-deny`" in md and "### D-00000001" in md and "```python" in md
    html = (tmp_path / "moto.html").read_text()
    assert "<style>" in html and "src=" not in html and "http://" not in html and "class='divergent'" in html
    suite = ET.parse(tmp_path / "moto.junit.xml").getroot()
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"trust-policy.explicit-deny", "sts.expiry", "iam.name-unique", "iam.delete-conflict"}
    assert cases["trust-policy.explicit-deny"].find("failure") is not None
    assert cases["sts.expiry"].find("skipped") is not None
    assert cases["iam.delete-conflict"].find("error") is not None
    assert cases["iam.name-unique"].find("failure") is None
    assert suite.get("failures") == "1" and suite.get("tests") == "4"
    lines = (tmp_path / "moto.scenarios.jsonl").read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == [SCENARIO["id"]]


def test_index_puts_every_target_side_by_side(tmp_path: Path):
    write_reports(_result("moto"), tmp_path)
    write_reports(_result("ministack"), tmp_path)
    index = (tmp_path / "index.md").read_text()
    assert "[ministack](ministack.md)" in index and "[moto](moto.md)" in index
    assert "| `sts.expiry`" in index and index.count("**divergent** (1)") == 2


def test_unavailable_target_is_said_with_how_to_install(tmp_path: Path):
    r = RunResult(target="iam-simulate", unavailable="node not found. To install: install Node.js >= 18")
    r.tally("condition.null")
    write_reports(r, tmp_path)
    assert "install Node.js" in (tmp_path / "iam-simulate.md").read_text()
    assert json.loads((tmp_path / "iam-simulate.json").read_text())["features"][0]["status"] == "unsupported"


def test_merge_of_worker_partials_adds_counts_and_keeps_divergences_once():
    a, b = _result(), _result()
    b.tallies = {"iam.name-unique": Tally(checked=5)}
    b.cases = 7
    merged = merge([RunResult.from_partial(json.loads(json.dumps(a.partial()))),
                    RunResult.from_partial(json.loads(json.dumps(b.partial())))])
    assert merged.tallies["iam.name-unique"].checked == 35
    assert merged.cases == 7 and merged.scenarios == 80
    assert [d.id for d in merged.divergences] == ["D-00000001"]
