"""Identifiers and ARNs: unique IDs with AWS's prefixes, access keys, and the ARN of every entity.

Prefixes: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes
(``AIDA`` user, ``AGPA`` group, ``AROA`` role, ``ANPA`` managed policy, ``AKIA`` long-term access key, ``ASIA``
temporary access key). ARN shapes: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns.

IDs are derived from a serial number kept in the state (iamspec decision: deterministic IDs, so that a scenario
replays to the same identifiers every time; AWS's are random, so targets' IDs are never compared with ours).
"""

from __future__ import annotations

import base64
import hashlib

USER, GROUP, ROLE, POLICY = "AIDA", "AGPA", "AROA", "ANPA"
LONG_TERM_KEY, TEMPORARY_KEY = "AKIA", "ASIA"
_ALPHABET_LEN = {USER: 17, GROUP: 17, ROLE: 17, POLICY: 17, LONG_TERM_KEY: 16, TEMPORARY_KEY: 16}


def _digest(kind: str, serial: int | str) -> bytes:
    return hashlib.sha256(f"iamspec:{kind}:{serial}".encode()).digest()


def unique_id(prefix: str, serial: int | str) -> str:
    """A unique ID or access key ID: the prefix, then upper-case letters and digits (21 or 20 characters).

    ``serial`` is the state's serial number, or a text that names the entity for a stable ID (AWS managed
    policies, whose IDs the corpus lacks)."""
    body = base64.b32encode(_digest(prefix, serial)).decode().rstrip("=")
    return prefix + body[: _ALPHABET_LEN[prefix]]


def secret_key(serial: int) -> str:
    """A secret access key: 40 characters of base64, as AWS issues them."""
    return base64.b64encode(_digest("secret", serial) + _digest("secret2", serial)).decode()[:40]


def session_token(serial: int) -> str:
    """An opaque session token (AWS's tokens have no fixed size; this one is 344 base64 characters)."""
    raw = b"".join(_digest(f"token{i}", serial) for i in range(8))
    return "IQoJb3JpZ2luX2VjE" + base64.b64encode(raw).decode()[:327]


def user_arn(account: str, path: str, name: str) -> str:
    """``arn:aws:iam::ACCOUNT:user/PATH/NAME`` (the path, default ``/``, sits between ``user`` and the name)."""
    return f"arn:aws:iam::{account}:user{path}{name}"


def group_arn(account: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:group{path}{name}"


def role_arn(account: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role{path}{name}"


def policy_arn(account: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:policy{path}{name}"


def root_arn(account: str) -> str:
    """The account root user: ``arn:aws:iam::ACCOUNT:root``."""
    return f"arn:aws:iam::{account}:root"


def session_arn(account: str, role_name: str, session_name: str) -> str:
    """``arn:aws:sts::ACCOUNT:assumed-role/ROLE-NAME/ROLE-SESSION-NAME``
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-role-session).

    The role's path is not part of it (iamspec decision: the stored documentation does not say; the documented
    shape has only the role name, and AWS's responses for roles with a path show none)."""
    return f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}"


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def object_arn(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


def parse_iam_arn(arn: str) -> tuple[str, str, str, str] | None:
    """``arn:aws:iam::ACCOUNT:KIND/PATH/NAME`` -> (account, kind, path, name); ``None`` if it is not one.

    ``kind`` is ``user``, ``group``, ``role`` or ``policy``; ``path`` begins and ends with ``/``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3] != "":
        return None
    kind, _, rest = parts[5].partition("/")
    if kind not in ("user", "group", "role", "policy") or not rest:
        return None
    path, _, name = ("/" + rest).rpartition("/")
    return parts[4], kind, path + "/", name


def parse_session_arn(arn: str) -> tuple[str, str, str] | None:
    """``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`` -> (account, role name, session name)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sts":
        return None
    pieces = parts[5].split("/")
    if len(pieces) != 3 or pieces[0] != "assumed-role":
        return None
    return parts[4], pieces[1], pieces[2]
