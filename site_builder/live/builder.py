"""`serve`'s builder: the incremental `Builder` kept in memory, with the search index left to
`index_search` right after the pages, the compiled templates kept, and the fast path for edits of
news bodies and summaries (`build.fast`) taken from the last good build it keeps in memory."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import jinja2

from ..base.errors import Problems
from ..base.vietnamese import warm_up_formats
from ..build import delta, watched
from ..build.builder import Progress
from ..build.decide import Todo
from ..build.fast import FastBuilder
from ..build.keys import Digests
from ..build.quick import source_stats
from ..load.markdown_render import warm_up as markdown_warm_up
from ..model.site import Site
from ..write.lock import LOCK_WAIT


class LiveBuilder(FastBuilder):
    """A `Builder` that `serve` keeps between saves: the last good build stays in memory
    (`snapshot`), and the cache is saved after the search index (`index_search`)."""

    # A save that touches fewer files than this is written in place however large its share of a
    # small site (a new article: half of the sample's pages), which is twice as fast as staging
    # every file; a kill then leaves each file whole, old or new, and the next build completes it.
    swap_from = 200

    def __init__(self, source: Path, output: Path, include_drafts: bool = False,
                 progress: Progress | None = None, jobs: int | None = None, use_cache: bool = True,
                 portable: bool = False, lock_timeout: float = LOCK_WAIT,
                 waiting: Callable[[], None] | None = None) -> None:
        super().__init__(source, output, include_drafts, progress, jobs, use_cache, portable, lock_timeout, waiting,
                         defer_search=True)

    def _input_stats(self, changed: Iterable[str | Path] | None) -> tuple[delta.Stats, bool]:
        """From the last good build's stats and the files `changed` when that is enough
        (`watched.stats_after`); else by walking every input, the folders recorded for the next."""
        snap = self.snapshot
        if changed is not None and snap is not None and snap.folders is not None:
            seen = watched.stats_after(snap.stats, snap.folders, changed)
            if seen is not None:
                self._folders, self._candidates = seen.folders, seen.candidates
                return seen.stats, True
        listed: list[str] = []
        started = time.time_ns()
        stats = source_stats(self.source, listed)
        self._folders, self._candidates = watched.records(stats, listed, started), None
        return stats, False

    def stale(self) -> bool:
        """Whether an input differs from what the last good build read, by walking them all: what
        `serve` asks after each edit's search index, for a change no hint named (a file saved
        with its old time, one saved while building). Nothing stale refreshes the folders' records."""
        snap = self.snapshot
        if snap is None:
            return False
        stats, _ = self._input_stats(None)
        if stats != snap.stats:
            return True
        snap.folders = self._folders
        return False

    def _after_wait(self) -> None:
        if self.cache.reload_if_changed():
            self.snapshot = None  # another process wrote the output: the last build no longer describes it

    def _remember(self, site: Site, todo: Todo, keys: dict[str, str], base: str, digests: Digests,
                  stats: delta.Stats, env: jinja2.Environment | None, pages: int) -> None:
        warm_up_formats()
        markdown_warm_up()
        super()._remember(site, todo, keys, base, digests, stats, env, pages)
        if self.snapshot is not None:
            self.snapshot.indexed()  # now rather than on the first edit

    def _save_cache(self, problems: Problems) -> None:
        """With the search index still to come, the cache is saved after it (`index_search`): the
        edit's pages are written first."""
        if self.search.pending is not None:
            self._unsaved = True
            return
        super()._save_cache(problems)
