"""`base.collector.collector_paused`: what a step makes while the collector is paused goes to the
oldest generation at once, so no young collection walks it after (at 200 000 records, the
summaries' million objects cost 2.5 s of young and full collections once the collector was
back on)."""
from __future__ import annotations

import gc

from site_builder.base.collector import collector_paused


class _Kept:
    """A tracked object, found among the collector's generations by identity."""


def _generation_of(obj: object) -> int | None:
    for generation in range(3):
        if any(o is obj for o in gc.get_objects(generation=generation)):
            return generation
    return None


def test_what_a_paused_step_made_is_in_the_oldest_generation() -> None:
    gc.collect()
    with collector_paused():
        made = [_Kept() for _ in range(5_000)]   # more than a young collection's threshold
        assert not gc.isenabled()
    [object() for _ in range(10)]  # allocations after: a young collection would run now
    assert gc.isenabled()
    assert _generation_of(made[0]) == 2
    assert _generation_of(made) == 2


def test_the_collector_stays_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_forked_pools_frozen_heap_is_left_frozen() -> None:
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            made = [_Kept() for _ in range(10)]
        assert gc.get_freeze_count() == frozen
        assert _generation_of(made) in (0, 1, 2)
    finally:
        gc.unfreeze()
