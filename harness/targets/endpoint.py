"""Target ``endpoint``: any AWS-compatible endpoint a user runs (LocalStack, MiniStack, moto_server, Floci, ...).

API level only, by URL (``--endpoint-url``), loopback only unless ``allow_remote``. Root is the scenario's account
id used as the access key with the secret ``test`` (the convention of LocalStack and MiniStack); the environment
variables ``IAMSPEC_ROOT_ACCESS_KEY_ID`` / ``IAMSPEC_ROOT_SECRET_ACCESS_KEY`` override both (``AWS_*`` variables are
never read). When the endpoint is recognised (``/_ministack/health``, ``/_localstack/health``,
``/moto-api/data.json``), its state is wiped before each scenario with its own reset call, and for moto IAM
enforcement is switched off for root's calls as on the ``moto-server`` target; an unrecognised endpoint keeps its
state between scenarios.
"""

from __future__ import annotations

import contextlib
import os
import urllib.error
from collections.abc import Iterator
from typing import Any

from harness import safety
from harness.targets import api
from harness.targets.base import TargetUnavailable
from harness.targets.boto import ClientFactory, get, post

HOW_TO_RUN = "start an AWS-compatible server on 127.0.0.1 and pass its URL with --endpoint-url (or --allow-remote for another host)"

_KINDS = (
    ("ministack", "/_ministack/health", "/_ministack/reset"),
    ("localstack", "/_localstack/health", "/_localstack/state/reset"),
    ("moto", "/moto-api/data.json", "/moto-api/reset"),
)


class _EndpointBackend:
    name = "endpoint"
    has_clock = False

    def __init__(self, endpoint: str, timeout: float, allow_remote: bool, kind: str | None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self.allow_remote = allow_remote
        self.kind = kind
        self._clients = ClientFactory(
            endpoint,
            timeout,
            allow_remote=allow_remote,
            root_headers=(lambda account: {"x-moto-account-id": account}) if kind == "moto" else None,
        )
        self._enforcing: bool | None = None

    def reset(self, account: str) -> None:
        for kind, _health, reset in _KINDS:
            if kind == self.kind:
                post(self.endpoint + reset, b"", self.timeout, self.allow_remote)
        self._enforcing = None

    def root_credentials(self, account: str) -> api.Creds:
        return {
            "AccessKeyId": os.environ.get("IAMSPEC_ROOT_ACCESS_KEY_ID") or account,
            "SecretAccessKey": os.environ.get("IAMSPEC_ROOT_SECRET_ACCESS_KEY") or "test",
        }

    def client(self, service: str, creds: api.Creds | None, as_root: bool, account: str) -> Any:
        return self._clients.client(service, creds, as_root, account)

    @contextlib.contextmanager
    def enforcement(self, as_root: bool) -> Iterator[None]:
        if self.kind == "moto" and self._enforcing is not (not as_root):
            post(self.endpoint + "/moto-api/reset-auth", b"inf" if as_root else b"0", self.timeout, self.allow_remote)
            self._enforcing = not as_root
        yield


def _reachable(url: str, timeout: float, allow_remote: bool) -> bool:
    try:
        get(url, timeout, allow_remote)
        return True
    except urllib.error.HTTPError:
        return True  # it answered, if only with an error status
    except Exception:
        return False


def _kind(endpoint: str, timeout: float, allow_remote: bool) -> str | None:
    for kind, health, _reset in _KINDS:
        try:
            get(endpoint + health, timeout, allow_remote)
            return kind
        except Exception:
            continue
    return None


class EndpointTarget:
    name = "endpoint"
    mode = "server"
    levels = frozenset({"api"})
    unsupported: frozenset[str] = frozenset()

    def __init__(self, endpoint_url: str | None = None, timeout: float = 10.0, allow_remote: bool = False) -> None:
        self.endpoint_url = endpoint_url
        self.timeout = timeout
        self.allow_remote = allow_remote
        self._backend: _EndpointBackend | None = None

    def version(self) -> str | None:
        return self._backend.kind if self._backend else None

    def start(self) -> None:
        if not self.endpoint_url:
            raise TargetUnavailable("the endpoint target needs an endpoint URL", HOW_TO_RUN)
        try:
            safety.check_endpoint(self.endpoint_url, self.allow_remote)
        except safety.UnsafeEndpoint as exc:
            raise TargetUnavailable(str(exc), HOW_TO_RUN) from None
        try:
            import boto3  # noqa: F401
        except ImportError:
            raise TargetUnavailable("boto3 is not installed", "pip install boto3") from None
        endpoint = self.endpoint_url.rstrip("/")
        if not _reachable(endpoint + "/", self.timeout, self.allow_remote):
            raise TargetUnavailable(f"nothing answers at {self.endpoint_url}", HOW_TO_RUN)
        self._backend = _EndpointBackend(endpoint, self.timeout, self.allow_remote, _kind(endpoint, self.timeout, self.allow_remote))

    def stop(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None and backend.kind == "moto":
            with contextlib.suppress(Exception):
                post(backend.endpoint + "/moto-api/reset-auth", b"inf", self.timeout, self.allow_remote)

    def decide(self, case: dict) -> dict:
        return {"id": case.get("id") if isinstance(case, dict) else None, "crash": "the endpoint target has no evaluator level"}

    def run_scenario(self, scenario: dict) -> list[dict]:
        if self._backend is None:
            steps = scenario.get("steps") if isinstance(scenario, dict) else None
            return [{"crash": "endpoint target not started"} for _ in (steps if isinstance(steps, list) else [None])]
        return api.run_scenario(self._backend, scenario)
