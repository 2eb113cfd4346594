"""The part every API-level backend shares: boto3 clients from an isolated session, cached per credentials."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from harness import safety
from harness.targets.api import Creds

HOW_TO_INSTALL_BOTO3 = "pip install 'iamspec[moto]' (or pip install boto3)"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ClientFactory:
    """boto3 clients for one endpoint (``None`` = in-process mock), one per (service, credentials, root)."""

    def __init__(
        self,
        endpoint_url: str | None,
        timeout: float,
        *,
        allow_remote: bool = False,
        root_headers: Callable[[str], dict[str, str]] | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.timeout = timeout
        self.allow_remote = allow_remote
        self.root_headers = root_headers
        self._session: Any = None
        self._config: Any = None
        self._cache: dict[tuple, Any] = {}

    def client(self, service: str, creds: Creds | None, as_root: bool, account: str) -> Any:
        """A client signing with ``creds``, or sending unsigned (anonymous) requests when ``creds`` is ``None``."""
        if creds is None:
            key: tuple = (service, "unsigned")
        else:
            key = (service, creds.get("AccessKeyId"), creds.get("SecretAccessKey"), creds.get("SessionToken"), as_root, account)
        found = self._cache.get(key)
        if found is not None:
            return found
        if self._session is None:
            self._session = safety.isolated_session()
            direct = self.endpoint_url is None or safety.is_loopback_host(urlsplit(self.endpoint_url).hostname or "")
            # Loopback (and in-process) traffic never goes through an HTTP(S)_PROXY from the environment.
            self._config = safety.client_config(self.timeout, **({"proxies": {}} if direct else {}))
        config = self._config
        if creds is None:
            from botocore import UNSIGNED
            from botocore.config import Config

            config = config.merge(Config(signature_version=UNSIGNED))
            creds = {}
        made = safety.client(
            service,
            session=self._session,
            endpoint_url=self.endpoint_url,
            access_key_id=creds.get("AccessKeyId") or "",
            secret_access_key=creds.get("SecretAccessKey") or "",
            session_token=creds.get("SessionToken"),
            config=config,
            allow_remote=self.allow_remote,
        )
        if as_root and self.root_headers is not None:
            headers = self.root_headers(account)

            def add_headers(request: Any, **_: Any) -> None:
                for name, value in headers.items():
                    request.headers[name] = value

            made.meta.events.register("before-sign", add_headers)
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[key] = made
        return made

    def clear(self) -> None:
        self._cache.clear()


def no_enforcement_switch(as_root: bool) -> contextlib.AbstractContextManager:
    """For targets whose root is a real credential: nothing to switch."""
    return contextlib.nullcontext()


def post(url: str, body: bytes, timeout: float, allow_remote: bool = False) -> bytes:
    """POST ``body`` to ``url`` (a checked endpoint), never through an environment proxy; returns the reply body."""
    import urllib.request

    safety.check_endpoint(url, allow_remote)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/plain"})
    with opener.open(request, timeout=timeout) as reply:
        return reply.read()


def get(url: str, timeout: float, allow_remote: bool = False) -> bytes:
    """GET ``url`` (a checked endpoint), never through an environment proxy; returns the reply body."""
    import urllib.request

    safety.check_endpoint(url, allow_remote)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout) as reply:
        return reply.read()
