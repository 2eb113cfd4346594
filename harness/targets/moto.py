"""Target ``moto``: moto in-process (``mock_aws``), as most of its users run it.

Evaluator level: moto's own ``IAMRequestBase.check_action_permitted`` on the case's policies
(``harness.translate.moto``). API level: each scenario runs in a fresh ``mock_aws()`` (which wipes moto's state),
through boto3 clients; root's calls are made with IAM enforcement off (moto has no root credential while
enforcement is on: ``moto.core.disable_iam_authentication``), every other call with it on
(``moto.core.enable_iam_authentication``), with the principal's own keys.
"""

from __future__ import annotations

import contextlib
from typing import Any

from harness.targets import api
from harness.targets.base import EXPLICIT_VS_IMPLICIT, TargetUnavailable, case_id, crash, features_under
from harness.targets.guard import CallTimeout, call_with_timeout
from harness.translate.common import CaseShapeError, read_case

HOW_TO_INSTALL = "pip install 'iamspec[moto]'  (moto[server]==5.2.5 and boto3)"
ROOT_ACCESS_KEY_ID = "AKIAIAMSPECMOTOROOT0"
ROOT_SECRET = "iamspec-moto-root-secret"


def moto_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("moto")
    except Exception:
        return None


def decide_with_moto(case: dict, timeout: float) -> dict:
    """A decision case answered by moto's evaluator (shared by the moto targets)."""
    from harness.translate import moto as translate

    cid = case_id(case)
    try:
        parts = read_case(case)
    except CaseShapeError as exc:
        return {"id": cid, "error": exc.as_error()}
    try:
        error = call_with_timeout(lambda: translate.validation_error(parts), timeout)
        if error is not None:
            return {"id": cid, "error": error}
        allowed = call_with_timeout(lambda: translate.permitted(parts), timeout)
    except CallTimeout:
        return crash(cid, f"moto did not answer within {timeout:g} s")
    except Exception as exc:
        return crash(cid, f"moto raised {type(exc).__name__}: {str(exc)[:300]}")
    # moto answers allowed / not allowed: every denial is reported as ImplicitDeny (see `unsupported`).
    return {"id": cid, "decision": "Allow" if allowed else "ImplicitDeny"}


class _InProcessBackend:
    """The scenario backend: moto's in-process mock, root = any key with enforcement off."""

    name = "moto"
    has_clock = False

    def __init__(self, timeout: float) -> None:
        from harness.targets.boto import ClientFactory

        self.timeout = timeout
        self._clients = ClientFactory(None, timeout, root_headers=lambda account: {"x-moto-account-id": account})

    def reset(self, account: str) -> None:
        return None  # a fresh mock_aws() per scenario has wiped the state already

    def root_credentials(self, account: str) -> api.Creds:
        return {"AccessKeyId": ROOT_ACCESS_KEY_ID, "SecretAccessKey": ROOT_SECRET}

    def client(self, service: str, creds: api.Creds | None, as_root: bool, account: str) -> Any:
        return self._clients.client(service, creds, as_root, account)

    def enforcement(self, as_root: bool) -> contextlib.AbstractContextManager:
        from moto.core import disable_iam_authentication, enable_iam_authentication

        return disable_iam_authentication() if as_root else enable_iam_authentication()


class MotoTarget:
    name = "moto"
    mode = "in-process"
    levels = frozenset({"evaluator", "api"})
    # moto answers allowed / not allowed, and its evaluator takes no organization or VPC endpoint policies.
    unsupported = frozenset({EXPLICIT_VS_IMPLICIT}) | features_under("scp", "rcp", "vpce")

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._backend: _InProcessBackend | None = None

    def version(self) -> str | None:
        return moto_version()

    def start(self) -> None:
        try:
            import boto3  # noqa: F401
            import moto  # noqa: F401
            from moto.core import enable_iam_authentication  # noqa: F401
            from moto.iam.access_control import IAMRequest  # noqa: F401
        except ImportError as exc:
            raise TargetUnavailable(f"moto cannot be imported ({exc})", HOW_TO_INSTALL) from None
        self._backend = _InProcessBackend(self.timeout)

    def stop(self) -> None:
        self._backend = None

    def decide(self, case: dict) -> dict:
        return decide_with_moto(case, self.timeout)

    def run_scenario(self, scenario: dict) -> list[dict]:
        if self._backend is None:
            steps = scenario.get("steps") if isinstance(scenario, dict) else None
            return [{"crash": "moto target not started"} for _ in (steps if isinstance(steps, list) else [None])]
        from moto import mock_aws

        mock = mock_aws()
        mock.start()
        try:
            return api.run_scenario(self._backend, scenario)
        finally:
            mock.stop()
