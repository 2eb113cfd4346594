"""A long-lived helper process that answers one JSON line per JSON line (Node for iam-simulate, a Python worker for
principalmapper), with a time limit per request.

A request that is not answered in time, a process that dies, or an answer that is not JSON raises
:class:`LineProcessError`; the process is then killed and started afresh on the next request, so one bad input
never poisons the rest of a run.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import threading
from collections.abc import Mapping, Sequence
from typing import Any


class LineProcessError(Exception):
    """The helper process failed on a request (timeout, exit, garbage); the message says which."""


class LineProcess:
    """One helper process speaking JSON Lines on stdin/stdout."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        start_timeout: float | None = None,
        restart_grace: float = 5.0,
    ) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.timeout = timeout
        self.start_timeout = start_timeout if start_timeout is not None else max(timeout, 30.0)
        self.restart_grace = restart_grace
        self._proc: subprocess.Popen | None = None
        self._lines: queue.Queue = queue.Queue()
        self._stderr_tail: list[str] = []
        self._lock = threading.Lock()
        self._fresh = True
        self._spawned = 0

    # -- life cycle -----------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the process (no-op when it is running)."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self._lines = queue.Queue()
        self._stderr_tail = []
        self._proc = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._fresh = True
        self._spawned += 1
        threading.Thread(target=self._read_stdout, args=(self._proc, self._lines), daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(self._proc,), daemon=True).start()

    def stop(self) -> None:
        """End the process (politely, then by force) and reap it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- requests -------------------------------------------------------------------------------------------------
    def request(self, message: Any, timeout: float | None = None) -> dict:
        """Send one JSON message and return the JSON object answered, or raise :class:`LineProcessError`."""
        with self._lock:
            self.start()
            proc = self._proc
            assert proc is not None and proc.stdin is not None
            limit = timeout if timeout is not None else self.timeout
            if self._fresh:  # the first answer also waits for the process to load (a restart: a few seconds)
                limit = max(limit, self.start_timeout) if self._spawned == 1 else limit + self.restart_grace
            try:
                proc.stdin.write(json.dumps(message) + "\n")
                proc.stdin.flush()
            except (OSError, ValueError) as exc:
                self._fail()
                raise LineProcessError(f"helper process not accepting input ({exc}){self._stderr_note()}") from None
            try:
                line = self._lines.get(timeout=limit)
            except queue.Empty:
                self._fail()
                raise LineProcessError(f"no answer within {limit:g} s (helper process killed and restarted)") from None
            if line is None:
                code = proc.poll()
                self._fail()
                raise LineProcessError(f"helper process exited (status {code}){self._stderr_note()}")
            self._fresh = False
            try:
                answer = json.loads(line)
            except json.JSONDecodeError:
                self._fail()
                raise LineProcessError(f"helper process answered something that is not JSON: {line[:200]!r}") from None
            if not isinstance(answer, dict):
                raise LineProcessError(f"helper process answered a JSON value that is not an object: {line[:200]!r}")
            return answer

    # -- internals ------------------------------------------------------------------------------------------------
    def _fail(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)

    def _stderr_note(self) -> str:
        tail = "".join(self._stderr_tail[-5:]).strip()
        return f": {tail[-500:]}" if tail else ""

    @staticmethod
    def _read_stdout(proc: subprocess.Popen, lines: queue.Queue) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def _read_stderr(self, proc: subprocess.Popen) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self._stderr_tail.append(line)
            del self._stderr_tail[:-20]
