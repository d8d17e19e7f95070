"""Forked worker pools for the cold build's two parallel steps (parsing items, rendering pages).

Workers are forked, so they read the parent's loaded site without pickling it. Before forking,
the parent's objects are moved out of the garbage collector's reach (`gc.freeze`): otherwise a
child's first collection writes to every object's header and copies the whole heap page by page.
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import multiprocessing.pool
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager


def die_with_parent(parent: int) -> None:
    """Child start (a worker, or Pagefind's binary): end when the build process ends, even by
    SIGKILL (Linux), so no orphan keeps writing into a folder the next build is about to remove."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent was gone before the call
        os._exit(1)


@contextmanager
def fork_pool(jobs: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of `jobs` forked processes that die with this one; the parent's heap is frozen
    for the pool's lifetime and released to the collector after."""
    gc.collect()
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, die_with_parent, (os.getpid(),)) as pool:
            yield pool
    finally:
        gc.unfreeze()
