"""Policy documents as the IAM API takes them: JSON text, size quotas, parsing once, and principal IDs.

Rules:
- documents are JSON text; a scenario may give an object, which is sent as its JSON text (formats/scenario.md);
- "IAM does not count white space when calculating the size of a policy"; quotas per entity (inline aggregate:
  user 2,048, group 5,120, role 10,240; managed policy 6,144; role trust policy 2,048) are
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (iam-semantics §1.3);
- an ARN naming a user or role in a ``Principal`` is stored as that entity's unique ID, and a ``Principal`` naming a
  user or role that does not exist is refused: "Invalid principal in policy"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
  https://repost.aws/knowledge-center/iam-trust-policy-error).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from spec.errors import IamError
from spec.identity.entities import Document
from spec.identity.frozen import FrozenMap
from spec.identity.ids import parse_iam_arn
from spec.policy import Policy, PolicyKind, parse_policy

USER_INLINE_QUOTA, GROUP_INLINE_QUOTA, ROLE_INLINE_QUOTA = 2048, 5120, 10240
MANAGED_QUOTA, TRUST_QUOTA = 6144, 2048
_UNIQUE_ID = re.compile(r"\bA(?:IDA|ROA)[A-Z0-9]{4,}\b")


def as_text(value: Any) -> str:
    """A policy parameter as the JSON text that is sent: an object or list is serialised, a string kept."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    raise IamError("ValidationError", "a policy document must be JSON text or a JSON object")


def size(text: str) -> int:
    """Rule *policy size*: the number of characters that are not white space."""
    return sum(1 for ch in text if not ch.isspace())


def check_quota(total: int, quota: int, quota_name: str) -> None:
    """``LimitExceeded`` (409) "Cannot exceed quota for <QuotaName>: <N>" (observed wire message, §6.3)."""
    if total > quota:
        raise IamError("LimitExceeded", f"Cannot exceed quota for {quota_name}: {quota}")


@lru_cache(maxsize=4096)
def parsed(text: str, kind: PolicyKind) -> Policy:
    """The document parsed (and validated) once; ``MalformedPolicyDocument`` if IAM would refuse it."""
    return parse_policy(text, kind)


def _aws_principals(doc: Any) -> list[dict]:
    """Every Principal/NotPrincipal object with an ``AWS`` entry in a parsed JSON document (to read or rewrite)."""
    found = []
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    for stmt in statements if isinstance(statements, list) else [statements]:
        if not isinstance(stmt, dict):
            continue
        for element in ("Principal", "NotPrincipal"):
            value = stmt.get(element)
            if isinstance(value, dict) and "AWS" in value:
                found.append(value)
    return found


def _values(principal: dict) -> list:
    value = principal["AWS"]
    return value if isinstance(value, list) else [value]


def capture(world: Any, text: str, kind: PolicyKind, error_code: str = "MalformedPolicyDocument",
            strict: bool = True) -> Document:
    """Validate a resource-based document and remember the unique ID of each user or role its Principal names.

    A user or role ARN in an account this model holds must name an existing entity, exactly (case and path),
    else the document is refused with "Invalid principal in policy". Principals in accounts the model does not
    hold are kept as written (iamspec decision: the model cannot know them). ``strict=False`` (documents imported
    from a real account) remembers what it can and refuses nothing."""
    from spec.identity.state import entity_by_arn

    parsed(text if strict else effective_text(world, Document(text)), kind)
    ids: dict[str, str] = {}
    for principal in _aws_principals(json.loads(text)):
        for value in _values(principal):
            arn = parse_iam_arn(value) if isinstance(value, str) else None
            if arn is not None and arn[1] == "group" and strict:
                # "You cannot identify a user group as a Principal in a policy"
                # (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html)
                raise IamError(error_code, f'Invalid principal in policy: "AWS":"{value}"')
            if arn is None or arn[1] not in ("user", "role") or arn[0] not in world.accounts:
                continue
            entity = entity_by_arn(world, value)
            if entity is None and not strict:
                continue
            if entity is None:
                raise IamError(error_code, f'Invalid principal in policy: "AWS":"{value}"')
            ids[value] = getattr(entity, "user_id", None) or entity.role_id
    return Document(text, FrozenMap(ids))


def effective_text(world: Any, document: Document, display: bool = False) -> str:
    """The document as IAM now evaluates it (or, ``display=True``, shows it): a principal whose user or role was
    deleted (or deleted and re-created, with a new unique ID) is shown as the old unique ID, which names no one
    (iam-semantics §7.18). For evaluation it becomes an ARN that no caller can have (a name with a space,
    ``.../deleted AIDA...``), so that the document stays one the policy grammar accepts."""
    from spec.identity.state import entity_by_arn

    if not document.principal_ids and (display or not _UNIQUE_ID.search(document.text)):
        return document.text
    stale = {}
    for arn, unique in document.principal_ids.items():
        entity = entity_by_arn(world, arn)
        current = None if entity is None else (getattr(entity, "user_id", None) or entity.role_id)
        if current != unique:
            stale[arn] = unique
    if not stale and display:
        return document.text
    doc = json.loads(document.text)
    for principal in _aws_principals(doc):
        new = [_evaluable(stale.get(v, v), display) if isinstance(v, str) else v for v in _values(principal)]
        principal["AWS"] = new if isinstance(principal["AWS"], list) else new[0]
    return json.dumps(doc)


def _evaluable(value: str, display: bool) -> str:
    """A bare unique ID (``AIDA...``, ``AROA...``: a principal deleted since the policy was saved, as IAM shows it)
    becomes, for evaluation, an ARN that no caller can have."""
    if display or not _UNIQUE_ID.fullmatch(value):
        return value
    return f"arn:aws:iam::000000000000:user/deleted {value}"


def as_object(text: str) -> Any:
    """A stored document as boto3 returns it (decoded JSON); text that is not JSON is returned as is."""
    try:
        return json.loads(text)
    except ValueError:
        return text
