"""Ctrl-C: the process the editor started stops with one Vietnamese line and exit code 130.

Ctrl-C sends SIGINT to every process of the terminal's group: the command, its forked workers
and Pagefind. Only the command itself should react; a forked worker (which inherits Python's
handler) ignores it and is ended by the pool the command closes, so no worker prints a
traceback. Kept free of heavy imports: it must work while the rest is still being imported.
"""
from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Iterator

STOPPED = "Đã dừng theo yêu cầu."
EXIT_STOPPED = 130


@contextmanager
def stop_here_only() -> Iterator[None]:
    """Inside this block Ctrl-C raises `KeyboardInterrupt` in this process and is ignored by its
    forked children; outside it, the previous handler is back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pid = os.getpid()

    def handler(signum: int, frame: FrameType | None) -> None:
        if os.getpid() == pid:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
