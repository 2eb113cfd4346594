"""The data the benchmark's workloads are drawn from: AWS managed policies, real IAM actions, ARN patterns of each
resource type, typed condition keys (see ``harness/data/README.md`` for their sources and licences)."""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
MANAGED = Path(__file__).resolve().parent.parent.parent / "spec" / "identity" / "data" / "managed-policies.jsonl.gz"


@dataclass(frozen=True)
class ManagedPolicy:
    name: str
    arn: str
    document: dict

    def statements(self) -> list[dict]:
        st = self.document.get("Statement", [])
        return st if isinstance(st, list) else [st]


@dataclass(frozen=True)
class Action:
    name: str  # "s3:GetObject"
    resource_types: tuple[str, ...]  # e.g. ("object",) required types first; () = the action takes "*"
    condition_keys: tuple[str, ...]


def _tsv(name: str) -> list[dict]:
    with gzip.open(DATA / name, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@lru_cache(maxsize=1)
def managed_policies() -> tuple[ManagedPolicy, ...]:
    """Every AWS managed policy (default version), in the corpus's order."""
    with gzip.open(MANAGED, "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh if line.strip()]
    return tuple(ManagedPolicy(r["name"], r["arn"], r["document"]) for r in recs)


@lru_cache(maxsize=1)
def actions() -> tuple[Action, ...]:
    out = []
    for row in _tsv("actions.tsv.gz"):
        types = tuple(t for t in (row.get("resource_types") or "").split(",") if t)
        required = tuple(t.rstrip("*") for t in types if t.endswith("*"))
        optional = tuple(t for t in types if not t.endswith("*"))
        keys = tuple(k for k in (row.get("condition_keys") or "").split(",") if k)
        out.append(Action(row["action"], required + optional, keys))
    return tuple(out)


@lru_cache(maxsize=1)
def actions_by_service() -> dict[str, tuple[Action, ...]]:
    by: dict[str, list[Action]] = {}
    for a in actions():
        by.setdefault(a.name.split(":", 1)[0].lower(), []).append(a)
    return {k: tuple(v) for k, v in by.items()}


@lru_cache(maxsize=1)
def action_index() -> dict[str, Action]:
    return {a.name.lower(): a for a in actions()}


@lru_cache(maxsize=1)
def arn_patterns() -> dict[tuple[str, str], str]:
    """(service, resource type) -> ARN pattern such as ``arn:${Partition}:s3:::${BucketName}/${ObjectName}``."""
    return {(r["service"].lower(), r["resource_type"]): r["arn_pattern"] for r in _tsv("resource-types.tsv.gz")}


@lru_cache(maxsize=1)
def condition_key_types() -> dict[str, str]:
    """Lower-cased service condition key -> its type (``String``, ``ArrayOfString``, ``Bool``, ``Numeric``, ...)."""
    return {r["key"].lower(): r["type"] for r in _tsv("condition-keys.tsv.gz")}
