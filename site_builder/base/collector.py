"""The cyclic garbage collector kept out of steps that make a large graph of objects kept as long
as the site (the totals, the figure summaries): collections during such a step walk again and
again objects that are not garbage, and, left in the young generations after it, every one of
them once more."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off while the step runs; what the step made then joins the oldest generation
    at once (`gc.freeze` then `gc.unfreeze` move every tracked object there without walking one),
    where only a full collection looks at it. Inside a forked pool's freeze (`workers.fork_pool`),
    the frozen heap is left alone and the step's objects stay young."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
