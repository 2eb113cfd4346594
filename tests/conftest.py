"""Test configuration: import paths and Hypothesis profiles.

Profiles:

- ``ci`` (default): few examples, no deadline, so that the whole suite stays quick.
- ``thorough``: a long campaign. Select it with ``pytest --hypothesis-profile=thorough`` or with the
  environment variable ``IAMSPEC_PROFILE=thorough``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
for path in (str(ROOT), str(TESTS)):  # `spec` (not installed) and the tests' own helper module `strategies`
    if path not in sys.path:
        sys.path.insert(0, path)

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
# `--hypothesis-profile=NAME` (Hypothesis's pytest plugin) is applied after this module loads, so it wins.
settings.load_profile(os.environ.get("IAMSPEC_PROFILE", "ci"))
