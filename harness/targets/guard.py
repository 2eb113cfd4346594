"""A per-call time limit for in-process targets, so that one hung evaluation cannot stop a run.

In the main thread (the usual case: the CLI, a pytest worker) the limit is a ``SIGALRM`` interval timer, which also
interrupts long regular-expression matches; when such a timer is already running (a guarded call inside a guarded
call) the inner call runs directly under the outer limit. Elsewhere the call runs in a daemon thread that is
abandoned when it overruns (it cannot be killed, but the run goes on).
"""

from __future__ import annotations

import _signal  # getsignal without the enum conversion signal.getsignal adds (it is on every guarded call)
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class CallTimeout(Exception):
    """The call did not finish within its time limit."""


def _raise_timeout(signum: int, frame: Any) -> None:
    raise CallTimeout()


def call_with_timeout(fn: Callable[[], T], seconds: float) -> T:
    """``fn()``, or :class:`CallTimeout` if it takes longer than ``seconds``; other exceptions pass through."""
    if seconds is None or seconds <= 0:
        return fn()
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        running = signal.getitimer(signal.ITIMER_REAL)[0] > 0
        ours = _signal.getsignal(signal.SIGALRM) is _raise_timeout
        if running and ours:
            return fn()  # an outer guarded call's timer is running: it bounds this call too
        if not running:  # nobody else is using the interval timer
            if not ours:  # installed once and left in place: it only fires while one of our timers runs
                previous = signal.signal(signal.SIGALRM, _raise_timeout)
                if previous not in (signal.SIG_DFL, signal.SIG_IGN, None):  # someone else's handler: restore it after
                    return _with_handler(fn, seconds, previous)
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                return fn()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    return _in_thread(fn, seconds)


def _with_handler(fn: Callable[[], T], seconds: float, previous: Any) -> T:
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _in_thread(fn: Callable[[], T], seconds: float) -> T:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=run, name="iamspec-guarded-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise CallTimeout()
    if "error" in box:
        raise box["error"]
    return box["value"]
