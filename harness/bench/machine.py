"""The facts of the machine and the software a benchmark ran on, so that a reader can judge and repeat it."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _first(path: str, prefix: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _run(argv: list[str], cwd: Path | None = None) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20, cwd=cwd, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _iam_simulate_version() -> str | None:
    try:
        from harness.targets.node_setup import SOURCE_DIR, installed_version

        return installed_version(SOURCE_DIR)
    except ImportError:
        return None


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def facts() -> dict:
    mem = _first("/proc/meminfo", "MemTotal")
    node = shutil.which("node")
    status = _run(["git", "status", "--porcelain", "--untracked-files=no"], ROOT)
    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "platform": platform.platform(),
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor() or None,
        "cpus": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "node": _run([node, "--version"]) if node else None,
        "git_commit": _run(["git", "rev-parse", "HEAD"], ROOT),
        # tracked files that differ from the commit when the run started (others may be editing the tree)
        "git_tracked_changes": [line.split(None, 1)[1] for line in (status or "").splitlines() if line.strip()][:50],
        "load_average_start": load_average(),
        "versions": {
            "iamspec": _version("iamspec"),
            "moto": _version("moto"),
            "ministack": _version("ministack"),
            "principalmapper": _version("principalmapper"),
            "iam-simulate": _iam_simulate_version(),
            "z3-solver": _version("z3-solver"),
        },
    }
