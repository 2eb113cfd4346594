"""The implementations the harness holds to the model, each behind the protocol of ``harness.targets.base``."""

from harness.targets.base import TARGET_NAMES, Target, TargetUnavailable, get_target

__all__ = ["TARGET_NAMES", "Target", "TargetUnavailable", "get_target"]
