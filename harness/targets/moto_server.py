"""Target ``moto-server``: moto as an HTTP server (``ThreadedMotoServer``) on 127.0.0.1, driven over the network.

API level only (its evaluator is the in-process ``moto`` target's). State is wiped before each scenario with
``POST /moto-api/reset``; IAM enforcement is switched with ``POST /moto-api/reset-auth`` (body ``inf``: off, for
root's calls, since moto has no root credential while enforcement is on; body ``0``: on, for everyone else).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from harness.targets import api
from harness.targets.base import EXPLICIT_VS_IMPLICIT, TargetUnavailable
from harness.targets.boto import ClientFactory, free_port, get, post
from harness.targets.moto import HOW_TO_INSTALL, ROOT_ACCESS_KEY_ID, ROOT_SECRET, moto_version


class _ServerBackend:
    name = "moto-server"
    has_clock = False

    def __init__(self, endpoint: str, timeout: float) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._clients = ClientFactory(endpoint, timeout, root_headers=lambda account: {"x-moto-account-id": account})
        self._enforcing: bool | None = None

    def reset(self, account: str) -> None:
        post(self.endpoint + "/moto-api/reset", b"", self.timeout)
        self._enforcing = None

    def root_credentials(self, account: str) -> api.Creds:
        return {"AccessKeyId": ROOT_ACCESS_KEY_ID, "SecretAccessKey": ROOT_SECRET}

    def client(self, service: str, creds: api.Creds | None, as_root: bool, account: str) -> Any:
        return self._clients.client(service, creds, as_root, account)

    @contextlib.contextmanager
    def enforcement(self, as_root: bool) -> Iterator[None]:
        wanted = not as_root
        if self._enforcing is not wanted:
            post(self.endpoint + "/moto-api/reset-auth", b"0" if wanted else b"inf", self.timeout)
            self._enforcing = wanted
        yield


class MotoServerTarget:
    name = "moto-server"
    mode = "server"
    levels = frozenset({"api"})
    unsupported = frozenset({EXPLICIT_VS_IMPLICIT})

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._server: Any = None
        self._backend: _ServerBackend | None = None

    def version(self) -> str | None:
        return moto_version()

    @property
    def endpoint_url(self) -> str | None:
        return self._backend.endpoint if self._backend else None

    def start(self) -> None:
        if self._server is not None:
            return
        try:
            import boto3  # noqa: F401
            from moto.server import ThreadedMotoServer
        except ImportError as exc:
            raise TargetUnavailable(f"moto's server cannot be imported ({exc})", HOW_TO_INSTALL) from None
        # werkzeug logs every request (and moto's 500s with tracebacks) on stderr; the outcomes carry what matters.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        try:
            server.start()
            endpoint = f"http://127.0.0.1:{port}"
            get(endpoint + "/moto-api/data.json", self.timeout)  # answers once the server is up
        except Exception as exc:
            with contextlib.suppress(Exception):
                server.stop()
            raise TargetUnavailable(f"moto's server did not start on 127.0.0.1:{port}: {exc}", HOW_TO_INSTALL) from None
        self._server = server
        self._backend = _ServerBackend(endpoint, self.timeout)

    def stop(self) -> None:
        server, self._server = self._server, None
        backend, self._backend = self._backend, None
        if backend is not None:
            with contextlib.suppress(Exception):  # leave the process-wide moto settings as they were
                post(backend.endpoint + "/moto-api/reset-auth", b"inf", self.timeout)
        if server is not None:
            with contextlib.suppress(Exception):
                server.stop()

    def decide(self, case: dict) -> dict:
        return {"id": case.get("id") if isinstance(case, dict) else None,
                "crash": "moto-server has no evaluator level (use the 'moto' target)"}

    def run_scenario(self, scenario: dict) -> list[dict]:
        if self._backend is None:
            steps = scenario.get("steps") if isinstance(scenario, dict) else None
            return [{"crash": "moto-server target not started"} for _ in (steps if isinstance(steps, list) else [None])]
        try:
            return api.run_scenario(self._backend, scenario)
        finally:
            # moto's enforcement switch is process-wide (the server runs in this process): leave it off.
            with contextlib.suppress(Exception), self._backend.enforcement(as_root=True):
                pass
