"""The pytest plugin: ``pytest --iam-target NAME`` runs the conformance suite, one test per feature.

A feature's test passes when the target agrees with the model on every input that exercised it, fails when it
diverges (the message lists the divergences), errors when the target crashed there, and is skipped when the target
cannot express the feature. JUnit XML comes from pytest's own ``--junitxml``. Under pytest-xdist (``-n N``, also
remote workers) each worker runs its share of the features and leaves a partial result; the controller merges
them into one report (``--iam-out``, default ``reports``; formats/report.md). Hypothesis's example database can be
a shared folder: ``--hypothesis-db DIR`` or the environment variable ``IAMSPEC_HYPOTHESIS_DB``.

With ``--iam-target`` only the feature tests run (the project's own tests are deselected).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from harness.features import BY_ID, FEATURE_IDS

_TARGETS = pytest.StashKey[dict]()
_RESULTS = pytest.StashKey[list]()
_STARTED = pytest.StashKey[float]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("iamspec", "iamspec conformance")
    group.addoption("--iam-target", help="run the conformance suite on this target (one test per feature)")
    group.addoption("--iam-endpoint-url", help="endpoint URL for target 'endpoint' (loopback unless --iam-allow-remote)")
    group.addoption("--iam-allow-remote", action="store_true", help="allow a non-loopback endpoint URL")
    group.addoption("--iam-budget", type=float, default=240.0, help="seconds for the whole suite (default 240)")
    group.addoption("--iam-examples", type=int, help="generated examples per feature and level (no time bound)")
    group.addoption("--iam-seed", type=int, default=0, help="seed of the generated examples (default 0)")
    group.addoption("--iam-timeout", type=float, default=10.0, help="seconds allowed for each call (default 10)")
    group.addoption("--iam-features", help="only these features (comma-separated ids)")
    group.addoption("--iam-out", default="reports", help="where the merged report is written (default reports)")
    group.addoption("--hypothesis-db", default=os.environ.get("IAMSPEC_HYPOTHESIS_DB"),
                    help="Hypothesis example database folder, may be shared between machines")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_TARGETS] = {}
    config.stash[_RESULTS] = []
    config.stash[_STARTED] = time.monotonic()


class FeatureItem(pytest.Item):
    """One feature on the chosen target."""

    def __init__(self, *, feature: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.feature = feature

    def runtest(self) -> None:
        config = self.config
        target, model = _targets(config)
        from harness.conform import REGRESSION, Conformance

        examples = config.getoption("--iam-examples")
        chosen = config.getoption("--iam-features")
        count = len([f for f in chosen.split(",") if f.strip()]) if chosen else len(FEATURE_IDS)
        budget = float("inf") if examples else config.getoption("--iam-budget") / max(1, count)
        engine = Conformance(target, model, budget=budget, examples=examples or 1000,
                             seed=config.getoption("--iam-seed"), timeout=config.getoption("--iam-timeout"),
                             database=config.getoption("--hypothesis-db"), regression=REGRESSION,
                             features=(self.feature,))
        result = engine.run()
        config.stash[_RESULTS].append(result)
        if result.interrupted:
            raise KeyboardInterrupt
        row = next(r for r in result.feature_rows() if r["feature"] == self.feature)
        tally = result.tallies[self.feature]
        if row["status"] == "unsupported":
            pytest.skip(tally.unsupported_reason or "the target answered unsupported for every input")
        if row["status"] == "divergent":
            lines = [f"{row['divergent']} of {row['checked']} inputs differ from the model: {row['title']}"]
            for d in result.divergences:
                if d.feature == self.feature:
                    lines.append(f"{d.id} ({d.kind}): model {json.dumps(d.model)}, target {json.dumps(d.target)}")
            raise FeatureDivergence("\n".join(lines))
        if row["status"] == "error":
            raise FeatureDivergence(f"the target crashed or timed out on {self.feature}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, FeatureDivergence):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int, str]:
        return "iamspec", 0, f"{self.config.getoption('--iam-target')}: {self.feature} ({BY_ID[self.feature].title})"


class FeatureDivergence(AssertionError):
    """The target differs from the model on a feature."""


def _targets(config: pytest.Config) -> tuple[Any, Any]:
    """The target and the model, started once per process (each xdist worker has its own)."""
    cache = config.stash[_TARGETS]
    if "target" not in cache:
        from harness.targets.base import TargetUnavailable, get_target

        name = config.getoption("--iam-target")
        timeout = config.getoption("--iam-timeout")
        target = get_target(name, endpoint_url=config.getoption("--iam-endpoint-url"), timeout=timeout,
                            allow_remote=config.getoption("--iam-allow-remote"))
        model = target if name == "model" else get_target("model", timeout=timeout)
        try:
            target.start()
            if model is not target:
                model.start()
        except TargetUnavailable as exc:
            cache["unavailable"] = f"{exc.message}. To install: {exc.how_to_install}"
        cache.update(target=target, model=model)
    if "unavailable" in cache:
        pytest.skip(f"target unavailable: {cache['unavailable']}")
    return cache["target"], cache["model"]


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    if not config.getoption("--iam-target"):
        return
    deselected = list(items)
    chosen = config.getoption("--iam-features")
    features = [f.strip() for f in chosen.split(",") if f.strip() in BY_ID] if chosen else list(FEATURE_IDS)
    items[:] = [FeatureItem.from_parent(session, name=f"conform[{fid}]", feature=fid) for fid in features]
    if deselected:
        config.hook.pytest_deselected(items=deselected)


def _partial_dir(config: pytest.Config) -> Path:
    return Path(config.getoption("--iam-out")) / ".partial"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if not config.getoption("--iam-target"):
        return
    for t in {id(v): v for k, v in config.stash[_TARGETS].items() if k in ("target", "model")}.values():
        with contextlib.suppress(Exception):
            t.stop()
    from harness.report.results import RunResult, merge

    results = config.stash[_RESULTS]
    worker = getattr(config, "workerinput", None)
    folder = _partial_dir(config)
    if worker is not None:  # an xdist worker: leave its share for the controller
        if results:
            folder.mkdir(parents=True, exist_ok=True)
            data = merge(results).partial()
            (folder / f"{config.getoption('--iam-target')}-{worker['workerid']}.json").write_text(json.dumps(data))
        return
    for path in sorted(folder.glob(f"{config.getoption('--iam-target')}-*.json")) if folder.exists() else []:
        results.append(RunResult.from_partial(json.loads(path.read_text(encoding="utf-8"))))
        path.unlink()
    if folder.exists() and not any(folder.iterdir()):
        folder.rmdir()
    if not results:
        return
    from harness.report import write_reports

    merged = merge(results)
    merged.seconds = time.monotonic() - config.stash[_STARTED]
    write_reports(merged, config.getoption("--iam-out"))
