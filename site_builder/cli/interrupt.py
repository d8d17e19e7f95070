"""Ctrl-C: the process the editor started stops with one Vietnamese line and exit code 130.

Ctrl-C sends SIGINT to every process of the terminal's group: the command, its forked workers
and Pagefind. Only the command itself reacts; a forked worker (which inherits Python's handler)
ignores it and is ended by the pool the command closes, or dies with it (`workers.die_with_parent`).

A `KeyboardInterrupt` raised at an arbitrary point can land where Python swallows it (an at-fork
hook while a worker pool starts, printing "Exception ignored in …"), or leave a half-started pool
that never ends. So the command (`hard_stop`) interrupts the main thread again, a moment later,
whenever Python swallowed the interruption, and ends the process outright if it is still running
`GRACE` seconds after Ctrl-C — as safe as a killed build, which leaves `output/` whole. Kept free of heavy imports: it must work while
the rest is still being imported.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

STOPPED = "Đã dừng theo yêu cầu."
EXIT_STOPPED = 130
RETRY = 0.05  # seconds before the main thread is interrupted again when Python swallowed it
GRACE = 10.0  # seconds a stopped command has to clean up before it is ended outright

_said = threading.Event()
_active = threading.Event()


def say_stopped() -> int:
    """Print the one line (once per command run, whoever gets there first: the command or the
    watchdog); the exit code to use."""
    if not _said.is_set():
        _said.set()
        print(STOPPED, file=sys.stderr, flush=True)
    return EXIT_STOPPED


@contextmanager
def stop_here_only(hard_stop: bool = False) -> Iterator[None]:
    """Inside this block Ctrl-C raises `KeyboardInterrupt` in this process and is ignored by its
    forked children; `hard_stop` (the command itself, never a caller in the same process) also
    arms the watchdog. Nested blocks keep the outer handler; after the block the previous is back."""
    if _active.is_set() or threading.current_thread() is not threading.main_thread():
        yield
        return
    pid = os.getpid()
    interrupted = threading.Event()
    _said.clear()

    def handler(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != pid:
            return
        if hard_stop and not interrupted.is_set():
            sys.unraisablehook = _retry_swallowed(sys.unraisablehook, threading.main_thread().ident)
            threading.Thread(target=_watchdog, daemon=True).start()
        interrupted.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    _active.set()
    try:
        yield
    finally:
        _active.clear()
        signal.signal(signal.SIGINT, previous)


def _retry_swallowed(hook: Callable[[sys.UnraisableHookArgs], object], main: int | None
                     ) -> Callable[[sys.UnraisableHookArgs], None]:
    """An unraisable-exception hook for a `KeyboardInterrupt` Python could not raise: say nothing,
    and interrupt the main thread again a moment later, somewhere it can be raised."""
    def retry(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            hook(unraisable)
        elif main is not None:
            threading.Timer(RETRY, signal.pthread_kill, (main, signal.SIGINT)).start()
    return retry


def _watchdog() -> None:
    """End the process if it is still running `GRACE` seconds after Ctrl-C."""
    time.sleep(GRACE)
    say_stopped()
    os._exit(EXIT_STOPPED)
