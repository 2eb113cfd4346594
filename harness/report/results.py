"""What a conformance run found, and its JSON form (formats/report.md, schema 1).

:class:`RunResult` is filled by ``harness.conform`` and read by every report writer. Its :meth:`RunResult.partial`
form keeps the raw counts so that the results of several pytest-xdist workers (or several runs) can be merged into
one report with :func:`merge`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harness.features import BY_ID, FEATURE_IDS

SCHEMA = 1
STATUSES = ("conformant", "divergent", "unsupported", "error")


def iamspec_version() -> str:
    try:
        from importlib.metadata import version

        return version("iamspec")
    except Exception:
        return "0.1.0"


@dataclass
class Tally:
    """Counts for one feature on one target."""

    checked: int = 0  # inputs that exercised the feature and were compared on both sides
    divergent: int = 0  # of those, the ones whose divergence was blamed on this feature
    crashed: int = 0  # inputs on which the target crashed or timed out, blamed on this feature
    unsupported_runs: int = 0  # inputs the target answered "unsupported" for
    divergences: list[str] = field(default_factory=list)  # divergence ids
    unsupported_reason: str | None = None  # set when the target cannot express the feature at all

    def add(self, other: Tally) -> None:
        self.checked += other.checked
        self.divergent += other.divergent
        self.crashed += other.crashed
        self.unsupported_runs += other.unsupported_runs
        self.divergences += [d for d in other.divergences if d not in self.divergences]
        self.unsupported_reason = self.unsupported_reason or other.unsupported_reason

    def status(self) -> str:
        """conformant / divergent / unsupported / error (formats/report.md)."""
        if self.unsupported_reason is not None:
            return "unsupported"
        if self.divergent:
            return "divergent"
        if self.crashed:
            return "error"
        if self.checked:
            return "conformant"
        return "unsupported" if self.unsupported_runs else "error"


@dataclass
class Divergence:
    id: str
    feature: str
    kind: str  # decision | error-code | result | crash
    model: Any
    target: Any
    scenario: dict | None = None
    case: dict | None = None
    reproducer: str = ""
    step: int | None = None  # the first step that differs (scenarios)
    origin: str = "generated"  # "regression" (the curated corpus) or "generated"

    def as_json(self) -> dict:
        return {"id": self.id, "feature": self.feature, "kind": self.kind, "model": self.model,
                "target": self.target, "scenario": self.scenario, "case": self.case, "reproducer": self.reproducer}


@dataclass
class RunResult:
    target: str
    mode: str = ""
    version: str | None = None
    levels: tuple[str, ...] = ()
    seed: int = 0
    started: str = ""
    seconds: float = 0.0
    cases: int = 0
    scenarios: int = 0
    tallies: dict[str, Tally] = field(default_factory=dict)
    divergences: list[Divergence] = field(default_factory=list)
    interrupted: bool = False
    unavailable: str | None = None  # why the target could not start, with how to install it
    notes: list[str] = field(default_factory=list)

    def tally(self, feature: str) -> Tally:
        return self.tallies.setdefault(feature, Tally())

    def add_divergence(self, d: Divergence) -> bool:
        """Record ``d`` unless a divergence with its id is known; True if it was new."""
        if any(x.id == d.id for x in self.divergences):
            return False
        self.divergences.append(d)
        t = self.tally(d.feature)
        if d.id not in t.divergences:
            t.divergences.append(d.id)
        return True

    def feature_rows(self) -> list[dict]:
        rows = []
        for fid in FEATURE_IDS:
            if fid not in self.tallies:  # not in this run's scope (a feature filter, one xdist worker's share)
                continue
            t = self.tallies[fid]
            status = "unsupported" if self.unavailable else t.status()
            rows.append({"feature": fid, "title": BY_ID[fid].title, "status": status, "checked": t.checked,
                         "divergent": t.divergent, "divergences": list(t.divergences)})
        return rows

    def summary(self) -> dict:
        rows = self.feature_rows()
        out = {"features": len(rows)}
        for s in STATUSES:
            out[s] = sum(1 for r in rows if r["status"] == s)
        return out

    def as_json(self) -> dict:
        """The report's JSON, exactly as formats/report.md says."""
        return {
            "schema": SCHEMA,
            "target": {"name": self.target, "version": self.version, "mode": self.mode},
            "iamspec": iamspec_version(),
            "run": {"seed": self.seed, "started": self.started, "seconds": round(self.seconds, 1),
                    "cases": self.cases, "scenarios": self.scenarios},
            "summary": self.summary(),
            "features": self.feature_rows(),
            "divergences": [d.as_json() for d in sorted(self.divergences, key=lambda d: (d.feature, d.id))],
        }

    def partial(self) -> dict:
        """Everything, raw counts included: what a pytest-xdist worker hands on for :func:`merge`."""
        data = asdict(self)
        data["levels"] = list(self.levels)
        return data

    @staticmethod
    def from_partial(data: dict) -> RunResult:
        r = RunResult(target=data["target"])
        for key in ("mode", "version", "seed", "started", "seconds", "cases", "scenarios", "interrupted",
                    "unavailable", "notes"):
            setattr(r, key, data.get(key, getattr(r, key)))
        r.levels = tuple(data.get("levels", ()))
        r.tallies = {k: Tally(**v) for k, v in data.get("tallies", {}).items()}
        r.divergences = [Divergence(**d) for d in data.get("divergences", [])]
        return r


def merge(results: list[RunResult]) -> RunResult:
    """One result from several partial ones for the same target (pytest-xdist workers, or repeated runs)."""
    if not results:
        raise ValueError("nothing to merge")
    out = RunResult(target=results[0].target, mode=results[0].mode, version=results[0].version,
                    levels=results[0].levels, seed=results[0].seed)
    out.started = min(r.started for r in results)
    out.seconds = max(r.seconds for r in results)
    for r in results:
        out.cases += r.cases
        out.scenarios += r.scenarios
        out.interrupted = out.interrupted or r.interrupted
        out.unavailable = out.unavailable or r.unavailable
        out.notes += [n for n in r.notes if n not in out.notes]
        for fid, t in r.tallies.items():
            out.tally(fid).add(t)
        for d in r.divergences:
            if not any(x.id == d.id for x in out.divergences):
                out.divergences.append(d)
    return out
