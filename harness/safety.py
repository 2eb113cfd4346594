"""Safe by default (DESIGN principle 8): the harness talks to loopback endpoints only, and never with real credentials.

Three guards, used by every target that makes AWS API calls:

- :func:`check_endpoint` refuses any endpoint that is not on the loopback interface unless ``allow_remote`` is given.
- :func:`isolated_session` builds a (boto3 over botocore) session that reads no ``AWS_*`` environment variable, no profile, no
  config or shared-credentials file (their paths are ``os.devnull``) and no configured endpoint URL, so that what a
  client does depends only on what the harness passes it.
- :func:`client` makes a boto3 client from such a session with explicit credentials (dummy ones when none are
  given), an explicit region and an endpoint that passed :func:`check_endpoint`.

:func:`scrubbed_environ` is the environment for the subprocesses the harness starts (an emulator server, Node):
the caller's environment without any ``AWS_*`` variable, with the two AWS file variables pointed at ``os.devnull``.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

DUMMY_ACCESS_KEY_ID = "AKIAIAMSPECDUMMYKEY0"
DUMMY_SECRET_ACCESS_KEY = "iamspec-dummy-secret-not-a-real-credential"
DEFAULT_REGION = "us-east-1"


class UnsafeEndpoint(ValueError):
    """An endpoint the harness refuses to talk to (not loopback, and remote access was not allowed)."""


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (an IP literal or a name) is on the loopback interface.

    A name counts only if every address it resolves to is a loopback address (``localhost`` does; a name that cannot
    be resolved does not).
    """
    host = host.strip("[]")
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def check_endpoint(url: str, allow_remote: bool = False) -> str:
    """Return ``url`` if the harness may talk to it, else raise :class:`UnsafeEndpoint` saying why.

    Only ``http``/``https`` URLs with a host are accepted; the host must be loopback unless ``allow_remote``.
    """
    if not isinstance(url, str) or not url:
        raise UnsafeEndpoint("an endpoint URL is required (for example http://127.0.0.1:4566)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeEndpoint(f"{url!r} is not an http(s) URL with a host (for example http://127.0.0.1:4566)")
    if not allow_remote and not is_loopback_host(parts.hostname):
        raise UnsafeEndpoint(
            f"{url!r} is not a loopback endpoint; the harness only talks to 127.0.0.1/::1/localhost unless "
            "--allow-remote is given (and it never sends real credentials)"
        )
    return url


def isolated_session(region: str = DEFAULT_REGION) -> Any:
    """A boto3 session over a botocore session that ignores the environment, profiles and AWS config/credentials
    files. Make one per run and reuse it: every client creation from it is cheap after the first."""
    import boto3
    import botocore.configprovider
    import botocore.session

    session_vars: dict[str, tuple] = {}
    for name, (_config_name, _env, default, conversion) in botocore.configprovider.BOTOCORE_DEFAUT_SESSION_VARIABLES.items():
        session_vars[name] = (None, None, default, conversion)
    session_vars["config_file"] = (None, None, os.devnull, None)
    session_vars["credentials_file"] = (None, None, os.devnull, None)
    session_vars["profile"] = (None, None, None, None)
    session_vars["region"] = (None, None, region, None)
    session_vars["ignore_configured_endpoint_urls"] = (None, None, True, None)
    session_vars["use_fips_endpoint"] = (None, None, False, None)
    session_vars["use_dualstack_endpoint"] = (None, None, False, None)
    session_vars["ca_bundle"] = (None, None, None, None)
    session = botocore.session.Session(session_vars=session_vars)
    # No credential provider chain: a client without explicit credentials gets none (never env, files, IMDS).
    session.register_component("credential_provider", _NoCredentialResolver())
    return boto3.session.Session(botocore_session=session)


class _NoCredentialResolver:
    """A credential resolver that finds nothing: credentials must always be passed explicitly."""

    providers: list = []

    def load_credentials(self) -> None:
        return None

    def insert_before(self, *args: Any, **kwargs: Any) -> None:  # interface of botocore's resolver
        return None

    def insert_after(self, *args: Any, **kwargs: Any) -> None:
        return None

    def remove(self, *args: Any, **kwargs: Any) -> None:
        return None

    def get_provider(self, *args: Any, **kwargs: Any) -> None:
        return None


def client_config(timeout: float, **extra: Any) -> Any:
    """botocore ``Config`` for the harness: no parameter validation, no retries, bounded connect/read time."""
    from botocore.config import Config

    return Config(
        parameter_validation=False,
        retries={"max_attempts": 0, "mode": "standard"},
        connect_timeout=timeout,
        read_timeout=timeout,
        region_name=extra.pop("region_name", DEFAULT_REGION),
        **extra,
    )


def client(
    service: str,
    *,
    session: Any,
    endpoint_url: str | None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
    config: Any,
    allow_remote: bool = False,
) -> Any:
    """A boto3 client with explicit credentials (dummy ones when none are given) and a checked endpoint.

    ``endpoint_url=None`` is only for in-process mocks (moto's ``mock_aws`` intercepts the request before it leaves
    the process); every other target passes its URL, which must pass :func:`check_endpoint`.
    """
    if endpoint_url is not None:
        check_endpoint(endpoint_url, allow_remote)
    return session.client(
        service,
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key_id or DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=secret_access_key if secret_access_key is not None else DUMMY_SECRET_ACCESS_KEY,
        aws_session_token=session_token,
        region_name=config.region_name or DEFAULT_REGION,
        config=config,
    )


def scrubbed_environ(extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a subprocess: ``base`` (default ``os.environ``) without ``AWS_*``, plus ``extra``."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.upper().startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update(extra or {})
    return env
