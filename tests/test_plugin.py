"""The pytest plugin: ``pytest --iam-target NAME`` (registered through the package's pytest11 entry point) runs one
test per feature, JUnit through pytest's own ``--junitxml``, and writes the merged report; a divergent feature
fails."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEATURES = "condition.null,sts.caller-identity,scp.filter"


def _pytest(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pytest", "-q", "--iam-features", FEATURES,
           "--iam-budget", "6", "--iam-out", str(tmp_path / "reports"), "--junitxml", str(tmp_path / "junit.xml"),
           "-p", "no:cacheprovider", *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_one_test_per_feature_and_a_merged_report(tmp_path: Path):
    proc = _pytest(tmp_path, "--iam-target", "model", "-n", "2")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    cases = {c.get("name"): c for c in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")}
    assert set(cases) == {f"conform[{f}]" for f in FEATURES.split(",")}
    assert all(c.find("failure") is None for c in cases.values())
    report = json.loads((tmp_path / "reports" / "model.json").read_text())
    rows = {r["feature"]: r for r in report["features"]}
    assert set(rows) == set(FEATURES.split(","))  # both workers' shares, merged
    assert all(r["status"] == "conformant" and r["checked"] > 0 for r in rows.values())
    assert (tmp_path / "reports" / "index.md").exists()
    assert not (tmp_path / "reports" / ".partial").exists()


def test_without_the_option_the_plugin_stays_out_of_the_way(tmp_path: Path):
    (tmp_path / "test_x.py").write_text("def test_x():\n    assert True\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(tmp_path / "test_x.py"), "--rootdir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout[-1500:]
