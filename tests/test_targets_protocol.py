"""The target protocol: the registry, what every target declares, unavailable targets, the model target, the
endpoint target (against a moto server on 127.0.0.1 and against a server that never answers), and time limits."""

from __future__ import annotations

import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import test_targets_support as S

from harness.features import FEATURE_IDS
from harness.targets import TARGET_NAMES, Target, TargetUnavailable, get_target
from harness.targets.guard import CallTimeout, call_with_timeout


def test_the_registry_has_exactly_the_seven_targets() -> None:
    assert TARGET_NAMES == ("model", "moto", "moto-server", "ministack", "iam-simulate", "principalmapper", "endpoint")
    with pytest.raises(ValueError, match="known targets"):
        get_target("localstack-pro")


@pytest.mark.parametrize("name", TARGET_NAMES)
def test_every_target_declares_what_it_is(name: str) -> None:
    target = get_target(name, endpoint_url="http://127.0.0.1:9")
    assert isinstance(target, Target)
    assert target.name == name
    assert target.mode in {"in-process", "server", "subprocess", "reference"}
    assert target.levels and target.levels <= {"evaluator", "api"}
    assert target.unsupported <= set(FEATURE_IDS), target.unsupported - set(FEATURE_IDS)


def test_the_model_target_answers_cases_and_scenarios() -> None:
    model = get_target("model")
    model.start()
    assert model.decide(S.CASE_EXPLICIT_DENY)["decision"] == "ExplicitDeny"
    outcomes = model.run_scenario(S.SMALL_SCENARIO)
    assert len(outcomes) == len(S.SMALL_SCENARIO["steps"])
    assert outcomes[2]["result"]["Arn"] == S.ALICE
    assert outcomes[6] == {"ok": False, "error": "SignatureDoesNotMatch"}


def test_unavailable_targets_say_how_to_get_them() -> None:
    with pytest.raises(TargetUnavailable) as missing_url:
        get_target("endpoint").start()
    assert "--endpoint-url" in missing_url.value.how_to_install
    with pytest.raises(TargetUnavailable) as remote:
        get_target("endpoint", endpoint_url="https://iam.amazonaws.com").start()
    assert "loopback" in remote.value.message and "--allow-remote" in remote.value.how_to_install
    with pytest.raises(TargetUnavailable) as closed:
        get_target("endpoint", endpoint_url="http://127.0.0.1:9", timeout=2).start()
    assert "nothing answers" in closed.value.message


def test_the_endpoint_target_drives_a_moto_server_by_url() -> None:
    server = get_target("moto-server")
    server.start()
    try:
        endpoint = get_target("endpoint", endpoint_url=server.endpoint_url)
        endpoint.start()
        assert endpoint.version() == "moto"  # recognised: reset and enforcement switch as for moto-server
        outcomes = endpoint.run_scenario(S.SMALL_SCENARIO)
        assert [o.get("error") for o in outcomes[:8]] == [None, None, None, "AccessDenied", None, None, "SignatureDoesNotMatch", "InvalidClientTokenId"]
        endpoint.stop()
    finally:
        server.stop()


class _Silent(BaseHTTPRequestHandler):
    """Answers GET (so the endpoint looks alive) and never answers POST (every AWS query API call)."""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        time.sleep(30)

    def log_message(self, *args: object) -> None:
        return None


def test_an_endpoint_that_hangs_yields_crash_outcomes_within_the_timeout() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Silent)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = get_target("endpoint", endpoint_url=f"http://127.0.0.1:{server.server_address[1]}", timeout=1.0)
        target.start()
        scenario = {"id": "hang", "account": S.ACCOUNT, "steps": S.SMALL_SCENARIO["steps"][:1]}
        began = time.monotonic()
        outcomes = target.run_scenario(scenario)
        assert time.monotonic() - began < 6
        assert "crash" in outcomes[0]
    finally:
        server.shutdown()
        server.server_close()


def test_an_in_process_call_that_runs_too_long_is_cut_off() -> None:
    began = time.monotonic()
    with pytest.raises(CallTimeout):
        call_with_timeout(lambda: re.match("^" + ".*a" * 25 + "b$", "a" * 40), 0.5)  # catastrophic backtracking
    assert time.monotonic() - began < 3
    assert call_with_timeout(lambda: 42, 1) == 42


def test_the_thread_fallback_also_cuts_off() -> None:
    result: dict = {}

    def worker() -> None:
        try:
            call_with_timeout(lambda: time.sleep(5), 0.3)
        except CallTimeout:
            result["timed_out"] = True

    began = time.monotonic()
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert result == {"timed_out": True} and time.monotonic() - began < 3


@pytest.mark.parametrize(("name", "module", "hint"), [
    ("moto", "moto", "iamspec[moto]"),
    ("moto-server", "moto.server", "iamspec[moto]"),
    ("ministack", "ministack.core.iam_evaluator", "iamspec[ministack]"),
])
def test_a_missing_python_package_is_unavailable_with_how_to_install(name: str, module: str, hint: str, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    parent, _, child = module.rpartition(".")
    if parent in sys.modules:  # `from parent import child` reads the attribute first, if an earlier test imported it
        monkeypatch.delattr(sys.modules[parent], child, raising=False)
    with pytest.raises(TargetUnavailable) as info:
        get_target(name).start()
    assert hint in info.value.how_to_install


def test_the_node_driver_is_copied_to_a_cache_folder_when_the_package_is_read_only(tmp_path, monkeypatch) -> None:
    from harness.targets import node_setup

    monkeypatch.setenv("IAMSPEC_NODE_DIR", str(tmp_path / "node"))
    folder = node_setup.tool_dir()
    assert folder == tmp_path / "node"
    assert (folder / "drive.mjs").read_bytes() == (node_setup.SOURCE_DIR / "drive.mjs").read_bytes()
    assert (folder / "package.json").exists() and node_setup.installed_version(folder) is None
