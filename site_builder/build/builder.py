"""The whole pipeline: load → plan → render → write, doing only what changed since last time.

Each planned output file gets a key (`keys`). A file whose key matches the last build's manifest
is neither rendered nor written (`decide`); the rest is written through a staging folder swapped
in at once or in place (`strategies`), and the search index made with it or, in `serve`, right
after (`search_stage`). `serve`'s builder (`live.builder.LiveBuilder`) adds a fast path for edits.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from ..base.build_status import clear_failure, note_failure
from ..base.cache import BuildCache, LastBuild, Manifest, cache_folder, code_version
from ..base.errors import BuildFailed, Problems
from ..load.sources import check_published_names, escaping_links
from ..model.site import Site, load_site
from ..model.stages import ModelStages
from ..plan.pages import (
    CopiedFile,
    GeneratedFile,
    Planned,
    PlannedPage,
    PlanStages,
    SearchIndex,
    moved_items,
    plan_pages,
    pseudo_digests,
    published_addresses,
)
from ..render.environment import check_theme, make_environment, theme_dirs, theme_static, warm_up
from ..write.lock import LOCK_WAIT, check_output, output_lock
from ..write.output import UnsafePath, mark_built, safe_relative
from . import delta
from .checks import check_readable, system_problem, unpublished
from .decide import Todo, decide
from .keys import Digests, key, names_digest, theme_digest
from .quick import BuildResult, existing_files, source_stats, stamp_of, unchanged
from .rendering import produce
from .reuse import Reuse, restore_whole
from .search_stage import SearchStage
from .strategies import StagingSwap, Strategy, WriteInPlace, Written

Progress = Callable[[int, int], None]
__all__ = ["Builder", "BuildResult", "build", "check", "default_jobs"]


def _base_key(site: Site, include_drafts: bool, portable: bool) -> str:
    """What every page's key shares: the code, the theme, whether there are figures, the build's kind."""
    base = f"{code_version()}|{theme_digest(site)}|{bool(site.records)}|{include_drafts}"
    return base + "|portable" if portable else base  # kept out otherwise: a normal build's keys stay as they were


@contextlib.contextmanager
def _noted(builder: Builder) -> Iterator[None]:
    """What `deploy` reads of a build: a finished one says so in the output's marker (with or
    without drafts); a failed one leaves a note beside the cache until the next good build."""
    try:
        yield
        mark_built(builder.output, builder.include_drafts)
    except (BuildFailed, OSError):
        note_failure(builder.cache.folder, builder.output)
        raise
    clear_failure(builder.cache.folder, builder.output)


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


class Builder:
    """Builds one source folder into one output folder, again and again (the CLI once, `serve` on
    every change), keeping what it learnt in memory and in `.cache/`. `defer_search` leaves the
    search index to `index_search`, called right after (what `serve` does)."""

    # Changes of fewer files than this never swap through staging (see `decide`). The command line
    # swaps any large share, so a kill leaves one whole version of the site.
    swap_from = 0

    def __init__(self, source: Path, output: Path, include_drafts: bool = False,
                 progress: Progress | None = None, jobs: int | None = None, use_cache: bool = True,
                 portable: bool = False, lock_timeout: float = LOCK_WAIT,
                 waiting: Callable[[], None] | None = None, defer_search: bool = False) -> None:
        self.source, self.output = source, output
        self.lock_timeout, self.waiting = lock_timeout, waiting  # see `lock.output_lock`
        self.include_drafts = include_drafts
        self.portable = portable  # links end in index.html: the output works opened from disk
        self.progress = progress
        self.jobs = jobs or default_jobs()
        self.cache = BuildCache(cache_folder(source) if use_cache else None)
        self.search = SearchStage(source, output, self.cache, deferred=defer_search)
        # What stages made, reused while their inputs are unchanged (units, figures, figure pages,
        # and for `serve` the assembled site and its plan), and the last build's source digests.
        self.model_stages, self.plan_stages = ModelStages(), PlanStages()
        self.last_digests: Digests | None = None
        self._unsaved = False  # the cache is written after the search index in a live build
        self.addresses_from = self.cache  # where the addresses of the last builds are read (moved items)

    def _stamp(self, stats: delta.Stats) -> str:
        """One digest of every input's stats and of the code."""
        return stamp_of(stats, self.include_drafts, self.portable)

    def _unchanged(self, stamp: str, now: datetime) -> BuildResult | None:
        """The result of a build that finds nothing changed since the last one (`quick.unchanged`)."""
        return unchanged(self.cache, self.source, self.output, stamp, now, self.include_drafts)

    def plan(self, now: datetime) -> tuple[Site, list[Planned]]:
        """Load and check every source and plan every output file, writing nothing; raise
        `BuildFailed` with all problems found. `build` and `check` share it."""
        tree = Problems(root=self.source)
        escaping_links(self.source, tree)
        if tree:  # before loading: a link out of the sources is never followed
            raise BuildFailed(tree)
        site = load_site(self.source, self.include_drafts, now, self.cache, self.jobs, self.model_stages)
        problems = site.problems
        problems.items[:0] = tree.items  # its warnings (links in a loop)
        if not check_readable(sorted(p for folder in theme_dirs(site) for p in folder.rglob("*") if p.is_file()),
                              problems):
            raise BuildFailed(problems)  # one error per template, not one per page that uses it
        check_theme(site, problems)
        if problems:
            raise BuildFailed(problems)
        planned = plan_pages(site, theme_static(site), problems, self.plan_stages)
        for entry in planned:
            try:
                if not isinstance(entry, SearchIndex):
                    safe_relative(entry.path)
            except UnsafePath:
                problems.error(self.source / entry.origin, None, f'đường dẫn "{entry.path}" nằm ngoài thư mục kết quả.',
                               "Hãy đổi tên tệp hoặc slug, chỉ dùng chữ, số và dấu gạch ngang.")
        check_published_names(self.source, [*site.media, *site.data_files], problems)
        check_readable([e.source for e in planned if isinstance(e, CopiedFile)], problems)
        if problems:
            raise BuildFailed(problems)
        if not self.include_drafts:
            moved_items(site, planned, self.addresses_from.published(self.output), problems)
        return site, planned

    def _after_wait(self) -> None:
        """Once the lock is held: if another process saved the cache since this one read it (a
        `build` run while `serve` waited), what this process remembers may no longer describe the
        output; start again from the cache on disk."""
        self.cache.reload_if_changed()

    def build(self, now: datetime | None = None, changed: Iterable[str | Path] | None = None) -> BuildResult:
        """Build; raise `BuildFailed` (writing nothing) when the sources have errors, `OutputBusy`
        when another build kept the output past `lock_timeout`. `changed`: the files `serve` saw
        change since the last build (see `watched`), which spares it statting every source."""
        try:
            check_output(self.output, self.source)  # before the lock, whose file must not land in the sources
            with output_lock(self.output, self.lock_timeout, self.waiting):
                self._after_wait()
                with _noted(self):
                    return self._build(now, changed)
        except OSError as exc:
            raise BuildFailed(system_problem(self.source, self.output, exc)) from exc

    def _fast(self, stats: delta.Stats, stamp: Callable[[], str], now: datetime,
              started: float) -> BuildResult | None:
        """A build without re-planning the site, when one is possible (`fast.FastBuilder`); None: none."""
        return None

    def _input_stats(self, changed: Iterable[str | Path] | None) -> tuple[delta.Stats, bool]:
        """The stats of every input, and whether they came from `changed` rather than a full walk."""
        return source_stats(self.source), False

    def _build(self, now: datetime | None = None, changed: Iterable[str | Path] | None = None) -> BuildResult:
        started = time.perf_counter()
        now = now or datetime.now(UTC)
        stats, hinted = self._input_stats(changed)
        stamp = _once(lambda: self._stamp(stats))  # a live edit seldom needs it: not made before
        if not self.search.deferred:
            quick = self._unchanged(stamp(), now) or restore_whole(self, stats, stamp(), now)
            if quick is not None:
                return dataclasses.replace(quick, seconds=time.perf_counter() - started)
        fast = self._fast(stats, stamp, now, started)
        if fast is not None:
            return fast
        if hinted:  # the whole site is planned again: what it reads is walked too
            stats, _ = self._input_stats(None)
            stamp = _once(lambda: self._stamp(stats))
        site, planned = self.plan(now)
        problems = site.problems
        check_output(self.output, self.source)

        digests = Digests(self.source, self.cache, pseudo_digests(site), self.last_digests)
        base = _base_key(site, self.include_drafts, self.portable)
        keys = {e.path: key(e, base, digests) for e in planned}
        manifest = self.cache.manifest(self.output)
        existing = existing_files(self.output)
        todo = decide(planned, keys, manifest, existing, self.output.is_dir(), self.swap_from)
        search = self.search.take(todo.search, todo.swap)
        env = self._environment(site, base, todo.swap)
        reuse = Reuse(self.cache, keys)
        strategy: Strategy = (StagingSwap(self.output, self.cache, self.search, self.jobs, self._tick, reuse,
                                          self.include_drafts)
                              if todo.swap else WriteInPlace(self.output, self.cache, self.search, self.portable, self._tick))
        written = strategy.write(site, todo, search, problems, env, manifest, existing)
        reuse.keep(self.output, _written_paths(written, todo.swap, manifest, existing), written.digests, written.bundle)
        new_manifest = Manifest({e.path: (keys[e.path], written.digests.get(e.path, manifest.entries.get(e.path, ("", ""))[1]))
                                 for e in todo.files})
        self.search.record(new_manifest, manifest, written.bundle)
        self.cache.set_manifest(self.output, new_manifest)
        self.last_digests = digests
        pages = sum(1 for e in planned if isinstance(e, PlannedPage))
        self._record(stamp(), site, problems, pages, new_manifest)
        if todo.swap:  # tidy the cache on big builds only: a stale entry costs nothing but space
            self.cache.forget_missing({i.rel for i in site.items} | {p.rel for p in site.pages} | unpublished(site))
        self.cache.set_snapshot_token(self.output, "")  # `_remember` writes a new one (`fast`)
        reuse.finish(problems, todo.swap, None if self.search.deferred else (self, stats))
        self._remember(site, todo, keys, base, digests, stats, env, pages)
        self._save_cache(problems)
        return BuildResult(pages, written.report, time.perf_counter() - started, problems, written.rendered,
                           written.search_seconds, _written_paths(written, todo.swap, manifest, existing))

    def _record(self, stamp: str, site: Site, problems: Problems, pages: int, manifest: Manifest) -> None:
        """The small record of this build (`LastBuild`), and the addresses its items are at."""
        complete = self.search.pending is None
        self.cache.set_last_build(self.output, LastBuild(stamp if complete else "", site.next_scheduled,
                                                         tuple(problems.items), pages,
                                                         names_digest(p for p in manifest.entries if not p.startswith("@"))))
        if not self.include_drafts:
            self.cache.set_published(self.output, published_addresses(site, self.cache.published(self.output)))

    def _environment(self, site: Site, base: str, swap: bool) -> jinja2.Environment | None:
        """The compiled templates to render with: made here for a swap rather than once per worker."""
        if not swap:
            return None  # made by `WriteInPlace` when something is to be rendered
        env = make_environment(site, self.portable)
        warm_up(env)
        return env

    def _remember(self, site: Site, todo: Todo, keys: dict[str, str], base: str, digests: Digests,
                  stats: delta.Stats, env: jinja2.Environment | None, pages: int) -> None:
        """Keep what a next build can start from (`fast.FastBuilder`)."""

    def _save_cache(self, problems: Problems) -> None:
        """Write the cache now. Until then the output's marker says a build is unfinished, so a
        process killed in between only makes the next build a full one."""
        self._unsaved = False
        if not self.cache.save():
            problems.warn(cache_folder(self.source), None, "không lưu được bộ nhớ đệm của lần xây dựng này; trang đã xây dựng xong.",
                          "Lần xây dựng sau sẽ làm lại toàn bộ, chậm hơn; hãy kiểm tra dung lượng đĩa và quyền ghi.")

    def index_search(self) -> float:
        """Index the output written by a build with `defer_search` (only the parts of the index
        whose pages changed); returns the seconds it took. Raises `BuildFailed` if Pagefind fails.
        A live build's cache is saved here, after it."""
        try:
            with output_lock(self.output, self.lock_timeout, self.waiting):
                self._after_wait()
                return self._index_search()
        except OSError as exc:
            raise BuildFailed(system_problem(self.source, self.output, exc)) from exc

    def _index_search(self) -> float:
        try:
            seconds = self.search.index_pending()
            if seconds is None:
                return 0.0
            self._unsaved = True
            return seconds
        finally:
            if self._unsaved and self.search.pending is None:
                self._unsaved = False
                self.cache.save()

    def _tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)


def _once(compute: Callable[[], str]) -> Callable[[], str]:
    return functools.cache(compute)


def _written_paths(written: Written, swap: bool, manifest: Manifest, existing: set[str]) -> tuple[str, ...]:
    """The output files this build wrote (all it rendered, for a swap)."""
    digests = {**written.digests, **(written.bundle or {})}
    return tuple(sorted(p for p, d in digests.items()
                        if swap or manifest.entries.get(p, ("", ""))[1] != d or p not in existing))


def build(source: Path, output: Path, include_drafts: bool = False, now: datetime | None = None,
          progress: Progress | None = None, portable: bool = False,
          waiting: Callable[[], None] | None = None) -> BuildResult:
    """Build the site from `source` into `output`; raise `BuildFailed` and write nothing on errors.
    `portable` writes links to `…/index.html`, for opening the output from disk; `waiting` is
    called once if another build holds the output (this one waits for it)."""
    return Builder(source, output, include_drafts, progress, portable=portable, waiting=waiting).build(now)


def check(source: Path, include_drafts: bool = False, now: datetime | None = None,
          portable: bool = False) -> Problems:
    """Everything a build checks (sources, links, paths, every template rendered in memory),
    writing nothing: no output, no cache. Raises `BuildFailed` on errors; returns the warnings."""
    output = source.parent / "output"
    builder = Builder(source, output, include_drafts, jobs=1, use_cache=False, portable=portable)
    builder.addresses_from = BuildCache(cache_folder(source))  # read only: check writes no cache
    try:
        site, planned = builder.plan(now or datetime.now(UTC))
        problems = site.problems
        env = make_environment(site, portable)
        for entry in planned:
            if isinstance(entry, (PlannedPage, GeneratedFile)):
                produce(entry, env, site, problems)
    except OSError as exc:  # check writes nothing: a read it was refused
        raise BuildFailed(system_problem(source, output, exc)) from exc
    if problems:
        raise BuildFailed(problems)
    return problems
