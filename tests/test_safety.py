"""Safe by default (DESIGN principle 8): loopback endpoints only unless allowed; no AWS_* variable, profile,
config or credentials file, configured endpoint or proxy reaches a client the harness makes."""

from __future__ import annotations

import os

import pytest
import test_targets_support as S

from harness import safety
from harness.targets.base import get_target
from harness.targets.boto import ClientFactory


@pytest.mark.parametrize("url", ["http://127.0.0.1:4566", "http://localhost:5000", "http://[::1]:4566", "https://127.0.0.2"])
def test_loopback_endpoints_are_accepted(url: str) -> None:
    assert safety.check_endpoint(url) == url


@pytest.mark.parametrize("url", ["https://iam.amazonaws.com", "http://10.0.0.1:4566", "http://192.0.2.7", "https://sts.us-east-1.amazonaws.com"])
def test_remote_endpoints_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(safety.UnsafeEndpoint, match="--allow-remote"):
        safety.check_endpoint(url)
    assert safety.check_endpoint(url, allow_remote=True) == url


@pytest.mark.parametrize("url", ["", "ftp://127.0.0.1", "127.0.0.1:4566", "http://"])
def test_things_that_are_not_endpoints_are_refused(url: str) -> None:
    with pytest.raises(safety.UnsafeEndpoint):
        safety.check_endpoint(url, allow_remote=True)


@pytest.fixture
def poisoned_environment(tmp_path, monkeypatch):
    """Everything a real AWS set-up could put in the environment, pointing somewhere the harness must not go."""
    creds = tmp_path / "credentials"
    creds.write_text("[default]\naws_access_key_id = AKIAFROMCREDENTIALSFILE\naws_secret_access_key = file-secret\n")
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-3\nendpoint_url = http://192.0.2.1\n[profile prod]\nregion = ap-south-1\n")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIAFROMENVIRONMENT0",
        "AWS_SECRET_ACCESS_KEY": "env-secret",
        "AWS_SESSION_TOKEN": "env-token",
        "AWS_PROFILE": "prod",
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(creds),
        "AWS_ENDPOINT_URL": "http://192.0.2.2",
        "AWS_ENDPOINT_URL_STS": "http://192.0.2.3",
        "AWS_DEFAULT_REGION": "ap-southeast-2",
        "AWS_USE_FIPS_ENDPOINT": "true",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("poisoned_environment")
def test_clients_use_only_what_the_harness_passes() -> None:
    session = safety.isolated_session()
    assert session.get_credentials() is None  # no provider chain: env, files, IMDS are never consulted
    client = safety.client("sts", session=session, endpoint_url=None, config=safety.client_config(2))
    credentials = client._request_signer._credentials
    assert credentials.access_key == safety.DUMMY_ACCESS_KEY_ID and credentials.token is None
    assert "192.0.2" not in client.meta.endpoint_url and "fips" not in client.meta.endpoint_url
    assert client.meta.region_name == "us-east-1"
    local = safety.client("iam", session=session, endpoint_url="http://127.0.0.1:1", access_key_id="AKIAHARNESS",
                          secret_access_key="s", config=safety.client_config(2))
    assert local.meta.endpoint_url == "http://127.0.0.1:1"
    assert local._request_signer._credentials.access_key == "AKIAHARNESS"


@pytest.mark.usefixtures("poisoned_environment")
def test_a_client_for_a_remote_endpoint_is_never_made() -> None:
    factory = ClientFactory("https://iam.amazonaws.com", 2)
    with pytest.raises(safety.UnsafeEndpoint):
        factory.client("iam", {"AccessKeyId": "AKIAX", "SecretAccessKey": "y"}, False, S.ACCOUNT)


def test_subprocesses_get_no_aws_variables() -> None:
    env = safety.scrubbed_environ({"AUTH": "true"}, base={"PATH": "/bin", "AWS_SECRET_ACCESS_KEY": "real", "aws_profile": "prod"})
    assert env["PATH"] == "/bin" and env["AUTH"] == "true"
    assert "AWS_SECRET_ACCESS_KEY" not in env and "aws_profile" not in env
    assert env["AWS_CONFIG_FILE"] == os.devnull and env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull


@pytest.mark.usefixtures("poisoned_environment")
def test_a_run_works_with_a_hostile_environment_and_a_dead_proxy(monkeypatch) -> None:
    # A proxy that does not exist: loopback traffic must not go through it, or every step would crash.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    target = get_target("moto-server", timeout=5)
    target.start()
    try:
        outcomes = target.run_scenario(S.SMALL_SCENARIO)
    finally:
        target.stop()
    assert outcomes[2]["result"]["Arn"] == S.ALICE
    assert outcomes[3] == {"ok": False, "error": "AccessDenied"}
