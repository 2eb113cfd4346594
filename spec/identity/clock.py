"""The clock the model owns: seconds since the Unix epoch, moved only by scenario ``advance`` steps.

Expiry of temporary credentials (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp.html:
"After the credentials expire, AWS no longer recognizes them") is decided against this clock, never the machine's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from spec.errors import IamError

DEFAULT_START = 1_767_225_600
"""2026-01-01T00:00:00Z, where a fresh model's clock starts unless told otherwise (iamspec decision: a fixed start
makes every run of a scenario return the same expirations)."""


def iso(epoch: int) -> str:
    """An instant as AWS writes it in JSON responses and in ``aws:CurrentTime``: ISO 8601, UTC, ``Z``."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> int:
    """An ISO 8601 instant (``2026-01-01T00:00:00Z`` or with an offset) as epoch seconds."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError) as exc:
        raise IamError("ValidationError", f"not an ISO 8601 time: {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def check_advance(seconds: object) -> int:
    """A scenario's ``advance`` moves the clock forward by a whole, non-negative number of seconds."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise IamError("ValidationError", f"advance must be a non-negative integer number of seconds, not {seconds!r}")
    return seconds
