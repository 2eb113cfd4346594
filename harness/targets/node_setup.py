"""Where iam-simulate's Node driver lives and how it is installed on first use.

The driver (``node/drive.mjs``) and its ``package.json`` ship inside the harness. ``npm install`` runs once, into
that folder when it is writable (a source checkout) or else into a copy under the user's cache folder
(``$XDG_CACHE_HOME/iamspec/node`` or ``~/.cache/iamspec/node``; ``IAMSPEC_NODE_DIR`` overrides the place).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness.safety import scrubbed_environ
from harness.targets.base import TargetUnavailable

SOURCE_DIR = Path(__file__).with_name("node")
PACKAGE = "@cloud-copilot/iam-simulate"
HOW_TO_INSTALL = (
    "install Node.js >= 18 with npm (https://nodejs.org or `apt-get install nodejs npm`); iamspec then runs "
    f"`npm install` for {PACKAGE} by itself on first use"
)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "iamspec" / "node"


def tool_dir() -> Path:
    """The folder whose ``node_modules`` holds iam-simulate (created and filled if needed)."""
    override = os.environ.get("IAMSPEC_NODE_DIR")
    if override:
        target = Path(override)
    elif os.access(SOURCE_DIR, os.W_OK):
        return SOURCE_DIR
    else:
        target = _cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "drive.mjs"):
        src = SOURCE_DIR / name
        if src.exists() and (not (target / name).exists() or (target / name).read_bytes() != src.read_bytes()):
            shutil.copyfile(src, target / name)
    return target


def installed_version(folder: Path) -> str | None:
    """The iam-simulate version installed under ``folder``, or ``None``."""
    meta = folder / "node_modules" / "@cloud-copilot" / "iam-simulate" / "package.json"
    try:
        return str(json.loads(meta.read_text(encoding="utf-8")).get("version"))
    except (OSError, ValueError):
        return None


def wanted_version() -> str | None:
    try:
        deps = json.loads((SOURCE_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
        return str(deps[PACKAGE])
    except (OSError, ValueError, KeyError):
        return None


def ensure_installed(timeout: float = 300.0) -> tuple[str, Path]:
    """(node executable, tool folder), installing iam-simulate with npm if it is not there yet.

    Raises :class:`TargetUnavailable` when Node/npm are missing or the install fails.
    """
    node = shutil.which("node")
    if node is None:
        raise TargetUnavailable("Node.js was not found on PATH", HOW_TO_INSTALL)
    try:
        major = int(subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        major = 0
    if major < 18:
        raise TargetUnavailable("Node.js >= 18 is required", HOW_TO_INSTALL)
    folder = tool_dir()
    with _install_lock(folder):  # several processes (pytest-xdist workers) may get here at once
        _install(folder, timeout)
    return node, folder


@contextlib.contextmanager
def _install_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` while npm runs there (a no-op where ``fcntl`` does not exist)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"iamspec-npm-{digest}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _install(folder: Path, timeout: float) -> None:
    wanted = wanted_version()
    if installed_version(folder) is not None and (not wanted or installed_version(folder) == wanted):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise TargetUnavailable("npm was not found on PATH", HOW_TO_INSTALL)
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            env=scrubbed_environ(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise TargetUnavailable(f"npm install of {PACKAGE} failed: {exc}", HOW_TO_INSTALL) from None
    if done.returncode != 0 or installed_version(folder) is None:
        tail = (done.stderr or done.stdout or "").strip()[-800:]
        raise TargetUnavailable(f"npm install of {PACKAGE} in {folder} failed: {tail}", HOW_TO_INSTALL)
