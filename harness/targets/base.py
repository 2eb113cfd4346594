"""The target protocol: one small interface behind which every IAM implementation the harness drives sits.

A target answers decision cases (evaluator level, ``formats/decision-case.md``) and/or runs scenarios (API level,
``formats/scenario.md``). It never raises from :meth:`Target.decide` or :meth:`Target.run_scenario`: a target that
fails, hangs or answers garbage yields ``crash`` answers and the run goes on. :meth:`Target.start` raises
:class:`TargetUnavailable` (with how to install) when the implementation is missing or cannot start.
"""

from __future__ import annotations

import importlib
from typing import Protocol, runtime_checkable

TARGET_NAMES: tuple[str, ...] = (
    "model",
    "moto",
    "moto-server",
    "ministack",
    "iam-simulate",
    "principalmapper",
    "endpoint",
)

# Feature ids (``area.rule``, the list in ``harness.features``) that adapters use in their ``unsupported`` sets.
EXPLICIT_VS_IMPLICIT = "decision.explicit-vs-implicit"


def features_under(*areas: str) -> frozenset[str]:
    """Every feature id of the given areas (``"scp"`` -> ``scp.filter``, ``scp.every-level``, ...)."""
    from harness.features import FEATURE_IDS

    return frozenset(f for f in FEATURE_IDS if f.split(".", 1)[0] in areas)


class TargetUnavailable(Exception):
    """The target is missing or cannot start; ``how_to_install`` says what to do about it."""

    def __init__(self, message: str, how_to_install: str) -> None:
        super().__init__(f"{message} (to install: {how_to_install})")
        self.message = message
        self.how_to_install = how_to_install


@runtime_checkable
class Target(Protocol):
    """What the harness needs of an IAM implementation."""

    name: str  # one of TARGET_NAMES
    mode: str  # "in-process" | "server" | "subprocess" | "reference"
    levels: frozenset[str]  # subset of {"evaluator", "api"}
    unsupported: frozenset[str]  # feature ids (area.rule) it cannot express at all

    def version(self) -> str | None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def decide(self, case: dict) -> dict: ...

    def run_scenario(self, scenario: dict) -> list[dict]: ...


_MODULES = {
    "model": ("harness.targets.model", "ModelTarget"),
    "moto": ("harness.targets.moto", "MotoTarget"),
    "moto-server": ("harness.targets.moto_server", "MotoServerTarget"),
    "ministack": ("harness.targets.ministack", "MiniStackTarget"),
    "iam-simulate": ("harness.targets.iam_simulate", "IamSimulateTarget"),
    "principalmapper": ("harness.targets.principalmapper", "PrincipalMapperTarget"),
    "endpoint": ("harness.targets.endpoint", "EndpointTarget"),
}


def get_target(
    name: str,
    *,
    endpoint_url: str | None = None,
    timeout: float = 10.0,
    allow_remote: bool = False,
) -> Target:
    """A target by name, not yet started (call ``start()``, which may raise :class:`TargetUnavailable`).

    ``endpoint_url`` is required by ``endpoint`` and ignored by the others; ``timeout`` bounds every call, in
    seconds; ``allow_remote`` lets ``endpoint`` talk to a non-loopback URL (off by default: see ``harness.safety``).
    An unknown name raises ``ValueError`` listing the known ones.
    """
    if name not in _MODULES:
        raise ValueError(f"unknown target {name!r}; known targets: {', '.join(TARGET_NAMES)}")
    module_name, class_name = _MODULES[name]
    cls = getattr(importlib.import_module(module_name), class_name)
    if name == "endpoint":
        return cls(endpoint_url=endpoint_url, timeout=timeout, allow_remote=allow_remote)
    return cls(timeout=timeout)


def crash(case_id: object, what: str) -> dict:
    """The answer line of a case on which the target itself failed."""
    return {"id": case_id, "crash": what}


def case_id(case: object) -> object:
    """The ``id`` of a decision case, or ``None`` when the case is not even an object."""
    return case.get("id") if isinstance(case, dict) else None
