"""AWS managed policies (``arn:aws:iam::aws:policy/...``), loaded lazily from the bundled corpus.

Source of the data: moto 5.2.5's copy of every AWS managed policy (see data/README.md). AWS managed policies can
be attached by any account and are read-only to customers
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies).
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path

from spec.identity.clock import parse_iso
from spec.identity.entities import ManagedPolicy, PolicyVersion
from spec.identity.ids import POLICY, unique_id

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"
DATA = Path(__file__).resolve().parent / "data" / "managed-policies.jsonl.gz"


def is_aws_managed(arn: str) -> bool:
    return arn.startswith(AWS_POLICY_PREFIX)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict]:
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        return {rec["arn"]: rec for rec in map(json.loads, fh) if rec.get("arn")}


@lru_cache(maxsize=4096)
def aws_managed_policy(arn: str) -> ManagedPolicy | None:
    """The AWS managed policy with this ARN (its default version only), or ``None``.

    Its ``PolicyId`` is not in the corpus; the model derives a stable ``ANPA...`` one from the ARN
    (iamspec decision)."""
    rec = _catalogue().get(arn) if is_aws_managed(arn) else None
    if rec is None:
        return None
    created = parse_iso(rec["create_date"])
    updated = parse_iso(rec.get("update_date") or rec["create_date"])
    version = rec.get("default_version") or "v1"
    text = json.dumps(rec["document"])
    return ManagedPolicy(name=rec["name"], path=rec.get("path") or "/", policy_id=unique_id(POLICY, arn),
                         arn=arn, created=created, updated=updated,
                         versions=(PolicyVersion(version, text, updated),), default=version,
                         next_version=int(version[1:]) + 1 if version[1:].isdigit() else 2)


def aws_managed_arns() -> tuple[str, ...]:
    """Every AWS managed policy ARN in the corpus (loads it)."""
    return tuple(_catalogue())
