"""Target ``ministack``: MiniStack, a local AWS emulator with IAM enforcement (``AUTH=true``).

API level: a MiniStack server in a subprocess on 127.0.0.1 (started on the first scenario, stopped by PID), driven
through boto3; root is the account id used as access key (MiniStack treats a 12-digit key as that account's root);
``POST /_ministack/reset`` wipes state before each scenario. Evaluator level: MiniStack's evaluator functions
in-process (``harness.translate.ministack``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

from harness.safety import scrubbed_environ
from harness.targets import api
from harness.targets.base import TargetUnavailable, case_id, crash, features_under
from harness.targets.boto import ClientFactory, free_port, get, no_enforcement_switch, post
from harness.targets.guard import CallTimeout, call_with_timeout
from harness.translate.common import CaseShapeError, read_case

HOW_TO_INSTALL = "pip install 'iamspec[ministack]'  (ministack>=1.5.33, which has ministack.core.iam_evaluator)"
ROOT_SECRET = "iamspec-ministack-root"

# MiniStack's evaluator takes no organization or VPC endpoint policies (its docstring: "single-account, no SCPs"),
# so no SCP/RCP/endpoint question can be put to it.
UNSUPPORTED = features_under("scp", "rcp", "vpce")


class _ServerBackend:
    name = "ministack"
    has_clock = False

    def __init__(self, endpoint: str, timeout: float) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._clients = ClientFactory(endpoint, timeout)

    def reset(self, account: str) -> None:
        post(self.endpoint + "/_ministack/reset", b"", self.timeout)

    def root_credentials(self, account: str) -> api.Creds:
        return {"AccessKeyId": account, "SecretAccessKey": ROOT_SECRET}

    def client(self, service: str, creds: api.Creds | None, as_root: bool, account: str) -> Any:
        return self._clients.client(service, creds, as_root, account)

    def enforcement(self, as_root: bool) -> contextlib.AbstractContextManager:
        return no_enforcement_switch(as_root)


class MiniStackTarget:
    name = "ministack"
    mode = "server"
    levels = frozenset({"evaluator", "api"})
    unsupported = UNSUPPORTED

    def __init__(self, timeout: float = 10.0, start_timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.start_timeout = start_timeout
        self._started = False
        self._proc: subprocess.Popen | None = None
        self._workdir: str | None = None
        self._backend: _ServerBackend | None = None
        self._server_error: str | None = None

    def version(self) -> str | None:
        try:
            from importlib.metadata import version

            return version("ministack")
        except Exception:
            return None

    @property
    def endpoint_url(self) -> str | None:
        return self._backend.endpoint if self._backend else None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        try:
            import boto3  # noqa: F401
            import ministack  # noqa: F401
            from ministack.core import iam_evaluator  # noqa: F401
        except ImportError as exc:
            raise TargetUnavailable(f"ministack cannot be imported ({exc})", HOW_TO_INSTALL) from None
        self._started = True

    # -- the server, started on first use -------------------------------------------------------------------------
    def start_server(self) -> None:
        """Start the MiniStack server subprocess (done by the first scenario; callable to start it earlier)."""
        if self._backend is not None:
            return
        port = free_port()
        self._workdir = tempfile.mkdtemp(prefix="iamspec-ministack-")
        env = scrubbed_environ(
            {
                "AUTH": "true",
                "GATEWAY_PORT": str(port),
                "BIND_HOST": "127.0.0.1",
                "MINISTACK_ACCOUNT_ID": "123456789012",
                "IOT_MTLS_ENABLED": "0",
                "HOME": self._workdir,
                "PYTHONUNBUFFERED": "1",
            }
        )
        log = open(os.path.join(self._workdir, "server.log"), "wb")  # noqa: SIM115 - closed with the process
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "ministack"],
                cwd=self._workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            try:
                get(endpoint + "/_ministack/health", 2.0)
                self._backend = _ServerBackend(endpoint, self.timeout)
                return
            except Exception:
                time.sleep(0.2)
        tail = self._log_tail()
        self.stop()
        raise TargetUnavailable(f"the MiniStack server did not come up on 127.0.0.1:{port}: {tail}", HOW_TO_INSTALL)

    def _log_tail(self) -> str:
        if not self._workdir:
            return ""
        try:
            with open(os.path.join(self._workdir, "server.log"), "rb") as fh:
                return fh.read()[-600:].decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        self._backend = None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    # -- the two levels -------------------------------------------------------------------------------------------
    def decide(self, case: dict) -> dict:
        from harness.translate import ministack as translate

        cid = case_id(case)
        try:
            parts = read_case(case)
        except CaseShapeError as exc:
            return {"id": cid, "error": exc.as_error()}
        try:
            error = call_with_timeout(lambda: translate.validation_error(parts), self.timeout)
            if error is not None:
                return {"id": cid, "error": error}
            decision, by = call_with_timeout(lambda: translate.decide(parts), self.timeout)
        except CallTimeout:
            return crash(cid, f"ministack did not answer within {self.timeout:g} s")
        except Exception as exc:
            return crash(cid, f"ministack raised {type(exc).__name__}: {str(exc)[:300]}")
        out: dict[str, Any] = {"id": cid, "decision": decision}
        if by:
            out["by"] = by
        return out

    def run_scenario(self, scenario: dict) -> list[dict]:
        steps = scenario.get("steps") if isinstance(scenario, dict) else None
        count = len(steps) if isinstance(steps, list) else 1
        if not self._started:
            return [{"crash": "ministack target not started"} for _ in range(count)]
        if self._backend is None:
            if self._server_error is not None:
                return [{"crash": self._server_error} for _ in range(count)]
            try:
                self.start_server()
            except TargetUnavailable as exc:
                self._server_error = str(exc)
                return [{"crash": self._server_error} for _ in range(count)]
        assert self._backend is not None
        if self._proc is not None and self._proc.poll() is not None:
            return [{"crash": f"the MiniStack server exited (status {self._proc.returncode}): {self._log_tail()}"} for _ in range(count)]
        return api.run_scenario(self._backend, scenario)
